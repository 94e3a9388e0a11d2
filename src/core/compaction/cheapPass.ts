import type { ToolCallPart, ToolResultPart } from '../transcript/model';
import type { PartEdit, PruneCandidates } from './plan';
import type { PlanContext } from './planContext';
import { shrinkJsonArguments } from './shrinkArguments';
import type { TokenCounting } from './tokenCounting';
import { describeToolResultPart, replacementResult } from './toolDescriptions';
import { lowerBound, toolPartFlag } from './windowIndex';

/** What the cheap pass plans: its edits (empty below the H4 minimum) and what they free. */
export interface CheapPassPlan {
	readonly edits: readonly PartEdit[];
	readonly candidates: PruneCandidates;
}

/** Which messages the cheap pass may touch and which phase is current (H4). */
export interface CheapPassScope {
	readonly from: number;
	readonly to: number;
	/** Messages that must stay as they are (pinned and their tool partners). */
	readonly isUntouchable: (message: number) => boolean;
	/** H4: the phase of the newest message, whose messages are never pruned. */
	readonly currentPhaseId: string | undefined;
}

/** A duplicate's back-reference and the figure of the result part holding it, by the counter that made it. */
interface DuplicateNote {
	readonly newer: string;
	readonly text: string;
	/** The result part that replaces the older copy (shared by every plan's edit). */
	readonly part: ToolResultPart;
	readonly counter: TokenCounting;
	readonly tokens: number;
}

// Back-references by result part, so re-planning a growing transcript writes and counts each one once; held weakly.
const duplicateNotes = new WeakMap<ToolResultPart, DuplicateNote>();

/** R3: the text that replaces an older copy of the result of call `newer`, and its tokens. */
function duplicateNote(part: ToolResultPart, newer: string, context: PlanContext): DuplicateNote {
	let note = duplicateNotes.get(part);
	if (note === undefined || note.newer !== newer || note.counter !== context.counter) {
		const text = `[Duplicate tool output: identical to the later result of call ${newer}]`;
		const replacement = replacementResult(part.callId, text);
		note = {
			newer,
			text,
			part: replacement,
			counter: context.counter,
			tokens: context.newPartTokens(replacement),
		};
		duplicateNotes.set(part, note);
	}
	return note;
}

/** Edits sorted by message, then part: two lists already in that order, keys distinct, merged in O(a + b). */
function mergeSorted(a: readonly PartEdit[], b: readonly PartEdit[]): PartEdit[] {
	if (a.length === 0) return [...b];
	if (b.length === 0) return [...a];
	const out: PartEdit[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length && j < b.length) {
		const x = a[i] as PartEdit;
		const y = b[j] as PartEdit;
		if (x.message < y.message || (x.message === y.message && x.part < y.part)) {
			out.push(x);
			i++;
		} else {
			out.push(y);
			j++;
		}
	}
	while (i < a.length) out.push(a[i++] as PartEdit);
	while (j < b.length) out.push(b[j++] as PartEdit);
	return out;
}

/** Long arguments shrunk for one `keepChars`, and the replacement's tokens by the counter that last asked. */
export interface ShrunkArguments {
	readonly shrunk: string | undefined;
	counter: TokenCounting | undefined;
	tokens: number;
}

// Shrunk arguments by call part and kept characters (parts are immutable and reused across re-reads); held weakly.
const shrunkArguments = new WeakMap<ToolCallPart, Map<number, ShrunkArguments>>();

/** `shrinkJsonArguments(part.argumentsText, keepChars)` and the tokens of the shrunk call, remembered per part. */
export function shrunkCall(part: ToolCallPart, keepChars: number, context: PlanContext): ShrunkArguments {
	let byKeep = shrunkArguments.get(part);
	if (byKeep === undefined) {
		byKeep = new Map();
		shrunkArguments.set(part, byKeep);
	}
	let entry = byKeep.get(keepChars);
	if (entry === undefined) {
		entry = { shrunk: shrinkJsonArguments(part.argumentsText, keepChars), counter: undefined, tokens: 0 };
		byKeep.set(keepChars, entry);
	}
	if (entry.shrunk !== undefined && entry.counter !== context.counter) {
		entry.tokens = context.newPartTokens({
			kind: 'toolCall',
			callId: part.callId,
			name: part.name,
			argumentsText: entry.shrunk,
		});
		entry.counter = context.counter;
	}
	return entry;
}

/**
 * H4: walking back from the end, the newest prunable results within `protectTokens` stay whole: every prunable
 * result from the returned tool part (an index into the window index's tool parts) on.
 */
function findProtectedFrom(context: PlanContext, isPrunable: (k: number) => boolean): number {
	const { toolMessage, toolPart } = context.index;
	let protectedFrom = toolMessage.length;
	let protectedTokens = 0;
	for (let k = toolMessage.length - 1; k >= 0 && protectedTokens < context.options.protectTokens; k--) {
		if (!isPrunable(k)) continue;
		protectedFrom = k;
		protectedTokens += context.partTokens(toolMessage[k] ?? 0, toolPart[k] ?? 0);
	}
	return protectedFrom;
}

/**
 * R3/H4: the cheap pre-pass over messages `from..to`, no model call. Older copies of identical tool results become
 * back-references (the newest copy stays); other large old results become a one-line description; long JSON
 * arguments are shrunk inside the JSON. Errors, pinned messages, tiny results, the current phase and the newest
 * results within `protectTokens` are never pruned. O(tool parts), walking the window index's list of tool parts
 * (in window order) rather than every message.
 */
export function planCheapPass(context: PlanContext, scope: CheapPassScope): CheapPassPlan {
	const pass = startCheapPass(context, scope);
	const protectedFrom = findProtectedFrom(context, pass.isPrunable);
	const duplicates = planDuplicates(pass);
	const edits = planPrunes(pass, protectedFrom, duplicates.deduped);
	const { byKind, touched } = pass;
	const tokens = byKind.dedup + byKind.toolOutput + byKind.arguments;
	const isBelowMinimum = tokens < context.options.minPruneTokens;
	return {
		// H4: prune only when it frees enough to be worth the lost detail.
		edits: isBelowMinimum ? [] : mergeSorted(duplicates.edits.reverse(), edits),
		candidates: { messages: touched.size, tokens, byKind, isBelowMinimum },
	};
}

/** One run of the cheap pass: what it may touch (tool part k of the window index) and the tally of what it frees. */
interface CheapPass {
	readonly context: PlanContext;
	readonly scope: CheapPassScope;
	/** Whether message `index` may be pruned: in scope, not untouchable, not pinned, not in the current phase. */
	readonly isEligible: (index: number) => boolean;
	/** A result that is not an error, has no images and is long enough. */
	readonly isPrunable: (k: number) => boolean;
	readonly resultAt: (k: number) => ToolResultPart | undefined;
	/** context.partTokens of result k (in message i): its text length is its characters. */
	readonly resultTokens: (i: number, k: number) => number;
	/** Counts an edit that frees tokens; false (nothing counted, nothing to record) when it would not. */
	readonly counts: (
		message: number,
		before: number,
		after: number,
		kind: keyof PruneCandidates['byKind'],
	) => boolean;
	/** Only the figures are wanted (the budget report): the edits themselves are not built. */
	readonly isCountOnly: boolean;
	readonly byKind: { dedup: number; toolOutput: number; arguments: number };
	readonly touched: Set<number>;
}

/** The predicates and tally of one cheap pass over `scope`. */
function startCheapPass(context: PlanContext, scope: CheapPassScope): CheapPass {
	const { messages, options } = context;
	const { toolMessage, toolPart, toolLength, toolFlags } = context.index;
	const isEligible = (index: number): boolean => {
		const message = messages[index];
		if (message === undefined || index < scope.from || index >= scope.to || scope.isUntouchable(index))
			return false;
		// H1: the rich message model's pinned (skill content) flag and phase id decide what may be pruned.
		if (message.flags.isPinned) return false;
		return scope.currentPhaseId === undefined || message.phaseId !== scope.currentPhaseId;
	};
	const isPrunable = (k: number): boolean => {
		const length = toolLength[k] ?? 0;
		return (
			toolFlags[k] === toolPartFlag.isResult &&
			length > options.toolOutputMinChars &&
			length >= options.tinyResultChars
		);
	};
	const resultAt = (k: number): ToolResultPart | undefined => {
		const part = messages[toolMessage[k] ?? -1]?.parts[toolPart[k] ?? -1];
		return part?.kind === 'toolResult' ? part : undefined;
	};
	const resultTokens = (i: number, k: number): number => {
		const chars = context.index.chars[i] ?? 0;
		return chars === 0 ? 0 : Math.round(((context.tokens[i] ?? 0) * (toolLength[k] ?? 0)) / chars);
	};
	const byKind = { dedup: 0, toolOutput: 0, arguments: 0 };
	const touched = new Set<number>();
	const counts = (message: number, before: number, after: number, kind: keyof typeof byKind): boolean => {
		if (after >= before) return false;
		byKind[kind] += before - after;
		touched.add(message);
		return true;
	};
	return {
		context,
		scope,
		isEligible,
		isPrunable,
		resultAt,
		resultTokens,
		counts,
		isCountOnly: context.isCountOnly === true,
		byKind,
		touched,
	};
}

/**
 * R3: identical results (one text group), newest first; the newest copy is the one that stays, older eligible
 * copies become back-references. Returns which tool parts were deduplicated and their edits, newest first.
 */
function planDuplicates(pass: CheapPass): { deduped: Uint8Array; edits: PartEdit[] } {
	const { context, isPrunable, isEligible, resultAt } = pass;
	const { toolMessage, toolPart, toolGroup } = context.index;
	const toolParts = toolMessage.length;
	const newestOfGroup = new Int32Array(context.index.groupCount).fill(-1);
	const deduped = new Uint8Array(toolParts);
	const edits: PartEdit[] = [];
	for (let k = toolParts - 1; k >= 0; k--) {
		if (!isPrunable(k)) continue;
		const group = toolGroup[k] ?? 0;
		const newest = newestOfGroup[group] ?? -1;
		if (newest < 0) {
			newestOfGroup[group] = k;
			continue;
		}
		const i = toolMessage[k] ?? 0;
		if (!isEligible(i)) continue;
		const part = resultAt(k);
		const newer = resultAt(newest)?.callId;
		if (part === undefined || newer === undefined) continue;
		deduped[k] = 1;
		const note = duplicateNote(part, newer, context);
		const before = pass.resultTokens(i, k);
		// note.tokens is what newPartTokens(replacement) counts.
		if (!pass.counts(i, before, note.tokens, 'dedup') || pass.isCountOnly) continue;
		edits.push({
			message: i,
			part: toolPart[k] ?? 0,
			kind: 'dedup',
			tokensBefore: before,
			tokensAfter: note.tokens,
			replacement: note.part,
		});
	}
	return { deduped, edits };
}

/**
 * R3: in window order, old large results (not protected, not deduplicated) become a one-line description and long
 * call arguments are shrunk; returns their edits, sorted by message then part.
 */
function planPrunes(pass: CheapPass, protectedFrom: number, deduped: Uint8Array): PartEdit[] {
	const { context, scope, isPrunable, resultAt } = pass;
	const { messages, options } = context;
	const { toolMessage, toolPart, toolLength, toolFlags } = context.index;
	const toolParts = toolMessage.length;
	const edits: PartEdit[] = [];
	let eligibleMessage = -1;
	let isEligibleMessage = false;
	for (let k = lowerBound(toolMessage, scope.from); k < toolParts; k++) {
		const i = toolMessage[k] ?? 0;
		if (i >= scope.to) break;
		if (i !== eligibleMessage) {
			eligibleMessage = i;
			isEligibleMessage = pass.isEligible(i);
		}
		if (!isEligibleMessage) continue;
		const p = toolPart[k] ?? 0;
		if (((toolFlags[k] ?? 0) & toolPartFlag.isResult) !== 0) {
			if (!isPrunable(k) || k >= protectedFrom || deduped[k] === 1) continue;
			const part = resultAt(k);
			if (part === undefined) continue;
			// R3: an informative line per tool kind instead of a generic placeholder.
			const described = describeToolResultPart(context.index.callSiteOfToolPart(k)?.part, part, context);
			const before = pass.resultTokens(i, k);
			// described.tokens is what newPartTokens(replacement) counts.
			if (!pass.counts(i, before, described.tokens, 'toolOutput') || pass.isCountOnly) continue;
			edits.push({
				message: i,
				part: p,
				kind: 'toolOutput',
				tokensBefore: before,
				tokensAfter: described.tokens,
				replacement: described.part,
			});
		} else if ((toolLength[k] ?? 0) > options.argumentsMaxChars) {
			const part = messages[i]?.parts[p];
			if (part?.kind !== 'toolCall') continue;
			// R3: shrink inside the parsed JSON so providers still accept it; non-JSON arguments stay as written.
			const shrunk = shrunkCall(part, options.argumentsKeepChars, context);
			if (shrunk.shrunk === undefined) continue;
			const before = context.partTokens(i, p);
			// shrunk.tokens is what newPartTokens(replacement) counts.
			if (!pass.counts(i, before, shrunk.tokens, 'arguments') || pass.isCountOnly) continue;
			edits.push({
				message: i,
				part: p,
				kind: 'arguments',
				tokensBefore: before,
				tokensAfter: shrunk.tokens,
				replacement: { kind: 'toolCall', callId: part.callId, name: part.name, argumentsText: shrunk.shrunk },
			});
		}
	}
	return edits;
}
