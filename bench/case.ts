// One measurement in its own process, so heap growth and caches of one case never reach another. Run by
// bench/run.ts as `node --expose-gc --import tsx bench/case.ts '<spec json>'`; prints one JSON line.
import { appendFileSync, closeSync, copyFileSync, openSync, readSync, statSync, truncateSync } from 'node:fs';
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
import { runPipeline, tiktokenEncoder, type PipelineName } from './pipelines';
import { buildPlanningInput } from './planInput';

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
			/** Bytes of `source` that make the base file (a message boundary, found by the parent). */
			readonly baseEnd: number;
			/** Messages appended by each step. */
			readonly appends: readonly number[];
			/** End offset in `source` after each step: step `i` appends the bytes from the previous end to `cuts[i]`. */
			readonly cuts: readonly number[];
			readonly reps: number;
			/**
			 * Every repetition takes the report path (`analyzeBudget`): the memory run, one repetition in a process
			 * of its own, so its peak is that of one live session and not of several made one after another.
			 */
			readonly reportEveryRep?: boolean;
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

/**
 * Planner timings at one size. A cold repetition counts every message with a fresh cache (`countMs`, what the
 * budget report does first) and then plans (`firstPlanMs`, building the window index); `coldMs` is their sum.
 * `summaryInputMs` then reads that plan's summariser input, which is made on first read.
 * `warmMs` plans again with the counts and the index in place, by strategy.
 */
export interface PlanResult {
	readonly messages: number;
	/** Bytes of the generated JSONL the transcript was parsed from: the size of the equivalent file. */
	readonly sourceBytes: number;
	readonly buildMs: number;
	readonly coldMs: readonly number[];
	readonly countMs: readonly number[];
	readonly firstPlanMs: readonly number[];
	/** Reading the first plan's `summaryInput`, which makes the summariser's copies of the middle then. */
	readonly summaryInputMs: readonly number[];
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
	if (spec.warmUp === true) collect();
	for (const file of spec.files) {
		const parseMs: number[] = [];
		const totalMs: number[] = [];
		let tokens = 0;
		let messages = 0;
		let format: string | undefined;
		let error: string | undefined;
		for (let rep = 0; rep < spec.reps && error === undefined; rep++) {
			// A forced full collection right before a small file made its read about half a millisecond slower
			// than the same read without one, which no real read pays: the warmed-up corpus is collected once
			// before its timed pass and its files then run back to back, as a user opens them in turn.
			if (spec.warmUp !== true) collect();
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

/** Bytes `from` to `to` of the open file `fd`, in a buffer of exactly that size. */
function readRange(fd: number, from: number, to: number): Buffer {
	const bytes = Buffer.alloc(to - from);
	for (let done = 0; done < bytes.length;) {
		const read = readSync(fd, bytes, done, bytes.length - done, from + done);
		if (read === 0) throw new Error(`the source ends before byte ${to}`);
		done += read;
	}
	return bytes;
}

// The parent finds the cuts, so this process never holds the whole source: the base file is a copy truncated
// to `baseEnd`, and each step reads only the bytes it appends.
async function incrementalCase(spec: Extract<CaseSpec, { kind: 'incremental' }>) {
	if (spec.cuts.length !== spec.appends.length) throw new Error('one cut is needed per append step');
	const baseEnd = spec.baseEnd;
	const steps = spec.appends.map((messages, i) => ({
		messages,
		bytes: (spec.cuts[i] ?? 0) - (i === 0 ? baseEnd : (spec.cuts[i - 1] ?? 0)),
		messagesSeen: [] as number[],
		refreshMs: [] as number[],
		recountMs: [] as number[],
		budgetMs: [] as number[],
	}));
	const source = openSync(spec.source, 'r');
	let baseMessages = 0;
	for (let rep = 0; rep < spec.reps; rep++) {
		copyFileSync(spec.source, spec.work);
		truncateSync(spec.work, baseEnd);
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
			const to = spec.cuts[i] ?? from;
			appendFileSync(spec.work, readRange(source, from, to));
			from = to;
			// Even repetitions time the bare re-count, odd ones the full report, each with its own warm cache.
			const isReport = spec.reportEveryRep === true || rep % 2 === 1;
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
	closeSync(source);
	return { baseBytes: baseEnd, baseMessages, steps };
}

function planCase(spec: Extract<CaseSpec, { kind: 'plan' }>): PlanResult {
	const built = performance.now();
	const { transcript, sourceBytes } = buildPlanningInput(spec.messages, spec.seed);
	const buildMs = performance.now() - built;
	const profile = resolveModel(transcript.meta.model);
	const contextWindow = profile.contextWindow;
	const coldMs: number[] = [];
	const countMs: number[] = [];
	const firstPlanMs: number[] = [];
	const summaryInputMs: number[] = [];
	const warmMs: Record<string, number[]> = Object.fromEntries(spec.strategies.map((s) => [s, []]));
	for (let rep = 0; rep < spec.reps; rep++) {
		// Caches keyed by message and part objects (the window index, tool descriptions) outlive a repetition, so
		// only a process's first repetition is a first plan: the bench runs one per process.
		const input = transcript;
		const cache = new MessageTokenCache(new TokenCounter(profile));
		forgetPieceCounts();
		collect();
		const started = performance.now();
		for (const message of input.messages) cache.countMessage(message);
		const counted = performance.now();
		const plan = planCompaction(input, { counter: cache, contextWindow });
		const planned = performance.now();
		countMs.push(counted - started);
		firstPlanMs.push(planned - counted);
		coldMs.push(planned - started);
		const read = performance.now();
		if (plan.summaryInput.length !== plan.counts.summarized - (plan.foldedSummary !== undefined ? 1 : 0))
			throw new Error('the summary input does not hold the summarised messages');
		summaryInputMs.push(performance.now() - read);
		for (const strategy of spec.strategies) {
			collect();
			const warmStarted = performance.now();
			planCompaction(input, { counter: cache, contextWindow, strategy });
			warmMs[strategy]?.push(performance.now() - warmStarted);
		}
	}
	return {
		messages: transcript.messages.length,
		sourceBytes,
		buildMs,
		coldMs,
		countMs,
		firstPlanMs,
		summaryInputMs,
		warmMs,
	};
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
