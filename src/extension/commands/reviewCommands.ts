import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { PendingReview } from '../review/pendingReviews';
import type { ExtensionServices } from './extensionServices';
import { UserFacingError } from './guard';

/** The pending review a command acts on: the id given, the only one, or one the person picks. */
export async function pickReview(
	services: ExtensionServices,
	arg: unknown,
): Promise<PendingReview | undefined> {
	const reviews = services.store.reviews();
	if (typeof arg === 'string' && arg !== '') {
		const review = reviews.find((r) => r.id === arg);
		if (review === undefined)
			throw new UserFacingError(vscode.l10n.t('That compaction review no longer exists; compress again.'));
		return review;
	}
	if (reviews.length === 0)
		throw new UserFacingError(
			vscode.l10n.t('There is no pending compaction review. Run "Context Lens: Compress…" first.'),
		);
	if (reviews.length === 1) return reviews[0];
	const picked = await vscode.window.showQuickPick(
		reviews
			.slice()
			.reverse()
			.map((r) => ({
				label: `${basename(r.file)} · ${r.strategy}`,
				description: r.focus !== undefined ? `"${r.focus}"` : '',
				detail: vscode.l10n.t(
					'{0} → {1} tokens · planned {2}',
					r.numbers.tokensBefore.toLocaleString('en-US'),
					r.numbers.tokensAfter.toLocaleString('en-US'),
					r.createdAt,
				),
				review: r,
			})),
		{ title: vscode.l10n.t('Pending compaction reviews') },
	);
	return picked?.review;
}

/** `contextLens.reviewPending`: reopens a pending review (panel and diff); returns it. */
export async function reviewPendingCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<PendingReview | undefined> {
	const review = await pickReview(services, arg);
	if (review === undefined) return undefined;
	services.panels.show(review);
	await services.panels.openDiff(review);
	return review;
}

/**
 * `contextLens.applyCompaction`: writes the reviewed compaction as a new file next to the original (refusing if the
 * original changed) and says how to resume it. Returns the written path (a test hook).
 */
export async function applyCompactionCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<string | undefined> {
	if (!vscode.workspace.isTrusted) {
		throw new UserFacingError(
			vscode.l10n.t(
				'Restricted mode: Context Lens writes no files. Trust the workspace to apply a compaction.',
			),
		);
	}
	const review = await pickReview(services, arg);
	if (review === undefined) return undefined;
	const outcome = await services.reviews.apply(review.id, services.settings().contextWindows);
	if (!outcome.ok) throw new UserFacingError(outcome.message);
	const { applied } = outcome;
	services.log.info(
		`applied review ${review.id}: wrote ${applied.writtenFile} (${outcome.messagesWritten} messages)`,
	);
	await services.panels.close(review.id);
	await services.reviewsChanged();
	// The gauge and status bar follow the new session, so the person sees the compacted figure at once.
	const { state } = await services.tracker.open(applied.writtenFile);
	if (state.ok) services.tracker.setActive(applied.writtenFile);
	const resume =
		applied.resumeHint !== undefined ? vscode.l10n.t(' Resume it with: {0}', applied.resumeHint) : '';
	const open = vscode.l10n.t('Open');
	const undo = vscode.l10n.t('Undo');
	void vscode.window
		.showInformationMessage(
			vscode.l10n.t('Wrote {0} next to the original.{1}', basename(applied.writtenFile), resume),
			open,
			undo,
		)
		.then(async (choice) => {
			if (choice === open)
				await vscode.commands.executeCommand(
					'contextLens.openTranscript',
					vscode.Uri.file(applied.writtenFile),
				);
			if (choice === undo)
				await vscode.commands.executeCommand('contextLens.undoCompaction', applied.writtenFile);
		});
	return applied.writtenFile;
}

/** `contextLens.discardCompaction`: drops a pending review; nothing was written. Returns the review id. */
export async function discardCompactionCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<string | undefined> {
	const review = await pickReview(services, arg);
	if (review === undefined) return undefined;
	await services.reviews.discard(review.id);
	await services.panels.close(review.id);
	await services.reviewsChanged();
	services.log.info(`discarded review ${review.id}`);
	return review.id;
}

/** `contextLens.undoCompaction`: removes the file the newest (or the named) apply wrote, if unchanged. */
export async function undoCompactionCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<string | undefined> {
	if (!vscode.workspace.isTrusted) {
		throw new UserFacingError(
			vscode.l10n.t('Restricted mode: Context Lens changes no files. Trust the workspace to undo.'),
		);
	}
	const path = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : undefined;
	const outcome = await services.reviews.undo(path);
	if (!outcome.ok) throw new UserFacingError(outcome.message);
	services.tracker.close(outcome.removed);
	await services.reviewsChanged();
	services.log.info(`undid compaction: removed ${outcome.removed}`);
	void vscode.window.showInformationMessage(vscode.l10n.t('Removed {0}.', basename(outcome.removed)));
	return outcome.removed;
}
