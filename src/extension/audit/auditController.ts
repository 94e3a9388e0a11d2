import * as vscode from 'vscode';
import type { HostToView, ViewToHost } from '../../protocol/messages';
import type { ExtensionServices } from '../commands/extensionServices';
import type { TrackedTranscript } from '../sessions/trackedTranscript';

/** The editor messages about comparing strategies and auditing compactions. */
export type AuditMessage = Extract<
	ViewToHost,
	{
		type:
			| 'compare/start'
			| 'compare/cancel'
			| 'compare/open'
			| 'audit/request'
			| 'audit/restore'
			| 'source/reveal';
	}
>;

/**
 * The transcript editor's side of Compare strategies and the compaction audit: runs a comparison with progress
 * (cancelled by `compare/cancel`, or by a newer one), answers the audit, opens a strategy's review or a compaction's
 * restore review through the commands (one catch, as from the palette), and reveals a source line.
 */
export async function handleAuditMessage(
	services: ExtensionServices,
	message: AuditMessage,
	post: (message: HostToView) => void,
	stateOf: (transcriptId: string) => TrackedTranscript | undefined,
): Promise<void> {
	switch (message.type) {
		case 'compare/start': {
			const tracked = stateOf(message.transcriptId);
			const transcriptId = message.transcriptId;
			if (tracked === undefined) {
				post({
					type: 'compare/result',
					transcriptId,
					result: { ok: false, reason: vscode.l10n.t('The transcript is not open any more.') },
				});
				return;
			}
			const result = await services.audit.compare.run(tracked, message.focus, services.settings(), (p) =>
				post({
					type: 'compare/progress',
					transcriptId,
					done: p.done,
					total: p.total,
					...(p.strategy !== undefined ? { strategy: p.strategy } : {}),
				}),
			);
			post({ type: 'compare/result', transcriptId, result });
			return;
		}
		case 'compare/cancel':
			services.audit.compare.cancel(message.transcriptId);
			return;
		case 'compare/open':
			await vscode.commands.executeCommand('contextLens.compress', {
				file: message.transcriptId,
				strategy: message.strategy,
				focus: message.focus,
			});
			return;
		case 'audit/request':
			post({
				type: 'audit/result',
				requestId: message.requestId,
				result: await services.audit.views.viewOf(stateOf(message.transcriptId), services.settings()),
			});
			return;
		case 'audit/restore':
			await vscode.commands.executeCommand('contextLens.showAgentCompactions', {
				file: message.transcriptId,
				compaction: message.compaction,
			});
			return;
		case 'source/reveal': {
			const document = await vscode.workspace.openTextDocument(vscode.Uri.file(message.transcriptId));
			const line = Math.min(Math.max(0, message.line - 1), Math.max(0, document.lineCount - 1));
			await vscode.window.showTextDocument(document, {
				selection: new vscode.Range(line, 0, line, 0),
				preview: true,
			});
			return;
		}
	}
}
