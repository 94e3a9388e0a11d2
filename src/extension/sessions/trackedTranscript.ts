import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { BudgetReport } from '../../core/budget/budgetReport';
import { AnalysisWorkerError, type AnalysisClient, type CallOptions } from '../../worker/client';
import type { Windows } from '../../worker/protocol';

/**
 * The latest state of a tracked transcript: its report, or why it could not be read (`isCancelled` when the person
 * cancelled the read). The transcript itself stays in the analysis worker, which read it.
 */
export type TrackedState =
	| {
			readonly ok: true;
			readonly report: BudgetReport;
			readonly updatedMs: number;
	  }
	| { readonly ok: false; readonly message: string; readonly isCancelled?: boolean };

/** Delay between a file-change event and the re-read, in ms: coalesces the bursts agents write in. */
export const refreshDebounceMs = 25;

/**
 * A transcript file the extension shows, optionally watched while an agent appends to it. The analysis worker reads
 * and counts it (src/worker/sessions.ts): refreshes read only the appended bytes and re-count only new messages, so
 * a live update costs time proportional to what was written, and none of it on the extension host's thread.
 */
export class TrackedTranscript implements vscode.Disposable {
	private latest: TrackedState | undefined;
	private running: Promise<TrackedState> | undefined;
	private isDirty = false;
	private isDisposed = false;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private watchers: vscode.Disposable[] = [];
	private nodeWatcher: FSWatcher | undefined;
	private readonly changed = new vscode.EventEmitter<TrackedState>();

	/** Fires after every refresh that changed the state. */
	readonly onDidChange = this.changed.event;

	constructor(
		readonly path: string,
		private currentWindows: Windows,
		private readonly analysis: AnalysisClient,
		private readonly log: vscode.LogOutputChannel,
	) {}

	/** The latest state, undefined before the first refresh completes. */
	get state(): TrackedState | undefined {
		return this.latest;
	}

	/** The per-model window settings the transcript is counted with (the worker's calls about it pass them on). */
	get windows(): Windows {
		return this.currentWindows;
	}

	/** True while the file is being watched for appends. */
	get isWatching(): boolean {
		return this.watchers.length > 0;
	}

	/** Replaces the per-model window settings and recounts. */
	updateWindows(windows: Windows): Promise<TrackedState> {
		this.currentWindows = windows;
		return this.refresh();
	}

	/**
	 * Reads what changed since the last refresh; concurrent calls share one read and a call during a read queues one
	 * more. `options` (progress, cancellation) apply to a read this call starts.
	 */
	refresh(options: Pick<CallOptions, 'signal' | 'onProgress'> = {}): Promise<TrackedState> {
		if (this.isDisposed)
			return Promise.resolve(this.latest ?? { ok: false, message: `${this.path} is no longer open.` });
		if (this.running !== undefined) {
			this.isDirty = true;
			return this.running;
		}
		this.running = this.readOnce(options).finally(() => {
			this.running = undefined;
			if (this.isDirty) {
				this.isDirty = false;
				void this.refresh();
			}
		});
		return this.running;
	}

	private async readOnce(options: Pick<CallOptions, 'signal' | 'onProgress'>): Promise<TrackedState> {
		const started = performance.now();
		let refreshed;
		try {
			refreshed = await this.analysis.call(
				'session.refresh',
				{ path: this.path, windows: this.currentWindows },
				options,
			);
		} catch (error) {
			refreshed = {
				ok: false as const,
				message: `${this.path}: ${error instanceof Error ? error.message : String(error)}`,
				...(error instanceof AnalysisWorkerError && error.isCancelled ? { isCancelled: true } : {}),
			};
		}
		if (this.isDisposed)
			return refreshed.ok ? { ok: true, report: refreshed.report, updatedMs: Date.now() } : refreshed;
		if (!refreshed.ok) {
			const state: TrackedState = refreshed;
			this.publish(state);
			return state;
		}
		if (!refreshed.hasChanged && this.latest?.ok === true) return this.latest;
		const { report } = refreshed;
		const state: TrackedState = { ok: true, report, updatedMs: Date.now() };
		this.log.debug(
			`read ${this.path}: +${refreshed.bytesRead} bytes, ${report.messages} messages, ${report.tokens.total} tokens in ${refreshed.elapsedMs} ms in the worker, ${Math.round(performance.now() - started)} ms to the host`,
		);
		this.publish(state);
		return state;
	}

	private publish(state: TrackedState): void {
		this.latest = state;
		this.changed.fire(state);
	}

	/** Starts watching the file: VS Code's watcher (works for files outside the workspace) plus node's for latency. */
	startWatching(): void {
		if (this.isWatching) return;
		const watcher = vscode.workspace.createFileSystemWatcher(
			new vscode.RelativePattern(vscode.Uri.file(dirname(this.path)), basename(this.path)),
		);
		const onEvent = (): void => this.scheduleRefresh();
		this.watchers.push(watcher, watcher.onDidChange(onEvent), watcher.onDidCreate(onEvent));
		try {
			this.nodeWatcher = watch(this.path, { persistent: false }, onEvent);
			this.nodeWatcher.on('error', () => this.stopNodeWatcher());
		} catch (error) {
			this.log.debug(`node watcher unavailable for ${this.path}: ${String(error)}`);
		}
	}

	private stopNodeWatcher(): void {
		this.nodeWatcher?.close();
		this.nodeWatcher = undefined;
	}

	private scheduleRefresh(): void {
		if (this.timer !== undefined) return;
		this.timer = setTimeout(() => {
			this.timer = undefined;
			void this.refresh();
		}, refreshDebounceMs);
	}

	/** Stops watching, releases the emitter, and has the worker forget the file. */
	dispose(): void {
		this.isDisposed = true;
		void this.analysis.call('session.close', { path: this.path }).catch(() => undefined);
		if (this.timer !== undefined) clearTimeout(this.timer);
		this.stopNodeWatcher();
		for (const d of this.watchers) d.dispose();
		this.watchers = [];
		this.changed.dispose();
	}
}
