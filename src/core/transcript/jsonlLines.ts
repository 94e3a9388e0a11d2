import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Diagnostic } from './model';

/** One complete line of a JSONL source with its 1-based number and the byte offset just after it. */
export interface JsonlLine {
	readonly line: number;
	readonly text: string;
	readonly endOffset: number;
}

const newline = 0x0a;

/**
 * Splits appended bytes into complete lines, holding a trailing partial line until its newline arrives.
 * Byte offsets are absolute in the file, so a reader can resume from `offset` after a restart.
 */
export class JsonlLineSplitter {
	private pending: Buffer[] = [];
	private pendingLength = 0;
	private nextLine = 1;
	private consumed = 0;

	constructor(startOffset = 0, startLine = 1) {
		this.consumed = startOffset;
		this.nextLine = startLine;
	}

	/** Byte offset after the last complete line handed out. */
	get offset(): number {
		return this.consumed;
	}

	/** 1-based number of the next complete line. */
	get lineNumber(): number {
		return this.nextLine;
	}

	/** Bytes held back as an incomplete last line. */
	get pendingBytes(): number {
		return this.pendingLength;
	}

	/** Feeds appended bytes; returns the lines they complete. */
	push(chunk: Uint8Array): JsonlLine[] {
		const lines: JsonlLine[] = [];
		this.forEachLine(chunk, (text, line, endOffset) => lines.push({ line, text, endOffset }));
		return lines;
	}

	/**
	 * Feeds appended bytes and hands each line they complete to `take` at once, so a line's text is garbage
	 * before the next one is decoded (collecting a whole chunk's lines first keeps them alive into old space).
	 */
	forEachLine(chunk: Uint8Array, take: (text: string, line: number, endOffset: number) => void): void {
		let start = 0;
		let index = chunk.indexOf(newline, start);
		while (index !== -1) {
			let text: string;
			if (this.pendingLength > 0) {
				const bytes = Buffer.concat([...this.pending, chunk.subarray(start, index)]);
				this.pending = [];
				this.pendingLength = 0;
				this.consumed += bytes.length + 1;
				text = decodeLine(bytes, 0, bytes.length);
			} else {
				this.consumed += index - start + 1;
				text = decodeLine(chunk, start, index);
			}
			take(text, this.nextLine++, this.consumed);
			start = index + 1;
			index = chunk.indexOf(newline, start);
		}
		if (start < chunk.length) {
			const rest = chunk.subarray(start);
			this.pending.push(Buffer.from(rest));
			this.pendingLength += rest.length;
		}
	}

	/**
	 * Hands each complete line of `text` (up to its last newline) to `take`, as {@link forEachLine} would from the
	 * bytes `text` was decoded from, whose complete lines take `completeBytes` bytes; nothing may be held back.
	 * A byte order mark at the start of `text` is taken as already removed (the text of a file's head has it removed).
	 */
	forEachTextLine(text: string, completeBytes: number, take: (text: string, line: number) => void): void {
		if (this.pendingLength > 0) throw new Error('text lines cannot follow a partial line of bytes');
		const last = text.lastIndexOf('\n');
		for (let start = 0; start <= last;) {
			const end = text.indexOf('\n', start);
			take(textLine(text, start, end, start > 0), this.nextLine++);
			start = end + 1;
		}
		this.consumed += completeBytes;
	}

	/** At end of file: the held-back last line, if any (it may be half-written). */
	flush(): JsonlLine | undefined {
		if (this.pendingLength === 0) return undefined;
		const bytes = Buffer.concat(this.pending);
		this.pending = [];
		this.pendingLength = 0;
		this.consumed += bytes.length;
		return { line: this.nextLine++, text: decodeLine(bytes, 0, bytes.length), endOffset: this.consumed };
	}
}

const carriageReturn = 0x0d;

/** Decodes `bytes[start, end)` as UTF-8 without a trailing carriage return or a leading byte order mark. */
function decodeLine(bytes: Uint8Array, start: number, end: number): string {
	if (end > start && bytes[end - 1] === carriageReturn) end--;
	// Decoding a range of a Buffer directly skips making a view per line (a quarter of the decode time).
	const text = Buffer.isBuffer(bytes)
		? bytes.toString('utf8', start, end)
		: Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `text[start, end)` without a trailing carriage return (and a leading byte order mark), as {@link decodeLine} gives it. */
function textLine(text: string, start: number, end: number, stripsBom: boolean): string {
	if (end > start && text.charCodeAt(end - 1) === carriageReturn) end--;
	if (stripsBom && end > start && text.charCodeAt(start) === 0xfeff) start++;
	return text.slice(start, end);
}

/** Result of parsing one JSONL line: the value, nothing for a blank line, or a diagnostic. */
export type ParsedLine =
	| { readonly kind: 'record'; readonly value: unknown }
	| { readonly kind: 'blank' }
	| { readonly kind: 'invalid'; readonly diagnostic: Diagnostic };

/** Longest excerpt of a bad line quoted in a diagnostic, in characters. */
const excerptChars = 60;

/** Parses one line; malformed JSON becomes a diagnostic with line, column and reason. */
export function parseJsonlLine(text: string, line: number): ParsedLine {
	if (text.trim() === '') return { kind: 'blank' };
	let value: unknown;
	try {
		value = JSON.parse(text) as unknown;
	} catch (error) {
		return { kind: 'invalid', diagnostic: describeJsonError(error, text, line) };
	}
	const tooDeep = excessiveNestingOf(text, value);
	return tooDeep === undefined
		? { kind: 'record', value }
		: { kind: 'invalid', diagnostic: { ...tooDeep, line } };
}

/**
 * A diagnostic (without its line) when valid JSON text nests deeper than {@link maxJsonDepth}: JSON.parse takes any
 * depth, but JSON.stringify and the readers' walks recurse and would overflow the stack on such a value. `parsed`,
 * when given, is the text's value as JSON.parse made it: its containers are walked instead of the text's characters
 * (a record has a few dozen containers for thousands of characters), and the text is scanned only to say where a
 * value that is too deep goes too deep.
 */
export function excessiveNestingOf(text: string, parsed?: unknown): Omit<Diagnostic, 'line'> | undefined {
	// Each level costs an opening and a closing bracket, so shorter text cannot be too deep.
	if (text.length <= 2 * maxJsonDepth) return undefined;
	if (parsed !== undefined && !nestsDeeperThan(parsed, maxJsonDepth)) return undefined;
	const at = findExcessiveNesting(text);
	if (at === -1) return undefined;
	return {
		severity: 'error',
		column: at + 1,
		message: `nested more than ${maxJsonDepth} levels deep at column ${at + 1}; a transcript record never is, so this one was skipped`,
	};
}

/**
 * True when a parsed JSON value has an array or object more than `limit` levels deep (the value itself is level 1;
 * a scalar has none), as {@link findExcessiveNesting} finds in its text. Recurses at most `limit` calls deep.
 */
export function nestsDeeperThan(value: unknown, limit: number = maxJsonDepth): boolean {
	return typeof value === 'object' && value !== null && (limit < 1 || hasChildDeeperThan(value, 1, limit));
}

// `container` is at `depth`; true when one of its containers, at depth + 1 or below, is past `limit`.
function hasChildDeeperThan(container: object, depth: number, limit: number): boolean {
	if (Array.isArray(container)) {
		const items = container as readonly unknown[];
		for (let i = 0; i < items.length; i++) {
			const item = items[i];
			if (
				typeof item === 'object' &&
				item !== null &&
				(depth >= limit || hasChildDeeperThan(item, depth + 1, limit))
			)
				return true;
		}
		return false;
	}
	const object = container as Record<string, unknown>;
	// JSON.parse makes only own, enumerable data properties, so for-in sees exactly the parsed keys.
	for (const key in object) {
		const item = object[key];
		if (
			typeof item === 'object' &&
			item !== null &&
			(depth >= limit || hasChildDeeperThan(item, depth + 1, limit))
		)
			return true;
	}
	return false;
}

/** Where and why text is not valid JSON: 0-based offset and a short reason. */
export interface JsonErrorLocation {
	readonly offset: number;
	readonly reason: string;
}

/** Deepest nesting of arrays and objects our readers accept; deeper values are refused with a diagnostic. */
export const maxJsonDepth = 1000;

/**
 * Offset of the bracket that takes text's nesting past `limit` levels, or -1 when it stays within. Iterative and
 * skips strings with `indexOf`, so it costs a fraction of a parse; unbalanced or invalid text is scanned as far as
 * it goes.
 */
export function findExcessiveNesting(text: string, limit: number = maxJsonDepth): number {
	let depth = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === quote) {
			i = closingQuote(text, i);
			if (i === -1) return -1;
		} else if (c === openBrace || c === openBracket) {
			if (++depth > limit) return i;
		} else if (c === closeBrace || c === closeBracket) {
			depth--;
		}
	}
	return -1;
}

const quote = 0x22;
const backslash = 0x5c;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;

/** Index of the quote that closes the string opened at `open`, or -1 when it never closes. */
function closingQuote(text: string, open: number): number {
	for (let at = text.indexOf('"', open + 1); at !== -1; at = text.indexOf('"', at + 1)) {
		let backslashes = 0;
		while (text.charCodeAt(at - 1 - backslashes) === backslash) backslashes++;
		if (backslashes % 2 === 0) return at;
	}
	return -1;
}

/** Finds the first JSON syntax error in text (JSON.parse on Node 20 often omits the position). */
export function locateJsonSyntaxError(text: string, error: unknown): JsonErrorLocation {
	// The tolerant parser recurses once per level: past the limit it would overflow the stack.
	const tooDeep = findExcessiveNesting(text);
	if (tooDeep !== -1) return { offset: tooDeep, reason: `nested more than ${maxJsonDepth} levels deep` };
	const errors: ParseError[] = [];
	parseTolerant(text, errors, {
		disallowComments: true,
		allowTrailingComma: false,
		allowEmptyContent: false,
	});
	const first = errors[0];
	if (first !== undefined)
		return { offset: first.offset, reason: humaniseParseError(printParseErrorCode(first.error)) };
	const message = error instanceof Error ? error.message : String(error);
	return { offset: text.length, reason: message.split(',')[0] ?? message };
}

function humaniseParseError(code: string): string {
	return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Turns a JSON.parse failure into a diagnostic naming the line, the column and what was wrong. */
export function describeJsonError(error: unknown, text: string, line: number): Diagnostic {
	if (looksBinary(text)) return { severity: 'error', line, message: 'binary data, not a JSON line' };
	const located = locateJsonSyntaxError(text, error);
	const excerpt = text.length > excerptChars ? `${text.slice(0, excerptChars)}…` : text;
	return {
		severity: 'error',
		line,
		column: located.offset + 1,
		message: `invalid JSON (${located.reason} at column ${located.offset + 1}): ${JSON.stringify(excerpt)}`,
	};
}

/** True when text holds control characters that never appear in JSON text or the Unicode replacement character in bulk. */
export function looksBinary(text: string): boolean {
	const sample = text.slice(0, 4096);
	let odd = 0;
	for (let i = 0; i < sample.length; i++) {
		const c = sample.charCodeAt(i);
		if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffd) odd++;
	}
	return odd > 0 && odd >= sample.length * 0.01;
}
