import type { DetectionSample, DetectionVerdict, TranscriptFormat } from '../format';
import { isJsonObject, type JsonObject } from './claudeCode/blocks';
import { ClaudeCodeAccumulator } from './claudeCode/accumulator';
import { writeClaudeSession } from './claudeCode/writer';

/** Record types Claude Code writes to a session log (FORMATS.md section 1), conversation and bookkeeping. */
const claudeRecordTypes = new Set([
	'user',
	'assistant',
	'system',
	'summary',
	'file-history-snapshot',
	'queue-operation',
	'progress',
	'attachment',
	'custom-title',
	'ai-title',
	'agent-name',
	'last-prompt',
	'mode',
	'permission-mode',
	'pr-link',
	'worktree-state',
]);

/** Keys that tie a record to Claude Code's chain and session bookkeeping. */
const claudeKeys = ['uuid', 'parentUuid', 'sessionId', 'leafUuid', 'messageId'] as const;

/** Whether one record looks like a Claude Code session record (section 7), and whether it carries the chain keys. */
function rateRecord(record: JsonObject): 'no' | 'yes' | 'chained' {
	const type = record['type'];
	if (typeof type !== 'string' || !claudeRecordTypes.has(type)) return 'no';
	// Codex rollouts wrap records in payloads, Gemini carries projectHash, chat JSONL has a top-level role.
	if ('payload' in record || 'projectHash' in record || 'role' in record) return 'no';
	// `claude -p --output-format stream-json` prints the same record types with `session_id` (and `uuid`); it is a
	// run's output, not a session log Claude Code can resume (FORMATS.md section 6), so it is not claimed here.
	if ('session_id' in record && !('sessionId' in record)) return 'no';
	if (!claudeKeys.some((key) => key in record)) return 'no';
	return 'uuid' in record && 'parentUuid' in record ? 'chained' : 'yes';
}

/** Rates a sample as a Claude Code session log: share of matching records, chain keys, and the projects path. */
function detectClaudeCode(sample: DetectionSample): DetectionVerdict | undefined {
	let objects = 0;
	let matching = 0;
	let chained = 0;
	for (const record of sample.firstRecords) {
		if (!isJsonObject(record)) continue;
		objects++;
		const rating = rateRecord(record);
		if (rating !== 'no') matching++;
		if (rating === 'chained') chained++;
	}
	if (matching === 0) return undefined;
	const inProjects = sample.path.replace(/\\/g, '/').includes('.claude/projects/');
	const score = Math.round((60 * matching) / objects) + (chained > 0 ? 30 : 0) + (inProjects ? 10 : 0);
	const reason =
		chained > 0
			? 'JSONL records with type/uuid/parentUuid (Claude Code session log)'
			: 'JSONL records with Claude Code record types and session keys (Claude Code session log)';
	return { score, reason: inProjects ? `${reason}, under .claude/projects/` : reason };
}

/** The Claude Code session log (`~/.claude/projects/<dir>/<sessionId>.jsonl`): read incrementally, written as a new resumable session. */
export const claudeCodeFormat: TranscriptFormat = {
	id: 'claude-code',
	label: 'Claude Code session',
	isJsonl: true,
	detect: detectClaudeCode,
	createAccumulator: () => new ClaudeCodeAccumulator(),
	write: writeClaudeSession,
};
