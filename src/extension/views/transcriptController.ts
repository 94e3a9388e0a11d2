import * as vscode from 'vscode';
import { assertNever, type HostPost } from '../../protocol/messages';
import { planSettingsOf } from '../../worker/planOptions';
import type { MethodName, ParamsOf, ResultOf, WorkFailure } from '../../worker/protocol';
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

/**
 * The message for a tracked transcript's current state: the view the analysis worker built, as the JSON bytes it
 * made (the page decodes them; this thread never serialises the view), or `transcript/empty` saying why.
 */
export async function transcriptMessage(
	services: ExtensionServices,
	tracked: TrackedTranscript | undefined,
): Promise<HostPost> {
	const state = tracked?.state;
	if (tracked === undefined || state === undefined) {
		return {
			type: 'transcript/empty',
			message: vscode.l10n.t(
				'No transcript is active. Open a session from the Sessions view or a transcript file with "Open with Context Lens".',
			),
		};
	}
	if (!state.ok) return { type: 'transcript/empty', message: state.message };
	const shown = await callAnalysis(services, 'session.view', {
		path: tracked.path,
		windows: tracked.windows,
		plan: planSettingsOf(services.settings()),
	});
	if (!shown.ok) return { type: 'transcript/empty', message: shown.message };
	return { type: 'transcript/showEncoded', transcriptId: tracked.path, viewJson: shown.viewJson };
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
		initialMessages: async () => [await transcriptMessage(services, target())],
		async handle(message, post) {
			switch (message.type) {
				case 'plan/request': {
					const tracked = stateOf(message.transcriptId);
					const planned =
						tracked?.state?.ok === true
							? await callAnalysis(services, 'session.plan', {
									path: tracked.path,
									windows: tracked.windows,
									plan: planSettingsOf(services.settings()),
									whatIf: message.whatIf,
								})
							: { ok: false as const, message: 'The transcript is no longer open.' };
					post({
						type: 'plan/result',
						requestId: message.requestId,
						result: planned.ok ? { ok: true, value: planned.plan } : { ok: false, reason: planned.message },
					});
					return;
				}
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
				default:
					return assertNever(message);
			}
		},
	};
}
