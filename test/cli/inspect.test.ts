import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { captureIo } from '../support/captureIo';
import { corpusFiles, hasCorpus } from '../support/corpus';

const root = join(__dirname, '..', '..');
const sample = join(root, 'test', 'fixtures', 'sample-claude-session.jsonl');

async function inspectJson(file: string, ...extra: string[]): Promise<Record<string, unknown>> {
	const io = captureIo();
	const code = await runCli(['inspect', file, '--json', ...extra], io);
	assert.equal(code, 0, io.stderrLines.join('\n'));
	return JSON.parse(io.stdout.join('\n')) as Record<string, unknown>;
}

describe('context-lens inspect', () => {
	it('prints the documented JSON object', async () => {
		const json = await inspectJson(sample);
		for (const key of [
			'file',
			'format',
			'model',
			'encoding',
			'messages',
			'contextWindow',
			'percentUsed',
			'tokens',
			'regions',
			'pruneCandidates',
			'diagnostics',
		]) {
			assert.ok(key in json, key);
		}
		const tokens = json['tokens'] as Record<string, unknown>;
		for (const key of ['total', 'visible', 'hidden', 'fixed', 'recorded', 'byRole', 'byKind'])
			assert.ok(key in tokens, key);
		assert.equal(tokens['total'], Number(tokens['visible']) + Number(tokens['hidden']));
		const rows = Object.values(tokens['byKind'] as Record<string, number>).reduce((a, b) => a + b, 0);
		assert.equal(rows, tokens['total'], 'the by-kind rows add up to the headline');
		assert.equal(json['fixedTokens'], tokens['fixed']);
		const regions = json['regions'] as Record<string, { from: number; to: number; tokens: number }>;
		for (const name of ['head', 'middle', 'tail']) {
			assert.deepEqual(Object.keys(regions[name] ?? {}).sort(), ['from', 'to', 'tokens']);
		}
		assert.equal(json['format'], 'claude-code');
		assert.match(String(json['detection']), /Claude Code/);
	});

	it('prints a readable report with a bar, the source of the count and the regions', async () => {
		const io = captureIo();
		assert.equal(await runCli(['inspect', sample], io), 0);
		const text = io.stdout.join('\n');
		assert.match(text, /^claude-code · sample-claude-session\.jsonl · claude-/);
		assert.match(text, /\[[█░|]{40}\] \d+%/);
		assert.match(text, /[\d,]+ of 200,000 tokens \(\d+%\) · estimated ±\d+%/);
		assert.match(text, /= [\d,]+ in the file \+ [\d,]+ not in it/);
		assert.match(
			text,
			/the agent recorded [\d,]+ for the request at #\d+; we count [\d,]+ for it \([+−]\d+\.\d%\)/,
		);
		assert.match(text, /regions {5}head 3 msgs/);
		assert.match(text, /largest\n +[\d.k]+ {2}#\d+ line \d+ · tool result/);
	});

	it('applies --window and --model', async () => {
		const json = await inspectJson(sample, '--window', '64k', '--model', 'gpt-4o');
		assert.equal(json['contextWindow'], 64_000);
		assert.equal(json['model'], 'gpt-4o');
		assert.equal(json['encoding'], 'o200k_base');
	});

	it('runs as a program: exit codes and no stack trace', () => {
		const run = (...args: string[]) =>
			spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), ...args], {
				encoding: 'utf8',
			});
		const ok = run('inspect', sample, '--json');
		assert.equal(ok.status, 0, ok.stderr);
		assert.equal((JSON.parse(ok.stdout) as { format: string }).format, 'claude-code');
		const missing = run('inspect', join(root, 'no-such-file.jsonl'));
		assert.equal(missing.status, 3);
		assert.match(missing.stderr, /no-such-file\.jsonl: no such file; check the path\./);
		assert.doesNotMatch(missing.stderr, /\n\s+at /);
		assert.equal(run('inspect').status, 2);
	});

	describe('every corpus transcript', () => {
		if (!hasCorpus()) {
			it.skip('../shared/corpus is absent on this machine', () => undefined);
			return;
		}
		const expected: Record<string, string> = {
			'claude-code': 'claude-code',
			codex: 'codex',
			'openai-chat': 'openai-chat',
			'anthropic-messages': 'anthropic-messages',
			'copilot-chat': 'copilot-chat',
			'other/gemini-cli': 'gemini-cli',
		};
		for (const [folder, format] of Object.entries(expected)) {
			for (const file of corpusFiles(folder)) {
				it(`${folder}/${file.split('/').pop()} is read as ${format}`, async () => {
					const json = await inspectJson(file);
					assert.equal(json['format'], format);
					const pairs = json['toolPairs'] as { orphanResults: number };
					assert.equal(pairs.orphanResults, 0);
				});
			}
		}
		const unread: Record<string, RegExp> = {
			'other/opencode':
				/:1: this looks like one record of an OpenCode session .*, which Context Lens does not read\./,
			'other/copilot-cli':
				/:1: this looks like a GitHub Copilot CLI session \(events\.jsonl\), which Context Lens does not read\./,
		};
		for (const [folder, says] of Object.entries(unread)) {
			for (const file of corpusFiles(folder)) {
				it(`${folder}/${file.split('/').pop()} is refused with exit 3, named for what it is`, async () => {
					const io = captureIo();
					assert.equal(await runCli(['inspect', file], io), 3);
					const said = io.stderrLines.join('\n');
					assert.match(said, says);
					assert.ok(!said.includes('--format'), 'no flag is offered for a format no reader takes');
				});
			}
		}
	});
});
