import { basename } from 'node:path';
import * as vscode from 'vscode';
import { compactionStrategies, resolveStrategy, type StrategyName } from '../../core/compaction/strategies';
import { abortSignalFromToken } from '../adapters/lmSummarizer';
import { resolveSummarizer } from '../adapters/summarizers';
import { progressMessage } from '../sessions/readProgress';
import type { PendingReview } from '../review/pendingReviews';
import { parseCompressInput } from './compressInput';
import type { ExtensionServices } from './extensionServices';
import { UserFacingError } from './guard';
import { resolveTargetFile } from './targetFile';

/** Arguments tests and other surfaces may pass to skip the prompts: `focus` ('' for none) and a strategy name. */
export interface CompressArguments {
	readonly file?: string;
	readonly focus?: string;
	readonly strategy?: string;
}

function argumentsOf(arg: unknown): CompressArguments {
	if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri) return {};
	const { focus, strategy } = arg as { focus?: unknown; strategy?: unknown };
	return {
		...(typeof focus === 'string' ? { focus } : {}),
		...(typeof strategy === 'string' ? { strategy } : {}),
	};
}

/** Strategies for the quick pick, the configured default first (then the catalogue order). */
export function orderedStrategies(defaultName: StrategyName): typeof compactionStrategies {
	const first = compactionStrategies.filter((s) => s.name === defaultName);
	return [...first, ...compactionStrategies.filter((s) => s.name !== defaultName)];
}

async function pickStrategy(defaultName: StrategyName): Promise<StrategyName | undefined> {
	const items = orderedStrategies(defaultName).map((s) => ({
		label: s.name,
		description:
			s.name === defaultName
				? vscode.l10n.t('default')
				: s.usesSummarizer
					? vscode.l10n.t('uses the summariser')
					: '',
		detail: s.description,
		name: s.name,
	}));
	const picked = await vscode.window.showQuickPick(items, {
		title: vscode.l10n.t('Compaction strategy'),
		placeHolder: vscode.l10n.t('How should the context be compacted? Nothing is written until you apply.'),
		matchOnDetail: true,
	});
	return picked?.name;
}

/**
 * `contextLens.compress`: asks for the focus with the `/compress <focus>` syntax (accepted as typed), then a strategy
 * (default first), plans and summarises under a cancellable progress notification, and opens the review. Writes
 * nothing. Returns the pending review (a test hook), undefined when the person cancelled.
 */
export async function compressCommand(
	services: ExtensionServices,
	arg: unknown,
	forcedStrategy?: StrategyName,
): Promise<PendingReview | undefined> {
	const file = await resolveTargetFile(arg, services.tracker);
	if (file === undefined) return undefined;
	const given = argumentsOf(arg);
	const settings = services.settings();
	let typed = given.focus;
	if (typed === undefined) {
		typed = await vscode.window.showInputBox({
			title: vscode.l10n.t('Compress {0}', basename(file)),
			prompt: vscode.l10n.t(
				'What should the summary keep in detail? Type /compress <focus>, or leave the focus empty.',
			),
			value: '/compress ',
			valueSelection: [10, 10],
			ignoreFocusOut: true,
		});
		if (typed === undefined) return undefined;
	}
	const input = parseCompressInput(typed);
	let strategy: StrategyName | undefined = forcedStrategy;
	const named = given.strategy ?? input.strategy;
	if (strategy === undefined && named !== undefined) {
		const found = resolveStrategy(named);
		if (!found.ok) throw new UserFacingError(found.message);
		strategy = found.strategy.name;
	}
	strategy ??= await pickStrategy(settings.defaultStrategy);
	if (strategy === undefined) return undefined;
	const chosen = strategy;
	const { summarizer, choice, note } = await resolveSummarizer(
		settings,
		services.context.secrets,
		vscode.workspace.isTrusted,
	);
	if (note !== undefined) services.log.info(note);
	const started = performance.now();
	const pins = services.pins.entry(file);
	const outcome = await vscode.window.withProgress(
		{
			location: vscode.ProgressLocation.Notification,
			title: vscode.l10n.t('Compacting {0} ({1})', basename(file), chosen),
			cancellable: true,
		},
		async (progress, token) => {
			const abort = abortSignalFromToken(token);
			try {
				progress.report({ message: vscode.l10n.t('reading, planning and summarising…') });
				return await services.reviews.create(
					file,
					{
						strategy: chosen,
						...(input.focus !== undefined ? { focus: input.focus } : {}),
						...(pins !== undefined ? { pins } : {}),
					},
					{
						headMessages: settings.headMessages,
						tailRatio: settings.tailRatio,
						triggerRatio: settings.compactionRatio,
						rotationRatio: settings.rotationRatio,
						windows: settings.contextWindows,
					},
					// Built in the analysis worker when it can be (offline, HTTP providers); vscode.lm answers from here.
					choice ?? summarizer,
					abort.signal,
					(step) => progress.report({ message: progressMessage(step) }),
				);
			} finally {
				abort.dispose();
			}
		},
	);
	if (!outcome.ok) {
		if (outcome.isCancelled === true) return undefined;
		throw new UserFacingError(outcome.message);
	}
	const review = outcome.review;
	const plannedMs = Math.round(performance.now() - started);
	services.log.info(
		`planned ${review.strategy} for ${file} in ${plannedMs} ms: ${review.numbers.tokensBefore} -> ${review.numbers.tokensAfter} tokens, ${review.lostFacts.length + review.lostFactsOmitted} lost facts (review ${review.id})`,
	);
	await services.reviewsChanged();
	services.panels.show(review);
	// The diff of a long transcript takes the workbench seconds to lay out; the review panel is usable meanwhile.
	services.panels.openDiff(review).then(
		() =>
			services.log.info(`review ${review.id} diff shown after ${Math.round(performance.now() - started)} ms`),
		(error: unknown) => services.log.warn(`review ${review.id}: the diff did not open: ${String(error)}`),
	);
	return review;
}
