import * as vscode from 'vscode';
import type { PlanView, WhatIfOptions } from '../../core/view/viewModel';
import {
	assertNever,
	transcriptViewPosts,
	type HostPost,
	type Reply,
	type ViewToHost,
} from '../../protocol/messages';
import { planSettingsOf } from '../../worker/planOptions';
import type { MethodName, ParamsOf, ResultOf, WorkFailure } from '../../worker/protocol';
import { handleAuditMessage } from '../audit/auditController';
import type { ExtensionServices } from '../commands/extensionServices';
import type { TrackedTranscript } from '../sessions/trackedTranscript';
import type { WebviewController } from './protocolWebview';

/** A call to the analysis worker whose rejection (the worker failed or was restarted) becomes a failure result. */
export async function callAnalysis<M extends MethodName>(
	services: ExtensionServices,
	method: M,
	params: ParamsOf<M>,
): Promise<ResultOf<M> | WorkFailure> {
	try {
		return await services.analysis.call(method, params);
	} catch (error) {
		services.log.warn(`${method}: ${error instanceof Error ? error.message : String(error)}`);
		return { ok: false, message: error instanceof Error ? error.message : String(error) };
	}
}

/**
 * Runs `render` one at a time: a call while one runs asks for one more run after it (which sees the newest state),
 * not one per call, so a session growing faster than its view is built gets one view per build.
 */
export function coalesce(render: () => Promise<void>): () => void {
	let isRunning = false;
	let isWanted = false;
	const run = async (): Promise<void> => {
		isRunning = true;
		try {
			do {
				isWanted = false;
				await render();
			} while (isWanted);
		} finally {
			isRunning = false;
		}
	};
	return () => {
		if (isRunning) isWanted = true;
		else void run();
	};
}

/** Tells the parts of one view from another's on the pages (see `transcriptViewPosts`). */
let lastViewId = 0;

/**
 * The messages for a tracked transcript's current state: the view the analysis worker built, as the JSON bytes it
 * made (its skeleton, then its row-text parts: the page decodes them; this thread never serialises the view), or
 * one `transcript/empty` saying why. Post them with `ProtocolWebview.postAll`, which spaces the parts out.
 */
export async function transcriptPosts(
	services: ExtensionServices,
	tracked: TrackedTranscript | undefined,
): Promise<HostPost[]> {
	const state = tracked?.state;
	if (tracked === undefined || state === undefined) {
		return [
			{
				type: 'transcript/empty',
				message: vscode.l10n.t(
					'No transcript is active. Open a session from the Sessions view or a transcript file with "Open with Context Lens".',
				),
			},
		];
	}
	if (!state.ok) return [{ type: 'transcript/empty', message: state.message }];
	const pins = services.pins.entry(tracked.path);
	const shown = await callAnalysis(services, 'session.view', {
		path: tracked.path,
		windows: tracked.windows,
		plan: planSettingsOf(services.settings()),
		...(pins !== undefined ? { pins } : {}),
	});
	if (!shown.ok) return [{ type: 'transcript/empty', message: shown.message }];
	return transcriptViewPosts(tracked.path, ++lastViewId, shown);
}

/** The plan of a tracked transcript with what-if settings and its pins, as the region map draws it (made in the worker). */
async function planViewFor(
	services: ExtensionServices,
	tracked: TrackedTranscript | undefined,
	whatIf: WhatIfOptions,
): Promise<Reply<PlanView>> {
	if (tracked?.state?.ok !== true)
		return { ok: false, reason: vscode.l10n.t('The transcript is no longer open.') };
	const pins = services.pins.entry(tracked.path);
	const planned = await callAnalysis(services, 'session.plan', {
		path: tracked.path,
		windows: tracked.windows,
		plan: planSettingsOf(services.settings()),
		whatIf,
		...(pins !== undefined ? { pins } : {}),
	});
	return planned.ok ? { ok: true, value: planned.plan } : { ok: false, reason: planned.message };
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
	const toggled = await callAnalysis(services, 'session.pin', {
		path: tracked.path,
		windows: tracked.windows,
		pins: services.pins.entry(tracked.path),
		index: message.index,
		isPinned: message.isPinned,
	});
	if (!toggled.ok) return { ok: false, reason: toggled.message };
	await services.pins.set(tracked.path, toggled.sessionId, toggled.keys);
	const pinned = toggled.indexes;
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
		initialMessages: () => transcriptPosts(services, target()),
		async handle(message, post) {
			switch (message.type) {
				case 'plan/request':
					post({
						type: 'plan/result',
						requestId: message.requestId,
						result: await planViewFor(services, stateOf(message.transcriptId), message.whatIf),
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
					const tracked = stateOf(message.transcriptId);
					const found =
						tracked?.state?.ok === true
							? await callAnalysis(services, 'session.details', {
									path: tracked.path,
									windows: tracked.windows,
									index: message.index,
								})
							: undefined;
					post({
						type: 'message/details',
						requestId: message.requestId,
						result:
							found?.ok === true && found.details !== undefined
								? { ok: true, value: found.details }
								: { ok: false, reason: 'That message is not in the window any more.' },
					});
					return;
				}
				case 'message/reveal': {
					const tracked = stateOf(message.transcriptId);
					if (tracked?.state?.ok !== true) return;
					const found = await callAnalysis(services, 'session.line', {
						path: tracked.path,
						windows: tracked.windows,
						index: message.index,
					});
					const line = Math.max(0, (found.ok ? (found.line ?? 1) : 1) - 1);
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
