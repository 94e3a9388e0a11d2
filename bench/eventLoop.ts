// The event-loop case of `npm run bench` (issue #18): a generated 100 MiB session opened, appended to and re-counted,
// re-planned and planned for compaction through the extension's analysis calls, in the worker thread the extension
// uses and, for comparison, on the measured thread itself; each run in its own process (bench/eventLoopCase.ts).
// `node --import tsx bench/eventLoop.ts` measures this case alone, stores it in bench/results.json and re-renders
// docs/performance.md from there.
import { buildSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
	eventLoopSteps,
	type EventLoopMode,
	type EventLoopOutput,
	type EventLoopSpec,
	type EventLoopStep,
} from './eventLoopCase';
import { generateClaudeSession } from './generateClaudeSession';
import { availableParallelism, loadavg } from 'node:os';
import { fixed, markdownTable, median } from './stats';

const root = resolve(__dirname, '..');
const workDir = join(root, 'bench', '.work');
const mebibyte = 1024 * 1024;

/** Size of the session opened, in bytes: the 100 MiB of the issue. */
const baseBytes = 100 * mebibyte;
/** Bytes appended while it is open (whole records of the same generated session). */
const appendBytes = 64 * 1024;
/** Runs per mode, one process each, the modes taking turns. */
const runsPerMode = 3;

/** Every run of each mode, the input they share, and how busy the machine was (one-minute load averages). */
export interface EventLoopFigures {
	readonly baseBytes: number;
	readonly appendedBytes: number;
	readonly messages: number;
	readonly runs: Readonly<Record<EventLoopMode, readonly EventLoopOutput[]>>;
	readonly loadAverage: { readonly start: number; readonly end: number };
}

/** The generated session (base and what is appended), cut at line ends; generated once into bench/.work. */
function input(): { source: string; baseEnd: number; appendEnd: number } {
	const source = join(workDir, `claude-seed100-${baseBytes + 4 * appendBytes}.jsonl`);
	if (!existsSync(source)) {
		process.stderr.write(`generating ${relative(root, source)}\n`);
		writeFileSync(source, generateClaudeSession({ seed: 100, targetBytes: baseBytes + 4 * appendBytes }));
	}
	const bytes = readFileSync(source);
	const baseEnd = bytes.lastIndexOf(10, baseBytes) + 1;
	const appendEnd = bytes.lastIndexOf(10, baseEnd + appendBytes) + 1;
	return { source, baseEnd, appendEnd };
}

/** The child, bundled as the extension is (CommonJS, no TypeScript loader at run time). */
const childScript = join(workDir, 'eventLoopCase.cjs');

function runChild(spec: EventLoopSpec): EventLoopOutput {
	const child = spawnSync(process.execPath, [childScript, JSON.stringify(spec)], {
		cwd: root,
		encoding: 'utf8',
		maxBuffer: 16 * mebibyte,
	});
	const last = child.stdout.trim().split('\n').pop() ?? '';
	if (child.status !== 0 || !last.startsWith('{')) {
		throw new Error(
			`event-loop case (${spec.mode}) failed (exit ${child.status}): ${child.stderr.slice(-2000)}`,
		);
	}
	return JSON.parse(last) as EventLoopOutput;
}

/**
 * Builds dist/ as it ships (dist/extension.js is also the worker the worker mode starts) and the child, then runs
 * the modes in turn.
 */
export function measureEventLoop(): EventLoopFigures {
	process.stderr.write('event loop: building dist/ (node esbuild.mjs --production) and the child\n');
	const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, encoding: 'utf8' });
	if (build.status !== 0) throw new Error(`the build failed: ${build.stderr}`);
	buildSync({
		entryPoints: [join(root, 'bench', 'eventLoopCase.ts')],
		outfile: childScript,
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		mainFields: ['module', 'main'],
		logLevel: 'warning',
	});
	const { source, baseEnd, appendEnd } = input();
	const startLoad = loadavg()[0] ?? 0;
	const runs: Record<EventLoopMode, EventLoopOutput[]> = { worker: [], main: [] };
	for (let run = 0; run < runsPerMode; run++) {
		for (const mode of ['worker', 'main'] as const) {
			process.stderr.write(`event loop: ${mode} thread, run ${run + 1} of ${runsPerMode}\n`);
			runs[mode].push(
				runChild({
					mode,
					source,
					work: join(workDir, `event-loop-${mode}.jsonl`),
					baseEnd,
					appendEnd,
					workerScript: join(root, 'dist', 'extension.js'),
				}),
			);
		}
	}
	const first = runs.worker[0];
	return {
		baseBytes: baseEnd,
		appendedBytes: appendEnd - baseEnd,
		messages: first?.messages ?? 0,
		runs,
		loadAverage: { start: round2(startLoad), end: round2(loadavg()[0] ?? 0) },
	};
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}

/** The runs' figures of one step. */
function stepsNamed(outputs: readonly EventLoopOutput[], name: string): EventLoopStep[] {
	return outputs.flatMap((o) => o.steps.filter((s) => s.step === name));
}

/** The section of docs/performance.md: how long the measured thread's loop was blocked, worker and main side by side. */
export function renderEventLoop(figures: EventLoopFigures): string {
	const rows = eventLoopSteps.map((name) => {
		const worker = stepsNamed(figures.runs.worker, name);
		const main = stepsNamed(figures.runs.main, name);
		const med = (steps: readonly EventLoopStep[], pick: (s: EventLoopStep) => number): number =>
			median(steps.map(pick));
		const workerMax = med(worker, (s) => s.maxDelayMs);
		const mainMax = med(main, (s) => s.maxDelayMs);
		return [
			name,
			fixed(med(worker, (s) => s.wallMs) / 1000, 1),
			fixed(workerMax, 0),
			fixed(Math.max(...worker.map((s) => s.maxDelayMs)), 0),
			fixed(
				med(worker, (s) => s.p99DelayMs),
				0,
			),
			fixed(
				med(worker, (s) => s.activeMs),
				0,
			),
			fixed(
				med(worker, (s) => s.controlMaxDelayMs),
				0,
			),
			fixed(med(main, (s) => s.wallMs) / 1000, 1),
			fixed(mainMax, 0),
			fixed(
				med(main, (s) => s.p99DelayMs),
				0,
			),
			fixed(
				med(main, (s) => s.activeMs),
				0,
			),
			`${fixed(mainMax / Math.max(workerMax, 1), 0)}x`,
		];
	});
	const runs = Math.min(figures.runs.worker.length, figures.runs.main.length);
	const control = ` Beside each run an idle Node process measures its own loop over the same steps: its max is the delay the machine alone caused then (other processes taking the CPUs), which no thread here can go below; the one-minute load average was ${figures.loadAverage.start} when the case started and ${figures.loadAverage.end} when it ended, on ${availableParallelism()} logical CPUs.`;
	return [
		'### Event loop while a 100 MB session opens',
		'',
		`A generated ${fixed(figures.baseBytes / 1e6, 1)} MB Claude Code session (${figures.messages} messages after the append) goes through the extension's analysis calls (\`src/worker/client.ts\`), as the extension makes them: open (read and count, then the page's view), append ${fixed(figures.appendedBytes / 1024, 0)} KiB of the same session's next records and re-count (then the new view), a what-if plan (structure, 5 head messages), and compress planning (structure, no summariser). "Worker" runs them in the worker thread the extension starts (\`dist/extension.js\`, built with \`node esbuild.mjs --production\`); "main" runs the same code on the measured thread (\`InProcessAnalysisClient\`), as the extension did before. \`perf_hooks.monitorEventLoopDelay\` (10 ms resolution) watches the measured thread: the max is its longest block; "busy" is the time its loop spent running tasks (\`performance.eventLoopUtilization\`). Medians of ${runs} runs per mode, each in its own Node process, the modes taking turns; "worst max" is the largest of the worker runs. Target: the loop never blocked for more than 50 ms in the worker mode.${control} The extension-host test (\`test/host/suite/eventLoop.test.ts\`, \`npm run test:host\`) measures the same steps inside a real VS Code extension host and writes \`.test-output/host/event-loop.json\`.`,
		'',
		markdownTable(
			[
				'step',
				'worker: wall s',
				'worker: max delay ms',
				'worker: worst max ms',
				'worker: p99 ms',
				'worker: thread busy ms',
				'worker: idle process beside it, max ms',
				'main: wall s',
				'main: max delay ms',
				'main: p99 ms',
				'main: thread busy ms',
				'max delay, main / worker',
			],
			rows,
		),
	].join('\n');
}

// Run alone: measure this case, keep it in bench/results.json beside the other cases, and re-render the page.
if (/eventLoop\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
	const resultsPath = join(root, 'bench', 'results.json');
	const figures = measureEventLoop();
	const results = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as object) : {};
	writeFileSync(resultsPath, `${JSON.stringify({ ...results, eventLoop: figures }, null, '\t')}\n`);
	process.stdout.write(`${renderEventLoop(figures)}\n`);
	const rendered = spawnSync(
		process.execPath,
		['--import', 'tsx', join(root, 'bench', 'run.ts'), '--render'],
		{
			cwd: root,
			stdio: ['ignore', 'ignore', 'inherit'],
		},
	);
	process.exitCode = rendered.status ?? 1;
}
