import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { captureIo } from '../support/captureIo';
import { describeCorpus } from '../support/corpus';

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
