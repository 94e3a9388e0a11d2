// `npm run eval`: compaction quality of every strategy and both literature baselines on the corpus and seeded long
// sessions. Prints the tables, writes bench/eval.json and the Quality section of RESULTS.md.
// Opt-in: `--summarizer openai|anthropic --model <name>` also scores that model as the summarize strategy's summariser.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { summarizerFromCli } from '../src/cli/summarizerOption';
import { compactionStrategies } from '../src/core/compaction/strategies';
import { artifactKinds } from '../src/core/facts/extractArtifacts';
import { readTranscriptFile } from '../src/core/io/readTranscriptFile';
import type { Transcript } from '../src/core/transcript/model';
import { parseTranscript } from '../src/core/transcript/readTranscript';
import { corpusRoot } from '../test/support/corpus';
import {
	aggregateMethods,
	evaluateTranscript,
	type MethodAggregate,
	type NamedSummarizer,
	type TranscriptEvaluation,
} from './evaluate';
import { generateClaudeSession } from './generateClaudeSession';
import { decisionTermShare, probeNames, taskPrefixChars } from './probes';
import { describeMachine, readMachineInfo, writeSection } from './report';
import { fixed, markdownTable } from './stats';

const root = resolve(__dirname, '..');
const mebibyte = 1024 * 1024;

/** Seeded long sessions evaluated beside the corpus: seed and size in bytes. */
const generatedSessions: readonly { seed: number; bytes: number }[] = [
	{ seed: 21, bytes: 1 * mebibyte },
	{ seed: 22, bytes: 2 * mebibyte },
	{ seed: 23, bytes: 4 * mebibyte },
];

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

function flag(argv: readonly string[], name: string): string | undefined {
	const at = argv.indexOf(name);
	return at >= 0 ? argv[at + 1] : undefined;
}

function extraSummarizers(argv: readonly string[]): NamedSummarizer[] | string {
	const name = flag(argv, '--summarizer');
	if (name === undefined) return [];
	if (name !== 'openai' && name !== 'anthropic')
		return `--summarizer takes openai or anthropic (got ${name}).`;
	const model = flag(argv, '--model');
	const made = summarizerFromCli(name, model, process.env);
	if (!made.ok) return made.message;
	return [{ label: made.summarizer.id, summarizer: made.summarizer }];
}

const percent = (kept: number, total: number): string =>
	total === 0 ? '–' : `${fixed((kept / total) * 100, 1)}%`;

function summaryTable(aggregates: readonly MethodAggregate[]): string {
	return markdownTable(
		[
			'method',
			'compacted / transcripts',
			'whole cut',
			'middle cut',
			'middle artifacts kept',
			'silent losses',
			...probeNames,
		],
		aggregates.map((a) => [
			a.family === 'baseline' ? `${a.method} (baseline)` : a.method,
			`${a.transcripts - a.failed} / ${a.transcripts}`,
			`${fixed(a.medianWholeReductionPct, 1)}%`,
			`${fixed(a.medianMiddleReductionPct, 1)}%`,
			`${percent(a.kept, a.total)} (${a.kept}/${a.total})`,
			a.silentLosses === undefined ? '–' : String(a.silentLosses),
			...probeNames.map((p) => percent(a.probes[p].found, a.probes[p].expected)),
		]),
	);
}

function kindTable(aggregates: readonly MethodAggregate[]): string {
	return markdownTable(
		['method', ...artifactKinds],
		aggregates.map((a) => [
			a.method,
			...artifactKinds.map((k) => percent(a.retention[k].kept, a.retention[k].total)),
		]),
	);
}

function inputTable(evaluations: readonly TranscriptEvaluation[]): string {
	return markdownTable(
		[
			'input',
			'format',
			'messages',
			'tokens',
			'middle tokens',
			'middle artifacts',
			'summarize: middle cut',
			'summarize: kept',
			'structure: kept',
			'declined',
		],
		evaluations.map((e) => {
			const find = (name: string) => e.methods.find((m) => m.method === name);
			const kept = (name: string) => {
				const m = find(name);
				if (m === undefined) return '–';
				const k = artifactKinds.reduce((s, kind) => s + m.retention[kind].kept, 0);
				const t = artifactKinds.reduce((s, kind) => s + m.retention[kind].total, 0);
				return percent(k, t);
			};
			const summarize = find('summarize');
			const declined = e.methods.filter((m) => !m.ok).map((m) => m.method);
			return [
				e.input,
				e.format,
				String(e.messages),
				String(e.tokens),
				String(e.middle.tokens),
				String(e.middleArtifacts),
				summarize?.ok === true ? `${fixed(summarize.middleReductionPct, 1)}%` : 'declined',
				kept('summarize'),
				kept('structure'),
				declined.length === 0 ? '' : declined.join(', '),
			];
		}),
	);
}

function goals(aggregates: readonly MethodAggregate[]): string[] {
	const lines: string[] = [];
	const offline = aggregates.find((a) => a.method === 'summarize');
	if (offline !== undefined) {
		const kept = offline.total === 0 ? Number.NaN : (offline.kept / offline.total) * 100;
		lines.push(
			`- Offline structured summary keeps >= 95% of the middle's artifacts: **${fixed(kept, 1)}%** over the ${offline.transcripts - offline.failed} transcripts it compacted (${kept >= 95 ? 'met' : 'missed'}).`,
			`- ... while cutting the middle by >= 70% (median): **${fixed(offline.medianMiddleReductionPct, 1)}%** (${offline.medianMiddleReductionPct >= 70 ? 'met' : 'missed'}).`,
		);
	}
	const deterministic = new Set(
		compactionStrategies.filter((s) => !s.usesSummarizer).map((s) => s.name as string),
	);
	const silent = aggregates.filter((a) => deterministic.has(a.method) && (a.silentLosses ?? 0) > 0);
	lines.push(
		silent.length === 0
			? "- Deterministic strategies lose no artifact silently: **met** (every middle artifact missing from the output is named in the strategy's lost-facts report)."
			: `- Deterministic strategies lose no artifact silently: **missed** — ${silent.map((a) => `${a.method}: ${a.silentLosses}`).join(', ')} artifacts missing from the output and not in the lost-facts report.`,
	);
	return lines;
}

async function main(): Promise<void> {
	const argv = process.argv.slice(2);
	const extras = extraSummarizers(argv);
	if (typeof extras === 'string') {
		process.stderr.write(`${extras}\n`);
		process.exitCode = 2;
		return;
	}
	const machine = readMachineInfo();
	const started = performance.now();
	const inputs: { label: string; load: () => Promise<Transcript | string> }[] = [
		...corpusTranscripts().map((file) => ({
			label: `corpus/${relative(corpusRoot, file)}`,
			load: async () => {
				const read = await readTranscriptFile(file);
				return read.ok ? read.transcript : read.failure.message;
			},
		})),
		...generatedSessions.map(({ seed, bytes }) => ({
			label: `generated seed ${seed}, ${bytes / mebibyte} MiB`,
			load: () => {
				const read = parseTranscript(
					Buffer.from(generateClaudeSession({ seed, targetBytes: bytes })),
					`generated-${seed}.jsonl`,
				);
				return Promise.resolve(read.ok ? read.transcript : read.failure.message);
			},
		})),
	];
	const evaluations: TranscriptEvaluation[] = [];
	const skipped: { input: string; reason: string }[] = [];
	for (const input of inputs) {
		process.stderr.write(`eval ${input.label}\n`);
		const transcript = await input.load();
		if (typeof transcript === 'string') {
			skipped.push({ input: input.label, reason: transcript });
			continue;
		}
		const evaluation = await evaluateTranscript(transcript, input.label, extras);
		if (evaluation.middle.to <= evaluation.middle.from) {
			skipped.push({ input: input.label, reason: `no middle to compact (${evaluation.messages} messages)` });
			continue;
		}
		evaluations.push(evaluation);
	}
	const aggregates = aggregateMethods(evaluations);
	const seconds = (performance.now() - started) / 1000;
	writeFileSync(
		join(root, 'bench', 'eval.json'),
		`${JSON.stringify({ machine, seconds, aggregates, evaluations, skipped }, null, '\t')}\n`,
	);
	const text = [
		'## Quality',
		'',
		describeMachine(machine, Math.round((loadavg()[0] ?? 0) * 100) / 100),
		`Reproduce: \`npm run eval\` (${fixed(seconds, 0)} s; per-transcript figures in \`bench/eval.json\`); add \`--summarizer openai|anthropic --model <name>\` to score an LLM summariser the same way (opt-in, needs its key in the environment, never in CI).`,
		'',
		`Inputs: ${evaluations.length} transcripts with a middle to compact (${evaluations.length - generatedSessions.length} from the shared corpus, ${generatedSessions.length} seeded generated sessions of 1-4 MiB); ${skipped.length} skipped (listed below). Each transcript is evaluated in a window exactly its own size (it is full), with default options. The **reference middle** is the default \`summarize\` plan's middle (head of 3 messages and a 20% tail kept); every method is scored against it.`,
		'',
		'- **whole cut / middle cut**: tokens freed over the whole window / over the reference middle, medians over the transcripts where the method ran (strategies that also cut head or tail can pass 100%).',
		"- **middle artifacts kept**: `extractArtifacts` over the window, the artifacts first seen in the middle, checked with `reportLostFacts` against the output: the compacted window's text plus the spill file for structure strategies. Summed over the transcripts where the method compacted; a declined run (nothing to do, or no saving) changes nothing and is left out of every figure but the count. The `activeTask` kind is never in the reference middle (the last user prompt is never summarised); the *task* probe checks it.",
		"- **silent losses**: middle artifacts missing from the output that the strategy's own lost-facts report (`CompactionResult.lostFacts`) does not name.",
		`- **Probes** (share of expected answers found in the output, summed over transcripts): *task*: the latest substantive user request (\`findActiveTask\`), its first ${taskPrefixChars} characters verbatim with whitespace collapsed; *filesChanged*: paths of successful edit/write tool calls, as whole path tokens; *errorsRemaining*: for every failed tool call not later followed by a success of the same tool on the same key input, its first error line, verbatim; *decisions*: each completed turn's conclusion (the last assistant text before the next user request), kept when >= ${decisionTermShare * 100}% of its key terms (words of 5+ characters, not stop words) appear. Defined in \`bench/probes.ts\`.`,
		'- **Baselines**: *observation-masking*: every tool output before the tail replaced by a one-line placeholder (Lindenbauer et al., "The Complexity Trap", JetBrains 2025); *truncation*: the reference middle dropped. Summarising strategies use the offline summariser.',
		'',
		'### Goals',
		'',
		...goals(aggregates),
		'',
		'### By method',
		'',
		summaryTable(aggregates),
		'',
		'### Middle artifacts kept, by kind',
		'',
		kindTable(aggregates),
		'',
		'<details><summary>Per transcript</summary>',
		'',
		inputTable(evaluations),
		'',
		skipped.length === 0
			? 'None skipped.'
			: `Skipped: ${skipped.map((s) => `${s.input} (${s.reason})`).join('; ')}.`,
		'',
		'</details>',
	].join('\n');
	await writeSection(join(root, 'bench', 'RESULTS.md'), 'quality', text);
	process.stdout.write(`${text}\n`);
}

void main();
