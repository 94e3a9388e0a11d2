import * as vscode from 'vscode';
import { buildAuditView, type AuditView } from '../../core/audit/auditView';
import { triggerTokensFor, defaultTriggerFloorTokens } from '../../core/compaction/options';
import { CompareCache, compareWithCache, transcriptVersionKey } from '../../core/compare/compareCache';
import type { CompareProgress } from '../../core/compare/compareStrategies';
import { buildCompareView, type CompareView } from '../../core/compare/compareView';
import type { Transcript } from '../../core/transcript/model';
import type { Reply } from '../../protocol/messages';
import { planOptionsFrom, type ExtensionSettings } from '../adapters/settings';
import type { TrackedTranscript } from '../sessions/trackedTranscript';

/**
 * Strategy comparisons of tracked transcripts: one running per file (a new one cancels the old), results cached by
 * transcript version and options (core's CompareCache), each strategy a turn of the event loop so progress and
 * cancellation get through. The computation is core's pure `compareStrategies`, ready to move into a worker.
 */
export class CompareRunner implements vscode.Disposable {
	private readonly cache = new CompareCache();
	private readonly running = new Map<string, AbortController>();

	constructor(private readonly log: vscode.LogOutputChannel) {}

	/** Compares every strategy on the tracked transcript's current state; `signal` (optional) cancels it too. */
	async run(
		tracked: TrackedTranscript,
		focus: string,
		settings: ExtensionSettings,
		onProgress: (progress: CompareProgress) => void,
		signal?: AbortSignal,
	): Promise<Reply<CompareView>> {
		const state = tracked.state;
		const counter = tracked.counter;
		if (state?.ok !== true || counter === undefined)
			return { ok: false, reason: vscode.l10n.t('The transcript is not open any more.') };
		this.cancel(tracked.path);
		const controller = new AbortController();
		this.running.set(tracked.path, controller);
		const onAbort = (): void => controller.abort();
		signal?.addEventListener('abort', onAbort, { once: true });
		const { strategy: _one, ...options } = planOptionsFrom(settings, counter, state.report.contextWindow, {
			focus,
		});
		const version = `${tracked.path}|${counter.counter.profile.id}|${transcriptVersionKey(state.transcript)}`;
		const started = performance.now();
		try {
			const outcome = await compareWithCache(
				this.cache,
				version,
				state.transcript,
				options,
				controller.signal,
				onProgress,
			);
			if (!outcome.ok) return { ok: false, reason: vscode.l10n.t('The comparison was cancelled.') };
			this.log.info(
				`compared ${outcome.comparison.rows.length} strategies on ${tracked.path} in ${Math.round(performance.now() - started)} ms${outcome.isCached ? ' (cached)' : ''}`,
			);
			return { ok: true, value: buildCompareView(outcome.comparison, outcome.isCached) };
		} finally {
			signal?.removeEventListener('abort', onAbort);
			if (this.running.get(tracked.path) === controller) this.running.delete(tracked.path);
		}
	}

	/** Cancels the running comparison of a file, if any. */
	cancel(path: string): void {
		this.running.get(path)?.abort();
		this.running.delete(path);
	}

	/** Cancels every running comparison. */
	dispose(): void {
		for (const controller of this.running.values()) controller.abort();
		this.running.clear();
	}
}

/**
 * The audit of a tracked transcript (its compactions and the timeline of its window), computed once per transcript
 * version and settings: a live session's every append is a new transcript object, an unchanged one is served again.
 */
export class AuditViews {
	private readonly views = new WeakMap<Transcript, { readonly key: string; readonly view: AuditView }>();

	/** The audit of the tracked transcript's current state, or why there is none. */
	viewOf(tracked: TrackedTranscript | undefined, settings: ExtensionSettings): Reply<AuditView> {
		const state = tracked?.state;
		const counter = tracked?.counter;
		if (state?.ok !== true || counter === undefined)
			return { ok: false, reason: vscode.l10n.t('The transcript is not open any more.') };
		const contextWindow = state.report.contextWindow;
		const rules = {
			contextWindow,
			compactionTokens: triggerTokensFor(contextWindow, settings.compactionRatio, defaultTriggerFloorTokens),
			rotationTokens: Math.round(contextWindow * settings.rotationRatio),
		};
		const key = `${counter.counter.profile.id}|${JSON.stringify(rules)}`;
		const cached = this.views.get(state.transcript);
		if (cached?.key === key) return { ok: true, value: cached.view };
		const view = buildAuditView(state.transcript, counter, rules);
		this.views.set(state.transcript, { key, view });
		return { ok: true, value: view };
	}
}

/** The audit and comparison services the editor, the palette and the tests share. */
export interface AuditServices {
	readonly compare: CompareRunner;
	readonly views: AuditViews;
}
