import * as vscode from 'vscode';
import { assertNever, type HostToView } from '../../protocol/messages';
import type { WebviewController } from '../views/protocolWebview';
import type { PendingReview } from './pendingReviews';
import { buildPendingReviewView } from './pendingReviewView';

/** What the review page's controller needs from the host. */
export interface ReviewPageHost {
	/** The review as stored now (undefined once applied or discarded). */
	review(): PendingReview | undefined;
	countSummary(text: string): Promise<number | undefined>;
	storeSummary(text: string): Promise<void>;
	openDiff(): Promise<void>;
	describeApply(): string;
}

/**
 * The review page's side of the protocol: shows the review, counts an edited summary, and runs Apply, Discard, Open
 * diff and Re-run through the commands (so the page and the palette behave the same, with the same one catch).
 */
export function reviewController(host: ReviewPageHost): WebviewController {
	return {
		async initialMessages() {
			const review = host.review();
			if (review === undefined) return [];
			const tokens = (await host.countSummary(review.summary ?? '')) ?? 0;
			return [
				{
					type: 'review/show',
					transcriptId: review.file,
					review: buildPendingReviewView(review, tokens, host.describeApply()),
				},
			];
		},
		async handle(message, post: (m: HostToView) => void) {
			const review = host.review();
			switch (message.type) {
				case 'summary/count': {
					const tokens = await host.countSummary(message.text);
					post({
						type: 'summary/count',
						requestId: message.requestId,
						result:
							tokens !== undefined
								? { ok: true, value: tokens }
								: { ok: false, reason: 'This review no longer exists.' },
					});
					return;
				}
				case 'summary/accept': {
					if (review === undefined || review.id !== message.planId) return;
					if (review.summary !== undefined) await host.storeSummary(message.editedSummary);
					const written = await vscode.commands.executeCommand<string | undefined>(
						'contextLens.applyCompaction',
						review.id,
					);
					// On success the apply command closes this panel; a refusal leaves it open with the reason.
					if (written === undefined && host.review() !== undefined) {
						post({
							type: 'review/done',
							planId: review.id,
							outcome: 'failed',
							message: vscode.l10n.t('Not applied; see the notification for why.'),
						});
					}
					return;
				}
				case 'summary/discard':
					if (review !== undefined && review.id === message.planId)
						await vscode.commands.executeCommand('contextLens.discardCompaction', review.id);
					return;
				case 'summary/openDiff':
					if (review === undefined || review.id !== message.planId) return;
					if (review.summary !== undefined) await host.storeSummary(message.editedSummary);
					await host.openDiff();
					return;
				case 'summary/rerun':
					if (review === undefined) return;
					await vscode.commands.executeCommand('contextLens.compress', {
						file: review.file,
						focus: message.focus,
					});
					return;
				case 'command/run':
					if (message.command === 'compress' && review !== undefined)
						await vscode.commands.executeCommand('contextLens.compress', { file: review.file });
					else if (message.command === 'openTranscriptView' && review !== undefined)
						await vscode.commands.executeCommand('contextLens.openTranscript', { file: review.file });
					else if (message.command === 'openSettings')
						await vscode.commands.executeCommand('workbench.action.openSettings', 'contextLens');
					return;
				case 'plan/request':
				case 'message/pin':
					post({
						type: 'plan/result',
						requestId: message.requestId,
						result: { ok: false, reason: 'The review page does not re-plan; compress again.' },
					});
					return;
				case 'message/details':
					post({
						type: 'message/details',
						requestId: message.requestId,
						result: { ok: false, reason: 'Open the transcript to see message details.' },
					});
					return;
				case 'message/reveal':
				case 'log/error':
				case 'compare/start':
				case 'compare/cancel':
				case 'compare/open':
				case 'audit/restore':
				case 'source/reveal':
					return;
				case 'audit/request':
					post({
						type: 'audit/result',
						requestId: message.requestId,
						result: { ok: false, reason: 'Open the transcript to see its compactions.' },
					});
					return;
				default:
					return assertNever(message);
			}
		},
	};
}
