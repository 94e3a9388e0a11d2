import type { Message, Part } from '../transcript/model';

/** What the compaction engine needs from a token counter; `TokenCounter` (src/core/tokens) satisfies it structurally. */
export interface TokenCounting {
	/** Tokens of a bare text, in the transcript model's encoding. */
	countText(text: string): number;
	/** Tokens a message takes in the window, including its per-message overhead. */
	countMessage(message: Message): { readonly total: number };
	/**
	 * Tokens one part takes, framing that comes with a part of its kind included (a tool result's overhead for
	 * calibrated models). Optional: without it a new part is counted as its bare text.
	 */
	countPart?(part: Part): number;
}
