import {
	countTokens as countCl100k,
	setMergeCacheSize as setCl100kMergeCacheSize,
} from 'gpt-tokenizer/encoding/cl100k_base';
import {
	countTokens as countO200k,
	setMergeCacheSize as setO200kMergeCacheSize,
} from 'gpt-tokenizer/encoding/o200k_base';

/** A BPE vocabulary we count exactly: o200k_base (gpt-4o and later) or cl100k_base (gpt-4, gpt-3.5). */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Longest run of same-class characters (UTF-16 units) handed to the BPE in one piece; longer runs are cut. */
export const maxUnbrokenRunChars = 512;

// gpt-tokenizer's LRU evicts with Map.keys().next(), which skips every entry deleted since the last rehash: at
// its default of 100k entries 5 MB of random base64 took 14 s here and real transcripts ran at half speed. A
// small cache keeps the hits that matter (repeated words and identifiers) at a bounded eviction cost.
const mergeCacheEntries = 1024;
setO200kMergeCacheSize(mergeCacheEntries);
setCl100kMergeCacheSize(mergeCacheEntries);

// An empty disallowed set and no allowed set: '<|endoftext|>' and friends are counted as the plain text they
// are in a transcript, and the library never throws on them.
const plainText = { disallowedSpecial: new Set<string>() };

const counters: Record<EncodingName, (text: string) => number> = {
	o200k_base: (text) => countO200k(text, plainText),
	cl100k_base: (text) => countCl100k(text, plainText),
};

/**
 * Exact BPE token count of `text` (tokens), identical to tiktoken except inside runs longer than
 * {@link maxUnbrokenRunChars} of one character class, which are counted in 512-unit pieces.
 *
 * Why the cut: every BPE port merges a pre-tokenised piece in time quadratic in its length, and one piece
 * can be megabytes long (a line of '=', a blank padding run, CJK text without punctuation). Where it is
 * different: only the regex piece that straddles a cut is tokenised as two pieces, so the count differs from
 * tiktoken's by at most two tokens per cut (mostly 0 or +1, sometimes -1); text without such a run is exact.
 * Cost is linear, about 10 MB/s on transcript text but under 1 MB/s on high-entropy text such as random
 * base64, where nearly every 2-3 characters is a token.
 */
export function countTextTokens(text: string, encoding: EncodingName): number {
	if (text.length === 0) return 0;
	const count = counters[encoding];
	if (text.length <= maxUnbrokenRunChars) return count(text);
	let total = 0;
	let segmentStart = 0;
	// Cut runs are mostly periodic (padding, '====', blank base64), so neighbouring pieces are often identical.
	let previousSegment = '';
	let previousCount = 0;
	forEachRunCut(text, (cut) => {
		const segment = text.slice(segmentStart, cut);
		if (segment !== previousSegment) {
			previousSegment = segment;
			previousCount = count(segment);
		}
		total += previousCount;
		segmentStart = cut;
	});
	return segmentStart === 0 ? count(text) : total + count(text.slice(segmentStart));
}

/** Fallback estimate (tokens) when no tokenizer applies: ceil(characters / 4), H3. */
export function estimateTokensByChars(text: string): number {
	return Math.ceil(text.length / 4);
}

/** Offsets (UTF-16 units, ascending, on code point boundaries) where {@link countTextTokens} cuts `text`. */
export function unbrokenRunCuts(text: string): number[] {
	const cuts: number[] = [];
	forEachRunCut(text, (cut) => cuts.push(cut));
	return cuts;
}

// Character classes that mirror how both split regexes group characters: letters and marks join into one
// piece, whitespace joins, punctuation and symbols join; a digit always ends a piece (digits go 1 to 3 at a
// time), so it never contributes to a run.
const digitClass = 0;
const letterClass = 1;
const spaceClass = 2;
const symbolClass = 3;
const unknownClass = 255;

const bmpClasses = new Uint8Array(0x10000).fill(unknownClass);
const astralClasses = new Map<number, number>();
const spacePattern = /\s/u;
const letterPattern = /[\p{L}\p{M}]/u;
const digitPattern = /\p{N}/u;

function classifyCodePoint(codePoint: number): number {
	const char = String.fromCodePoint(codePoint);
	if (spacePattern.test(char)) return spaceClass;
	if (letterPattern.test(char)) return letterClass;
	if (digitPattern.test(char)) return digitClass;
	return symbolClass;
}

for (let code = 0; code < 0x80; code++) bmpClasses[code] = classifyCodePoint(code);

function classOfUnit(code: number): number {
	let cls = bmpClasses[code] ?? unknownClass;
	if (cls === unknownClass) {
		// Lone surrogates reach the BPE as U+FFFD, a symbol.
		cls = code >= 0xd800 && code <= 0xdfff ? symbolClass : classifyCodePoint(code);
		bmpClasses[code] = cls;
	}
	return cls;
}

function classOfAstral(codePoint: number): number {
	let cls = astralClasses.get(codePoint);
	if (cls === undefined) {
		cls = classifyCodePoint(codePoint);
		astralClasses.set(codePoint, cls);
	}
	return cls;
}

function forEachRunCut(text: string, onCut: (offset: number) => void): void {
	let runClass = digitClass;
	let runStart = 0;
	let index = 0;
	const length = text.length;
	while (index < length) {
		const code = text.charCodeAt(index);
		let width = 1;
		let cls: number;
		if (code < 0x80) cls = bmpClasses[code] ?? symbolClass;
		else if (code >= 0xd800 && code <= 0xdbff && index + 1 < length) {
			const low = text.charCodeAt(index + 1);
			if (low >= 0xdc00 && low <= 0xdfff) {
				width = 2;
				cls = classOfAstral(((code - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
			} else cls = symbolClass;
		} else cls = classOfUnit(code);
		if (cls !== runClass || cls === digitClass) {
			runClass = cls;
			runStart = index;
		} else if (index - runStart >= maxUnbrokenRunChars) {
			onCut(index);
			runStart = index;
		}
		index += width;
	}
}
