import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../commands/extensionServices';
import { renderEmptyGaugeHtml, renderGaugeHtml, type GaugeContext } from '../views/gaugeHtml';
import { hasWebviewBundle, ProtocolWebview } from '../views/protocolWebview';
import { transcriptController, transcriptMessage } from '../views/transcriptController';
import { renderMessageListHtml } from './messageListHtml';

/** A transcript opened in the Context Lens editor; the file itself is the state (read-only). */
class TranscriptDocument implements vscode.CustomDocument {
	constructor(readonly uri: vscode.Uri) {}
	dispose(): void {}
}

/**
 * "Open with Context Lens" for `*.jsonl` and `*.json`: a read-only editor rendering the gauge, region map and message
 * list of the file (the webview bundle over the protocol, or a static page without it), live while the file grows.
 * A JSON file that is not a transcript shows why, with the reader's message (detection by content).
 */
export class TranscriptEditorProvider implements vscode.CustomReadonlyEditorProvider<TranscriptDocument> {
	private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();

	constructor(private readonly services: ExtensionServices) {}

	/** Number of open editor panels (tests read it). */
	get openPanels(): number {
		let n = 0;
		for (const set of this.panels.values()) n += set.size;
		return n;
	}

	openCustomDocument(uri: vscode.Uri): TranscriptDocument {
		return new TranscriptDocument(uri);
	}

	async resolveCustomEditor(document: TranscriptDocument, panel: vscode.WebviewPanel): Promise<void> {
		const path = document.uri.fsPath;
		const { tracker, context, log } = this.services;
		const page = hasWebviewBundle(context.extensionUri)
			? new ProtocolWebview(
					panel.webview,
					'transcript',
					vscode.l10n.t('Context Lens: {0}', basename(path)),
					context.extensionUri,
					log,
					transcriptController(this.services, () => tracker.get(path)),
				)
			: undefined;
		if (page === undefined)
			panel.webview.options = { enableScripts: false, enableCommandUris: true, localResourceRoots: [] };
		const set = this.panels.get(path) ?? new Set();
		set.add(panel);
		this.panels.set(path, set);
		const render = (): void => {
			if (page !== undefined) {
				page.post(transcriptMessage(this.services, tracker.get(path)));
				return;
			}
			const settings = this.services.settings();
			const context: GaugeContext = {
				thresholds: { compaction: settings.compactionRatio, rotation: settings.rotationRatio },
				pendingReviews: this.services.store.reviews().filter((r) => r.file === path).length,
				canCompact: vscode.workspace.isTrusted,
				cspSource: panel.webview.cspSource,
			};
			const state = tracker.get(path)?.state;
			panel.webview.html =
				state?.ok === true
					? renderGaugeHtml(state.report, context, renderMessageListHtml(state.transcript, state.report))
					: renderEmptyGaugeHtml(
							context,
							state?.ok === false ? state.message : vscode.l10n.t('Reading {0}…', path),
						);
		};
		render();
		const subscriptions = [
			tracker.onDidUpdate(({ tracked }) => {
				if (tracked.path === path && panel.visible) render();
			}),
			panel.onDidChangeViewState(() => {
				if (panel.active) tracker.setActive(path);
				if (panel.visible) render();
			}),
		];
		panel.onDidDispose(() => {
			page?.dispose();
			for (const d of subscriptions) d.dispose();
			set.delete(panel);
			if (set.size === 0) this.panels.delete(path);
		});
		const { state } = await tracker.open(path);
		if (state.ok && panel.active) tracker.setActive(path);
		render();
	}
}
