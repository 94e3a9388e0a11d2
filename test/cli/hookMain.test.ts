import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { readCompactionLog } from '../../src/core/hooks/compactionLog';
import { GateServer } from '../../src/core/hooks/gateChannel';

const repoRoot = resolve(__dirname, '..', '..');
const fixture = join(repoRoot, 'test', 'fixtures', 'sample-claude-session.jsonl');

function run(
	hook: string,
	args: string[],
	input: string,
	env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolveRun) => {
		const child = spawn(process.execPath, [hook, ...args], { env: { ...process.env, ...env } });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.on('close', (code) => resolveRun({ code, stdout, stderr }));
		child.stdin.end(input);
	});
}

describe('the hook bundle the extension ships (dist/hook.js, a real Node process)', function () {
	if (process.platform === 'win32') return;
	this.timeout(60_000);
	let root: string;
	let hook: string;
	let server: GateServer | undefined;
	before(async () => {
		root = mkdtempSync(join(tmpdir(), 'clh-bundle-'));
		hook = join(root, 'hook.js');
		await build({
			entryPoints: [join(repoRoot, 'src', 'cli', 'hookMain.ts')],
			bundle: true,
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			mainFields: ['module', 'main'],
			minify: true,
			outfile: hook,
			logLevel: 'warning',
		});
	});
	after(async () => {
		await server?.close();
		rmSync(root, { recursive: true, force: true });
	});

	it('is small: it carries no tokenizer (the package must stay small)', () => {
		assert.ok(statSync(hook).size < 64 * 1024, `${statSync(hook).size} bytes`);
	});

	it("holds the compaction on Review, then records the window's measure before and, once the agent wrote, after", async () => {
		const home = join(root, 'cl');
		const transcript = join(root, 'session.jsonl');
		copyFileSync(fixture, transcript);
		const measured: string[] = [];
		server = await GateServer.start(
			home,
			[root],
			{
				precompact: async () => ({
					decision: 'review',
					by: 'person',
					figures: { tokens: 900, contextWindow: 1000, percent: 90 },
				}),
				measure: async (path) => {
					measured.push(path);
					return { tokens: 40, contextWindow: 1000, percent: 4 };
				},
			},
			(m) => assert.fail(m),
		);
		const event = (name: string): string =>
			JSON.stringify({
				session_id: 'b-1',
				transcript_path: transcript,
				cwd: root,
				hook_event_name: name,
				trigger: 'auto',
			});
		const env = { CONTEXT_LENS_HOME: home };
		const gate = await run(hook, ['hooks', 'gate', '--agent', 'claude-code'], event('PreCompact'), env);
		assert.equal(gate.code, 0, gate.stderr);
		assert.equal((JSON.parse(gate.stdout) as { decision: string }).decision, 'block');

		// A later compaction that ran: the after-hook starts the detached settle, which waits for the agent's write.
		const record = await run(hook, ['hooks', 'record', '--agent', 'claude-code'], event('PostCompact'), env);
		assert.deepEqual([record.code, record.stdout], [0, '']);
		copyFileSync(fixture, transcript);
		const { appendFileSync } = await import('node:fs');
		appendFileSync(transcript, '\n');
		const deadline = Date.now() + 20_000;
		let after;
		while (after === undefined && Date.now() < deadline) {
			await new Promise((r) => setTimeout(r, 200));
			after = (await readCompactionLog(home, 'claude-code', 'b-1'))?.compactions.find(
				(c) => c.after !== undefined,
			)?.after;
		}
		assert.equal(after?.tokens, 40);
		assert.deepEqual(measured, [transcript]);
	});

	it('never blocks on a wrong call from an agent', async () => {
		const wrong = await run(hook, ['hooks', 'gate'], '{}', { CONTEXT_LENS_HOME: join(root, 'none') });
		assert.deepEqual([wrong.code, wrong.stdout], [0, '']);
		assert.match(wrong.stderr, /the compaction runs as usual/);
	});
});
