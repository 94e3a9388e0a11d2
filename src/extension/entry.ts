// dist/extension.js, built from this file, is two programs in one bundle, so the code they share ships once (the
// VSIX is limited to 2 MB): loaded by the extension host it is the extension (activate, deactivate); started again in
// a worker thread (src/worker/client.ts) it is the analysis worker (src/worker/main.ts), which reads, counts and plans
// off the host's thread. The extension's own modules are loaded by `activate` (a dynamic import the bundle keeps
// lazy), never at load: the worker thread, which has no vscode, loads only the worker's.
import type * as vscode from 'vscode';
import '../worker/main';
import type { ContextLensTestApi } from './activate';

/** Loads the extension's modules and activates it. */
export async function activate(context: vscode.ExtensionContext): Promise<ContextLensTestApi | undefined> {
	const extension = await import('./activate');
	return extension.activate(context);
}

/** Nothing to release beyond the subscriptions VS Code disposes. */
export function deactivate(): void {}
