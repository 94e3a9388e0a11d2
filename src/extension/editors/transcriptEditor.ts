import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../commands/extensionServices';
import { ProtocolWebview } from '../views/protocolWebview';
import { coalesce, transcriptController, transcriptPosts } from '../views/transcriptController';

/** A transcript opened in the Context Lens editor; the file itself is the state (read-only). */
class TranscriptDocument implements vscode.CustomDocument {
	constructor(readonly uri: vscode.Uri) {}
	dispose(): void {}
}

/**
 * "Open with Context Lens" for `*.jsonl` and `*.json`: a read-only editor rendering the gauge, region map and message
 * list of the file (the webview bundle over the protocol), live while the file grows.
 * A JSON file that is not a transcript shows why, with the reader's message (detection by content).
 */
export class TranscriptEditorProvider implements vscode.CustomReadonlyEditorProvider<TranscriptDocument> {
	private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();
	/** Each open panel's page, for the tests' `emptyMessage`. */
	private readonly pages = new Map<vscode.WebviewPanel, ProtocolWebview>();

	constructor(private readonly services: ExtensionServices) {}

	/** Number of open editor panels (tests read it). */
	get openPanels(): number {
		let n = 0;
		for (const set of this.panels.values()) n += set.size;
		return n;
	}

	/** The message an editor of `path` shows instead of a transcript (a read failure), if the last post was one. */
	emptyMessage(path: string): string | undefined {
		for (const panel of this.panels.get(path) ?? []) {
			const last = this.pages.get(panel)?.lastPosted;
			if (last?.type === 'transcript/empty') return last.message;
		}
		return undefined;
	}

	openCustomDocument(uri: vscode.Uri): TranscriptDocument {
		return new TranscriptDocument(uri);
	}

	async resolveCustomEditor(document: TranscriptDocument, panel: vscode.WebviewPanel): Promise<void> {
		const path = document.uri.fsPath;
		const { tracker, context, log } = this.services;
		const page = new ProtocolWebview(
			panel.webview,
			'transcript',
			vscode.l10n.t('Context Lens: {0}', basename(path)),
			context.extensionUri,
			log,
			transcriptController(this.services, () => tracker.get(path)),
		);
		const set = this.panels.get(path) ?? new Set();
		set.add(panel);
		this.pages.set(panel, page);
		this.panels.set(path, set);
		const render = coalesce(async () =>
			page.postAll(await transcriptPosts(this.services, tracker.get(path))),
		);
		render();
		const subscriptions = [
			tracker.onDidUpdate(({ tracked }) => {
				if (tracked.path === path && panel.visible) render();
			}),
			// The panel that pinned got its re-plan (with its what-if settings) as the reply; the others redraw.
			this.services.pins.onDidChange((file) => {
				if (file === path && panel.visible && !panel.active) render();
			}),
			panel.onDidChangeViewState(() => {
				if (panel.active) tracker.setActive(path);
				if (panel.visible) render();
			}),
		];
		panel.onDidDispose(() => {
			page.dispose();
			this.pages.delete(panel);
			for (const d of subscriptions) d.dispose();
			set.delete(panel);
			if (set.size === 0) this.panels.delete(path);
		});
		const { state } = await tracker.open(path);
		if (state.ok && panel.active) tracker.setActive(path);
		render();
	}
}
