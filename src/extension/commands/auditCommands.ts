import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { AuditView, CompactionEntry } from '../../core/audit/auditView';
import { formatShare, formatTokens, formatWindowPercent } from '../../core/budget/formatFigures';
import { isStrategyName } from '../../core/compaction/strategies';
import type { CompareRow } from '../../core/compare/compareStrategies';
import type { CompareView } from '../../core/compare/compareView';
import { abortSignalFromToken } from '../adapters/lmSummarizer';
import type { PendingReview } from '../review/pendingReviews';
import { compressCommand } from './compressCommand';
import type { ExtensionServices } from './extensionServices';
import { UserFacingError } from './guard';
import { resolveTargetFile } from './targetFile';
import { activateTranscript } from './transcriptCommands';

/** What tests and the editor may pass: the file, a focus, and what to open without asking. */
interface AuditArguments {
	readonly focus?: string;
	/** Compare: open this strategy's review without the pick list. */
	readonly open?: string;
	/** Compare: return the rows without showing the pick list. */
	readonly isQuiet?: boolean;
	/** Compactions: open the restore review of this compaction (0-based) without the pick list. */
	readonly compaction?: number;
}

function argumentsOf(arg: unknown): AuditArguments {
	if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri) return {};
	const { focus, open, isQuiet, compaction } = arg as Record<string, unknown>;
	return {
		...(typeof focus === 'string' ? { focus } : {}),
		...(typeof open === 'string' ? { open } : {}),
		...(isQuiet === true ? { isQuiet } : {}),
		...(typeof compaction === 'number' && Number.isSafeInteger(compaction) && compaction >= 0
			? { compaction }
			: {}),
	};
}

/** A comparison row as a pick-list item: the figures in the description, the lost facts or the reason below. */
function rowItem(
	row: CompareRow,
	description: string | undefined,
): vscode.QuickPickItem & { strategy: string } {
	if (!row.ok)
		return {
			label: row.strategy,
			description: vscode.l10n.t('not applicable'),
			detail: row.reason ?? '',
			strategy: row.strategy,
		};
	const total = row.lostFacts.kept + row.lostFacts.count;
	const lost = row.lostFacts.items.map((f) => f.value).join(', ');
	return {
		label: row.strategy,
		description: vscode.l10n.t(
			'{0} tokens · {1} of the window · {2} messages · {3} ms',
			formatTokens(row.tokensAfter),
			formatWindowPercent(row.percentAfter),
			row.messagesAfter,
			Math.round(row.timeMs),
		),
		detail:
			total === 0
				? (description ?? '')
				: row.lostFacts.count === 0
					? vscode.l10n.t('facts kept {0} of {1}', row.lostFacts.kept, total)
					: vscode.l10n.t(
							'facts kept {0} of {1} ({2}), lost {3}: {4}',
							row.lostFacts.kept,
							total,
							formatShare((row.lostFacts.kept / total) * 100),
							row.lostFacts.count,
							lost,
						),
		strategy: row.strategy,
	};
}

/**
 * `contextLens.compareStrategies`: every strategy planned on the transcript with the same settings (summaries by the
 * offline summariser, nothing written), under a cancellable progress notification; the rows in a pick list, and
 * the picked one opens its review (the compress flow). Returns the comparison (a test hook), undefined when
 * cancelled.
 */
export async function compareStrategiesCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<CompareView | undefined> {
	const file = await resolveTargetFile(arg, services.tracker);
	if (file === undefined) return undefined;
	await activateTranscript(services, file);
	const tracked = services.tracker.get(file);
	if (tracked === undefined) throw new UserFacingError(vscode.l10n.t('{0} could not be read.', file));
	const given = argumentsOf(arg);
	const focus = given.focus ?? '';
	const result = await vscode.window.withProgress(
		{
			location: vscode.ProgressLocation.Notification,
			title: vscode.l10n.t('Comparing strategies on {0}', basename(file)),
			cancellable: true,
		},
		async (progress, token) => {
			const abort = abortSignalFromToken(token);
			try {
				return await services.audit.compare.run(
					tracked,
					focus,
					services.settings(),
					(p) =>
						progress.report({
							increment: p.done === 0 ? 0 : 100 / p.total,
							message: p.strategy !== undefined ? `${p.done + 1}/${p.total} ${p.strategy}` : '',
						}),
					abort.signal,
				);
			} finally {
				abort.dispose();
			}
		},
	);
	if (!result.ok) throw new UserFacingError(result.reason);
	const view = result.value;
	if (given.isQuiet === true) return view;
	let strategy = given.open;
	if (strategy === undefined) {
		const picked = await vscode.window.showQuickPick(
			view.rows.map((row) => rowItem(row, view.descriptions[row.strategy])),
			{
				title: vscode.l10n.t(
					'Strategies on {0}: now {1} tokens ({2} of the window)',
					basename(file),
					formatTokens(view.tokensBefore),
					formatWindowPercent(view.percentBefore),
				),
				placeHolder: vscode.l10n.t(
					'Pick a strategy to review its compaction; nothing is written until you apply.',
				),
				matchOnDescription: true,
				matchOnDetail: true,
			},
		);
		strategy = picked?.strategy;
	}
	if (strategy !== undefined && isStrategyName(strategy))
		await compressCommand(services, { file, strategy, focus }, strategy);
	return view;
}

/** A compaction as a pick-list item. */
function compactionItem(entry: CompactionEntry): vscode.QuickPickItem & { index: number } {
	const facts = entry.facts;
	return {
		label: vscode.l10n.t('Compaction {0}', entry.index + 1),
		description:
			facts === undefined
				? vscode.l10n.t('no history in this file')
				: vscode.l10n.t('lost {0} of {1} facts', facts.lost, facts.kept + facts.lost),
		detail: entry.description,
		index: entry.index,
	};
}

/** Opens the review that restores a compaction's lost facts into the window's summary. */
async function openRestoreReview(
	services: ExtensionServices,
	file: string,
	compaction: number,
): Promise<PendingReview> {
	const settings = services.settings();
	const outcome = await vscode.window.withProgress(
		{
			location: vscode.ProgressLocation.Notification,
			title: vscode.l10n.t('Preparing the restore of compaction {0}', compaction + 1),
			cancellable: true,
		},
		async (_progress, token) => {
			const abort = abortSignalFromToken(token);
			try {
				return await services.reviews.createRestore(
					file,
					compaction,
					{
						headMessages: settings.headMessages,
						tailRatio: settings.tailRatio,
						triggerRatio: settings.compactionRatio,
						rotationRatio: settings.rotationRatio,
						windows: settings.contextWindows,
					},
					abort.signal,
				);
			} finally {
				abort.dispose();
			}
		},
	);
	if (!outcome.ok) throw new UserFacingError(outcome.message);
	const review = outcome.review;
	services.log.info(`restore review ${review.id} of compaction ${compaction + 1} in ${file}`);
	await services.reviewsChanged();
	services.panels.show(review);
	services.panels
		.openDiff(review)
		.catch((error: unknown) =>
			services.log.warn(`review ${review.id}: the diff did not open: ${String(error)}`),
		);
	return review;
}

/**
 * `contextLens.showAgentCompactions`: the compactions recorded in the transcript (the agent's own, and earlier
 * Context Lens ones) in a pick list, each with its trigger, time, figures and lost facts; picking one whose facts
 * can go back opens a review whose summary takes the facts the person adds (Apply writes a new file). Returns the
 * restore review, or the audit when nothing was opened (a test hook).
 */
export async function showAgentCompactionsCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<PendingReview | AuditView | undefined> {
	const file = await resolveTargetFile(arg, services.tracker);
	if (file === undefined) return undefined;
	await activateTranscript(services, file);
	const given = argumentsOf(arg);
	if (given.compaction !== undefined) return openRestoreReview(services, file, given.compaction);
	const audit = await services.audit.views.viewOf(services.tracker.get(file), services.settings());
	if (!audit.ok) throw new UserFacingError(audit.reason);
	const entries = audit.value.compactions;
	if (entries.length === 0) {
		void vscode.window.showInformationMessage(
			vscode.l10n.t('{0} records no compaction: the agent has not compacted this session.', basename(file)),
		);
		return audit.value;
	}
	const picked = await vscode.window.showQuickPick(entries.map(compactionItem), {
		title: vscode.l10n.t('Compactions in {0}', basename(file)),
		placeHolder: vscode.l10n.t('Pick a compaction to review the facts its summary lost and add them back.'),
		matchOnDetail: true,
	});
	if (picked === undefined) return audit.value;
	const entry = entries[picked.index];
	if (entry?.canRestore === true) return openRestoreReview(services, file, entry.index);
	void vscode.window.showInformationMessage(entry?.description ?? '');
	return audit.value;
}
