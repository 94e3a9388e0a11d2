import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { contextLensApi } from './contextLensApi';
import { waitFor } from './waitFor';
import { ClaudeSessionWriter, corpusFile, workspaceDir } from './transcriptFixtures';

/** A 40-turn Claude Code session written to `<workspace>/<folder>/<name>`, and its writer (to append turns). */
function freshSession(
	folder: string,
	name: string,
): { dir: string; file: string; writer: ClaudeSessionWriter } {
	const dir = join(workspaceDir(), folder);
	mkdirSync(dir, { recursive: true });
	const file = join(dir, name);
	const writer = new ClaudeSessionWriter();
	writeFileSync(file, writer.session(40));
	return { dir, file, writer };
}

/** Plans a summarize compaction of `file` as the palette command does; the pending review's id. */
async function compressFile(file: string): Promise<string> {
	const review = (await vscode.commands.executeCommand('contextLens.compress', {
		file,
		focus: '',
		strategy: 'summarize',
	})) as { id: string } | undefined;
	assert.ok(review, `a review of ${file}`);
	return review.id;
}

describe('review before apply', () => {
	afterEach(async () => {
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('refuses to apply after the original changed, and writes nothing', async () => {
		const api = await contextLensApi();
		const { dir, file, writer } = freshSession('refuse', 'changing-session.jsonl');
		const reviewId = await compressFile(file);
		appendFileSync(file, writer.turn(41));
		const written = await vscode.commands.executeCommand('contextLens.applyCompaction', reviewId);
		assert.equal(written, undefined, 'apply must refuse');
		assert.deepEqual(
			readdirSync(dir),
			['changing-session.jsonl'],
			'nothing was written next to the original',
		);
		assert.ok(
			api.pendingReviewIds().includes(reviewId),
			'the refused review stays pending so it can be discarded',
		);
		await vscode.commands.executeCommand('contextLens.discardCompaction', reviewId);
	});

	it('the sidebar gauge offers a waiting review and stops once it is discarded', async () => {
		const api = await contextLensApi();
		const { file } = freshSession('pending', 'pending-session.jsonl');
		await vscode.commands.executeCommand('workbench.view.extension.contextLens');
		await waitFor(
			'the gauge page to load',
			() => (api.gaugePage() === 'protocol' ? true : undefined),
			20_000,
		);
		const before = api.pendingReviewIds().length;
		await waitFor('the gauge told of the reviews waiting now', () =>
			api.gaugePendingReviews() === before ? true : undefined,
		);
		const reviewId = await compressFile(file);
		await waitFor('the gauge told of the new review', () =>
			api.gaugePendingReviews() === before + 1 ? true : undefined,
		);
		await vscode.commands.executeCommand('contextLens.discardCompaction', reviewId);
		await waitFor('the gauge told the review is gone', () =>
			api.gaugePendingReviews() === before ? true : undefined,
		);
	});

	it('refuses to undo a written session that was changed since (e.g. resumed)', async () => {
		const { existsSync, rmSync } = await import('node:fs');
		const { file } = freshSession('undo', 'session.jsonl');
		const written = (await vscode.commands.executeCommand(
			'contextLens.applyCompaction',
			await compressFile(file),
		)) as string;
		assert.ok(existsSync(written));
		appendFileSync(written, new ClaudeSessionWriter().turn(1));
		assert.equal(await vscode.commands.executeCommand('contextLens.undoCompaction', written), undefined);
		assert.ok(existsSync(written), 'a changed file is never removed');
		rmSync(written);
	});

	it('after apply, the gauge and status bar show the new session at the size the review promised', async function () {
		const source = corpusFile('claude-code/codemie-session-3fe1b6bc.jsonl');
		if (source === undefined) this.skip();
		const { copyFileSync, rmSync } = await import('node:fs');
		const dir = join(workspaceDir(), 'apply-gauge');
		mkdirSync(dir, { recursive: true });
		const file = join(dir, 'session.jsonl');
		copyFileSync(source, file);
		const api = await contextLensApi();
		const original = await api.probe(file);
		const review = (await vscode.commands.executeCommand('contextLens.compress', {
			file,
			focus: '',
			strategy: 'summarize',
		})) as { id: string; numbers: { tokensBefore: number; tokensAfter: number } };
		assert.equal(review.numbers.tokensBefore, original.tokens, "the review's before is the gauge's figure");
		const written = (await vscode.commands.executeCommand(
			'contextLens.applyCompaction',
			review.id,
		)) as string;
		const probe = await api.probe(written);
		assert.ok(probe.ok && probe.tokens !== undefined && original.tokens !== undefined);
		assert.ok(probe.tokens < original.tokens * 0.8, `${probe.tokens} read back, ${original.tokens} before`);
		assert.ok(
			Math.abs(probe.tokens - review.numbers.tokensAfter) <= Math.max(200, review.numbers.tokensAfter * 0.03),
			`the written session reads ${probe.tokens}; the review promised ${review.numbers.tokensAfter}`,
		);
		const when = (ok: boolean): true | undefined => (ok ? true : undefined);
		await waitFor('the new session to become the active transcript', () =>
			when(api.activeTranscript() === written),
		);
		await waitFor(`the status bar to show ${probe.statusText}`, () =>
			when(api.statusBarText() === probe.statusText),
		);
		await waitFor('the gauge to show the compacted figure', () =>
			when(api.gaugeShown()?.tokens === probe.tokens),
		);
		await vscode.commands.executeCommand('contextLens.undoCompaction', written);
		rmSync(dir, { recursive: true, force: true });
	});
});
