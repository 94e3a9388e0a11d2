import { extractArtifacts } from '../facts/extractArtifacts';
import type { LostFactsReport } from '../facts/reportLostFacts';
import { reportLostFacts } from '../facts/reportLostFacts';
import type { Summarizer } from './summarizer';
import {
	measureWindow,
	percentOfWindow,
	restateUsage,
	type CountedMessage,
	type WindowMeasure,
} from '../tokens/measureWindow';
import type { Message, Part, Transcript } from '../transcript/model';
import { findFormat } from '../transcript/registry';
import { messagesInWindow } from '../transcript/model';
import { applyPlan, checkPlanFits } from './applyPlan';
import { renderPart } from './messageParts';
import type { CompactionOptions } from './options';
import type { CompactionPlan } from './plan';
import { planCompaction } from './planCompaction';
import { redactLostFacts, redactPlanTexts } from './redactWritten';
import type { StrategyName } from './strategies';
import type { TokenCounting } from './tokenCounting';
import { summarizePlan } from './summarizePlan';

/** G5/R15: what one compaction did, for logs, metrics and the anti-thrashing policy. */
export interface CompactionEvent {
	readonly type: 'compacted';
	readonly strategy: StrategyName;
	readonly planId: string;
	readonly messagesBefore: number;
	readonly messagesAfter: number;
	readonly tokensBefore: number;
	readonly tokensAfter: number;
	/** Share of the tokens freed, in percent. */
	readonly savingsPercent: number;
}

/** C3: the outcome of a compaction; on failure `transcript` is the input unchanged (G5: the history is never lost). */
export interface CompactionResult {
	readonly success: boolean;
	/** Why it failed, naming what to do; absent on success. */
	readonly error?: string;
	readonly strategy: StrategyName;
	/**
	 * The window's budget before and after (see measureWindow): before is what `inspect` says of the input, after
	 * what it says of the written output; both include `fixedTokens`.
	 */
	readonly tokensBefore: number;
	readonly tokensAfter: number;
	/** The part of both figures no compaction can change: what the file does not show and its stored system text. */
	readonly fixedTokens: number;
	/** Share of the model's window, in percent (0 when the window is unknown). */
	readonly percentBefore: number;
	readonly percentAfter: number;
	readonly tokensFreed: number;
	/** tokensFreed / tokensBefore, in percent. */
	readonly reductionPercent: number;
	readonly messagesBefore: number;
	readonly messagesAfter: number;
	readonly timingsMs: { readonly plan: number; readonly summarize: number; readonly apply: number };
	readonly plan: CompactionPlan;
	readonly summary?: string;
	readonly transcript: Transcript;
	/** What the written file will differ in from the plan, in words for the person (e.g. reasoning a format drops). */
	readonly notes: readonly string[];
	/** Facts of the changed messages that the compacted window no longer carries; undefined when nothing was applied. */
	readonly lostFacts: LostFactsReport | undefined;
	readonly events: readonly CompactionEvent[];
}

/**
 * A compacted transcript made ready to write, and its budget: laid out as its format's writer will write it (what
 * is measured is what will be read back), with its recorded usage restated for its own window and `hiddenTokens`,
 * the hidden part the original had (see restateUsage). Apply this to whatever `applyPlan` returned before writing it.
 */
export function prepareCompactedForWrite(
	compacted: Transcript,
	counter: TokenCounting,
	hiddenTokens: number,
): { transcript: Transcript; measure: WindowMeasure; notes: readonly string[] } {
	const shaped = findFormat(compacted.format).shapeForWrite?.(compacted) ?? {
		transcript: compacted,
		notes: [],
	};
	const counts = countWindow(shaped.transcript, counter);
	const restated = restateUsage(
		shaped.transcript,
		measureWindow(shaped.transcript, counter, counts),
		hiddenTokens,
	);
	return { transcript: restated, measure: measureWindow(restated, counter, counts), notes: shaped.notes };
}

/** Counts every window message once: a counter that remembers messages (MessageTokenCache) serves kept ones. */
function countWindow(transcript: Transcript, counter: TokenCounting): CountedMessage[] {
	return messagesInWindow(transcript).map((m) => counter.countMessage(m));
}

function stringLeaves(value: unknown, out: string[]): void {
	if (typeof value === 'string') out.push(value);
	else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
	else if (typeof value === 'object' && value !== null)
		for (const v of Object.values(value)) stringLeaves(v, out);
}

function partText(part: Part): string {
	if (part.kind !== 'toolCall') return renderPart(part);
	// Arguments are JSON: a command with quotes is escaped in it, so the decoded values are added for matching.
	const leaves: string[] = [];
	try {
		stringLeaves(JSON.parse(part.argumentsText), leaves);
	} catch {
		// not JSON: the text as written is all there is
	}
	return [renderPart(part), ...leaves].join('\n');
}

/** Everything the model reads in a window, as one text (for the lost-facts check); tool arguments also decoded. */
export function windowText(messages: readonly Message[]): string {
	return messages.map((m) => m.parts.map(partText).join('\n')).join('\n\n');
}

/** Lost facts: artifacts of the messages the plan changed or removed, checked against the compacted window's text. */
export function lostFactsOf(plan: CompactionPlan, before: Transcript, after: Transcript): LostFactsReport {
	const edited = new Set(plan.edits.map((e) => e.message));
	const changed = (i: number): boolean => plan.fates[i] !== 'kept' || edited.has(i);
	const artifacts = extractArtifacts(messagesInWindow(before)).filter((a) => changed(a.messageIndex));
	return reportLostFacts(artifacts, windowText(messagesInWindow(after)));
}

/**
 * The whole pipeline: plan, summarise when the plan needs it, apply, count the result exactly and report lost facts.
 * Never throws for expected failures (nothing to compact, summariser failure, cancellation, a summary longer than
 * what it replaces): those return `success: false` with the input transcript unchanged. Without a summariser the
 * middle is dropped behind R12's static marker. Every text it writes or sends (summary, handoff, lost facts) is
 * redacted; the user's kept messages are copied unchanged.
 */
export async function compactTranscript(
	transcript: Transcript,
	options: CompactionOptions,
	summarizer: Summarizer | undefined,
	signal: AbortSignal,
): Promise<CompactionResult> {
	const started = performance.now();
	// R12: what the handoff quotes from the plan is redacted once here; the summary is redacted in summarizePlan.
	const plan = await redactPlanTexts(planCompaction(transcript, options));
	const planned = performance.now();
	const contextWindow = plan.options.contextWindow;
	const measured = measureWindow(transcript, options.counter, countWindow(transcript, options.counter));
	const before = { tokens: measured.total, messages: plan.messageIds.length };
	const failure = (error: string, summarizeMs = 0): CompactionResult => ({
		success: false,
		error,
		strategy: plan.strategy,
		tokensBefore: before.tokens,
		tokensAfter: before.tokens,
		fixedTokens: measured.fixed,
		percentBefore: percentOfWindow(before.tokens, contextWindow),
		percentAfter: percentOfWindow(before.tokens, contextWindow),
		tokensFreed: 0,
		reductionPercent: 0,
		messagesBefore: before.messages,
		messagesAfter: before.messages,
		timingsMs: { plan: planned - started, summarize: summarizeMs, apply: 0 },
		plan,
		transcript,
		notes: [],
		lostFacts: undefined,
		events: [],
	});
	if (!plan.preflight.ok) return failure(plan.preflight.message);
	if (signal.aborted) return failure('The compaction was cancelled.');

	let summary: string | undefined;
	let summarizeMs = 0;
	if (plan.needsSummary && summarizer !== undefined) {
		const outcome = await summarizePlan(plan, summarizer, signal, options.counter);
		summarizeMs = performance.now() - planned;
		if (!outcome.ok) {
			// G5: a failed summary is not fatal; R12's drop-behind-a-marker is an explicit option.
			if (outcome.reason === 'cancelled' || plan.options.onSummaryFailure === 'keepOriginal') {
				return failure(`${outcome.message} The transcript was left unchanged.`, summarizeMs);
			}
		} else {
			summary = outcome.text;
		}
	}
	if (signal.aborted) return failure('The compaction was cancelled.', summarizeMs);
	const fit = checkPlanFits(plan, transcript);
	if (!fit.ok) return failure(`The transcript changed while compacting: ${fit.message}.`, summarizeMs);

	const applyStarted = performance.now();
	const prepared = prepareCompactedForWrite(
		applyPlan(transcript, plan, summary),
		options.counter,
		measured.hidden,
	);
	const { transcript: compacted, measure: afterMeasure } = prepared;
	const after = { tokens: afterMeasure.total, messages: afterMeasure.messageTokens.length };
	const applyMs = performance.now() - applyStarted;
	if (after.tokens >= before.tokens) {
		return failure(
			`The compacted window would take ${after.tokens} tokens, not fewer than the ${before.tokens} it replaces; ` +
				'the transcript was left unchanged. Try a smaller head or tail, or another strategy.',
			summarizeMs,
		);
	}
	const tokensFreed = before.tokens - after.tokens;
	const reductionPercent = before.tokens > 0 ? (tokensFreed / before.tokens) * 100 : 0;
	return {
		success: true,
		strategy: plan.strategy,
		tokensBefore: before.tokens,
		tokensAfter: after.tokens,
		fixedTokens: measured.fixed,
		percentBefore: percentOfWindow(before.tokens, contextWindow),
		percentAfter: percentOfWindow(after.tokens, contextWindow),
		tokensFreed,
		reductionPercent,
		messagesBefore: before.messages,
		messagesAfter: after.messages,
		timingsMs: { plan: planned - started, summarize: summarizeMs, apply: applyMs },
		plan,
		...(summary !== undefined ? { summary } : {}),
		transcript: compacted,
		notes: prepared.notes,
		lostFacts: await redactLostFacts(lostFactsOf(plan, transcript, compacted)),
		events: [
			{
				type: 'compacted',
				strategy: plan.strategy,
				planId: plan.id,
				messagesBefore: before.messages,
				messagesAfter: after.messages,
				tokensBefore: before.tokens,
				tokensAfter: after.tokens,
				savingsPercent: reductionPercent,
			},
		],
	};
}
