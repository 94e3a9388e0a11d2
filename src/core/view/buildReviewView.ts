import type { CompactionResult } from '../compaction/compactTranscript';
import { describeTailRule } from '../compaction/tailRule';
import { describeFocusReport, reportFocus } from '../facts/focusReport';
import type { Transcript } from '../transcript/model';
import { messagesInWindow } from '../transcript/model';
import { buildPinnedReviewView } from './buildTranscriptView';
import type { LostFactView, ReviewView } from './viewModel';

/** What the review builder needs beside the result. */
export interface ReviewViewOptions {
	/** Counts a summary's tokens with the session's encoding. */
	readonly countTokens: (text: string) => number;
	/** The transcript before compaction, to give each lost fact its source line. */
	readonly before?: Transcript;
	/** What Apply writes, in words (the host knows the target file and the resume command). */
	readonly applyDescription: string;
}

/** The review panel's content for a compaction result; lost facts keep the order the fact report gives them. */
export function buildReviewView(result: CompactionResult, options: ReviewViewOptions): ReviewView {
	const { plan } = result;
	const summary = result.summary ?? plan.synthetic?.text ?? '';
	const window = options.before !== undefined ? messagesInWindow(options.before) : undefined;
	const lostFacts: LostFactView[] = (result.lostFacts?.lost ?? []).map((a) => {
		const line = window?.[a.messageIndex]?.lines.from;
		return {
			kind: a.kind,
			value: a.value,
			messageIndex: a.messageIndex,
			messageId: a.messageId,
			source: a.source,
			...(line !== undefined ? { line } : {}),
		};
	});
	const focusReport = result.success ? reportFocus(plan.options.focus, result.lostFacts, summary) : undefined;
	return {
		planId: plan.id,
		strategy: result.strategy,
		focus: plan.options.focus ?? '',
		success: result.success,
		...(result.error !== undefined ? { error: result.error } : {}),
		summary,
		summaryTokens: summary === '' ? 0 : options.countTokens(summary),
		summaryBudgetTokens: plan.summaryBudgetTokens,
		tokensBefore: result.tokensBefore,
		tokensAfter: result.tokensAfter,
		reductionPercent: result.reductionPercent,
		messagesBefore: result.messagesBefore,
		messagesAfter: result.messagesAfter,
		counts: {
			kept: plan.counts.kept,
			summarized: plan.counts.summarized,
			pruned: plan.counts.edited,
			dropped: plan.counts.dropped,
		},
		lostFacts,
		retention: result.lostFacts?.retention ?? 1,
		applyDescription: options.applyDescription,
		tailRule: describeTailRule(plan),
		...(focusReport !== undefined
			? {
					focusKept: {
						line: describeFocusReport(focusReport),
						kept: focusReport.keptExamples,
						lost: focusReport.lost,
					},
				}
			: {}),
		pinned: buildPinnedReviewView(plan.pinned, window ?? [], plan.messageTokens),
	};
}
