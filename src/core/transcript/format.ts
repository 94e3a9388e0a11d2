import type { Diagnostic, FormatId, Message, PassthroughRecord, Transcript, TranscriptMeta } from './model';

/** What detection looks at: the start of the file and its path. */
export interface DetectionSample {
	/** Path or file name, used only as a hint. */
	readonly path: string;
	/** Up to the first 64 KiB of text, BOM removed. */
	readonly head: string;
	/** The first non-empty lines of the head parsed as JSON (undefined where a line does not parse, as in pretty-printed JSON). */
	readonly firstRecords: readonly unknown[];
	/** The whole document parsed as JSON when the text is one JSON value, else undefined. */
	readonly document: unknown;
}

/** A format's verdict on a sample: higher `score` wins; `reason` is shown to the person. */
export interface DetectionVerdict {
	readonly score: number;
	readonly reason: string;
}

/** Everything a JSONL format's records turn into; `build` snapshots it as a Transcript. */
export interface RecordAccumulator {
	/** Takes one parsed record from 1-based `line`. */
	addRecord(record: unknown, line: number): void;
	/** Snapshot of what was read so far. */
	build(): AccumulatedTranscript;
}

/** The format-specific part of a transcript: what an accumulator or a document reader produces. */
export interface AccumulatedTranscript {
	readonly messages: readonly Message[];
	readonly passthrough: readonly PassthroughRecord[];
	readonly meta: TranscriptMeta;
	readonly diagnostics: readonly Diagnostic[];
}

/** What a writer is asked to produce. */
export interface WriteOptions {
	/** Session id for the new file (formats that key on one); a fresh UUID when absent. */
	readonly sessionId?: string;
	/** ISO time stamped on records the writer creates. */
	readonly now?: string;
	/**
	 * Absolute path the caller will write the text to, for a format whose resume command names the file
	 * (Gemini CLI's `--session-file`). Such a writer suggests no `fileName`, so the caller knows the path first.
	 */
	readonly path?: string;
}

/** What a writer produced: the file's text and how to name it. */
export interface WrittenTranscript {
	readonly text: string;
	/** Suggested file name (no directory) when the format ties names to ids, e.g. `<sessionId>.jsonl`. */
	readonly fileName?: string;
	readonly sessionId?: string;
	/** How the person resumes the written session, e.g. `claude --resume <id>`. */
	readonly resumeHint?: string;
}

/** A transcript as a writer will lay it out, and what it leaves out, in words for the person (empty when nothing). */
export interface ShapedForWrite {
	readonly transcript: Transcript;
	readonly notes: readonly string[];
}

/** One format: detection, reading, and writing where supported. One module per format implements it. */
export interface TranscriptFormat {
	readonly id: FormatId;
	readonly label: string;
	/** True when records are one JSON value per line (the format can then be read incrementally). */
	readonly isJsonl: boolean;
	/** Rates a sample; undefined when it is certainly not this format. */
	detect(sample: DetectionSample): DetectionVerdict | undefined;
	/** A fresh accumulator (JSONL formats). */
	createAccumulator?(): RecordAccumulator;
	/** Reads a whole JSON document (non-JSONL formats). `lineOf` maps a character offset to a 1-based line. */
	readDocument?(document: unknown, context: DocumentContext): AccumulatedTranscript;
	/** Writes a transcript in this format, or is absent when the format is read-only. */
	write?(transcript: Transcript, options: WriteOptions): WrittenTranscript;
	/**
	 * The transcript as `write` will lay it out, for measuring before anything is written: the messages a reader
	 * finds in the written file, and why they differ from the model's. Absent when the writer writes every message.
	 */
	shapeForWrite?(transcript: Transcript): ShapedForWrite;
}

/** Helpers a document reader gets. */
export interface DocumentContext {
	readonly path: string;
	/** Source text of the document, for line lookups. */
	readonly text: string;
}

/** A document that is one record of the format's JSONL shape (a log of one line parses as one JSON value). */
export function readSingleRecord(accumulator: RecordAccumulator, record: unknown): AccumulatedTranscript {
	accumulator.addRecord(record, 1);
	return accumulator.build();
}

/** A document that is not the format: no messages, and one error on line 1 saying what was expected. */
export function notThisFormat(message: string): AccumulatedTranscript {
	return { messages: [], passthrough: [], meta: {}, diagnostics: [{ severity: 'error', line: 1, message }] };
}
