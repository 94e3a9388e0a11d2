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
	try {
		return { kind: 'record', value: JSON.parse(text) as unknown };
	} catch (error) {
		return { kind: 'invalid', diagnostic: describeJsonError(error, text, line) };
	}
}

/** Where and why text is not valid JSON: 0-based offset and a short reason. */
export interface JsonErrorLocation {
	readonly offset: number;
	readonly reason: string;
}

/** Finds the first JSON syntax error in text (JSON.parse on Node 20 often omits the position). */
export function locateJsonSyntaxError(text: string, error: unknown): JsonErrorLocation {
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
