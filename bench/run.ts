// `npm run bench`: cold parse + count against peers, incremental re-count, planning and peak memory, each case in
// its own child process. Prints the tables, writes bench/results.json and the Performance section of docs/performance.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { corpusRoot } from '../test/support/corpus';
import type { CaseOutput, CaseSpec, CountFileResult, IncrementalStep, PlanResult } from './case';
import { measureEventLoop, renderEventLoop, type EventLoopFigures } from './eventLoop';
import { generateClaudeSession } from './generateClaudeSession';
import { incrementalCuts } from './incrementalInput';
import { floorSection, runFloorCase, type FloorFigures } from './parseFloor';
import { pipelineDescriptions, pipelineNames, type PipelineName } from './pipelines';
import { describeMachine, readMachineInfo, writeSection, type MachineInfo } from './report';
import { fixed, growthExponent, markdownTable, median, ratePerSecond, ratio } from './stats';
import { webviewFigures } from './webviewFigures';

const root = resolve(__dirname, '..');
const workDir = join(root, 'bench', '.work');
const mebibyte = 1024 * 1024;

/** A generated input: its seed and size fix its content. */
interface GeneratedInput {
	readonly label: string;
	readonly seed: number;
	readonly bytes: number;
	readonly reps: Readonly<Record<PipelineName, number>>;
}

const generated: readonly GeneratedInput[] = [
	{
		label: 'generated 10 MiB',
		seed: 10,
		bytes: 10 * mebibyte,
		reps: { budget: 5, exact: 5, tiktoken: 5, chars4: 5 },
	},
	{
		label: 'generated 100 MiB',
		seed: 100,
		bytes: 100 * mebibyte,
		reps: { budget: 3, exact: 3, tiktoken: 1, chars4: 3 },
	},
];
const incrementalBaseBytes = 50 * mebibyte;
const incrementalAppends = [1, 10, 100];
const planSizes = [1_000, 10_000, 100_000];

function generatedFile(seed: number, bytes: number): string {
	const path = join(workDir, `claude-seed${seed}-${bytes}.jsonl`);
	if (!existsSync(path)) {
		process.stderr.write(`generating ${relative(root, path)}\n`);
		writeFileSync(path, generateClaudeSession({ seed, targetBytes: bytes }));
	}
	return path;
}

function corpusTranscripts(dir = corpusRoot): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.sort()
		.flatMap((name) => {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) return corpusTranscripts(path);
			return name.endsWith('.md') ? [] : [path];
		});
}

function runCase(spec: CaseSpec): CaseOutput {
	const child = spawnSync(
		process.execPath,
		['--expose-gc', '--import', 'tsx', join(root, 'bench', 'case.ts'), JSON.stringify(spec)],
		{ cwd: root, encoding: 'utf8', maxBuffer: 64 * mebibyte },
	);
	const last = child.stdout.trim().split('\n').pop() ?? '';
	if (child.status !== 0 || !last.startsWith('{')) {
		throw new Error(`case ${spec.kind} failed (exit ${child.status}): ${child.stderr.slice(-2000)}`);
	}
	return JSON.parse(last) as CaseOutput;
}

function countCase(files: readonly string[], pipeline: PipelineName, reps: number, warmUp = false) {
	process.stderr.write(
		`count ${pipeline} × ${reps}: ${files.length === 1 ? relative(root, files[0] ?? '') : `${files.length} corpus files`}\n`,
	);
	const output = runCase({ kind: 'count', files, pipeline, reps, warmUp });
	if (output.kind !== 'count') throw new Error('a count case answered with another kind');
	return output;
}

/** One child process's peak RSS (maxRSS) and its RSS once loaded, before the case began, in MiB. */
interface ChildMemory {
	readonly maxRssMiB: number;
	readonly baselineRssMiB: number;
}

/** Median figures of one input through one pipeline. */
interface PipelineFigures {
	readonly totalMs: number;
	readonly parseMs: number;
	readonly tokens: number;
	readonly runs: number;
	/** Median over the children of each child's peak RSS. */
	readonly maxRssMiB?: number;
	/** Median over the children of each child's peak minus its own RSS at start. */
	readonly aboveStartMiB?: number;
	/** Every child's own figures, the medians' inputs. */
	readonly children?: readonly ChildMemory[];
}

function figuresOf(file: CountFileResult, children?: readonly ChildMemory[]): PipelineFigures {
	return {
		totalMs: median(file.totalMs),
		parseMs: median(file.parseMs),
		tokens: file.tokens,
		runs: file.totalMs.length,
		...(children !== undefined && children.length > 0
			? {
					maxRssMiB: median(children.map((c) => c.maxRssMiB)),
					// The loaded process's own RSS varies by up to 35 MiB between runs, more than a 10 MiB file adds,
					// so each child's own difference is noise; medians of the two are steady.
					aboveStartMiB:
						median(children.map((c) => c.maxRssMiB)) - median(children.map((c) => c.baselineRssMiB)),
					children,
				}
			: {}),
	};
}

/** One row of the cold-count table: an input and the median figures of every pipeline on it. */
interface CountRow {
	readonly input: string;
	readonly bytes: number;
	readonly messages: number;
	readonly format?: string;
	readonly error?: string;
	readonly pipelines: Partial<Record<PipelineName, PipelineFigures>>;
}

/**
 * Every pipeline on `files`, one repetition per child process, pipelines interleaved within each round so load
 * from other jobs on the machine falls on all of them alike; timings concatenated, each child's memory kept.
 */
function interleavedCounts(
	files: readonly string[],
	reps: Readonly<Record<PipelineName, number>>,
	warmUp: boolean,
): Map<PipelineName, { files: CountFileResult[]; children: ChildMemory[] }> {
	const merged = new Map<PipelineName, { files: CountFileResult[]; children: ChildMemory[] }>();
	const rounds = Math.max(...pipelineNames.map((p) => reps[p]));
	for (let round = 0; round < rounds; round++) {
		for (const pipeline of pipelineNames) {
			if (round >= reps[pipeline]) continue;
			const output = countCase(files, pipeline, 1, warmUp);
			const child = { maxRssMiB: output.maxRssMiB, baselineRssMiB: output.baselineRssMiB };
			const seen = merged.get(pipeline);
			if (seen === undefined) {
				merged.set(pipeline, { files: [...output.files], children: [child] });
				continue;
			}
			seen.children.push(child);
			seen.files = seen.files.map((file, i) => {
				const next = output.files[i];
				return next === undefined || !next.ok
					? file
					: {
							...file,
							parseMs: [...file.parseMs, ...next.parseMs],
							totalMs: [...file.totalMs, ...next.totalMs],
						};
			});
		}
	}
	return merged;
}

function countRows(): CountRow[] {
	const rows: CountRow[] = [];
	for (const input of generated) {
		const file = generatedFile(input.seed, input.bytes);
		const counts = interleavedCounts([file], input.reps, false);
		const pipelines: Partial<Record<PipelineName, PipelineFigures>> = {};
		let first: CountFileResult | undefined;
		for (const pipeline of pipelineNames) {
			const output = counts.get(pipeline);
			const result = output?.files[0];
			if (output === undefined || result === undefined || !result.ok) {
				throw new Error(`${file}: ${result?.error ?? 'no result'}`);
			}
			first ??= result;
			pipelines[pipeline] = figuresOf(result, output.children);
		}
		rows.push({
			input: input.label,
			bytes: first?.bytes ?? 0,
			messages: first?.messages ?? 0,
			pipelines,
		});
	}
	const corpus = corpusTranscripts();
	if (corpus.length === 0) return rows;
	const corpusCounts = interleavedCounts(corpus, { budget: 5, exact: 5, tiktoken: 5, chars4: 5 }, true);
	corpus.forEach((file, i) => {
		const results = pipelineNames.map((p) => [p, corpusCounts.get(p)?.files[i]] as const);
		const any = results[0]?.[1];
		const pipelines: Partial<Record<PipelineName, PipelineFigures>> = {};
		for (const [pipeline, result] of results)
			if (result?.ok === true) pipelines[pipeline] = figuresOf(result);
		rows.push({
			input: `corpus/${relative(corpusRoot, file)}`,
			bytes: any?.bytes ?? 0,
			messages: any?.messages ?? 0,
			...(any?.format !== undefined ? { format: any.format } : {}),
			...(any?.error !== undefined ? { error: any.error } : {}),
			pipelines,
		});
	});
	return rows;
}

/** The corpus as one input: summed bytes, messages and median times of the files every pipeline read. */
function corpusTotal(rows: readonly CountRow[]): CountRow | undefined {
	const files = rows.filter((r) => r.input.startsWith('corpus/') && r.error === undefined);
	if (files.length === 0) return undefined;
	const pipelines: Partial<Record<PipelineName, PipelineFigures>> = {};
	for (const pipeline of pipelineNames) {
		const figures = files.map((r) => r.pipelines[pipeline]);
		if (figures.some((f) => f === undefined)) continue;
		const sum = (pick: (f: PipelineFigures) => number) =>
			figures.reduce((s, f) => s + (f === undefined ? 0 : pick(f)), 0);
		pipelines[pipeline] = {
			totalMs: sum((f) => f.totalMs),
			parseMs: sum((f) => f.parseMs),
			tokens: sum((f) => f.tokens),
			runs: Math.min(...figures.map((f) => f?.runs ?? 0)),
		};
	}
	return {
		input: `corpus, all ${files.length} readable files`,
		bytes: files.reduce((s, r) => s + r.bytes, 0),
		messages: files.reduce((s, r) => s + r.messages, 0),
		pipelines,
	};
}

/** MiB and their multiple of a file's size as "MiB (Nx)"; bare MiB without a size, "–" when not measured. */
function timesFile(mebibytes: number | undefined, fileBytes: number | undefined): string {
	if (mebibytes === undefined || !Number.isFinite(mebibytes)) return '–';
	if (fileBytes === undefined || !(fileBytes > 0)) return fixed(mebibytes, 0);
	return `${fixed(mebibytes, 0)} (${fixed((mebibytes * mebibyte) / fileBytes, 1)}x)`;
}

function countTable(rows: readonly CountRow[]): string {
	const mbps = (row: CountRow, p: PipelineName) => {
		const f = row.pipelines[p];
		return f === undefined ? Number.NaN : ratePerSecond(row.bytes / 1e6, f.totalMs);
	};
	// The count stage alone: each pipeline's time after its own parse (the parse is the same code for all).
	const countMs = (row: CountRow, p: PipelineName) => {
		const f = row.pipelines[p];
		return f === undefined ? Number.NaN : f.totalMs - f.parseMs;
	};
	const body = rows.map((row) => {
		const exact = row.pipelines.exact;
		const budget = row.pipelines.budget;
		if (row.error !== undefined)
			return [
				row.input,
				fixed(row.bytes / 1e6, 2),
				'–',
				`not read: ${row.error.split(/[.(]/)[0]?.trim() ?? ''}`,
			];
		return [
			row.input,
			fixed(row.bytes / 1e6, 2),
			String(row.messages),
			fixed(ratePerSecond(row.bytes / 1e6, row.pipelines.exact?.parseMs ?? Number.NaN), 1),
			fixed(mbps(row, 'exact'), 1),
			fixed(mbps(row, 'budget'), 1),
			fixed(mbps(row, 'tiktoken'), 1),
			fixed(mbps(row, 'chars4'), 1),
			fixed(exact === undefined ? Number.NaN : ratePerSecond(row.messages, exact.totalMs), 0),
			`${fixed(ratio(mbps(row, 'exact'), mbps(row, 'tiktoken')), 1)}x`,
			`${fixed(ratio(countMs(row, 'tiktoken'), countMs(row, 'exact')), 1)}x`,
			`${fixed(ratio(mbps(row, 'budget'), mbps(row, 'tiktoken')), 1)}x`,
			`${fixed(ratio(mbps(row, 'exact'), mbps(row, 'chars4')), 2)}x`,
			timesFile(budget?.maxRssMiB, row.bytes),
			timesFile(budget?.aboveStartMiB, row.bytes),
		];
	});
	return markdownTable(
		[
			'input',
			'MB',
			'messages',
			'parse MB/s',
			'exact MB/s',
			'report MB/s',
			'js-tiktoken MB/s',
			'chars/4 MB/s',
			'exact msg/s',
			'exact / js-tiktoken',
			'count stage only, exact / js-tiktoken',
			'report / js-tiktoken',
			'exact / chars/4',
			'peak RSS MiB, report (x file)',
			'above process start MiB (x file)',
		],
		body,
	);
}

/** The incremental case's timings; its memory figures are those of a separate one-session run. */
type IncrementalResult = Extract<CaseOutput, { kind: 'incremental' }> & {
	/** Peak and starting RSS of the ten-session timing run, for the record. */
	readonly timingRun?: { readonly maxRssMiB: number; readonly baselineRssMiB: number };
};

function incrementalCase(): IncrementalResult {
	const source = generatedFile(50, incrementalBaseBytes + 2 * mebibyte);
	process.stderr.write('incremental: append 1, 10, 100 messages to a 50 MiB session\n');
	// The harness's setup (parsing the whole source to cut it on message boundaries) runs here, not in the child.
	const { baseEnd, baseMessages, cuts } = incrementalCuts(source, incrementalBaseBytes, incrementalAppends);
	const spec = {
		kind: 'incremental',
		source,
		work: join(workDir, 'live-session.jsonl'),
		baseEnd,
		appends: incrementalAppends,
		cuts,
	} as const;
	const output = runCase({ ...spec, reps: 10 });
	if (output.kind !== 'incremental') throw new Error('the incremental case answered with another kind');
	// Memory comes from one live session in a process of its own, the report path throughout: the timing run
	// makes ten sessions one after another, and a heap grown for one is not given back before the next.
	process.stderr.write('incremental: memory of one live session × 3\n');
	const memoryRuns = Array.from({ length: 3 }, () => runCase({ ...spec, reps: 1, reportEveryRep: true }));
	if (output.baseMessages !== baseMessages) {
		process.stderr.write(
			`incremental: the child read ${output.baseMessages} base messages, not ${baseMessages}\n`,
		);
	}
	return {
		...output,
		timingRun: { maxRssMiB: output.maxRssMiB, baselineRssMiB: output.baselineRssMiB },
		maxRssMiB: median(memoryRuns.map((m) => m.maxRssMiB)),
		baselineRssMiB: median(memoryRuns.map((m) => m.baselineRssMiB)),
	};
}

function incrementalTable(output: Extract<CaseOutput, { kind: 'incremental' }>): string {
	const rows = output.steps.map((step: IncrementalStep) => [
		String(step.messages),
		fixed(step.bytes / 1024, 1),
		fixed(median(step.refreshMs), 1),
		fixed(median(step.recountMs), 1),
		fixed(median(step.budgetMs), 1),
		fixed(median(step.recountMs) / (step.bytes / 1024), 3),
		step.messagesSeen.every((n) => n === step.messages) ? 'yes' : `no (${step.messagesSeen.join(', ')})`,
	]);
	return markdownTable(
		[
			'appended messages',
			'KiB appended',
			'refresh ms',
			'refresh + re-count ms',
			'refresh + analyzeBudget ms',
			're-count ms per KiB',
			'all new messages seen',
		],
		rows,
	);
}

/** Planner figures by size, with each child's peak RSS and its RSS at start, in MiB. */
interface PlanFigures {
	readonly sizes: PlanResult[];
	readonly peaks: number[];
	/** Absent in results written before it was recorded. */
	readonly baselines?: number[];
}

function planCases(): PlanFigures {
	const sizes: PlanResult[] = [];
	const peaks: number[] = [];
	const baselines: number[] = [];
	for (const messages of planSizes) {
		const runs = messages >= 100_000 ? 3 : 5;
		process.stderr.write(`plan ${messages} messages × ${runs}\n`);
		// One repetition per child: every counting and first plan is a process's first, with nothing cached.
		const outputs = Array.from({ length: runs }, () => {
			const output = runCase({
				kind: 'plan',
				messages,
				seed: 1,
				strategies: ['summarize', 'structure'],
				reps: 1,
			});
			if (output.kind !== 'plan') throw new Error('a plan case answered with another kind');
			return output;
		});
		const first = outputs[0]?.result;
		if (first === undefined) throw new Error('no plan case ran');
		const all = (pick: (r: PlanResult) => readonly number[]) => outputs.flatMap((o) => [...pick(o.result)]);
		sizes.push({
			...first,
			coldMs: all((r) => r.coldMs),
			countMs: all((r) => r.countMs),
			firstPlanMs: all((r) => r.firstPlanMs),
			summaryInputMs: all((r) => r.summaryInputMs ?? []),
			warmMs: Object.fromEntries(
				Object.keys(first.warmMs).map((strategy) => [strategy, all((r) => r.warmMs[strategy] ?? [])]),
			),
		});
		// Medians of the peaks and of the starts, as for the count rows.
		peaks.push(median(outputs.map((o) => o.maxRssMiB)));
		baselines.push(median(outputs.map((o) => o.baselineRssMiB)));
	}
	return { sizes, peaks, baselines };
}

function planTable(plan: PlanFigures): string {
	const rows = plan.sizes.map((size, i) => {
		const peak = plan.peaks[i];
		const baseline = plan.baselines?.[i];
		return [
			String(size.messages),
			fixed(size.sourceBytes / 1e6, 1),
			fixed(median(size.countMs ?? []), 0),
			fixed(median(size.firstPlanMs ?? []), 0),
			fixed(median(size.summaryInputMs ?? []), 0),
			fixed(median(size.warmMs['summarize'] ?? []), 0),
			fixed(median(size.warmMs['structure'] ?? []), 0),
			timesFile(peak, size.sourceBytes),
			timesFile(peak === undefined || baseline === undefined ? undefined : peak - baseline, size.sourceBytes),
		];
	});
	const exponent = (pick: (s: PlanResult) => readonly number[]) =>
		fixed(growthExponent(plan.sizes.map((s) => ({ size: s.messages, ms: median(pick(s)) }))), 2);
	rows.push([
		'growth exponent k (time ~ n^k)',
		'',
		exponent((s) => s.countMs ?? []),
		exponent((s) => s.firstPlanMs ?? []),
		exponent((s) => s.summaryInputMs ?? []),
		exponent((s) => s.warmMs['summarize'] ?? []),
		exponent((s) => s.warmMs['structure'] ?? []),
		'',
		'',
	]);
	return markdownTable(
		[
			'messages',
			'equivalent file MB',
			'count every message ms, fresh cache',
			'first plan ms, counts cached',
			"first read of that plan's summariser input ms",
			'plan ms, summarize, counts and index cached',
			'plan ms, structure, counts and index cached',
			'peak RSS MiB (x file)',
			'above process start MiB (x file)',
		],
		rows,
	);
}

/** Everything one `npm run bench` measured, as written to bench/results.json. */
interface BenchResults {
	readonly machine: MachineInfo;
	readonly endLoadAverage: number;
	readonly seconds: number;
	readonly pipelines: typeof pipelineDescriptions;
	readonly count: readonly CountRow[];
	readonly corpusTotal?: CountRow;
	readonly incremental: IncrementalResult;
	readonly plan: PlanFigures;
	readonly webview: { readonly text: string; readonly data?: unknown };
	/** Read + parse + count against JSON.parse of the same files (absent in results written before it). */
	readonly floor?: FloorFigures;
	/** Absent in results written before the case existed. */
	readonly eventLoop?: EventLoopFigures;
}

function measure(): BenchResults {
	mkdirSync(workDir, { recursive: true });
	const machine = readMachineInfo();
	const started = performance.now();
	const rows = countRows();
	const total = corpusTotal(rows);
	process.stderr.write('floor: JSON.parse against read + parse + count\n');
	const floor = runFloorCase([generatedFile(generated[0]?.seed ?? 10, generated[0]?.bytes ?? 10 * mebibyte)]);
	const incremental = incrementalCase();
	const plan = planCases();
	const eventLoop = measureEventLoop();
	return {
		machine,
		endLoadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
		seconds: (performance.now() - started) / 1000,
		pipelines: pipelineDescriptions,
		count: rows,
		...(total !== undefined ? { corpusTotal: total } : {}),
		incremental,
		plan,
		webview: webviewFigures(root),
		floor,
		eventLoop,
	};
}

function renderPerformance(results: BenchResults): string {
	const { machine, seconds, count: rows, corpusTotal: total, incremental, plan, webview: paint } = results;
	const summaryRows = [
		...rows.filter((r) => !r.input.startsWith('corpus/')),
		...(total !== undefined ? [total] : []),
	];
	const corpusRows = rows.filter((r) => r.input.startsWith('corpus/'));
	const starts = summaryRows.flatMap((r) => r.pipelines.budget?.children?.map((c) => c.baselineRssMiB) ?? []);
	const startNote = starts.length > 0 ? `, median ${fixed(median(starts), 0)} MiB` : '';
	const incrementalAbove = incremental.maxRssMiB - incremental.baselineRssMiB;
	return [
		'## Performance',
		'',
		describeMachine(machine, results.endLoadAverage),
		`Reproduce: \`npm run bench\` (about ${Math.ceil(seconds / 60)} minutes; figures in \`bench/results.json\`). Every figure is the median of repeated runs, each run in its own Node process; the pipelines take turns within each round of runs, so ratios compare figures measured in the same run under the same load. Generated sessions come from \`bench/generateClaudeSession.ts\` (seeded).`,
		'',
		'### Cold parse + count',
		'',
		'Each pipeline reads the file with `readTranscriptFile` and then counts the window. ' +
			Object.entries(pipelineDescriptions)
				.map(([name, d]) => `\`${name}\`: ${d}.`)
				.join(' ') +
			' MB/s is file bytes (10^6) over the time of parse + count; "report" is what the extension and CLI run. "Count stage only" divides js-tiktoken\'s time after the parse by ours: every pipeline parses with the same reader, so the parse caps the whole-pipeline ratio. Corpus files are each run once untimed before the timed runs (they are small enough to be timed while the JIT is still cold), and the timed pass runs them back to back after one forced collection. ' +
			`Peak memory is the median, over the \`report\` runs of the row (one child process each), of the child's own maxRSS; "above process start" is that median minus the median of the children's RSS once loaded (Node, tsx and our modules${startNote}) before the case began: the loaded process's RSS varies by up to 35 MiB from run to run, so one child's own difference would be mostly that noise. Both are also given as a multiple of the file's size; every child's two figures are in \`bench/results.json\`. ` +
			'The generated sessions repeat text from small pools, which our per-text count cache profits from; the corpus row is the realistic one. Targets: >= 10 MB/s and >= 5x js-tiktoken; peak memory <= 3x the file.',
		'',
		countTable(summaryRows),
		'',
		...(results.floor !== undefined ? [...floorSection(results.floor), ''] : []),
		'### Incremental re-count',
		'',
		`A ${fixed(incremental.baseBytes / 1e6, 1)} MB session (${incremental.baseMessages} messages) is read by \`LiveTranscriptFile\` and counted once; then 1, 10 and 100 messages are appended in turn and timed from the refresh. Re-count uses the shared \`MessageTokenCache\` (only new messages are counted); the report column runs \`analyzeBudget\` with that cache. Medians of 5 runs each. The harness's setup is done in the parent: it parses the whole source to find the message boundaries to cut at, so the child never holds the source; the child makes the base file with \`copyFileSync\` + \`truncateSync\` and reads only the bytes of each append. Memory is measured in three separate children that each run one live session (read, \`analyzeBudget\`, the three appends each with \`analyzeBudget\`): their median peak RSS is ${fixed(incremental.maxRssMiB, 0)} MiB (${fixed((incremental.maxRssMiB * mebibyte) / incremental.baseBytes, 1)}x the base file); ${fixed(incrementalAbove, 0)} MiB above the median start (${fixed((incrementalAbove * mebibyte) / incremental.baseBytes, 1)}x the base file). Target: proportional to the appended bytes, <= 50 ms for one message.`,
		'',
		incrementalTable(incremental),
		'',
		'### Planning (no model)',
		'',
		"`planCompaction` with the default options and the model's window on generated Claude Code sessions stitched to the size (`bench/planInput.ts`). Each repetition runs in a process of its own, so nothing is cached: it first counts every message with a fresh cache (what the budget report does before any plan), then plans once (building the window index), then reads that plan's summariser input (copies of the summarised messages without their source records, made when first read: the summariser reads it, the budget report and the review's figures do not); the last two columns plan again with those counts and that index, as the extension does for each further plan. Medians of 5 repetitions (3 at 100k); memory is the median peak, and above process start that minus the median start, as for the count rows. A process's first count also builds the table of the vocabulary's ASCII tokens (about 40 ms), which weighs on the 1k row. The equivalent file is the generated JSONL the messages were parsed from (MB = 10^6 bytes); the stitched sessions' ids are flat strings, as a reader's JSON.parse makes them; peak RSS is the child's maxRSS, which includes generating and parsing that input in memory, and \"above process start\" subtracts the child's RSS once loaded; both also as a multiple of the equivalent file. Target: <= 1 s at 100k messages; the counting column is the count throughput of the table above on this input (about 45 MB of message text at 100k).",
		'',
		planTable(plan),
		'',
		...(results.eventLoop !== undefined ? [renderEventLoop(results.eventLoop), ''] : []),
		'### Webview first paint and scrolling',
		'',
		paint.text,
		'',
		'<details><summary>Every corpus file</summary>',
		'',
		countTable(corpusRows),
		'',
		'Corpus files are small, so their peak memory is the process baseline and is not shown.',
		'',
		'</details>',
	].join('\n');
}

// `--render` rebuilds the tables from the last bench/results.json without measuring again.
async function main(): Promise<void> {
	const resultsPath = join(root, 'bench', 'results.json');
	let results: BenchResults;
	if (process.argv.includes('--render')) {
		// The webview figures come from the chromium suite's file, not from a bench run: take the newest.
		results = {
			...(JSON.parse(readFileSync(resultsPath, 'utf8')) as BenchResults),
			webview: webviewFigures(root),
		};
	} else {
		results = measure();
		writeFileSync(resultsPath, `${JSON.stringify(results, null, '\t')}\n`);
	}
	const text = renderPerformance(results);
	await writeSection(join(root, 'docs', 'performance.md'), 'performance', text);
	process.stdout.write(`${text}\n`);
}

void main();
