import type { ToolResultPart } from '../transcript/model';
import type { PartEdit, PruneCandidates } from './plan';
import type { PlanContext } from './planContext';
import { shrinkJsonArguments } from './shrinkArguments';
import { describeToolResult } from './toolDescriptions';

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

function key(message: number, part: number): string {
	return `${message}:${part}`;
}

/**
 * R3/H4: the cheap pre-pass over messages `from..to`, no model call. Older copies of identical tool results become
 * back-references (the newest copy stays); other large old results become a one-line description; long JSON
 * arguments are shrunk inside the JSON. Errors, pinned messages, tiny results, the current phase and the newest
 * results within `protectTokens` are never pruned. O(parts).
 */
export function planCheapPass(context: PlanContext, scope: CheapPassScope): CheapPassPlan {
	const { messages, options } = context;
	const isEligible = (index: number): boolean => {
		const message = messages[index];
		if (message === undefined || index < scope.from || index >= scope.to || scope.isUntouchable(index))
			return false;
		// H1: the rich message model's pinned (skill content) flag and phase id decide what may be pruned.
		if (message.flags.isPinned) return false;
		return scope.currentPhaseId === undefined || message.phaseId !== scope.currentPhaseId;
	};
	const isPrunable = (part: ToolResultPart): boolean =>
		!part.isError &&
		part.images.length === 0 &&
		part.text.length > options.toolOutputMinChars &&
		part.text.length >= options.tinyResultChars;

	// H4: walking back from the end, the newest prunable results within `protectTokens` stay whole.
	const protectedByRecency = new Set<string>();
	let protectedTokens = 0;
	for (let i = messages.length - 1; i >= 0 && protectedTokens < options.protectTokens; i--) {
		const parts = messages[i]?.parts ?? [];
		for (let p = parts.length - 1; p >= 0 && protectedTokens < options.protectTokens; p--) {
			const part = parts[p];
			if (part?.kind !== 'toolResult' || !isPrunable(part)) continue;
			protectedByRecency.add(key(i, p));
			protectedTokens += context.partTokens(i, p);
		}
	}

	const edits: PartEdit[] = [];
	const byKind = { dedup: 0, toolOutput: 0, arguments: 0 };
	const touched = new Set<number>();
	const record = (edit: PartEdit, kind: keyof typeof byKind): void => {
		if (edit.tokensAfter >= edit.tokensBefore) return;
		edits.push(edit);
		byKind[kind] += edit.tokensBefore - edit.tokensAfter;
		touched.add(edit.message);
	};

	// R3: identical results, newest first; the newest copy is the one that stays.
	const newestCopy = new Map<string, string>();
	const deduped = new Set<string>();
	for (let i = messages.length - 1; i >= 0; i--) {
		const parts = messages[i]?.parts ?? [];
		for (let p = parts.length - 1; p >= 0; p--) {
			const part = parts[p];
			if (part?.kind !== 'toolResult' || !isPrunable(part)) continue;
			const newer = newestCopy.get(part.text);
			if (newer === undefined) {
				newestCopy.set(part.text, part.callId);
				continue;
			}
			if (!isEligible(i)) continue;
			const replacement: ToolResultPart = {
				kind: 'toolResult',
				callId: part.callId,
				text: `[Duplicate tool output: identical to the later result of call ${newer}]`,
				isError: false,
				images: [],
			};
			deduped.add(key(i, p));
			record(
				{
					message: i,
					part: p,
					kind: 'dedup',
					tokensBefore: context.partTokens(i, p),
					tokensAfter: context.newPartTokens(replacement),
					replacement,
				},
				'dedup',
			);
		}
	}

	for (let i = scope.from; i < scope.to; i++) {
		if (!isEligible(i)) continue;
		const parts = messages[i]?.parts ?? [];
		parts.forEach((part, p) => {
			if (part.kind === 'toolResult') {
				const k = key(i, p);
				if (deduped.has(k) || protectedByRecency.has(k) || !isPrunable(part)) return;
				// R3: an informative line per tool kind instead of a generic placeholder.
				const replacement: ToolResultPart = {
					kind: 'toolResult',
					callId: part.callId,
					text: describeToolResult(context.calls.get(part.callId)?.part, part.text),
					isError: false,
					images: [],
				};
				record(
					{
						message: i,
						part: p,
						kind: 'toolOutput',
						tokensBefore: context.partTokens(i, p),
						tokensAfter: context.newPartTokens(replacement),
						replacement,
					},
					'toolOutput',
				);
			} else if (part.kind === 'toolCall' && part.argumentsText.length > options.argumentsMaxChars) {
				// R3: shrink inside the parsed JSON so providers still accept it; non-JSON arguments stay as written.
				const shrunk = shrinkJsonArguments(part.argumentsText, options.argumentsKeepChars);
				if (shrunk === undefined) return;
				const replacement = {
					kind: 'toolCall' as const,
					callId: part.callId,
					name: part.name,
					argumentsText: shrunk,
				};
				record(
					{
						message: i,
						part: p,
						kind: 'arguments',
						tokensBefore: context.partTokens(i, p),
						tokensAfter: context.newPartTokens(replacement),
						replacement,
					},
					'arguments',
				);
			}
		});
	}

	const tokens = byKind.dedup + byKind.toolOutput + byKind.arguments;
	const isBelowMinimum = tokens < options.minPruneTokens;
	edits.sort((a, b) => a.message - b.message || a.part - b.part);
	return {
		// H4: prune only when it frees enough to be worth the lost detail.
		edits: isBelowMinimum ? [] : edits,
		candidates: { messages: touched.size, tokens, byKind, isBelowMinimum },
	};
}
