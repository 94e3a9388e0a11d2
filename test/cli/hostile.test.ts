import { strict as assert } from 'node:assert';
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	appendFileSync,
	chmodSync,
	closeSync,
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	readdirSync,
	rmSync,
	statSync,
	truncateSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runCli } from '../../src/cli/main';
import { nodeOutputFs, type OutputFs } from '../../src/cli/writeOutputs';
import { captureIo } from '../support/captureIo';
import { corpusRoot, hasCorpus } from '../support/corpus';
import { hang, startProtocolServer } from '../core/summarize/protocolServer';

const root = join(__dirname, '..', '..');
const sample = join(root, 'test', 'fixtures', 'sample-claude-session.jsonl');

/** What one run of the CLI did, whichever way it was run. */
interface RunResult {
	readonly code: number | null;
	readonly stdout: string;
	readonly stderr: string;
	/** True when the hang detector had to kill the process. */
	readonly hung: boolean;
}

/** One hostile input, fault or bad argument, and what the CLI must do with it. */
interface HostileCase {
	readonly name: string;
	/** Writes the input (and anything else the case needs) into `dir`; returns the input's path. */
	readonly setup: (dir: string) => string;
	readonly args: (input: string, dir: string) => string[];
	readonly code: number;
	/** What stderr (or stdout, for a success) must say: the file, the line where there is one, the cause. */
	readonly says?: (input: string, dir: string) => RegExp;
	/** Files besides the input that the folder may hold afterwards (only on success). */
	readonly outputs?: (names: readonly string[]) => void;
	/** Run in-process with this file system for writes instead of spawning the CLI. */
	readonly fs?: (input: string) => OutputFs;
	/** What the CLI's stdin is: a FIFO whose writer (this test) never writes, or a shell pipe fed these bytes. */
	readonly stdin?: 'silent' | Buffer;
	/** Sends SIGINT this long after start (spawned cases). */
	readonly interruptAfterMs?: number;
	readonly env?: Record<string, string>;
	/** The whole run's bound, past which the case counts as a hang, in milliseconds. */
	readonly boundMs?: number;
	readonly needsCorpus?: boolean;
	readonly check?: (result: RunResult, input: string, dir: string) => void;
}

const defaultBoundMs = 15_000;

let cliPath = '';

/** Spawns the bundled CLI; a run past `boundMs` is killed and reported as hung. */
function spawnCli(
	args: readonly string[],
	options: Pick<HostileCase, 'stdin' | 'interruptAfterMs' | 'env'> & { cwd: string; boundMs: number },
): Promise<RunResult> {
	return new Promise((resolveRun) => {
		// Node gives a child a socket for 'pipe'; a shell gives a pipe, which is what a person's `cat x | …` makes.
		const silent = options.stdin === 'silent' ? silentFifo(options.cwd) : undefined;
		const fed = Buffer.isBuffer(options.stdin) ? join(options.cwd, '.stdin-bytes') : undefined;
		if (fed !== undefined && Buffer.isBuffer(options.stdin)) writeFileSync(fed, options.stdin);
		const command = fed !== undefined ? '/bin/sh' : process.execPath;
		const argv =
			fed !== undefined
				? ['-c', 'cat "$0" | "$@"', fed, process.execPath, cliPath, ...args]
				: [cliPath, ...args];
		const child = spawn(command, argv, {
			cwd: options.cwd,
			env: { ...process.env, ...options.env },
			stdio: [silent ?? 'ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		let hung = false;
		child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
		child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
		const killer = setTimeout(() => {
			hung = true;
			child.kill('SIGKILL');
		}, options.boundMs);
		const interrupt =
			options.interruptAfterMs !== undefined
				? setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs)
				: undefined;
		child.on('close', (code, signal) => {
			clearTimeout(killer);
			if (interrupt !== undefined) clearTimeout(interrupt);
			if (silent !== undefined) closeSync(silent);
			if (fed !== undefined) rmSync(fed);
			resolveRun({ code: code ?? (signal !== null ? -1 : null), stdout, stderr, hung });
		});
	});
}

/** A FIFO opened read-write here, so the child sees a writer that never writes. */
function silentFifo(dir: string): number {
	const fifo = join(dir, '.silent-stdin');
	execFileSync('mkfifo', [fifo]);
	// O_RDWR on a FIFO opens at once on Linux and counts as a writer.
	const fd = openSync(fifo, 'r+');
	rmSync(fifo);
	return fd;
}

async function runInProcess(args: readonly string[], fs: OutputFs): Promise<RunResult> {
	const io = captureIo();
	const code = await runCli(args, io, new AbortController().signal, { fs });
	return { code, stdout: io.stdout.join('\n'), stderr: io.stderrLines.join('\n'), hung: false };
}

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function claudeLines(): Record<string, unknown>[] {
	return readFileSync(sample, 'utf8')
		.split('\n')
		.filter((l) => l.trim() !== '')
		.map((l) => JSON.parse(l) as Record<string, unknown>);
}

function writeLines(path: string, records: readonly unknown[]): void {
	writeFileSync(path, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

function copySample(dir: string, name = 'session.jsonl'): string {
	const file = join(dir, name);
	copyFileSync(sample, file);
	return file;
}

/** A Claude Code session whose biggest tool result carries terminal escape sequences. */
function withEscapes(dir: string): string {
	const records = claudeLines();
	const nasty = '\u001b]0;pwned\u0007\u001b]52;c;ZWNobyBoaQ==\u0007\u001b[2J\u009b31m\u202e';
	let best: { text: string; set: (t: string) => void } | undefined;
	for (const r of records) {
		const content = (r['message'] as { content?: unknown } | undefined)?.content;
		if (!Array.isArray(content)) continue;
		for (const block of content as Record<string, unknown>[]) {
			if (block['type'] === 'tool_result' && typeof block['content'] === 'string') {
				const text = block['content'];
				if (best === undefined || text.length > best.text.length)
					best = { text, set: (t) => (block['content'] = t) };
			} else if (block['type'] === 'text' && typeof block['text'] === 'string') {
				block['text'] = `${nasty}${block['text']}`;
			}
		}
		if (typeof content === 'string') (r['message'] as { content: string }).content = `${nasty}${content}`;
	}
	best?.set(`${nasty}${best.text}`.repeat(3));
	const file = join(dir, 'escapes.jsonl');
	writeLines(file, records);
	return file;
}

/** Claude session whose first line is a user turn with a pasted image far over 64 KB. */
function longFirstLineClaude(dir: string): string {
	const records = claudeLines();
	const index = records.findIndex((r) => r['type'] === 'user');
	const [user] = records.splice(index, 1);
	const message = user?.['message'] as { content: unknown };
	const text = typeof message.content === 'string' ? message.content : 'look at this';
	message.content = [
		{
			type: 'image',
			source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo'.padEnd(300_000, 'A') },
		},
		{ type: 'text', text },
	];
	const file = join(dir, 'pasted-image.jsonl');
	writeLines(file, [user, ...records]);
	return file;
}

/** Codex rollout whose session_meta line carries 200 KB of instructions. */
function longFirstLineCodex(dir: string): string {
	const lines = readFileSync(join(corpusRoot, 'codex', 'codemie-synthetic-turn-2.jsonl'), 'utf8').split('\n');
	const meta = JSON.parse(lines[0] ?? '{}') as { payload: { base_instructions: { text: string } } };
	meta.payload.base_instructions.text = 'Follow the repository conventions. '.repeat(6_000);
	lines[0] = JSON.stringify(meta);
	const file = join(dir, 'rollout-long-instructions.jsonl');
	writeFileSync(file, lines.join('\n'));
	return file;
}

function copilotSession(dir: string, oddResponse: unknown): string {
	const request = (n: number, response: unknown): Record<string, unknown> => ({
		requestId: `request_${n}`,
		message: { text: `question ${n}` },
		response,
		modelId: 'copilot/gpt-4.1',
	});
	const session = {
		version: 3,
		sessionId: 'hostile',
		responderUsername: 'GitHub Copilot',
		initialLocation: 'panel',
		requests: [
			request(1, [{ value: 'answer 1' }]),
			request(2, oddResponse),
			request(3, oddResponse),
			request(4, [{ value: 'answer 4' }]),
		],
	};
	const file = join(dir, 'copilot.json');
	writeFileSync(file, JSON.stringify(session, null, 2));
	return file;
}

/** An fs whose call `on` fails with `code` (after `afterCalls` successful ones), for faults that need root to provoke. */
function failing(on: keyof OutputFs | 'writeFile', code: string, afterCalls = 0): () => OutputFs {
	return () => {
		let calls = 0;
		const fault = (): Error => Object.assign(new Error(`${code}: injected`), { code });
		const shouldFail = (): boolean => calls++ >= afterCalls;
		return {
			...nodeOutputFs,
			open: async (path, flags, mode) => {
				if (on === 'open' && shouldFail()) throw fault();
				const handle = await nodeOutputFs.open(path, flags, mode);
				if (on !== 'writeFile') return handle;
				return {
					writeFile: async (text, encoding) => {
						if (shouldFail()) {
							await handle.writeFile(text.slice(0, 100), encoding);
							throw fault();
						}
						await handle.writeFile(text, encoding);
					},
					sync: () => handle.sync(),
					close: () => handle.close(),
				};
			},
			rename: async (from, to) => {
				if (on === 'rename' && shouldFail()) throw fault();
				await nodeOutputFs.rename(from, to);
			},
			mkdir: async (path) => {
				if (on === 'mkdir' && shouldFail()) throw fault();
				return nodeOutputFs.mkdir(path);
			},
		};
	};
}

/** An fs that lets `change` touch the input while the outputs are being written (an agent appending meanwhile). */
function changingInput(change: (input: string) => void): (input: string) => OutputFs {
	return (input) => ({
		...nodeOutputFs,
		open: async (path, flags, mode) => {
			change(input);
			return nodeOutputFs.open(path, flags, mode);
		},
	});
}

const stackTrace = /\n\s+at .+[(:]\d+/;
const noStack = (text: string): void =>
	assert.doesNotMatch(text, stackTrace, 'a stack trace reached the user');
// eslint-disable-next-line no-control-regex -- the control characters a terminal acts on
const escaped = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const cases: readonly HostileCase[] = [
	// Hangs: pipes, terminals and devices.
	{
		name: 'a FIFO with no writer times out with a message',
		setup: (dir) => {
			const fifo = join(dir, 'session.jsonl');
			execFileSync('mkfifo', [fifo]);
			return fifo;
		},
		args: (input) => ['inspect', input, '--read-timeout', '1'],
		code: 3,
		says: (input) => new RegExp(`${escape(input)}: nothing arrived for 1 s`),
	},
	{
		name: 'a FIFO with no writer stops at the first Ctrl-C',
		setup: (dir) => {
			const fifo = join(dir, 'session.jsonl');
			execFileSync('mkfifo', [fifo]);
			return fifo;
		},
		args: (input) => ['compact', input],
		interruptAfterMs: 4_000, // past the CLI's start even on a loaded machine (the handler is installed at start)
		code: 130,
		says: (input) => new RegExp(`${escape(input)}: the read was cancelled`),
	},
	{
		name: '/dev/stdin fed by a pipe that never writes times out',
		setup: (dir) => copySample(dir),
		args: () => ['inspect', '/dev/stdin', '--read-timeout', '1'],
		stdin: 'silent',
		code: 3,
		says: () => /\/dev\/stdin: nothing arrived for 1 s/,
	},
	{
		name: '/dev/stdin fed by a pipe is read',
		setup: (dir) => copySample(dir),
		args: () => ['inspect', '/dev/stdin', '--json'],
		stdin: readFileSync(sample),
		code: 0,
		says: () => /"format": "claude-code"/,
	},
	{
		name: 'an endless device is refused as binary',
		setup: (dir) => copySample(dir),
		args: () => ['inspect', '/dev/zero'],
		code: 3,
		says: () => /\/dev\/zero:1: this is binary data/,
	},
	{
		name: 'a summariser that never answers fails after the connect timeout, with progress',
		setup: (dir) => copySample(dir),
		args: (input) => ['compact', input, '--summarizer', 'openai', '--model', 'm', '--connect-timeout', '1'],
		code: 4,
		says: () => /did not answer within 1 s \(connect timeout\)/,
		boundMs: 30_000,
	},
	{
		name: 'a summariser that never answers stops at the first Ctrl-C',
		setup: (dir) => copySample(dir),
		args: (input) => ['compact', input, '--summarizer', 'openai', '--model', 'm'],
		interruptAfterMs: 4_000,
		code: 130,
		says: (input) => new RegExp(`${escape(input)}: cancelled; nothing was written`),
	},
	// Internal errors: deep nesting and write failures.
	{
		name: 'a JSON document nested 100,000 levels deep',
		setup: (dir) => {
			const file = join(dir, 'deep.json');
			writeFileSync(file, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
			return file;
		},
		args: (input) => ['inspect', input],
		code: 3,
		says: (input) => new RegExp(`${escape(input)}:1:1001: JSON nested more than 1000 levels deep`),
	},
	{
		name: 'a JSONL record nested 100,000 levels deep is skipped and named',
		setup: (dir) => {
			const records = claudeLines();
			const line = records.findIndex((r) => JSON.stringify(r).includes('"tool_use"'));
			const file = join(dir, 'deep.jsonl');
			const text = records.map((r, i) =>
				i === line
					? JSON.stringify(r).replace(
							'"input":{',
							`"input":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)},`,
						)
					: JSON.stringify(r),
			);
			writeFileSync(file, `${text.join('\n')}\n`);
			return file;
		},
		args: (input, dir) => ['compact', input, '--out', join(dir, 'out.jsonl')],
		code: 0,
		says: (input) => new RegExp(`${escape(input)}:\\d+:\\d+: nested more than 1000 levels deep`),
		outputs: (names) => assert.deepEqual(names, ['out.jsonl']),
	},
	{
		name: '--out naming a directory',
		setup: (dir) => {
			mkdirSync(join(dir, 'out'));
			return copySample(dir);
		},
		args: (input, dir) => ['compact', input, '--out', join(dir, 'out')],
		code: 4,
		says: (_input, dir) =>
			new RegExp(`could not write ${escape(join(dir, 'out'))}: it is a directory.*; nothing was written`),
	},
	{
		name: '--out naming a path under a file',
		setup: (dir) => copySample(dir),
		args: (input) => ['compact', input, '--out', join(input, 'x.jsonl')],
		code: 4,
		says: (input) =>
			new RegExp(`could not write ${escape(join(input, 'x.jsonl'))}: a part of the path is a file`),
	},
	{
		name: '--out naming a pipe (or a device) is never replaced, even with --force',
		setup: (dir) => {
			// A FIFO of the test's own rather than /dev/full: a regression here must not replace a real device node.
			execFileSync('mkfifo', [join(dir, 'out.fifo')]);
			return copySample(dir);
		},
		args: (input, dir) => ['compact', input, '--out', join(dir, 'out.fifo'), '--force'],
		code: 4,
		says: (_input, dir) =>
			new RegExp(`could not write ${escape(join(dir, 'out.fifo'))}: it is not a regular file`),
		check: (_result, _input, dir) => assert.ok(statSync(join(dir, 'out.fifo')).isFIFO()),
	},
	{
		name: 'a full disk while writing the output',
		setup: (dir) => copySample(dir),
		args: (input) => ['compact', input],
		fs: failing('writeFile', 'ENOSPC'),
		code: 4,
		says: (input) =>
			new RegExp(
				`could not write ${escape(input.replace('.jsonl', '.compacted.jsonl'))}: the disk is full.*; nothing was written`,
			),
	},
	{
		name: 'a full disk while writing the spill file',
		setup: (dir) => copySample(dir),
		args: (input) => ['compact', input, '--strategy', 'structure'],
		fs: failing('writeFile', 'ENOSPC'),
		code: 4,
		says: () => /could not write .*context-lens-spill-.*\.md: the disk is full/,
	},
	{
		name: 'the final rename fails after the spill file was placed',
		setup: (dir) => copySample(dir),
		args: (input) => ['compact', input, '--strategy', 'structure'],
		fs: failing('rename', 'EXDEV', 1),
		code: 4,
		says: (input) =>
			new RegExp(
				`could not write ${escape(input.replace('.jsonl', '.compacted.jsonl'))}: .*; nothing was written`,
			),
	},
	{
		name: 'a read-only folder',
		setup: (dir) => copySample(dir),
		args: (input) => ['compact', input],
		fs: failing('open', 'EACCES'),
		code: 4,
		says: () =>
			/could not write .*session\.compacted\.jsonl: permission denied; choose a folder you can write to with --out; nothing was written/,
	},
	{
		name: 'a read-only file system while creating the --out folder',
		setup: (dir) => copySample(dir),
		args: (input, dir) => ['compact', input, '--out', join(dir, 'new', 'deeper', 'out.jsonl')],
		fs: failing('mkdir', 'EROFS'),
		code: 4,
		says: () => /could not write .*out\.jsonl: the file system is read-only/,
	},
	// Stale writes.
	{
		name: 'the input grows while it is compacted',
		setup: (dir) => copySample(dir),
		args: (input) => ['compact', input],
		fs: changingInput((input) =>
			appendFileSync(input, '{"type":"user","message":{"role":"user","content":"late"}}\n'),
		),
		code: 4,
		says: (input) => new RegExp(`${escape(input)} changed while it was being compacted \\(its size changed`),
		check: () => undefined,
	},
	{
		name: 'the input is emptied while it is compacted',
		setup: (dir) => copySample(dir),
		args: (input) => ['compact', input],
		fs: changingInput((input) => truncateSync(input, 0)),
		code: 4,
		says: (input) => new RegExp(`${escape(input)} changed while it was being compacted`),
	},
	// Rejected valid input.
	{
		name: 'a Claude session whose first line is a 300 KB pasted image',
		setup: longFirstLineClaude,
		args: (input) => ['inspect', input, '--json'],
		code: 0,
		says: () => /"format": "claude-code"/,
	},
	{
		name: 'a Codex rollout whose first line carries 200 KB of instructions',
		setup: longFirstLineCodex,
		args: (input) => ['inspect', input, '--json'],
		code: 0,
		says: () => /"format": "codex"/,
		needsCorpus: true,
	},
	// Silent drops.
	{
		name: 'a wrong --format',
		setup: (dir) => copySample(dir),
		args: (input) => ['inspect', input, '--format', 'openai-chat'],
		code: 3,
		says: (input) =>
			new RegExp(
				`${escape(input)}:1: no messages found reading it as OpenAI chat messages: .*Leave out --format`,
			),
	},
	{
		name: 'Copilot responses of an unexpected type are counted and named',
		setup: (dir) => copilotSession(dir, { value: [{ value: 'hidden' }] }),
		args: (input) => ['inspect', input, '--json'],
		code: 0,
		says: () => /request 2: \\"response\\" is an object, not the list of response parts expected/,
		check: (result) => {
			const json = JSON.parse(result.stdout) as { diagnostics: { line: number; message: string }[] };
			assert.equal(json.diagnostics.filter((d) => /"response" is an object/.test(d.message)).length, 2);
			assert.ok(
				json.diagnostics.every((d) => d.line > 1),
				'each names the line of its request',
			);
		},
	},
	{
		name: 'a Gemini session with its messages field renamed',
		setup: (dir) => {
			const file = join(dir, 'session-2025.json');
			writeFileSync(
				file,
				JSON.stringify({
					sessionId: 's',
					projectHash: 'p',
					startTime: '2025-01-01T00:00:00Z',
					history: [{ id: '1', type: 'user', content: 'hi' }],
				}),
			);
			return file;
		},
		args: (input) => ['inspect', input],
		code: 3,
		says: (input) => new RegExp(`${escape(input)}:1: no messages found .*no "messages" list.*history`),
	},
	// Terminal injection.
	{
		name: 'escape sequences in a transcript never reach the terminal',
		setup: withEscapes,
		args: (input) => ['inspect', input],
		code: 0,
		says: () => /\\u001b\]0;pwned/,
		check: (result) => assert.doesNotMatch(result.stdout + result.stderr, escaped),
	},
	{
		name: 'escape sequences in a compaction summary never reach the terminal',
		setup: withEscapes,
		args: (input, dir) => ['compact', input, '--out', join(dir, 'out.jsonl')],
		code: 0,
		outputs: (names) => assert.deepEqual(names, ['out.jsonl']),
		check: (result) => assert.doesNotMatch(result.stdout + result.stderr, escaped),
	},
	// Bad input and arguments.
	{
		name: 'an empty file',
		setup: (dir) => write(dir, 'e.jsonl', ''),
		args: (i) => ['inspect', i],
		code: 3,
		says: (i) => new RegExp(`${escape(i)}: the file is empty`),
	},
	{
		name: 'whitespace only',
		setup: (dir) => write(dir, 'w.jsonl', ' \n\n\t\n'),
		args: (i) => ['inspect', i],
		code: 3,
		says: (i) => new RegExp(`${escape(i)}: the file is empty`),
	},
	{
		name: 'binary bytes',
		setup: (dir) => write(dir, 'b.jsonl', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3])),
		args: (i) => ['inspect', i],
		code: 3,
		says: (i) => new RegExp(`${escape(i)}:1: this is a binary file`),
	},
	{
		name: 'a directory as input',
		setup: (dir) => dir,
		args: (i) => ['compact', i],
		code: 3,
		says: (i) => new RegExp(`${escape(i)}: this is a directory`),
	},
	{
		name: 'a missing file',
		setup: (dir) => join(dir, 'nope.jsonl'),
		args: (i) => ['compact', i],
		code: 3,
		says: (i) => new RegExp(`${escape(i)}: no such file`),
	},
	{
		name: 'JSON that is no transcript',
		setup: (dir) => write(dir, 'x.json', '{"a":1}'),
		args: (i) => ['inspect', i],
		code: 3,
		says: (i) =>
			new RegExp(
				`${escape(i)}:1: not a transcript format Context Lens knows\\. It reads: Claude Code session, .* If it is one of them, pass --format <id> \\(claude-code, codex, `,
			),
	},
	{
		name: 'JSONL lines that are not JSON',
		setup: (dir) => write(dir, 'x.jsonl', '{"type":"user"\nnot json\n'),
		args: (i) => ['inspect', i, '--format', 'claude-code'],
		code: 3,
		says: (i) => new RegExp(`${escape(i)}:1:\\d+: no line parses`),
	},
	{
		name: 'a zero --timeout',
		setup: (dir) => copySample(dir),
		args: (i) => ['compact', i, '--timeout', '0'],
		code: 2,
		says: () => /--timeout must be a positive number of seconds/,
	},
	{
		name: 'a word for --read-timeout',
		setup: (dir) => copySample(dir),
		args: (i) => ['inspect', i, '--read-timeout', 'soon'],
		code: 2,
		says: () => /--read-timeout must be a positive number of seconds/,
	},
	{
		name: '--out naming the input through a link',
		setup: (dir) => {
			const f = copySample(dir);
			execFileSync('ln', ['-s', f, join(dir, 'link.jsonl')]);
			return f;
		},
		args: (i, dir) => ['compact', i, '--out', join(dir, 'link.jsonl'), '--force'],
		code: 2,
		says: () => /--out names the input file/,
	},
];

function write(dir: string, name: string, content: string | Buffer): string {
	const file = join(dir, name);
	writeFileSync(file, content);
	return file;
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every name in the folder but the input and what the case set up. */
function listing(dir: string): string[] {
	return existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).sort() : [];
}

describe('context-lens against hostile input, faults and bad arguments', function () {
	this.timeout(60_000);
	let server: Awaited<ReturnType<typeof startProtocolServer>> | undefined;

	before(async () => {
		const out = mkdtempSync(join(tmpdir(), 'context-lens-hostile-cli-'));
		cliPath = join(out, 'cli.js');
		await build({
			entryPoints: [join(root, 'src', 'cli', 'main.ts')],
			outfile: cliPath,
			bundle: true,
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			mainFields: ['module', 'main'],
			logLevel: 'warning',
		});
		server = await startProtocolServer(300_000);
	});

	after(async () => {
		await server?.close();
	});

	for (const c of cases) {
		it(c.name, async function () {
			if (c.needsCorpus === true && !hasCorpus()) this.skip();
			const dir = mkdtempSync(join(tmpdir(), 'context-lens-hostile-'));
			const input = c.setup(dir);
			const isRegular = existsSync(input) && statSync(input).isFile();
			const before = isRegular ? sha(input) : undefined;
			const namesBefore = listing(dir);
			server?.script(hang(), hang(), hang(), hang());
			const env = { CONTEXT_LENS_OPENAI_BASE_URL: `${server?.baseUrl ?? ''}/v1`, ...c.env };
			const result =
				c.fs !== undefined
					? await runInProcess(c.args(input, dir), c.fs(input))
					: await spawnCli(c.args(input, dir), {
							cwd: dir,
							boundMs: c.boundMs ?? defaultBoundMs,
							env,
							...(c.stdin !== undefined ? { stdin: c.stdin } : {}),
							...(c.interruptAfterMs !== undefined ? { interruptAfterMs: c.interruptAfterMs } : {}),
						});
			const shown = `exit ${result.code}\nstderr: ${result.stderr}\nstdout: ${result.stdout.slice(0, 2000)}`;
			assert.equal(result.hung, false, `hung past its bound\n${shown}`);
			assert.equal(result.code, c.code, shown);
			assert.doesNotMatch(result.stderr, /internal error/, shown);
			noStack(result.stderr);
			noStack(result.stdout);
			if (c.says !== undefined) assert.match(result.stdout + result.stderr, c.says(input, dir), shown);
			const changesInput = c.name.startsWith('the input');
			if (before !== undefined && !changesInput) assert.equal(sha(input), before, 'the input was modified');
			const added = listing(dir).filter((n) => !namesBefore.includes(n));
			if (c.outputs !== undefined) c.outputs(added);
			else if (c.code !== 0) assert.deepEqual(added, [], `left behind: ${added.join(', ')}`);
			c.check?.(result, input, dir);
		});
	}

	it('writes the output and spill file with the input’s permission bits', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'context-lens-hostile-'));
		const input = copySample(dir);
		chmodSync(input, 0o600);
		const result = await spawnCli(['compact', input, '--strategy', 'structure'], {
			cwd: dir,
			boundMs: defaultBoundMs,
		});
		assert.equal(result.code, 0, result.stderr);
		const written = readdirSync(dir).filter((n) => n !== 'session.jsonl');
		assert.equal(written.length, 2, written.join(', '));
		for (const name of written) assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name);
	});

	it('reruns cleanly after a write failed half-way', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'context-lens-hostile-'));
		const input = copySample(dir);
		const failed = await runInProcess(
			['compact', input, '--strategy', 'structure'],
			failing('rename', 'EIO', 1)(),
		);
		assert.equal(failed.code, 4, failed.stderr);
		assert.deepEqual(readdirSync(dir), ['session.jsonl']);
		const again = await runInProcess(['compact', input, '--strategy', 'structure'], nodeOutputFs);
		assert.equal(again.code, 0, again.stderr);
		assert.equal(readdirSync(dir).length, 3);
	});
});
