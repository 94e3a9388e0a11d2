import { readFileSync } from 'node:fs';
import { parseTranscript } from '../src/core/transcript/readTranscript';

/** Where the incremental case cuts its source: the base file's end and the end after each append, in bytes. */
export interface IncrementalCuts {
	/** Bytes of the base file: the source through the end of the first message ending at or past the base size. */
	readonly baseEnd: number;
	/** Messages in the base file. */
	readonly baseMessages: number;
	/** End offset after each append step; step `i` appends the bytes from the previous end to `cuts[i]`. */
	readonly cuts: readonly number[];
}

/** Byte offsets just after each message's last line, from a parse of the whole source. */
function messageEnds(source: Buffer, path: string): number[] {
	const read = parseTranscript(source, path);
	if (!read.ok) throw new Error(`cannot parse ${path}: ${read.failure.message}`);
	const lineEnds: number[] = [];
	for (let at = source.indexOf(10); at >= 0; at = source.indexOf(10, at + 1)) lineEnds.push(at + 1);
	return read.transcript.messages.map((m) => lineEnds[m.lines.to - 1] ?? source.length);
}

/**
 * Cuts of the transcript at `path` for a base of at least `baseBytes` followed by appends of `appends[i]`
 * messages each, on message boundaries. Reads and parses the whole source, so the bench runs it in the parent
 * process, never in the child whose memory it measures.
 */
export function incrementalCuts(
	path: string,
	baseBytes: number,
	appends: readonly number[],
): IncrementalCuts {
	const ends = messageEnds(readFileSync(path), path);
	const baseIndex = ends.findIndex((end) => end >= baseBytes);
	if (baseIndex < 0) throw new Error(`${path} is shorter than ${baseBytes} bytes`);
	const cuts: number[] = [];
	let next = baseIndex;
	for (const count of appends) {
		next += count;
		const end = ends[next];
		if (end === undefined) throw new Error(`${path} has too few messages after the base`);
		cuts.push(end);
	}
	return { baseEnd: ends[baseIndex] ?? 0, baseMessages: baseIndex + 1, cuts };
}
