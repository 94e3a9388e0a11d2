import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { messagesInWindow, type Message } from '../../src/core/transcript/model';
import { captureIo } from '../support/captureIo';
import { corpusFiles, describeCorpus, hasCorpus } from '../support/corpus';

interface InspectJson {
	readonly model: string | null;
	readonly contextWindow: number;
	readonly messages: number;
	readonly fixedTokens: number;
	readonly tokens: {
		readonly total: number;
		readonly visible: number;
		readonly hidden: number;
		readonly byKind: Record<string, number>;
	};
}

interface CompactJson {
	readonly success: boolean;
	readonly tokensBefore: number;
	readonly tokensAfter: number;
	readonly fixedTokens: number;
	readonly messagesAfter: number;
	readonly out: string | null;
}

async function cliJson<T>(args: readonly string[]): Promise<T> {
	const io = captureIo();
	const code = await runCli([...args, '--json'], io);
	assert.equal(code, 0, `${args.join(' ')}: exit ${code}: ${io.stderrLines.join('\n')}`);
	return JSON.parse(io.stdout.join('\n')) as T;
}

const inspect = (file: string, ...extra: string[]): Promise<InspectJson> =>
	cliJson(['inspect', file, ...extra]);

function assertRowsAddUp(report: InspectJson, file: string): void {
	const rows = Object.values(report.tokens.byKind).reduce((a, b) => a + b, 0);
	assert.ok(
		Math.abs(rows - report.tokens.total) <= report.tokens.total * 0.01,
		`${file}: by-kind rows ${rows} against the headline ${report.tokens.total}`,
	);
}

// Every surface shows the budget one function computes: what compact calls "before" is what inspect says of the
// input, and what it calls "after" is what inspect will say of the file it writes.
describe('one budget for inspect and compact, on every writable corpus file', function () {
	this.timeout(300_000);
	for (const folder of [
		'claude-code',
		'codex',
		'copilot-chat',
		'openai-chat',
		'anthropic-messages',
		'other/gemini-cli',
	]) {
		describeCorpus(folder, (file) => {
			it(`${folder}/${basename(file)}`, async () => {
				const dir = mkdtempSync(join(tmpdir(), 'context-lens-one-number-'));
				try {
					const input = await inspect(file);
					assertRowsAddUp(input, file);
					assert.equal(input.tokens.total, input.tokens.visible + input.tokens.hidden);
					const dryRun = await cliJson<CompactJson>(['compact', file, '--dry-run']);
					assert.equal(dryRun.tokensBefore, input.tokens.total, "compact's before is inspect's headline");
					assert.equal(dryRun.fixedTokens, input.fixedTokens);

					const window = String(Math.max(1, input.tokens.total));
					for (const strategy of ['summarize', 'structure', 'prune']) {
						const out = join(dir, `${strategy}${extname(file) || '.jsonl'}`);
						const result = await cliJson<CompactJson>([
							'compact',
							file,
							'--strategy',
							strategy,
							'--window',
							window,
							'--out',
							out,
						]);
						assert.equal(result.tokensBefore, input.tokens.total, `${strategy}: before`);
						if (!result.success) continue;
						const output = await inspect(out, '--window', window);
						const gap = Math.abs(output.tokens.total - result.tokensAfter);
						assert.ok(
							gap <= Math.max(200, result.tokensAfter * 0.03),
							`${strategy}: inspect reads ${output.tokens.total} back; compact said ${result.tokensAfter}`,
						);
						assert.equal(output.messages, result.messagesAfter, `${strategy}: messages read back`);
						assertRowsAddUp(output, out);
						// Without --window the written file names the same model and window as the original.
						const plain = await inspect(out);
						assert.equal(plain.model, input.model, `${strategy}: model`);
						assert.equal(plain.contextWindow, input.contextWindow, `${strategy}: window`);
					}
				} finally {
					rmSync(dir, { recursive: true, force: true });
				}
			});
		});
	}
});

// Sessions at the wall: every real Claude Code and Codex session of 20k tokens and 20 messages or more compacts at a
// window equal to its size, freeing at least 40% of what a compaction can change, with its last request verbatim.
describe('compaction at the wall, on every large corpus session', function () {
	this.timeout(300_000);
	for (const folder of ['claude-code', 'codex']) {
		it(`${folder}: every session of 20k tokens and 20 messages frees 40% of what can change, its last request kept`, async function () {
			if (!hasCorpus()) this.skip(); // ../shared/corpus is absent on this machine
			const checked: string[] = [];
			const failures: string[] = [];
			for (const file of corpusFiles(folder)) {
				const input = await inspect(file);
				if (input.tokens.total < 20_000 || input.messages < 20) continue;
				checked.push(basename(file));
				await assertCompactsAtTheWall(file, input.tokens.total).catch((error: unknown) =>
					failures.push(`${basename(file)}: ${error instanceof Error ? error.message : String(error)}`),
				);
			}
			assert.ok(checked.length > 0, `no ${folder} corpus session is at least 20k tokens and 20 messages`);
			assert.deepEqual(failures, [], `checked ${checked.join(', ')}`);
		});
	}
});

describe('one long autonomous turn, compacted with the default window', () => {
	it('the Codex rollout of one request and 240 tool steps frees at least 30%', async function () {
		if (!hasCorpus()) this.skip(); // ../shared/corpus is absent on this machine
		const file = corpusFiles('codex').find((f) => basename(f).includes('019e1625'));
		assert.ok(file, 'the corpus holds codex/codemie-rollout-2026-05-11T11-26-55-019e1625.jsonl');
		const result = await cliJson<CompactJson>(['compact', file, '--dry-run']);
		assert.ok(result.success, 'the compaction is not declined');
		const freed = (result.tokensBefore - result.tokensAfter) / result.tokensBefore;
		assert.ok(freed >= 0.3, `frees ${(freed * 100).toFixed(1)}% of ${result.tokensBefore}`);
	});
});

async function assertCompactsAtTheWall(file: string, window: number): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'context-lens-wall-'));
	try {
		const out = join(dir, `out${extname(file)}`);
		const result = await cliJson<CompactJson>(['compact', file, '--window', String(window), '--out', out]);
		assert.ok(result.success, 'the compaction is not declined');
		const changeable = result.tokensBefore - result.fixedTokens;
		const freed = result.tokensBefore - result.tokensAfter;
		assert.ok(
			freed >= changeable * 0.4,
			`frees ${freed} of the ${changeable} a compaction can change (${((freed / changeable) * 100).toFixed(1)}%)`,
		);
		const request = lastRequestText(await readWindow(file));
		assert.ok(request !== undefined && request.length > 0, 'the session has a request');
		assert.ok(
			(await readWindow(out)).some((m) => textOf(m).includes(request)),
			'the last request is in the output word for word',
		);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The window messages of a file, as a reader of the file finds them. */
async function readWindow(file: string): Promise<readonly Message[]> {
	const read = await readTranscriptFile(file);
	assert.ok(read.ok, file);
	return messagesInWindow(read.transcript);
}

function textOf(message: Message): string {
	return message.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('\n');
}

/** The newest message the person typed: a user message with text, no tool results, not injected, not a summary. */
function lastRequestText(window: readonly Message[]): string | undefined {
	const request = window.findLast(
		(m) =>
			m.role === 'user' &&
			!m.flags.isMeta &&
			!m.flags.isSummary &&
			m.parts.some((p) => p.kind === 'text' && p.text.trim() !== '') &&
			!m.parts.some((p) => p.kind === 'toolResult'),
	);
	return request === undefined ? undefined : textOf(request);
}
