import type { TokenCounting } from '../compaction/tokenCounting';
import type { EncodingName } from '../tokens/encoding';
import type { MessageTokens, TokenCounter } from '../tokens/tokenCounter';
import type { Message, Part, TextBearingPart } from '../transcript/model';

/**
 * A TokenCounter that remembers each message's count by identity. Readers hand back the same Message objects
 * for messages an append did not change, so re-counting a live transcript costs only the new messages.
 */
export class MessageTokenCache implements TokenCounting {
	private readonly counts = new WeakMap<Message, MessageTokens>();

	constructor(readonly counter: TokenCounter) {}

	/** The counter's encoding: a cache counts exactly as the counter it wraps. */
	get bpeEncoding(): EncodingName {
		return this.counter.bpeEncoding;
	}

	/** Tokens of a plain text (not cached here; the counter caches by content). */
	countText(text: string): number {
		return this.counter.countText(text);
	}

	/** Tokens of one part with its kind's framing (not cached here; the counter caches text by content). */
	countPart(part: Part): number {
		return this.counter.countPart(part);
	}

	/** Tokens of a part with `suffix` appended to its text, as the counter gives them. */
	countPartWithSuffix(part: TextBearingPart, suffix: string, sameCountAs?: string): number {
		return this.counter.countPartWithSuffix(part, suffix, sameCountAs);
	}

	/** Tokens of a part whose text is `segments` joined, as the counter gives them. */
	countPartOfSegments(part: TextBearingPart, segments: readonly string[]): number {
		return this.counter.countPartOfSegments(part, segments);
	}

	/** Tokens of a message, computed once per message object. */
	countMessage(message: Message): MessageTokens {
		let counted = this.counts.get(message);
		if (counted === undefined) {
			counted = this.counter.countMessage(message);
			this.counts.set(message, counted);
		}
		return counted;
	}
}
