import type { EncodingName } from '../tokens/encoding';
import type { TextPart } from '../transcript/model';
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

/**
 * Token figures of new text parts whose text is `head + number + tail` (a spill entry's reference), remembered by
 * `head` and the number's count of digits, so references that differ only in the number are counted once. Exact
 * only for a counter that {@link countsNumbersByLength}, with the number set off by ASCII non-digits on both sides
 * (its digits then form their own pieces of one token each); anything else is counted every time.
 */
export class NumberedTextCounts {
	private readonly byHead = new Map<string, number[]>();
	private readonly isEnabled: boolean;

	constructor(
		private readonly context: PlanContext,
		private readonly tail: string,
	) {
		this.isEnabled = countsNumbersByLength(context.counter) && isAsciiNonDigit(tail.charCodeAt(0));
	}

	/** The text part `head + number + tail`, and its figure by `newPartTokens`. */
	part(head: string, number: number): NumberedFigure {
		const digits = String(number);
		const part: TextPart = { kind: 'text', text: `${head}${digits}${this.tail}` };
		if (
			!this.isEnabled ||
			!Number.isSafeInteger(number) ||
			number < 0 ||
			!isAsciiNonDigit(head.charCodeAt(head.length - 1))
		)
			return { part, tokens: this.context.newPartTokens(part) };
		let byDigits = this.byHead.get(head);
		if (byDigits === undefined) {
			byDigits = [];
			this.byHead.set(head, byDigits);
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
export interface NumberedFigure {
	readonly part: TextPart;
	readonly tokens: number;
}
