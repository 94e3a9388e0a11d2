import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, repoRoot } from '../webview/harness';
import {
	checkReadmeImages,
	describeVerdict,
	parseReadmeImagesRequest,
	readmeImagesRequest,
} from './readmeImages';

// The runner's README image check (readmeImages.ts) against a page shaped like the Details page: the README in a
// nested frame, below the fold, with one image that loads, one the server does not have and one whose src the
// sanitiser removed. The host run can only show the failing side today (VS Code drops relative image paths), so
// this is where the check is seen to pass a rendered image.
const images = [
	{ src: 'media/readme-gauge.png', alt: 'The sidebar gauge' },
	{ src: 'media/readme-absent.png', alt: 'An image the server does not have' },
	{ src: 'media/readme-review.png', alt: 'An image whose src was removed' },
];

/** Spacer that puts each image below the fold of a 600-pixel page. */
const spacer = '<div style="height: 900px"></div>';
const detailsHtml = `<!DOCTYPE html><html><body><h1>Context Lens</h1>
${spacer}<img alt="${images[0]?.alt}" src="/${images[0]?.src}">
${spacer}<img alt="${images[1]?.alt}" src="/${images[1]?.src}">
${spacer}<img alt="${images[2]?.alt}">
${spacer}</body></html>`;
const pageHtml =
	'<!DOCTYPE html><html><body style="margin:0"><iframe src="/details" style="width:800px;height:600px;border:0"></iframe></body></html>';

function serve(): Promise<Server> {
	const server = createServer((request, response) => {
		const path = request.url ?? '/';
		if (path === '/' || path === '/details') {
			response.writeHead(200, { 'content-type': 'text/html' });
			response.end(path === '/' ? pageHtml : detailsHtml);
			return;
		}
		const file = join(repoRoot, path.slice(1));
		if (path.startsWith('/media/') && existsSync(file)) {
			response.writeHead(200, { 'content-type': 'image/png' });
			response.end(readFileSync(file));
			return;
		}
		response.writeHead(404);
		response.end();
	});
	return new Promise((resolveServer) => server.listen(0, '127.0.0.1', () => resolveServer(server)));
}

describe('README image check of the Details page (runner side)', function () {
	let browser: Browser | undefined;
	let server: Server | undefined;
	let outDir = '';

	before(async function () {
		const launched = await launchChromium();
		if (typeof launched === 'string') {
			console.log(`skipping the README image check: ${launched}`);
			this.skip();
		}
		browser = launched;
		server = await serve();
		outDir = mkdtempSync(join(tmpdir(), 'readme-images-'));
	});

	after(async () => {
		await browser?.close();
		await new Promise((done) => (server === undefined ? done(undefined) : server.close(done)));
		if (outDir !== '') rmSync(outDir, { recursive: true, force: true });
	});

	it('reads the request a suite logs', () => {
		const line = `${readmeImagesRequest}${JSON.stringify({ images, replyFile: '/tmp/verdict.json' })}`;
		assert.deepEqual(parseReadmeImagesRequest(`  ${line}`), { images, replyFile: '/tmp/verdict.json' });
		assert.equal(parseReadmeImagesRequest(`${readmeImagesRequest}{not json`), undefined);
		assert.equal(parseReadmeImagesRequest('an unrelated log line'), undefined);
	});

	it('passes an image that loaded below the fold and names the ones that did not, with the reason', async () => {
		assert.ok(browser !== undefined && server !== undefined);
		const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
		try {
			const { port } = server.address() as AddressInfo;
			await page.goto(`http://127.0.0.1:${port}/`);
			const verdict = await checkReadmeImages(page, images, outDir);
			assert.equal(verdict.problem, undefined);
			assert.equal(verdict.isOk, false);
			const [loaded, absent, stripped] = verdict.results;
			assert.equal(loaded?.isRendered, true, loaded?.problem);
			// readme-gauge.png's own size, read back from the page.
			const png = readFileSync(join(repoRoot, images[0]?.src ?? ''));
			assert.deepEqual(
				[loaded?.naturalWidth, loaded?.naturalHeight],
				[png.readUInt32BE(16), png.readUInt32BE(20)],
			);
			assert.equal(absent?.isRendered, false);
			assert.match(absent?.problem ?? '', /did not load from \/media\/readme-absent\.png \(naturalWidth 0/);
			assert.equal(stripped?.isRendered, false);
			assert.match(stripped?.problem ?? '', /removed its src/);
			for (const result of verdict.results)
				assert.ok(
					result.screenshot !== undefined && existsSync(result.screenshot),
					`${result.image} photographed`,
				);
			const lines = describeVerdict(verdict);
			assert.equal(lines.length, 3);
			assert.match(
				lines[0] ?? '',
				/^README image rendered on the Details page: media\/readme-gauge\.png \(\d+x\d+\)/,
			);
			assert.match(
				lines[1] ?? '',
				/^README image NOT rendered on the Details page: media\/readme-absent\.png: /,
			);
		} finally {
			await page.close();
		}
	});
});
