import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { compactionStrategies } from '../../src/core/compaction/strategies';
import { captureIo } from '../support/captureIo';
import { sampleCompactionLine, withAgentCompaction } from '../support/compactedSample';
import { corpusRoot, hasCorpus } from '../support/corpus';

const root = join(__dirname, '..', '..');
const sample = join(root, 'test', 'fixtures', 'sample-claude-session.jsonl');

async function run(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
	const io = captureIo();
	const code = await runCli(args, io);
	return { code, out: io.stdout.join('\n'), err: io.stderrLines.join('\n') };
}

interface RowJson {
	readonly strategy: string;
	readonly ok: boolean;
	readonly reason: string | null;
	readonly tokensAfter: number;
	readonly percentAfter: number;
	readonly messagesAfter: number;
	readonly lostFacts: { readonly count: number; readonly kept: number; readonly items: readonly unknown[] };
	readonly timeMs: number;
}

describe('context-lens compare', () => {
	it('--json is a list with one row per strategy: tokens after, share of the window, lost facts, time', async () => {
		const { code, out, err } = await run([
			'compare',
			sample,
			'--json',
			'--window',
			'50k',
			'--focus',
			'rounding',
		]);
		assert.equal(code, 0, err);
		const rows = JSON.parse(out) as RowJson[];
		assert.ok(Array.isArray(rows));
		assert.deepEqual(
			rows.map((r) => r.strategy),
			compactionStrategies.map((s) => s.name),
		);
		const inspect = await run(['inspect', sample, '--json', '--window', '50k']);
		const before = (JSON.parse(inspect.out) as { tokens: { total: number } }).tokens.total;
		for (const row of rows) {
			assert.equal(typeof row.tokensAfter, 'number');
			assert.ok(Math.abs(row.percentAfter - (row.tokensAfter / 50_000) * 100) < 0.01);
			assert.equal(typeof row.lostFacts.count, 'number');
			assert.ok(row.lostFacts.items.length <= row.lostFacts.count);
			assert.ok(row.timeMs >= 0);
			if (row.ok) assert.ok(row.tokensAfter < before, `${row.strategy} frees tokens of the ${before}`);
			else assert.ok(row.reason !== null && row.tokensAfter === before, `${row.strategy}: ${row.reason}`);
		}
	});

	it('prints a table of every strategy, says why one does not apply, and writes nothing', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'cl-compare-'));
		const file = join(dir, 'session.jsonl');
		writeFileSync(file, readFileSync(sample));
		const { code, out } = await run(['compare', file, '--window', '50k']);
		assert.equal(code, 0);
		assert.match(out, /^before: [\d,]+ tokens · \d+% of 50,000 · \d+ messages$/m);
		for (const s of compactionStrategies) assert.match(out, new RegExp(`^${s.name} +`, 'm'), s.name);
		assert.match(out, /^not applicable:$/m);
		assert.match(out, /^ {2}window: Nothing to evict/m);
		assert.deepEqual(readFileSync(file), readFileSync(sample), 'the input is unchanged');
		const { readdirSync } = await import('node:fs');
		assert.deepEqual(readdirSync(dir), ['session.jsonl'], 'nothing is written beside it');
	});

	it('has its own help and rejects a second file', async () => {
		const help = await run(['compare', '--help']);
		assert.equal(help.code, 0);
		assert.match(help.out, /^Usage: context-lens compare <file>/);
		assert.match((await run(['--help'])).out, /^ {2}compare <file>/m);
		const two = await run(['compare', sample, sample]);
		assert.equal(two.code, 2);
		assert.match(two.err, /compare takes one file/);
	});
});

describe('context-lens inspect: compactions', () => {
	it('--json lists each compaction with trigger, time, preTokens, summary size and its lost facts', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'cl-inspect-'));
		const file = join(dir, 'compacted.jsonl');
		writeFileSync(file, withAgentCompaction(readFileSync(sample, 'utf8')));
		const { code, out, err } = await run(['inspect', file, '--json']);
		assert.equal(code, 0, err);
		const json = JSON.parse(out) as { compactions: Record<string, unknown>[] };
		assert.equal(json.compactions.length, 1);
		const [compaction] = json.compactions;
		assert.equal(compaction?.['trigger'], 'auto');
		assert.equal(compaction?.['line'], sampleCompactionLine);
		assert.match(String(compaction?.['at']), /^\d{4}-\d\d-\d\dT/);
		assert.equal(typeof compaction?.['preTokens'], 'number');
		assert.ok(Number(compaction?.['summaryTokens']) > 0);
		const facts = compaction?.['lostFacts'] as { kept: number; lost: number; important: unknown[] };
		assert.ok(facts.kept > 0 && facts.lost > 0);
		assert.ok(facts.important.length > 0 && facts.important.length <= 10);
		const plain = await run(['inspect', file]);
		assert.match(
			plain.out,
			/^ {2}1\. automatic compaction by the agent · line 126 · .* tokens before \(recorded\) → summary [\d,]+ tokens · facts kept \d+ of \d+, lost \d+$/m,
		);
	});

	it('has an empty list, and no compaction lines, for a session never compacted', async () => {
		const { out } = await run(['inspect', sample, '--json']);
		assert.deepEqual((JSON.parse(out) as { compactions: unknown[] }).compactions, []);
		assert.doesNotMatch((await run(['inspect', sample])).out, /Compactions in this file/);
	});

	it('reads the real automatic compaction of the corpus', async function () {
		if (!hasCorpus()) this.skip();
		const file = join(corpusRoot, 'claude-code', 'codemie-session-624a4a58.jsonl');
		const { out } = await run(['inspect', file, '--json']);
		const [compaction] = (JSON.parse(out) as { compactions: Record<string, unknown>[] }).compactions;
		assert.equal(compaction?.['preTokens'], 155_979);
		assert.equal(compaction?.['trigger'], 'auto');
	});
});
