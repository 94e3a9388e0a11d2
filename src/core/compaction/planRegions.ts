import type { Message } from '../transcript/model';
import { isSystemRole, isUserPrompt } from './messageParts';
import type { ResolvedCompactionOptions } from './options';
import { triggerTokensFor } from './options';
import { alignCutBackward, alignCutForward, unsafeCuts } from './toolGroups';

/** A contiguous run of window messages: indexes `from` (inclusive) to `to` (exclusive), empty when equal, and its tokens. */
export interface RegionSpan {
	readonly from: number;
	readonly to: number;
	readonly tokens: number;
}

/** The options region planning reads. */
export type RegionOptions = Pick<
	ResolvedCompactionOptions,
	| 'contextWindow'
	| 'headMessages'
	| 'tailRatio'
	| 'tailMinMessages'
	| 'tailSoftCeiling'
	| 'tailSizing'
	| 'keepRecentMessages'
	| 'triggerRatio'
	| 'triggerFloorTokens'
	| 'isPhaseGraduated'
>;

/** H7: the phases seen in the window (in order of first appearance) and which of them stay whole. */
export interface PhaseSplit {
	readonly phaseIds: readonly string[];
	/** The current and previous phase when there are three or more; empty otherwise. */
	readonly protectedPhaseIds: readonly string[];
	/** First message of a protected phase: the tail starts here or earlier. */
	readonly firstProtected: number | undefined;
}

/** Head, middle and tail of the window, plus the facts they were planned from. */
export interface RegionPlan {
	readonly head: RegionSpan;
	readonly middle: RegionSpan;
	readonly tail: RegionSpan;
	/** G4: index of a summary message that opens the window (after system messages); it is folded into the next summary. */
	readonly foldedSummary: number | undefined;
	/**
	 * Index of the last message the person typed. It never forces the turn after it into the tail: wherever it
	 * falls, planners keep it verbatim (a long autonomous turn after one request is compacted like any middle).
	 */
	readonly lastUserPrompt: number | undefined;
	readonly phases: PhaseSplit;
	/** R5: tokens the tail may take before its soft ceiling. */
	readonly tailBudgetTokens: number;
}

/** G4: the index of a summary message at the start of the window (only system or meta messages before it). */
export function findFoldedSummary(messages: readonly Message[]): number | undefined {
	for (let i = 0; i < messages.length; i++) {
		const message = messages[i];
		if (message === undefined) break;
		if (message.flags.isSummary) return i;
		if (!isSystemRole(message.role) && !message.flags.isMeta) return undefined;
	}
	return undefined;
}

/** Index of the last message the person typed, or undefined. */
export function findLastUserPrompt(messages: readonly Message[]): number | undefined {
	for (let i = messages.length - 1; i >= 0; i--) {
		const message = messages[i];
		if (message !== undefined && isUserPrompt(message)) return i;
	}
	return undefined;
}

/** H7: phases in order of first appearance and the split that keeps the last two whole (only with three or more). */
export function findPhaseSplit(messages: readonly Message[], isGraduated: boolean): PhaseSplit {
	const firstSeen = new Map<string, number>();
	messages.forEach((m, i) => {
		if (m.phaseId !== undefined && !firstSeen.has(m.phaseId)) firstSeen.set(m.phaseId, i);
	});
	const phaseIds = [...firstSeen.keys()];
	if (!isGraduated || phaseIds.length < 3)
		return { phaseIds, protectedPhaseIds: [], firstProtected: undefined };
	const protectedPhaseIds = phaseIds.slice(-2);
	const isProtected = new Set(protectedPhaseIds);
	const firstProtected = messages.findIndex((m) => m.phaseId !== undefined && isProtected.has(m.phaseId));
	return { phaseIds, protectedPhaseIds, firstProtected: firstProtected < 0 ? undefined : firstProtected };
}

/** Sum of `tokens[from..to)`. */
export function spanTokens(tokens: readonly number[], from: number, to: number): number {
	let sum = 0;
	for (let i = from; i < to; i++) sum += tokens[i] ?? 0;
	return sum;
}

/** A span with its tokens filled in. */
export function makeSpan(tokens: readonly number[], from: number, to: number): RegionSpan {
	return { from, to, tokens: spanTokens(tokens, from, to) };
}

/**
 * The one region planner (the budget report and every summary-style strategy use it): head of `headMessages`
 * (R4), a tail by token budget (R5) or message count (G2/H5), the rest in the middle. Neither boundary splits a tool
 * call from its result; the last user prompt may fall in the middle (planners keep it); with three or more phases the last two stay
 * whole (H7); a summary opening the window is folded (G4). O(messages + parts).
 */
export function planRegions(
	messages: readonly Message[],
	messageTokens: readonly number[],
	options: RegionOptions,
): RegionPlan {
	const n = messages.length;
	const unsafe = unsafeCuts(messages);
	const foldedSummary = findFoldedSummary(messages);
	const lastUserPrompt = findLastUserPrompt(messages);
	const phases = findPhaseSplit(messages, options.isPhaseGraduated);
	const triggerTokens = triggerTokensFor(
		options.contextWindow,
		options.triggerRatio,
		options.triggerFloorTokens,
	);
	// R5 sizes the tail to the threshold; a compaction the person asked for sizes it to the session as well.
	const windowBudget = Math.floor(triggerTokens * options.tailRatio);
	const tailBudgetTokens =
		options.tailSizing === 'session'
			? Math.min(windowBudget, Math.floor(spanTokens(messageTokens, 0, n) * options.tailRatio))
			: windowBudget;

	// G4: after a fold the conversation's real head is inside the summary, so only the system messages before it stay.
	let headEnd =
		foldedSummary !== undefined
			? foldedSummary
			: alignCutForward(unsafe, Math.min(options.headMessages, n), n); // R4: the middle never opens on a tool result
	if (headEnd > n) headEnd = n;

	let cut: number;
	const minTail = Math.min(options.tailMinMessages, n - headEnd);
	if (options.keepRecentMessages !== undefined) {
		// G2/H5: a fixed count of recent messages.
		cut = Math.max(headEnd, n - options.keepRecentMessages);
	} else {
		// R5: walk back until the budget's soft ceiling, but always at least `minTail` messages.
		const softCeiling = Math.floor(tailBudgetTokens * options.tailSoftCeiling);
		let accumulated = 0;
		cut = n;
		for (let i = n - 1; i >= headEnd; i--) {
			const t = messageTokens[i] ?? 0;
			if (n - cut >= minTail && accumulated + t > softCeiling) break;
			accumulated += t;
			cut = i;
		}
		// R5: when the whole rest fits the budget, still leave a middle so a manual compaction has something to do.
		if (cut <= headEnd) cut = Math.max(headEnd, n - minTail);
	}
	// H7: the current and previous phase stay whole.
	if (phases.firstProtected !== undefined) cut = Math.min(cut, Math.max(headEnd, phases.firstProtected));
	cut = alignTailCut(
		unsafe,
		messageTokens,
		cut,
		headEnd,
		Math.floor(tailBudgetTokens * options.tailSoftCeiling),
	);
	return {
		head: makeSpan(messageTokens, 0, headEnd),
		middle: makeSpan(messageTokens, headEnd, cut),
		tail: makeSpan(messageTokens, cut, n),
		foldedSummary,
		lastUserPrompt,
		phases,
		tailBudgetTokens,
	};
}

/**
 * R5: moves the tail's cut off a tool-call group. Backward keeps the whole group in the tail; when that group would
 * take the tail past its soft ceiling and make it outweigh the middle (one call fanning out to large results at the
 * boundary of a short session), the cut moves forward instead, so the group is compacted with the middle and the
 * tail keeps the newest steps after it. Either way no pair is split.
 */
function alignTailCut(
	unsafe: Uint8Array,
	messageTokens: readonly number[],
	cut: number,
	headEnd: number,
	softCeiling: number,
): number {
	const n = messageTokens.length;
	const backward = alignCutBackward(unsafe, cut, headEnd);
	const tailTokens = spanTokens(messageTokens, backward, n);
	if (
		backward === cut ||
		tailTokens <= softCeiling ||
		tailTokens <= spanTokens(messageTokens, headEnd, backward)
	)
		return backward;
	const forward = alignCutForward(unsafe, cut, n);
	return forward < n ? forward : backward;
}
