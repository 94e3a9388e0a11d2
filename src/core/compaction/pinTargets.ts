import type { Message } from '../transcript/model';

/**
 * Which window messages to pin, from what a person gave: message numbers and text to match (the CLI's `--keep` and
 * `--keep-matching`), or pins stored earlier (the extension's). Pure; the result goes into `CompactionOptions.pinned`.
 */

/**
 * How a stored pin names its message across re-reads and appends: the message id (the source's own id where the
 * format has one, else positional), the window index it had, and a hash of its role and content. Plain JSON.
 */
export interface PinKey {
	readonly id: string;
	readonly index: number;
	/** `contentHashOf` the message: 16 hex digits. */
	readonly hash: string;
	/** Characters of the message's parts (a cheap filter before hashing when the id no longer finds it). */
	readonly chars: number;
}

/** Characters of a message's parts, as `PinKey.chars` counts them. */
function charsOf(message: Message): number {
	let chars = 0;
	for (const part of message.parts) {
		switch (part.kind) {
			case 'toolCall':
				chars += part.name.length + part.argumentsText.length;
				break;
			case 'image':
				chars += 1;
				break;
			default:
				chars += part.text.length;
		}
	}
	return chars;
}

/** FNV-1a in two 32-bit lanes over one text: 16 hex digits, stable across runs. */
class TextHash {
	private a = 0x811c9dc5;
	private b = 0x01000193;

	add(text: string): this {
		let { a, b } = this;
		for (let i = 0; i < text.length; i++) {
			const c = text.charCodeAt(i);
			a = Math.imul(a ^ c, 0x01000193);
			b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
		}
		// A separator no text holds, so ['ab', 'c'] and ['a', 'bc'] hash apart.
		a = Math.imul(a ^ 0xffff, 0x01000193);
		b = Math.imul(b ^ 0xffff, 0x5bd1e995) ^ (b >>> 15);
		this.a = a;
		this.b = b;
		return this;
	}

	digest(): string {
		return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
	}
}

/** A hash of a message's role and every part's content (not its id or source lines): equal for the same message re-read. */
export function contentHashOf(message: Message): string {
	const hash = new TextHash().add(message.role);
	for (const part of message.parts) {
		hash.add(part.kind);
		switch (part.kind) {
			case 'toolCall':
				hash.add(part.callId).add(part.name).add(part.argumentsText);
				break;
			case 'toolResult':
				hash.add(part.callId).add(part.text);
				break;
			case 'image':
				hash.add(`${part.mediaType} ${part.byteLength}`);
				break;
			default:
				hash.add(part.text);
		}
	}
	return hash.digest();
}

/** The key that finds window message `index` again after the file is re-read or grows. */
export function pinKeyOf(message: Message, index: number): PinKey {
	return { id: message.id, index, hash: contentHashOf(message), chars: charsOf(message) };
}

/** Stored pins resolved against a window: the indexes found (ascending, distinct) and the keys no message matches. */
export interface ResolvedPinKeys {
	readonly indexes: readonly number[];
	readonly unresolved: readonly PinKey[];
}

function matches(message: Message | undefined, key: PinKey): boolean {
	return message !== undefined && charsOf(message) === key.chars && contentHashOf(message) === key.hash;
}

/**
 * Finds each stored pin's message in `window`: the message at the stored index when it still has the id and content
 * (the usual case: appends do not move earlier messages), else the message with that id and content, else the
 * message with that content nearest the stored index (positional ids shift when earlier history is compacted away).
 * A key no message matches is returned as unresolved, never guessed. O(messages) per key that moved.
 */
export function resolvePinKeys(window: readonly Message[], keys: readonly PinKey[]): ResolvedPinKeys {
	const found = new Set<number>();
	const unresolved: PinKey[] = [];
	let byId: Map<string, number> | undefined;
	for (const key of keys) {
		const atIndex = window[key.index];
		if (atIndex?.id === key.id && matches(atIndex, key)) {
			found.add(key.index);
			continue;
		}
		if (byId === undefined) {
			byId = new Map();
			for (let i = 0; i < window.length; i++) {
				const id = window[i]?.id;
				if (id !== undefined && !byId.has(id)) byId.set(id, i);
			}
		}
		const withId = byId.get(key.id);
		if (withId !== undefined && matches(window[withId], key)) {
			found.add(withId);
			continue;
		}
		const nearest = nearestWithContent(window, key);
		if (nearest !== undefined) found.add(nearest);
		else unresolved.push(key);
	}
	return { indexes: [...found].sort((a, b) => a - b), unresolved };
}

function nearestWithContent(window: readonly Message[], key: PinKey): number | undefined {
	let best: number | undefined;
	for (let i = 0; i < window.length; i++) {
		const message = window[i];
		if (!matches(message, key)) continue;
		if (best === undefined || Math.abs(i - key.index) < Math.abs(best - key.index)) best = i;
	}
	return best;
}

/**
 * The text of a message a person reads and `--keep-matching` searches: text, tool-call names and arguments,
 * tool-result and other content text; not thinking (the model's own reasoning, not part of the conversation).
 */
export function visibleTextOf(message: Message): string {
	const texts: string[] = [];
	for (const part of message.parts) {
		if (part.kind === 'text' || part.kind === 'toolResult' || part.kind === 'opaque') texts.push(part.text);
		else if (part.kind === 'toolCall') texts.push(part.name, part.argumentsText);
	}
	return texts.join('\n');
}

/** What a person asked to pin: message numbers (`#n`, counted from 1 over the window) and texts to match. */
export interface PinRequests {
	/** Message numbers as `inspect` and the editor show them (window index + 1). */
	readonly numbers: readonly number[];
	/** Texts; every message whose visible text contains one (ignoring case) is pinned. */
	readonly matching: readonly string[];
}

/** Why pin requests could not be resolved; `message` names the file, what was asked and what is valid. */
export type PinProblem =
	| {
			readonly kind: 'numberOutOfRange';
			readonly number: number;
			/** Messages in the window: valid numbers are 1 to this. */
			readonly messages: number;
			readonly message: string;
	  }
	| { readonly kind: 'noMatch'; readonly text: string; readonly message: string }
	| { readonly kind: 'emptyText'; readonly message: string };

/** Resolved pin requests: the window indexes, and how many messages each text matched (in request order). */
export type ResolvedPinRequests =
	| {
			readonly ok: true;
			readonly pinned: ReadonlySet<number>;
			readonly matchedPerText: readonly number[];
	  }
	| { readonly ok: false; readonly problem: PinProblem };

/**
 * Resolves message numbers and texts to window indexes. A number outside the window, an empty text or a text no
 * message contains is an error naming the file, what was asked and what is valid: a pin that silently pins nothing
 * would let the compaction lose what the person meant to keep.
 */
export function resolvePinRequests(
	window: readonly Message[],
	requests: PinRequests,
	file: string,
): ResolvedPinRequests {
	const pinned = new Set<number>();
	const n = window.length;
	for (const number of requests.numbers) {
		if (!Number.isSafeInteger(number) || number < 1 || number > n) {
			const valid = n === 0 ? 'the window holds no messages' : `the window holds messages #1 to #${n}`;
			return {
				ok: false,
				problem: {
					kind: 'numberOutOfRange',
					number,
					messages: n,
					message: `${file}: there is no message #${number}; ${valid}.`,
				},
			};
		}
		pinned.add(number - 1);
	}
	const matchedPerText: number[] = [];
	if (requests.matching.length > 0) {
		const lowered = window.map((m) => visibleTextOf(m).toLowerCase());
		for (const text of requests.matching) {
			if (text.trim() === '') {
				return {
					ok: false,
					problem: { kind: 'emptyText', message: `${file}: the text to match is empty.` },
				};
			}
			const needle = text.toLowerCase();
			let matched = 0;
			lowered.forEach((haystack, i) => {
				if (!haystack.includes(needle)) return;
				pinned.add(i);
				matched++;
			});
			if (matched === 0) {
				return {
					ok: false,
					problem: {
						kind: 'noMatch',
						text,
						message: `${file}: no message in the window contains "${text}" (ignoring case).`,
					},
				};
			}
			matchedPerText.push(matched);
		}
	}
	return { ok: true, pinned, matchedPerText };
}
