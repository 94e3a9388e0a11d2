import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { writeFileAtomic } from '../../src/extension/review/atomicWrite';
import { describeFingerprintChange, fingerprintFile, hasSameStat } from '../../src/core/io/fileFingerprint';

describe('atomic writes and fingerprints', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'context-lens-atomic-'));
	});
	afterEach(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	it('writes the whole text and leaves no temporary file', async () => {
		await fc.assert(
			fc.asyncProperty(fc.string({ maxLength: 2000 }), fc.nat(1_000_000), async (text, n) => {
				const path = join(dir, `out-${n}-${Math.random().toString(36).slice(2)}.jsonl`);
				const outcome = await writeFileAtomic(path, text);
				assert.ok(outcome.ok);
				assert.equal(readFileSync(path, 'utf8'), text);
				assert.ok(readdirSync(dir).every((name) => !name.endsWith('.tmp')));
			}),
			{ numRuns: 60 },
		);
	});

	it('never replaces an existing file, and says so', async () => {
		const path = join(dir, 'session.jsonl');
		writeFileSync(path, 'original');
		const outcome = await writeFileAtomic(path, 'replacement');
		assert.equal(outcome.ok, false);
		assert.match(outcome.ok ? '' : outcome.message, /session\.jsonl.*already exists/);
		assert.equal(readFileSync(path, 'utf8'), 'original');
		assert.deepEqual(readdirSync(dir), ['session.jsonl']);
	});

	it('names the folder and the cause when it cannot write', async () => {
		const outcome = await writeFileAtomic(join(dir, 'missing', 'x.jsonl'), 'x');
		assert.equal(outcome.ok, false);
		assert.match(outcome.ok ? '' : outcome.message, /missing/);
	});

	it('a fingerprint changes with the content, not with a touch', async () => {
		const path = join(dir, 'f.jsonl');
		writeFileSync(path, 'abc\n');
		const first = await fingerprintFile(path);
		assert.equal(first.size, 4);
		assert.equal(await hasSameStat(path, first), true);
		utimesSync(path, new Date(2001, 1, 1), new Date(2001, 1, 1));
		const touched = await fingerprintFile(path);
		assert.equal(await hasSameStat(path, first), false);
		assert.equal(describeFingerprintChange(first, touched), undefined);
		writeFileSync(path, 'abd\n');
		assert.equal(describeFingerprintChange(first, await fingerprintFile(path)), 'its content changed');
		writeFileSync(path, 'abcd\n');
		assert.match(
			describeFingerprintChange(first, await fingerprintFile(path)) ?? '',
			/size changed from 4 to 5/,
		);
	});
});
