import { stat } from 'node:fs/promises';
import type { HookAgent } from './agents';
import { recordAfter } from './compactionLog';
import type { CompactTrigger } from './hookProtocol';
import type { WindowFigures } from './gateChannel';

/** A file's size and modification time, to tell when the agent has written to it. */
export interface FileStamp {
	readonly size: number;
	readonly mtimeMs: number;
}

export async function fileStamp(path: string): Promise<FileStamp | undefined> {
	try {
		const { size, mtimeMs } = await stat(path);
		return { size, mtimeMs };
	} catch {
		return undefined;
	}
}

/** How a settle waits: the longest wait, the quiet time that counts as done, and the poll interval (ms). */
export interface SettleTiming {
	readonly timeoutMs: number;
	readonly quietMs: number;
	readonly pollMs: number;
}

export const defaultSettleTiming: SettleTiming = { timeoutMs: 60_000, quietMs: 1_000, pollMs: 250 };

/**
 * Waits until the file differs from `since` and has then stayed the same for `quietMs`, or `timeoutMs` passed.
 * (Claude Code writes the compacted session only after its PostCompact hooks have returned.) True when it changed.
 */
export async function waitForWrite(path: string, since: FileStamp, timing: SettleTiming): Promise<boolean> {
	const deadline = Date.now() + timing.timeoutMs;
	let last = since;
	let changedAt: number | undefined;
	while (Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, timing.pollMs));
		const now = await fileStamp(path);
		if (now === undefined) continue;
		if (now.size !== last.size || now.mtimeMs !== last.mtimeMs) {
			last = now;
			changedAt = Date.now();
		} else if (changedAt !== undefined && Date.now() - changedAt >= timing.quietMs) return true;
	}
	return changedAt !== undefined;
}

/** What the record after a compaction passes to the process that finishes it. */
export interface SettleRequest {
	readonly agent: HookAgent;
	readonly sessionId: string;
	readonly transcriptPath: string;
	readonly trigger: CompactTrigger;
	readonly since: FileStamp;
}

/** The arguments of `context-lens hooks settle` for a request (and back). */
export function settleArguments(request: SettleRequest): string[] {
	return [
		'settle',
		'--agent',
		request.agent,
		'--session',
		request.sessionId,
		'--transcript',
		request.transcriptPath,
		'--trigger',
		request.trigger,
		'--since',
		`${request.since.size}:${request.since.mtimeMs}`,
	];
}

/** Reads `--since SIZE:MTIME`. */
export function parseStamp(text: string | undefined): FileStamp | undefined {
	const match = /^(\d+):(\d+(?:\.\d+)?)$/.exec(text ?? '');
	return match === null ? undefined : { size: Number(match[1]), mtimeMs: Number(match[2]) };
}

/**
 * Finishes the record of a compaction: once the agent has written the compacted session (or the wait is over),
 * measures it and stores the figures as the record's `after`.
 */
export async function settleRecord(
	home: string,
	request: SettleRequest,
	measure: (path: string) => Promise<WindowFigures | undefined>,
	timing = defaultSettleTiming,
): Promise<void> {
	await waitForWrite(request.transcriptPath, request.since, timing);
	const figures = await measure(request.transcriptPath).catch(() => undefined);
	if (figures === undefined) return;
	await recordAfter(
		home,
		{ agent: request.agent, sessionId: request.sessionId, transcriptPath: request.transcriptPath },
		request.trigger,
		{ ...figures, at: new Date().toISOString() },
		undefined,
	);
}
