import type { EncodingName } from '../tokens/encoding';
import type { Message, Part, TextBearingPart } from '../transcript/model';

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
	/**
	 * `countPart` of `part` (text, thinking, opaque or tool result) with `suffix` appended to its text; the caller
	 * may pass `sameCountAs`, a text it knows has as many tokens as `suffix`. Optional: a counter that can count the
	 * two apart (a text counted before costs a cache lookup) offers it.
	 */
	countPartWithSuffix?(part: TextBearingPart, suffix: string, sameCountAs?: string): number;
	/**
	 * `countPart` of `part`, whose text is `segments` joined. Optional: a counter that can count segments apart
	 * (segments counted before cost a cache lookup) offers it.
	 */
	countPartOfSegments?(part: TextBearingPart, segments: readonly string[]): number;
	/**
	 * Set by a counter whose figures are a function of a text's BPE token count in this encoding (scaled, plus
	 * per-kind framing), the part's kind and its images, and of nothing else. Planners may then reuse one figure
	 * for texts they know have equal token counts. Leave it out when that does not hold.
	 */
	readonly bpeEncoding?: EncodingName;
}
