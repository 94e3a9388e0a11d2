import * as vscode from 'vscode';
import type { TranscriptTracker } from '../sessions/transcriptTracker';

/** What a command may be given to name a transcript: a URI, a path, `{ file }` (tests, webviews) or a tree item. */
export type TargetArgument =
	vscode.Uri | string | { readonly file?: unknown; readonly resourceUri?: unknown } | undefined;

/** The file a command argument names, if it names one. */
export function fileOfArgument(arg: unknown): string | undefined {
	if (arg instanceof vscode.Uri)
		return arg.scheme === 'file' || arg.scheme === 'vscode-remote' ? arg.fsPath : undefined;
	if (typeof arg === 'string' && arg !== '') return arg;
	if (typeof arg === 'object' && arg !== null) {
		const file = (arg as { file?: unknown }).file;
		if (typeof file === 'string' && file !== '') return file;
		const resource = (arg as { resourceUri?: unknown }).resourceUri;
		if (resource instanceof vscode.Uri) return resource.fsPath;
	}
	return undefined;
}

function isTranscriptPath(path: string): boolean {
	return path.endsWith('.jsonl') || path.endsWith('.json');
}

/**
 * The transcript a command acts on: the argument, else the active transcript, else the active editor's file when it
 * looks like a transcript, else one the person picks (undefined when they cancel).
 */
export async function resolveTargetFile(
	arg: unknown,
	tracker: TranscriptTracker,
): Promise<string | undefined> {
	const given = fileOfArgument(arg);
	if (given !== undefined) return given;
	const active = tracker.active;
	if (active !== undefined) return active.path;
	const editorUri = vscode.window.activeTextEditor?.document.uri;
	if (editorUri?.scheme === 'file' && isTranscriptPath(editorUri.fsPath)) return editorUri.fsPath;
	const picked = await vscode.window.showOpenDialog({
		canSelectMany: false,
		openLabel: vscode.l10n.t('Open Transcript'),
		filters: { [vscode.l10n.t('Transcripts')]: ['jsonl', 'json'] },
	});
	return picked?.[0]?.fsPath;
}
