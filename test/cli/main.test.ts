import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { captureIo } from '../support/captureIo';

describe('context-lens CLI: usage and bad input', () => {
	const dir = mkdtempSync(join(tmpdir(), 'context-lens-cli-'));

	it('exits 2 with the usage text for an unknown command', async () => {
		const io = captureIo();
		assert.equal(await runCli(['frobnicate'], io), 2);
		assert.match(io.stderrLines.join('\n'), /unknown command 'frobnicate'[\s\S]*Usage: context-lens/);
	});

	it('exits 2 for an unknown option and for a missing file argument', async () => {
		const io = captureIo();
		assert.equal(await runCli(['inspect', 'a.jsonl', '--colour'], io), 2);
		assert.match(io.stderrLines.join('\n'), /--colour/);
		assert.equal(await runCli(['inspect'], captureIo()), 2);
	});

	it('exits 2 for a bad --window and lists valid formats for a bad --format', async () => {
		const io = captureIo();
		assert.equal(await runCli(['inspect', 'a.jsonl', '--window', 'lots'], io), 2);
		assert.match(io.stderrLines.join('\n'), /--window must be a positive number of tokens/);
		const io2 = captureIo();
		assert.equal(await runCli(['inspect', 'a.jsonl', '--format', 'yaml'], io2), 2);
		assert.match(io2.stderrLines.join('\n'), /unknown format 'yaml'; valid: .*claude-code/);
	});

	it('exits 3 naming the file for a missing file, a directory, an empty file and binary garbage', async () => {
		const empty = join(dir, 'empty.jsonl');
		writeFileSync(empty, '');
		const binary = join(dir, 'garbage.jsonl');
		writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff, 0xfe, 0x00, 0x10]));
		const cases: [string, RegExp][] = [
			[join(dir, 'missing.jsonl'), /missing\.jsonl: no such file/],
			[dir, /is a directory/],
			[empty, /empty\.jsonl: the file is empty/],
			[binary, /garbage\.jsonl:1: this is a binary file/],
		];
		for (const [file, expected] of cases) {
			const io = captureIo();
			assert.equal(await runCli(['inspect', file], io), 3, file);
			const text = io.stderrLines.join('\n');
			assert.match(text, expected);
			assert.doesNotMatch(text, /\n\s+at /, 'no stack trace');
		}
	});

	it('exits 3 with line and column for a JSON document that does not parse', async () => {
		const file = join(dir, 'broken.json');
		writeFileSync(
			file,
			'{\n  "messages": [\n    {"role": "user", "content": "hi"},\n    {"role": }\n  ]\n}\n',
		);
		const io = captureIo();
		assert.equal(await runCli(['inspect', file, '--format', 'openai-chat'], io), 3);
		assert.match(io.stderrLines.join('\n'), /broken\.json:4:14: invalid JSON/);
		const detected = captureIo();
		assert.equal(
			await runCli(['inspect', file], detected),
			3,
			'without --format the JSON error is reported too',
		);
		assert.match(detected.stderrLines.join('\n'), /broken\.json:4:14: invalid JSON: value expected/);
	});

	it('lists the formats it reads and writes', async () => {
		const io = captureIo();
		assert.equal(await runCli(['formats', '--json'], io), 0);
		const rows = JSON.parse(io.stdout.join('\n')) as { id: string; writes: boolean }[];
		const ids = rows.map((r) => r.id);
		for (const id of [
			'claude-code',
			'openai-chat',
			'anthropic-messages',
			'codex',
			'copilot-chat',
			'gemini-cli',
		]) {
			assert.ok(ids.includes(id), id);
		}
		assert.equal(rows.find((r) => r.id === 'gemini-cli')?.writes, true);
		const text = captureIo();
		assert.equal(await runCli(['formats'], text), 0);
		const said = text.stdout.join('\n');
		assert.match(said, /^claude-code +yes +yes +yes +Claude Code session$/m);
		const unread =
			/^Recognised but not read \(inspect says what such a file is\): (.*)\.$/m.exec(said)?.[1] ?? '';
		for (const listed of [
			'GitHub Copilot CLI sessions (events.jsonl)',
			'OpenCode storage records',
			'Aider chat histories',
			'the output of `codex exec --json`',
			'the output of `claude -p --output-format stream-json`',
		])
			assert.ok(unread.split('; ').includes(listed), `${listed} in: ${unread}`);
		assert.match(
			unread,
			/Cline and Roo ui_messages\.json \(api_conversation_history\.json beside it is read\)/,
		);
	});
});
