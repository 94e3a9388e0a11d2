// The compaction gate with the real Codex CLI, offline: the version test/clients/versions.env pins, run by
// ../shared/tools/real-clients/run-codex.sh in a loopback-only network namespace against the fake OpenAI endpoint.
// `context-lens hooks install codex` writes $CODEX_HOME/hooks.json; Codex runs a new hook only once it is trusted, so
// the run passes --dangerously-bypass-hook-trust (a person trusts it in Codex's /hooks view instead). An automatic
// compaction is forced by resuming the corpus rollout with model_auto_compact_token_limit=1000. The fake endpoint
// cannot answer Codex's remote compaction (it returns no compaction item), so a compaction that runs fails after
// its request went out: the test checks the request, not a written summary.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { runHooks } from '../../src/cli/hooksCommand';
import { readCompactionLog } from '../../src/core/hooks/compactionLog';
import { GateServer, type GateAnswer, type GateRequest } from '../../src/core/hooks/gateChannel';
import { captureIo } from '../support/captureIo';
import { corpusRoot, hasCorpus } from '../support/corpus';

const repoRoot = resolve(__dirname, '..', '..');
const tools = resolve(repoRoot, '..', 'shared', 'tools', 'real-clients');
const version =
	/^CODEX_VERSION=(\S+)$/m.exec(readFileSync(join(__dirname, 'versions.env'), 'utf8'))?.[1] ?? '';
const cacheRoot =
	process.env['CONTEXT_LENS_CLIENTS_CACHE'] ?? join(homedir(), '.cache', 'context-lens-clients');
const codexBin = join(cacheRoot, `codex-${version}`, 'node_modules', '.bin', 'codex');
const rollout = join(corpusRoot, 'codex', 'codemie-rollout-2026-05-11T11-26-55-019e1625.jsonl');

function missing(): string | undefined {
	const why = !existsSync(codexBin)
		? `codex ${version} is not installed (run: bash test/clients/setup.sh)`
		: !existsSync(join(tools, 'run-codex.sh'))
			? `${tools} is absent`
			: process.getuid?.() !== 0
				? 'the loopback-only network namespace needs root'
				: undefined;
	if (why !== undefined && process.env['CI'] === 'true') throw new Error(`real-client suite: ${why}`);
	return why;
}

interface Recorded {
	readonly method: string;
	readonly url: string;
}

describe('the compaction gate with the real Codex CLI', function () {
	this.timeout(300_000);
	let root: string;
	let cli: string;
	let server: GateServer | undefined;

	before(async function () {
		const why = missing();
		if (why !== undefined || !hasCorpus()) {
			console.log(`    (skipped: ${why ?? 'the corpus is absent'})`);
			this.skip();
		}
		root = mkdtempSync(join(tmpdir(), 'clh-codex-'));
		cli = join(root, 'cli.js');
		await build({
			entryPoints: [join(repoRoot, 'src', 'cli', 'main.ts')],
			bundle: true,
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			mainFields: ['module', 'main'],
			outfile: cli,
			logLevel: 'warning',
		});
	});
	after(() => {
		if (root !== undefined) rmSync(root, { recursive: true, force: true });
	});
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	async function run(
		name: string,
		answer: GateAnswer,
	): Promise<{ seen: GateRequest[]; requests: Recorded[]; out: string; clHome: string; id: string }> {
		const dir = join(root, name);
		const codexHome = join(dir, 'codex-home');
		const clHome = join(dir, 'cl');
		const wd = join(dir, 'wd');
		const installed = spawnSync(
			process.execPath,
			[join(tools, 'codex-install-rollout.js'), rollout, codexHome, wd],
			{ encoding: 'utf8' },
		);
		assert.equal(installed.status, 0, installed.stderr);
		const id = installed.stdout.trim();
		const io = captureIo();
		assert.equal(
			await runHooks(['install', 'codex'], io, {
				environment: { home: join(dir, 'home'), env: { CODEX_HOME: codexHome, CONTEXT_LENS_HOME: clHome } },
				cliPath: cli,
				nodePath: process.execPath,
			}),
			0,
			io.stderrLines.join('\n'),
		);
		const seen: GateRequest[] = [];
		server = await GateServer.start(
			clHome,
			[wd],
			{
				precompact: async (r) => {
					seen.push(r);
					return answer;
				},
				measure: async () => undefined,
			},
			(m) => assert.fail(m),
		);
		const args = [
			'exec',
			'--skip-git-repo-check',
			'--dangerously-bypass-hook-trust',
			'-c',
			'model_auto_compact_token_limit=1000',
			'resume',
			id,
			'continue',
		];
		await new Promise<void>((resolveRun) => {
			const child = spawn('bash', [join(tools, 'run-codex.sh'), dir, wd, ...args], {
				env: {
					...process.env,
					CODEX_BIN: codexBin,
					PROVIDER: 'openai',
					EXTRA_ENV: `CONTEXT_LENS_HOME=${clHome}`,
				},
				stdio: 'ignore',
			});
			child.on('close', () => resolveRun());
		});
		const requests = readFileSync(join(dir, 'requests.jsonl'), 'utf8')
			.split('\n')
			.filter((l) => l.trim() !== '')
			.map((l) => JSON.parse(l) as Recorded);
		return { seen, requests, out: readFileSync(join(dir, 'stderr.txt'), 'utf8'), clHome, id };
	}

	const posts = (requests: readonly Recorded[]): number =>
		requests.filter((r) => r.method === 'POST' && r.url.includes('/responses')).length;

	it('Review stops the automatic compaction (and, as Codex does, the turn): no compaction request goes out', async () => {
		const { seen, requests, out, clHome, id } = await run('review', { decision: 'review', by: 'person' });
		assert.equal(seen.length, 1);
		assert.equal(seen[0]?.trigger, 'auto');
		assert.match(seen[0]?.transcriptPath ?? '', /rollout-.*\.jsonl$/);
		assert.equal(posts(requests), 0, 'nothing was sent to the model');
		assert.match(out, /hook: PreCompact Stopped/);
		assert.match(out, /turn interrupted/);
		const log = await readCompactionLog(clHome, 'codex', id);
		assert.equal(log?.compactions[0]?.decision, 'review');
	});

	it('Let it compact: Codex goes on to send its compaction request', async () => {
		const { seen, requests, clHome, id } = await run('compact', { decision: 'compact', by: 'person' });
		assert.equal(seen.length, 1);
		assert.ok(posts(requests) >= 1, 'the compaction request went out');
		const log = await readCompactionLog(clHome, 'codex', id);
		assert.equal(log?.compactions[0]?.decision, 'compact');
	});
});
