import { formatWindowPercent } from '../../core/budget/formatFigures';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../commands/extensionServices';
import {
	scanSessions,
	sessionToolLabels,
	sessionTools,
	type SessionEntry,
	type SessionTool,
} from '../sessions/sessionLocations';

/** Largest session file the tree measures in the background, in bytes; larger ones are measured when opened. */
export const maxBackgroundMeasureBytes = 16 * 1024 * 1024;

/** Id of the Sessions view. */
export const sessionsViewId = 'contextLens.sessions';

type Node =
	| { readonly kind: 'tool'; readonly tool: SessionTool; readonly count: number }
	| {
			readonly kind: 'project';
			readonly tool: SessionTool;
			readonly project: string;
			readonly sessions: readonly SessionEntry[];
	  }
	| { readonly kind: 'open' }
	| { readonly kind: 'session'; readonly path: string; readonly mtimeMs: number; readonly size: number };

/** "5 min ago"-style age of a time in ms, for tree descriptions. */
export function formatAge(thenMs: number, nowMs: number): string {
	const minutes = Math.max(0, Math.round((nowMs - thenMs) / 60_000));
	if (minutes < 1) return 'just now';
	if (minutes < 60) return `${minutes} min ago`;
	const hours = Math.round(minutes / 60);
	if (hours < 48) return `${hours} h ago`;
	return `${Math.round(hours / 24)} d ago`;
}

/**
 * The Sessions tree: stored sessions of each agent tool under the configured roots, grouped by tool and project
 * (newest first, with the last update and, once measured, the percent of the window), plus transcript files open
 * in editors. Sessions are measured in the background only when their project is expanded (files up to 16 MiB),
 * so listing a large archive reads no transcript.
 */
export class SessionsTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
	private readonly changed = new vscode.EventEmitter<Node | undefined>();
	private scanned: Map<SessionTool, SessionEntry[]> | undefined;
	private readonly subscriptions: vscode.Disposable[] = [];
	private readonly measured = new Map<
		string,
		{ size: number; mtimeMs: number; percent: number | undefined }
	>();
	private readonly queue: SessionEntry[] = [];
	private isMeasuring = false;

	readonly onDidChangeTreeData = this.changed.event;

	constructor(private readonly services: ExtensionServices) {
		this.subscriptions.push(
			services.tracker.onDidUpdate(() => this.changed.fire(undefined)),
			vscode.window.tabGroups.onDidChangeTabs(() => this.changed.fire(undefined)),
		);
	}

	/** Re-scans the roots. */
	refresh(): void {
		this.scanned = undefined;
		this.changed.fire(undefined);
	}

	private async scan(): Promise<Map<SessionTool, SessionEntry[]>> {
		if (this.scanned !== undefined) return this.scanned;
		const roots = this.services.settings().sessionRoots;
		const lists = await Promise.all(sessionTools.map((tool) => scanSessions(tool, roots[tool])));
		this.scanned = new Map(sessionTools.map((tool, i) => [tool, lists[i] ?? []]));
		return this.scanned;
	}

	private openTranscriptPaths(): string[] {
		const paths = new Set<string>();
		for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
			const input = tab.input;
			const uri =
				input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom
					? input.uri
					: undefined;
			if (uri?.scheme === 'file' && (uri.fsPath.endsWith('.jsonl') || uri.fsPath.endsWith('.json')))
				paths.add(uri.fsPath);
		}
		for (const tracked of this.services.tracker.all) paths.add(tracked.path);
		return [...paths];
	}

	async getChildren(node?: Node): Promise<Node[]> {
		if (node === undefined) {
			const scanned = await this.scan();
			const tools: Node[] = sessionTools
				.map((tool) => ({ kind: 'tool' as const, tool, count: scanned.get(tool)?.length ?? 0 }))
				.filter((n) => n.count > 0);
			return this.openTranscriptPaths().length > 0 ? [{ kind: 'open' }, ...tools] : tools;
		}
		if (node.kind === 'open') {
			return this.openTranscriptPaths().map((path) => ({ kind: 'session', path, mtimeMs: 0, size: 0 }));
		}
		if (node.kind === 'tool') {
			const byProject = new Map<string, SessionEntry[]>();
			for (const entry of (await this.scan()).get(node.tool) ?? []) {
				const list = byProject.get(entry.project) ?? [];
				list.push(entry);
				byProject.set(entry.project, list);
			}
			return [...byProject].map(([project, sessions]) => ({
				kind: 'project',
				tool: node.tool,
				project,
				sessions,
			}));
		}
		if (node.kind === 'project') {
			this.enqueueMeasure(node.sessions);
			return node.sessions.map((s) => ({ kind: 'session', path: s.path, mtimeMs: s.mtimeMs, size: s.size }));
		}
		return [];
	}

	getTreeItem(node: Node): vscode.TreeItem {
		switch (node.kind) {
			case 'tool': {
				const item = new vscode.TreeItem(
					sessionToolLabels[node.tool],
					vscode.TreeItemCollapsibleState.Collapsed,
				);
				item.description = String(node.count);
				item.iconPath = new vscode.ThemeIcon('hubot');
				return item;
			}
			case 'open': {
				const item = new vscode.TreeItem(
					vscode.l10n.t('Open transcripts'),
					vscode.TreeItemCollapsibleState.Expanded,
				);
				item.iconPath = new vscode.ThemeIcon('files');
				return item;
			}
			case 'project': {
				const item = new vscode.TreeItem(node.project, vscode.TreeItemCollapsibleState.Collapsed);
				item.description = String(node.sessions.length);
				item.iconPath = new vscode.ThemeIcon('folder');
				return item;
			}
			case 'session': {
				const item = new vscode.TreeItem(basename(node.path), vscode.TreeItemCollapsibleState.None);
				const state = this.services.tracker.get(node.path)?.state;
				const parts: string[] = [];
				const percent = state?.ok === true ? state.report.percentUsed : this.measured.get(node.path)?.percent;
				if (percent !== undefined) parts.push(formatWindowPercent(percent));
				if (node.mtimeMs > 0) parts.push(formatAge(node.mtimeMs, Date.now()));
				item.description = parts.join(' · ');
				item.tooltip = node.path;
				item.resourceUri = vscode.Uri.file(node.path);
				item.contextValue = 'contextLens.session';
				item.iconPath = new vscode.ThemeIcon(
					this.services.tracker.active?.path === node.path ? 'pulse' : 'comment-discussion',
				);
				item.command = {
					command: 'contextLens.showGauge',
					title: vscode.l10n.t('Show Gauge'),
					arguments: [{ file: node.path }],
				};
				return item;
			}
		}
	}

	private enqueueMeasure(sessions: readonly SessionEntry[]): void {
		for (const s of sessions) {
			const known = this.measured.get(s.path);
			if (known !== undefined && known.size === s.size && known.mtimeMs === s.mtimeMs) continue;
			if (s.size > maxBackgroundMeasureBytes || this.queue.some((q) => q.path === s.path)) continue;
			this.queue.push(s);
		}
		void this.drainQueue();
	}

	/** Measures queued sessions one at a time in the analysis worker, so the host's thread only waits. */
	private async drainQueue(): Promise<void> {
		if (this.isMeasuring) return;
		this.isMeasuring = true;
		try {
			const windows = this.services.settings().contextWindows;
			for (let s = this.queue.shift(); s !== undefined; s = this.queue.shift()) {
				const measured = await this.services.analysis
					.call('file.measure', { path: s.path, windows })
					.catch(() => undefined);
				const percent = measured?.ok === true ? measured.report.percentUsed : undefined;
				this.measured.set(s.path, { size: s.size, mtimeMs: s.mtimeMs, percent });
				this.changed.fire(undefined);
			}
		} finally {
			this.isMeasuring = false;
		}
	}

	/** Releases the emitter. */
	dispose(): void {
		for (const d of this.subscriptions) d.dispose();
		this.changed.dispose();
	}
}
