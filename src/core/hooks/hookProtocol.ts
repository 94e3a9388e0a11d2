import { isJsonObject } from '../transcript/json';
import type { HookAgent } from './agents';

/** What triggered a compaction: the person (`/compact`) or the agent, because the window is full. */
export type CompactTrigger = 'manual' | 'auto';

/**
 * One compaction hook event as the agent sends it on stdin. Claude Code sends `session_id`, `transcript_path`, `cwd`,
 * `hook_event_name`, `trigger` and, before, `custom_instructions` (after: `compact_summary`); Codex sends the same
 * names plus `turn_id` and `model`, with `transcript_path` possibly null.
 */
export interface CompactHookEvent {
	readonly event: 'PreCompact' | 'PostCompact';
	readonly sessionId: string;
	readonly transcriptPath: string | undefined;
	readonly cwd: string | undefined;
	readonly trigger: CompactTrigger;
	/** Before: what the person typed after `/compact` (Claude Code). */
	readonly customInstructions?: string;
	/** After: the summary the agent wrote (Claude Code). */
	readonly compactSummary?: string;
}

/** A hook input that cannot be used, with the reason (printed on stderr; the compaction then runs). */
export class HookInputError extends Error {
	override readonly name = 'HookInputError';
}

/** Reads the JSON an agent sends a compaction hook; throws HookInputError naming what is missing or wrong. */
export function parseCompactHookEvent(text: string): CompactHookEvent {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		throw new HookInputError(
			`the hook input on stdin is not JSON (${error instanceof Error ? error.message : String(error)})`,
		);
	}
	if (!isJsonObject(value)) throw new HookInputError('the hook input on stdin is not a JSON object');
	const event = value['hook_event_name'];
	if (event !== 'PreCompact' && event !== 'PostCompact')
		throw new HookInputError(
			`the hook input names the event ${JSON.stringify(event)}; this hook handles PreCompact and PostCompact`,
		);
	const sessionId = value['session_id'];
	if (typeof sessionId !== 'string' || sessionId === '')
		throw new HookInputError('the hook input has no session_id');
	const trigger = value['trigger'];
	if (trigger !== 'manual' && trigger !== 'auto')
		throw new HookInputError(
			`the hook input's trigger is ${JSON.stringify(trigger)}, not "manual" or "auto"`,
		);
	return {
		event,
		sessionId,
		transcriptPath: nonEmptyString(value['transcript_path']),
		cwd: nonEmptyString(value['cwd']),
		trigger,
		...optional('customInstructions', nonEmptyString(value['custom_instructions'])),
		...optional('compactSummary', nonEmptyString(value['compact_summary'])),
	};
}

function nonEmptyString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
	return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** What a compaction hook prints and exits with. */
export interface HookReply {
	/** Printed on stdout ('' for nothing). */
	readonly stdout: string;
	readonly exitCode: number;
}

/**
 * The reply that holds the agent's compaction. Claude Code reads `{"decision":"block","reason":…}` (the reason is
 * shown); Codex reads `{"continue":false,"stopReason":…}`, which stops the compaction and ends the turn.
 */
export function blockReply(agent: HookAgent, reason: string): HookReply {
	const body =
		agent === 'claude-code' ? { decision: 'block', reason } : { continue: false, stopReason: reason };
	return { stdout: JSON.stringify(body), exitCode: 0 };
}

/**
 * The reply that lets the compaction run: exit 0 and nothing on stdout. (Claude Code adds a PreCompact hook's
 * stdout to the summary instructions, so letting it run must print nothing there; notes go to stderr.)
 */
export const allowReply: HookReply = { stdout: '', exitCode: 0 };
