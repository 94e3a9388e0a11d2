import { isJsonObject, type JsonObject } from './json';

/** Shortest string worth storing as bytes: below it the buffer and its bookkeeping cost more than they save. */
const minCompactChars = 256;

/** Deepest object nesting searched for strings to compact; deeper values stay as they are. */
const maxDepth = 12;

/** A character past U+00FF: V8 stores a string holding one at 2 bytes per character, UTF-8 mostly at 1. */
const wideCharacter = /[\u0100-\uffff]/;

/** A surrogate without its partner (JSON can escape one); UTF-8 cannot hold it, so such text stays a string. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const nativeWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** True when text survives a round trip through UTF-8 unchanged. */
function isWellFormed(text: string): boolean {
	return nativeWellFormed !== undefined ? nativeWellFormed.call(text) : !loneSurrogate.test(text);
}

/** A string that can be computed again, exactly, from another string the transcript keeps anyway. */
export interface DerivedText {
	/** True when `derive(from)` is exactly `text` (make one with `derivedText`). */
	readonly matches: (text: string) => boolean;
	/** What it is computed from. */
	readonly from: string;
	/** Computes the string from `from`. */
	readonly derive: (from: string) => string;
}

/** How a compacted string is kept: its UTF-8 bytes, or what it is derived from. */
type Stored = Buffer | Pick<DerivedText, 'from' | 'derive'>;

/**
 * A compacted key: the hidden property that keeps its string (a non-enumerable symbol: JSON.stringify, spreads,
 * `Object.keys` and deep equality never see it) and the accessor all such objects share.
 */
interface CompactKey {
	readonly slot: symbol;
	readonly accessor: PropertyDescriptor;
}

/** By key name. One getter and setter pair per key keeps the objects in V8's fast (non-dictionary) shape. */
const compactKeys = new Map<string, CompactKey>();

type Slotted = Record<symbol, Stored | undefined>;

function compactKey(key: string): CompactKey {
	let found = compactKeys.get(key);
	if (found === undefined) {
		// A property of the object itself rather than a WeakMap entry: V8 handles a weak map's entries as
		// ephemerons, extra work in every collection for as many entries as there are compacted strings.
		const slot = Symbol(key);
		const accessor: PropertyDescriptor = {
			configurable: true,
			enumerable: true,
			get(this: object): string | undefined {
				const kept = (this as Slotted)[slot];
				if (kept === undefined) return undefined;
				return kept instanceof Uint8Array ? kept.toString('utf8') : kept.derive(kept.from);
			},
			set(this: object, value: unknown): void {
				// Cleared rather than deleted: deleting a property that is not the object's last one would turn the
				// object into a slow (dictionary) one.
				(this as Slotted)[slot] = undefined;
				Object.defineProperty(this, key, dataProperty(value));
			},
		};
		found = { slot, accessor };
		compactKeys.set(key, found);
	}
	return found;
}

function dataProperty(value: unknown): PropertyDescriptor {
	return { value, writable: true, enumerable: true, configurable: true };
}

/**
 * Shrinks the long strings of a parsed JSON object that nothing reads while a transcript is built but writers
 * copy unchanged (Claude Code's `toolUseResult`, bookkeeping records). A string equal to one of `shared` (text
 * the transcript keeps anyway, such as the tool result the model read) becomes that same string. One equal to a
 * `derivable` text is kept as its computation from the kept text; another long string with a character past
 * U+00FF, which V8 stores at 2 bytes per character, is kept as UTF-8 bytes. Both sit behind an enumerable
 * accessor that computes or decodes the string on each read: the object then reads, spreads, compares and
 * `JSON.stringify`s exactly as before. Assigning such a property stores a plain value again.
 * Objects that get an accessor are replaced by copies with the same keys in the same order, so the result may be
 * a new object; nothing else may hold `value` or its parts yet. Arrays keep their strings (an accessor element
 * would make the array slow) but their objects are searched.
 */
export function compactStrings(value: JsonObject, options: CompactOptions = {}): JsonObject {
	const context: Context = { shared: options.shared ?? [], derivable: options.derivable };
	return compactObject(value, context, 0, options.skip);
}

/** What `compactStrings` may share and what it leaves alone. */
export interface CompactOptions {
	/** Strings the caller keeps anyway: equal strings in the value become these. */
	readonly shared?: readonly string[];
	/** A key of the top-level object left untouched (e.g. content that parts hold on to). */
	readonly skip?: string;
	/**
	 * Strings that can be computed from ones the caller keeps, asked for once when a long string matches no
	 * shared one: an equal string is then kept as that computation, which is checked to give it exactly.
	 */
	readonly derivable?: () => readonly DerivedText[];
}

interface Context {
	readonly shared: readonly string[];
	derivable: (() => readonly DerivedText[]) | readonly DerivedText[] | undefined;
}

/** A derivation giving exactly `text`, if any. */
function derivationOf(text: string, context: Context): DerivedText | undefined {
	if (typeof context.derivable === 'function') context.derivable = context.derivable();
	for (const candidate of context.derivable ?? []) if (candidate.matches(text)) return candidate;
	return undefined;
}

/**
 * `derive(from)` as a text `compactStrings` may keep as that computation. `matches`, when given, must say whether
 * `derive(from)` equals a text without computing it (so no copy is made only to be compared); otherwise the
 * derived text is computed once, when first compared.
 */
export function derivedText(
	from: string,
	derive: (from: string) => string,
	matches?: (text: string) => boolean,
): DerivedText {
	let derived: string | undefined;
	return { from, derive, matches: matches ?? ((text) => (derived ??= derive(from)) === text) };
}

function compactObject(object: JsonObject, context: Context, depth: number, skip?: string): JsonObject {
	let compacted: Map<string, Stored> | undefined;
	// JSON.parse makes only own, enumerable data properties, so for-in sees exactly Object.keys, in the same order,
	// without making the array of keys.
	for (const key in object) {
		if (key === skip) continue;
		const value = object[key];
		if (typeof value === 'string') {
			if (value.length < minCompactChars) continue;
			const same = sharedCopy(value, context.shared);
			if (same !== undefined) {
				if (key !== '__proto__') object[key] = same;
				continue;
			}
			const derivation = derivationOf(value, context);
			if (derivation !== undefined)
				(compacted ??= new Map()).set(key, { from: derivation.from, derive: derivation.derive });
			else if (wideCharacter.test(value)) {
				const bytes = utf8Copy(value);
				if (bytes !== undefined) (compacted ??= new Map()).set(key, bytes);
			}
		} else if (depth < maxDepth && typeof value === 'object' && value !== null) {
			const inner = compactValue(value, context, depth + 1);
			if (inner !== value && key !== '__proto__') object[key] = inner;
		}
	}
	if (compacted === undefined) return object;
	const copy: JsonObject = {};
	for (const key in object) {
		if (compacted.has(key)) {
			const { slot, accessor } = compactKey(key);
			Object.defineProperty(copy, key, accessor);
			Object.defineProperty(copy, slot, {
				value: compacted.get(key),
				writable: true,
				enumerable: false,
				configurable: true,
			});
		}
		// Assigning `__proto__` would set the prototype; JSON.parse made it an own property.
		else if (key === '__proto__') Object.defineProperty(copy, key, dataProperty(object[key]));
		else copy[key] = object[key];
	}
	return copy;
}

/** Bytes of one slab that compacted strings are written into, so that each does not cost an allocation. */
const slabBytes = 1 << 20;
let slab = Buffer.allocUnsafeSlow(0);
let slabUsed = 0;

/** U+FFFD in UTF-8: what encoding writes for a surrogate without its partner. */
const replacementBytes = Buffer.from([0xef, 0xbf, 0xbd]);

/**
 * The UTF-8 bytes of text, in a shared slab unless the text is large; undefined when text does not survive the
 * round trip (a lone surrogate). The bytes are searched for U+FFFD, far faster than checking the text itself,
 * which is then needed only when the text holds that character.
 */
function utf8Copy(text: string): Buffer | undefined {
	// A UTF-16 unit takes at most 3 bytes: room for that is made instead of measuring the text first (a second
	// pass over it), and the slab's end left unused when it is short is at most that bound.
	const most = text.length * 3;
	if (most > slabBytes / 4) {
		const bytes = Buffer.from(text, 'utf8');
		return bytes.indexOf(replacementBytes) !== -1 && !isWellFormed(text) ? undefined : bytes;
	}
	if (slabUsed + most > slab.length) {
		slab = Buffer.allocUnsafeSlow(slabBytes);
		slabUsed = 0;
	}
	const start = slabUsed;
	const bytes = slab.subarray(start, start + slab.write(text, start, 'utf8'));
	if (bytes.indexOf(replacementBytes) !== -1 && !isWellFormed(text)) return undefined;
	slabUsed += bytes.length;
	return bytes;
}

function compactValue(value: object, context: Context, depth: number): unknown {
	if (isJsonObject(value)) return compactObject(value, context, depth);
	if (!Array.isArray(value) || depth > maxDepth) return value;
	const items = value as unknown[];
	for (let i = 0; i < items.length; i++) {
		const item = items[i];
		if (typeof item === 'string') {
			const same = item.length < minCompactChars ? undefined : sharedCopy(item, context.shared);
			if (same !== undefined) items[i] = same;
		} else if (depth < maxDepth && typeof item === 'object' && item !== null) {
			const inner = compactValue(item, context, depth + 1);
			if (inner !== item) items[i] = inner;
		}
	}
	return items;
}

function sharedCopy(text: string, shared: readonly string[]): string | undefined {
	for (const candidate of shared)
		if (candidate.length === text.length && candidate === text) return candidate;
	return undefined;
}

/** Most distinct strings a pool keeps; past it new strings are returned as they are. */
const poolLimit = 4096;

/** Hands out one string per distinct value, for values that repeat on many records (session id, cwd). */
export class StringPool {
	private readonly strings = new Map<string, string>();

	private readonly recent: (string | undefined)[] = [];

	/**
	 * `intern(text)` for a value that is most often equal to the last one given for the same `slot` (a small
	 * number the caller picks per key): that one is compared first, which costs less than hashing `text`.
	 */
	internAt(slot: number, text: string): string {
		const last = this.recent[slot];
		if (last === text) return last;
		const pooled = this.intern(text);
		this.recent[slot] = pooled;
		return pooled;
	}

	/** The pooled string equal to `text`, pooling it when there is room. */
	intern(text: string): string {
		const pooled = this.strings.get(text);
		if (pooled !== undefined) return pooled;
		if (this.strings.size < poolLimit) this.strings.set(text, text);
		return text;
	}
}
