import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { analyzeBudget } from '../src/core/budget/analyzeBudget';
import { MessageTokenCache } from '../src/core/budget/messageTokenCache';
import { estimateTokensByChars, forgetPieceCounts } from '../src/core/tokens/encoding';
import { imageTokens } from '../src/core/tokens/imageTokens';
import { resolveModel } from '../src/core/tokens/modelRegistry';
import { TokenCounter, messageOverheadTokens } from '../src/core/tokens/tokenCounter';
import { messagesInWindow, type Message, type Part, type Transcript } from '../src/core/transcript/model';

/** A way of counting a parsed transcript: ours (exact, full report or count only) or a peer's. */
export type PipelineName = 'budget' | 'exact' | 'tiktoken' | 'chars4';

/** Every pipeline, in table order. */
export const pipelineNames: readonly PipelineName[] = ['budget', 'exact', 'tiktoken', 'chars4'];

/** One line per pipeline saying what it runs after the (shared) parse. */
export const pipelineDescriptions: Readonly<Record<PipelineName, string>> = {
	budget: 'ours: analyzeBudget (exact count + calibration + regions + plan), fresh cache',
	exact: 'ours: TokenCounter.countMessage over the window, fresh cache',
	tiktoken: 'peer: js-tiktoken o200k_base encode().length of every part',
	chars4: 'peer: ceil(chars / 4) of every part',
};

/** Counts the text of a part with `countText`, images by the provider rule; tokens >= 0. */
function partTokens(part: Part, countText: (text: string) => number): number {
	switch (part.kind) {
		case 'text':
		case 'thinking':
		case 'opaque':
			return countText(part.text);
		case 'toolCall':
			return countText(part.name) + countText(part.argumentsText);
		case 'toolResult': {
			let images = 0;
			for (const image of part.images) images += imageTokens(image, 'anthropic');
			return countText(part.text) + images;
		}
		case 'image':
			return imageTokens(part, 'anthropic');
	}
}

/** Tokens of the window's messages when every part is counted with `countText`, plus the per-message overhead. */
export function countWindowWith(messages: readonly Message[], countText: (text: string) => number): number {
	let total = 0;
	for (const message of messages) {
		total += messageOverheadTokens;
		for (const part of message.parts) total += partTokens(part, countText);
	}
	return total;
}

let tiktoken: Tiktoken | undefined;

/** The js-tiktoken o200k encoder, built once per process (its rank table takes a while to load). */
export function tiktokenEncoder(): Tiktoken {
	tiktoken ??= new Tiktoken(o200k);
	return tiktoken;
}

/** Tokens of a text by js-tiktoken o200k, with special tokens counted as plain text like our counter does. */
export function countWithTiktoken(text: string): number {
	return text.length === 0 ? 0 : tiktokenEncoder().encode(text, [], []).length;
}

/**
 * Total tokens of a transcript's window by one pipeline; every call starts from empty caches (a cold count),
 * including the tokenizer's remembered piece counts.
 */
export function runPipeline(name: PipelineName, transcript: Transcript, file: string): number {
	forgetPieceCounts();
	switch (name) {
		case 'budget':
			return analyzeBudget(transcript, { file }).tokens.total;
		case 'exact': {
			const cache = new MessageTokenCache(new TokenCounter(resolveModel(transcript.meta.model)));
			let total = 0;
			for (const message of messagesInWindow(transcript)) total += cache.countMessage(message).total;
			return total;
		}
		case 'tiktoken':
			return countWindowWith(messagesInWindow(transcript), countWithTiktoken);
		case 'chars4':
			return countWindowWith(messagesInWindow(transcript), estimateTokensByChars);
	}
}
