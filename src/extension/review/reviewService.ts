import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Summarizer } from '../../core/compaction/summarizer';
import {
	describeFingerprintChange,
	fingerprintFile,
	hasSameStat,
	type FileFingerprint,
} from '../../core/io/fileFingerprint';
import { findFormat } from '../../core/transcript/registry';
import { AnalysisWorkerError, type AnalysisClient } from '../../worker/client';
import type {
	CompressRequest,
	MethodName,
	ParamsOf,
	ResultOf,
	ReviewSettings,
	ReviewSide,
	SummarizerChoice,
	Windows,
	WorkProgress,
} from '../../worker/protocol';
import { writeFileAtomic } from './atomicWrite';
import {
	maxStoredLostFacts,
	type AppliedCompaction,
	type PendingReview,
	type ReviewStore,
} from './pendingReviews';

export type { CompressRequest, ReviewSettings } from '../../worker/protocol';

/** An expected failure, with a message naming the file and what to do next; `isCancelled` when the person cancelled. */
export interface ReviewFailure {
	readonly ok: false;
	readonly message: string;
	readonly isCancelled?: boolean;
}

/** What apply wrote. */
export interface AppliedOutcome {
	readonly ok: true;
	readonly applied: AppliedCompaction;
	/** Messages in the written file as read back. */
	readonly messagesWritten: number;
}

function defaultOutputName(file: string, reviewId: string): string {
	const ext = extname(file);
	return `${basename(file, ext)}.compacted-${reviewId.slice(0, 8)}${ext}`;
}

/**
 * The review-then-apply flow: plan and summarise into a pending review (nothing written), render its diff, re-count
 * an edited summary, apply it as a new file next to the original after checking the original is unchanged, and undo
 * exactly what apply wrote. Reading, counting, planning and rendering run in the analysis worker
 * (src/worker/reviews.ts), which keeps each review's transcript; this side keeps the reviews and writes the files.
 */
export class ReviewService {
	constructor(
		private readonly store: ReviewStore,
		private readonly analysis: AnalysisClient,
		/** Where plans are kept (PendingReview.planFile); without it they stay in the stored review. */
		private readonly planDir?: string,
	) {}

	/** A worker call whose rejection (the worker failed or was restarted) becomes a failure naming what happened. */
	private async call<M extends MethodName>(
		method: M,
		params: ParamsOf<M>,
		options: Parameters<AnalysisClient['call']>[2] = {},
	): Promise<ResultOf<M> | ReviewFailure> {
		try {
			return await this.analysis.call(method, params, options);
		} catch (error) {
			const message = error instanceof Error ? error.message : String(error);
			return {
				ok: false,
				message: `Context Lens could not finish this (${message}); try again.`,
				...(error instanceof AnalysisWorkerError && error.isCancelled ? { isCancelled: true } : {}),
			};
		}
	}

	/**
	 * Plans and summarises a compaction of `file` into a new pending review; writes nothing. A summariser the worker
	 * can build (offline, or an HTTP provider) runs there; any other one (vscode.lm) runs here, asked by the worker.
	 */
	async create(
		file: string,
		request: CompressRequest,
		settings: ReviewSettings,
		summarizer: SummarizerChoice | Summarizer | undefined,
		signal: AbortSignal,
		onProgress?: (progress: WorkProgress) => void,
	): Promise<{ ok: true; review: PendingReview } | ReviewFailure> {
		const onHost = summarizer !== undefined && 'summarize' in summarizer ? summarizer : undefined;
		const choice: SummarizerChoice | undefined =
			onHost !== undefined ? { where: 'host', id: onHost.id } : (summarizer as SummarizerChoice | undefined);
		const created = await this.call(
			'review.create',
			{
				file,
				request,
				settings,
				summarizer: choice,
				maxLostFacts: maxStoredLostFacts,
				...(this.planDir !== undefined ? { planDir: this.planDir } : {}),
			},
			{
				signal,
				...(onProgress !== undefined ? { onProgress } : {}),
				...(onHost !== undefined ? { summarizer: onHost } : {}),
			},
		);
		if (!created.ok) return created;
		await this.store.putReview(created.review);
		return created;
	}

	/**
	 * A review whose summary can take back the facts compaction `compaction` of `file` lost (the agent's own, or an
	 * earlier one): the plan rewrites only the summary that opens today's window, the review starts from that
	 * summary and lists the compaction's lost facts, and Apply writes it like any compaction (a new file beside the
	 * original). Planned in the analysis worker; writes nothing itself.
	 */
	async createRestore(
		file: string,
		compaction: number,
		settings: ReviewSettings,
		signal?: AbortSignal,
	): Promise<{ ok: true; review: PendingReview } | ReviewFailure> {
		const created = await this.call(
			'review.restore',
			{
				file,
				compaction,
				settings,
				maxLostFacts: maxStoredLostFacts,
				...(this.planDir !== undefined ? { planDir: this.planDir } : {}),
			},
			signal !== undefined ? { signal } : {},
		);
		if (!created.ok) return created;
		await this.store.putReview(created.review);
		return created;
	}

	/** One side of a review's diff as readable text (a message saying why when the review cannot be loaded). */
	async document(id: string, side: ReviewSide, windows: Windows): Promise<string> {
		const review = this.store.review(id);
		if (review === undefined) return 'This compaction review no longer exists; compress again.\n';
		const rendered = await this.call('review.document', { review, windows, side });
		return rendered.ok ? rendered.text : `${rendered.message}\n`;
	}

	/** Stores an edited summary and returns the re-counted window: tokens after and the summary message's tokens. */
	async editSummary(
		id: string,
		summary: string,
		windows: Windows,
	): Promise<{ ok: true; tokensAfter: number; syntheticTokens: number } | ReviewFailure> {
		const stored = this.store.review(id);
		if (stored === undefined)
			return { ok: false, message: 'This compaction review no longer exists; compress again.' };
		const counted = await this.call('review.count', { review: stored, windows, text: summary });
		if (!counted.ok) return counted;
		const review: PendingReview = { ...stored, summary };
		await this.store.putReview(review);
		const n = review.numbers;
		const { syntheticTokens } = counted;
		return { ok: true, syntheticTokens, tokensAfter: n.tokensAfter - n.syntheticTokens + syntheticTokens };
	}

	/** Tokens of a summary text with the review's counter (the review page's live count). */
	async countSummary(
		id: string,
		text: string,
		windows: Windows,
	): Promise<{ ok: true; tokens: number } | ReviewFailure> {
		const review = this.store.review(id);
		if (review === undefined)
			return { ok: false, message: 'This compaction review no longer exists; compress again.' };
		const counted = await this.call('review.count', { review, windows, text });
		return counted.ok ? { ok: true, tokens: counted.tokens } : counted;
	}

	/** The review as stored now, undefined once applied or discarded. */
	stored(id: string): PendingReview | undefined {
		return this.store.review(id);
	}

	/** Drops a pending review; nothing was written, so nothing is removed from disk but the review's own plan file. */
	async discard(id: string): Promise<boolean> {
		void this.analysis.call('review.forget', { id }).catch(() => undefined);
		const planFile = this.store.review(id)?.planFile;
		if (planFile !== undefined) await rm(planFile, { force: true });
		return this.store.removeReview(id);
	}

	/**
	 * Removes plan files no stored review names (left when a window closed between writing a plan and storing its
	 * review); files written after this call began are left alone, as their review may be on its way to the store.
	 */
	async removeOrphanPlans(): Promise<number> {
		const planDir = this.planDir;
		if (planDir === undefined) return 0;
		const startedMs = Date.now();
		const kept = new Set(this.store.reviews().map((r) => r.planFile));
		const names = await readdir(planDir).catch(() => [] as string[]);
		let removed = 0;
		for (const path of names.map((name) => join(planDir, name))) {
			if (kept.has(path)) continue;
			const info = await stat(path).catch(() => undefined);
			if (info === undefined || info.mtimeMs >= startedMs) continue;
			await rm(path, { force: true });
			removed++;
		}
		return removed;
	}

	/**
	 * Writes the compacted transcript as a new file next to the original, atomically, in the original's format.
	 * Refuses when the original changed since the plan was made (size, then content hash), when the format has no
	 * writer, or when the written file does not read back as a transcript (it is then removed).
	 */
	async apply(id: string, windows: Windows, now = new Date()): Promise<AppliedOutcome | ReviewFailure> {
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
			void this.analysis.call('review.forget', { id }).catch(() => undefined);
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
		// A writer that resumes by path (Gemini CLI) names no file: it is written under the default name, given here.
		const fallback = join(dirname(review.file), defaultOutputName(review.file, review.id));
		const written = await this.call('review.output', {
			review,
			windows,
			now: now.toISOString(),
			fallbackPath: fallback,
		});
		if (!written.ok) return written;
		const target = written.fileName !== undefined ? join(dirname(review.file), written.fileName) : fallback;
		const mode = await stat(review.file).then(
			(info) => info.mode & 0o666,
			() => 0o600,
		);
		const outcome = await writeFileAtomic(target, written.text, mode);
		if (!outcome.ok) return outcome;
		const check = await this.call('review.readBack', { path: target });
		if (!check.ok || check.messages === 0) {
			await rm(target, { force: true });
			const why = check.ok ? 'it holds no messages' : check.message;
			return {
				ok: false,
				message: `Not applied: the written file did not read back as a transcript (${why}); it was removed. Please report this.`,
			};
		}
		let spill: AppliedCompaction['spill'];
		if (written.spill !== undefined) {
			const spillPath = join(dirname(review.file), written.spill.fileName);
			const spillOutcome = await writeFileAtomic(spillPath, written.spill.text, mode);
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
		return { ok: true, applied, messagesWritten: check.messages };
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
