import type { AccumulatedTranscript, DetectionSample, RecordAccumulator, TranscriptFormat } from './format';
import {
	JsonlLineSplitter,
	excessiveNestingOf,
	locateJsonSyntaxError,
	looksBinary,
	parseJsonlLine,
} from './jsonlLines';
import type { Detection, Diagnostic, FormatId, Transcript } from './model';
import { findFormat, transcriptFormats } from './registry';
import { recognizeUnsupported } from './unsupportedFormats';

/** Why a file could not be read as a transcript. */
export type ReadFailureReason =
	| 'notFound'
	| 'isDirectory'
	| 'unreadable'
	| 'empty'
	| 'binary'
	/** No reader claims the file; `unreadFormat` names what it looks like when its shape is known. */
	| 'unrecognised'
	| 'unparseable'
	| 'notAFile'
	| 'timedOut'
	| 'tooLarge'
	| 'cancelled';

/** An expected read failure: names the file, the line when there is one, and what to do. */
export interface ReadFailure {
	readonly reason: ReadFailureReason;
	readonly file: string;
	readonly line?: number;
	readonly column?: number;
	readonly message: string;
	/** With `unrecognised`: the known format the file looks like, which no reader takes (so --format cannot help). */
	readonly unreadFormat?: string;
}

/** A read that failed. */
export interface FailedRead {
	readonly ok: false;
	readonly failure: ReadFailure;
}

/** Outcome of reading a transcript. */
export type ReadResult = { readonly ok: true; readonly transcript: Transcript } | FailedRead;

/** Options for reading. */
export interface ReadOptions {
	/** Skip detection and read as this format. */
	readonly format?: FormatId;
}

/** Bytes of the file start that detection looks at at least; the head always runs on to the end of the first line. */
export const detectionHeadBytes = 64 * 1024;

const newlineByte = 0x0a;

/**
 * The detection head of a file's bytes: at least {@link detectionHeadBytes}, extended to the end of the first line
 * (a Codex rollout with long instructions or a Claude session that starts with a pasted image has a first line
 * far longer than the minimum), and never past the bytes given.
 */
export function detectionHead(bytes: Uint8Array): Uint8Array {
	if (bytes.byteLength <= detectionHeadBytes) return bytes;
	const firstNewline = bytes.indexOf(newlineByte);
	// Text of one line is read as one JSON document, which detection looks at parsed, not by its head.
	if (firstNewline === -1 || firstNewline >= bytes.byteLength - 1)
		return bytes.subarray(0, detectionHeadBytes);
	return bytes.subarray(0, Math.max(detectionHeadBytes, firstNewline + 1));
}

/** True when `bytes` (a file's start) hold its whole detection head: a first line that ends before the last byte. */
export function hasDetectionHead(bytes: Uint8Array): boolean {
	const firstNewline = bytes.indexOf(newlineByte);
	return firstNewline !== -1 && firstNewline < bytes.byteLength - 1;
}
const detectionRecordCount = 8;

/** Formats a failure as one line: `file:line:column: message`. */
export function formatReadFailure(failure: ReadFailure): string {
	const where = [failure.file, failure.line, failure.line !== undefined ? failure.column : undefined]
		.filter((v) => v !== undefined)
		.join(':');
	return `${where}: ${failure.message}`;
}

/** Builds a failed read result naming the file and, when known, the line and column. */
export function fail(
	reason: ReadFailureReason,
	file: string,
	message: string,
	line?: number,
	column?: number,
): FailedRead {
	const failure: ReadFailure = {
		reason,
		file,
		message,
		...(line !== undefined ? { line } : {}),
		...(column !== undefined ? { column } : {}),
	};
	return { ok: false, failure };
}

/**
 * Builds the sample detection looks at from the text of a file (BOM already removed). `parsed`, when given, holds
 * the values of head lines parsed before (see {@link HeadText}), so no line is parsed twice.
 */
export function makeDetectionSample(
	path: string,
	text: string,
	document: unknown,
	parsed: ParsedLines = new Map(),
): DetectionSample {
	// A document is detected by its parsed value; only JSONL needs its (possibly long) first line whole.
	const firstNewline = text.indexOf('\n');
	const headChars =
		document !== undefined || firstNewline === -1
			? detectionHeadBytes
			: Math.max(detectionHeadBytes, firstNewline);
	const head = text.length > headChars ? text.slice(0, headChars) : text;
	const firstRecords: unknown[] = [];
	for (let start = 0; start <= head.length && firstRecords.length < detectionRecordCount;) {
		let end = head.indexOf('\n', start);
		if (end === -1) end = head.length;
		const line = head.slice(start, end);
		start = end + 1;
		if (line.trim() !== '') firstRecords.push(parseDetectionLine(line, parsed));
	}
	return { path, head, firstRecords, document };
}

/** Values of head lines by their text: undefined where a line does not parse (or nests too deep). */
export type ParsedLines = Map<string, unknown>;

/** A head line's value, or undefined when it does not parse (detection needs no diagnostic for it). */
function parseDetectionLine(line: string, parsed: ParsedLines): unknown {
	if (parsed.has(line)) return parsed.get(line);
	let value: unknown;
	try {
		value = JSON.parse(line) as unknown;
		if (excessiveNestingOf(line, value) !== undefined) value = undefined;
	} catch {
		value = undefined;
	}
	parsed.set(line, value);
	return value;
}

/**
 * The decoded head of a file (BOM removed), shared by detection and the JSONL reader: detection parses each of the
 * first lines once, and the reader takes the head's complete lines as this text, with those values, instead of
 * decoding and parsing them again.
 */
export interface HeadText {
	readonly text: string;
	/** Bytes of the head up to and including its last newline (0 when it has none): what its complete lines take. */
	readonly completeBytes: number;
	/** Lines parsed so far (by detection), by their text; the reader takes each value at most once. */
	readonly parsed: ParsedLines;
}

/** Picks the format a sample most likely is; undefined when no format claims it. */
export function detectFormat(sample: DetectionSample): Detection | undefined {
	let best: { format: FormatId; score: number; reason: string } | undefined;
	for (const format of transcriptFormats) {
		const verdict = format.detect(sample);
		if (verdict !== undefined && (best === undefined || verdict.score > best.score)) {
			best = { format: format.id, score: verdict.score, reason: verdict.reason };
		}
	}
	return best === undefined ? undefined : { format: best.format, reason: best.reason };
}

/** What the first bytes of a file say about how to read it. */
export type HeadCheck =
	| { readonly ok: true; readonly headText: string; readonly isDocument: boolean; readonly head: HeadText }
	| { readonly ok: false; readonly result: FailedRead };

/** Checks the first bytes of a file: empty, binary, or text that is one JSON document rather than JSONL. */
export function checkHead(bytes: Uint8Array, path: string): HeadCheck {
	const head = detectionHead(bytes);
	const buffer = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
	const headText = stripBom(buffer.toString('utf8'));
	if (headText.trim() === '')
		return { ok: false, result: fail('empty', path, 'the file is empty; there is no transcript to read.') };
	if (buffer.includes(0) || looksBinary(headText)) {
		return {
			ok: false,
			result: fail(
				'binary',
				path,
				'this is a binary file, not a transcript (JSON or JSONL text expected).',
				1,
			),
		};
	}
	const lastNewline = head.lastIndexOf(newlineByte);
	const parsed: ParsedLines = new Map();
	return {
		ok: true,
		headText,
		isDocument: /^\s*[[{]/.test(headText) && !looksLikeJsonl(headText, parsed),
		head: { text: headText, completeBytes: lastNewline + 1, parsed },
	};
}

/**
 * Chooses the format for a JSONL head (no whole-document parse); a failure names the known formats. `parsed`
 * holds head lines parsed before (a {@link HeadText}'s), and gets those detection parses.
 */
export function detectJsonlHead(
	headText: string,
	path: string,
	options: ReadOptions,
	parsed?: ParsedLines,
): { ok: true; format: TranscriptFormat; detection: Detection } | { ok: false; result: FailedRead } {
	const detection = pickDetection(path, headText, undefined, options.format, parsed);
	if (detection === undefined)
		return { ok: false, result: unrecognised(makeDetectionSample(path, headText, undefined, parsed)) };
	return { ok: true, format: findFormat(detection.format), detection };
}

/**
 * The refusal of a file no reader claims, in words for any surface (the CLI adds its flags): what the file looks like
 * when its shape is known, and the formats Context Lens reads.
 */
function unrecognised(sample: DetectionSample): FailedRead {
	const reads = `It reads: ${transcriptFormats.map((f) => f.label).join(', ')}.`;
	const known = recognizeUnsupported(sample);
	if (known === undefined)
		return fail('unrecognised', sample.path, `not a transcript format Context Lens knows. ${reads}`, 1);
	const advice = known.advice !== undefined ? `${known.advice} ` : '';
	const refused = fail(
		'unrecognised',
		sample.path,
		`this looks like ${known.name}, which Context Lens does not read. ${advice}${reads}`,
		1,
	);
	return { ok: false, failure: { ...refused.failure, unreadFormat: known.name } };
}

/** Reads a whole transcript from its bytes: detects (or takes) the format, parses, never throws for bad input. */
export function parseTranscript(bytes: Uint8Array, path: string, options: ReadOptions = {}): ReadResult {
	const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const head = checkHead(buffer, path);
	if (!head.ok) return head.result;
	const { headText } = head;
	let document: unknown;
	let documentError: unknown;
	let text: string | undefined;
	if (head.isDocument) {
		text = stripBom(buffer.toString('utf8'));
		const parsed = parseDocumentText(text);
		if (parsed.ok) document = parsed.value;
		else documentError = parsed.error;
	}
	const detection = pickDetection(path, headText, document, options.format, head.head.parsed);
	if (detection === undefined && text !== undefined && documentError !== undefined) {
		return invalidDocument(documentError, text, path);
	}
	if (detection === undefined)
		return unrecognised(makeDetectionSample(path, headText, document, head.head.parsed));
	const format = findFormat(detection.format);
	// Formats that come both as one JSON document and as JSONL read the document shape when the text is one.
	const readsAsDocument =
		format.readDocument !== undefined && (head.isDocument || format.createAccumulator === undefined);
	if (!readsAsDocument && format.createAccumulator !== undefined) {
		const reader = new JsonlTranscriptReader(format, path, detection);
		reader.push(buffer.subarray(reader.pushHead(head.head)));
		return reader.finish();
	}
	if (format.readDocument === undefined)
		throw new Error(`format ${format.id} has neither an accumulator nor a document reader`);
	if (text === undefined) text = stripBom(buffer.toString('utf8'));
	if (document === undefined) {
		if (documentError === undefined) {
			const parsed = parseDocumentText(text);
			if (parsed.ok) document = parsed.value;
			else documentError = parsed.error;
		}
		if (documentError !== undefined) return invalidDocument(documentError, text, path);
	}
	const body = format.readDocument(document, { path, text });
	return {
		ok: true,
		transcript: assemble(format, detection, explainNoMessages(body, format, 1), countLines(text)),
	};
}

/** Parses a whole document; text nested deeper than the readers can walk is an error like a syntax error. */
function parseDocumentText(text: string): { ok: true; value: unknown } | { ok: false; error: unknown } {
	let value: unknown;
	try {
		value = JSON.parse(text) as unknown;
	} catch (error) {
		return { ok: false, error };
	}
	const tooDeep = excessiveNestingOf(text, value);
	return tooDeep === undefined ? { ok: true, value } : { ok: false, error: new Error(tooDeep.message) };
}

function pickDetection(
	path: string,
	head: string,
	document: unknown,
	forced: FormatId | undefined,
	parsed?: ParsedLines,
): Detection | undefined {
	if (forced !== undefined) return { format: forced, reason: 'chosen with --format' };
	return detectFormat(makeDetectionSample(path, head, document, parsed));
}

/** Lines of the head that looksLikeJsonl looks at. */
const jsonlProbeLines = 5;

/** A JSONL head has, among its first complete lines, one that starts at column 0 and is a JSON object on its own. */
function looksLikeJsonl(head: string, parsed: ParsedLines): boolean {
	// The first pieces split on newlines, one more than looked at, so that the count is known when it is small.
	const lines: string[] = [];
	for (let start = 0; lines.length <= jsonlProbeLines;) {
		const end = head.indexOf('\n', start);
		lines.push(head.slice(start, end === -1 ? head.length : end));
		if (end === -1) break;
		start = end + 1;
	}
	// The last piece may be cut by the head limit; a file of one line is a document.
	const complete = lines.slice(0, Math.min(lines.length - 1, jsonlProbeLines));
	if (complete.length === 0 || (lines.length === 2 && lines[1]?.trim() === '')) return false;
	return complete.some((line) => line.startsWith('{') && parseDetectionLine(line, parsed) !== undefined);
}

function stripBom(text: string): string {
	return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function countLines(text: string): number {
	let lines = 1;
	for (let i = text.indexOf('\n'); i !== -1 && i < text.length - 1; i = text.indexOf('\n', i + 1)) lines++;
	return lines;
}

function invalidDocument(error: unknown, text: string, path: string): FailedRead {
	const at = locateJsonError(error, text);
	const isTooDeep = at.reason.startsWith('nested');
	return fail(
		'unparseable',
		path,
		isTooDeep
			? `JSON ${at.reason}; no transcript nests that deep. Check that this is the file you meant.`
			: `invalid JSON: ${at.reason}. Fix the file or read a valid copy.`,
		at.line,
		at.column,
	);
}

function locateJsonError(error: unknown, text: string): { reason: string; line: number; column: number } {
	const { offset, reason } = locateJsonSyntaxError(text, error);
	const before = text.slice(0, offset);
	const line = before.split('\n').length;
	const column = offset - before.lastIndexOf('\n');
	return { reason, line, column };
}

/**
 * A body without messages always says why: when its reader gave no diagnostic, one on `line` (the first record)
 * names the format that found nothing it knows, so an empty read is never silent.
 */
function explainNoMessages(
	body: AccumulatedTranscript,
	format: TranscriptFormat,
	line: number,
	records?: number,
): AccumulatedTranscript {
	// Records kept as they are (a session holding only its summary line) are read, not dropped.
	if (body.messages.length > 0 || body.diagnostics.length > 0 || body.passthrough.length > 0) return body;
	const what =
		records === undefined ? 'nothing in it' : `none of its ${records} record${records === 1 ? '' : 's'}`;
	const message = `${what} is a ${format.label} message; is this a ${format.label} file?`;
	return { ...body, diagnostics: [{ severity: 'error', line, message }] };
}

function assemble(
	format: TranscriptFormat,
	detection: Detection,
	body: AccumulatedTranscript,
	lineCount: number,
): Transcript {
	return {
		format: format.id,
		detection,
		messages: body.messages,
		passthrough: body.passthrough,
		meta: body.meta,
		diagnostics: body.diagnostics,
		lineCount,
	};
}

/**
 * Reads a JSONL transcript from bytes pushed in order (a whole file, or what a live file appends).
 * A last line without its newline is held back: it may be half-written by the agent.
 */
export class JsonlTranscriptReader {
	private readonly splitter: JsonlLineSplitter;
	private readonly accumulator: RecordAccumulator;
	private readonly diagnostics: Diagnostic[] = [];
	private recordCount = 0;
	private firstRecordLine = 1;

	constructor(
		private readonly format: TranscriptFormat,
		private readonly path: string,
		private readonly detection: Detection,
		startOffset = 0,
	) {
		if (format.createAccumulator === undefined) throw new Error(`format ${format.id} is not a JSONL format`);
		this.accumulator = format.createAccumulator();
		this.splitter = new JsonlLineSplitter(startOffset);
	}

	/** Byte offset after the last complete line read: where the next append starts. */
	get offset(): number {
		return this.splitter.offset;
	}

	/** Number of records read so far. */
	get records(): number {
		return this.recordCount;
	}

	/** Feeds bytes; complete lines are parsed and added, a trailing partial line waits. */
	push(chunk: Uint8Array): void {
		this.splitter.forEachLine(chunk, (text, line) => this.take(text, line));
	}

	/**
	 * Feeds the complete lines of a file's decoded head (before any byte was pushed), taking the values detection
	 * parsed instead of parsing those lines again; returns how many of the file's bytes that was, where pushing
	 * bytes goes on.
	 */
	pushHead(head: HeadText): number {
		const parsed = head.parsed;
		// Lines that did not parse are parsed again (for their diagnostic) whether or not they are in the map.
		for (const [text, value] of parsed) if (value === undefined) parsed.delete(text);
		this.splitter.forEachTextLine(head.text, head.completeBytes, (text, line) => {
			// Detection parsed the first few lines only: once those are taken, no line is hashed to look it up.
			const value = parsed.size === 0 ? undefined : parsed.get(text);
			// A value is handed over once: two equal lines still make two records that do not share objects.
			if (value === undefined) this.take(text, line);
			else {
				parsed.delete(text);
				this.add(value, line);
			}
		});
		return head.completeBytes;
	}

	/** Snapshot of everything complete so far, ignoring a pending partial line. */
	snapshot(): Transcript {
		return this.toTranscript(this.splitter.lineNumber - 1);
	}

	/** End of a whole-file read: a valid unterminated last line counts, an invalid one is ignored as half-written. */
	finish(): ReadResult {
		const last = this.splitter.flush();
		if (last !== undefined) {
			const parsed = parseJsonlLine(last.text, last.line);
			if (parsed.kind === 'record') this.add(parsed.value, last.line);
		}
		if (this.recordCount === 0) {
			const first = this.diagnostics[0];
			const why =
				first === undefined
					? 'no JSON records found'
					: `no line parses; line ${first.line}: ${first.message}`;
			return fail(
				'unparseable',
				this.path,
				`${why}. Is this a ${this.format.label} file?`,
				first?.line ?? 1,
				first?.column,
			);
		}
		return { ok: true, transcript: this.toTranscript(this.splitter.lineNumber - 1) };
	}

	private take(text: string, line: number): void {
		const parsed = parseJsonlLine(text, line);
		if (parsed.kind === 'record') this.add(parsed.value, line);
		else if (parsed.kind === 'invalid') this.diagnostics.push(parsed.diagnostic);
	}

	private add(value: unknown, line: number): void {
		if (this.recordCount === 0) this.firstRecordLine = line;
		this.recordCount++;
		this.accumulator.addRecord(value, line);
	}

	private toTranscript(lineCount: number): Transcript {
		const body = this.accumulator.build();
		const diagnostics =
			this.diagnostics.length === 0 ? body.diagnostics : [...this.diagnostics, ...body.diagnostics];
		const read = { ...body, diagnostics };
		const explained =
			this.recordCount === 0
				? read
				: explainNoMessages(read, this.format, this.firstRecordLine, this.recordCount);
		return assemble(this.format, this.detection, explained, lineCount);
	}
}
