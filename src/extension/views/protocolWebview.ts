import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { HostPost, HostToView, ViewKind, ViewToHost } from '../../protocol/messages';
import { parseViewToHost } from '../../protocol/parseViewToHost';
import { PacedPosts } from './pacedPosts';
import { renderMissingBundleHtml, renderWebviewHtml } from '../../protocol/webviewHtml';

/** What a page does with the protocol: the state sent on every `ready`, and the handling of everything else. */
export interface WebviewController {
	/** Messages that (re)build the page's state, sent after each `ready`. */
	initialMessages(): Promise<readonly HostPost[]> | readonly HostPost[];
	/** Handles one validated inbound message other than `ready`; replies go through `post`. */
	handle(message: Exclude<ViewToHost, { type: 'ready' }>, post: (message: HostToView) => void): Promise<void>;
}

/**
 * Runs one webview page over the protocol (src/protocol/messages.ts): renders the page with a fresh nonce, validates
 * every inbound message with `parseViewToHost` (rejected ones are logged and dropped), queues host messages until the
 * page posts `ready`, then sends the controller's state; a page shown again posts `ready` again and gets it again.
 * Without a built bundle (dist/webview/main.js) the page says how to build it, runs no script, and the log says why.
 */
export class ProtocolWebview implements vscode.Disposable {
	/** True when dist/webview/main.js was missing and the page shows how to build it instead of the UI. */
	readonly isBundleMissing: boolean;
	private isReady = false;
	private queue: HostPost[] = [];
	private readonly subscriptions: vscode.Disposable[] = [];
	private last: HostPost | undefined;
	/** Paces a view's row-text parts (see `post`). */
	private readonly paced = new PacedPosts((message) => {
		if (message.type !== 'transcript/rowTextsEncoded') this.last = message;
		this.send(message);
	});

	constructor(
		private readonly webview: vscode.Webview,
		private readonly kind: ViewKind,
		title: string,
		extensionUri: vscode.Uri,
		private readonly log: vscode.LogOutputChannel,
		private readonly controller: WebviewController,
	) {
		const dist = vscode.Uri.joinPath(extensionUri, 'dist');
		const bundle = vscode.Uri.joinPath(dist, 'webview', 'main.js');
		this.isBundleMissing = !existsSync(bundle.fsPath);
		if (this.isBundleMissing) {
			log.error(
				`${kind} webview: ${bundle.fsPath} is missing, so the view shows how to build it; run \`npm run build\` and reload the window.`,
			);
			webview.options = { enableScripts: false, enableCommandUris: false, localResourceRoots: [] };
			webview.html = renderMissingBundleHtml({
				nonce: randomBytes(18).toString('base64'),
				bundlePath: bundle.fsPath,
				title,
			});
			return;
		}
		webview.options = {
			enableScripts: true,
			enableCommandUris: false,
			localResourceRoots: [dist, vscode.Uri.joinPath(extensionUri, 'media')],
		};
		webview.html = renderWebviewHtml({
			cspSource: webview.cspSource,
			nonce: randomBytes(18).toString('base64'),
			scriptUri: webview.asWebviewUri(bundle).toString(),
			styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview', 'codicon.css')).toString()],
			view: kind,
			title,
		});
		this.subscriptions.push(webview.onDidReceiveMessage((value: unknown) => void this.receive(value)));
	}

	/** True once the page posted `ready` (its script runs and speaks the protocol). */
	get hasPageReady(): boolean {
		return this.isReady;
	}

	/** The last message posted to the page (sent or queued), row-text parts aside; tests read it. */
	get lastPosted(): HostPost | undefined {
		return this.last;
	}

	/**
	 * Sends a message now, or after `ready` if the page is not ready yet; a view's row-text parts go one per turn of
	 * the event loop (`PacedPosts`).
	 */
	post(message: HostPost): void {
		this.paced.post(message);
	}

	/** Posts `messages` in order; resolves once every row-text part among them was handed to VS Code. */
	postAll(messages: readonly HostPost[]): Promise<void> {
		return this.paced.postAll(messages);
	}

	private send(message: HostPost): void {
		if (this.isBundleMissing) return;
		if (!this.isReady) {
			this.queue.push(message);
			return;
		}
		void this.webview.postMessage(message);
	}

	private async receive(value: unknown): Promise<void> {
		const message = parseViewToHost(value);
		if (message === undefined) {
			this.log.warn(
				`${this.kind} webview sent a message the protocol rejects: ${JSON.stringify(value)?.slice(0, 200)}`,
			);
			return;
		}
		try {
			if (message.type === 'ready') {
				this.isReady = true;
				// State is resent whole, so messages queued before this `ready` are superseded by it.
				this.queue = [];
				await this.postAll(await this.controller.initialMessages());
				return;
			}
			if (message.type === 'log/error') {
				this.log.error(`${this.kind} webview: ${message.message}`);
				return;
			}
			await this.controller.handle(message, (m) => this.post(m));
		} catch (error) {
			this.log.error(
				`${this.kind} webview ${message.type}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
			);
			void vscode.window.showErrorMessage(
				vscode.l10n.t(
					'Context Lens could not handle that action ({0}). See the "Context Lens" output for details.',
					String(error),
				),
			);
		}
	}

	/** Marks the page as gone (hidden webview views are recreated and post `ready` again). */
	reset(): void {
		this.isReady = false;
	}

	/** Stops listening. */
	dispose(): void {
		for (const d of this.subscriptions) d.dispose();
	}
}
