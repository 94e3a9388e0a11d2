import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { AutoCompactionMode } from '../adapters/settings';
import { percentOfWindow } from '../views/statusText';
import type { TranscriptTracker } from './transcriptTracker';

/**
 * One notification when a watched session crosses the compaction threshold (the tracker fires once per file):
 * `notify` offers to compress, `openReview` starts the compress flow for that file, `off` stays silent. `onNotify`
 * hears each crossing with the mode in force.
 */
export function notifyThresholdCrossings(
	tracker: TranscriptTracker,
	mode: () => AutoCompactionMode,
	log: vscode.LogOutputChannel,
	onNotify: (path: string, mode: AutoCompactionMode) => void = () => undefined,
): vscode.Disposable {
	return tracker.onDidCrossThreshold(async ({ tracked, tokens, contextWindow }) => {
		const current = mode();
		onNotify(tracked.path, current);
		log.info(
			`${tracked.path} crossed the compaction threshold: ${tokens} of ${contextWindow} tokens (${current})`,
		);
		if (current === 'off') return;
		if (current === 'openReview') {
			await vscode.commands.executeCommand('contextLens.compress', { file: tracked.path });
			return;
		}
		const compress = vscode.l10n.t('Compress…');
		const choice = await vscode.window.showWarningMessage(
			vscode.l10n.t(
				'{0} uses {1}% of its context window. Compress it before the agent compacts it for you?',
				basename(tracked.path),
				percentOfWindow(tokens, contextWindow),
			),
			compress,
		);
		if (choice === compress)
			await vscode.commands.executeCommand('contextLens.compress', { file: tracked.path });
	});
}
