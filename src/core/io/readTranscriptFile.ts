import { readFileSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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

/** Default chunk size for streamed file reads, in bytes. */
export const defaultChunkBytes = 1024 * 1024;

/** Files up to this size (unless a smaller chunk is asked for) are read with one synchronous call. */
export const wholeReadBytes = 4 * 1024 * 1024;

/**
 * Reads a transcript file: JSONL streams through the reader chunk by chunk, JSON documents are read whole. The
 * first chunk doubles as the detection head, and reading stops at the size the file had when opened (bytes an
 * agent appends meanwhile are for the live reader). A regular file of at most {@link wholeReadBytes} (or of one
 * chunk, when a chunk size is given) is read with one synchronous call: its parse blocks the thread far longer
 * than the read, while the four asynchronous round trips of a read (stat, open, read, close) left the thread
 * idle for about a millisecond per file.
 */
export async function readTranscriptFile(path: string, options: FileReadOptions = {}): Promise<ReadResult> {
	let info: Stats;
	try {
		info = statSync(path);
	} catch (error) {
		return describeOpenError(error, path);
	}
	if (info.isDirectory()) {
		return fail('isDirectory', path, 'this is a directory; give the path of a transcript file inside it.');
	}
	if (options.signal?.aborted === true) return fail('cancelled', path, 'the read was cancelled.');
	const size = info.size;
	const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
	if (info.isFile() && size <= (options.chunkBytes ?? wholeReadBytes))
		return readSmallFile(path, size, options);
	let handle: FileHandle;
	try {
		handle = await open(path, 'r');
	} catch (error) {
		return describeOpenError(error, path);
	}
	try {
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

/** Reads a file of at most one chunk in one call and parses the first `size` bytes (the size when opened). */
function readSmallFile(path: string, size: number, options: FileReadOptions): ReadResult {
	let bytes: Buffer;
	try {
		bytes = readFileSync(path);
	} catch (error) {
		return describeOpenError(error, path);
	}
	const opened = bytes.length > size ? bytes.subarray(0, size) : bytes;
	options.onProgress?.(opened.length, size);
	return parseTranscript(opened, path, options);
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
