import * as vscode from 'vscode';
import { compareStrategiesCommand, showAgentCompactionsCommand } from './auditCommands';
import {
	applyCompactionCommand,
	discardCompactionCommand,
	reviewPendingCommand,
	undoCompactionCommand,
} from './reviewCommands';
import { compressCommand } from './compressCommand';
import type { ExtensionServices } from './extensionServices';
import { guardCommand } from './guard';
import { clearPinsCommand, togglePinCommand } from './pinCommands';
import { selectSummarizerCommand, setApiKeyCommand } from './summarizerCommands';
import { exportPlainTextCommand, openTranscriptCommand, showGaugeCommand } from './transcriptCommands';

/** Every contributed command id and its handler; each runs behind the surface's one catch (guardCommand). */
export function registerCommands(
	services: ExtensionServices,
	refreshSessions: () => void,
): vscode.Disposable[] {
	const handlers: Record<string, (...args: unknown[]) => Promise<unknown>> = {
		'contextLens.compress': (arg) => compressCommand(services, arg),
		'contextLens.openTranscript': (arg) => openTranscriptCommand(services, arg),
		'contextLens.showGauge': (arg) => showGaugeCommand(services, arg),
		'contextLens.reviewPending': (arg) => reviewPendingCommand(services, arg),
		'contextLens.applyCompaction': (arg) => applyCompactionCommand(services, arg),
		'contextLens.discardCompaction': (arg) => discardCompactionCommand(services, arg),
		'contextLens.undoCompaction': (arg) => undoCompactionCommand(services, arg),
		// C4: rotation is the compress flow with the rotate strategy (a fresh session carrying the summary).
		'contextLens.rotateSession': (arg) => compressCommand(services, arg, 'rotate'),
		'contextLens.selectSummarizer': (arg) => selectSummarizerCommand(services, arg),
		'contextLens.setApiKey': (provider, key) => setApiKeyCommand(services, provider, key),
		'contextLens.exportPlainText': (arg) => exportPlainTextCommand(services, arg),
		'contextLens.refreshSessions': async () => refreshSessions(),
		'contextLens.togglePin': (arg) => togglePinCommand(services, arg),
		'contextLens.clearPins': (arg) => clearPinsCommand(services, arg),
		'contextLens.compareStrategies': (arg) => compareStrategiesCommand(services, arg),
		'contextLens.showAgentCompactions': (arg) => showAgentCompactionsCommand(services, arg),
	};
	return Object.entries(handlers).map(([id, handler]) =>
		vscode.commands.registerCommand(id, guardCommand(services.log, id, handler)),
	);
}
