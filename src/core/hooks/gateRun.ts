import { agentLabel, type HookAgent } from './agents';
import { recordAfter, recordBefore, type CompactionRecord, type GateDecider } from './compactionLog';
import { askGate, type GateOutcome, type WindowFigures } from './gateChannel';
import {
	allowReply,
	blockReply,
	HookInputError,
	parseCompactHookEvent,
	type CompactHookEvent,
	type HookReply,
} from './hookProtocol';
import { fileStamp, type SettleRequest } from './settleRecord';

/** The gate's longest wait for a window's answer by default, in seconds (below the hook timeout it is installed with). */
export const defaultMaxWaitSeconds = 110;

/** What a hook run needs from outside. */
export interface HookRunContext {
	/** Context Lens's per-person folder (hookPaths.contextLensHome). */
	readonly home: string;
	/** Longest wait for a window's answer, in ms. */
	readonly maxWaitMs: number;
	/** A note for the person, printed on stderr (the agents show a hook's stderr in their logs). */
	readonly note: (line: string) => void;
	/**
	 * Our measure of a transcript, when there is one to take: the full CLI counts it itself; the hook bundle the
	 * extension ships asks a running window (it carries no tokenizer).
	 */
	readonly measure: (path: string) => Promise<WindowFigures | undefined>;
	readonly now?: () => number;
	/**
	 * Finishes the record after a compaction once the agent has written the session (a detached `hooks settle`
	 * process in the CLI: Claude Code writes it only after its hooks return). Without it the record measures at once.
	 */
	readonly settleLater?: (request: SettleRequest) => void;
}

/** The reason the agent shows when Context Lens holds its compaction. */
export function heldReason(agent: HookAgent): string {
	return `Context Lens: the compaction is held for a review in VS Code. Compact there, or run /compact in ${agentLabel(agent)} to let it compact.`;
}

/**
 * Runs the hook for one event read from stdin: before a compaction, asks the running window (see gateChannel) and
 * holds the compaction only on its `review` answer; every other outcome (no window, no answer in time, unreadable
 * input, any failure) lets the compaction run and says why on stderr. After a compaction, records our measure of the
 * transcript. Either way the session's record (compactionLog) is updated; a failure to record is only noted.
 */
export async function runCompactHook(
	agent: HookAgent,
	input: string,
	context: HookRunContext,
): Promise<HookReply> {
	let event: CompactHookEvent;
	try {
		event = parseCompactHookEvent(input);
	} catch (error) {
		if (!(error instanceof HookInputError)) throw error;
		context.note(`Context Lens: ${error.message}; the compaction runs as usual.`);
		return allowReply;
	}
	return event.event === 'PreCompact' ? gate(agent, event, context) : record(agent, event, context);
}

async function gate(agent: HookAgent, event: CompactHookEvent, context: HookRunContext): Promise<HookReply> {
	const now = context.now ?? Date.now;
	const at = new Date(now()).toISOString();
	const outcome = await askGate(
		context.home,
		{
			agent,
			sessionId: event.sessionId,
			trigger: event.trigger,
			...(event.transcriptPath !== undefined ? { transcriptPath: event.transcriptPath } : {}),
			...(event.cwd !== undefined ? { cwd: event.cwd } : {}),
		},
		now() + context.maxWaitMs,
	);
	const { decision, by, note } = decide(outcome, context.maxWaitMs);
	if (note !== undefined) context.note(`Context Lens: ${note}`);
	const before =
		outcome.kind === 'answered' && outcome.answer.figures !== undefined
			? outcome.answer.figures
			: await figuresOf(event.transcriptPath, context);
	await keep(context, () =>
		recordBefore(context.home, keyOf(agent, event), {
			trigger: event.trigger,
			at,
			decision,
			by,
			...(before !== undefined ? { before } : {}),
		}),
	);
	return decision === 'review' ? blockReply(agent, heldReason(agent)) : allowReply;
}

function decide(
	outcome: GateOutcome,
	maxWaitMs: number,
): { decision: CompactionRecord['decision']; by: GateDecider; note?: string } {
	const seconds = Number((maxWaitMs / 1000).toFixed(1));
	switch (outcome.kind) {
		case 'no-window':
			return {
				decision: 'compact',
				by: 'no-window',
				note: 'no VS Code window with Context Lens is running; the compaction runs as usual.',
			};
		case 'no-answer':
			return {
				decision: 'compact',
				by: 'no-answer',
				note: `VS Code did not answer within ${seconds} s; the compaction runs as usual.`,
			};
		case 'answered': {
			const { decision, by } = outcome.answer;
			if (decision === 'review')
				return { decision, by, note: 'held the compaction for a review in VS Code.' };
			const why =
				by === 'timeout'
					? 'nobody answered in VS Code in time'
					: by === 'manual'
						? 'a compaction you asked for is not held'
						: by === 'dismissed'
							? 'the question in VS Code was closed'
							: 'you chose to let it compact';
			return { decision, by, note: `${why}; the compaction runs.` };
		}
	}
}

async function record(
	agent: HookAgent,
	event: CompactHookEvent,
	context: HookRunContext,
): Promise<HookReply> {
	const now = context.now ?? Date.now;
	const path = event.transcriptPath;
	const since = path !== undefined && context.settleLater !== undefined ? await fileStamp(path) : undefined;
	if (path !== undefined && since !== undefined && context.settleLater !== undefined) {
		await keep(context, () =>
			recordAfter(context.home, keyOf(agent, event), event.trigger, undefined, event.compactSummary?.length),
		);
		context.settleLater({
			agent,
			sessionId: event.sessionId,
			transcriptPath: path,
			trigger: event.trigger,
			since,
		});
		return allowReply;
	}
	const figures = await figuresOf(path, context);
	await keep(context, () =>
		recordAfter(
			context.home,
			keyOf(agent, event),
			event.trigger,
			figures !== undefined ? { ...figures, at: new Date(now()).toISOString() } : undefined,
			event.compactSummary?.length,
		),
	);
	return allowReply;
}

function keyOf(agent: HookAgent, event: CompactHookEvent): Parameters<typeof recordBefore>[1] {
	return {
		agent,
		sessionId: event.sessionId,
		...(event.transcriptPath !== undefined ? { transcriptPath: event.transcriptPath } : {}),
	};
}

async function figuresOf(
	path: string | undefined,
	context: HookRunContext,
): Promise<WindowFigures | undefined> {
	if (path === undefined) return undefined;
	return context.measure(path).catch(() => undefined);
}

async function keep(context: HookRunContext, write: () => Promise<void>): Promise<void> {
	try {
		await write();
	} catch (error) {
		context.note(
			`Context Lens: could not record the compaction in ${context.home} (${error instanceof Error ? error.message : String(error)}).`,
		);
	}
}
