import * as vscode from 'vscode';
import type { CallOptions } from '../../worker/client';
import type { WorkProgress } from '../../worker/protocol';

/** A read that ends sooner than this shows no notification, in ms (most files are read in a few ms). */
export const progressDelayMs = 400;

/** Shortest time between two updates of the notification, in ms: each one is a message to the workbench. */
export const progressUpdateMs = 250;

/** Share of the bar, in percent, that reading the file fills; counting fills the rest. */
const readingShare = 50;

/** The bar's position for one progress message, in percent. */
export function progressPercent(progress: WorkProgress): number {
	const fraction = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
	return progress.phase === 'reading'
		? fraction * readingShare
		: readingShare + fraction * (100 - readingShare);
}

/** What the notification says about one progress message. */
export function progressMessage(progress: WorkProgress): string {
	if (progress.phase === 'reading') {
		const mb = (bytes: number): string => (bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0);
		return vscode.l10n.t('read {0} of {1} MB', mb(progress.done), mb(progress.total));
	}
	return vscode.l10n.t(
		'counted {0} of {1} messages',
		groupThousands(progress.done),
		groupThousands(progress.total),
	);
}

/** A count with thousands separators (12,345), without the cost of a locale-aware formatter on every update. */
function groupThousands(n: number): string {
	return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Runs `work` (a call to the analysis worker) and, when it takes longer than {@link progressDelayMs}, shows a
 * cancellable progress notification fed by the worker's progress; Cancel aborts the signal `work` was given.
 */
export function withDelayedProgress<T>(
	title: string,
	work: (options: Pick<CallOptions, 'signal' | 'onProgress'>) => Promise<T>,
	delayMs = progressDelayMs,
): Promise<T> {
	const controller = new AbortController();
	let latest: WorkProgress | undefined;
	let show: ((progress: WorkProgress) => void) | undefined;
	const running = work({
		signal: controller.signal,
		onProgress: (progress) => {
			latest = progress;
			show?.(progress);
		},
	});
	const timer = setTimeout(() => {
		void vscode.window.withProgress(
			{ location: vscode.ProgressLocation.Notification, title, cancellable: true },
			async (bar, token) => {
				const cancel = token.onCancellationRequested(() => controller.abort());
				let shown = 0;
				let shownAt = Number.NEGATIVE_INFINITY;
				show = (progress) => {
					const now = performance.now();
					if (now - shownAt < progressUpdateMs) return;
					shownAt = now;
					const percent = progressPercent(progress);
					bar.report({ message: progressMessage(progress), increment: Math.max(0, percent - shown) });
					shown = Math.max(shown, percent);
				};
				if (latest !== undefined) show(latest);
				try {
					await running;
				} catch {
					// The caller gets the failure from `running` itself.
				} finally {
					cancel.dispose();
				}
			},
		);
	}, delayMs);
	return running.finally(() => clearTimeout(timer));
}
