import { planOptionsFrom } from '../adapters/settings';
import * as vscode from 'vscode';
import { planCompaction } from '../../core/compaction/planCompaction';
import { messagesInWindow } from '../../core/transcript/model';
import { buildMessageDetails, buildPlanView, buildTranscriptView } from '../../core/view/buildTranscriptView';
import type { PlanView, WhatIfOptions } from '../../core/view/viewModel';
import { assertNever, type HostToView, type Reply, type ViewToHost } from '../../protocol/messages';
import { handleAuditMessage } from '../audit/auditController';
import type { ExtensionServices } from '../commands/extensionServices';
import type { TrackedTranscript } from '../sessions/trackedTranscript';
import type { WebviewController } from './protocolWebview';

/** The message for a tracked transcript's current state: `transcript/show`, or `transcript/empty` saying why. */
export function transcriptMessage(
	services: ExtensionServices,
	tracked: TrackedTranscript | undefined,
): HostToView {
	const state = tracked?.state;
	const counter = tracked?.counter;
	if (tracked === undefined || state === undefined) {
		return {
			type: 'transcript/empty',
			message: vscode.l10n.t(
				'No transcript is active. Open a session from the Sessions view or a transcript file with "Open with Context Lens".',
			),
		};
	}
	if (!state.ok || counter === undefined)
		return { type: 'transcript/empty', message: state.ok ? '' : state.message };
	const settings = services.settings();
	const plan = planCompaction(state.transcript, {
		...planOptionsFrom(settings, counter, state.report.contextWindow),
		pinned: services.pins.pinnedIndexes(tracked.path, state.transcript),
	});
	return {
		type: 'transcript/show',
		transcriptId: tracked.path,
		view: buildTranscriptView(state.transcript, state.report, plan),
	};
}

/** The plan of a tracked transcript with what-if settings and its pins, as the region map draws it. */
function planViewFor(
	services: ExtensionServices,
	tracked: TrackedTranscript | undefined,
	whatIf: WhatIfOptions,
): Reply<PlanView> {
	const state = tracked?.state;
	if (tracked?.counter === undefined || state?.ok !== true)
		return { ok: false, reason: vscode.l10n.t('The transcript is no longer open.') };
	const plan = planCompaction(state.transcript, {
		...planOptionsFrom(services.settings(), tracked.counter, state.report.contextWindow, whatIf),
		pinned: services.pins.pinnedIndexes(tracked.path, state.transcript),
	});
	return { ok: true, value: buildPlanView(plan) };
}

/** Pins or unpins a window message of a tracked transcript (stored per session), then re-plans with the page's what-if. */
async function pinMessage(
	services: ExtensionServices,
	tracked: TrackedTranscript | undefined,
	message: Extract<ViewToHost, { type: 'message/pin' }>,
): Promise<Reply<PlanView>> {
	const state = tracked?.state;
	if (tracked === undefined || state?.ok !== true)
		return { ok: false, reason: vscode.l10n.t('The transcript is no longer open.') };
	if (message.index >= state.report.messages)
		return { ok: false, reason: vscode.l10n.t('That message is not in the window any more.') };
	const pinned = await services.pins.toggle(tracked.path, state.transcript, message.index, message.isPinned);
	services.log.info(
		`${message.isPinned ? 'pinned' : 'unpinned'} #${message.index + 1} of ${tracked.path}; pinned now: ${pinned.map((i) => `#${i + 1}`).join(', ') || 'none'}`,
	);
	return planViewFor(services, tracked, message.whatIf);
}

/**
 * The gauge and transcript pages' side of the protocol for the transcript `target()` names: its view, what-if
 * re-plans (nothing written), message details, revealing a message's source line, and the page's command buttons.
 */
export function transcriptController(
	services: ExtensionServices,
	target: () => TrackedTranscript | undefined,
): WebviewController {
	const stateOf = (transcriptId: string): ReturnType<typeof target> =>
		target()?.path === transcriptId ? target() : services.tracker.get(transcriptId);
	return {
		initialMessages: () => [transcriptMessage(services, target())],
		async handle(message, post) {
			switch (message.type) {
				case 'plan/request':
					post({
						type: 'plan/result',
						requestId: message.requestId,
						result: planViewFor(services, stateOf(message.transcriptId), message.whatIf),
					});
					return;
				case 'message/pin':
					post({
						type: 'plan/result',
						requestId: message.requestId,
						result: await pinMessage(services, stateOf(message.transcriptId), message),
					});
					return;
				case 'message/details': {
					const state = stateOf(message.transcriptId)?.state;
					const details =
						state?.ok === true
							? buildMessageDetails(
									state.transcript,
									message.index,
									state.report.messageTokens[message.index] ?? 0,
								)
							: undefined;
					post({
						type: 'message/details',
						requestId: message.requestId,
						result:
							details !== undefined
								? { ok: true, value: details }
								: { ok: false, reason: 'That message is not in the window any more.' },
					});
					return;
				}
				case 'message/reveal': {
					const state = stateOf(message.transcriptId)?.state;
					if (state?.ok !== true) return;
					const line = Math.max(0, (messagesInWindow(state.transcript)[message.index]?.lines.from ?? 1) - 1);
					const document = await vscode.workspace.openTextDocument(vscode.Uri.file(message.transcriptId));
					await vscode.window.showTextDocument(document, {
						selection: new vscode.Range(line, 0, line, 0),
						preview: true,
					});
					return;
				}
				case 'command/run': {
					const file = target()?.path;
					switch (message.command) {
						case 'compress':
							await vscode.commands.executeCommand(
								'contextLens.compress',
								file !== undefined ? { file } : undefined,
							);
							return;
						case 'refresh':
							await target()?.refresh();
							return;
						case 'openSettings':
							await vscode.commands.executeCommand('workbench.action.openSettings', 'contextLens');
							return;
						case 'openTranscriptView':
							await vscode.commands.executeCommand(
								'contextLens.openTranscript',
								file !== undefined ? { file } : undefined,
							);
							return;
						case 'openReview':
							await vscode.commands.executeCommand('contextLens.reviewPending');
							return;
						default:
							return assertNever(message.command);
					}
				}
				case 'summary/count':
				case 'summary/accept':
				case 'summary/discard':
				case 'summary/openDiff':
				case 'summary/rerun':
					services.log.warn(`a transcript page sent ${message.type}, which only the review page handles`);
					return;
				case 'log/error':
					return;
				case 'compare/start':
				case 'compare/cancel':
				case 'compare/open':
				case 'audit/request':
				case 'audit/restore':
				case 'source/reveal':
					return handleAuditMessage(services, message, post, stateOf);
				default:
					return assertNever(message);
			}
		},
	};
}
