import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { analyzeBudget } from '../core/budget/analyzeBudget';
import { MessageTokenCache } from '../core/budget/messageTokenCache';
import { applyPlan, checkPlanFits, renderSpill, syntheticText } from '../core/compaction/applyPlan';
import { compactTranscript, prepareCompactedForWrite } from '../core/compaction/compactTranscript';
import type { CompactionPlan } from '../core/compaction/plan';
import { parsePlan, serializePlan } from '../core/compaction/serializePlan';
import { describeTailRule } from '../core/compaction/tailRule';
import { fingerprintFile, hasSameStat, type FileFingerprint } from '../core/io/fileFingerprint';
import { readTranscriptFile } from '../core/io/readTranscriptFile';
import { measureWindow } from '../core/tokens/measureWindow';
import { resolveModel } from '../core/tokens/modelRegistry';
import { TokenCounter } from '../core/tokens/tokenCounter';
import { messagesInWindow, type Transcript } from '../core/transcript/model';
import { formatReadFailure } from '../core/transcript/readTranscript';
import { findFormat } from '../core/transcript/registry';
import type { PendingReview } from '../extension/review/pendingReviews';
import type { ParamsOf, ResultOf, WorkFailure, Windows } from './protocol';
import { summarizerFor } from './summarizers';
import { renderReadableTranscript } from './readableTranscript';
import { pinnedIndexes } from './sessions';
import { findAgentCompactions } from '../core/audit/agentCompactions';
import { rankLostFacts } from '../core/audit/rankLostFacts';
import { planSummaryRestore } from '../core/audit/restoreSummary';
import { buildPinnedReviewView } from '../core/view/buildTranscriptView';
import { cancelled, countInSlices, type WorkContext } from './workContext';

/** A review's source transcript with its plan parsed, ready to render, re-count or write. */
interface LoadedReview {
	readonly plan: CompactionPlan;
	readonly transcript: Transcript;
	readonly counter: TokenCounter;
}

function counterFor(transcript: Transcript, windows: Windows): TokenCounter {
	return new TokenCounter(resolveModel(transcript.meta.model, { windows }));
}

/** Reads a file so that the transcript matches the fingerprint: fingerprint, read, then check nothing moved. */
async function readStable(
	file: string,
	context: WorkContext,
): Promise<{ ok: true; transcript: Transcript; fingerprint: FileFingerprint } | WorkFailure> {
	for (let attempt = 0; attempt < 3; attempt++) {
		let fingerprint: FileFingerprint;
		try {
			fingerprint = await fingerprintFile(file);
		} catch (error) {
			return {
				ok: false,
				message: `Cannot read ${file}: ${(error as Error).message}. Check that the file exists.`,
			};
		}
		const read = await readTranscriptFile(file, {
			signal: context.signal,
			onProgress: (done, total) => context.progress({ phase: 'reading', done, total }),
		});
		if (!read.ok)
			return read.failure.reason === 'cancelled'
				? cancelled(`Reading ${file}`)
				: { ok: false, message: formatReadFailure(read.failure) };
		if (await hasSameStat(file, fingerprint)) return { ok: true, transcript: read.transcript, fingerprint };
	}
	return {
		ok: false,
		message: `${file} keeps changing while it is read (an agent is writing it); try again when it pauses.`,
	};
}

/**
 * The transcript side of the review-then-apply flow (H2), run where the transcript is read: plan and summarise into
 * a pending review, render either side of its diff, re-count an edited summary, and make the text apply writes. The
 * extension host keeps the reviews, checks fingerprints and writes; a review made before a reload (or a restart of
 * this worker) is read again and must still fit its plan.
 */
export class ReviewWorkspace {
	private readonly loaded = new Map<string, LoadedReview>();

	async create(params: ParamsOf<'review.create'>, context: WorkContext): Promise<ResultOf<'review.create'>> {
		const { file, request, settings } = params;
		const read = await readStable(file, context);
		if (!read.ok) return read;
		const { transcript, fingerprint } = read;
		const counter = counterFor(transcript, settings.windows);
		const cache = new MessageTokenCache(counter);
		if (!(await countInSlices(messagesInWindow(transcript), cache, context)))
			return cancelled(`Counting ${file}`);
		const report = analyzeBudget(transcript, { file, windows: settings.windows, cache });
		// Pins are set on what the person saw; the file read now may have grown, so they are found again in it.
		const pinned = pinnedIndexes(transcript, request.pins);
		const summarizer =
			params.summarizer !== undefined
				? summarizerFor(params.summarizer, context, transcript.meta.model, settings.windows)
				: undefined;
		const result = await compactTranscript(
			transcript,
			{
				counter: cache,
				contextWindow: report.contextWindow,
				strategy: request.strategy,
				headMessages: settings.headMessages,
				tailRatio: settings.tailRatio,
				triggerRatio: settings.triggerRatio,
				rotationRatio: settings.rotationRatio,
				...(request.focus !== undefined ? { focus: request.focus } : {}),
				...(pinned.size > 0 ? { pinned } : {}),
				// R3: a model summariser reads the pruned middle (fewer paid tokens); the offline one reads it whole.
				...(summarizer !== undefined && summarizer.id !== 'offline'
					? { summaryInputSource: 'pruned' as const }
					: {}),
			},
			request.strategy === 'summarize' || request.strategy === 'rotate' ? summarizer : undefined,
			context.signal,
		);
		if (!result.success) {
			if (context.signal.aborted) return cancelled(`Compacting ${basename(file)}`);
			return { ok: false, message: `${basename(file)}: ${result.error ?? 'the compaction failed.'}` };
		}
		const plan = result.plan;
		const lost = result.lostFacts?.lost ?? [];
		const window = messagesInWindow(transcript);
		const id = randomUUID();
		const review: PendingReview = {
			id,
			file,
			format: transcript.format,
			fingerprint,
			...(await storePlan(serializePlan(plan), id, params.planDir)),
			strategy: plan.strategy,
			...(request.focus !== undefined ? { focus: request.focus } : {}),
			...(result.summary !== undefined ? { originalSummary: result.summary, summary: result.summary } : {}),
			...(summarizer !== undefined && plan.needsSummary ? { summarizerId: summarizer.id } : {}),
			numbers: {
				contextWindow: plan.options.contextWindow,
				tokensBefore: result.tokensBefore,
				tokensAfter: result.tokensAfter,
				messagesBefore: result.messagesBefore,
				messagesAfter: result.messagesAfter,
				kept: plan.counts.kept,
				summarized: plan.counts.summarized,
				dropped: plan.counts.dropped,
				edited: plan.counts.edited,
				summaryBudgetTokens: plan.summaryBudgetTokens,
				retention: result.lostFacts?.retention ?? 1,
				syntheticTokens:
					plan.synthetic !== undefined ? counter.countText(syntheticText(plan, result.summary)) : 0,
			},
			lostFacts: lost.slice(0, params.maxLostFacts).map((a) => {
				const line = window[a.messageIndex]?.lines.from;
				return {
					kind: a.kind,
					value: a.value,
					messageIndex: a.messageIndex,
					messageId: a.messageId,
					source: a.source,
					...(line !== undefined ? { line } : {}),
				};
			}),
			lostFactsOmitted: Math.max(0, lost.length - params.maxLostFacts),
			tailRule: describeTailRule(result.plan),
			...(plan.pinned !== undefined
				? { pinned: buildPinnedReviewView(plan.pinned, window, plan.messageTokens) }
				: {}),
			createdAt: new Date().toISOString(),
		};
		this.loaded.set(review.id, { plan, transcript, counter });
		return { ok: true, review };
	}

	/**
	 * A review whose summary can take back the facts compaction `compaction` of the file lost (the agent's own, or an
	 * earlier one): the plan rewrites only the summary that opens today's window, the review starts from that summary
	 * and lists the compaction's lost facts.
	 */
	async restore(
		params: ParamsOf<'review.restore'>,
		context: WorkContext,
	): Promise<ResultOf<'review.restore'>> {
		const { file, compaction, settings } = params;
		const read = await readStable(file, context);
		if (!read.ok) return read;
		const { transcript, fingerprint } = read;
		const counter = counterFor(transcript, settings.windows);
		const cache = new MessageTokenCache(counter);
		if (!(await countInSlices(messagesInWindow(transcript), cache, context)))
			return cancelled(`Counting ${file}`);
		const report = analyzeBudget(transcript, { file, windows: settings.windows, cache });
		const compactions = findAgentCompactions(transcript, cache);
		const chosen = compactions[compaction];
		const newest = compactions[compactions.length - 1];
		if (chosen === undefined || newest === undefined)
			return {
				ok: false,
				message: `${basename(file)} has no compaction ${compaction + 1}; open its compactions again.`,
			};
		if (chosen.lostFacts === undefined || chosen.lostFacts.lost.length === 0)
			return {
				ok: false,
				message: `${basename(file)}: compaction ${compaction + 1} lost no fact this file can show.`,
			};
		const restore = planSummaryRestore(transcript, newest, {
			counter: cache,
			contextWindow: report.contextWindow,
		});
		if (!restore.ok) return { ok: false, message: `${basename(file)}: ${restore.message}` };
		const { plan, summary } = restore;
		const measured = measureWindow(transcript, cache);
		const after = prepareCompactedForWrite(
			applyPlan(transcript, plan, summary),
			cache,
			measured.hidden,
		).measure;
		const lost = rankLostFacts(chosen.lostFacts.lost, params.maxLostFacts);
		const id = randomUUID();
		const review: PendingReview = {
			id,
			file,
			format: transcript.format,
			fingerprint,
			...(await storePlan(serializePlan(plan), id, params.planDir)),
			strategy: plan.strategy,
			originalSummary: summary,
			summary,
			numbers: {
				contextWindow: plan.options.contextWindow,
				tokensBefore: measured.total,
				tokensAfter: after.total,
				messagesBefore: plan.messageIds.length,
				messagesAfter: after.messageTokens.length,
				kept: plan.counts.kept,
				summarized: plan.counts.summarized,
				dropped: 0,
				edited: 0,
				summaryBudgetTokens: 0,
				retention: chosen.lostFacts.retention,
				syntheticTokens: cache.countText(syntheticText(plan, summary)),
			},
			lostFacts: lost.map((a) => ({
				kind: a.kind,
				value: a.value,
				messageIndex: a.messageIndex,
				messageId: a.messageId,
				source: a.source,
				line: transcript.messages[a.messageIndex]?.lines.from ?? 0,
			})),
			lostFactsOmitted: chosen.lostFacts.lost.length - lost.length,
			tailRule: `restoring what compaction ${compaction + 1} lost: every message but the summary stays as it is`,
			restores: compaction + 1,
			createdAt: new Date().toISOString(),
		};
		this.loaded.set(review.id, { plan, transcript, counter });
		return { ok: true, review };
	}

	async document(
		params: ParamsOf<'review.document'>,
		context: WorkContext,
	): Promise<ResultOf<'review.document'>> {
		const loaded = await this.load(params.review, params.windows, context);
		if (!loaded.ok) return loaded;
		const shown = params.side === 'original' ? loaded.transcript : compacted(loaded, params.review.summary);
		return { ok: true, text: renderReadableTranscript(shown) };
	}

	async count(params: ParamsOf<'review.count'>, context: WorkContext): Promise<ResultOf<'review.count'>> {
		const loaded = await this.load(params.review, params.windows, context);
		if (!loaded.ok) return loaded;
		return {
			ok: true,
			tokens: loaded.counter.countText(params.text),
			syntheticTokens: loaded.counter.countText(syntheticText(loaded.plan, params.text)),
		};
	}

	async output(params: ParamsOf<'review.output'>, context: WorkContext): Promise<ResultOf<'review.output'>> {
		const { review } = params;
		const format = findFormat(review.format);
		if (format.write === undefined) {
			return {
				ok: false,
				message: `Not applied: Context Lens cannot write ${format.label} files. Use "Export Plain-Text Report" instead.`,
			};
		}
		const loaded = await this.load(review, params.windows, context);
		if (!loaded.ok) return loaded;
		const written = format.write(compacted(loaded, review.summary), {
			now: params.now,
			path: params.fallbackPath,
		});
		const spill = renderSpill(loaded.plan, loaded.transcript);
		return {
			ok: true,
			text: written.text,
			...(written.fileName !== undefined ? { fileName: written.fileName } : {}),
			...(written.resumeHint !== undefined ? { resumeHint: written.resumeHint } : {}),
			...(spill !== undefined ? { spill: { fileName: spill.fileName, text: spill.text } } : {}),
		};
	}

	async readBack(
		params: ParamsOf<'review.readBack'>,
		context: WorkContext,
	): Promise<ResultOf<'review.readBack'>> {
		const check = await readTranscriptFile(params.path, { signal: context.signal });
		if (!check.ok) return { ok: false, message: formatReadFailure(check.failure) };
		return { ok: true, messages: check.transcript.messages.length };
	}

	forget(id: string): ResultOf<'review.forget'> {
		this.loaded.delete(id);
		return { ok: true };
	}

	/** The review with its transcript; one this worker did not make is read again and must still match its plan. */
	private async load(
		review: PendingReview,
		windows: Windows,
		context: WorkContext,
	): Promise<({ ok: true } & LoadedReview) | WorkFailure> {
		const cached = this.loaded.get(review.id);
		if (cached !== undefined) return { ok: true, ...cached };
		const planText = await storedPlan(review);
		if (planText === undefined)
			return {
				ok: false,
				message: `The saved plan of this compaction review is gone (${review.planFile ?? 'no file'}); discard it and compress again.`,
			};
		const parsed = parsePlan(planText);
		if (!parsed.ok) return { ok: false, message: parsed.message };
		const read = await readStable(review.file, context);
		if (!read.ok) return read;
		const fit = checkPlanFits(parsed.plan, read.transcript);
		if (!fit.ok) return { ok: false, message: `${basename(review.file)}: ${fit.message}.` };
		const loaded: LoadedReview = {
			plan: parsed.plan,
			transcript: read.transcript,
			counter: counterFor(read.transcript, windows),
		};
		this.loaded.set(review.id, loaded);
		return { ok: true, ...loaded };
	}
}

/**
 * Where a new review keeps its plan: written to `<planDir>/<id>.plan` (atomically, beside where it ends), or in the
 * review itself when there is no folder or the write fails, so the plan is never lost.
 */
async function storePlan(
	planText: string,
	id: string,
	planDir: string | undefined,
): Promise<{ planFile: string } | { planText: string }> {
	if (planDir === undefined) return { planText };
	const planFile = join(planDir, `${id}.plan`);
	const partial = `${planFile}.${process.pid}.partial`;
	try {
		await mkdir(planDir, { recursive: true });
		await writeFile(partial, planText, { mode: 0o600 });
		await rename(partial, planFile);
		return { planFile };
	} catch {
		await rm(partial, { force: true }).catch(() => undefined);
		return { planText };
	}
}

/** A stored review's serialised plan, from the review or its file; undefined when the file is gone. */
async function storedPlan(review: PendingReview): Promise<string | undefined> {
	if (review.planText !== undefined) return review.planText;
	if (review.planFile === undefined) return undefined;
	try {
		return await readFile(review.planFile, 'utf8');
	} catch {
		return undefined;
	}
}

/**
 * The compacted transcript a review would write, with its current (possibly edited) summary, prepared as compact
 * prepares it: laid out as the writer writes it, with usage restated for the new window.
 */
function compacted(loaded: LoadedReview, summary: string | undefined): Transcript {
	const result = applyPlan(loaded.transcript, loaded.plan, summary);
	const { hidden } = measureWindow(loaded.transcript, loaded.counter);
	return prepareCompactedForWrite(result, loaded.counter, hidden).transcript;
}
