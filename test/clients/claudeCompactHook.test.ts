// The compaction gate with the real Claude Code CLI, offline: the version test/clients/versions.env pins, installed by
// test/clients/setup.sh into the version-keyed cache, runs in a loopback-only network namespace against the fake
// Anthropic endpoint of ../shared/tools/real-clients (which answers every request with a summary block). The hooks are
// installed with `context-lens hooks install` into the scratch HOME's settings; the window end of the gate is a
// GateServer in this process, reached over its Unix socket (a path, so it crosses the network namespace).
// An automatic compaction is forced by resuming a 131k-token corpus session with CLAUDE_CODE_AUTO_COMPACT_WINDOW=100000;
// a manual one by `-p /compact`.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { runHooks } from '../../src/cli/hooksCommand';
import { readCompactionLog, type CompactionRecord } from '../../src/core/hooks/compactionLog';
import { GateServer, type GateAnswer, type GateRequest } from '../../src/core/hooks/gateChannel';
import { captureIo } from '../support/captureIo';
import { corpusRoot, hasCorpus } from '../support/corpus';

const repoRoot = resolve(__dirname, '..', '..');
const tools = resolve(repoRoot, '..', 'shared', 'tools', 'real-clients');
const version = /^CLAUDE_CODE_VERSION=(\S+)$/m.exec(
	readFileSync(join(__dirname, 'versions.env'), 'utf8'),
)?.[1];
const cacheRoot =
	process.env['CONTEXT_LENS_CLIENTS_CACHE'] ?? join(homedir(), '.cache', 'context-lens-clients');
const claudeBin = join(cacheRoot, `claude-code-${version ?? 'unpinned'}`, 'node_modules', '.bin', 'claude');
const session = join(corpusRoot, 'claude-code', 'codemie-session-3fe1b6bc.jsonl');
const summary = '<summary>The session set up the project; next: run the tests.</summary>';

/** Why the suite cannot run here, or undefined; in CI a missing piece is a failure (once a version is pinned). */
function missing(): string | undefined {
	if (version === undefined) return 'test/clients/versions.env pins no Claude Code version yet';
	const why = !existsSync(claudeBin)
		? `Claude Code ${version} is not installed (run: bash test/clients/setup.sh)`
		: !existsSync(join(tools, 'fake-anthropic.js'))
			? `${tools} is absent`
			: process.getuid?.() !== 0
				? 'the loopback-only network namespace needs root'
				: undefined;
	if (why !== undefined && process.env['CI'] === 'true') throw new Error(`real-client suite: ${why}`);
	return why;
}

interface Run {
	readonly dir: string;
	readonly home: string;
	readonly clHome: string;
	readonly wd: string;
	readonly sessionId: string;
	readonly transcript: string;
}

/** Runs Claude Code in the namespace with the fake endpoint; resolves once it exits (the gate answers meanwhile). */
function runClaude(
	run: Run,
	env: string[],
	args: string[],
): Promise<{ code: number | null; stderr: string }> {
	const script = `
		ip link set lo up
		node "$TOOLS/fake-anthropic.js" "$DIR/requests.jsonl" "$DIR/port" "$REPLY" & SRV=$!
		for i in $(seq 50); do [ -s "$DIR/port" ] && break; sleep 0.1; done
		cd "$WD"
		env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HOME_DIR" TERM=dumb CONTEXT_LENS_HOME="$CL_HOME" \\
			ANTHROPIC_BASE_URL=http://127.0.0.1:$(cat "$DIR/port") ANTHROPIC_API_KEY=sk-ant-fake \\
			DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1 \\
			CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 ${env.join(' ')} \\
			timeout 120 "$CLAUDE" "$@" </dev/null; code=$?
		kill $SRV; exit $code`;
	return new Promise((resolveRun) => {
		const child = spawn('unshare', ['-n', 'bash', '-c', script, 'claude-run', ...args], {
			env: {
				...process.env,
				TOOLS: tools,
				DIR: run.dir,
				REPLY: summary,
				WD: run.wd,
				HOME_DIR: run.home,
				CL_HOME: run.clHome,
				CLAUDE: claudeBin,
			},
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		let stderr = '';
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.on('close', (code) => resolveRun({ code, stderr }));
	});
}

function compactBoundaries(transcript: string): number {
	return readFileSync(transcript, 'utf8')
		.split('\n')
		.filter((l) => l.includes('"subtype":"compact_boundary"')).length;
}

function modelRequests(dir: string): number {
	return readFileSync(join(dir, 'requests.jsonl'), 'utf8')
		.split('\n')
		.filter((l) => l.includes('"url":"/v1/messages')).length;
}

describe('the compaction gate with the real Claude Code CLI', function () {
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
		root = mkdtempSync(join(tmpdir(), 'clh-claude-'));
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
		if (root !== undefined && process.env['KEEP'] === undefined)
			rmSync(root, { recursive: true, force: true });
	});
	afterEach(async () => {
		await server?.close();
		server = undefined;
	});

	/** A scratch HOME with the corpus session installed where Claude Code looks, and our hooks in its settings. */
	async function prepare(name: string): Promise<Run> {
		const dir = join(root, name);
		const home = join(dir, 'home');
		const wd = join(dir, 'wd');
		const clHome = join(dir, 'cl');
		mkdirSync(wd, { recursive: true });
		const { spawnSync } = await import('node:child_process');
		const installed = spawnSync(process.execPath, [join(tools, 'cc-install-session.js'), session, home, wd], {
			encoding: 'utf8',
		});
		assert.equal(installed.status, 0, installed.stderr);
		const sessionId = installed.stdout.trim();
		const io = captureIo();
		const code = await runHooks(['install', 'claude-code'], io, {
			environment: { home, env: { CONTEXT_LENS_HOME: clHome } },
			cliPath: cli,
			nodePath: process.execPath,
		});
		assert.equal(code, 0, io.stderrLines.join('\n'));
		const projects = join(home, '.claude', 'projects');
		const transcript = join(projects, readdirSync(projects)[0] ?? '', `${sessionId}.jsonl`);
		return { dir, home, clHome, wd, sessionId, transcript };
	}

	async function window(run: Run, answer: GateAnswer): Promise<GateRequest[]> {
		const seen: GateRequest[] = [];
		server = await GateServer.start(
			run.clHome,
			[run.wd],
			{
				precompact: async (r) => {
					seen.push(r);
					return answer;
				},
				measure: async () => undefined,
			},
			(m) => assert.fail(m),
		);
		return seen;
	}

	async function records(run: Run): Promise<readonly CompactionRecord[]> {
		return (await readCompactionLog(run.clHome, 'claude-code', run.sessionId))?.compactions ?? [];
	}

	/** The records once the detached `hooks settle` has measured the compacted session (it waits for Claude's write). */
	async function settled(run: Run): Promise<readonly CompactionRecord[]> {
		const deadline = Date.now() + 30_000;
		for (;;) {
			const found = await records(run);
			if (found[0]?.after !== undefined || Date.now() > deadline) return found;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	it('holds an automatic compaction when the window answers Review: no summary request, no boundary', async () => {
		const run = await prepare('review');
		const seen = await window(run, { decision: 'review', by: 'person' });
		const result = await runClaude(
			run,
			['CLAUDE_CODE_AUTO_COMPACT_WINDOW=100000'],
			['-p', '--resume', run.sessionId, 'continue'],
		);
		assert.equal(result.code, 0, result.stderr);
		assert.deepEqual(
			seen.map((r) => [r.sessionId, r.trigger, r.transcriptPath]),
			[[run.sessionId, 'auto', run.transcript]],
		);
		assert.equal(compactBoundaries(run.transcript), 0, 'Claude Code did not compact');
		assert.equal(modelRequests(run.dir), 1, 'only the turn itself went out, uncompacted');
		const [record] = await records(run);
		assert.equal(record?.decision, 'review');
		assert.equal(record?.after, undefined);
	});

	it('lets it compact when the window says so, and records our measure before and after', async () => {
		const run = await prepare('compact');
		const figures = { tokens: 150_000, contextWindow: 200_000, percent: 75 };
		const seen = await window(run, { decision: 'compact', by: 'person', figures });
		const result = await runClaude(
			run,
			['CLAUDE_CODE_AUTO_COMPACT_WINDOW=100000'],
			['-p', '--resume', run.sessionId, 'continue'],
		);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(seen.length, 1);
		assert.equal(compactBoundaries(run.transcript), 1, 'Claude Code compacted');
		assert.equal(modelRequests(run.dir), 2, 'the summary request, then the turn');
		const [record] = await settled(run);
		assert.equal(record?.decision, 'compact');
		assert.deepEqual(record?.before, figures);
		assert.equal(record?.summaryChars, summary.length);
		assert.ok(
			record?.after !== undefined && record.after.tokens < 20_000,
			`after: ${JSON.stringify(record?.after)}`,
		);
	});

	it('with no window running, a manual /compact runs as usual and is recorded', async () => {
		const run = await prepare('manual');
		const result = await runClaude(run, [], ['-p', '--resume', run.sessionId, '/compact']);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(compactBoundaries(run.transcript), 1);
		const [record] = await settled(run);
		assert.equal(record?.trigger, 'manual');
		assert.equal(record?.by, 'no-window');
		assert.ok((record?.before?.tokens ?? 0) > 100_000, `before: ${JSON.stringify(record?.before)}`);
		assert.ok((record?.after?.tokens ?? Infinity) < 20_000, `after: ${JSON.stringify(record?.after)}`);
	});
});
