import { MessageTokenCache } from '../src/core/budget/messageTokenCache';
import { renderSpill } from '../src/core/compaction/applyPlan';
import { compactTranscript, windowText } from '../src/core/compaction/compactTranscript';
import { planCompaction } from '../src/core/compaction/planCompaction';
import type { RegionSpan } from '../src/core/compaction/planRegions';
import { compactionStrategies, type StrategyName } from '../src/core/compaction/strategies';
import {
	artifactKinds,
	extractArtifacts,
	type Artifact,
	type ArtifactKind,
} from '../src/core/facts/extractArtifacts';
import { reportLostFacts } from '../src/core/facts/reportLostFacts';
import { createOfflineSummarizer } from '../src/core/summarize/offline/offlineSummarizer';
import type { Summarizer } from '../src/core/compaction/summarizer';
import { resolveModel } from '../src/core/tokens/modelRegistry';
import { TokenCounter } from '../src/core/tokens/tokenCounter';
import { messagesInWindow, type Message, type Transcript } from '../src/core/transcript/model';
import { baselineNames, maskObservations, truncateMiddle, type BaselineName } from './baselines';
import { aggregateIndependent, type IndependentAggregate } from './independent/aggregate';
import {
	activeTaskFact,
	middleFacts,
	outputTextOf,
	scoreOutput,
	type IndependentScore,
} from './independent/score';
import { median } from './stats';
import { probeNames, readProbeAnswers, scoreProbes, type ProbeName, type ProbeScore } from './probes';

/** Kept and total artifacts of one kind. */
export interface KindCount {
	readonly kept: number;
	readonly total: number;
}

/** How one method (a strategy, a baseline or the uncompacted control) did on one transcript. */
export interface MethodScore {
	readonly method: string;
	readonly family: 'control' | 'strategy' | 'baseline';
	readonly ok: boolean;
	readonly error?: string;
	readonly tokensAfter: number;
	/** Tokens freed over the whole window's tokens, in percent. */
	readonly wholeReductionPct: number;
	/** Tokens freed over the reference middle's tokens, in percent (above 100 when head or tail were cut too). */
	readonly middleReductionPct: number;
	readonly retention: Readonly<Record<ArtifactKind, KindCount>>;
	/** Middle artifacts missing from the output that the strategy's own lost-facts report did not name; undefined for baselines. */
	readonly silentLosses?: number;
	readonly silentExamples?: readonly string[];
	readonly probes: Readonly<Record<ProbeName, ProbeScore>>;
	/** The independent evaluation's facts of the reference middle (and the active task) kept in the output. */
	readonly independent: IndependentScore;
	readonly ms: number;
}

/** Every method's score on one transcript, with the reference regions they are all measured against. */
export interface TranscriptEvaluation {
	readonly input: string;
	readonly format: string;
	readonly messages: number;
	readonly tokens: number;
	/** The window the transcript is evaluated in: its own size, so it is exactly full. */
	readonly contextWindow: number;
	readonly middle: RegionSpan;
	readonly tailFrom: number;
	readonly middleArtifacts: number;
	readonly methods: readonly MethodScore[];
}

/** A summariser to score under the `summarize` strategy, labelled in the tables. */
export interface NamedSummarizer {
	readonly label: string;
	readonly summarizer: Summarizer;
}

/** What the output of a method holds, as text a continuing agent could read. */
function outputText(messages: readonly Message[], spill: string | undefined): string {
	const window = windowText(messages);
	return spill === undefined ? window : `${window}\n\n${spill}`;
}

function countTokens(messages: readonly Message[], cache: MessageTokenCache): number {
	let total = 0;
	for (const message of messages) total += cache.countMessage(message).total;
	return total;
}

function retentionOf(
	artifacts: readonly Artifact[],
	text: string,
): { byKind: Record<ArtifactKind, KindCount>; lost: readonly Artifact[] } {
	const report = reportLostFacts(artifacts, text);
	const byKind = Object.fromEntries(artifactKinds.map((k) => [k, { ...report.byKind[k] }])) as Record<
		ArtifactKind,
		KindCount
	>;
	return { byKind, lost: report.lost };
}

const artifactKey = (a: Pick<Artifact, 'kind' | 'value'>): string => `${a.kind}\u0000${a.value}`;

/**
 * Compacts one transcript with every strategy (summarising ones with the offline summariser, plus each extra
 * summariser), applies both baselines, and scores each output against the reference middle (the default
 * `summarize` plan's) and the probe answers read from the uncompacted window. Never throws for a strategy that
 * declines: that row is `ok: false` with its message, and its output is the unchanged window.
 */
export async function evaluateTranscript(
	transcript: Transcript,
	input: string,
	extraSummarizers: readonly NamedSummarizer[] = [],
): Promise<TranscriptEvaluation> {
	const profile = resolveModel(transcript.meta.model);
	const cache = new MessageTokenCache(new TokenCounter(profile));
	const window = messagesInWindow(transcript);
	const tokens = countTokens(window, cache);
	const contextWindow = Math.max(1, tokens);
	const reference = planCompaction(transcript, { counter: cache, contextWindow });
	const middle = reference.regions.middle;
	const tailFrom = reference.regions.tail.from;
	const inMiddle = (a: Artifact): boolean => a.messageIndex >= middle.from && a.messageIndex < middle.to;
	const middleArtifacts = extractArtifacts(window).filter(inMiddle);
	const answers = readProbeAnswers(window);
	const task = activeTaskFact(window);
	const independentFacts = [
		...middleFacts(window, middle.from, middle.to),
		...(task !== undefined ? [task] : []),
	];
	const signal = new AbortController().signal;
	const methods: MethodScore[] = [];

	const score = (
		method: string,
		family: MethodScore['family'],
		messages: readonly Message[],
		spill: string | undefined,
		started: number,
		extra: { ok: boolean; error?: string; reported?: readonly Artifact[] },
	): MethodScore => {
		const text = outputText(messages, spill);
		const after = countTokens(messages, cache);
		const freed = extra.ok ? tokens - after : 0;
		const { byKind, lost } = retentionOf(middleArtifacts, text);
		let silent: Artifact[] | undefined;
		if (family === 'strategy') {
			const reported = new Set((extra.reported ?? []).map(artifactKey));
			silent = lost.filter((a) => !reported.has(artifactKey(a)));
		}
		return {
			method,
			family,
			ok: extra.ok,
			...(extra.error !== undefined ? { error: extra.error } : {}),
			tokensAfter: extra.ok ? after : tokens,
			wholeReductionPct: tokens > 0 ? (freed / tokens) * 100 : 0,
			middleReductionPct: middle.tokens > 0 ? (freed / middle.tokens) * 100 : 0,
			retention: byKind,
			...(silent !== undefined
				? {
						silentLosses: silent.length,
						silentExamples: silent.slice(0, 3).map((a) => `${a.kind}: ${a.value.slice(0, 80)}`),
					}
				: {}),
			probes: scoreProbes(answers, text),
			independent: scoreOutput(independentFacts, outputTextOf(messages, spill)),
			ms: performance.now() - started,
		};
	};

	methods.push(score('none (uncompacted)', 'control', window, undefined, performance.now(), { ok: true }));
	const runs: { method: string; strategy: StrategyName; summarizer?: Summarizer }[] =
		compactionStrategies.map((s) => ({
			method: s.name,
			strategy: s.name,
			...(s.usesSummarizer ? { summarizer: createOfflineSummarizer() } : {}),
		}));
	for (const extra of extraSummarizers)
		runs.push({ method: `summarize (${extra.label})`, strategy: 'summarize', summarizer: extra.summarizer });
	for (const run of runs) {
		const started = performance.now();
		const result = await compactTranscript(
			transcript,
			{ counter: cache, contextWindow, strategy: run.strategy },
			run.summarizer,
			signal,
		);
		if (!result.success) {
			methods.push(
				score(run.method, 'strategy', window, undefined, started, {
					ok: false,
					error: result.error ?? 'failed',
				}),
			);
			continue;
		}
		const spill = result.plan.spill !== undefined ? renderSpill(result.plan, transcript)?.text : undefined;
		methods.push(
			score(run.method, 'strategy', messagesInWindow(result.transcript), spill, started, {
				ok: true,
				reported: result.lostFacts?.lost ?? [],
			}),
		);
	}
	for (const baseline of baselineNames) {
		const started = performance.now();
		const messages = applyBaseline(baseline, window, middle, tailFrom);
		methods.push(score(baseline, 'baseline', messages, undefined, started, { ok: true }));
	}
	return {
		input,
		format: transcript.format,
		messages: window.length,
		tokens,
		contextWindow,
		middle,
		tailFrom,
		middleArtifacts: middleArtifacts.length,
		methods,
	};
}

function applyBaseline(
	name: BaselineName,
	window: readonly Message[],
	middle: RegionSpan,
	tailFrom: number,
): Message[] {
	return name === 'observation-masking' ? maskObservations(window, tailFrom) : truncateMiddle(window, middle);
}

/** Sums of one method over many transcripts: medians of the reductions, artifact and probe counts summed. */
export interface MethodAggregate {
	readonly method: string;
	readonly family: MethodScore['family'];
	readonly transcripts: number;
	/** Transcripts where the method declined (nothing to do, or no saving); excluded from every other figure. */
	readonly failed: number;
	readonly medianWholeReductionPct: number;
	readonly medianMiddleReductionPct: number;
	readonly retention: Readonly<Record<ArtifactKind, KindCount>>;
	readonly kept: number;
	readonly total: number;
	readonly silentLosses?: number;
	readonly probes: Readonly<Record<ProbeName, { found: number; expected: number }>>;
}

/**
 * Aggregates per method over the transcripts that have a non-empty middle, counting only the runs where the method
 * compacted (a declined run changes nothing and would flatter it): reductions as medians, retention and probes as
 * sums (micro-averages), silent losses summed; methods in first-seen order.
 */
export function aggregateMethods(evaluations: readonly TranscriptEvaluation[]): MethodAggregate[] {
	const order: string[] = [];
	const byMethod = new Map<string, MethodScore[]>();
	for (const evaluation of evaluations) {
		if (evaluation.middle.to <= evaluation.middle.from) continue;
		for (const method of evaluation.methods) {
			if (!byMethod.has(method.method)) {
				order.push(method.method);
				byMethod.set(method.method, []);
			}
			byMethod.get(method.method)?.push(method);
		}
	}
	return order.map((name) => {
		const scores = byMethod.get(name) ?? [];
		const succeeded = scores.filter((s) => s.ok);
		const retention = Object.fromEntries(
			artifactKinds.map((k) => [
				k,
				{
					kept: succeeded.reduce((s, m) => s + m.retention[k].kept, 0),
					total: succeeded.reduce((s, m) => s + m.retention[k].total, 0),
				},
			]),
		) as Record<ArtifactKind, KindCount>;
		const probes = Object.fromEntries(
			probeNames.map((p) => [
				p,
				{
					found: succeeded.reduce((s, m) => s + m.probes[p].found, 0),
					expected: succeeded.reduce((s, m) => s + m.probes[p].expected, 0),
				},
			]),
		) as Record<ProbeName, { found: number; expected: number }>;
		const silent = succeeded.map((s) => s.silentLosses).filter((n): n is number => n !== undefined);
		return {
			method: name,
			family: scores[0]?.family ?? 'strategy',
			transcripts: scores.length,
			failed: scores.length - succeeded.length,
			medianWholeReductionPct: median(succeeded.map((s) => s.wholeReductionPct)),
			medianMiddleReductionPct: median(succeeded.map((s) => s.middleReductionPct)),
			retention,
			kept: artifactKinds.reduce((s, k) => s + retention[k].kept, 0),
			total: artifactKinds.reduce((s, k) => s + retention[k].total, 0),
			...(silent.length > 0 ? { silentLosses: silent.reduce((a, b) => a + b, 0) } : {}),
			probes,
		};
	});
}

/** The product extractor's kinds that match the independent said-or-acted classes (paths, commands, URLs, names). */
export const productSaidOrActedKinds: readonly ArtifactKind[] = ['filePath', 'command', 'url', 'identifier'];

/** Whether an evaluation's input is a real transcript of the shared corpus (not a generated session). */
export function isCorpusInput(evaluation: TranscriptEvaluation): boolean {
	return evaluation.input.startsWith('corpus/');
}

/** The headline of the independent evaluation for one method, and the product extractor's figure on the same outputs. */
export interface IndependentHeadline {
	readonly corpus: IndependentAggregate;
	readonly generated: IndependentAggregate;
	/** The product's own extractor and kept-test over the same corpus outputs, for its said-or-acted kinds. */
	readonly productCorpus: KindCount;
}

/** Aggregates the independent scores of `method` over the corpus and the generated sessions apart. */
export function independentHeadline(
	evaluations: readonly TranscriptEvaluation[],
	method = 'summarize',
): IndependentHeadline {
	const runs = (corpus: boolean) =>
		evaluations
			.filter((e) => isCorpusInput(e) === corpus && e.middle.to > e.middle.from)
			.flatMap((e) => e.methods.filter((m) => m.method === method));
	const corpusRuns = runs(true).filter((m) => m.ok);
	return {
		corpus: aggregateIndependent(runs(true)),
		generated: aggregateIndependent(runs(false)),
		productCorpus: {
			kept: corpusRuns.reduce(
				(s, m) => s + productSaidOrActedKinds.reduce((t, k) => t + m.retention[k].kept, 0),
				0,
			),
			total: corpusRuns.reduce(
				(s, m) => s + productSaidOrActedKinds.reduce((t, k) => t + m.retention[k].total, 0),
				0,
			),
		},
	};
}
