import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { AnalysisClient } from '../../worker/client';
import type { Windows } from '../../worker/protocol';
import { fillLevel, type FillLevel, type FillThresholds } from '../views/statusText';
import { withDelayedProgress } from './readProgress';
import { TrackedTranscript, type TrackedState } from './trackedTranscript';

/** A tracked transcript together with its latest state, as listeners receive it. */
export interface TrackedUpdate {
	readonly tracked: TrackedTranscript;
	readonly state: TrackedState;
}

/** A watched session that just crossed the compaction threshold upward (fires once per file). */
export interface ThresholdCrossing {
	readonly tracked: TrackedTranscript;
	readonly tokens: number;
	readonly contextWindow: number;
}

/**
 * Every transcript the extension has open, keyed by file path, and which one is active (shown by the status bar
 * and the gauge). Watches each tracked file and reports threshold crossings once per file.
 */
export class TranscriptTracker implements vscode.Disposable {
	private readonly tracked = new Map<string, TrackedTranscript>();
	private readonly levels = new Map<string, FillLevel>();
	private readonly notified = new Set<string>();
	private activePath: string | undefined;
	private readonly updated = new vscode.EventEmitter<TrackedUpdate>();
	private readonly activeChanged = new vscode.EventEmitter<TrackedTranscript | undefined>();
	private readonly crossed = new vscode.EventEmitter<ThresholdCrossing>();

	/** Fires after any tracked transcript's state changed. */
	readonly onDidUpdate = this.updated.event;
	/** Fires when the active transcript changes. */
	readonly onDidChangeActive = this.activeChanged.event;
	/** Fires once per file when it crosses the compaction threshold while tracked. */
	readonly onDidCrossThreshold = this.crossed.event;

	constructor(
		private windows: Windows,
		private thresholds: FillThresholds,
		private readonly analysis: AnalysisClient,
		private readonly log: vscode.LogOutputChannel,
	) {}

	/** The active transcript, if any. */
	get active(): TrackedTranscript | undefined {
		return this.activePath !== undefined ? this.tracked.get(this.activePath) : undefined;
	}

	/** Every tracked transcript. */
	get all(): readonly TrackedTranscript[] {
		return [...this.tracked.values()];
	}

	/** The tracked transcript for a path, if tracked. */
	get(path: string): TrackedTranscript | undefined {
		return this.tracked.get(path);
	}

	/**
	 * Starts tracking (and watching) a file, reading it once; an already tracked file is refreshed. A first read that
	 * takes a while shows a cancellable progress notification; cancelled, the file is no longer tracked and the state
	 * says so (`isCancelled`).
	 */
	async open(path: string): Promise<{ tracked: TrackedTranscript; state: TrackedState }> {
		let tracked = this.tracked.get(path);
		if (tracked?.state?.ok === true) return { tracked, state: await tracked.refresh() };
		if (tracked === undefined) {
			tracked = new TrackedTranscript(path, this.windows, this.analysis, this.log);
			this.tracked.set(path, tracked);
			const owner = tracked;
			owner.onDidChange((state) => this.onState(owner, state));
			owner.startWatching();
		}
		const reading = tracked;
		const state = await withDelayedProgress(vscode.l10n.t('Reading {0}', basename(path)), (options) =>
			reading.refresh(options),
		);
		if (!state.ok && state.isCancelled === true && this.tracked.get(path) === reading) this.close(path);
		return { tracked: reading, state };
	}

	/** Makes a tracked path the active one (undefined clears it). */
	setActive(path: string | undefined): void {
		if (path === this.activePath) return;
		this.activePath = path !== undefined && this.tracked.has(path) ? path : undefined;
		this.activeChanged.fire(this.active);
	}

	/** Stops tracking a file; the active one is cleared if it was this file. */
	close(path: string): void {
		const tracked = this.tracked.get(path);
		if (tracked === undefined) return;
		tracked.dispose();
		this.tracked.delete(path);
		this.levels.delete(path);
		if (this.activePath === path) this.setActive(undefined);
	}

	/** Applies new settings to every tracked file. */
	async reconfigure(windows: Windows, thresholds: FillThresholds): Promise<void> {
		this.windows = windows;
		this.thresholds = thresholds;
		await Promise.all(this.all.map((t) => t.updateWindows(windows)));
	}

	private onState(tracked: TrackedTranscript, state: TrackedState): void {
		if (state.ok) {
			const { report } = state;
			const level = fillLevel(report.tokens.total, report.contextWindow, this.thresholds);
			const before = this.levels.get(tracked.path);
			this.levels.set(tracked.path, level);
			// A file opened already past the threshold is not a crossing; only a growth past it is (one notification).
			if (before === 'normal' && level !== 'normal' && !this.notified.has(tracked.path)) {
				this.notified.add(tracked.path);
				this.crossed.fire({ tracked, tokens: report.tokens.total, contextWindow: report.contextWindow });
			}
		}
		this.updated.fire({ tracked, state });
	}

	/** Stops every watcher. */
	dispose(): void {
		for (const t of this.tracked.values()) t.dispose();
		this.tracked.clear();
		this.updated.dispose();
		this.activeChanged.dispose();
		this.crossed.dispose();
	}
}
