import type { DetectionSample } from './format';

/**
 * A file no reader claims but whose shape is known (FORMATS.md §6 and §7): what it is, and what the person can do
 * instead, so the refusal is not a bare "unknown format".
 */
export interface UnsupportedFormat {
	/** What the file is, as a noun phrase ("a GitHub Copilot CLI session (events.jsonl)"). */
	readonly name: string;
	/** What to do instead, in one sentence; absent when there is nothing to do but wait for a reader. */
	readonly advice?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Event types `codex exec --json` prints (not a rollout). */
const codexExecEvents: ReadonlySet<string> = new Set([
	'thread.started',
	'turn.started',
	'turn.completed',
	'turn.failed',
	'item.started',
	'item.updated',
	'item.completed',
]);

/** One known shape: how `context-lens formats` lists it, what the refusal calls a file of it, and the test. */
interface Rule extends UnsupportedFormat {
	readonly listed: string;
	matches(sample: DetectionSample, records: readonly Record<string, unknown>[]): boolean;
}

/** One file of OpenCode's storage: a session, a message or a part. */
function isOpenCodeRecord(d: Record<string, unknown>): boolean {
	return (
		(typeof d['projectID'] === 'string' && typeof d['directory'] === 'string' && isRecord(d['time'])) ||
		(typeof d['sessionID'] === 'string' &&
			(typeof d['role'] === 'string' ||
				(typeof d['type'] === 'string' && typeof d['messageID'] === 'string')))
	);
}

const rules: readonly Rule[] = [
	{
		listed: 'Aider chat histories',
		name: 'an Aider chat history (.aider.chat.history.md)',
		matches: (sample) => /^\s*# aider chat started at/.test(sample.head),
	},
	{
		listed: 'the output of `codex exec --json`',
		name: 'the output of `codex exec --json`, not a Codex session',
		advice: 'Open the session itself instead: ~/.codex/sessions/YYYY/MM/DD/rollout-….jsonl.',
		matches: (_, records) =>
			records.some((r) => typeof r['type'] === 'string' && codexExecEvents.has(r['type'])),
	},
	{
		listed: 'the output of `claude -p --output-format stream-json`',
		name: 'the output of `claude -p --output-format stream-json`, not a Claude Code session',
		advice: 'Open the session itself instead: ~/.claude/projects/<project>/<session id>.jsonl.',
		matches: (_, records) =>
			records.some(
				(r) =>
					(r['type'] === 'system' && r['subtype'] === 'init' && 'session_id' in r) ||
					(r['type'] === 'result' && ('total_cost_usd' in r || 'num_turns' in r)),
			),
	},
	{
		listed: 'GitHub Copilot CLI sessions (events.jsonl)',
		name: 'a GitHub Copilot CLI session (events.jsonl)',
		matches: (_, records) =>
			records.some((r) => typeof r['type'] === 'string' && r['type'].includes('.') && isRecord(r['data'])),
	},
	{
		listed: 'OpenCode storage records',
		name: 'one record of an OpenCode session (OpenCode stores a session as many session, message and part files, or in SQLite)',
		// One JSON object, sometimes followed by a blank line (then read as a line, not a document).
		matches: (sample, records) =>
			(isRecord(sample.document) ? [sample.document] : records).some(isOpenCodeRecord),
	},
	{
		listed: 'Cline and Roo ui_messages.json (api_conversation_history.json beside it is read)',
		name: 'a Cline or Roo ui_messages.json (what the panel shows, not what the model was sent)',
		advice: 'Open api_conversation_history.json in the same task folder instead; Context Lens reads it.',
		matches: (sample) =>
			Array.isArray(sample.document) &&
			sample.document.length > 0 &&
			sample.document.every(
				(m) => isRecord(m) && typeof m['ts'] === 'number' && (m['type'] === 'ask' || m['type'] === 'say'),
			),
	},
];

/** The files the refusal recognises, as `context-lens formats` lists them. */
export const recognizedUnread: readonly string[] = Object.freeze(rules.map((r) => r.listed));

/** The known format a sample no reader claims looks like, or undefined when it looks like none. */
export function recognizeUnsupported(sample: DetectionSample): UnsupportedFormat | undefined {
	const records = sample.firstRecords.filter(isRecord);
	return rules.find((r) => r.matches(sample, records));
}
