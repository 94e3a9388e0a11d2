import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { contextLensApi } from './contextLensApi';
import { corpusFile } from './transcriptFixtures';
import { waitFor } from './waitFor';

/** The line that asks the runner for its screenshot now (runVscodeTests.ts `screenshotRequest`). */
const screenshotRequest = '[context-lens:screenshot]';

// Runs last (file order): it opens the Context Lens sidebar and a real session and asks the runner for its screenshot.
describe('workbench with a real session', () => {
	const relative = 'claude-code/codemie-session-3fe1b6bc.jsonl';

	it('opens a corpus session in the custom editor and shows its numbers in the status bar and gauge', async function () {
		const file = corpusFile(relative);
		if (file === undefined) {
			console.log(`    (the corpus file ${relative} is absent on this machine)`);
			this.skip();
		}
		const api = await contextLensApi();
		await vscode.commands.executeCommand('contextLens.openTranscript', vscode.Uri.file(file));
		await waitFor('the custom editor', () => (api.editorPanels() > 0 ? true : undefined));
		await vscode.commands.executeCommand('contextLens.showGauge', { file });
		const probe = await api.probe(file);
		assert.ok(probe.ok, probe.message);
		const expected = probe.statusText;
		assert.ok(expected !== undefined);
		assert.equal(
			await waitFor('the status text of the corpus session', () => {
				const text = api.statusBarText();
				return text === expected ? text : undefined;
			}),
			expected,
		);
		assert.equal(api.activeTranscript(), file);
		await vscode.commands.executeCommand('workbench.view.extension.contextLens');
		const shown = await waitFor('the gauge of the corpus session', () => {
			const gauge = api.gaugeShown();
			return gauge?.file === file ? gauge : undefined;
		});
		assert.deepEqual(shown, { file, tokens: probe.tokens, contextWindow: probe.contextWindow });
		// The bundle is the only UI (npm run test:host builds it): the page must load and speak the protocol.
		const page = await waitFor(
			'the gauge page to load',
			() => {
				const kind = api.gaugePage();
				return kind === 'protocol' || kind === 'missingBundle' ? kind : undefined;
			},
			20_000,
		);
		assert.equal(page, 'protocol', 'dist/webview/main.js was built, so the gauge runs the bundle');
		await vscode.commands.executeCommand('workbench.view.extension.contextLens');
		// Room for the gauge in the runner's closing screenshot: no bottom panel, no secondary sidebar.
		await vscode.commands.executeCommand('workbench.action.closePanel');
		await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
		// Give the webview a moment to paint, then have the runner take the screenshot while this host still runs
		// (after the suite the host has stopped: no status bar item, no view content). The runner reads this line.
		await new Promise((resolveDelay) => setTimeout(resolveDelay, 1500));
		console.log(screenshotRequest);
		await new Promise((resolveDelay) => setTimeout(resolveDelay, 3000));
	});
});
