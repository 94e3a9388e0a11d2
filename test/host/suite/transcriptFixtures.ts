import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';

/** The shared corpus beside the repository; the bundle runs from .test-output/host/suite, three levels below it. */
export const hostCorpusRoot = resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus');

/** A corpus file's path when the corpus is present (CI requires it), else undefined so the test can skip. */
export function corpusFile(relative: string): string | undefined {
	const path = join(hostCorpusRoot, relative);
	if (existsSync(path)) return path;
	if (process.env['CI'] === 'true')
		throw new Error(`the shared corpus file ${path} is missing; CI must run beside shared/`);
	return undefined;
}

/** The folder the host opened (a fresh copy of test/host/workspace per run). */
export function workspaceDir(): string {
	const folder = vscode.workspace.workspaceFolders?.[0];
	if (folder === undefined) throw new Error('the host opened no workspace folder');
	return folder.uri.fsPath;
}

export { ClaudeSessionWriter } from './claudeSessionWriter';
