import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHooks } from '../../src/cli/hooksCommand';
import { runCli } from '../../src/cli/main';
import { launcherPath, launcherTarget, writeLauncher } from '../../src/core/hooks/hookPaths';
import { captureIo } from '../support/captureIo';

describe('context-lens hooks', () => {
	let root: string;
	let home: string;
	let environment: { home: string; env: Record<string, string | undefined> };
	const deps = (): Parameters<typeof runHooks>[2] => ({
		environment,
		cliPath: '/opt/context-lens/dist/cli.js',
		nodePath: '/usr/bin/node',
	});
	beforeEach(() => {
		root = mkdtempSync(join(tmpdir(), 'clh-cli-'));
		home = join(root, 'home');
		mkdirSync(home);
		environment = { home, env: {} };
	});
	afterEach(() => rmSync(root, { recursive: true, force: true }));

	it("installs into the person's Claude Code settings, keeping what is there, and reports it", async () => {
		const settings = join(home, '.claude', 'settings.json');
		mkdirSync(join(home, '.claude'));
		writeFileSync(settings, '{\n  "model": "opus"\n}\n');
		const io = captureIo();
		assert.equal(await runHooks(['install', 'claude-code'], io, deps()), 0);
		assert.deepEqual(io.stdout, [
			`Installed the Context Lens compaction hooks for Claude Code in ${settings} (the previous file is kept as ${settings}.context-lens-backup).`,
			`The hooks run /opt/context-lens/dist/cli.js through ${join(home, '.context-lens', 'context-lens-hook.cjs')}.`,
		]);
		const written = JSON.parse(readFileSync(settings, 'utf8')) as {
			model: string;
			hooks: Record<string, unknown[]>;
		};
		assert.equal(written.model, 'opus');
		assert.deepEqual(Object.keys(written.hooks), ['PreCompact', 'PostCompact']);
		assert.equal(await launcherTarget(join(home, '.context-lens')), '/opt/context-lens/dist/cli.js');

		const again = captureIo();
		assert.equal(await runHooks(['install', 'claude-code'], again, deps()), 0);
		assert.deepEqual(again.stdout, [
			`The Context Lens compaction hooks for Claude Code are already in ${settings}; nothing was changed.`,
		]);

		const status = captureIo();
		await runHooks(['status'], status, deps());
		assert.deepEqual(status.stdout, [
			`Claude Code: hooks on PreCompact and PostCompact in ${settings}.`,
			`Codex: no Context Lens hooks in ${join(home, '.codex', 'hooks.json')}.`,
			`The launcher ${join(home, '.context-lens', 'context-lens-hook.cjs')} runs /opt/context-lens/dist/cli.js.`,
		]);

		const removed = captureIo();
		assert.equal(await runHooks(['uninstall', 'claude-code'], removed, deps()), 0);
		assert.equal(readFileSync(settings, 'utf8'), '{\n  "model": "opus"\n}\n');
	});

	it("follows $CODEX_HOME and $CLAUDE_CONFIG_DIR, and a project's files with --project", async () => {
		environment.env['CODEX_HOME'] = join(root, 'codex-home');
		const io = captureIo();
		await runHooks(['install', 'codex'], io, deps());
		assert.match(io.stdout[0] ?? '', new RegExp(`in ${join(root, 'codex-home', 'hooks.json')}\\.$`));
		assert.match(io.stdout.at(-1) ?? '', /trust them/);
		const project = join(root, 'project');
		await runHooks(['install', 'claude-code', '--project', project], captureIo(), deps());
		assert.match(readFileSync(join(project, '.claude', 'settings.json'), 'utf8'), /gate --agent claude-code/);
		environment.env['CLAUDE_CONFIG_DIR'] = join(root, 'claude-config');
		await runHooks(['install', 'claude-code'], captureIo(), deps());
		assert.match(
			readFileSync(join(root, 'claude-config', 'settings.json'), 'utf8'),
			/record --agent claude-code/,
		);
	});

	it('reports a settings file it cannot parse with exit 3 and leaves it as it was', async () => {
		const settings = join(root, 'settings.json');
		writeFileSync(settings, '{"hooks": {');
		const io = captureIo();
		assert.equal(await runHooks(['install', 'codex', '--settings', settings], io, deps()), 3);
		assert.match(io.stderrLines[0] ?? '', new RegExp(`^context-lens: ${settings}:1:12: not valid JSON`));
		assert.equal(readFileSync(settings, 'utf8'), '{"hooks": {');
	});

	it('rejects a wrong call with the usage text (exit 2)', async () => {
		for (const args of [
			['hooks', 'install'],
			['hooks', 'install', 'cursor'],
			['hooks', 'frobnicate'],
			['hooks', 'install', 'codex', '--settings', 'a', '--project', 'b'],
		]) {
			const io = captureIo();
			assert.equal(await runCli(args, io), 2, args.join(' '));
		}
	});

	it('as the hook, never fails the agent: an unknown agent or a broken event lets the compaction run', async () => {
		const io = captureIo();
		assert.equal(await runHooks(['gate', '--agent', 'cursor'], io, deps()), 0);
		assert.deepEqual(io.stdout, []);
		const broken = captureIo();
		assert.equal(
			await runHooks(['gate', '--agent', 'codex'], broken, { ...deps(), readStdin: async () => 'nonsense' }),
			0,
		);
		assert.match(broken.stderrLines[0] ?? '', /the compaction runs as usual/);
	});
});

describe('the hook launcher (a real Node process)', () => {
	let root: string;
	beforeEach(() => {
		root = mkdtempSync(join(tmpdir(), 'clh-launch-'));
	});
	afterEach(() => rmSync(root, { recursive: true, force: true }));

	function launch(args: string[], input: string): ReturnType<typeof spawnSync> {
		return spawnSync(process.execPath, [launcherPath(root), ...args], { input, encoding: 'utf8' });
	}

	it('runs the CLI it points at with "hooks" and the arguments, passing stdin and stdout through', async () => {
		const cli = join(root, 'cli.js');
		writeFileSync(
			cli,
			"let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{process.stdout.write(JSON.stringify({args:process.argv.slice(2),stdin:s}))})",
		);
		assert.equal(await writeLauncher(root, cli), true);
		assert.equal(await writeLauncher(root, cli), false, 'unchanged launcher is not rewritten');
		const run = launch(['gate', '--agent', 'codex'], '{"x":1}');
		assert.equal(run.status, 0);
		assert.deepEqual(JSON.parse(String(run.stdout)), {
			args: ['hooks', 'gate', '--agent', 'codex'],
			stdin: '{"x":1}',
		});
	});

	it('never exits 2 (which Claude Code reads as a block): a failing CLI exits 1', async () => {
		const cli = join(root, 'cli.js');
		writeFileSync(cli, 'process.exit(2)');
		await writeLauncher(root, cli);
		assert.equal(launch(['gate'], '').status, 1);
	});

	it('lets the compaction run, saying why, when the CLI it points at is gone', async () => {
		await writeLauncher(root, join(root, 'removed', 'cli.js'));
		const run = launch(['gate', '--agent', 'claude-code'], '{}');
		assert.equal(run.status, 0);
		assert.equal(run.stdout, '');
		assert.match(String(run.stderr), /removed\/cli\.js is gone, so the compaction runs as usual/);
	});
});
