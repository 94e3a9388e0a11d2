import type { ArtifactKind } from '../../core/facts/extractArtifacts';
import type { ReviewView } from '../../core/view/viewModel';
import type { PendingReview } from './pendingReviews';

/** The review page's content for a pending review; `planId` is the review id, which the page echoes back. */
export function buildPendingReviewView(
	review: PendingReview,
	summaryTokens: number,
	applyDescription: string,
): ReviewView {
	const n = review.numbers;
	return {
		planId: review.id,
		strategy: review.strategy,
		focus: review.focus ?? '',
		success: true,
		summary: review.summary ?? '',
		summaryTokens,
		summaryBudgetTokens: n.summaryBudgetTokens ?? 0,
		tokensBefore: n.tokensBefore,
		tokensAfter: n.tokensAfter,
		reductionPercent: n.tokensBefore > 0 ? ((n.tokensBefore - n.tokensAfter) / n.tokensBefore) * 100 : 0,
		messagesBefore: n.messagesBefore,
		messagesAfter: n.messagesAfter,
		counts: { kept: n.kept, summarized: n.summarized, pruned: n.edited ?? 0, dropped: n.dropped },
		lostFacts: review.lostFacts.map((f) => ({
			kind: f.kind as ArtifactKind,
			value: f.value,
			messageIndex: f.messageIndex,
			messageId: f.messageId ?? '',
			source: f.source,
			...(f.line !== undefined ? { line: f.line } : {}),
		})),
		retention: n.retention ?? 1,
		applyDescription,
		tailRule: review.tailRule ?? '',
		pinned: review.pinned ?? { messages: [], partners: 0, tokens: 0 },
		...(review.restores !== undefined ? { restores: review.restores } : {}),
	};
}
