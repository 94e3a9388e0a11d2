import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { buildSummaryPrompt } from '../../../src/core/summarize/prompts/buildSummaryPrompt';
import { redactSummaryRequest } from '../../../src/core/compaction/redactRequest';
import { redactSecrets, redactTexts } from '../../../src/core/redaction/redactSecrets';
import { findExtraSecrets } from '../../../src/core/redaction/secretRules';
import { makeFlags } from '../../../src/core/transcript/model';
import type { Message, Part } from '../../../src/core/transcript/model';
import { harmlessLines, secretSamples } from './redactionSamples';

function message(role: Message['role'], parts: Part[], id: string): Message {
	return { id, role, parts, flags: makeFlags(), lines: { from: 1, to: 1 }, raw: [{ leaked: parts }] };
}

describe('redactSecrets (R7, R12)', () => {
	it('covers at least 20 kinds of secret', () => {
		assert.ok(new Set(secretSamples.map((s) => s.kind)).size >= 20);
	});

	for (const sample of secretSamples) {
		it(`replaces a ${sample.name} with [redacted: ${sample.kind}]`, async () => {
			const result = await redactSecrets(sample.text);
			assert.ok(!result.text.includes(sample.secret), result.text);
			assert.ok(result.text.includes(`[redacted: ${sample.kind}]`), result.text);
			assert.ok(result.findings.some((f) => f.kind === sample.kind && f.count >= 1));
		});
	}

	it('redacts every kind inside JSON-encoded tool arguments (escaped quotes and newlines)', async () => {
		for (const sample of secretSamples) {
			const args = JSON.stringify({ command: sample.text, content: `# .env\n${sample.text}\n` });
			const result = await redactSecrets(args);
			const escaped = JSON.stringify(sample.secret).slice(1, -1);
			assert.ok(!result.text.includes(escaped), `${sample.name}: ${result.text}`);
			assert.ok(!result.text.includes(sample.secret), `${sample.name}: ${result.text}`);
		}
	});

	it('leaves text that only talks about credentials unchanged', async () => {
		for (const line of harmlessLines) {
			const result = await redactSecrets(line);
			assert.equal(result.text, line);
			assert.deepEqual(result.findings, []);
		}
	});

	it('counts findings per kind, sorted by kind', async () => {
		const [a, b] = secretSamples.filter((s) => s.kind === 'private-key');
		assert.ok(a !== undefined && b !== undefined);
		const result = await redactSecrets(`${a.text}\n\nmax_tokens: 5\n\n${b.text}`);
		const privateKeys = result.findings.find((f) => f.kind === 'private-key');
		assert.equal(privateKeys?.count, 2);
		const kinds = result.findings.map((f) => f.kind);
		assert.deepEqual(
			kinds,
			[...kinds].sort((x, y) => x.localeCompare(y)),
		);
		assert.ok(result.text.includes('max_tokens: 5'));
	});

	it('maps one lint pass back onto many texts, each redacted on its own', async () => {
		const texts = secretSamples.map((s) => s.text);
		const result = await redactTexts(['start', ...texts, 'end']);
		assert.equal(result.texts.length, texts.length + 2);
		assert.equal(result.texts[0], 'start');
		assert.equal(result.texts[result.texts.length - 1], 'end');
		secretSamples.forEach((sample, i) => {
			const out = result.texts[i + 1] ?? '';
			assert.ok(!out.includes(sample.secret), `${sample.name}: ${out}`);
			assert.ok(out.includes(`[redacted: ${sample.kind}]`), `${sample.name}: ${out}`);
		});
	});

	it('redacts a private key block that starts in one text in every text it reaches', async () => {
		const key = secretSamples.find((s) => s.kind === 'private-key');
		assert.ok(key !== undefined);
		const cut = key.secret.indexOf('\n', 40);
		const result = await redactTexts([key.secret.slice(0, cut), key.secret.slice(cut + 1)]);
		const body = key.secret.split('\n')[1] ?? '';
		for (const text of result.texts) assert.ok(!text.includes(body.slice(0, 30)), text);
	});

	it('redacts a 1 MB prompt in one pass quickly', async function () {
		this.timeout(20_000);
		const filler = 'The build log says npm test passed 47 of 50 specs in src/billing; ';
		const parts: string[] = [];
		let size = 0;
		let i = 0;
		while (size < 1_000_000) {
			const sample = secretSamples[i % secretSamples.length];
			const chunk = `${filler.repeat(20)}\n${i % 10 === 0 && sample !== undefined ? sample.text : ''}\n`;
			parts.push(chunk);
			size += chunk.length;
			i += 1;
		}
		const text = parts.join('');
		const started = performance.now();
		const result = await redactSecrets(text);
		const elapsedMs = performance.now() - started;
		for (const sample of secretSamples) assert.ok(!result.text.includes(sample.secret), sample.name);
		assert.ok(elapsedMs < 5_000, `took ${elapsedMs.toFixed(0)} ms`);
		assert.ok(result.text.length > 900_000);
	});

	it('stays linear on text built to make secret patterns backtrack', async function () {
		this.timeout(30_000);
		const adversarial = [
			'ab.'.repeat(100_000),
			'a_'.repeat(150_000),
			'-----BEGIN PRIVATE KEY-----\n'.repeat(10_000),
			'http://aaaa:'.repeat(25_000),
			'password:'.repeat(30_000),
			`eyJ${'A'.repeat(300_000)}`,
			'A_TOKEN=\\n'.repeat(30_000),
		];
		for (const text of adversarial) {
			const started = performance.now();
			await redactSecrets(text);
			const elapsedMs = performance.now() - started;
			assert.ok(elapsedMs < 1_500, `${text.slice(0, 20)}… took ${elapsedMs.toFixed(0)} ms`);
		}
	});

	it('is idempotent and never leaks an inserted secret (property)', async () => {
		const safeWord = fc.constantFrom(
			'build',
			'src/app.ts',
			'passed',
			'npm',
			'test',
			'42',
			'the',
			'max_tokens: 3',
			'\n',
			' ',
		);
		await fc.assert(
			fc.asyncProperty(
				fc.array(safeWord, { maxLength: 40 }),
				fc.array(fc.integer({ min: 0, max: secretSamples.length - 1 }), { minLength: 1, maxLength: 4 }),
				async (words, picks) => {
					const pieces: string[] = [...words];
					picks.forEach((pick, n) => {
						const sample = secretSamples[pick];
						if (sample !== undefined) pieces.splice((n * 7) % (pieces.length + 1), 0, `\n${sample.text}\n`);
					});
					const text = pieces.join(' ');
					const once = await redactSecrets(text);
					for (const pick of picks) assert.ok(!once.text.includes(secretSamples[pick]?.secret ?? '\u0000'));
					const twice = await redactSecrets(once.text);
					assert.equal(twice.text, once.text);
				},
			),
			{ numRuns: 40 },
		);
	});

	it('the extra rules report no range inside the prompt template itself', () => {
		const prompt = buildSummaryPrompt({ messages: [], budgetTokens: 2000, focus: 'the API key rotation' });
		assert.deepEqual(findExtraSecrets(`${prompt.system}\n${prompt.user}`), []);
	});
});

describe('redactSummaryRequest (R7)', () => {
	it('redacts every text a prompt shows and drops raw records', async () => {
		const [s0, s1, s2, s3, s4, s5] = secretSamples;
		assert.ok(s0 && s1 && s2 && s3 && s4 && s5);
		const messages = [
			message('user', [{ kind: 'text', text: `deploy with ${s0.text}` }], 'u1'),
			message(
				'assistant',
				[
					{ kind: 'thinking', text: s1.text, isRedacted: false },
					{
						kind: 'toolCall',
						callId: 'c1',
						name: 'Bash',
						argumentsText: JSON.stringify({ command: s2.text }),
					},
				],
				'a1',
			),
			message(
				'user',
				[{ kind: 'toolResult', callId: 'c1', text: s3.text, isError: false, images: [] }],
				'u2',
			),
		];
		const { request, findings } = await redactSummaryRequest({
			messages,
			budgetTokens: 2000,
			countTokens: (t) => t.length,
			previousSummary: `## Critical Context\n${s4.text}`,
			focus: `why ${s5.text} failed`,
			activeTask: `rotate ${s0.secret}`,
			preservedValues: { token_out: s1.secret },
		});
		const everything = JSON.stringify({ ...request, countTokens: undefined });
		for (const sample of [s0, s1, s2, s3, s4, s5])
			assert.ok(!everything.includes(sample.secret), sample.name);
		assert.ok(request.messages.every((m) => m.raw.length === 0));
		assert.equal(request.messages.length, 3);
		assert.equal(request.messages[1]?.parts[1]?.kind, 'toolCall');
		assert.ok(findings.length > 0);
		assert.ok(request.activeTask?.startsWith('rotate [redacted: '));
		assert.ok(request.preservedValues?.['token_out']?.startsWith('[redacted: '));
	});
});
