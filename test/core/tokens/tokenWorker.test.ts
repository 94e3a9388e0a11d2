import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { countTextTokens } from '../../../src/core/tokens/encoding';
import { handleTokenWorkerMessage, type TokenWorkerResponse } from '../../../src/core/tokens/tokenWorker';

const workerEntry = resolve(__dirname, '..', '..', '..', 'src', 'core', 'tokens', 'tokenWorker.ts');

describe('tokenWorker', () => {
	it('answers a batch with the exact counts in order', () => {
		const texts = ['hello world', '', '<|endoftext|> is plain text here', 'x'.repeat(2000)];
		assert.deepEqual(handleTokenWorkerMessage({ id: 4, texts, encoding: 'cl100k_base' }), {
			id: 4,
			counts: texts.map((text) => countTextTokens(text, 'cl100k_base')),
		});
	});

	it('refuses malformed requests with a reason instead of throwing', () => {
		assert.deepEqual(handleTokenWorkerMessage(null), { id: -1, error: 'request is not an object' });
		assert.deepEqual(handleTokenWorkerMessage({ texts: [] }), { id: -1, error: 'request has no numeric id' });
		const badEncoding = handleTokenWorkerMessage({ id: 2, texts: [], encoding: 'p50k_base' });
		assert.equal(badEncoding.id, 2);
		assert.match('error' in badEncoding ? badEncoding.error : '', /unknown encoding "p50k_base"/);
		assert.deepEqual(handleTokenWorkerMessage({ id: 3, texts: ['a', 1], encoding: 'o200k_base' }), {
			id: 3,
			error: 'texts must be an array of strings',
		});
	});

	it('bundles with esbuild and counts off the main thread in a real worker', async function () {
		this.timeout(30_000);
		// Built the way esbuild.mjs builds dist/tokenWorker.js, into a scratch folder.
		const outdir = mkdtempSync(join(tmpdir(), 'token-worker-'));
		const outfile = join(outdir, 'tokenWorker.js');
		await build({
			entryPoints: [workerEntry],
			outfile,
			bundle: true,
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			logLevel: 'silent',
		});
		const worker = new Worker(outfile);
		try {
			const replies: TokenWorkerResponse[] = [];
			const done = new Promise<void>((resolveDone, reject) => {
				worker.on('error', reject);
				worker.on('message', (reply: TokenWorkerResponse) => {
					replies.push(reply);
					if (replies.length === 2) resolveDone();
				});
			});
			worker.postMessage({ id: 1, texts: ['one two three', 'Grüße 🌍'], encoding: 'o200k_base' });
			worker.postMessage({ id: 2, texts: 'nope', encoding: 'o200k_base' });
			await done;
			assert.deepEqual(replies, [
				{
					id: 1,
					counts: [countTextTokens('one two three', 'o200k_base'), countTextTokens('Grüße 🌍', 'o200k_base')],
				},
				{ id: 2, error: 'texts must be an array of strings' },
			]);
		} finally {
			await worker.terminate();
			rmSync(outdir, { recursive: true, force: true });
		}
	});
});
