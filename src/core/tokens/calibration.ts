import type { Message, RecordedUsage } from '../transcript/model';

/** One message of the window, in order: our token count for it and the usage recorded on it, if any. */
export interface CalibrationInput {
	/** Our count of the message (normally TokenCounter's total, already scaled by the profile's factor). */
	readonly ourTokens: number;
	/**
	 * The part of `ourTokens` that is reasoning (thinking). Providers read it again only within the turn
	 * that produced it: once a later message starts a new user turn, requests no longer include it.
	 */
	readonly thinkingTokens?: number;
	/** This message starts a user turn (see `startsUserTurn`): reasoning before it is not sent any more. */
	readonly startsTurn?: boolean;
	/** Usage of the request that produced this message (assistant messages of formats that record it). */
	readonly usage?: RecordedUsage;
}

/**
 * True for a user message that is more than answers to tool calls: it starts a new turn, and the provider
 * stops re-reading the reasoning of earlier turns (Anthropic strips earlier thinking blocks; Gemini never
 * reads thoughts back). Within a tool loop the current turn's reasoning is read again with each result.
 */
export function startsUserTurn(message: Message): boolean {
	return message.role === 'user' && message.parts.some((part) => part.kind !== 'toolResult');
}

/** What a file's recorded usage says about our counts; all token figures in provider tokens. */
export interface UsageCalibration {
	/**
	 * Tokens the provider counted before the first recorded response that the file does not store (system
	 * prompt, tool schemas): its recorded input minus our count of the messages before it, floored at 0.
	 */
	readonly hiddenPrefixTokens: number;
	/** Recorded growth divided by our count of the same messages, pooled over `samples` intervals; 1 if none. */
	readonly factor: number;
	/** +- percent around `factor`: half the spread of the per-interval ratios (10th to 90th percentile). */
	readonly errorPct: number;
	/** Intervals between consecutive recorded requests that went into `factor` (0: only the prefix is known). */
	readonly samples: number;
	/** Index of the newest message with usage, and the context it recorded (input plus output). */
	readonly latestIndex: number;
	readonly latestContextTokens: number;
	/**
	 * Our count of what that newest recorded request read: the hidden prefix plus the messages before it,
	 * less the reasoning of turns that ended before it. Compare with its recorded input.
	 */
	readonly ourTokensAtLatest: number;
}

/** Intervals smaller than this (our tokens) are left out of the factor: framing noise would dominate them. */
export const minCalibrationIntervalTokens = 50;

/**
 * Compares recorded usage with our counts (messages in window order). What a request at message i reads,
 * in our count, is every message before i less the reasoning of turns that ended before i. Each interval
 * runs from one recorded request to the next: the recorded input grew by what was added in between (and
 * shrank by reasoning a new turn dropped), our count by the same. Repeated usage of one request (split
 * records) is skipped; an interval whose recorded input shrank (compaction, rewind, dropped reasoning)
 * gives no ratio, and the next interval starts from it. Returns undefined when no message records usage.
 */
export function calibrateFromUsage(inputs: readonly CalibrationInput[]): UsageCalibration | undefined {
	const recorded = inputs.flatMap((input, index) => (input.usage ? [{ index, usage: input.usage }] : []));
	const first = recorded[0];
	const latest = recorded[recorded.length - 1];
	if (!first || !latest) return undefined;

	const prefix = sentBefore(inputs);
	const hiddenPrefixTokens = Math.max(0, first.usage.inputTokens - (prefix[first.index] ?? 0));

	const ratios: number[] = [];
	let recordedGrowth = 0;
	let ourGrowth = 0;
	let anchor = first;
	for (const next of recorded.slice(1)) {
		const grown = next.usage.inputTokens - anchor.usage.inputTokens;
		if (grown === 0) continue;
		if (grown > 0) {
			const ours = (prefix[next.index] ?? 0) - (prefix[anchor.index] ?? 0);
			if (ours >= minCalibrationIntervalTokens) {
				ratios.push(grown / ours);
				recordedGrowth += grown;
				ourGrowth += ours;
			}
		}
		anchor = next;
	}

	const factor = ourGrowth > 0 ? recordedGrowth / ourGrowth : 1;
	return {
		hiddenPrefixTokens,
		factor,
		errorPct: spreadPct(ratios, factor),
		samples: ratios.length,
		latestIndex: latest.index,
		latestContextTokens: latest.usage.contextTokens,
		ourTokensAtLatest: hiddenPrefixTokens + (prefix[latest.index] ?? 0),
	};
}

/**
 * Best estimate of the current context (provider tokens): the newest recorded context plus the calibrated
 * count of what came after it (`ourTokensSinceLatest`: our count of the messages after `latestIndex`).
 */
export function projectContextTokens(calibration: UsageCalibration, ourTokensSinceLatest: number): number {
	return calibration.latestContextTokens + Math.round(ourTokensSinceLatest * calibration.factor);
}

// Entry i: our count of what a request made at message i reads (messages before i, less the reasoning of
// turns that ended before i); entry inputs.length: the same for the next request.
function sentBefore(inputs: readonly CalibrationInput[]): number[] {
	const sums = [0];
	let total = 0;
	let thinking = 0;
	let droppedThinking = 0;
	for (const input of inputs) {
		if (input.startsTurn === true) droppedThinking = thinking;
		total += input.ourTokens;
		thinking += input.thinkingTokens ?? 0;
		sums.push(total - droppedThinking);
	}
	return sums;
}

function spreadPct(ratios: readonly number[], factor: number): number {
	if (ratios.length < 2 || factor <= 0) return 0;
	const sorted = [...ratios].sort((a, b) => a - b);
	const low = nearestRank(sorted, 0.1);
	const high = nearestRank(sorted, 0.9);
	return Math.round(((high - low) / 2 / factor) * 100);
}

function nearestRank(sorted: readonly number[], quantile: number): number {
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
	return sorted[index] ?? 0;
}
