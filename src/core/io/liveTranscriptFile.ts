import { open, stat } from 'node:fs/promises';
import type { Transcript } from '../transcript/model';
import {
	JsonlTranscriptReader,
	checkHead,
	detectJsonlHead,
	detectionHeadBytes,
	fail,
	type ReadFailure,
	type ReadOptions,
} from '../transcript/readTranscript';
import {
	defaultChunkBytes,
	describeOpenError,
	readHead,
	readTranscriptFile,
	type FileReadOptions,
} from './readTranscriptFile';

/** What one refresh may be given: a signal that stops it between chunks, and a progress callback per chunk. */
export type LiveRefreshOptions = Pick<FileReadOptions, 'signal' | 'onProgress'>;

/** What one refresh of a live transcript found. */
export type LiveRefresh =
	| {
			readonly ok: true;
			readonly transcript: Transcript;
			/** Bytes read by this refresh (only the appended ones, unless the file was re-read). */
			readonly bytesRead: number;
			/** True when the file was truncated or replaced and read again from the start. */
			readonly wasReset: boolean;
			/** False when nothing changed since the last refresh. */
			readonly hasChanged: boolean;
	  }
	| { readonly ok: false; readonly failure: ReadFailure };

/** Bytes of the file start remembered to notice a file replaced by another of equal or larger size. */
const fingerprintBytes = 256;

interface JsonlState {
	readonly reader: JsonlTranscriptReader;
	readonly inode: number;
	readonly fingerprint: Buffer;
	/** Bytes consumed so far, including a held-back partial line. */
	position: number;
	transcript: Transcript;
}

/**
 * A transcript file an agent is still writing. JSONL formats are re-read from the last byte offset, so a
 * refresh costs time proportional to the appended bytes; a truncated or replaced file is read again from the
 * start; JSON document formats are read whole when their size or time changes.
 */
export class LiveTranscriptFile {
	private jsonl: JsonlState | undefined;
	private document: { transcript: Transcript; size: number; mtimeMs: number; inode: number } | undefined;

	constructor(
		readonly path: string,
		private readonly options: ReadOptions = {},
	) {}

	/** The latest transcript read, if any. */
	get current(): Transcript | undefined {
		return this.jsonl?.transcript ?? this.document?.transcript;
	}

	/**
	 * Reads what changed since the last refresh. A signal that aborts stops the read between chunks with a
	 * `cancelled` failure; the bytes read up to then stay read, so the next refresh goes on from there.
	 */
	async refresh(options: LiveRefreshOptions = {}): Promise<LiveRefresh> {
		let info;
		try {
			info = await stat(this.path);
		} catch (error) {
			const result = describeOpenError(error, this.path);
			return result.ok
				? { ok: false, failure: { reason: 'unreadable', file: this.path, message: 'unreadable' } }
				: result;
		}
		const state = this.jsonl;
		if (state !== undefined) {
			if (
				info.ino !== state.inode ||
				info.size < state.position ||
				!(await this.startsWith(state.fingerprint))
			) {
				return this.readFromStart(true, options);
			}
			if (info.size === state.position) {
				return { ok: true, transcript: state.transcript, bytesRead: 0, wasReset: false, hasChanged: false };
			}
			return this.readAppended(state, info.size, options);
		}
		const doc = this.document;
		if (
			doc !== undefined &&
			doc.size === info.size &&
			doc.mtimeMs === info.mtimeMs &&
			doc.inode === info.ino
		) {
			return { ok: true, transcript: doc.transcript, bytesRead: 0, wasReset: false, hasChanged: false };
		}
		return this.readFromStart(doc !== undefined, options);
	}

	private async readFromStart(wasReset: boolean, options: LiveRefreshOptions): Promise<LiveRefresh> {
		this.jsonl = undefined;
		this.document = undefined;
		let handle;
		try {
			handle = await open(this.path, 'r');
		} catch (error) {
			const result = describeOpenError(error, this.path);
			return result.ok
				? { ok: false, failure: { reason: 'unreadable', file: this.path, message: 'unreadable' } }
				: result;
		}
		try {
			const info = await handle.stat();
			const head = await readHead(handle, info.size, Buffer.alloc(Math.min(info.size, detectionHeadBytes)));
			const bytesRead = head.length;
			const checked = checkHead(head, this.path);
			if (!checked.ok) return checked.result;
			if (!checked.isDocument) {
				const detected = detectJsonlHead(checked.headText, this.path, this.options, checked.head.parsed);
				if (!detected.ok) return detected.result;
				if (detected.format.createAccumulator !== undefined) {
					const reader = new JsonlTranscriptReader(detected.format, this.path, detected.detection);
					const state: JsonlState = {
						reader,
						inode: info.ino,
						fingerprint: Buffer.from(head.subarray(0, Math.min(bytesRead, fingerprintBytes))),
						// The head's complete lines are read from the text detection decoded; the file is read on from there.
						position: reader.pushHead(checked.head),
						transcript: reader.snapshot(),
					};
					this.jsonl = state;
					const refreshed = await this.readAppended(state, info.size, options);
					return refreshed.ok ? { ...refreshed, wasReset } : refreshed;
				}
			}
		} finally {
			await handle.close();
		}
		const result = await readTranscriptFile(this.path, { ...this.options, ...options });
		if (!result.ok) return result;
		const info = await stat(this.path);
		this.document = {
			transcript: result.transcript,
			size: info.size,
			mtimeMs: info.mtimeMs,
			inode: info.ino,
		};
		return { ok: true, transcript: result.transcript, bytesRead: info.size, wasReset, hasChanged: true };
	}

	private async readAppended(
		state: JsonlState,
		size: number,
		options: LiveRefreshOptions,
	): Promise<LiveRefresh> {
		const handle = await open(this.path, 'r');
		let bytesRead = 0;
		try {
			const buffer = Buffer.alloc(Math.min(defaultChunkBytes, Math.max(1, size - state.position)));
			while (state.position < size) {
				if (options.signal?.aborted === true) return fail('cancelled', this.path, 'the read was cancelled.');
				const { bytesRead: n } = await handle.read(
					buffer,
					0,
					Math.min(buffer.length, size - state.position),
					state.position,
				);
				if (n === 0) break;
				state.reader.push(buffer.subarray(0, n));
				state.position += n;
				bytesRead += n;
				options.onProgress?.(state.position, size);
			}
		} finally {
			await handle.close();
		}
		state.transcript = state.reader.snapshot();
		return { ok: true, transcript: state.transcript, bytesRead, wasReset: false, hasChanged: bytesRead > 0 };
	}

	private async startsWith(fingerprint: Buffer): Promise<boolean> {
		if (fingerprint.length === 0) return true;
		const handle = await open(this.path, 'r');
		try {
			const now = Buffer.alloc(fingerprint.length);
			const { bytesRead } = await handle.read(now, 0, now.length, 0);
			return bytesRead === fingerprint.length && now.equals(fingerprint);
		} finally {
			await handle.close();
		}
	}
}
