import { strict as assert } from 'node:assert';
import { redactionMarker, redactSecrets } from '../../../src/core/redaction/redactSecrets';
import { harmlessCorpus, heldOutCorpus, secretCorpus } from './secretCorpus';
import type { SecretCase } from './secretCorpus';

/** The values of a case that survived redaction, as written or JSON-escaped. */
function leaked(sample: SecretCase, text: string): string[] {
	return sample.secrets.filter((s) => text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1)));
}

describe('secret corpus: detection by shape, context and entropy (R7, R12)', () => {
	it('holds at least 60 secrets in every format, with the fourteen hard cases', () => {
		assert.ok(secretCorpus.length >= 60, `${secretCorpus.length} cases`);
		const formats = new Set(secretCorpus.map((c) => c.format));
		for (const format of [
			'prose',
			'shell',
			'env',
			'json',
			'yaml',
			'header',
			'url',
			'pem',
			'jwt',
			'connection-string',
		])
			assert.ok(formats.has(format as SecretCase['format']), format);
		assert.equal(secretCorpus.filter((c) => c.isHard === true).length, 14);
		assert.equal(new Set(secretCorpus.map((c) => c.name)).size, secretCorpus.length);
		assert.ok(harmlessCorpus.length >= 40);
	});

	for (const sample of secretCorpus) {
		it(`${sample.isHard === true ? 'hard case: ' : ''}${sample.name} becomes ${redactionMarker(sample.kind)}`, async () => {
			const result = await redactSecrets(sample.text);
			assert.deepEqual(leaked(sample, result.text), [], result.text);
			assert.ok(result.text.includes(redactionMarker(sample.kind)), result.text);
			assert.ok(result.findings.some((f) => f.kind === sample.kind));
		});
	}

	it('removes and names every held-out phrasing (written after the rules, the fresh run)', async () => {
		assert.ok(heldOutCorpus.length >= 30);
		for (const sample of heldOutCorpus) {
			const result = await redactSecrets(sample.text);
			assert.deepEqual(leaked(sample, result.text), [], `${sample.name}: ${result.text}`);
			assert.ok(result.text.includes(redactionMarker(sample.kind)), `${sample.name}: ${result.text}`);
		}
	});

	it('redacts every case inside JSON-encoded tool arguments and results', async () => {
		for (const sample of secretCorpus) {
			const args = JSON.stringify({ command: sample.text, content: `# notes\n${sample.text}\n` });
			const result = await redactSecrets(args);
			assert.deepEqual(leaked(sample, result.text), [], `${sample.name}: ${result.text}`);
		}
	});

	it('redacts every case once all of them share one text', async () => {
		const text = secretCorpus.map((c) => c.text).join('\n\n');
		const result = await redactSecrets(text);
		for (const sample of secretCorpus) assert.deepEqual(leaked(sample, result.text), [], sample.name);
		assert.equal((await redactSecrets(result.text)).text, result.text);
	});

	for (const sample of harmlessCorpus) {
		it(`leaves ${sample.name} unchanged`, async () => {
			const result = await redactSecrets(sample.text);
			assert.equal(result.text, sample.text);
			assert.deepEqual(result.findings, []);
		});
	}

	it('markers name a kind in plain words, never a rule or behaviour id', async () => {
		const result = await redactSecrets(secretCorpus.map((c) => c.text).join('\n'));
		const kinds = [...result.text.matchAll(/\[redacted: ([^\]]+)\]/g)].map((m) => m[1] ?? '');
		assert.ok(kinds.length >= secretCorpus.length);
		for (const kind of kinds) assert.match(kind, /^[a-z]+(?:-[a-z0-9]+)*$/);
		for (const kind of kinds) assert.doesNotMatch(kind, /^[A-Z]\d+$|secretlint|rule/i);
	});
});
