import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isJsonObject } from '../transcript/json';
import type { HookAgent } from './agents';
import type { GateAnswer, WindowFigures } from './gateChannel';
import { compactionLogPath, ensurePrivateDir } from './hookPaths';
import type { CompactTrigger } from './hookProtocol';
import { replaceFileAtomic } from '../io/atomicReplace';

/** Who decided whether an agent's compaction ran: the window's answer, or why no window answered. */
export type GateDecider = GateAnswer['by'] | 'no-window' | 'no-answer' | 'not-asked';

/** One compaction an agent announced: what was decided before, and the window after it ran. */
export interface CompactionRecord {
	readonly trigger: CompactTrigger;
	/** When the agent announced it (ISO 8601). */
	readonly at: string;
	/** `review`: held for a review in Context Lens; `compact`: the agent compacted (or was allowed to). */
	readonly decision: 'review' | 'compact';
	readonly by: GateDecider;
	readonly before?: WindowFigures;
	/** Our measure of the transcript once the agent reported the compaction done. */
	readonly after?: WindowFigures & { readonly at: string };
	/** Length of the summary the agent wrote, in characters (Claude Code reports it). */
	readonly summaryChars?: number;
}

/** The compactions of one session (kept newest last, at most `maxRecords`). */
export interface CompactionLog {
	readonly version: 1;
	readonly agent: HookAgent;
	readonly sessionId: string;
	readonly transcriptPath?: string;
	readonly compactions: readonly CompactionRecord[];
}

/** Records kept per session: the oldest go first. */
export const maxRecords = 50;

/** Reads a session's log; undefined when there is none or it cannot be read as one. */
export async function readCompactionLog(
	home: string,
	agent: HookAgent,
	sessionId: string,
): Promise<CompactionLog | undefined> {
	try {
		const value: unknown = JSON.parse(await readFile(compactionLogPath(home, agent, sessionId), 'utf8'));
		if (isJsonObject(value) && value['version'] === 1 && Array.isArray(value['compactions']))
			return value as unknown as CompactionLog;
	} catch {
		// None yet, or unreadable: a new log starts.
	}
	return undefined;
}

async function writeLog(home: string, log: CompactionLog): Promise<void> {
	const path = compactionLogPath(home, log.agent, log.sessionId);
	await ensurePrivateDir(dirname(path));
	await replaceFileAtomic(path, `${JSON.stringify(log, null, '\t')}\n`, 0o600);
}

/** Where a record belongs. */
export interface SessionKey {
	readonly agent: HookAgent;
	readonly sessionId: string;
	readonly transcriptPath?: string;
}

/** Adds the record of an announced compaction. */
export async function recordBefore(home: string, key: SessionKey, record: CompactionRecord): Promise<void> {
	const log = await readCompactionLog(home, key.agent, key.sessionId);
	await writeLog(home, {
		version: 1,
		agent: key.agent,
		sessionId: key.sessionId,
		...(key.transcriptPath !== undefined ? { transcriptPath: key.transcriptPath } : {}),
		compactions: [...(log?.compactions ?? []), record].slice(-maxRecords),
	});
}

/**
 * Completes the newest record of this trigger that the compaction ran for and has no `after` yet; when there is none
 * (the gate did not run), adds a record of its own.
 */
export async function recordAfter(
	home: string,
	key: SessionKey,
	trigger: CompactTrigger,
	after: CompactionRecord['after'],
	summaryChars: number | undefined,
): Promise<void> {
	const log = await readCompactionLog(home, key.agent, key.sessionId);
	const compactions = [...(log?.compactions ?? [])];
	let index = -1;
	for (let i = compactions.length - 1; i >= 0 && index === -1; i--) {
		const record = compactions[i];
		if (record?.trigger === trigger && record.decision === 'compact' && record.after === undefined) index = i;
	}
	const extra = {
		...(after !== undefined ? { after } : {}),
		...(summaryChars !== undefined ? { summaryChars } : {}),
	};
	const existing = compactions[index];
	if (existing !== undefined) compactions[index] = { ...existing, ...extra };
	else
		compactions.push({
			trigger,
			at: after?.at ?? new Date().toISOString(),
			decision: 'compact',
			by: 'not-asked',
			...extra,
		});
	await writeLog(home, {
		version: 1,
		agent: key.agent,
		sessionId: key.sessionId,
		...(key.transcriptPath !== undefined ? { transcriptPath: key.transcriptPath } : {}),
		compactions: compactions.slice(-maxRecords),
	});
}
