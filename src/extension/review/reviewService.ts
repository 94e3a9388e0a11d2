import { randomUUID } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { findAgentCompactions } from '../../core/audit/agentCompactions';
import { rankLostFacts } from '../../core/audit/rankLostFacts';
import { planSummaryRestore } from '../../core/audit/restoreSummary';
import { analyzeBudget } from '../../core/budget/analyzeBudget';
import { MessageTokenCache } from '../../core/budget/messageTokenCache';
import { applyPlan, checkPlanFits, renderSpill, syntheticText } from '../../core/compaction/applyPlan';
import { prepareCompactedForWrite } from '../../core/compaction/compactTranscript';
import { describeTailRule } from '../../core/compaction/tailRule';
import { measureWindow } from '../../core/tokens/measureWindow';
import { compactTranscript } from '../../core/compaction/compactTranscript';
import type { CompactionPlan } from '../../core/compaction/plan';
import { parsePlan, serializePlan } from '../../core/compaction/serializePlan';
import type { StrategyName } from '../../core/compaction/strategies';
import { readTranscriptFile } from '../../core/io/readTranscriptFile';
import type { Summarizer } from '../../core/compaction/summarizer';
import { resolveModel } from '../../core/tokens/modelRegistry';
import { TokenCounter } from '../../core/tokens/tokenCounter';
import { messagesInWindow, type Transcript } from '../../core/transcript/model';
import { resolvePinKeys } from '../../core/compaction/pinTargets';
import { buildPinnedReviewView } from '../../core/view/buildTranscriptView';
import { sessionIdOf, type SessionPins } from '../sessions/pinStore';
import { formatReadFailure } from '../../core/transcript/readTranscript';
import { findFormat } from '../../core/transcript/registry';
import { writeFileAtomic } from './atomicWrite';
import {
	describeFingerprintChange,
	fingerprintFile,
	hasSameStat,
	type FileFingerprint,
} from '../../core/io/fileFingerprint';
import {
	maxStoredLostFacts,
	type AppliedCompaction,
	type PendingReview,
	type ReviewStore,
} from './pendingReviews';

/** An expected failure, with a message naming the file and what to do next. */
export interface ReviewFailure {
	readonly ok: false;
	readonly message: string;
}

/** Settings a compaction is planned with. */
export interface ReviewSettings {
	readonly headMessages: number;
	readonly tailRatio: number;
	readonly triggerRatio: number;
	readonly rotationRatio: number;
	readonly windows: Readonly<Record<string, number>>;
}

/** What the person asked for: focus (R10), strategy, and the file's pins (kept verbatim when they match its session). */
export interface CompressRequest {
	readonly focus?: string;
	readonly strategy: StrategyName;
	readonly pins?: SessionPins;
}

/** A review with its source transcript read and its plan parsed, ready to render or apply. */
export interface LoadedReview {
	readonly ok: true;
	readonly review: PendingReview;
	readonly plan: CompactionPlan;
	readonly transcript: Transcript;
	readonly counter: TokenCounter;
}

/** What apply wrote. */
export interface AppliedOutcome {
	readonly ok: true;
	readonly applied: AppliedCompaction;
	/** Messages in the written file as read back. */
	readonly messagesWritten: number;
}

function counterFor(transcript: Transcript, windows: Readonly<Record<string, number>>): TokenCounter {
	return new TokenCounter(resolveModel(transcript.meta.model, { windows }));
}

function defaultOutputName(file: string, reviewId: string): string {
	const ext = extname(file);
	return `${basename(file, ext)}.compacted-${reviewId.slice(0, 8)}${ext}`;
}

/**
 * The review-then-apply flow over core: plan and summarise into a pending review (nothing written), re-derive the
 * compacted transcript from the stored plan (H2), apply it as a new file next to the original after checking the
 * original is unchanged, and undo exactly what apply wrote.
 */
export class ReviewService {
	private readonly loaded = new Map<string, LoadedReview>();

	constructor(private readonly store: ReviewStore) {}

	/** Reads a file so that the transcript matches the fingerprint: fingerprint, read, then check nothing moved. */
	private async readStable(
		file: string,
		signal?: AbortSignal,
	): Promise<{ ok: true; transcript: Transcript; fingerprint: FileFingerprint } | ReviewFailure> {
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
			const read = await readTranscriptFile(file, signal !== undefined ? { signal } : {});
			if (!read.ok) return { ok: false, message: formatReadFailure(read.failure) };
			if (await hasSameStat(file, fingerprint)) return { ok: true, transcript: read.transcript, fingerprint };
		}
		return {
			ok: false,
			message: `${file} keeps changing while it is read (an agent is writing it); try again when it pauses.`,
		};
	}

	/** Plans and summarises a compaction of `file` into a new pending review; writes nothing. */
	async create(
		file: string,
		request: CompressRequest,
		settings: ReviewSettings,
		summarizer: Summarizer | undefined,
		signal: AbortSignal,
	): Promise<{ ok: true; review: PendingReview } | ReviewFailure> {
		const read = await this.readStable(file, signal);
		if (!read.ok) return read;
		const { transcript, fingerprint } = read;
		const counter = counterFor(transcript, settings.windows);
		const cache = new MessageTokenCache(counter);
		const report = analyzeBudget(transcript, { file, windows: settings.windows, cache });
		const window = messagesInWindow(transcript);
		// Pins are set on what the person saw; the file read now may have grown, so they are found again in it.
		const pins = request.pins;
		const pinned =
			pins !== undefined && pins.sessionId === sessionIdOf(transcript)
				? new Set(resolvePinKeys(window, pins.keys).indexes)
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
				...(pinned !== undefined && pinned.size > 0 ? { pinned } : {}),
				// R3: a model summariser reads the pruned middle (fewer paid tokens); the offline one reads it whole.
				...(summarizer !== undefined && summarizer.id !== 'offline'
					? { summaryInputSource: 'pruned' as const }
					: {}),
			},
			request.strategy === 'summarize' || request.strategy === 'rotate' ? summarizer : undefined,
			signal,
		);
		if (!result.success) {
			return { ok: false, message: `${basename(file)}: ${result.error ?? 'the compaction failed.'}` };
		}
		const plan = result.plan;
		const lost = result.lostFacts?.lost ?? [];
		const review: PendingReview = {
			id: randomUUID(),
			file,
			format: transcript.format,
			fingerprint,
			planText: serializePlan(plan),
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
			lostFacts: lost.slice(0, maxStoredLostFacts).map((a) => {
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
			lostFactsOmitted: Math.max(0, lost.length - maxStoredLostFacts),
			tailRule: describeTailRule(result.plan),
			...(plan.pinned !== undefined
				? { pinned: buildPinnedReviewView(plan.pinned, window, plan.messageTokens) }
				: {}),
			createdAt: new Date().toISOString(),
		};
		await this.store.putReview(review);
		this.loaded.set(review.id, { ok: true, review, plan, transcript, counter });
		return { ok: true, review };
	}

	/**
	 * A review whose summary can take back the facts compaction `compaction` of `file` lost (the agent's own, or an
	 * earlier one): the plan rewrites only the summary that opens today's window, the review starts from that
	 * summary and lists the compaction's lost facts, and Apply writes it like any compaction (a new file beside the
	 * original). Writes nothing itself.
	 */
	async createRestore(
		file: string,
		compaction: number,
		settings: ReviewSettings,
		signal?: AbortSignal,
	): Promise<{ ok: true; review: PendingReview } | ReviewFailure> {
		const read = await this.readStable(file, signal);
		if (!read.ok) return read;
		const { transcript, fingerprint } = read;
		const counter = counterFor(transcript, settings.windows);
		const cache = new MessageTokenCache(counter);
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
		const lost = rankLostFacts(chosen.lostFacts.lost, maxStoredLostFacts);
		const review: PendingReview = {
			id: randomUUID(),
			file,
			format: transcript.format,
			fingerprint,
			planText: serializePlan(plan),
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
			createdAt: new Date().toISOString(),
		};
		await this.store.putReview(review);
		this.loaded.set(review.id, { ok: true, review, plan, transcript, counter });
		return { ok: true, review };
	}

	/** The review as stored now, undefined once applied or discarded. */
	stored(id: string): PendingReview | undefined {
		return this.store.review(id);
	}

	/** The review with its transcript; after a reload the original is read again and must still match the plan. */
	async load(id: string, windows: Readonly<Record<string, number>>): Promise<LoadedReview | ReviewFailure> {
		const review = this.store.review(id);
		if (review === undefined)
			return { ok: false, message: 'This compaction review no longer exists; compress again.' };
		const cached = this.loaded.get(id);
		if (cached !== undefined) return { ...cached, review };
		const parsed = parsePlan(review.planText);
		if (!parsed.ok) return { ok: false, message: parsed.message };
		const read = await this.readStable(review.file);
		if (!read.ok) return read;
		const fit = checkPlanFits(parsed.plan, read.transcript);
		if (!fit.ok) return { ok: false, message: `${basename(review.file)}: ${fit.message}.` };
		const loaded: LoadedReview = {
			ok: true,
			review,
			plan: parsed.plan,
			transcript: read.transcript,
			counter: counterFor(read.transcript, windows),
		};
		this.loaded.set(id, loaded);
		return loaded;
	}

	/**
	 * The compacted transcript a review would write, with its current (possibly edited) summary, prepared as compact
	 * prepares it: laid out as the writer writes it, with usage restated for the new window.
	 */
	compacted(loaded: LoadedReview): Transcript {
		const compacted = applyPlan(loaded.transcript, loaded.plan, loaded.review.summary);
		const { hidden } = measureWindow(loaded.transcript, loaded.counter);
		return prepareCompactedForWrite(compacted, loaded.counter, hidden).transcript;
	}

	/** Stores an edited summary and returns the re-counted window: tokens after and the summary message's tokens. */
	async editSummary(
		id: string,
		summary: string,
		windows: Readonly<Record<string, number>>,
	): Promise<{ ok: true; tokensAfter: number; syntheticTokens: number } | ReviewFailure> {
		const loaded = await this.load(id, windows);
		if (!loaded.ok) return loaded;
		const review: PendingReview = { ...loaded.review, summary };
		await this.store.putReview(review);
		this.loaded.set(id, { ...loaded, review });
		const syntheticTokens = loaded.counter.countText(syntheticText(loaded.plan, summary));
		const n = review.numbers;
		return { ok: true, syntheticTokens, tokensAfter: n.tokensAfter - n.syntheticTokens + syntheticTokens };
	}

	/** Tokens of a summary text with the review's counter (the review page's live count). */
	async countSummary(
		id: string,
		text: string,
		windows: Readonly<Record<string, number>>,
	): Promise<{ ok: true; tokens: number } | ReviewFailure> {
		const loaded = await this.load(id, windows);
		if (!loaded.ok) return loaded;
		return { ok: true, tokens: loaded.counter.countText(text) };
	}

	/** Drops a pending review; nothing was written, so nothing is removed from disk. */
	async discard(id: string): Promise<boolean> {
		this.loaded.delete(id);
		return this.store.removeReview(id);
	}

	/**
	 * Writes the compacted transcript as a new file next to the original, atomically, in the original's format.
	 * Refuses when the original changed since the plan was made (size, then content hash), when the format has no
	 * writer, or when the written file does not read back as a transcript (it is then removed).
	 */
	async apply(
		id: string,
		windows: Readonly<Record<string, number>>,
		now = new Date(),
	): Promise<AppliedOutcome | ReviewFailure> {
		const review = this.store.review(id);
		if (review === undefined)
			return { ok: false, message: 'This compaction review no longer exists; compress again.' };
		let current: FileFingerprint;
		try {
			current = (await hasSameStat(review.file, review.fingerprint))
				? review.fingerprint
				: await fingerprintFile(review.file);
		} catch (error) {
			return {
				ok: false,
				message: `Cannot apply: ${review.file} cannot be read (${(error as Error).message}). Discard this review.`,
			};
		}
		const change = describeFingerprintChange(review.fingerprint, current);
		if (change !== undefined) {
			this.loaded.delete(id);
			return {
				ok: false,
				message: `Not applied: ${basename(review.file)} changed since the plan was made (${change}). Nothing was written; discard this review and compress again.`,
			};
		}
		const format = findFormat(review.format);
		if (format.write === undefined) {
			return {
				ok: false,
				message: `Not applied: Context Lens cannot write ${format.label} files. Use "Export Plain-Text Report" instead.`,
			};
		}
		const loaded = await this.load(id, windows);
		if (!loaded.ok) return loaded;
		const compacted = this.compacted(loaded);
		// A writer that resumes by path (Gemini CLI) names no file: it is written under the default name, given here.
		const fallback = join(dirname(review.file), defaultOutputName(review.file, review.id));
		const written = format.write(compacted, { now: now.toISOString(), path: fallback });
		const target = written.fileName !== undefined ? join(dirname(review.file), written.fileName) : fallback;
		const mode = await stat(review.file).then(
			(info) => info.mode & 0o666,
			() => 0o600,
		);
		const outcome = await writeFileAtomic(target, written.text, mode);
		if (!outcome.ok) return outcome;
		const check = await readTranscriptFile(target);
		if (!check.ok || check.transcript.messages.length === 0) {
			await rm(target, { force: true });
			const why = check.ok ? 'it holds no messages' : formatReadFailure(check.failure);
			return {
				ok: false,
				message: `Not applied: the written file did not read back as a transcript (${why}); it was removed. Please report this.`,
			};
		}
		let spill: AppliedCompaction['spill'];
		const spilled = renderSpill(loaded.plan, loaded.transcript);
		if (spilled !== undefined) {
			const spillPath = join(dirname(review.file), spilled.fileName);
			const spillOutcome = await writeFileAtomic(spillPath, spilled.text, mode);
			if (spillOutcome.ok) spill = { path: spillPath, fingerprint: await fingerprintFile(spillPath) };
		}
		const applied: AppliedCompaction = {
			reviewId: review.id,
			sourceFile: review.file,
			writtenFile: target,
			fingerprint: await fingerprintFile(target),
			...(spill !== undefined ? { spill } : {}),
			...(written.resumeHint !== undefined ? { resumeHint: written.resumeHint } : {}),
			appliedAt: now.toISOString(),
		};
		await this.store.pushApplied(applied);
		await this.discard(id);
		return { ok: true, applied, messagesWritten: check.transcript.messages.length };
	}

	/** Removes what one apply wrote (the newest when no path is given), only if it is unchanged since then. */
	async undo(writtenFile?: string): Promise<{ ok: true; removed: string } | ReviewFailure> {
		const all = this.store.applied();
		const applied = writtenFile !== undefined ? all.find((a) => a.writtenFile === writtenFile) : all.at(-1);
		if (applied === undefined) return { ok: false, message: 'There is no applied compaction to undo.' };
		let current: FileFingerprint | undefined;
		try {
			current = await fingerprintFile(applied.writtenFile);
		} catch {
			current = undefined;
		}
		if (current === undefined) {
			await this.store.removeApplied(applied.writtenFile);
			return { ok: false, message: `${applied.writtenFile} is already gone; nothing to undo.` };
		}
		const change = describeFingerprintChange(applied.fingerprint, current);
		if (change !== undefined) {
			return {
				ok: false,
				message: `Not undone: ${basename(applied.writtenFile)} changed since it was written (${change}), probably because the session was resumed. Delete it yourself if you are sure.`,
			};
		}
		await rm(applied.writtenFile);
		if (applied.spill !== undefined) {
			const spillNow = await fingerprintFile(applied.spill.path).catch(() => undefined);
			if (
				spillNow !== undefined &&
				describeFingerprintChange(applied.spill.fingerprint, spillNow) === undefined
			) {
				await rm(applied.spill.path, { force: true });
			}
		}
		await this.store.removeApplied(applied.writtenFile);
		return { ok: true, removed: applied.writtenFile };
	}
}
