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

/** Reads a transcript file: JSONL streams through the reader chunk by chunk, JSON documents are read whole. */
export async function readTranscriptFile(path: string, options: FileReadOptions = {}): Promise<ReadResult> {
	const opened = await openFile(path);
	if (!opened.ok) return opened.result;
	const { handle, size } = opened;
	try {
		const chunkBytes = options.chunkBytes ?? defaultChunkBytes;
		const head = Buffer.alloc(Math.min(size, detectionHeadBytes));
		const { bytesRead: headBytes } = await handle.read(head, 0, head.length, 0);
		const checked = checkHead(head.subarray(0, headBytes), path);
		if (!checked.ok) return checked.result;
		if (!checked.isDocument) {
			const detected = detectJsonlHead(checked.headText, path, options);
			if (!detected.ok) return detected.result;
			if (detected.format.createAccumulator !== undefined) {
				const reader = new JsonlTranscriptReader(detected.format, path, detected.detection);
				const streamed = await streamInto(handle, path, size, chunkBytes, options, (chunk) =>
					reader.push(chunk),
				);
				return streamed ?? reader.finish();
			}
		}
		const whole = Buffer.alloc(size);
		let filled = 0;
		const streamed = await streamInto(handle, path, size, chunkBytes, options, (chunk) => {
			whole.set(chunk, filled);
			filled += chunk.length;
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

async function streamInto(
	handle: FileHandle,
	path: string,
	size: number,
	chunkBytes: number,
	options: FileReadOptions,
	take: (chunk: Buffer) => void,
): Promise<ReadResult | undefined> {
	const buffer = Buffer.alloc(Math.max(1, Math.min(chunkBytes, size)));
	let position = 0;
	for (;;) {
		if (options.signal?.aborted === true) return fail('cancelled', path, 'the read was cancelled.');
		const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
		if (bytesRead === 0) break;
		position += bytesRead;
		// The reader keeps references into what it is given only for a pending partial line, which it copies.
		take(buffer.subarray(0, bytesRead));
		options.onProgress?.(position, size);
	}
	return undefined;
}
