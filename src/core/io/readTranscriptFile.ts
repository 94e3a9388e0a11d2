import { constants, readFileSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isatty } from 'node:tty';
import {
	JsonlTranscriptReader,
	checkHead,
	detectJsonlHead,
	fail,
	hasDetectionHead,
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
	/** A pipe or device that delivers no byte for this long fails as `timedOut`, in milliseconds. */
	readonly pipeIdleTimeoutMs?: number;
	/** A pipe or device that delivers more than this fails as `tooLarge`, in bytes. */
	readonly maxPipeBytes?: number;
}

/** Default chunk size for streamed file reads, in bytes. */
export const defaultChunkBytes = 1024 * 1024;

/** Files up to this size (unless a smaller chunk is asked for) are read with one synchronous call. */
export const wholeReadBytes = 4 * 1024 * 1024;

/** How long a pipe may stay silent (no writer yet, or a writer that sends nothing) before the read gives up, in ms. */
export const defaultPipeIdleTimeoutMs = 30_000;

/** The most a pipe or device is read before the read gives up, in bytes (far above any real transcript). */
export const defaultMaxPipeBytes = 512 * 1024 * 1024;

// A non-blocking pipe with nothing to read is polled at this interval, in milliseconds.
const pipePollMs = 25;

/**
 * Reads a transcript file: JSONL streams through the reader chunk by chunk, JSON documents are read whole. The
 * detection head (at least the first chunk, and always the whole first line) is read first, and reading stops at
 * the size the file had when opened (bytes an agent appends meanwhile are for the live reader). A regular file of
 * at most {@link wholeReadBytes} (or of one chunk, when a chunk size is given) is read with one synchronous call:
 * its parse blocks the thread far longer than the read, while the four asynchronous round trips of a read (stat,
 * open, read, close) left the thread idle for about a millisecond per file. Pipes and devices are read without
 * ever blocking (see {@link readStreamedSource}); sockets are refused.
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
	if (!info.isFile()) return readStreamedSource(path, info, options);
	const size = info.size;
	const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
	if (size <= (options.chunkBytes ?? wholeReadBytes)) return readSmallFile(path, size, options);
	let handle: FileHandle;
	try {
		handle = await open(path, 'r');
	} catch (error) {
		return describeOpenError(error, path);
	}
	try {
		const chunk = Buffer.alloc(Math.max(1, Math.min(chunkBytes, size)));
		const first = await readHead(handle, size, chunk);
		const checked = checkHead(first, path);
		if (!checked.ok) return checked.result;
		if (!checked.isDocument) {
			const detected = detectJsonlHead(checked.headText, path, options, checked.head.parsed);
			if (!detected.ok) return detected.result;
			if (detected.format.createAccumulator !== undefined) {
				const reader = new JsonlTranscriptReader(detected.format, path, detected.detection);
				// The head's complete lines go in as the text detection decoded, the bytes after them as bytes.
				let skip = reader.pushHead(checked.head);
				const take = (bytes: Buffer): void => {
					reader.push(skip > 0 ? bytes.subarray(skip) : bytes);
					skip = 0;
				};
				const streamed = await streamRest(handle, path, size, chunk, first, options, take);
				return streamed ?? reader.finish();
			}
		}
		const whole = Buffer.alloc(size);
		let filled = 0;
		const streamed = await streamRest(handle, path, size, chunk, first, options, (bytes) => {
			whole.set(bytes.subarray(0, size - filled), filled);
			filled = Math.min(size, filled + bytes.length);
		});
		return streamed ?? parseTranscript(whole.subarray(0, filled), path, options);
	} finally {
		await handle.close();
	}
}

/**
 * Reads a file's start from offset 0 into `chunk` and on past it until the detection head is whole (the first line
 * ended, or `size` bytes read); the bytes returned are `chunk` itself when one chunk was enough.
 */
export async function readHead(handle: FileHandle, size: number, chunk: Buffer): Promise<Buffer> {
	const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size), 0);
	let head = chunk.subarray(0, bytesRead);
	while (head.length < size && !hasDetectionHead(head)) {
		const more = Buffer.alloc(Math.min(Math.max(chunk.length, head.length), size - head.length));
		const { bytesRead: added } = await handle.read(more, 0, more.length, head.length);
		if (added === 0) break;
		head = Buffer.concat([head, more.subarray(0, added)]);
	}
	return head;
}

/**
 * Reads what is not a regular file (a FIFO, `/dev/stdin` fed by a pipe, a device) without ever blocking a thread:
 * opened non-blocking, polled while it is silent, given up after `pipeIdleTimeoutMs` without a byte or past
 * `maxPipeBytes`, stopped by the signal. A terminal is refused (the read would wait for typing), and so is a socket.
 */
async function readStreamedSource(path: string, info: Stats, options: FileReadOptions): Promise<ReadResult> {
	if (info.isSocket())
		return fail('notAFile', path, 'this is a socket, not a transcript file; give the path of a file.');
	const idleMs = options.pipeIdleTimeoutMs ?? defaultPipeIdleTimeoutMs;
	const maxBytes = options.maxPipeBytes ?? defaultMaxPipeBytes;
	let handle: FileHandle;
	try {
		// O_NONBLOCK: opening a FIFO that has no writer would otherwise block a libuv thread for good, and a blocked
		// thread keeps the process from exiting even on Ctrl-C.
		handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
	} catch (error) {
		return describeOpenError(error, path);
	}
	try {
		if (isatty(handle.fd)) {
			return fail(
				'notAFile',
				path,
				'this is a terminal, not a transcript; pipe one in (cat session.jsonl | context-lens inspect /dev/stdin) or give a file path.',
			);
		}
		const chunks: Buffer[] = [];
		let total = 0;
		let lastByteMs = Date.now();
		const buffer = Buffer.alloc(options.chunkBytes ?? defaultChunkBytes);
		for (;;) {
			if (options.signal?.aborted === true) return fail('cancelled', path, 'the read was cancelled.');
			const bytesRead = await readAvailable(handle, buffer);
			if (typeof bytesRead !== 'number') return describeOpenError(bytesRead.error, path);
			if (bytesRead > 0) {
				chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
				total += bytesRead;
				lastByteMs = Date.now();
				if (total > maxBytes) {
					return fail(
						'tooLarge',
						path,
						`more than ${formatMebibytes(maxBytes)} arrived; that is no transcript. Save it to a file and read that.`,
					);
				}
				if (chunks.length === 1 && buffer.subarray(0, bytesRead).includes(0)) {
					return fail(
						'binary',
						path,
						'this is binary data, not a transcript (JSON or JSONL text expected).',
						1,
					);
				}
				options.onProgress?.(total, total);
				continue;
			}
			// 0 bytes from a FIFO before any data means no writer has connected yet (after data: end of input); a device
			// that returns 0 is at its end.
			if (bytesRead === 0 && (total > 0 || !info.isFIFO())) break;
			if (Date.now() - lastByteMs >= idleMs) {
				return fail(
					'timedOut',
					path,
					`nothing arrived for ${Math.round(idleMs / 1000)} s${total === 0 ? ' (is anything writing to it?)' : ''}; nothing was read. Start the writer first, or save the input to a file and read that.`,
				);
			}
			await delay(pipePollMs, options.signal);
		}
		return parseTranscript(Buffer.concat(chunks, total), path, options);
	} finally {
		await handle.close();
	}
}

/** Bytes a non-blocking read got (0 at end of input), -1 when nothing is available yet, or the error. */
async function readAvailable(handle: FileHandle, buffer: Buffer): Promise<number | { error: unknown }> {
	try {
		const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
		return bytesRead;
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		return code === 'EAGAIN' || code === 'EWOULDBLOCK' ? -1 : { error };
	}
}

/** Waits `ms`, or less when the signal aborts. */
function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
	return new Promise((resolveDelay) => {
		const timer = setTimeout(done, ms);
		signal?.addEventListener('abort', done, { once: true });
		function done(): void {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolveDelay();
		}
	});
}

function formatMebibytes(bytes: number): string {
	return `${Math.round(bytes / (1024 * 1024))} MB`;
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
