import * as assert from 'node:assert/strict';
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { contextLensApi } from './contextLensApi';
import { ClaudeSessionWriter, workspaceDir } from './transcriptFixtures';

describe('review before apply', () => {
	afterEach(async () => {
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('refuses to apply after the original changed, and writes nothing', async () => {
		const api = await contextLensApi();
		const dir = join(workspaceDir(), 'refuse');
		const { mkdirSync } = await import('node:fs');
		mkdirSync(dir, { recursive: true });
		const file = join(dir, 'changing-session.jsonl');
		const writer = new ClaudeSessionWriter();
		writeFileSync(file, writer.session(40));
		const review = (await vscode.commands.executeCommand('contextLens.compress', {
			file,
			focus: '',
			strategy: 'summarize',
		})) as { id: string } | undefined;
		assert.ok(review);
		appendFileSync(file, writer.turn(41));
		const written = await vscode.commands.executeCommand('contextLens.applyCompaction', review.id);
		assert.equal(written, undefined, 'apply must refuse');
		assert.deepEqual(
			readdirSync(dir),
			['changing-session.jsonl'],
			'nothing was written next to the original',
		);
		assert.ok(
			api.pendingReviewIds().includes(review.id),
			'the refused review stays pending so it can be discarded',
		);
		await vscode.commands.executeCommand('contextLens.discardCompaction', review.id);
	});

	it('refuses to undo a written session that was changed since (e.g. resumed)', async () => {
		const dir = join(workspaceDir(), 'undo');
		const { mkdirSync, existsSync, rmSync } = await import('node:fs');
		mkdirSync(dir, { recursive: true });
		const file = join(dir, 'session.jsonl');
		const writer = new ClaudeSessionWriter();
		writeFileSync(file, writer.session(40));
		const review = (await vscode.commands.executeCommand('contextLens.compress', {
			file,
			focus: '',
			strategy: 'summarize',
		})) as { id: string };
		const written = (await vscode.commands.executeCommand(
			'contextLens.applyCompaction',
			review.id,
		)) as string;
		assert.ok(existsSync(written));
		appendFileSync(written, new ClaudeSessionWriter().turn(1));
		assert.equal(await vscode.commands.executeCommand('contextLens.undoCompaction', written), undefined);
		assert.ok(existsSync(written), 'a changed file is never removed');
		rmSync(written);
	});
});
