import * as assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { contextLensApi } from './contextLensApi';
import { ClaudeSessionWriter, workspaceDir } from './transcriptFixtures';
import { waitFor } from './waitFor';

describe('compaction threshold', () => {
	const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('contextLens');

	after(async () => {
		await config().update('models.contextWindows', undefined, vscode.ConfigurationTarget.Global);
		await config().update('autoCompaction.mode', undefined, vscode.ConfigurationTarget.Global);
	});

	it('a live session crossing the threshold is reported once, however much more is written', async () => {
		const api = await contextLensApi();
		// A small window for this model, so a few turns cross 80% (settings: per-model context windows).
		await config().update(
			'models.contextWindows',
			{ 'claude-sonnet-4-5*': 40_000 },
			vscode.ConfigurationTarget.Global,
		);
		await config().update('autoCompaction.mode', 'off', vscode.ConfigurationTarget.Global);
		const file = join(workspaceDir(), 'threshold-session.jsonl');
		const writer = new ClaudeSessionWriter();
		writeFileSync(file, writer.session(3));
		await vscode.commands.executeCommand('contextLens.showGauge', { file });
		const first = await waitFor('the status text', () => {
			const text = api.statusBarText();
			return text?.endsWith('/40k') === true ? text : undefined;
		});
		assert.match(first, /^\$\(pulse\) [0-7]?\d% /, `starts below the threshold: ${first}`);
		const before = api.thresholdCrossings().filter((c) => c.path === file).length;
		assert.equal(before, 0);
		for (let n = 4; n <= 30; n++) appendFileSync(file, writer.turn(n));
		await waitFor('a crossing', () =>
			api.thresholdCrossings().some((c) => c.path === file) ? true : undefined,
		);
		for (let n = 31; n <= 40; n++) {
			appendFileSync(file, writer.turn(n));
			await new Promise((resolveDelay) => setTimeout(resolveDelay, 20));
		}
		await waitFor('the error colour range', () =>
			/^\$\(pulse\) (9[5-9]|\d{3,})% /.test(api.statusBarText() ?? '') ? true : undefined,
		);
		assert.deepEqual(
			api.thresholdCrossings().filter((c) => c.path === file),
			[{ path: file, mode: 'off' }],
		);
	});
});
