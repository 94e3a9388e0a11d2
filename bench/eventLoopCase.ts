// One event-loop run in its own process: a big session opened, grown and re-planned through the extension's analysis
// calls, either in the worker thread the extension starts (WorkerAnalysisClient over dist/extension.js) or on this
// thread (InProcessAnalysisClient, the same code without the thread), while monitorEventLoopDelay watches this
// thread's loop. bench/eventLoop.ts bundles it with esbuild and runs it with plain node, as the extension host runs
// the extension (no TypeScript loader, whose module hooks would block this thread): `node eventLoopCase.cjs '<spec>'`;
// it prints one JSON line.
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, copyFileSync, openSync, readSync, rmSync, truncateSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WorkerAnalysisClient, type AnalysisClient } from '../src/worker/client';
import { InProcessAnalysisClient } from '../src/worker/inProcessClient';
import type { PlanSettings } from '../src/worker/protocol';

/** Where the analysis runs: the worker thread, or the thread whose loop is measured. */
export type EventLoopMode = 'worker' | 'main';

/** What one child measures. */
export interface EventLoopSpec {
	readonly mode: EventLoopMode;
	/** The generated session the base file and the append are cut from. */
	readonly source: string;
	/** The file opened: a copy of `source` truncated to `baseEnd`. */
	readonly work: string;
	readonly baseEnd: number;
	/** End of the bytes appended after the open (from `baseEnd`), on a line end. */
	readonly appendEnd: number;
	/** dist/extension.js (also the analysis worker), for the worker mode. */
	readonly workerScript: string;
}

/** One step as the loop saw it: wall time, longest and 99th-percentile delay, time spent running tasks (all ms). */
export interface EventLoopStep {
	readonly step: string;
	readonly wallMs: number;
	readonly maxDelayMs: number;
	readonly p99DelayMs: number;
	readonly activeMs: number;
	/**
	 * The longest delay an idle Node process beside this one saw over the same step, in ms: what the machine alone
	 * caused then (other processes taking the CPUs), the floor no thread of this process can go below.
	 */
	readonly controlMaxDelayMs: number;
}

/** What a child prints. */
export interface EventLoopOutput {
	readonly mode: EventLoopMode;
	readonly baseBytes: number;
	readonly appendedBytes: number;
	readonly messages: number;
	readonly steps: readonly EventLoopStep[];
}

/** The step names, in order; the parent tabulates by them. */
export const eventLoopSteps = [
	'open',
	'append and re-count',
	'what-if re-plan',
	'compress planning',
] as const;

const plan: PlanSettings = {
	defaultStrategy: 'summarize',
	headMessages: 3,
	tailRatio: 0.2,
	compactionRatio: 0.8,
	rotationRatio: 0.95,
};

/** Resolves after `ms`. */
function delay(ms: number): Promise<void> {
	return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}

/** An idle Node process beside the measured one (this script, run with `control`), measuring its own loop per step. */
class IdleControl {
	private constructor(private readonly child: ChildProcess) {}

	static start(): IdleControl {
		return new IdleControl(
			fork(process.argv[1] ?? '', ['control'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
		);
	}

	private ask(message: 'start' | 'stop'): Promise<number> {
		return new Promise((resolveAnswer) => {
			this.child.once('message', (answer) =>
				resolveAnswer(Number((answer as { maxDelayMs?: unknown }).maxDelayMs)),
			);
			this.child.send(message);
		});
	}

	/** Starts measuring (resolves once the control's histogram has ticked). */
	async begin(): Promise<void> {
		await this.ask('start');
	}

	/** Stops measuring: the longest delay it saw since `begin`, in ms. */
	end(): Promise<number> {
		return this.ask('stop');
	}

	close(): void {
		this.child.kill();
	}
}

/** The control's side: a histogram from `start` to `stop`, its max sent back. */
function serveControl(): void {
	let histogram = monitorEventLoopDelay({ resolution: 10 });
	process.on('message', (message) => {
		void (async () => {
			if (message === 'start') {
				histogram = monitorEventLoopDelay({ resolution: 10 });
				histogram.enable();
				await delay(20);
				process.send?.({ maxDelayMs: 0 });
			} else if (message === 'stop') {
				await delay(20);
				histogram.disable();
				process.send?.({ maxDelayMs: histogram.max / 1e6 });
			}
		})();
	});
}

/** Runs `work` with the delay histogram (10 ms resolution) and the loop's utilisation measured around it. */
async function measure(
	step: string,
	control: IdleControl,
	work: () => Promise<void>,
): Promise<EventLoopStep> {
	await control.begin();
	const histogram = monitorEventLoopDelay({ resolution: 10 });
	histogram.enable();
	// The histogram records from its second tick on: let it tick once before the work starts.
	await new Promise((resolveTurn) => setTimeout(resolveTurn, 20));
	const utilization = performance.eventLoopUtilization();
	const started = performance.now();
	await work();
	const wallMs = performance.now() - started;
	// One more turn of the loop, so a block that ended the step is recorded too (the histogram samples on its timer).
	await new Promise((resolveTurn) => setTimeout(resolveTurn, 20));
	histogram.disable();
	const { active } = performance.eventLoopUtilization(utilization);
	return {
		step,
		wallMs,
		maxDelayMs: histogram.max / 1e6,
		p99DelayMs: histogram.percentile(99) / 1e6,
		activeMs: active,
		controlMaxDelayMs: await control.end(),
	};
}

function readRange(path: string, from: number, to: number): Buffer {
	const fd = openSync(path, 'r');
	try {
		const bytes = Buffer.alloc(to - from);
		for (let done = 0; done < bytes.length;) {
			const read = readSync(fd, bytes, done, bytes.length - done, from + done);
			if (read === 0) throw new Error(`${path} ends before byte ${to}`);
			done += read;
		}
		return bytes;
	} finally {
		closeSync(fd);
	}
}

function expectOk<T extends { readonly ok: boolean }>(what: string, result: T): Extract<T, { ok: true }> {
	if (!result.ok)
		throw new Error(`${what}: ${(result as unknown as { message?: string }).message ?? 'failed'}`);
	return result as Extract<T, { ok: true }>;
}

/**
 * The steps as the extension runs them: open (first read and count, then the page's view), an append re-counted
 * (then the new view), a what-if plan, and a compress plan (structure: planning without a summariser). The view's
 * JSON bytes are not decoded here: the page does that, in the webview's process.
 */
async function runSteps(
	client: AnalysisClient,
	spec: EventLoopSpec,
	control: IdleControl,
): Promise<EventLoopOutput> {
	const session = { path: spec.work, windows: {} };
	const steps: EventLoopStep[] = [];
	let messages = 0;
	steps.push(
		await measure('open', control, async () => {
			const opened = expectOk('open', await client.call('session.refresh', session));
			messages = opened.report.messages;
			expectOk('view', await client.call('session.view', { ...session, plan }));
		}),
	);
	const appended = readRange(spec.source, spec.baseEnd, spec.appendEnd);
	steps.push(
		await measure('append and re-count', control, async () => {
			appendFileSync(spec.work, appended);
			const grown = expectOk('re-count', await client.call('session.refresh', session));
			if (!grown.hasChanged) throw new Error('the append was not seen');
			messages = grown.report.messages;
			expectOk('view', await client.call('session.view', { ...session, plan }));
		}),
	);
	steps.push(
		await measure('what-if re-plan', control, async () => {
			const planned = expectOk(
				'what-if',
				await client.call('session.plan', {
					...session,
					plan,
					whatIf: { strategy: 'structure', headMessages: 5 },
				}),
			);
			if (planned.plan.whatIf.headMessages !== 5) throw new Error('the what-if was not applied');
		}),
	);
	steps.push(
		await measure('compress planning', control, async () => {
			expectOk(
				'compress',
				await client.call('review.create', {
					file: spec.work,
					request: { strategy: 'structure' },
					settings: { headMessages: 3, tailRatio: 0.2, triggerRatio: 0.8, rotationRatio: 0.95, windows: {} },
					summarizer: undefined,
					maxLostFacts: 200,
				}),
			);
		}),
	);
	return { mode: spec.mode, baseBytes: spec.baseEnd, appendedBytes: appended.length, messages, steps };
}

async function main(): Promise<void> {
	if (process.argv[2] === 'control') {
		serveControl();
		return;
	}
	const spec = JSON.parse(process.argv[2] ?? '{}') as EventLoopSpec;
	copyFileSync(spec.source, spec.work);
	truncateSync(spec.work, spec.baseEnd);
	const client =
		spec.mode === 'worker' ? new WorkerAnalysisClient(spec.workerScript) : new InProcessAnalysisClient();
	const control = IdleControl.start();
	try {
		const output = await runSteps(client, spec, control);
		process.stdout.write(`${JSON.stringify(output)}\n`);
	} finally {
		control.close();
		await client.dispose();
		rmSync(spec.work, { force: true });
	}
}

// Only run as the child: the parent imports the types and step names.
if (/eventLoopCase\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) void main();
