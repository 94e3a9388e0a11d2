import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { hostLogsEnvName } from '../runnerOptions';
import { waitFor } from './waitFor';

const extensionId = 'context-lens.context-lens';
const channelName = 'Context Lens';

function contextLens(): vscode.Extension<unknown> {
	const extension = vscode.extensions.getExtension(extensionId);
	assert.ok(extension, `${extensionId} is not among the host's extensions`);
	return extension;
}

/** Every log file the extension host has written for our channel, across sessions in this run's logs folder. */
function channelLogFiles(logsDir: string): string[] {
	if (!existsSync(logsDir)) return [];
	const files: string[] = [];
	for (const session of readdirSync(logsDir, { withFileTypes: true })) {
		if (!session.isDirectory()) continue;
		const sessionDir = join(logsDir, session.name);
		for (const host of readdirSync(sessionDir).filter((name) => name.startsWith('exthost'))) {
			const file = join(sessionDir, host, extensionId, `${channelName}.log`);
			if (existsSync(file)) files.push(file);
		}
	}
	return files;
}

describe('activation', () => {
	// Runs first (file order), before any test triggers the extension.
	it('is lazy: not active before a command, view or editor triggers it', () => {
		const extension = contextLens();
		assert.equal(extension.isActive, false);
		const events = (extension.packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
		assert.ok(
			!events.includes('*') && !events.includes('onStartupFinished'),
			`eager activation events: ${events.join(', ')}`,
		);
	});

	it('is loaded from the development folder under its manifest id', () => {
		const extension = contextLens();
		assert.equal(extension.id, extensionId);
		assert.equal(extension.packageJSON.displayName, 'Context Lens');
		// The host is the VS Code server's (docs/testing.md), so the extension runs as a workspace extension.
		assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace);
	});

	it('activates without an error', async () => {
		const extension = contextLens();
		await extension.activate();
		assert.equal(extension.isActive, true);
	});

	it(`registers the '${channelName}' log channel with the workbench`, async () => {
		await contextLens().activate();
		// The workbench adds a "show" command per output channel once the host's registration reaches it.
		const showCommand = await waitFor(
			`a workbench command showing the '${channelName}' channel`,
			async () => {
				const commands = await vscode.commands.getCommands(true);
				return commands.find(
					(id) => id.startsWith(`workbench.action.output.show.${extensionId}.`) && id.includes(channelName),
				);
			},
		);
		// Showing it leaves the channel open in the panel, where the runner's screenshot captures it.
		await vscode.commands.executeCommand(showCommand);
	});

	it('logs its activation at info level and logs no errors', async function () {
		const logsDir = process.env[hostLogsEnvName];
		if (logsDir === undefined) {
			console.log(`    (${hostLogsEnvName} is unset: not run by test/host/runVscodeTests.ts)`);
			this.skip();
		}
		const extension = contextLens();
		await extension.activate();
		const version = String(extension.packageJSON.version);
		// The host flushes channel logs to disk asynchronously.
		const text = await waitFor(`the activation line in ${logsDir}`, () => {
			const contents = channelLogFiles(logsDir).map((file) => readFileSync(file, 'utf8'));
			return contents.find((content) => content.includes(`${channelName} ${version} activated`));
		});
		assert.match(text, new RegExp(`\\[info\\] ${channelName} ${version.replace(/\./g, '\\.')} activated`));
		assert.doesNotMatch(text, /\[error\]/);
	});
});
