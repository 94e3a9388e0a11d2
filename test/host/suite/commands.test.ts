import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { contextLensApi, extensionId } from './contextLensApi';
import { ClaudeSessionWriter, workspaceDir } from './transcriptFixtures';
import { waitFor } from './waitFor';

interface ReviewLike {
	readonly id: string;
	readonly strategy: string;
	readonly focus?: string;
	readonly numbers: { readonly tokensBefore: number; readonly tokensAfter: number };
}

function contributedCommands(): string[] {
	const extension = vscode.extensions.getExtension(extensionId);
	const commands = (extension?.packageJSON as { contributes?: { commands?: { command: string }[] } })
		.contributes?.commands;
	return (commands ?? []).map((c) => c.command);
}

describe('contributed commands', () => {
	const ran = new Set<string>();
	let file: string;

	async function run<T>(command: string, ...args: unknown[]): Promise<T> {
		ran.add(command);
		return (await vscode.commands.executeCommand(command, ...args)) as T;
	}

	before(async () => {
		await contextLensApi();
		file = join(workspaceDir(), 'commands-session.jsonl');
		writeFileSync(file, new ClaudeSessionWriter().session(40));
	});

	after(async () => {
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('openTranscript opens the transcript in the Context Lens editor', async () => {
		const api = await contextLensApi();
		const opened = await run<string>('contextLens.openTranscript', vscode.Uri.file(file));
		assert.equal(opened, file);
		await waitFor('a Context Lens editor panel', () => (api.editorPanels() > 0 ? true : undefined));
		const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
		assert.ok(tab?.input instanceof vscode.TabInputCustom);
		assert.equal(tab.input.viewType, 'contextLens.transcript');
	});

	it('openTranscript on a file of a format it does not read says in the editor what the file is and what to open', async () => {
		const api = await contextLensApi();
		const ui = join(workspaceDir(), 'ui_messages.json');
		writeFileSync(
			ui,
			JSON.stringify([
				{ ts: 1, type: 'say', say: 'task', text: 'fix the bug' },
				{ ts: 2, type: 'ask', ask: 'tool', text: '{}' },
			]),
		);
		assert.equal(await run<string>('contextLens.openTranscript', vscode.Uri.file(ui)), ui);
		const shown = await waitFor('the editor to say why it shows no transcript', () =>
			api.editorEmptyMessage(ui),
		);
		assert.match(shown, /ui_messages\.json:1: this looks like a Cline or Roo ui_messages\.json/);
		assert.match(shown, /Open api_conversation_history\.json in the same task folder instead/);
		assert.match(shown, /It reads: Claude Code session, /);
		assert.ok(!shown.includes('--format'), 'no command-line flag in the editor');
		await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
		rmSync(ui);
	});

	it('showGauge makes the transcript active and the status bar shows its numbers', async () => {
		const api = await contextLensApi();
		assert.equal(await run<string>('contextLens.showGauge', { file }), file);
		const probe = await api.probe(file);
		assert.ok(probe.ok, probe.message);
		assert.equal(probe.contextWindow, 200_000, 'a Claude Sonnet 4.5 session has a 200k window');
		const text = await waitFor('the status bar text', () => api.statusBarText());
		assert.equal(text, probe.statusText);
		assert.match(text, /^\$\(pulse\) \d+% · [\d.]+k\/200k$/);
		const shown = await waitFor('the gauge view', () => {
			const gauge = api.gaugeShown();
			return gauge?.file === file ? gauge : undefined;
		});
		assert.deepEqual(shown, { file, tokens: probe.tokens, contextWindow: 200_000 });
	});

	it('exportPlainText returns the H9 report', async () => {
		const text = await run<string>('contextLens.exportPlainText', { file });
		assert.match(text, /^\[STATS\]\nformat: claude-code\n/);
		assert.match(text, /\[PLAN\]/);
		assert.match(text, /\[RECENT_MESSAGES\]/);
	});

	it('compress -> reviewPending -> applyCompaction writes a valid session; undoCompaction removes it', async () => {
		const api = await contextLensApi();
		const before = readFileSync(file, 'utf8');
		const review = await run<ReviewLike>('contextLens.compress', {
			file,
			focus: '/compress parquet',
			strategy: 'summarize',
		});
		assert.ok(review, 'compress returned no review');
		assert.equal(review.focus, 'parquet');
		assert.ok(review.numbers.tokensAfter < review.numbers.tokensBefore);
		assert.deepEqual(api.pendingReviewIds(), [review.id]);
		// The review page (webview bundle) loads, says `ready` and gets the review over the protocol.
		const shown = await waitFor('the review page', () => api.reviewPageMessage(review.id), 20_000);
		assert.equal(shown, 'review/show');
		assert.equal(readFileSync(file, 'utf8'), before, 'nothing is written before apply');
		assert.equal((await run<ReviewLike>('contextLens.reviewPending', review.id)).id, review.id);

		const written = await run<string>('contextLens.applyCompaction', review.id);
		assert.ok(written !== undefined && existsSync(written), 'apply wrote no file');
		assert.equal(dirname(written), dirname(file));
		assert.match(
			written,
			/[0-9a-f-]{36}\.jsonl$/,
			'a resumable Claude Code session is named after its new session id',
		);
		assert.equal(readFileSync(file, 'utf8'), before, 'the original is not touched');
		const reread = await api.probe(written);
		assert.ok(reread.ok, `the written file reads back: ${reread.message}`);
		assert.equal(reread.format, 'claude-code');
		assert.equal(reread.summaryMessages, 1, 'the compacted session carries one summary message');
		const original = await api.probe(file);
		assert.ok(
			(reread.windowMessages ?? Infinity) < (original.windowMessages ?? 0),
			`the window shrank (${reread.windowMessages} messages)`,
		);
		assert.ok((reread.tokens ?? Infinity) < (original.tokens ?? 0), 'the written session takes fewer tokens');
		assert.equal(reread.distinctIds, true);
		assert.deepEqual(api.pendingReviewIds(), []);

		assert.equal(await run<string>('contextLens.undoCompaction', written), written);
		assert.equal(existsSync(written), false, 'undo removed the written file');
		assert.ok(existsSync(file), 'undo left the original alone');
	});

	it('discardCompaction drops a pending review without writing', async () => {
		const api = await contextLensApi();
		const review = await run<ReviewLike>('contextLens.compress', { file, focus: '', strategy: 'prune' });
		assert.equal(review.strategy, 'prune');
		assert.equal(await run<string>('contextLens.discardCompaction', review.id), review.id);
		assert.deepEqual(api.pendingReviewIds(), []);
	});

	it('rotateSession plans a rotation (C4) for review', async () => {
		const review = await run<ReviewLike>('contextLens.rotateSession', { file, focus: 'invoice export' });
		assert.equal(review.strategy, 'rotate');
		await run('contextLens.discardCompaction', review.id);
	});

	it('selectSummarizer and setApiKey store their choices', async () => {
		assert.equal(await run<string>('contextLens.selectSummarizer', 'offline'), 'offline');
		assert.equal(vscode.workspace.getConfiguration('contextLens').get('summarizer.provider'), 'offline');
		assert.equal(await run<string>('contextLens.setApiKey', 'openai', 'sk-test-not-a-real-key'), 'openai');
		assert.equal(await run<string>('contextLens.setApiKey', 'openai', ''), 'openai');
	});

	it('refreshSessions re-scans the session roots', async () => {
		await run('contextLens.refreshSessions');
	});

	it('compareStrategies compares every strategy; showAgentCompactions finds none in a fresh session', async () => {
		const compared = await run<{ rows: { strategy: string }[] }>('contextLens.compareStrategies', {
			file,
			isQuiet: true,
		});
		assert.equal(compared.rows.length, 8);
		const audit = await run<{ compactions: unknown[] }>('contextLens.showAgentCompactions', { file });
		assert.deepEqual(audit.compactions, []);
	});

	it('manageHooks installs the Codex compaction hooks into a settings file and removes them again', async () => {
		const settings = join(workspaceDir(), 'commands-hooks.json');
		writeFileSync(settings, '{}\n');
		const installed = await run<{ changed: boolean }>('contextLens.manageHooks', {
			action: 'install',
			agent: 'codex',
			settings,
		});
		assert.equal(installed.changed, true);
		const removed = await run<{ changed: boolean }>('contextLens.manageHooks', {
			action: 'uninstall',
			agent: 'codex',
			settings,
		});
		assert.equal(removed.changed, true);
		assert.deepEqual(JSON.parse(readFileSync(settings, 'utf8')), {});
	});

	it('togglePin pins and unpins a message the editor then shows pinned; clearPins unpins every one', async () => {
		const api = await contextLensApi();
		assert.deepEqual(await run<number[]>('contextLens.togglePin', { file, message: 10 }), [10]);
		assert.deepEqual(
			await run<number[]>('contextLens.togglePin', { file, message: 20, pinned: true }),
			[10, 20],
		);
		assert.deepEqual(await api.pinnedShown(file), [9, 19]);
		assert.deepEqual(await run<number[]>('contextLens.togglePin', { file, message: 10 }), [20]);
		assert.equal(await run<boolean>('contextLens.clearPins', { file }), true);
		assert.deepEqual(await api.pinnedShown(file), []);
		assert.equal(await run<boolean>('contextLens.clearPins', { file }), false, 'nothing left to unpin');
	});

	it('every contributed command was run by this suite', () => {
		assert.deepEqual(
			contributedCommands().filter((c) => !ran.has(c)),
			[],
		);
	});
});
