import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { analyzeBudget } from '../../core/budget/analyzeBudget';
import type { BudgetReport } from '../../core/budget/budgetReport';
import { MessageTokenCache } from '../../core/budget/messageTokenCache';
import { LiveTranscriptFile } from '../../core/io/liveTranscriptFile';
import { resolveModel } from '../../core/tokens/modelRegistry';
import { TokenCounter } from '../../core/tokens/tokenCounter';
import type { Transcript } from '../../core/transcript/model';
import { formatReadFailure } from '../../core/transcript/readTranscript';

/** The latest state of a tracked transcript: its report, or why it could not be read. */
export type TrackedState =
	| {
			readonly ok: true;
			readonly transcript: Transcript;
			readonly report: BudgetReport;
			readonly updatedMs: number;
	  }
	| { readonly ok: false; readonly message: string };

/** Delay between a file-change event and the re-read, in ms: coalesces the bursts agents write in. */
export const refreshDebounceMs = 25;

/**
 * A transcript file the extension shows, optionally watched while an agent appends to it. Refreshes read only the
 * appended bytes (LiveTranscriptFile) and re-count only new messages (MessageTokenCache), so a live update costs
 * time proportional to what was written.
 */
export class TrackedTranscript implements vscode.Disposable {
	private readonly live: LiveTranscriptFile;
	private cache: MessageTokenCache | undefined;
	private latest: TrackedState | undefined;
	private running: Promise<TrackedState> | undefined;
	private isDirty = false;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private watchers: vscode.Disposable[] = [];
	private nodeWatcher: FSWatcher | undefined;
	private readonly changed = new vscode.EventEmitter<TrackedState>();

	/** Fires after every refresh that changed the state. */
	readonly onDidChange = this.changed.event;

	constructor(
		readonly path: string,
		private windows: Readonly<Record<string, number>>,
		private readonly log: vscode.LogOutputChannel,
	) {
		this.live = new LiveTranscriptFile(path);
	}

	/** The latest state, undefined before the first refresh completes. */
	get state(): TrackedState | undefined {
		return this.latest;
	}

	/** The token counts of the latest read, shared so planning re-uses them (undefined before the first read). */
	get counter(): MessageTokenCache | undefined {
		return this.cache;
	}

	/** True while the file is being watched for appends. */
	get isWatching(): boolean {
		return this.watchers.length > 0;
	}

	/** Replaces the per-model window settings and recounts. */
	updateWindows(windows: Readonly<Record<string, number>>): Promise<TrackedState> {
		this.windows = windows;
		this.cache = undefined;
		return this.refresh();
	}

	/** Reads what changed since the last refresh; concurrent calls share one read and a call during a read queues one more. */
	refresh(): Promise<TrackedState> {
		if (this.running !== undefined) {
			this.isDirty = true;
			return this.running;
		}
		this.running = this.readOnce().finally(() => {
			this.running = undefined;
			if (this.isDirty) {
				this.isDirty = false;
				void this.refresh();
			}
		});
		return this.running;
	}

	private async readOnce(): Promise<TrackedState> {
		const started = performance.now();
		const refreshed = await this.live.refresh();
		if (!refreshed.ok) {
			const state: TrackedState = { ok: false, message: formatReadFailure(refreshed.failure) };
			this.publish(state);
			return state;
		}
		// A settings change drops the counter (updateWindows): the unchanged file is then measured again, not served stale.
		if (!refreshed.hasChanged && this.latest?.ok === true && this.cache !== undefined) return this.latest;
		const transcript = refreshed.transcript;
		const profile = resolveModel(transcript.meta.model, { windows: this.windows });
		if (this.cache === undefined || this.cache.counter.profile.id !== profile.id || refreshed.wasReset) {
			this.cache = new MessageTokenCache(new TokenCounter(profile));
		}
		const report = analyzeBudget(transcript, { file: this.path, windows: this.windows, cache: this.cache });
		const state: TrackedState = { ok: true, transcript, report, updatedMs: Date.now() };
		this.log.debug(
			`read ${this.path}: +${refreshed.bytesRead} bytes, ${report.messages} messages, ${report.tokens.total} tokens in ${Math.round(performance.now() - started)} ms`,
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

	/** Stops watching and releases the emitter. */
	dispose(): void {
		if (this.timer !== undefined) clearTimeout(this.timer);
		this.stopNodeWatcher();
		for (const d of this.watchers) d.dispose();
		this.watchers = [];
		this.changed.dispose();
	}
}
