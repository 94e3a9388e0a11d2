import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSessionRoots, expandHome, scanSessions } from '../../src/extension/sessions/sessionLocations';

function write(path: string, text: string, mtimeSec: number): void {
	mkdirSync(join(path, '..'), { recursive: true });
	writeFileSync(path, text);
	utimesSync(path, mtimeSec, mtimeSec);
}

describe('session locations', () => {
	let root: string;
	beforeEach(() => {
		root = mkdtempSync(join(tmpdir(), 'context-lens-sessions-'));
	});
	afterEach(() => {
		rmSync(root, { recursive: true, force: true });
	});

	it('knows each tool’s default location and honours CODEX_HOME', () => {
		const roots = defaultSessionRoots('/home/ann', undefined, '/data/User/workspaceStorage');
		assert.deepEqual(roots, {
			claudeCode: '/home/ann/.claude/projects',
			codex: '/home/ann/.codex/sessions',
			copilotChat: '/data/User/workspaceStorage',
			gemini: '/home/ann/.gemini/tmp',
		});
		assert.equal(defaultSessionRoots('/home/ann', '/opt/codex', '').codex, '/opt/codex/sessions');
		assert.equal(expandHome('~/x', '/home/ann'), '/home/ann/x');
		assert.equal(expandHome('/abs/~', '/home/ann'), '/abs/~');
	});

	it('lists Claude Code sessions per project folder, newest first, skipping empty files', async () => {
		write(join(root, '-home-ann-acme-billing', 'a.jsonl'), '{}\n', 1000);
		write(join(root, '-home-ann-acme-billing', 'b.jsonl'), '{}\n', 3000);
		write(join(root, '-home-ann-other', 'c.jsonl'), '{}\n', 2000);
		write(join(root, '-home-ann-other', 'empty.jsonl'), '', 4000);
		write(join(root, '-home-ann-other', 'notes.txt'), 'x', 5000);
		const sessions = await scanSessions('claudeCode', root);
		assert.deepEqual(
			sessions.map((s) => [s.project, s.path.slice(root.length)]),
			[
				['home-ann-acme-billing', '/-home-ann-acme-billing/b.jsonl'],
				['home-ann-other', '/-home-ann-other/c.jsonl'],
				['home-ann-acme-billing', '/-home-ann-acme-billing/a.jsonl'],
			],
		);
		assert.equal((await scanSessions('claudeCode', root, 1)).length, 1);
	});

	it('reads the Codex project from session_meta and walks the date folders', async () => {
		const meta = JSON.stringify({
			type: 'session_meta',
			payload: { id: 'x', cwd: '/home/ann/acme-billing' },
		});
		write(join(root, '2026', '05', '11', 'rollout-2026-05-11T11-26-55-abc.jsonl'), `${meta}\n`, 1000);
		write(join(root, '2026', '05', '11', 'other.jsonl'), `${meta}\n`, 1000);
		const sessions = await scanSessions('codex', root);
		assert.equal(sessions.length, 1);
		assert.equal(sessions[0]?.project, 'acme-billing');
	});

	it('names Copilot chat sessions after the workspace folder in workspace.json', async () => {
		write(
			join(root, 'f00d', 'workspace.json'),
			JSON.stringify({ folder: 'file:///home/ann/my%20app' }),
			1000,
		);
		write(join(root, 'f00d', 'chatSessions', 's1.json'), '{"version":3}', 1000);
		write(join(root, 'beef', 'chatSessions', 's2.json'), '{"version":3}', 2000);
		const sessions = await scanSessions('copilotChat', root);
		assert.deepEqual(
			sessions.map((s) => s.project),
			['beef', 'my app'],
		);
	});

	it('lists Gemini CLI chats under each project hash', async () => {
		write(join(root, '0123456789abcdef', 'chats', 'session-1.json'), '{}', 1000);
		write(join(root, '0123456789abcdef', 'logs.json'), '[]', 1000);
		const sessions = await scanSessions('gemini', root);
		assert.equal(sessions.length, 1);
		assert.equal(sessions[0]?.project, '0123456789ab');
	});

	it('yields nothing for a missing root', async () => {
		assert.deepEqual(await scanSessions('claudeCode', join(root, 'nope')), []);
	});
});
