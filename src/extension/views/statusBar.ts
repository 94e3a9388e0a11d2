import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { TranscriptTracker } from '../sessions/transcriptTracker';
import { fillLevel, formatStatusText, percentOfWindow, type FillThresholds } from './statusText';

/** The status bar item for the active transcript: `$(pulse) 63% · 126k/200k`, coloured at the thresholds. */
export class TranscriptStatusBar implements vscode.Disposable {
	private readonly item: vscode.StatusBarItem;
	private readonly subscriptions: vscode.Disposable[] = [];

	constructor(
		private readonly tracker: TranscriptTracker,
		private thresholds: FillThresholds,
	) {
		this.item = vscode.window.createStatusBarItem('contextLens.status', vscode.StatusBarAlignment.Right, 100);
		this.item.name = vscode.l10n.t('Context Lens window usage');
		this.item.command = 'contextLens.showGauge';
		this.subscriptions.push(
			tracker.onDidChangeActive(() => this.render()),
			tracker.onDidUpdate(({ tracked }) => {
				if (tracked === tracker.active) this.render();
			}),
		);
		this.render();
	}

	/** The text shown now, or undefined while hidden. */
	get text(): string | undefined {
		return this.isShown ? this.item.text : undefined;
	}

	private isShown = false;

	/** Applies new thresholds. */
	setThresholds(thresholds: FillThresholds): void {
		this.thresholds = thresholds;
		this.render();
	}

	private render(): void {
		const state = this.tracker.active?.state;
		if (state === undefined || !state.ok) {
			this.item.hide();
			this.isShown = false;
			return;
		}
		const { report } = state;
		const tokens = report.tokens.total;
		this.item.text = formatStatusText(tokens, report.contextWindow);
		const level = fillLevel(tokens, report.contextWindow, this.thresholds);
		this.item.backgroundColor =
			level === 'error'
				? new vscode.ThemeColor('statusBarItem.errorBackground')
				: level === 'warning'
					? new vscode.ThemeColor('statusBarItem.warningBackground')
					: undefined;
		const tooltip = new vscode.MarkdownString(
			vscode.l10n.t(
				'**{0}**: {1}% of the {2}-token window ({3} tokens, {4}). Compaction at {5}%, rotation at {6}%. Click to open the gauge.',
				basename(report.file),
				percentOfWindow(tokens, report.contextWindow),
				report.contextWindow.toLocaleString('en-US'),
				tokens.toLocaleString('en-US'),
				report.source === 'exact' ? report.encoding : `±${report.sourceErrorPct}%`,
				Math.round(this.thresholds.compaction * 100),
				Math.round(this.thresholds.rotation * 100),
			),
		);
		this.item.tooltip = tooltip;
		this.item.accessibilityInformation = {
			label: vscode.l10n.t(
				'Context window {0}% used, {1} of {2} tokens',
				percentOfWindow(tokens, report.contextWindow),
				tokens,
				report.contextWindow,
			),
		};
		this.item.show();
		this.isShown = true;
	}

	/** Removes the item. */
	dispose(): void {
		for (const d of this.subscriptions) d.dispose();
		this.item.dispose();
	}
}
