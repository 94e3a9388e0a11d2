import type { ImagePart, Message, Part, Role, TextBearingPart } from '../transcript/model';
import { countTextTokens, isCountedApart, type EncodingName } from './encoding';
import { imageTokens } from './imageTokens';
import type { ModelProfile } from './modelRegistry';

/** Where a token of the window goes in the budget report. */
export type TokenCategory =
	'system' | 'user' | 'assistant' | 'thinking' | 'toolCalls' | 'toolResults' | 'images';

/** Every category, in report order. */
export const tokenCategories: readonly TokenCategory[] = [
	'system',
	'user',
	'assistant',
	'thinking',
	'toolCalls',
	'toolResults',
	'images',
];

/** Tokens of one message (provider tokens): `total` = sum of `byCategory` = sum of `byPart` + overhead. */
export interface MessageTokens {
	readonly total: number;
	readonly byCategory: Readonly<Record<TokenCategory, number>>;
	/** One entry per part of the message, in order; a tool result includes its images. */
	readonly byPart: readonly number[];
}

/**
 * Framing tokens per message, as the OpenAI chat format counts them (role and separators: 3 per message;
 * the format adds 1 more for a `name`, which our message model does not carry). Added to the role's
 * category; other providers frame differently, which calibration absorbs (Claude's framing measures as
 * these 3 per message plus the profile's `toolResultOverheadTokens` per tool result).
 */
export const messageOverheadTokens = 3;

/** Largest number of cached counts per generation; the cache holds at most twice this many. */
export const defaultCacheEntries = 65_536;

/**
 * Counts parts and messages for one model profile: exact BPE counts, scaled by the profile's
 * calibrationFactor (rounded per part) when it is a stand-in, images by the provider's formula, and the
 * profile's `toolResultOverheadTokens` on every tool result. Counts of identical text are cached by a 53-bit
 * hash of the text, never by the text itself.
 */
export class TokenCounter {
	private readonly encodingSeed: number;
	private readonly cacheEntries: number;
	private current = new Map<number, number>();
	private previous = new Map<number, number>();
	private hits = 0;
	private misses = 0;
	private lastSuffix: string | undefined;
	private lastSuffixRaw = 0;

	constructor(
		readonly profile: ModelProfile,
		cacheEntries: number = defaultCacheEntries,
	) {
		this.encodingSeed = profile.encoding === 'o200k_base' ? 0x2f0d_1b3c : 0x5a17_c0de;
		this.cacheEntries = Math.max(1, Math.floor(cacheEntries));
	}

	/**
	 * The encoding every figure follows: a part's figure is its text's BPE count in it, scaled, plus its kind's
	 * framing and its images (see TokenCounting.bpeEncoding).
	 */
	get bpeEncoding(): EncodingName {
		return this.profile.encoding;
	}

	/** Counts served from the cache. */
	get cacheHits(): number {
		return this.hits;
	}

	/** Counts computed by the tokenizer (and then cached). */
	get cacheMisses(): number {
		return this.misses;
	}

	/** Tokens of a plain text in the provider's terms (calibrated and rounded). */
	countText(text: string): number {
		return this.scale(this.countRaw(text));
	}

	/** Tokens of one part (provider tokens, >= 0); `role` names the message in the error for an unknown kind. */
	countPart(part: Part, role?: Role): number {
		switch (part.kind) {
			case 'text':
			case 'opaque':
			case 'thinking':
				// Redacted thinking stores only an opaque blob: we count nothing, though the provider counts the
				// hidden reasoning it stands for when the blob is sent back.
				return this.countText(part.text);
			case 'toolCall':
				return this.scale(this.countRaw(part.name) + this.countRaw(part.argumentsText));
			case 'toolResult':
				return this.countToolResultText(part.text) + this.countImages(part.images);
			case 'image':
				return imageTokens(part, this.profile.family);
		}
		return assertNever(part, role);
	}

	/**
	 * `countPart` of `part` with `suffix` appended to its text. When the two are counted apart (see isCountedApart),
	 * the part's text is counted on its own, so a text counted before comes from the cache and only the suffix is
	 * tokenised; the figure is the same either way. `sameCountAs` is a text the caller knows has as many tokens as
	 * `suffix` (a suffix that differs only in a number of as many digits, see countsNumbersByLength), counted in
	 * its place so that such suffixes share one cached count.
	 */
	countPartWithSuffix(part: TextBearingPart, suffix: string, sameCountAs: string = suffix): number {
		if (!isCountedApart(part.text, suffix)) return this.countPart({ ...part, text: `${part.text}${suffix}` });
		// A planner appends the same few suffixes to many texts: the last one's count is kept at hand.
		if (sameCountAs !== this.lastSuffix) {
			this.lastSuffixRaw = this.countRaw(sameCountAs);
			this.lastSuffix = sameCountAs;
		}
		const text = this.scale(this.countRaw(part.text) + this.lastSuffixRaw);
		if (part.kind !== 'toolResult') return text;
		return text + this.profile.toolResultOverheadTokens + this.countImages(part.images);
	}

	/**
	 * `countPart` of `part`, whose text is `segments` joined. Segments that are counted apart (see isCountedApart)
	 * are counted on their own, so segments counted before come from the cache; the figure is the same either way.
	 * Segments whose lengths do not add up to the text's are ignored and the part is counted whole.
	 */
	countPartOfSegments(part: TextBearingPart, segments: readonly string[]): number {
		let raw = 0;
		let length = 0;
		let pending = '';
		for (const segment of segments) {
			length += segment.length;
			if (pending !== '' && isCountedApart(pending, segment)) {
				raw += this.countRaw(pending);
				pending = segment;
			} else pending += segment;
		}
		// Segments that do not make up the text (a caller's mistake) are not trusted.
		if (length !== part.text.length) return this.countPart(part);
		raw += this.countRaw(pending);
		// The whole text's count is remembered too: a planner that appends to it next (countPartWithSuffix) finds it.
		if (pending.length < part.text.length) this.remember(hashText(part.text, this.encodingSeed), raw);
		const text = this.scale(raw);
		if (part.kind !== 'toolResult') return text;
		return text + this.profile.toolResultOverheadTokens + this.countImages(part.images);
	}

	/** Tokens of a message by category and by part, with the per-message framing overhead. */
	countMessage(message: Message): MessageTokens {
		const byCategory = emptyCategories();
		const roleCategory = categoryOfRole(message.role);
		const byPart = message.parts.map((part) => {
			if (part.kind === 'toolResult') {
				const text = this.countToolResultText(part.text);
				const images = this.countImages(part.images);
				byCategory.toolResults += text;
				byCategory.images += images;
				return text + images;
			}
			const tokens = this.countPart(part, message.role);
			byCategory[categoryOfPart(part, roleCategory)] += tokens;
			return tokens;
		});
		byCategory[roleCategory] += messageOverheadTokens;
		const total = byPart.reduce((sum, tokens) => sum + tokens, messageOverheadTokens);
		return { total, byCategory, byPart };
	}

	// The result's text plus the framing of the call and its result that the transcript does not store.
	private countToolResultText(text: string): number {
		return this.countText(text) + this.profile.toolResultOverheadTokens;
	}

	private countImages(images: readonly ImagePart[]): number {
		let total = 0;
		for (const image of images) total += imageTokens(image, this.profile.family);
		return total;
	}

	private scale(rawTokens: number): number {
		return this.profile.exactness === 'exact'
			? rawTokens
			: Math.round(rawTokens * this.profile.calibrationFactor);
	}

	private countRaw(text: string): number {
		if (text.length === 0) return 0;
		const key = hashText(text, this.encodingSeed);
		let count = this.current.get(key);
		if (count !== undefined) {
			this.hits++;
			return count;
		}
		count = this.previous.get(key);
		if (count !== undefined) this.hits++;
		else {
			this.misses++;
			count = countTextTokens(text, this.profile.encoding);
		}
		this.remember(key, count);
		return count;
	}

	// Two generations instead of a strict LRU: a hit in the older one is promoted, and when the newer one is
	// full the older one is dropped whole. O(1) per access, no per-entry bookkeeping, bounded memory.
	private remember(key: number, count: number): void {
		if (this.current.size >= this.cacheEntries) {
			this.previous = this.current;
			this.current = new Map();
		}
		this.current.set(key, count);
	}
}

/** The category that text of a message with this role counts toward. */
export function categoryOfRole(role: Role): TokenCategory {
	switch (role) {
		case 'system':
		case 'developer':
			return 'system';
		case 'user':
			return 'user';
		case 'assistant':
			return 'assistant';
		case 'tool':
			return 'toolResults';
	}
}

function categoryOfPart(part: Part, roleCategory: TokenCategory): TokenCategory {
	switch (part.kind) {
		case 'thinking':
			return 'thinking';
		case 'toolCall':
			return 'toolCalls';
		case 'toolResult':
			return 'toolResults';
		case 'image':
			return 'images';
		case 'text':
		case 'opaque':
			return roleCategory;
	}
}

function emptyCategories(): Record<TokenCategory, number> {
	return { system: 0, user: 0, assistant: 0, thinking: 0, toolCalls: 0, toolResults: 0, images: 0 };
}

// Two 32-bit FNV-1a lanes with different primes, folded with the length into 53 bits (a safe integer): at
// 130k cached entries the chance of any collision is about 1e-6.
function hashText(text: string, seed: number): number {
	let low = 0x811c9dc5 ^ seed;
	let high = 0x050c5d1f ^ text.length;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		low = Math.imul(low ^ code, 0x01000193);
		high = Math.imul(high ^ code, 0x5bd1e995);
	}
	high ^= high >>> 15;
	high = Math.imul(high ^ text.length, 0x2c1b3c6d);
	return (high >>> 11) * 0x1_0000_0000 + (low >>> 0);
}

function assertNever(part: never, role: Role | undefined): never {
	throw new Error(`unknown part kind in a ${role ?? 'new'} message: ${JSON.stringify(part)}`);
}
