import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { contextLensApi } from './contextLensApi';
import { ClaudeSessionWriter, workspaceDir } from './transcriptFixtures';
import { waitFor } from './waitFor';

/** The `tool_use` and `tool_result` blocks of a Claude Code session file, by tool call id. */
function toolBlocks(path: string): Map<string, unknown[]> {
	const blocks = new Map<string, unknown[]>();
	for (const line of readFileSync(path, 'utf8').split('\n')) {
		if (line.trim() === '') continue;
		const content = (JSON.parse(line) as { message?: { content?: unknown } }).message?.content;
		if (!Array.isArray(content)) continue;
		for (const block of content as { id?: string; tool_use_id?: string }[]) {
			const id = block.id ?? block.tool_use_id;
			if (id !== undefined) blocks.set(id, [...(blocks.get(id) ?? []), block]);
		}
	}
	return blocks;
}

describe('pins', () => {
	afterEach(async () => {
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('a pin survives closing and reopening the editor, a live append and a reload of the stored state; compress keeps it', async () => {
		const api = await contextLensApi();
		const dir = join(workspaceDir(), 'pins');
		mkdirSync(dir, { recursive: true });
		const file = join(dir, 'session.jsonl');
		const writer = new ClaudeSessionWriter();
		writeFileSync(file, writer.session(40));
		await vscode.commands.executeCommand('contextLens.openTranscript', { file });
		const when = (ok: boolean): true | undefined => (ok ? true : undefined);
		await waitFor('the editor to open', () => when(api.editorPanels() > 0));

		// Turn 10 is messages #37 to #40: pin its Read call (#38); its result (#39) stays with it.
		const pinned = await vscode.commands.executeCommand<number[]>('contextLens.togglePin', {
			file,
			message: 38,
		});
		assert.deepEqual(pinned, [38]);
		assert.deepEqual(await api.pinnedShown(file), [37]);

		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		appendFileSync(file, writer.turn(41));
		await vscode.commands.executeCommand('contextLens.openTranscript', { file });
		await waitFor('the reopened editor to show the file', async () =>
			when((await api.pinnedShown(file)) !== undefined),
		);
		const grown = await api.probe(file);
		assert.equal(grown.windowMessages, 164);
		await waitFor('the pin on the grown session', async () =>
			when((await api.pinnedShown(file))?.join() === '37'),
		);
		assert.deepEqual(await api.pinsAfterReload(file), [37], 'the pin is in the workspace state');

		const review = (await vscode.commands.executeCommand('contextLens.compress', {
			file,
			focus: '',
			strategy: 'summarize',
		})) as { id: string; pinned?: { messages: { index: number }[]; partners: number } };
		assert.deepEqual(
			review.pinned?.messages.map((m) => m.index),
			[37],
		);
		assert.equal(review.pinned?.partners, 1);
		const written = await vscode.commands.executeCommand<string>('contextLens.applyCompaction', review.id);
		assert.ok(written !== undefined);
		const before = toolBlocks(file);
		const after = toolBlocks(written);
		assert.deepEqual(
			after.get('toolu_0010'),
			before.get('toolu_0010'),
			'the pinned call and its result, verbatim',
		);
		assert.equal(after.get('toolu_0011'), undefined, 'the next turn, not pinned, was summarised');

		assert.deepEqual(
			await vscode.commands.executeCommand<number[]>('contextLens.togglePin', { file, message: 38 }),
			[],
			'the same command unpins it',
		);
		assert.deepEqual(await api.pinnedShown(file), []);
		await vscode.commands.executeCommand('contextLens.togglePin', { file, message: 5, pinned: true });
		assert.equal(await vscode.commands.executeCommand<boolean>('contextLens.clearPins', { file }), true);
		assert.deepEqual(await api.pinsAfterReload(file), []);
		await vscode.commands.executeCommand('contextLens.undoCompaction', written);
		rmSync(dir, { recursive: true, force: true });
	});
});
