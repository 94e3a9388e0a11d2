import { basename } from 'node:path';
import * as vscode from 'vscode';
import { callAnalysis } from '../views/transcriptController';
import type { ExtensionServices } from './extensionServices';
import { UserFacingError } from './guard';
import { resolveTargetFile } from './targetFile';
import { activateTranscript } from './transcriptCommands';

/** Arguments tests and other surfaces may pass: `message` as the list numbers it (from 1), and pin or unpin. */
export interface PinArguments {
	readonly file?: string;
	readonly message?: number;
	readonly pinned?: boolean;
}

function argumentsOf(arg: unknown): PinArguments {
	if (typeof arg !== 'object' || arg === null || arg instanceof vscode.Uri) return {};
	const { message, pinned } = arg as { message?: unknown; pinned?: unknown };
	return {
		...(typeof message === 'number' ? { message } : {}),
		...(typeof pinned === 'boolean' ? { pinned } : {}),
	};
}

/** The tracked transcript of a file, read now (by the analysis worker); a UserFacingError when it cannot be read. */
async function readTracked(services: ExtensionServices, file: string) {
	await activateTranscript(services, file);
	const tracked = services.tracker.get(file);
	const state = tracked?.state;
	if (tracked === undefined || state === undefined || !state.ok)
		throw new UserFacingError(vscode.l10n.t('{0} could not be read.', file));
	return { tracked, state };
}

/**
 * `contextLens.togglePin`: pins a message of a transcript (or unpins a pinned one) so every compaction keeps it
 * verbatim with its tool partners. Asks for the message number unless given; pins are stored per session in the
 * workspace. Returns the message numbers pinned afterwards (a test hook), undefined when the person cancelled.
 */
export async function togglePinCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<number[] | undefined> {
	const file = await resolveTargetFile(arg, services.tracker);
	if (file === undefined) return undefined;
	const { tracked, state } = await readTracked(services, file);
	const count = state.report.messages;
	const given = argumentsOf(arg);
	let number = given.message;
	if (number === undefined) {
		const typed = await vscode.window.showInputBox({
			title: vscode.l10n.t('Pin or unpin a message of {0}', basename(file)),
			prompt: vscode.l10n.t(
				'The message number as the list shows it (1 to {0}). A pinned message is never summarised or pruned.',
				count,
			),
			validateInput: (value) =>
				/^\s*#?\d+\s*$/.test(value) &&
				Number(value.replace('#', '')) >= 1 &&
				Number(value.replace('#', '')) <= count
					? undefined
					: vscode.l10n.t('Type a message number from 1 to {0}.', count),
		});
		if (typed === undefined) return undefined;
		number = Number(typed.trim().replace('#', ''));
	}
	if (!Number.isSafeInteger(number) || number < 1 || number > count) {
		throw new UserFacingError(
			vscode.l10n.t(
				'{0} has no message #{1}; the window holds messages #1 to #{2}.',
				basename(file),
				number,
				count,
			),
		);
	}
	const index = number - 1;
	const session = { path: file, windows: tracked.windows, pins: services.pins.entry(file) };
	const current = await callAnalysis(services, 'session.pinned', session);
	if (!current.ok) throw new UserFacingError(current.message);
	const isPinned = given.pinned ?? !current.indexes.includes(index);
	const toggled = await callAnalysis(services, 'session.pin', { ...session, index, isPinned });
	if (!toggled.ok) throw new UserFacingError(toggled.message);
	await services.pins.set(file, toggled.sessionId, toggled.keys);
	const pinned = toggled.indexes;
	void vscode.window.setStatusBarMessage(
		isPinned
			? vscode.l10n.t('Pinned #{0}: every compaction keeps it verbatim.', number)
			: vscode.l10n.t('Unpinned #{0}.', number),
		4_000,
	);
	return pinned.map((i) => i + 1);
}

/** `contextLens.clearPins`: unpins every message of a transcript's session. Returns true when pins were removed. */
export async function clearPinsCommand(services: ExtensionServices, arg: unknown): Promise<boolean> {
	const file = await resolveTargetFile(arg, services.tracker);
	if (file === undefined) return false;
	const { tracked } = await readTracked(services, file);
	const shown = await callAnalysis(services, 'session.pinned', { path: file, windows: tracked.windows });
	if (!shown.ok) throw new UserFacingError(shown.message);
	const sessionId = shown.sessionId;
	if (services.pins.keys(file, sessionId).length === 0) {
		void vscode.window.setStatusBarMessage(
			vscode.l10n.t('{0} has no pinned messages.', basename(file)),
			4_000,
		);
		return false;
	}
	await services.pins.set(file, sessionId, []);
	void vscode.window.setStatusBarMessage(
		vscode.l10n.t('Unpinned every message of {0}.', basename(file)),
		4_000,
	);
	return true;
}
