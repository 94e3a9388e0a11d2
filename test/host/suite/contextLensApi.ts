import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ContextLensTestApi } from '../../../src/extension/activate';

/** The extension's manifest id. */
export const extensionId = 'context-lens.context-lens';

/** Activates Context Lens and returns the test API it exports in test mode. */
export async function contextLensApi(): Promise<ContextLensTestApi> {
	const extension = vscode.extensions.getExtension<ContextLensTestApi | undefined>(extensionId);
	assert.ok(extension, `${extensionId} is not installed in the host`);
	const api = await extension.activate();
	assert.ok(api, 'the extension exports its test API only in test mode; is the host running in test mode?');
	return api;
}
