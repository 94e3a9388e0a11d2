import * as vscode from 'vscode';
import type { TranscriptTracker } from './transcriptTracker';

function transcriptPathOf(editor: vscode.TextEditor | undefined): string | undefined {
	const uri = editor?.document.uri;
	if (uri?.scheme !== 'file') return undefined;
	return uri.fsPath.endsWith('.jsonl') || uri.fsPath.endsWith('.json') ? uri.fsPath : undefined;
}

/**
 * Makes the transcript in the active text editor the active transcript (status bar, gauge) when it reads as one;
 * other files leave the active transcript as it was, so switching to source code keeps the gauge.
 */
export function followActiveEditor(
	tracker: TranscriptTracker,
	log: vscode.LogOutputChannel,
): vscode.Disposable {
	const follow = async (editor: vscode.TextEditor | undefined): Promise<void> => {
		const path = transcriptPathOf(editor);
		if (path === undefined) return;
		const wasTracked = tracker.get(path) !== undefined;
		const { state } = await tracker.open(path);
		if (state.ok) tracker.setActive(path);
		else if (!wasTracked) {
			// A JSON file that is not a transcript: stop watching it.
			log.debug(`${path} is not a transcript: ${state.message}`);
			tracker.close(path);
		}
	};
	void follow(vscode.window.activeTextEditor);
	return vscode.window.onDidChangeActiveTextEditor((editor) => void follow(editor));
}
