import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { findFormat } from '../../core/transcript/registry';
import type { FormatId } from '../../core/transcript/model';
import { hasWebviewBundle, ProtocolWebview, type WebviewController } from '../views/protocolWebview';
import type { PendingReview } from './pendingReviews';
import { reviewController } from './reviewController';
import { reviewUri, type ReviewDocumentProvider } from './reviewDocuments';
import { renderReviewHtml } from './reviewHtml';
import { parseReviewMessage, type ReviewHostToView } from './reviewMessages';
import type { ReviewService } from './reviewService';

/** View type of the review panel (also its serializer's id, so pending reviews reopen after a reload). */
export const reviewPanelViewType = 'contextLens.review';

/** What Apply writes for a format, in words (UI.md: Apply names what it will write). */
export function describeApply(format: FormatId): string {
	const target = findFormat(format);
	if (target.write === undefined)
		return `Apply is not available: ${target.label} files are read-only for Context Lens.`;
	if (format === 'claude-code' || format === 'codex') {
		return 'Apply writes a new resumable session file next to the original (the original is not touched); the notification says how to resume it.';
	}
	return `Apply writes a new ${target.label} file next to the original; the original is not touched.`;
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
		if (hasWebviewBundle(this.extensionUri)) {
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
			return;
		}
		panel.webview.options = { enableScripts: true, localResourceRoots: [] };
		panel.webview.html = renderReviewHtml(review, {
			cspSource: panel.webview.cspSource,
			nonce: randomBytes(16).toString('base64'),
			canApply: vscode.workspace.isTrusted && findFormat(review.format).write !== undefined,
			applyNote: describeApply(review.format),
		});
		const listener = panel.webview.onDidReceiveMessage((value: unknown) => {
			void this.onMessage(review, panel, value);
		});
		panel.onDidDispose(() => {
			listener.dispose();
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

	private async onMessage(review: PendingReview, panel: vscode.WebviewPanel, value: unknown): Promise<void> {
		const message = parseReviewMessage(value);
		if (message === undefined) {
			this.log.warn(`review panel sent a malformed message: ${JSON.stringify(value)?.slice(0, 200)}`);
			return;
		}
		try {
			switch (message.type) {
				case 'ready':
					return;
				case 'summary/edit': {
					const counted = await this.reviews.editSummary(review.id, message.text, this.windows());
					if (!counted.ok) {
						void vscode.window.showWarningMessage(counted.message);
						return;
					}
					const reply: ReviewHostToView = {
						type: 'summary/counted',
						tokensAfter: counted.tokensAfter,
						syntheticTokens: counted.syntheticTokens,
					};
					await panel.webview.postMessage(reply);
					this.documents.refresh(review.id);
					return;
				}
				case 'review/apply':
					await vscode.commands.executeCommand('contextLens.applyCompaction', review.id);
					return;
				case 'review/discard':
					await vscode.commands.executeCommand('contextLens.discardCompaction', review.id);
					return;
				case 'review/openDiff':
					await this.openDiff(review);
					return;
				case 'review/rerun':
					await vscode.commands.executeCommand('contextLens.compress', { file: review.file });
					return;
			}
		} catch (error) {
			this.log.error(
				`review panel: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
			);
			void vscode.window.showErrorMessage(
				vscode.l10n.t(
					'Context Lens could not handle that action: {0}. See the Context Lens output for details.',
					String(error),
				),
			);
		}
	}

	/** Opens the diff editor between the readable original and the readable compacted transcript. */
	async openDiff(review: PendingReview): Promise<void> {
		await vscode.commands.executeCommand(
			'vscode.diff',
			reviewUri(review.id, 'original'),
			reviewUri(review.id, 'compacted'),
			vscode.l10n.t('{0}: original ↔ compacted ({1})', basename(review.file), review.strategy),
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
