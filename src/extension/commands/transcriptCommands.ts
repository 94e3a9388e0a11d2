import { planOptionsFrom } from '../adapters/settings';
import * as vscode from 'vscode';
import { exportPlainText } from '../../core/compaction/exportPlainText';
import { planCompaction } from '../../core/compaction/planCompaction';
import type { ExtensionServices } from './extensionServices';
import { UserFacingError } from './guard';
import { resolveTargetFile } from './targetFile';

/** View type of the read-only transcript editor. */
export const transcriptEditorViewType = 'contextLens.transcript';

/** `contextLens.openTranscript`: opens a transcript in the Context Lens editor; returns its path. */
export async function openTranscriptCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<string | undefined> {
	const file = await resolveTargetFile(arg, services.tracker);
	if (file === undefined) return undefined;
	await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), transcriptEditorViewType);
	return file;
}

/** Tracks a file, makes it active and fails with the reader's message when it is not a transcript. */
export async function activateTranscript(services: ExtensionServices, file: string): Promise<void> {
	const { state } = await services.tracker.open(file);
	if (!state.ok) {
		services.tracker.close(file);
		throw new UserFacingError(state.message);
	}
	services.tracker.setActive(file);
}

/** `contextLens.showGauge`: makes the given (or current) transcript active and reveals the Gauge view; returns its path. */
export async function showGaugeCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<string | undefined> {
	const hasTarget = arg !== undefined || services.tracker.active !== undefined;
	const file = hasTarget ? await resolveTargetFile(arg, services.tracker) : undefined;
	if (file !== undefined) await activateTranscript(services, file);
	await vscode.commands.executeCommand('contextLens.gauge.focus');
	return file;
}

/** `contextLens.exportPlainText` (H9): the plain-text report of a transcript and its plan in an untitled editor; returns the text. */
export async function exportPlainTextCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<string | undefined> {
	const file = await resolveTargetFile(arg, services.tracker);
	if (file === undefined) return undefined;
	await activateTranscript(services, file);
	const tracked = services.tracker.get(file);
	const state = tracked?.state;
	const counter = tracked?.counter;
	if (state === undefined || !state.ok || counter === undefined)
		throw new UserFacingError(vscode.l10n.t('{0} could not be read.', file));
	const settings = services.settings();
	const plan = planCompaction(state.transcript, {
		...planOptionsFrom(settings, counter, state.report.contextWindow),
		pinned: services.pins.pinnedIndexes(file, state.transcript),
	});
	const text = await exportPlainText(state.transcript, plan);
	const document = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
	await vscode.window.showTextDocument(document, { preview: true });
	return text;
}
