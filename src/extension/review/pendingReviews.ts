import type * as vscode from 'vscode';
import type { StrategyName } from '../../core/compaction/strategies';
import type { FormatId } from '../../core/transcript/model';
import type { FileFingerprint } from '../../core/io/fileFingerprint';
import type { PinnedReviewView } from '../../core/view/viewModel';

/** One fact the compacted window no longer carries, as the review lists it. */
export interface ReviewLostFact {
	readonly kind: string;
	readonly value: string;
	/** Index of the window message it came from. */
	readonly messageIndex: number;
	readonly messageId: string;
	readonly source: string;
	/** 1-based source line of that message. */
	readonly line?: number;
}

/** Before/after numbers of a review; tokens counted with the same counter, percentages of `contextWindow`. */
export interface ReviewNumbers {
	readonly contextWindow: number;
	readonly tokensBefore: number;
	readonly tokensAfter: number;
	readonly messagesBefore: number;
	readonly messagesAfter: number;
	readonly kept: number;
	readonly summarized: number;
	readonly dropped: number;
	/** Messages the cheap pass shrank (R3/H4). */
	readonly edited: number;
	/** R6: tokens reserved for the summary. */
	readonly summaryBudgetTokens: number;
	/** Share of the changed messages' facts the compacted window kept, in [0, 1]. */
	readonly retention: number;
	/** Tokens of the synthetic message as planned with `originalSummary`, to re-count an edited summary. */
	readonly syntheticTokens: number;
}

/**
 * A compaction waiting for the person's decision (H2): the serialised plan, the (editable) summary and the source
 * file's fingerprint when the plan was made. Plain JSON, stored in workspaceState so it survives a reload.
 */
export interface PendingReview {
	readonly id: string;
	readonly file: string;
	readonly format: FormatId;
	readonly fingerprint: FileFingerprint;
	/** The serialised plan, kept here by reviews made before plans moved to files (see `planFile`). */
	readonly planText?: string;
	/**
	 * The file holding the serialised plan, in the extension's storage folder: workspaceState is sent whole to the
	 * workbench on every update, which took the extension host's thread 0.3 s with the 5 MB plan of a 100 MB session.
	 */
	readonly planFile?: string;
	readonly strategy: StrategyName;
	readonly focus?: string;
	/** The summary as the summariser wrote it; undefined for deterministic strategies. */
	readonly originalSummary?: string;
	/** The summary as the person edited it (equal to `originalSummary` until edited). */
	readonly summary?: string;
	readonly summarizerId?: string;
	readonly numbers: ReviewNumbers;
	readonly lostFacts: readonly ReviewLostFact[];
	/** Lost facts not listed because the list was capped. */
	readonly lostFactsOmitted: number;
	/** How the protected tail was sized, in words (absent in reviews stored before it was recorded). */
	readonly tailRule?: string;
	/** What the plan keeps verbatim because it is pinned (absent when nothing is). */
	readonly pinned?: PinnedReviewView;
	/** Set on a restore review: the 1-based number of the compaction whose lost facts it offers to take back. */
	readonly restores?: number;
	readonly createdAt: string;
}

/** What apply wrote, so Undo can remove exactly that file after checking it is unchanged. */
export interface AppliedCompaction {
	readonly reviewId: string;
	readonly sourceFile: string;
	readonly writtenFile: string;
	readonly fingerprint: FileFingerprint;
	/** H6: the spill file written beside it, removed with it. */
	readonly spill?: { readonly path: string; readonly fingerprint: FileFingerprint };
	readonly resumeHint?: string;
	readonly appliedAt: string;
}

/** How many lost facts a review stores; the rest are counted. */
export const maxStoredLostFacts = 200;

/** How many applied compactions Undo remembers, newest last. */
export const maxRememberedApplies = 20;

const reviewsKey = 'contextLens.pendingReviews';
const appliedKey = 'contextLens.appliedCompactions';

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFingerprint(value: unknown): value is FileFingerprint {
	return (
		isObject(value) &&
		typeof value['size'] === 'number' &&
		typeof value['mtimeMs'] === 'number' &&
		typeof value['sha256'] === 'string'
	);
}

/** True for a stored value with the fields a review needs (older or damaged entries are dropped on load). */
export function isPendingReview(value: unknown): value is PendingReview {
	return (
		isObject(value) &&
		typeof value['id'] === 'string' &&
		typeof value['file'] === 'string' &&
		typeof value['format'] === 'string' &&
		(typeof value['planText'] === 'string' || typeof value['planFile'] === 'string') &&
		typeof value['strategy'] === 'string' &&
		isFingerprint(value['fingerprint']) &&
		isObject(value['numbers']) &&
		Array.isArray(value['lostFacts'])
	);
}

function isApplied(value: unknown): value is AppliedCompaction {
	return (
		isObject(value) &&
		typeof value['reviewId'] === 'string' &&
		typeof value['writtenFile'] === 'string' &&
		typeof value['sourceFile'] === 'string' &&
		isFingerprint(value['fingerprint'])
	);
}

/** Pending reviews and applied compactions, persisted in a Memento (workspaceState). */
export class ReviewStore {
	constructor(private readonly memento: vscode.Memento) {}

	/** Every pending review, oldest first. */
	reviews(): PendingReview[] {
		const stored = this.memento.get<unknown>(reviewsKey);
		return Array.isArray(stored) ? stored.filter(isPendingReview) : [];
	}

	/** The pending review with this id. */
	review(id: string): PendingReview | undefined {
		return this.reviews().find((r) => r.id === id);
	}

	/** Adds or replaces a review (by id). */
	async putReview(review: PendingReview): Promise<void> {
		const others = this.reviews().filter((r) => r.id !== review.id);
		await this.memento.update(reviewsKey, [...others, review]);
	}

	/** Removes a review; true when it existed. */
	async removeReview(id: string): Promise<boolean> {
		const all = this.reviews();
		const rest = all.filter((r) => r.id !== id);
		await this.memento.update(reviewsKey, rest);
		return rest.length !== all.length;
	}

	/** Applied compactions, newest last. */
	applied(): AppliedCompaction[] {
		const stored = this.memento.get<unknown>(appliedKey);
		return Array.isArray(stored) ? stored.filter(isApplied) : [];
	}

	/** Remembers an applied compaction for Undo. */
	async pushApplied(applied: AppliedCompaction): Promise<void> {
		await this.memento.update(appliedKey, [...this.applied(), applied].slice(-maxRememberedApplies));
	}

	/** Forgets an applied compaction (after Undo). */
	async removeApplied(writtenFile: string): Promise<void> {
		await this.memento.update(
			appliedKey,
			this.applied().filter((a) => a.writtenFile !== writtenFile),
		);
	}
}
