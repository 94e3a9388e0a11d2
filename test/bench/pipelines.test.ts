import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { generateClaudeSession } from '../../bench/generateClaudeSession';
import { countWindowWith, countWithTiktoken, pipelineNames, runPipeline } from '../../bench/pipelines';
import { countTextTokens, estimateTokensByChars, maxUnbrokenRunChars } from '../../src/core/tokens/encoding';
import { messageOverheadTokens } from '../../src/core/tokens/tokenCounter';
import { messagesInWindow } from '../../src/core/transcript/model';
import { parseTranscript } from '../../src/core/transcript/readTranscript';
import { said, toolRun } from './fixtures';
import { runCaseChild } from './caseChild';

describe('bench counting pipelines', () => {
	it('the js-tiktoken peer counts what our encoder counts on text without long runs', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: maxUnbrokenRunChars }), (text) => {
				assert.equal(countWithTiktoken(text), countTextTokens(text, 'o200k_base'));
			}),
			{ numRuns: 300 },
		);
		assert.equal(countWithTiktoken('<|endoftext|>'), countTextTokens('<|endoftext|>', 'o200k_base'));
	});

	it('counts every part of every message plus the per-message overhead', () => {
		const messages = [said('user', 'abcdefgh'), ...toolRun('Bash', { command: 'ls' }, 'a.ts\nb.ts')];
		const seen: string[] = [];
		const total = countWindowWith(messages, (text) => {
			seen.push(text);
			return 1;
		});
		assert.deepEqual(seen, ['abcdefgh', 'Bash', '{"command":"ls"}', 'a.ts\nb.ts']);
		assert.equal(total, 4 + 3 * messageOverheadTokens);
		assert.equal(countWindowWith(messages, estimateTokensByChars), 2 + 1 + 4 + 3 + 3 * messageOverheadTokens);
	});

	it('every pipeline gives a positive count of a generated session, and the exact ones agree with each other', () => {
		const read = parseTranscript(
			Buffer.from(generateClaudeSession({ seed: 4, targetBytes: 80_000 })),
			'g.jsonl',
		);
		assert.ok(read.ok);
		const counts = Object.fromEntries(
			pipelineNames.map((p) => [p, runPipeline(p, read.transcript, 'g.jsonl')]),
		);
		for (const p of pipelineNames) assert.ok((counts[p] ?? 0) > 1000, p);
		assert.equal(runPipeline('exact', read.transcript, 'g.jsonl'), counts['exact']);
		const chars = countWindowWith(messagesInWindow(read.transcript), (t) => Math.ceil(t.length / 4));
		assert.equal(counts['chars4'], chars);
	});

	it('a bench case runs in a child process and reports its figures and peak memory', function () {
		this.timeout(60_000);
		const dir = mkdtempSync(join(tmpdir(), 'bench-case-'));
		try {
			const file = join(dir, 'session.jsonl');
			writeFileSync(file, generateClaudeSession({ seed: 8, targetBytes: 50_000 }));
			const output = runCaseChild({ kind: 'count', files: [file], pipeline: 'exact', reps: 2 });
			assert.ok(output.kind === 'count');
			const result = output.files[0];
			assert.ok(result?.ok === true);
			assert.equal(result.totalMs.length, 2);
			assert.ok(result.parseMs.every((ms, i) => ms > 0 && ms <= (result.totalMs[i] ?? 0)));
			assert.ok(result.messages > 5 && result.tokens > 1000);
			assert.ok(output.maxRssMiB >= output.baselineRssMiB && output.baselineRssMiB > 10);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
