import { readFileSync } from 'node:fs';
import { startsUserTurn } from '../../../src/core/tokens/calibration';
import { countTextTokens } from '../../../src/core/tokens/encoding';
import { imageTokens } from '../../../src/core/tokens/imageTokens';
import { messageOverheadTokens } from '../../../src/core/tokens/tokenCounter';
import { messagesInWindow, type Message } from '../../../src/core/transcript/model';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';

/**
 * What was added between two consecutive recorded Claude requests (distinct recorded inputs, window order):
 * the growth of the recorded input against our unscaled o200k count of the messages in between.
 */
export interface GrowthInterval {
	readonly file: string;
	/** Recorded input (input + cache_creation + cache_read) of the later request minus that of the earlier. */
	readonly recordedTokens: number;
	/** o200k count of the text, tool calls, tool results and thinking added, less the thinking a new turn dropped. */
	readonly textTokens: number;
	/** Tool results added (each carries framing the file does not store). */
	readonly toolResults: number;
	/** Messages added. */
	readonly messages: number;
	/** Images added, by Anthropic's formula (not scaled). */
	readonly imageTokens: number;
	/** o200k count of the thinking of earlier turns that a new user turn in the interval dropped (0: none). */
	readonly droppedThinkingTokens: number;
}

interface Cumulative {
	text: number;
	toolResults: number;
	messages: number;
	images: number;
	thinking: number;
	dropped: number;
}

/** The intervals of one Claude Code file, read the way the product reads it (live branch, window only). */
export function claudeGrowthIntervals(file: string): GrowthInterval[] {
	const read = parseTranscript(readFileSync(file), file);
	if (!read.ok) return [];
	const window = messagesInWindow(read.transcript);
	const requests: { input: number; at: Cumulative }[] = [];
	const sum: Cumulative = { text: 0, toolResults: 0, messages: 0, images: 0, thinking: 0, dropped: 0 };
	for (const message of window) {
		const input = message.usage?.inputTokens ?? 0;
		if (input > 0 && requests[requests.length - 1]?.input !== input) requests.push({ input, at: { ...sum } });
		if (startsUserTurn(message)) sum.dropped = sum.thinking;
		addMessage(sum, message);
	}
	const intervals: GrowthInterval[] = [];
	for (let k = 1; k < requests.length; k++) {
		const before = requests[k - 1]!;
		const after = requests[k]!;
		const dropped = after.at.dropped - before.at.dropped;
		intervals.push({
			file,
			recordedTokens: after.input - before.input,
			textTokens: after.at.text - before.at.text - dropped,
			toolResults: after.at.toolResults - before.at.toolResults,
			messages: after.at.messages - before.at.messages,
			imageTokens: after.at.images - before.at.images,
			droppedThinkingTokens: dropped,
		});
	}
	return intervals;
}

function addMessage(sum: Cumulative, message: Message): void {
	sum.messages++;
	for (const part of message.parts) {
		switch (part.kind) {
			case 'thinking': {
				const tokens = countTextTokens(part.text, 'o200k_base');
				sum.text += tokens;
				sum.thinking += tokens;
				break;
			}
			case 'toolCall':
				sum.text +=
					countTextTokens(part.name, 'o200k_base') + countTextTokens(part.argumentsText, 'o200k_base');
				break;
			case 'toolResult':
				sum.text += countTextTokens(part.text, 'o200k_base');
				sum.toolResults++;
				for (const image of part.images) sum.images += imageTokens(image, 'anthropic');
				break;
			case 'image':
				sum.images += imageTokens(part, 'anthropic');
				break;
			case 'text':
			case 'opaque':
				sum.text += countTextTokens(part.text, 'o200k_base');
				break;
		}
	}
}

/** Our prediction of an interval's recorded growth under a factor and a per-tool-result overhead. */
export function predictGrowth(interval: GrowthInterval, factor: number, toolResultOverhead: number): number {
	return (
		factor * interval.textTokens +
		toolResultOverhead * interval.toolResults +
		messageOverheadTokens * interval.messages +
		interval.imageTokens
	);
}

/** Residuals within this many tokens weigh fully in the fit; larger ones (unrecorded content) weigh less. */
export const huberDeltaTokens = 200;

/**
 * Robust (Huber) fit of recorded growth = factor x text + overhead x tool results + framing x messages +
 * images over the given intervals, by iteratively reweighted least squares on the two free parameters.
 */
export function fitClaudeCounting(intervals: readonly GrowthInterval[]): {
	factor: number;
	toolResultOverhead: number;
} {
	let factor = 1;
	let overhead = 0;
	for (let iteration = 0; iteration < 100; iteration++) {
		let sxx = 0;
		let sxt = 0;
		let stt = 0;
		let sxy = 0;
		let sty = 0;
		for (const interval of intervals) {
			const residual = interval.recordedTokens - predictGrowth(interval, factor, overhead);
			const weight = Math.min(1, huberDeltaTokens / Math.max(Math.abs(residual), 1e-9));
			const target =
				interval.recordedTokens - messageOverheadTokens * interval.messages - interval.imageTokens;
			const x = interval.textTokens;
			const t = interval.toolResults;
			sxx += weight * x * x;
			sxt += weight * x * t;
			stt += weight * t * t;
			sxy += weight * x * target;
			sty += weight * t * target;
		}
		const determinant = sxx * stt - sxt * sxt;
		if (determinant === 0) break;
		const nextFactor = (sxy * stt - sty * sxt) / determinant;
		const nextOverhead = (sty * sxx - sxy * sxt) / determinant;
		const settled = Math.abs(nextFactor - factor) < 1e-7 && Math.abs(nextOverhead - overhead) < 1e-4;
		factor = nextFactor;
		overhead = nextOverhead;
		if (settled) break;
	}
	return { factor, toolResultOverhead: overhead };
}
