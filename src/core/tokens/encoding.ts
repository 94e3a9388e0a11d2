import * as o200kModule from 'gpt-tokenizer/encoding/o200k_base';
import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { AsciiVocabulary } from './asciiVocabulary';

/** A BPE vocabulary we count exactly: o200k_base (gpt-4o and later) or cl100k_base (gpt-4, gpt-3.5). */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Longest run of same-class characters (UTF-16 units) handed to the BPE in one piece; longer runs are cut. */
export const maxUnbrokenRunChars = 512;

// gpt-tokenizer's LRU evicts with Map.keys().next(), which skips every entry deleted since the last rehash: at
// its default of 100k entries 5 MB of random base64 took 14 s here and real transcripts ran at half speed. A
// small cache keeps the hits that matter (repeated words and identifiers) at a bounded eviction cost.
const mergeCacheEntries = 1024;

// An empty disallowed set and no allowed set: '<|endoftext|>' and friends are counted as the plain text they
// are in a transcript, and the library never throws on them.
const plainText = { disallowedSpecial: new Set<string>() };

// Declared here rather than taken from Node's types: the webview's type check reaches this module without them.
declare const require: (id: string) => unknown;

/** What this module uses of one of gpt-tokenizer's encoding modules (the two have the same exports). */
type EncodingModule = Pick<typeof o200kModule, 'default' | 'countTokens' | 'setMergeCacheSize'>;

/**
 * An encoding's module of gpt-tokenizer. o200k_base (every current model, and the stand-in for Claude and Gemini)
 * is imported with this module; cl100k_base, which only GPT-4 and GPT-3.5 models use, is loaded the first time it
 * counts, which spares every other process its load (about half a second at startup here) and its rank tables.
 */
function loadEncoding(name: EncodingName): EncodingModule {
	if (name === 'o200k_base') return o200kModule;
	// A require() call, not an import: the bundler keeps the module out of startup and runs it on this first call.
	return require('gpt-tokenizer/encoding/cl100k_base') as EncodingModule;
}

/** The part of gpt-tokenizer's (private) BPE core that counts one pre-tokenised piece. */
interface BpeCore {
	readonly bytePairStringRankEncoder: Map<string, number>;
	/** Rank to bytes of the tokens the library keeps as bytes, not text. */
	readonly bytePairNonUtfRankDecoder: Map<number, Uint8Array>;
	bytePairEncode(piece: string): readonly number[];
}

/** The byte order mark, U+FEFF. */
const byteOrderMark = '\ufeff';

const utf8 = new TextEncoder();

/** One byte per character, so a byte sequence can key a Map. */
function byteKey(bytes: Uint8Array, from = 0, to = bytes.length): string {
	let key = '';
	for (let i = from; i < to; i++) key += String.fromCharCode(bytes[i] ?? 0);
	return key;
}

/**
 * Byte pair merging of a piece over its UTF-8 bytes, with every token of the vocabulary: the text tokens of the
 * library's string map and the ones it keeps as bytes. gpt-tokenizer decodes its vocabulary with a TextDecoder
 * that drops a leading byte order mark, so the tokens that start with U+FEFF ("\ufeff", "\ufeffusing",
 * "\ufeffnamespace", ...) are absent from its string map and a piece holding one is counted a token or two
 * high. Pieces with a U+FEFF, rare (the first line of a C# file), are merged here instead; `byteRanks` holds the
 * tokens kept as bytes (about 1,500), keyed by {@link byteKey}.
 */
function countPieceByBytes(
	piece: string,
	textRanks: ReadonlyMap<string, number>,
	byteRanks: ReadonlyMap<string, number>,
): number {
	const bytes = utf8.encode(piece);
	const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
	const rankOf = (from: number, to: number): number => {
		const asBytes = byteRanks.get(byteKey(bytes, from, to));
		if (asBytes !== undefined) return asBytes;
		try {
			return textRanks.get(decoder.decode(bytes.subarray(from, to))) ?? -1;
		} catch {
			return -1;
		}
	};
	if (rankOf(0, bytes.length) >= 0) return 1;
	const starts = Array.from({ length: bytes.length + 1 }, (_, i) => i);
	for (;;) {
		let lowest = -1;
		let at = -1;
		for (let i = 0; i + 2 < starts.length; i++) {
			const rank = rankOf(starts[i] ?? 0, starts[i + 2] ?? 0);
			if (rank >= 0 && (lowest < 0 || rank < lowest)) {
				lowest = rank;
				at = i;
			}
		}
		if (at < 0) return starts.length - 1;
		starts.splice(at + 1, 1);
	}
}

/** How one pre-tokenised piece is counted. */
interface PieceCounting {
	/** Tokens of one piece. */
	count(piece: string): number;
	/** The vocabulary's ASCII tokens, built on first use; absent without the BPE core or when they do not fit. */
	readonly asciiVocabulary?: () => AsciiVocabulary | undefined;
}

/**
 * A piece counter that goes straight to gpt-tokenizer's ranks and merge, skipping the per-call setup of its
 * public API (special-token options, a regex iterator that re-splits the one piece). ASCII pieces, nearly all
 * of a transcript, are looked up and merged in an {@link AsciiVocabulary} built from the library's ranks the
 * first time it is needed, so no merge step cuts or hashes a string; other pieces go to the library's own
 * merge. Same algorithm, same ranks, so the same count as `countTokens(piece)` (the property and corpus tests
 * compare with js-tiktoken). The core is private to the library: when a version no longer has it, the public
 * `countTokens` is used instead, and `usesBpeCore` (checked by a test) says so.
 */
function corePieceCounter(api: unknown, fallback: (piece: string) => number): PieceCounting {
	const core = (api as { bytePairEncodingCoreProcessor?: Partial<BpeCore> } | undefined)
		?.bytePairEncodingCoreProcessor;
	const ranks = core?.bytePairStringRankEncoder;
	if (core === undefined || !(ranks instanceof Map) || typeof core.bytePairEncode !== 'function')
		return { count: fallback };
	const encode = core.bytePairEncode.bind(core);
	const byteTokens = core.bytePairNonUtfRankDecoder;
	const byteRanks = new Map<string, number>();
	if (byteTokens instanceof Map) for (const [rank, bytes] of byteTokens) byteRanks.set(byteKey(bytes), rank);
	let ascii: AsciiVocabulary | null | undefined;
	// A vocabulary the table cannot hold (tokens over 255 bytes) is counted through the library's merge instead.
	const vocabulary = (): AsciiVocabulary | undefined => {
		if (ascii === undefined) {
			try {
				ascii = AsciiVocabulary.fromRanks(ranks);
			} catch {
				ascii = null;
			}
		}
		return ascii ?? undefined;
	};
	return {
		count: (piece) => {
			const table = isAscii(piece) ? vocabulary() : undefined;
			if (table !== undefined) return table.count(piece);
			if (piece.includes(byteOrderMark)) return countPieceByBytes(piece, ranks, byteRanks);
			return ranks.has(piece) ? 1 : encode(piece).length;
		},
		asciiVocabulary: vocabulary,
	};
}

function isAscii(text: string): boolean {
	for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
	return true;
}

/** The piece counting of an encoding, over its module (loaded by {@link loadEncoding}). */
function piecesOf(name: EncodingName): PieceCounting {
	const encoding = loadEncoding(name);
	encoding.setMergeCacheSize(mergeCacheEntries);
	return corePieceCounter(encoding.default, (text) => encoding.countTokens(text, plainText));
}

/** Whether pieces are counted through gpt-tokenizer's BPE core (fast) rather than its public API (loads both encodings). */
export function usesBpeCore(): boolean {
	return (['o200k_base', 'cl100k_base'] as const).every((name) => pieceCounterOf(name).usesVocabulary);
}

/**
 * Counts text by pre-tokenising it ourselves. Same pieces, same counts as the library (the split regex is the
 * library's own), without its per-call iterator. For o200k_base an ASCII scanner finds the piece boundaries
 * without running the regex, and the {@link AsciiVocabulary} counts each ASCII piece in place (a token, or a
 * remembered or newly merged count). Any piece that would look at a non-ASCII character, and every cl100k_base
 * piece, is found by the regex, cut out and counted through a small map of remembered counts.
 */
class PieceCounter {
	private counts = new Map<string, number>();
	private vocabulary: AsciiVocabulary | undefined;
	private readonly sticky: RegExp;

	constructor(
		split: RegExp,
		private readonly pieces: PieceCounting,
		private readonly scanAscii: ((text: string, start: number) => number) | undefined,
	) {
		this.sticky = new RegExp(split.source, 'uy');
	}

	/** Whether pieces go through gpt-tokenizer's BPE core (see {@link usesBpeCore}). */
	get usesVocabulary(): boolean {
		return this.pieces.asciiVocabulary !== undefined;
	}

	count(text: string): number {
		const length = text.length;
		const sticky = this.sticky;
		const scan = this.scanAscii;
		const vocabulary = scan === undefined ? undefined : (this.vocabulary ??= this.pieces.asciiVocabulary?.());
		let total = 0;
		let start = 0;
		while (start < length) {
			let end = scan === undefined ? -1 : scan(text, start);
			// ASCII pieces, most of them tokens of their own, are counted by the vocabulary without a cut-out string.
			if (end > start && vocabulary !== undefined) {
				total += vocabulary.countRange(text, start, end);
				start = end;
				continue;
			}
			if (end < 0) {
				sticky.lastIndex = start;
				// The split pattern matches at every position (letters, digits, whitespace and everything else
				// each have an alternative), so the sticky test never fails on a non-empty rest.
				end = sticky.test(text) ? sticky.lastIndex : length;
			}
			total += this.countOf(text.slice(start, end));
			start = end;
		}
		return total;
	}

	forget(): void {
		this.counts = new Map();
		this.vocabulary?.forget();
	}

	private countOf(piece: string): number {
		let count = this.counts.get(piece);
		if (count === undefined) {
			count = this.pieces.count(piece);
			if (this.counts.size >= maxRememberedPieces) this.counts = new Map();
			this.counts.set(piece.length < slicedStringChars ? piece : ownCopy(piece), count);
		}
		return count;
	}
}

/** From this length V8 makes `slice` a view that keeps the whole source text alive. */
const slicedStringChars = 13;

/**
 * A copy of `text` that holds on to nothing else: a remembered piece must not keep the transcript it was cut
 * from in memory. The concatenation is flattened into a new string before the slice is taken from it.
 */
function ownCopy(text: string): string {
	return ` ${text}`.slice(1);
}

/** Pieces remembered per encoding before the map starts afresh (a few MB at most). */
const maxRememberedPieces = 1 << 16;

// ASCII character classes as the o200k split pattern sees them.
const upperAscii = 1;
const lowerAscii = 2;
const digitAscii = 3;
const newlineAscii = 4;
const spaceAscii = 5;
const otherAscii = 6;
const asciiClasses = new Uint8Array(0x80).fill(otherAscii);
for (let code = 0x41; code <= 0x5a; code++) asciiClasses[code] = upperAscii;
for (let code = 0x61; code <= 0x7a; code++) asciiClasses[code] = lowerAscii;
for (let code = 0x30; code <= 0x39; code++) asciiClasses[code] = digitAscii;
for (const code of [0x09, 0x0b, 0x0c, 0x20]) asciiClasses[code] = spaceAscii;
asciiClasses[0x0a] = newlineAscii;
asciiClasses[0x0d] = newlineAscii;

/** Class of the unit at `index` (0 past the end), or -1 for a non-ASCII unit. */
function asciiClassAt(text: string, index: number): number {
	// charCodeAt is NaN past the end, which fails both comparisons.
	const code = text.charCodeAt(index);
	return code < 0x80 ? (asciiClasses[code] ?? otherAscii) : code >= 0x80 ? -1 : 0;
}

/**
 * End of the o200k piece that starts at `start`, found without the regex, or -1 when deciding it would need a
 * non-ASCII character. Mirrors the pattern's alternatives in order: an optional non-letter, non-digit,
 * non-newline prefix before letters (upper* lower+ or upper+ lower*, then an English contraction); one to
 * three digits; an optional space before a run of symbols and the newlines or slashes after it; whitespace up
 * to its last newline; whitespace not followed by a non-space; a single whitespace character.
 */
function scanO200kAscii(text: string, start: number): number {
	const first = asciiClassAt(text, start);
	if (first < 0) return -1;
	if (first === digitAscii) {
		let end = start + 1;
		while (end < start + 3) {
			const next = asciiClassAt(text, end);
			if (next < 0) return -1;
			if (next !== digitAscii) break;
			end++;
		}
		return end;
	}
	let letters = -1;
	if (first === upperAscii || first === lowerAscii) letters = start;
	else if (first !== newlineAscii) {
		const second = asciiClassAt(text, start + 1);
		if (second < 0) return -1;
		if (second === upperAscii || second === lowerAscii) letters = start + 1;
		else if (first === otherAscii || (second === otherAscii && text.charCodeAt(start) === 0x20)) {
			return symbolRunEnd(text, first === otherAscii ? start : start + 1);
		}
	}
	return letters >= 0 ? letterRunEnd(text, letters) : whitespaceEnd(text, start);
}

function letterRunEnd(text: string, start: number): number {
	let end = start;
	let cls = asciiClassAt(text, end);
	while (cls === upperAscii) cls = asciiClassAt(text, ++end);
	while (cls === lowerAscii) cls = asciiClassAt(text, ++end);
	// A non-ASCII letter or mark could continue the piece.
	if (cls < 0) return -1;
	return text.charCodeAt(end) === 0x27 ? end + contractionLength(text, end + 1) : end;
}

/** Length of "'s", "'d", "'m", "'t", "'ll", "'ve" or "'re" (any case) whose letters start at `index`, or 0. */
function contractionLength(text: string, index: number): number {
	const a = text.charCodeAt(index) | 0x20;
	if (a === 0x73 || a === 0x64 || a === 0x6d || a === 0x74) return 2;
	const b = text.charCodeAt(index + 1) | 0x20;
	if ((a === 0x6c && b === 0x6c) || (a === 0x76 && b === 0x65) || (a === 0x72 && b === 0x65)) return 3;
	return 0;
}

function symbolRunEnd(text: string, start: number): number {
	let end = start;
	let cls = asciiClassAt(text, end);
	while (cls === otherAscii) cls = asciiClassAt(text, ++end);
	if (cls < 0) return -1;
	for (;;) {
		const code = text.charCodeAt(end);
		if (code !== 0x0a && code !== 0x0d && code !== 0x2f) return end;
		end++;
	}
}

function whitespaceEnd(text: string, start: number): number {
	let end = start;
	let lastNewline = -1;
	let cls = asciiClassAt(text, end);
	while (cls === spaceAscii || cls === newlineAscii) {
		if (cls === newlineAscii) lastNewline = end;
		cls = asciiClassAt(text, ++end);
	}
	// U+00A0 and other non-ASCII spaces would extend the run.
	if (cls < 0) return -1;
	if (lastNewline >= 0) return lastNewline + 1;
	if (end === text.length) return end;
	return end - start >= 2 ? end - 1 : start + 1;
}

const counters: Partial<Record<EncodingName, PieceCounter>> = {};

/** The piece counter of an encoding, made (and its module loaded) the first time it is asked for. */
function pieceCounterOf(encoding: EncodingName): PieceCounter {
	let counter = counters[encoding];
	if (counter === undefined) {
		counter =
			encoding === 'o200k_base'
				? new PieceCounter(O200K_TOKEN_SPLIT_REGEX, piecesOf(encoding), scanO200kAscii)
				: new PieceCounter(CL100K_TOKEN_SPLIT_REGEX, piecesOf(encoding), undefined);
		counters[encoding] = counter;
	}
	return counter;
}

/** Forgets every remembered piece count of both encodings, so the next count starts cold (benchmarks use it). */
export function forgetPieceCounts(): void {
	for (const counter of Object.values(counters)) counter?.forget();
}

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
	const counter = pieceCounterOf(encoding);
	const count = (piece: string): number => counter.count(piece);
	if (text.length <= maxUnbrokenRunChars || !mayHaveLongRun(text)) return count(text);
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

/**
 * True when, in both encodings, `countTextTokens(text + suffix)` is `countTextTokens(text) + countTextTokens(suffix)`
 * for every `text` that does not end in whitespace: `suffix` starts with a space followed by a character that is
 * not whitespace. Both split patterns end a letter, digit or punctuation piece before a space, and a piece that
 * starts with the space (` ?\p{L}+`, ` ?[^\s\p{L}\p{N}]+`, or a run of spaces) never reaches back into `text`;
 * a run cut (see {@link maxUnbrokenRunChars}) cannot straddle the space either, since the classes differ on its
 * two sides (whitespace at the end of `text` would join the space's run, so that case is left out). BPE merges stay within a piece, so the two counts add up (tests check this against js-tiktoken).
 */
export function isCountedApart(text: string, suffix: string): boolean {
	// Surrogates are never whitespace: no astral character is, and a lone one is read as U+FFFD.
	if (suffix.charCodeAt(0) !== 0x20 || suffix.length < 2) return false;
	if (classOfUnit(suffix.charCodeAt(1)) === spaceClass) return false;
	return text.length === 0 || classOfUnit(text.charCodeAt(text.length - 1)) !== spaceClass;
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

/**
 * False when `text` surely has no run that {@link forEachRunCut} would cut, found by looking at a few units per
 * half-run stride instead of classifying every unit: a cut run covers some whole stride [end - stride, end],
 * so a stride holding a digit or two neighbouring units of different classes rules it out. Surrogates are
 * never used as evidence (their class is that of the pair); a stride without evidence answers true.
 */
export function mayHaveLongRun(text: string): boolean {
	const stride = maxUnbrokenRunChars / 2;
	for (let end = stride; end < text.length; end += stride) {
		let ruledOut = false;
		for (let j = end; j > end - stride && !ruledOut; j--) {
			const code = text.charCodeAt(j);
			if (code >= 0xd800 && code <= 0xdfff) continue;
			const cls = classOfUnit(code);
			if (cls === digitClass) ruledOut = true;
			else {
				const before = text.charCodeAt(j - 1);
				ruledOut = (before < 0xd800 || before > 0xdfff) && classOfUnit(before) !== cls;
			}
		}
		if (!ruledOut) return true;
	}
	return false;
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
