import { formatWindowPercent } from '../../core/budget/formatFigures';
import * as vscode from 'vscode';
import type { HostPost } from '../../protocol/messages';
import type { ExtensionServices } from '../commands/extensionServices';
import { ProtocolWebview } from './protocolWebview';
import { coalesce, transcriptController, transcriptPosts } from './transcriptController';

/** Id of the Gauge view in the Context Lens container. */
export const gaugeViewId = 'contextLens.gauge';

/** The numbers the gauge shows now, for the host tests: file, tokens and window, or undefined when empty. */
export interface GaugeShown {
	readonly file: string;
	readonly tokens: number;
	readonly contextWindow: number;
}

/** The sidebar Gauge for the active transcript, re-rendered on every update: the webview bundle over the protocol. */
export class GaugeViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
	private view: vscode.WebviewView | undefined;
	private page: ProtocolWebview | undefined;
	private readonly subscriptions: vscode.Disposable[] = [];
	private lastShown: GaugeShown | undefined;
	private posted: { count: number; transcriptId?: string } = { count: 0 };
	/** The pending-review count last posted to the page (for the host tests). */
	private pendingPosted: number | undefined;
	/** Posts the active transcript's view to the page; the worker builds it, one build at a time. */
	private readonly postView = coalesce(async () => {
		const page = this.page;
		if (page === undefined) return;
		const messages = await transcriptPosts(this.services, this.services.tracker.active);
		if (this.page !== page) return;
		await page.postAll(messages);
		const shown = messages[0];
		if (shown?.type === 'transcript/showEncoded')
			this.posted = { count: this.posted.count + 1, transcriptId: shown.transcriptId };
	});

	constructor(private readonly services: ExtensionServices) {
		this.subscriptions.push(
			services.tracker.onDidChangeActive(() => this.render()),
			services.tracker.onDidUpdate(({ tracked }) => {
				if (tracked === services.tracker.active) this.render();
			}),
			services.pins.onDidChange((file) => {
				if (file === services.tracker.active?.path) this.render();
			}),
		);
	}

	/** How the view renders: the webview bundle once its page said `ready`, the build hint without a bundle, or not yet. */
	get pageKind(): 'protocol' | 'missingBundle' | 'loading' | 'unresolved' {
		if (this.view === undefined || this.page === undefined) return 'unresolved';
		if (this.page.isBundleMissing) return 'missingBundle';
		return this.page.hasPageReady ? 'protocol' : 'loading';
	}

	/** How many transcript views the page was sent, and which transcript the last one showed (for the host tests). */
	get views(): { readonly count: number; readonly transcriptId?: string } {
		return this.posted;
	}

	/** How many pending reviews the page was last told of (undefined before the first post). */
	get pendingReviewsPosted(): number | undefined {
		return this.pendingPosted;
	}

	/** What the gauge shows now (undefined before the view was resolved or with no transcript). */
	get shown(): GaugeShown | undefined {
		return this.lastShown;
	}

	resolveWebviewView(view: vscode.WebviewView): void {
		this.view = view;
		this.page?.dispose();
		const { context, log, tracker } = this.services;
		const controller = transcriptController(this.services, () => tracker.active);
		this.page = new ProtocolWebview(
			view.webview,
			'gauge',
			vscode.l10n.t('Context Lens gauge'),
			context.extensionUri,
			log,
			{
				...controller,
				// The pending count first: it is at hand, while the transcript's view is built in the worker.
				initialMessages: async () => [this.pendingPost(), ...(await controller.initialMessages())],
			},
		);
		view.onDidDispose(() => {
			if (this.view !== view) return;
			this.view = undefined;
			this.page?.dispose();
			this.page = undefined;
			this.lastShown = undefined;
		});
		this.render();
	}

	/** Re-renders (also after reviews or settings change). */
	render(): void {
		const view = this.view;
		if (view === undefined) return;
		const active = this.services.tracker.active;
		const state = active?.state;
		this.lastShown =
			active !== undefined && state?.ok === true
				? { file: active.path, tokens: state.report.tokens.total, contextWindow: state.report.contextWindow }
				: undefined;
		view.description = state?.ok === true ? formatWindowPercent(state.report.percentUsed) : '';
		// Only a changed count is sent: render runs on every append to a live session (a new page gets it anyway).
		if (this.services.store.reviews().length !== this.pendingPosted) this.page?.post(this.pendingPost());
		this.postView();
	}

	/** The number of compactions waiting for review, as the page's message; remembered for the host tests. */
	private pendingPost(): HostPost {
		const count = this.services.store.reviews().length;
		this.pendingPosted = count;
		return { type: 'reviews/pending', count };
	}

	/** Stops listening. */
	dispose(): void {
		this.page?.dispose();
		for (const d of this.subscriptions) d.dispose();
	}
}
