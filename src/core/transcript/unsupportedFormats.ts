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

/** The files the refusal recognises, as `context-lens formats` lists them (kept beside the rules that recognise them). */
export const recognizedUnread: readonly string[] = Object.freeze([
	'GitHub Copilot CLI sessions (events.jsonl)',
	'OpenCode storage records',
	'Aider chat histories',
	'Cline and Roo ui_messages.json (api_conversation_history.json beside it is read)',
	'the output of `codex exec --json` and of `claude -p --output-format stream-json`',
]);

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

type Rule = (
	sample: DetectionSample,
	records: readonly Record<string, unknown>[],
) => UnsupportedFormat | undefined;

const rules: readonly Rule[] = [
	(sample) =>
		/^\s*# aider chat started at/.test(sample.head)
			? { name: 'an Aider chat history (.aider.chat.history.md)' }
			: undefined,
	(_, records) =>
		records.some((r) => typeof r['type'] === 'string' && codexExecEvents.has(r['type']))
			? {
					name: 'the output of `codex exec --json`, not a Codex session',
					advice: 'Open the session itself instead: ~/.codex/sessions/YYYY/MM/DD/rollout-….jsonl.',
				}
			: undefined,
	(_, records) =>
		records.some(
			(r) =>
				(r['type'] === 'system' && r['subtype'] === 'init' && 'session_id' in r) ||
				(r['type'] === 'result' && ('total_cost_usd' in r || 'num_turns' in r)),
		)
			? {
					name: 'the output of `claude -p --output-format stream-json`, not a Claude Code session',
					advice: 'Open the session itself instead: ~/.claude/projects/<project>/<session id>.jsonl.',
				}
			: undefined,
	(_, records) =>
		records.some((r) => typeof r['type'] === 'string' && r['type'].includes('.') && isRecord(r['data']))
			? { name: 'a GitHub Copilot CLI session (events.jsonl)' }
			: undefined,
	(sample, records) => {
		// One file of OpenCode's storage: a session, a message or a part (one JSON object, sometimes with a blank line).
		const isOpenCode = (d: Record<string, unknown>): boolean =>
			(typeof d['projectID'] === 'string' && typeof d['directory'] === 'string' && isRecord(d['time'])) ||
			(typeof d['sessionID'] === 'string' &&
				(typeof d['role'] === 'string' ||
					(typeof d['type'] === 'string' && typeof d['messageID'] === 'string')));
		const d = sample.document;
		return (isRecord(d) ? [d] : records).some(isOpenCode)
			? {
					name: 'one record of an OpenCode session (OpenCode stores a session as many session, message and part files, or in SQLite)',
				}
			: undefined;
	},
	(sample) => {
		const d = sample.document;
		return Array.isArray(d) &&
			d.length > 0 &&
			d.every(
				(m) => isRecord(m) && typeof m['ts'] === 'number' && (m['type'] === 'ask' || m['type'] === 'say'),
			)
			? {
					name: 'a Cline or Roo ui_messages.json (what the panel shows, not what the model was sent)',
					advice:
						'Open api_conversation_history.json in the same task folder instead; Context Lens reads it.',
				}
			: undefined;
	},
];

/** The known format a sample no reader claims looks like, or undefined when it looks like none. */
export function recognizeUnsupported(sample: DetectionSample): UnsupportedFormat | undefined {
	const records = sample.firstRecords.filter(isRecord);
	for (const rule of rules) {
		const found = rule(sample, records);
		if (found !== undefined) return found;
	}
	return undefined;
}
