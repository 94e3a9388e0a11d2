import { basename } from 'node:path';
import * as vscode from 'vscode';
import { findFormat } from '../../core/transcript/registry';
import type { FormatId } from '../../core/transcript/model';
import { describeApply as describeApplyTarget } from '../../protocol/strings';
import { ProtocolWebview, type WebviewController } from '../views/protocolWebview';
import type { PendingReview } from './pendingReviews';
import { reviewController } from './reviewController';
import { reviewUri, type ReviewDocumentProvider } from './reviewDocuments';
import type { ReviewService } from './reviewService';

/** View type of the review panel (also its serializer's id, so pending reviews reopen after a reload). */
export const reviewPanelViewType = 'contextLens.review';

/** What Apply writes for a format, in words (the sentence lives in src/protocol/strings.ts, shared with the tests). */
export function describeApply(format: FormatId): string {
	return describeApplyTarget(findFormat(format));
}

/** The review panels, one per pending review, and the diff editor between the readable renderings. */
export class ReviewPanels implements vscode.Disposable {
	private readonly panels = new Map<string, vscode.WebviewPanel>();
	private readonly pages = new Map<string, ProtocolWebview>();

	constructor(
		private readonly reviews: ReviewService,
		private readonly documents: ReviewDocumentProvider,
		private readonly windows: () => Readonly<Record<string, number>>,
		private readonly log: vscode.LogOutputChannel,
		private readonly extensionUri: vscode.Uri,
	) {}

	/** Opens (or reveals) the review panel of a pending review. */
	show(review: PendingReview): vscode.WebviewPanel {
		const existing = this.panels.get(review.id);
		if (existing !== undefined) {
			existing.reveal();
			return existing;
		}
		const panel = vscode.window.createWebviewPanel(
			reviewPanelViewType,
			vscode.l10n.t('Review: {0}', basename(review.file)),
			// Fixed columns: the diff (opened at the same time, slower to lay out) goes left and never covers the panel.
			{ viewColumn: vscode.ViewColumn.Two, preserveFocus: false },
			{ enableScripts: true, retainContextWhenHidden: true },
		);
		this.attach(panel, review);
		return panel;
	}

	/** Binds a panel (new or restored after a reload) to a review. */
	attach(panel: vscode.WebviewPanel, review: PendingReview): void {
		this.panels.set(review.id, panel);
		const page = new ProtocolWebview(
			panel.webview,
			'review',
			panel.title,
			this.extensionUri,
			this.log,
			this.controllerFor(review),
		);
		this.pages.set(review.id, page);
		panel.onDidDispose(() => {
			page.dispose();
			if (this.pages.get(review.id) === page) this.pages.delete(review.id);
			if (this.panels.get(review.id) === panel) this.panels.delete(review.id);
		});
	}

	/** The protocol controller of one review's page. */
	private controllerFor(review: PendingReview): WebviewController {
		const windows = this.windows;
		return reviewController({
			review: () => this.reviews.stored(review.id),
			countSummary: async (text) => {
				const counted = await this.reviews.countSummary(review.id, text, windows());
				return counted.ok ? counted.tokens : undefined;
			},
			storeSummary: async (text) => {
				const edited = await this.reviews.editSummary(review.id, text, windows());
				if (edited.ok) this.documents.refresh(review.id);
			},
			openDiff: () => this.openDiff(review),
			describeApply: () => describeApply(review.format),
		});
	}

	/** The last message sent to a review's page once the page is ready (tests read it), else undefined. */
	readyPageMessage(reviewId: string): string | undefined {
		const page = this.pages.get(reviewId);
		return page?.hasPageReady === true ? page.lastPosted?.type : undefined;
	}

	/** Whether a review has an open panel. */
	hasPanel(reviewId: string): boolean {
		return this.panels.has(reviewId);
	}

	/** Opens the diff editor between the readable original and the readable compacted transcript. */
	async openDiff(review: PendingReview): Promise<void> {
		await vscode.commands.executeCommand(
			'vscode.diff',
			reviewUri(review.id, 'original'),
			reviewUri(review.id, 'compacted'),
			review.restores !== undefined
				? vscode.l10n.t('{0}: original ↔ restored (compaction {1})', basename(review.file), review.restores)
				: vscode.l10n.t('{0}: original ↔ compacted ({1})', basename(review.file), review.strategy),
			{ preview: false, viewColumn: vscode.ViewColumn.One, preserveFocus: true },
		);
	}

	/** Closes the panel and any diff tabs of a review (after apply or discard). */
	async close(reviewId: string): Promise<void> {
		this.panels.get(reviewId)?.dispose();
		this.panels.delete(reviewId);
		const tabs = vscode.window.tabGroups.all
			.flatMap((g) => g.tabs)
			.filter((tab) => {
				const input = tab.input;
				return (
					input instanceof vscode.TabInputTextDiff &&
					input.modified.scheme === reviewUri(reviewId, 'compacted').scheme &&
					input.modified.path.startsWith(`/${reviewId}/`)
				);
			});
		if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
	}

	/** Closes every panel. */
	dispose(): void {
		for (const panel of this.panels.values()) panel.dispose();
		this.panels.clear();
	}
}
