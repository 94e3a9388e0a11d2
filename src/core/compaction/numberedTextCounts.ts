import type { EncodingName } from '../tokens/encoding';
import type { TextPart, ToolResultPart } from '../transcript/model';
import type { PlanContext } from './planContext';
import type { TokenCounting } from './tokenCounting';

/**
 * Encodings in which every string of one to three ASCII digits is a single token (a test checks all 1,110 of
 * them). Both split patterns cut a run of digits into pieces of at most three, and treat every digit alike
 * everywhere else, so in these encodings the tokens of a number that no other digit touches depend only on how
 * many digits it has.
 */
const digitTokenEncodings: ReadonlySet<EncodingName> = new Set<EncodingName>(['o200k_base', 'cl100k_base']);

/**
 * True when `counter` declares (TokenCounting.bpeEncoding) that its figures follow a text's BPE token count in an
 * encoding of {@link digitTokenEncodings}: TokenCounter does, and a MessageTokenCache passes its counter's on.
 * Other counters are not assumed to count numbers of equal length alike.
 */
export function countsNumbersByLength(counter: TokenCounting): boolean {
	return counter.bpeEncoding !== undefined && digitTokenEncodings.has(counter.bpeEncoding);
}

/** True when the UTF-16 unit is ASCII and not a digit: no digit of any script can join a number next to it. */
function isAsciiNonDigit(code: number): boolean {
	return code < 0x80 && (code < 0x30 || code > 0x39);
}

/** A new part whose text ends in a spill entry's number and a fixed tail. */
export type NumberedPart = TextPart | ToolResultPart;

/**
 * Token figures of new parts whose text is `head + number + tail` (a spill entry's placeholder), remembered by
 * kind, `head` and the number's count of digits, so parts that differ only in the number (and in fields a
 * TokenCounter does not count: a result's call id and error flag) are counted once. Exact only for a counter that
 * {@link countsNumbersByLength}, with the number set off by ASCII non-digits on both sides (its digits then form
 * their own pieces of one token each) and a result without images; anything else is counted every time.
 */
export class NumberedTextCounts {
	private readonly byHead: Record<NumberedPart['kind'], Map<string, number[]>> = {
		text: new Map(),
		toolResult: new Map(),
	};
	private readonly isEnabled: boolean;

	constructor(
		private readonly context: PlanContext,
		private readonly tail: string,
	) {
		this.isEnabled = countsNumbersByLength(context.counter) && isAsciiNonDigit(tail.charCodeAt(0));
	}

	/** `like` with the text `head + number + tail`, and that part's figure by `newPartTokens`. */
	part<P extends NumberedPart>(head: string, number: number, like: P): NumberedFigure<P> {
		const digits = String(number);
		const part: P = { ...like, text: `${head}${digits}${this.tail}` };
		if (
			!this.isEnabled ||
			!Number.isSafeInteger(number) ||
			number < 0 ||
			!isAsciiNonDigit(head.charCodeAt(head.length - 1)) ||
			(part.kind === 'toolResult' && part.images.length > 0)
		)
			return { part, tokens: this.context.newPartTokens(part) };
		const heads = this.byHead[part.kind];
		let byDigits = heads.get(head);
		if (byDigits === undefined) {
			byDigits = [];
			heads.set(head, byDigits);
		}
		let tokens = byDigits[digits.length];
		if (tokens === undefined) {
			tokens = this.context.newPartTokens(part);
			byDigits[digits.length] = tokens;
		}
		return { part, tokens };
	}
}

/** A part built by {@link NumberedTextCounts.part} and its tokens. */
export interface NumberedFigure<P extends NumberedPart> {
	readonly part: P;
	readonly tokens: number;
}
