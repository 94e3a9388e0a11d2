import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { chatViewRequest, type ChatViewReply } from '../chatView';
import { fakeChatModelId, fakeChatModelVendor } from '../fakeChatModel';
import { contextLensApi } from './contextLensApi';
import { waitFor } from './waitFor';

/** Passing checks of the CI log the conversation pastes: the bulk a summary can drop. */
const passingChecks = [
	'session',
	'profile page',
	'settings form',
	'password reset',
	'sign-out menu',
	'audit trail',
].flatMap((area) =>
	[
		'renders for a guest',
		'renders for a member',
		'keeps its state across reload',
		'rejects a forged cookie',
	].map((check) => `  ✔ ${area} ${check}`),
);

/** A CI log the conversation pastes: what a person would hand the chat, and what /compress should condense. */
const ciLog = [
	'```',
	'> vitest run --reporter verbose',
	...passingChecks,
	'  ✘ login refreshes an expired token',
	'     AssertionError: expected 401 to equal 200',
	'      at refreshToken (src/auth/refresh.ts:42:11)',
	'      at login (src/auth/login.ts:17:5)',
	`  ${passingChecks.length} passing, 1 failing`,
	'```',
].join('\n');

/**
 * Sends `query` in the chat view, in Ask mode with the runner's offline test model selected (a participant gets a
 * request only when some model is; @context answers without it), and returns what the runner then reads in the
 * view once the last answer holds `waitForText`.
 */
async function ask(query: string, waitForText: string, isReadmeShot = false): Promise<ChatViewReply> {
	await vscode.commands.executeCommand('workbench.action.chat.open', {
		query,
		mode: 'ask',
		modelSelector: { vendor: fakeChatModelVendor, id: fakeChatModelId },
	});
	const replyFile = join(mkdtempSync(join(tmpdir(), 'chat-view-')), 'reply.json');
	console.log(`${chatViewRequest}${JSON.stringify({ replyFile, waitForText, isReadmeShot })}`);
	return waitFor(
		`the runner's reading of the chat view after "${query}"`,
		() =>
			existsSync(replyFile) ? (JSON.parse(readFileSync(replyFile, 'utf8')) as ChatViewReply) : undefined,
		40_000,
		250,
	);
}

// The workbench's own chat view, offline: no Copilot, only the runner's test model (fakeChatModel.ts), which
// @context's answers never use (/compress summarises with the offline summariser, the default setting).
describe('@context in the chat view', () => {
	after(async () => {
		await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
	});

	it('answers /compress <focus> with the summary of the conversation and a fresh-chat button', async function () {
		this.timeout(120_000);
		await contextLensApi();
		await waitFor('the offline test chat model', async () => {
			const models = await vscode.lm.selectChatModels({ vendor: fakeChatModelVendor });
			return models.length > 0 ? models : undefined;
		});
		await vscode.commands.executeCommand('workbench.action.closeSidebar');
		await vscode.commands.executeCommand('workbench.action.chat.newChat');
		// The whole window for the chat view, so the runner's screenshot shows the answer at a readable width.
		await vscode.commands.executeCommand('workbench.action.maximizeAuxiliaryBar');
		const help = 'I measure and compress context.';
		const first = await ask(
			`@context The login test fails on CI since the token refresh change:\n\n${ciLog}`,
			help,
		);
		assert.ok(first.isFound, `no answer from @context: ${JSON.stringify(first.rows.at(-1))}`);
		await ask(
			'@context It passes locally; the CI clock runs five minutes ahead, so the token looks expired.',
			help,
		);
		const focus = 'the failing login test';
		const reply = await ask(`@context /compress ${focus}`, 'Compressed 2 messages', true);
		assert.equal(reply.problem, undefined, reply.problem);
		assert.ok(reply.isFound, `no /compress answer in the chat view: ${JSON.stringify(reply.rows.slice(-2))}`);
		const [request, answer] = reply.rows.slice(-2);
		assert.deepEqual(request, { role: 'request', text: `@context /compress ${focus}` });
		const figures = new RegExp(
			`Compressed 2 messages from about (\\S+) to (\\S+) tokens with the focus "${focus}"`,
		);
		const [, before, after] = figures.exec(answer?.text ?? '') ?? [];
		assert.ok(before !== undefined && after !== undefined, `unexpected answer: ${answer?.text}`);
		// The offline summary carries what the conversation established, and ends with the fresh-chat button.
		assert.match(answer?.text ?? '', /src\/auth\/refresh\.ts/);
		assert.match(answer?.text ?? '', /Start a fresh chat with this summary/);
		// Only the person's two turns are summarised: @context's canned help answers to them are left out.
		assert.doesNotMatch(answer?.text ?? '', /I measure and compress context/);
	});
});
