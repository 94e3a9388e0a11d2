import { open, stat, type FileHandle } from 'node:fs/promises';
import {
	JsonlTranscriptReader,
	checkHead,
	detectJsonlHead,
	detectionHeadBytes,
	fail,
	type FailedRead,
	parseTranscript,
	type ReadOptions,
	type ReadResult,
} from '../transcript/readTranscript';

/** Options for reading a transcript file. */
export interface FileReadOptions extends ReadOptions {
	/** Stops the read; the result is then a `cancelled` failure. */
	readonly signal?: AbortSignal;
	/** Called after each chunk with bytes read so far and the file size, both in bytes. */
	readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
	/** Bytes read per chunk. */
	readonly chunkBytes?: number;
}

/** Default chunk size for file reads, in bytes. */
export const defaultChunkBytes = 4 * 1024 * 1024;

/**
 * Reads a transcript file: JSONL streams through the reader chunk by chunk, JSON documents are read whole. The
 * first chunk doubles as the detection head, and reading stops at the size the file had when opened (bytes an
 * agent appends meanwhile are for the live reader), so a small file costs one read.
 */
export async function readTranscriptFile(path: string, options: FileReadOptions = {}): Promise<ReadResult> {
	const opened = await openFile(path);
	if (!opened.ok) return opened.result;
	const { handle, size } = opened;
	try {
		const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
		if (options.signal?.aborted === true) return fail('cancelled', path, 'the read was cancelled.');
		const chunk = Buffer.alloc(Math.max(1, Math.min(chunkBytes, size)));
		const { bytesRead: firstBytes } = await handle.read(chunk, 0, chunk.length, 0);
		const first = chunk.subarray(0, firstBytes);
		const checked = checkHead(first.subarray(0, Math.min(firstBytes, detectionHeadBytes)), path);
		if (!checked.ok) return checked.result;
		if (!checked.isDocument) {
			const detected = detectJsonlHead(checked.headText, path, options);
			if (!detected.ok) return detected.result;
			if (detected.format.createAccumulator !== undefined) {
				const reader = new JsonlTranscriptReader(detected.format, path, detected.detection);
				const take = (bytes: Buffer): void => reader.push(bytes);
				const streamed = await streamRest(handle, path, size, chunk, first, options, take);
				return streamed ?? reader.finish();
			}
		}
		const whole = Buffer.alloc(size);
		let filled = 0;
		const streamed = await streamRest(handle, path, size, chunk, first, options, (bytes) => {
			whole.set(bytes, filled);
			filled += bytes.length;
		});
		return streamed ?? parseTranscript(whole.subarray(0, filled), path, options);
	} finally {
		await handle.close();
	}
}

type OpenedFile =
	| { readonly ok: true; readonly handle: FileHandle; readonly size: number }
	| { readonly ok: false; readonly result: ReadResult };

async function openFile(path: string): Promise<OpenedFile> {
	try {
		const info = await stat(path);
		if (info.isDirectory()) {
			return {
				ok: false,
				result: fail(
					'isDirectory',
					path,
					'this is a directory; give the path of a transcript file inside it.',
				),
			};
		}
		const handle = await open(path, 'r');
		return { ok: true, handle, size: info.size };
	} catch (error) {
		return { ok: false, result: describeOpenError(error, path) };
	}
}

/** Turns a file-system error into a read failure that says what to do. */
export function describeOpenError(error: unknown, path: string): FailedRead {
	const code = (error as { code?: unknown }).code;
	if (code === 'ENOENT') return fail('notFound', path, 'no such file; check the path.');
	if (code === 'EISDIR')
		return fail('isDirectory', path, 'this is a directory; give the path of a transcript file inside it.');
	if (code === 'EACCES' || code === 'EPERM')
		return fail('unreadable', path, 'permission denied; check the file permissions.');
	const reason = error instanceof Error ? error.message : String(error);
	return fail('unreadable', path, `cannot read the file (${reason}).`);
}

/** Hands over the first chunk, then reads the rest in chunks into the same buffer, up to `size` bytes. */
async function streamRest(
	handle: FileHandle,
	path: string,
	size: number,
	buffer: Buffer,
	first: Buffer,
	options: FileReadOptions,
	take: (chunk: Buffer) => void,
): Promise<ReadResult | undefined> {
	// The reader keeps references into what it is given only for a pending partial line, which it copies, so the
	// one buffer can be read into again.
	take(first);
	let position = first.length;
	options.onProgress?.(position, size);
	while (position < size && first.length > 0) {
		if (options.signal?.aborted === true) return fail('cancelled', path, 'the read was cancelled.');
		const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
		if (bytesRead === 0) break;
		position += bytesRead;
		take(buffer.subarray(0, bytesRead));
		options.onProgress?.(position, size);
	}
	return undefined;
}
