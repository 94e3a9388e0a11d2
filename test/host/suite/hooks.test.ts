import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { contextLensApi } from './contextLensApi';
import { ClaudeSessionWriter, workspaceDir } from './transcriptFixtures';
import { waitFor } from './waitFor';

interface HookRun {
	readonly code: number | null;
	readonly stdout: string;
	readonly stderr: string;
}

/** Runs an installed hook command as Claude Code does (through the shell, the event on stdin). */
function runHook(command: string, event: object): Promise<HookRun> {
	return new Promise((resolve) => {
		const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.on('close', (code) => resolve({ code, stdout, stderr }));
		child.stdin.end(JSON.stringify(event));
	});
}

describe('the compaction gate: the installed hook asks this window', function () {
	if (process.platform === 'win32') return;
	this.timeout(90_000);
	let dir = '';
	let settings = '';
	const original =
		'{\n\t"model": "opus",\n\t"hooks": {\n\t\t"PreCompact": [{ "hooks": [{ "type": "command", "command": "true" }] }]\n\t}\n}\n';
	const writer = new ClaudeSessionWriter();
	let transcript = '';
	let gate = '';
	const event = (trigger: 'auto' | 'manual'): object => ({
		session_id: writer.sessionId,
		transcript_path: transcript,
		cwd: dir,
		hook_event_name: 'PreCompact',
		trigger,
		custom_instructions: null,
	});

	before(async () => {
		dir = join(workspaceDir(), 'hooks');
		settings = join(dir, 'settings.json');
		transcript = join(dir, `${writer.sessionId}.jsonl`);
		mkdirSync(dir, { recursive: true });
		writeFileSync(settings, original);
		writeFileSync(transcript, writer.session(30));
	});
	afterEach(async () => {
		await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('installs from the palette command, keeping the other hook, and starts listening', async () => {
		const api = await contextLensApi();
		const outcome = (await vscode.commands.executeCommand('contextLens.manageHooks', {
			action: 'install',
			agent: 'claude-code',
			settings,
		})) as { changed: boolean } | undefined;
		assert.equal(outcome?.changed, true);
		const written = JSON.parse(readFileSync(settings, 'utf8')) as {
			model: string;
			hooks: { PreCompact: { hooks: { command: string }[] }[] };
		};
		assert.equal(written.model, 'opus');
		assert.equal(written.hooks.PreCompact[0]?.hooks[0]?.command, 'true');
		gate = written.hooks.PreCompact[1]?.hooks[0]?.command ?? '';
		assert.match(gate, /context-lens-hook\.cjs" gate --agent claude-code$/);
		const launcher = /"([^"]*context-lens-hook\.cjs)"/.exec(gate)?.[1] ?? '';
		assert.match(
			readFileSync(launcher, 'utf8'),
			/^const cli = ".*[\\/]dist[\\/]hook\.js";$/m,
			'it runs the small hook bundle',
		);
		await waitFor('the gate channel', () => api.gateSocket());
	});

	it('Review in Context Lens: the real hook process prints the block and the review flow opens', async () => {
		const api = await contextLensApi();
		const running = runHook(gate, event('auto'));
		const [prompt] = await waitFor(
			'the question',
			() => (api.gatePrompts().length > 0 ? api.gatePrompts() : undefined),
			30_000,
		);
		assert.ok(prompt);
		assert.match(
			prompt.message,
			new RegExp(
				`^Claude Code is about to compact session ${writer.sessionId.slice(0, 8)} \\(hooks\\) at \\d+%\\.$`,
			),
		);
		assert.equal(api.answerGate(prompt.id, 'review'), true);
		const run = await running;
		assert.equal(run.code, 0, run.stderr);
		const reply = JSON.parse(run.stdout) as { decision: string; reason: string };
		assert.equal(reply.decision, 'block');
		assert.match(reply.reason, /held for a review in VS Code/);
		assert.deepEqual(api.gateDecisions().at(-1), {
			sessionId: writer.sessionId,
			decision: 'review',
			by: 'person',
		});
		// The compress flow asks for the focus, then the strategy (default first): accepting both plans the review.
		const before = api.pendingReviewIds().length;
		await new Promise((resolve) => setTimeout(resolve, 500));
		await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
		await new Promise((resolve) => setTimeout(resolve, 500));
		await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
		await waitFor(
			'the review of the held session',
			() => (api.pendingReviewIds().length > before ? true : undefined),
			30_000,
		);
		for (const id of api.pendingReviewIds())
			await vscode.commands.executeCommand('contextLens.discardCompaction', id);
	});

	it('Let it compact: the hook exits 0 and prints nothing', async () => {
		const api = await contextLensApi();
		const running = runHook(gate, event('auto'));
		const [prompt] = await waitFor(
			'the question',
			() => (api.gatePrompts().length > 0 ? api.gatePrompts() : undefined),
			30_000,
		);
		assert.ok(prompt);
		api.answerGate(prompt.id, 'compact');
		const run = await running;
		assert.deepEqual([run.code, run.stdout], [0, '']);
		assert.match(run.stderr, /you chose to let it compact; the compaction runs/);
	});

	it('a manual /compact is not held and asks nothing', async () => {
		const api = await contextLensApi();
		const run = await runHook(gate, event('manual'));
		assert.deepEqual([run.code, run.stdout], [0, '']);
		assert.equal(api.gatePrompts().length, 0);
		assert.equal(api.gateDecisions().at(-1)?.by, 'manual');
	});

	it('with no answer in the set time, the compaction runs and the hook says so', async () => {
		const api = await contextLensApi();
		const config = vscode.workspace.getConfiguration('contextLens.hooks');
		await config.update('answerTimeoutSeconds', 5, vscode.ConfigurationTarget.Global);
		try {
			const started = Date.now();
			const run = await runHook(gate, event('auto'));
			assert.deepEqual([run.code, run.stdout], [0, '']);
			assert.ok(Date.now() - started >= 5_000);
			assert.match(run.stderr, /nobody answered in VS Code in time; the compaction runs/);
			assert.equal(api.gateDecisions().at(-1)?.by, 'timeout');
		} finally {
			await config.update('answerTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
		}
	});

	it('uninstalls from the palette command, giving back the settings as they were', async () => {
		await vscode.commands.executeCommand('contextLens.manageHooks', {
			action: 'uninstall',
			agent: 'claude-code',
			settings,
		});
		assert.deepEqual(JSON.parse(readFileSync(settings, 'utf8')), JSON.parse(original));
	});
});
