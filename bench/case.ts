// One measurement in its own process, so heap growth and caches of one case never reach another. Run by
// bench/run.ts as `node --expose-gc --import tsx bench/case.ts '<spec json>'`; prints one JSON line.
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { analyzeBudget } from '../src/core/budget/analyzeBudget';
import { MessageTokenCache } from '../src/core/budget/messageTokenCache';
import { planCompaction } from '../src/core/compaction/planCompaction';
import type { StrategyName } from '../src/core/compaction/strategies';
import { LiveTranscriptFile } from '../src/core/io/liveTranscriptFile';
import { readTranscriptFile } from '../src/core/io/readTranscriptFile';
import { forgetPieceCounts } from '../src/core/tokens/encoding';
import { resolveModel } from '../src/core/tokens/modelRegistry';
import { TokenCounter } from '../src/core/tokens/tokenCounter';
import { messagesInWindow } from '../src/core/transcript/model';
import { parseTranscript } from '../src/core/transcript/readTranscript';
import { runPipeline, tiktokenEncoder, type PipelineName } from './pipelines';
import { buildPlanningTranscript } from './planInput';

/** What one child process measures. */
export type CaseSpec =
	| {
			readonly kind: 'count';
			readonly files: readonly string[];
			readonly pipeline: PipelineName;
			readonly reps: number;
			/** Run every file once untimed first, so small files are not timed while the JIT is still cold. */
			readonly warmUp?: boolean;
	  }
	| {
			readonly kind: 'incremental';
			readonly source: string;
			readonly work: string;
			readonly baseBytes: number;
			readonly appends: readonly number[];
			readonly reps: number;
	  }
	| {
			readonly kind: 'plan';
			readonly messages: number;
			readonly seed: number;
			readonly strategies: readonly StrategyName[];
			readonly reps: number;
	  };

/** Timings of one file through one pipeline: parse and count separately, in milliseconds per repetition. */
export interface CountFileResult {
	readonly file: string;
	readonly bytes: number;
	readonly ok: boolean;
	readonly error?: string;
	readonly format?: string;
	readonly messages: number;
	readonly tokens: number;
	readonly parseMs: readonly number[];
	readonly totalMs: readonly number[];
}

/** One append step of the incremental case: bytes and messages added, and the re-count timings in ms. */
export interface IncrementalStep {
	readonly messages: number;
	readonly bytes: number;
	readonly messagesSeen: readonly number[];
	readonly refreshMs: readonly number[];
	readonly recountMs: readonly number[];
	readonly budgetMs: readonly number[];
}

/** Planner timings at one size: `coldMs` counts tokens too, `warmMs` reuses the counts, by strategy. */
export interface PlanResult {
	readonly messages: number;
	readonly buildMs: number;
	readonly coldMs: readonly number[];
	readonly warmMs: Readonly<Record<string, readonly number[]>>;
}

/** What a child prints: the case's figures plus its peak and starting resident memory in MiB. */
export type CaseOutput = { readonly maxRssMiB: number; readonly baselineRssMiB: number } & (
	| { readonly kind: 'count'; readonly files: readonly CountFileResult[] }
	| {
			readonly kind: 'incremental';
			readonly baseBytes: number;
			readonly baseMessages: number;
			readonly steps: readonly IncrementalStep[];
	  }
	| { readonly kind: 'plan'; readonly result: PlanResult }
);

function collect(): void {
	(globalThis as { gc?: () => void }).gc?.();
}

async function countCase(spec: Extract<CaseSpec, { kind: 'count' }>): Promise<CountFileResult[]> {
	if (spec.pipeline === 'tiktoken') tiktokenEncoder();
	if (spec.warmUp === true) {
		for (const file of spec.files) {
			const read = await readTranscriptFile(file);
			if (read.ok) runPipeline(spec.pipeline, read.transcript, file);
		}
	}
	const results: CountFileResult[] = [];
	for (const file of spec.files) {
		const parseMs: number[] = [];
		const totalMs: number[] = [];
		let tokens = 0;
		let messages = 0;
		let format: string | undefined;
		let error: string | undefined;
		for (let rep = 0; rep < spec.reps && error === undefined; rep++) {
			collect();
			const started = performance.now();
			const read = await readTranscriptFile(file);
			const parsed = performance.now();
			if (!read.ok) {
				error = read.failure.message;
				break;
			}
			tokens = runPipeline(spec.pipeline, read.transcript, file);
			const done = performance.now();
			parseMs.push(parsed - started);
			totalMs.push(done - started);
			messages = messagesInWindow(read.transcript).length;
			format = read.transcript.format;
		}
		const bytes = statSync(file).size;
		results.push({
			file,
			bytes,
			ok: error === undefined,
			...(error !== undefined ? { error } : {}),
			...(format !== undefined ? { format } : {}),
			messages,
			tokens,
			parseMs,
			totalMs,
		});
	}
	return results;
}

/** Byte offsets just after each message's last line, from a parse of the whole source. */
function messageEnds(source: Buffer, path: string): number[] {
	const read = parseTranscript(source, path);
	if (!read.ok) throw new Error(`cannot parse ${path}: ${read.failure.message}`);
	const lineEnds: number[] = [];
	for (let at = source.indexOf(10); at >= 0; at = source.indexOf(10, at + 1)) lineEnds.push(at + 1);
	return read.transcript.messages.map((m) => lineEnds[m.lines.to - 1] ?? source.length);
}

async function incrementalCase(spec: Extract<CaseSpec, { kind: 'incremental' }>) {
	const source = readFileSync(spec.source);
	const ends = messageEnds(source, spec.source);
	const baseIndex = ends.findIndex((end) => end >= spec.baseBytes);
	if (baseIndex < 0) throw new Error(`${spec.source} is shorter than ${spec.baseBytes} bytes`);
	const cuts: number[] = [];
	let next = baseIndex;
	for (const count of spec.appends) {
		next += count;
		const end = ends[next];
		if (end === undefined) throw new Error(`${spec.source} has too few messages after the base`);
		cuts.push(end);
	}
	const baseEnd = ends[baseIndex] ?? 0;
	const steps = spec.appends.map((messages, i) => ({
		messages,
		bytes: (cuts[i] ?? 0) - (i === 0 ? baseEnd : (cuts[i - 1] ?? 0)),
		messagesSeen: [] as number[],
		refreshMs: [] as number[],
		recountMs: [] as number[],
		budgetMs: [] as number[],
	}));
	let baseMessages = 0;
	for (let rep = 0; rep < spec.reps; rep++) {
		writeFileSync(spec.work, source.subarray(0, baseEnd));
		collect();
		const live = new LiveTranscriptFile(spec.work);
		const first = await live.refresh();
		if (!first.ok) throw new Error(`cannot read ${spec.work}: ${first.failure.message}`);
		const cache = new MessageTokenCache(new TokenCounter(resolveModel(first.transcript.meta.model)));
		analyzeBudget(first.transcript, { file: spec.work, cache });
		baseMessages = first.transcript.messages.length;
		let before = baseMessages;
		let from = baseEnd;
		for (const [i, step] of steps.entries()) {
			const to = cuts[i] ?? from;
			appendFileSync(spec.work, source.subarray(from, to));
			from = to;
			// Even repetitions time the bare re-count, odd ones the full report, each with its own warm cache.
			const isReport = rep % 2 === 1;
			const started = performance.now();
			const refreshed = await live.refresh();
			const read = performance.now();
			if (!refreshed.ok) throw new Error(`cannot re-read ${spec.work}: ${refreshed.failure.message}`);
			if (isReport) analyzeBudget(refreshed.transcript, { file: spec.work, cache });
			else for (const message of messagesInWindow(refreshed.transcript)) cache.countMessage(message);
			const done = performance.now();
			step.refreshMs.push(read - started);
			(isReport ? step.budgetMs : step.recountMs).push(done - started);
			step.messagesSeen.push(refreshed.transcript.messages.length - before);
			before = refreshed.transcript.messages.length;
		}
	}
	return { baseBytes: baseEnd, baseMessages, steps };
}

function planCase(spec: Extract<CaseSpec, { kind: 'plan' }>): PlanResult {
	const built = performance.now();
	const transcript = buildPlanningTranscript(spec.messages, spec.seed);
	const buildMs = performance.now() - built;
	const profile = resolveModel(transcript.meta.model);
	const contextWindow = profile.contextWindow;
	const coldMs: number[] = [];
	const warmMs: Record<string, number[]> = Object.fromEntries(spec.strategies.map((s) => [s, []]));
	for (let rep = 0; rep < spec.reps; rep++) {
		const cache = new MessageTokenCache(new TokenCounter(profile));
		forgetPieceCounts();
		collect();
		const started = performance.now();
		planCompaction(transcript, { counter: cache, contextWindow });
		coldMs.push(performance.now() - started);
		for (const strategy of spec.strategies) {
			collect();
			const warmStarted = performance.now();
			planCompaction(transcript, { counter: cache, contextWindow, strategy });
			warmMs[strategy]?.push(performance.now() - warmStarted);
		}
	}
	return { messages: transcript.messages.length, buildMs, coldMs, warmMs };
}

async function main(): Promise<void> {
	const spec = JSON.parse(process.argv[2] ?? '{}') as CaseSpec;
	collect();
	const baselineRssMiB = process.memoryUsage().rss / 1024 / 1024;
	let output: CaseOutput;
	if (spec.kind === 'count') {
		const files = await countCase(spec);
		output = { kind: 'count', files, maxRssMiB: 0, baselineRssMiB };
	} else if (spec.kind === 'incremental') {
		output = { kind: 'incremental', ...(await incrementalCase(spec)), maxRssMiB: 0, baselineRssMiB };
	} else {
		output = { kind: 'plan', result: planCase(spec), maxRssMiB: 0, baselineRssMiB };
	}
	// maxRSS is reported in KiB on Linux.
	process.stdout.write(
		`${JSON.stringify({ ...output, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
	);
}

void main();
