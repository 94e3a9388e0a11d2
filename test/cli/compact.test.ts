import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { messagesInWindow } from '../../src/core/transcript/model';
import { parseTranscript } from '../../src/core/transcript/readTranscript';
import { startProtocolServer, openAiFrames, sse, json } from '../core/summarize/protocolServer';
import { captureIo } from '../support/captureIo';

const sample = join(__dirname, '..', 'fixtures', 'sample-claude-session.jsonl');

function freshCopy(): { dir: string; file: string } {
	const dir = mkdtempSync(join(tmpdir(), 'context-lens-compact-'));
	const file = join(dir, 'session.jsonl');
	copyFileSync(sample, file);
	return { dir, file };
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function withEnv<T>(values: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
	const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
	for (const [k, v] of Object.entries(values)) {
		if (v === undefined) delete process.env[k];
		else process.env[k] = v;
	}
	try {
		return await body();
	} finally {
		for (const [k, v] of Object.entries(saved)) {
			if (v === undefined) delete process.env[k];
			else process.env[k] = v;
		}
	}
}

describe('context-lens compact', () => {
	it('writes a smaller transcript in the same format beside the input and never touches the input', async () => {
		const { dir, file } = freshCopy();
		const before = sha(file);
		const io = captureIo();
		assert.equal(
			await runCli(['compact', file, '--focus', 'rounding', '--json'], io),
			0,
			io.stderrLines.join('\n'),
		);
		const result = JSON.parse(io.stdout.join('\n')) as {
			success: boolean;
			out: string;
			tokensBefore: number;
			tokensAfter: number;
			summary: string;
			lostFacts: { retention: number };
			resumeHint: string;
		};
		assert.equal(result.success, true);
		assert.equal(result.out, join(dir, 'session.compacted.jsonl'));
		assert.ok(result.tokensAfter < result.tokensBefore);
		assert.match(result.summary, /## Active Task/);
		assert.ok(result.lostFacts.retention > 0 && result.lostFacts.retention <= 1);
		assert.match(result.resumeHint, /^claude --resume [0-9a-f-]{36}$/);
		assert.equal(sha(file), before, 'the input is unchanged');
		const reread = parseTranscript(readFileSync(result.out), result.out);
		assert.ok(reread.ok);
		assert.equal(reread.transcript.format, 'claude-code');
		const window = messagesInWindow(reread.transcript);
		const textOf = (m: (typeof window)[number]): string =>
			m.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('\n');
		// The summary stands once in the window: its own message, or merged in front of the kept request when no
		// role fits between its neighbours (R13).
		const heading = result.summary.split('\n').find((line) => line.trim() !== '') ?? '';
		assert.equal(window.filter((m) => textOf(m).includes(heading)).length, 1, 'one summary in the window');
		const input = parseTranscript(readFileSync(file), file);
		assert.ok(input.ok);
		const original = messagesInWindow(input.transcript);
		const request = original.findLast((m) => m.role === 'user' && m.parts.every((p) => p.kind === 'text'));
		assert.ok(request !== undefined);
		assert.ok(
			window.some((m) => textOf(m).includes(textOf(request))),
			'the last request is in the output word for word',
		);
		assert.ok(
			readdirSync(dir).every((n) => !n.endsWith('.tmp')),
			'no temporary file is left',
		);
	});

	it('refuses to replace an existing output without --force, and replaces it with --force', async () => {
		const { file } = freshCopy();
		assert.equal(await runCli(['compact', file], captureIo()), 0);
		const io = captureIo();
		assert.equal(await runCli(['compact', file], io), 4);
		assert.match(io.stderrLines.join('\n'), /already exists; nothing was written\. Pass --force/);
		assert.equal(await runCli(['compact', file, '--force'], captureIo()), 0);
	});

	it('writes nothing on --dry-run and a spill file beside the output for structure', async () => {
		const { dir, file } = freshCopy();
		const io = captureIo();
		assert.equal(await runCli(['compact', file, '--dry-run'], io), 0);
		assert.match(io.stdout.join('\n'), /dry run: nothing was written/);
		assert.deepEqual(readdirSync(dir), ['session.jsonl']);
		const structure = captureIo();
		assert.equal(await runCli(['compact', file, '--strategy', 'structure', '--json'], structure), 0);
		const result = JSON.parse(structure.stdout.join('\n')) as { out: string; spill: string | null };
		assert.ok(existsSync(result.out));
		assert.ok(result.spill !== null, 'structure moves free text to a spill file (H6)');
		assert.equal(dirname(result.spill), dir, 'the spill file sits beside the output');
		assert.match(readFileSync(result.spill, 'utf8'), /^# Context Lens spill file/);
		assert.ok(readFileSync(result.out, 'utf8').includes(basename(result.spill)), 'the output references it');
	});

	it('lists the valid strategies for an unknown one (Z4) and says what is missing for a network summariser', async () => {
		const { dir, file } = freshCopy();
		const io = captureIo();
		assert.equal(await runCli(['compact', file, '--strategy', 'magic'], io), 2);
		assert.match(
			io.stderrLines.join('\n'),
			/Valid strategies: summarize, structure, structure-aggressive, prune, lru, window, tc-cap, rotate/,
		);
		const noModel = captureIo();
		assert.equal(await runCli(['compact', file, '--summarizer', 'openai'], noModel), 2);
		assert.match(noModel.stderrLines.join('\n'), /--model/);
		assert.deepEqual(readdirSync(dir), ['session.jsonl'], 'nothing written');
	});

	it('protocol: --summarizer openai sends the template and the focus to the endpoint and keeps the model text', async () => {
		const server = await startProtocolServer();
		try {
			server.script(
				sse(openAiFrames(['## Active Task\nFix the VAT rounding', ' in src/invoice/rounding.ts.'])),
			);
			const { file } = freshCopy();
			const io = captureIo();
			const code = await withEnv(
				{
					CONTEXT_LENS_OPENAI_BASE_URL: `${server.baseUrl}/v1`,
					CONTEXT_LENS_OPENAI_API_KEY: 'sk-test-local',
				},
				() =>
					runCli(
						[
							'compact',
							file,
							'--summarizer',
							'openai',
							'--model',
							'local-model',
							'--focus',
							'rounding',
							'--json',
						],
						io,
					),
			);
			assert.equal(code, 0, io.stderrLines.join('\n'));
			const result = JSON.parse(io.stdout.join('\n')) as { summary: string; out: string };
			assert.ok(result.out, io.stdout.join('\n') + io.stderrLines.join('\n'));
			assert.equal(result.summary, '## Active Task\nFix the VAT rounding in src/invoice/rounding.ts.');
			const [request] = server.requests;
			const body = request?.rawBody ?? '';
			assert.doesNotMatch(body, /sk-test-local/, 'the key travels only in the header');
			assert.equal(request?.headers.authorization, 'Bearer sk-test-local');
			assert.match(body, /Active Task/);
			assert.match(body, /rounding/);
			assert.match(body, /local-model/);
			const written = readFileSync(result.out, 'utf8');
			assert.match(written, /Fix the VAT rounding in src\/invoice\/rounding\.ts\./);
		} finally {
			await server.close();
		}
	});

	it('protocol: a failing endpoint gives one clear line, a non-zero exit and no file', async () => {
		const server = await startProtocolServer();
		try {
			server.script(json(401, { error: { message: 'invalid api key' } }));
			const { dir, file } = freshCopy();
			const io = captureIo();
			const code = await withEnv(
				{ CONTEXT_LENS_OPENAI_BASE_URL: `${server.baseUrl}/v1`, CONTEXT_LENS_OPENAI_API_KEY: 'sk-wrong' },
				() => runCli(['compact', file, '--summarizer', 'openai', '--model', 'local-model'], io),
			);
			assert.equal(code, 4);
			assert.equal(io.stderrLines.length, 2, io.stderrLines.join('\n'));
			assert.match(io.stderrLines[1] ?? '', /session\.jsonl: .*(401|key)/i);
			assert.deepEqual(readdirSync(dir), ['session.jsonl']);
		} finally {
			await server.close();
		}
	});
});
