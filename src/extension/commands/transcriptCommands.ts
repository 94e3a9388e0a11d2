import * as vscode from 'vscode';
import { planSettingsOf } from '../../worker/planOptions';
import { callAnalysis } from '../views/transcriptController';
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

/**
 * Tracks a file, makes it active and fails with the reader's message when it is not a transcript; false when the
 * person cancelled the read.
 */
export async function activateTranscript(services: ExtensionServices, file: string): Promise<boolean> {
	const { state } = await services.tracker.open(file);
	if (!state.ok) {
		services.tracker.close(file);
		// Cancelled by the person: nothing to report.
		if (state.isCancelled === true) return false;
		throw new UserFacingError(state.message);
	}
	services.tracker.setActive(file);
	return true;
}

/** `contextLens.showGauge`: makes the given (or current) transcript active and reveals the Gauge view; returns its path. */
export async function showGaugeCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<string | undefined> {
	const hasTarget = arg !== undefined || services.tracker.active !== undefined;
	const file = hasTarget ? await resolveTargetFile(arg, services.tracker) : undefined;
	if (file !== undefined && !(await activateTranscript(services, file))) return undefined;
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
	if (!(await activateTranscript(services, file))) return undefined;
	const tracked = services.tracker.get(file);
	if (tracked?.state?.ok !== true) throw new UserFacingError(vscode.l10n.t('{0} could not be read.', file));
	const pins = services.pins.entry(file);
	const exported = await callAnalysis(services, 'session.export', {
		path: file,
		windows: tracked.windows,
		plan: planSettingsOf(services.settings()),
		...(pins !== undefined ? { pins } : {}),
	});
	if (!exported.ok) throw new UserFacingError(exported.message);
	const text = exported.text;
	const document = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
	await vscode.window.showTextDocument(document, { preview: true });
	return text;
}
