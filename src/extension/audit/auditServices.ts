import * as vscode from 'vscode';
import type { AuditView } from '../../core/audit/auditView';
import type { CompareProgress } from '../../core/compare/compareStrategies';
import type { CompareView } from '../../core/compare/compareView';
import type { Reply } from '../../protocol/messages';
import type { AnalysisClient } from '../../worker/client';
import { planSettingsOf } from '../../worker/planOptions';
import type { ExtensionSettings } from '../adapters/settings';
import type { TrackedTranscript } from '../sessions/trackedTranscript';

/** A call's failure as a reply: the worker's message, or a rejection's (the worker failed or was restarted). */
async function replyOf<T>(
	work: () => Promise<
		{ readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string }
	>,
): Promise<Reply<T>> {
	try {
		const result = await work();
		return result.ok ? { ok: true, value: result.value } : { ok: false, reason: result.message };
	} catch (error) {
		return { ok: false, reason: error instanceof Error ? error.message : String(error) };
	}
}

/**
 * Strategy comparisons of tracked transcripts: one running per file (a new one cancels the old), computed by the
 * analysis worker (core's `compareStrategies`, results cached there by transcript version and options), with its
 * progress and cancellation crossing as messages.
 */
export class CompareRunner implements vscode.Disposable {
	private readonly running = new Map<string, AbortController>();

	constructor(
		private readonly analysis: AnalysisClient,
		private readonly log?: vscode.LogOutputChannel,
	) {}

	/** Compares every strategy on the tracked transcript's current state; `signal` (optional) cancels it too. */
	async run(
		tracked: TrackedTranscript,
		focus: string,
		settings: ExtensionSettings,
		onProgress: (progress: CompareProgress) => void,
		signal?: AbortSignal,
	): Promise<Reply<CompareView>> {
		if (tracked.state?.ok !== true)
			return { ok: false, reason: vscode.l10n.t('The transcript is not open any more.') };
		this.cancel(tracked.path);
		const controller = new AbortController();
		this.running.set(tracked.path, controller);
		const onAbort = (): void => controller.abort();
		signal?.addEventListener('abort', onAbort, { once: true });
		try {
			const compared = await this.analysis.call(
				'session.compare',
				{ path: tracked.path, windows: tracked.windows, plan: planSettingsOf(settings), focus },
				{
					signal: controller.signal,
					onProgress: (p) =>
						onProgress({
							done: p.done,
							total: p.total,
							...(p.strategy !== undefined ? { strategy: p.strategy } : {}),
						}),
				},
			);
			if (!compared.ok)
				return {
					ok: false,
					reason:
						compared.isCancelled === true ? vscode.l10n.t('The comparison was cancelled.') : compared.message,
				};
			this.log?.info(
				`compared ${compared.view.rows.length} strategies on ${tracked.path} in ${compared.elapsedMs} ms in the worker${compared.view.isCached ? ' (cached)' : ''}`,
			);
			return { ok: true, value: compared.view };
		} catch (error) {
			return {
				ok: false,
				reason: controller.signal.aborted
					? vscode.l10n.t('The comparison was cancelled.')
					: error instanceof Error
						? error.message
						: String(error),
			};
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
 * The audit of a tracked transcript (its compactions and the timeline of its window), made by the analysis worker
 * once per transcript version and settings: a live session's every append is a new version there, an unchanged one
 * is served again.
 */
export class AuditViews {
	constructor(private readonly analysis: AnalysisClient) {}

	/** The audit of the tracked transcript's current state, or why there is none. */
	viewOf(tracked: TrackedTranscript | undefined, settings: ExtensionSettings): Promise<Reply<AuditView>> {
		if (tracked?.state?.ok !== true)
			return Promise.resolve({ ok: false, reason: vscode.l10n.t('The transcript is not open any more.') });
		return replyOf(async () => {
			const audited = await this.analysis.call('session.audit', {
				path: tracked.path,
				windows: tracked.windows,
				compactionRatio: settings.compactionRatio,
				rotationRatio: settings.rotationRatio,
			});
			return audited.ok ? { ok: true, value: audited.view } : audited;
		});
	}
}

/** The audit and comparison services the editor, the palette and the tests share. */
export interface AuditServices {
	readonly compare: CompareRunner;
	readonly views: AuditViews;
}
