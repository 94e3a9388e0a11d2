// `npm run eval`: compaction quality of every strategy and both literature baselines on the corpus and seeded long
// sessions. Prints the tables, writes bench/eval.json and the Quality section of docs/quality.md.
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
import { factClasses } from './independent/extract';
import { aggregateIndependent, percentKept, type IndependentAggregate } from './independent/aggregate';
import {
	aggregateMethods,
	evaluateTranscript,
	independentHeadline,
	isCorpusInput,
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

/** Largest gap, in points, allowed between the independent said-or-acted figure and the product extractor's. */
const maxExtractorGapPoints = 3;

const classNames: Readonly<Record<(typeof factClasses)[number], string>> = {
	path: 'paths said or acted on',
	command: 'whole commands',
	url: 'URLs',
	identifier: 'identifiers',
	errorPattern: 'error patterns',
	outputPath: 'paths seen only in tool output',
	activeTask: 'active task',
};

const counted = (c: { kept: number; total: number }): string =>
	c.total === 0 ? '–' : `${fixed(percentKept(c), 1)}% (${c.kept}/${c.total})`;

function independentRows(label: string, a: IndependentAggregate): string[] {
	return [
		label,
		String(a.runs),
		a.runs === 0 ? '–' : `${fixed(a.medianMiddleReductionPct, 1)}%`,
		counted(a.saidOrActed),
		...factClasses.map((k) => counted(a.byClass[k])),
	];
}

function independentTable(evaluations: readonly TranscriptEvaluation[], methods: readonly string[]): string {
	const corpus = evaluations.filter(isCorpusInput);
	const generated = evaluations.filter((e) => !isCorpusInput(e));
	const runs = (list: readonly TranscriptEvaluation[], method: string) =>
		list.flatMap((e) => e.methods.filter((m) => m.method === method));
	return markdownTable(
		['method, inputs', 'compacted', 'middle cut', 'said or acted', ...factClasses.map((k) => classNames[k])],
		methods.flatMap((method) => [
			independentRows(`${method}, real corpus`, aggregateIndependent(runs(corpus, method))),
			independentRows(`${method}, generated`, aggregateIndependent(runs(generated, method))),
		]),
	);
}

function independentGoals(evaluations: readonly TranscriptEvaluation[]): string[] {
	const h = independentHeadline(evaluations);
	const said = percentKept(h.corpus.saidOrActed);
	const errors = percentKept(h.corpus.byClass.errorPattern);
	const product = percentKept(h.productCorpus);
	const gap = Math.abs(said - product);
	return [
		`- On the real corpus the offline summary keeps >= 95% of the middle's said-or-acted facts (independent extractor): **${fixed(said, 1)}%** (${h.corpus.saidOrActed.kept}/${h.corpus.saidOrActed.total}) over ${h.corpus.runs} transcripts (${said >= 95 ? 'met' : 'missed'}).`,
		`- ... and >= 90% of its error patterns: **${fixed(errors, 1)}%** (${h.corpus.byClass.errorPattern.kept}/${h.corpus.byClass.errorPattern.total}) (${errors >= 90 ? 'met' : 'missed'}).`,
		`- ... at a median middle cut >= 70%: **${fixed(h.corpus.medianMiddleReductionPct, 1)}%** (${h.corpus.medianMiddleReductionPct >= 70 ? 'met' : 'missed'}).`,
		`- The product's own extractor, on the same outputs and its matching kinds (paths, commands, URLs, names): ${fixed(product, 1)}% (${h.productCorpus.kept}/${h.productCorpus.total}); ${fixed(gap, 1)} points from the independent figure (${gap <= maxExtractorGapPoints ? `within ${maxExtractorGapPoints}` : `more than ${maxExtractorGapPoints}: reconcile the two`}).`,
		`- Generated sessions, apart: ${counted(h.generated.saidOrActed)} said or acted, ${counted(h.generated.byClass.errorPattern)} error patterns, median middle cut ${fixed(h.generated.medianMiddleReductionPct, 1)}% over ${h.generated.runs} sessions.`,
	];
}

function goals(aggregates: readonly MethodAggregate[]): string[] {
	const lines: string[] = [];
	const offline = aggregates.find((a) => a.method === 'summarize');
	if (offline !== undefined) {
		const kept = offline.total === 0 ? Number.NaN : (offline.kept / offline.total) * 100;
		lines.push(
			`- Product extractor, all inputs, all kinds (its own checklist, not the headline): ${fixed(kept, 1)}% of the middle's artifacts over the ${offline.transcripts - offline.failed} transcripts the offline summary compacted, median middle cut ${fixed(offline.medianMiddleReductionPct, 1)}%.`,
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
		'### Independent evaluation (the headline)',
		'',
		"Facts are read from the uncompacted window by an extractor written from the definitions below (`bench/independent/`); it imports nothing from the product's extractor or its summarisers (a lint rule checks this), and neither does its kept-test. A fact counts when it is first seen in the reference middle; it is kept when the compacted output (every part's text, tool calls as name and arguments, plus the spill file) still holds it. Sums over the transcripts where the method compacted; the real corpus is the headline, the generated sessions are reported apart.",
		'',
		"- **paths said or acted on**: in the text of user and assistant messages (meta messages skipped) or in any string of a tool call's arguments, a run of `[\\w.@+~/-]` (trailing punctuation trimmed, not part of a URL, not touching `{`, `}`, `*`, `$`, `<`, `>`) that starts with `/`, `./`, `../` or `~/` and has a letter after it, or has two or more `/`, or ends in a file name with a known extension. Kept as a whole path (after a `/` is allowed, so `src/a.ts` is in `/repo/src/a.ts`). **Paths seen only in tool output** are their own class, outside the said-or-acted figure.",
		'- **whole commands**: the `command`, `cmd` or `script` argument of any tool call (an argv array joined, `bash -lc <script>` as its script), whitespace collapsed; kept only whole, so a command kept as a prefix is lost.',
		'- **URLs**: `http(s)://` up to a space, quote or bracket, said or in tool arguments; kept when present and not running on into a longer URL.',
		'- **identifiers**: said in user or assistant text: names that start lower-case with a later capital (`camelCase`), names with an underscore between letters or digits, calls written `name()`, and any single name in a code span; four characters or more; kept as a whole word.',
		"- **error patterns**: the first non-empty line of every result marked as an error, and every line of a command's output that reads as an error (an `…Error`/`…Exception` word, `ERROR`, `FATAL`, `FAIL(ED)`, `Traceback`, `panic`, `error:`, `failed`, `cannot`, `could not`, `unable to`, `not found`, `no such file`, `permission denied`, `refused`, …; not a report of zero errors; at most 300 characters). Lines that differ only in numbers or quoted words are one pattern with a count; a pattern is kept when a line of the output has it or the output holds one of its lines.",
		'- **active task**: the latest user request of more than three words that is not a bare continuation reply; its first 200 characters, whitespace collapsed, must appear (it sits in the protected tail, so this holds by construction and is shown, not counted).',
		'- **said or acted**: paths said or acted on, whole commands, URLs and identifiers together.',
		'',
		...independentGoals(evaluations),
		'',
		independentTable(
			evaluations,
			aggregates.map((a) => a.method).filter((m) => m !== 'none (uncompacted)'),
		),
		'',
		'### Product extractor and probes',
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
	await writeSection(join(root, 'docs', 'quality.md'), 'quality', text);
	process.stdout.write(`${text}\n`);
}

void main();
