import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { hookAgents, isHookAgent } from '../core/hooks/agents';
import type { WindowFigures } from '../core/hooks/gateChannel';
import { defaultMaxWaitSeconds, runCompactHook } from '../core/hooks/gateRun';
import { parseStamp, settleArguments, settleRecord, type SettleRequest } from '../core/hooks/settleRecord';

// What the installed hooks run: `hooks gate|record|settle`. Shared by the full CLI (dist/cli.js) and the small hook
// bundle the extension ships (dist/hook.js, see hookMain.ts), so it imports nothing that edits settings or counts
// tokens: the measure comes in from the caller.

/** The verbs the agents' hooks (and the record's settle) run. */
export const hookVerbs: ReadonlySet<string> = new Set(['gate', 'record', 'settle']);

/** Where a hook prints. */
export interface HookIo {
	out(text: string): void;
	err(text: string): void;
}

/** What a hook run takes from its caller. */
export interface HookRunnerOptions {
	readonly home: string;
	readonly measure: (path: string) => Promise<WindowFigures | undefined>;
	readonly readStdin?: () => Promise<string>;
	readonly settleLater?: (request: SettleRequest) => void;
}

/** The hook options, parsed by the caller. */
export interface HookValues {
	readonly agent?: string | undefined;
	readonly 'max-wait'?: string | undefined;
	readonly session?: string | undefined;
	readonly transcript?: string | undefined;
	readonly trigger?: string | undefined;
	readonly since?: string | undefined;
}

/** Runs a hook verb; gate and record never fail the agent (exit 0 unless the reply holds the compaction). */
export async function runHookVerb(
	verb: string,
	values: HookValues,
	io: HookIo,
	options: HookRunnerOptions,
): Promise<number> {
	if (verb === 'settle') return runSettle(values, io, options);
	const note = (line: string): void => io.err(line);
	const agent = values.agent;
	if (!isHookAgent(agent)) {
		note(
			`Context Lens: the hook names no known agent (--agent ${hookAgents.join('|')}); the compaction runs as usual.`,
		);
		return 0;
	}
	const seconds = values['max-wait'] === undefined ? defaultMaxWaitSeconds : Number(values['max-wait']);
	const maxWaitMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : defaultMaxWaitSeconds) * 1000;
	try {
		const input = await (options.readStdin ?? readAllStdin)();
		const reply = await runCompactHook(agent, input, {
			home: options.home,
			maxWaitMs,
			note,
			measure: options.measure,
			settleLater: options.settleLater ?? settleInBackground,
		});
		if (reply.stdout !== '') io.out(reply.stdout);
		return reply.exitCode;
	} catch (error) {
		note(
			`Context Lens: the hook failed (${error instanceof Error ? error.message : String(error)}); the compaction runs as usual.`,
		);
		return 0;
	}
}

/**
 * Starts `hooks settle` with this same script, detached from the agent (which writes the compacted session only once
 * its hooks returned), so the hook itself returns at once.
 */
function settleInBackground(request: SettleRequest): void {
	const script = process.argv[1];
	if (script === undefined) return;
	spawn(process.execPath, [realpathSync(script), 'hooks', ...settleArguments(request)], {
		detached: true,
		stdio: 'ignore',
	}).unref();
}

/** `hooks settle`: finishes a compaction's record once the agent wrote the session (see settleRecord). */
async function runSettle(values: HookValues, io: HookIo, options: HookRunnerOptions): Promise<number> {
	const since = parseStamp(values.since);
	const { agent, session, transcript, trigger } = values;
	if (
		!isHookAgent(agent) ||
		session === undefined ||
		transcript === undefined ||
		since === undefined ||
		(trigger !== 'manual' && trigger !== 'auto')
	) {
		io.err(
			'context-lens: settle needs --agent, --session, --transcript, --trigger manual|auto and --since SIZE:MTIME.',
		);
		return 2;
	}
	await settleRecord(
		options.home,
		{ agent, sessionId: session, transcriptPath: transcript, trigger, since },
		options.measure,
	);
	io.out(`Recorded the compaction of ${session}.`);
	return 0;
}

/** Longest the hook waits for the agent's event on stdin, in ms. */
const stdinTimeoutMs = 10_000;

function readAllStdin(): Promise<string> {
	return new Promise((resolveRead, reject) => {
		if (process.stdin.isTTY) {
			reject(new Error("the hook reads the agent's event on stdin; it is run by the agent, not by hand"));
			return;
		}
		const chunks: Buffer[] = [];
		const timer = setTimeout(() => reject(new Error('no event arrived on stdin')), stdinTimeoutMs);
		process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
		process.stdin.on('end', () => {
			clearTimeout(timer);
			resolveRead(Buffer.concat(chunks).toString('utf8'));
		});
		process.stdin.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
	});
}
