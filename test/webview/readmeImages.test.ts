import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ViewSession } from '../core/view/viewPipeline';
import type { Locator } from 'playwright-core';
import { compactSession, openSession, sessionOf } from '../core/view/viewPipeline';
import { FakeHost, hostReviewView } from './fakeHost';
import { compactedSampleSession, openSection } from './auditSupport';
import { openWebview, outputDir, screenshot, useChromiumSuite } from './harness';

/** A screenshot of one element under `.test-output/webview/`; returns its path. */
async function elementShot(locator: Locator, name: string): Promise<string> {
	const path = join(outputDir, `${name}.png`);
	await locator.screenshot({ path });
	return path;
}

const repoRoot = resolve(__dirname, '..', '..');
const sample = join(repoRoot, 'test', 'fixtures', 'sample-claude-session.jsonl');

/** The images the README shows, as written in its Markdown. */
function readmeImages(): string[] {
	const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
	return [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
}

// The README is the installed extension's Details page: its images must ship in the VSIX (.vscodeignore keeps
// media/ and drops docs/), and they show the bundled sample session, never a machine's paths or corpus text.
describe('README images', function () {
	const suite = useChromiumSuite();
	const { opened } = suite;
	let session: ViewSession;

	/** "Compare strategies" on the sample, against a 50k window so most strategies have work to do. */
	async function renderCompare(sampleSession: ViewSession): Promise<string> {
		const narrow = sessionOf(sampleSession.transcript, 'sample.jsonl', 50_000);
		const page = await openWebview(
			suite.browser,
			suite.server.pageUrl('transcript', 'dark'),
			new FakeHost({ transcriptId: 'sample', session: narrow }).onPost,
			{ width: 1100, height: 1600 },
		);
		opened.push(page);
		await page.page.locator('[data-testid=usage]').waitFor();
		await openSection(page, 'compare');
		const compare = page.page.locator('cl-compare-view');
		await compare.locator('vscode-button[data-action=compare]').click();
		await compare.locator('tbody tr').nth(7).waitFor();
		assert.equal((await compare.locator('tbody tr vscode-button[data-action=review]').count()) > 3, true);
		return elementShot(page.page.locator('vscode-collapsible[data-section=compare]'), 'readme-compare');
	}

	/** The timeline and the compaction's entry, on the sample with an automatic compaction added. */
	async function renderTimeline(): Promise<string> {
		const page = await openWebview(
			suite.browser,
			suite.server.pageUrl('transcript', 'dark'),
			new FakeHost({ transcriptId: 'sample', session: compactedSampleSession() }).onPost,
			{ width: 1100, height: 1600 },
		);
		opened.push(page);
		await page.page.locator('[data-testid=usage]').waitFor();
		await openSection(page, 'timeline');
		await page.page.locator('cl-agent-compactions li.entry').waitFor();
		await page.page.locator('cl-timeline g.mark path').click();
		await page.page.locator('cl-agent-compactions li.entry.selected').waitFor();
		return elementShot(page.page.locator('vscode-collapsible[data-section=timeline]'), 'readme-timeline');
	}

	before(() => {
		session = openSession(sample);
	});

	it('are all in media/, which the VSIX ships', () => {
		const images = readmeImages();
		assert.ok(images.length >= 3, `the README shows a hero and its features (${images.join(', ')})`);
		const ignore = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8');
		assert.match(ignore, /^!media\/\*\*$/m);
		for (const image of images) {
			assert.match(image, /^media\/[\w.-]+\.png$/, `${image} is a packaged, relative PNG`);
			assert.ok(existsSync(join(repoRoot, image)), `${image} exists`);
		}
	});

	it('are rendered from the bundled sample: the editor with a filled gauge, and the review', async () => {
		const editor = await openWebview(
			suite.browser,
			suite.server.pageUrl('transcript', 'dark'),
			new FakeHost({ transcriptId: 'sample', session }).onPost,
			{ width: 1100, height: 720 },
		);
		opened.push(editor);
		await editor.page.locator('[data-testid=usage]').waitFor();
		const usage = (await editor.page.locator('[data-testid=usage]').textContent()) ?? '';
		assert.match(usage, /^[\d,]+ of [\d,]+ · \d+%$/, 'the gauge is filled');
		const hero = await screenshot(editor.page, 'readme-editor', false);

		const sidebar = await openWebview(
			suite.browser,
			suite.server.pageUrl('gauge', 'dark'),
			new FakeHost({ transcriptId: 'sample', session }).onPost,
			{ width: 300, height: 420 },
		);
		opened.push(sidebar);
		await sidebar.page.locator('[data-testid=usage]').waitFor();
		const gauge = await screenshot(sidebar.page, 'readme-gauge', false);

		const result = await compactSession(session, { focus: 'rounding' });
		const review = hostReviewView(session, result);
		assert.ok(review.success);
		const page = await openWebview(
			suite.browser,
			suite.server.pageUrl('review', 'dark'),
			new FakeHost({ transcriptId: 'sample', session, review }).onPost,
			{ width: 1100, height: 720 },
		);
		opened.push(page);
		await page.page.locator('[data-testid=review-numbers]').waitFor();
		const reviewShot = await screenshot(page.page, 'readme-review', false);
		// REFRESH_README_IMAGES=1 copies the fresh renderings over the README's images (run it after a UI change, then
		// shrink them with Debian's pngquant: the VSIX has a size budget).
		const compareShot = await renderCompare(session);
		const timelineShot = await renderTimeline();
		if (process.env['REFRESH_README_IMAGES'] === '1') {
			copyFileSync(compareShot, join(repoRoot, 'media', 'readme-compare.png'));
			copyFileSync(timelineShot, join(repoRoot, 'media', 'readme-timeline.png'));
			copyFileSync(hero, join(repoRoot, 'media', 'readme-editor.png'));
			copyFileSync(gauge, join(repoRoot, 'media', 'readme-gauge.png'));
			copyFileSync(reviewShot, join(repoRoot, 'media', 'readme-review.png'));
		}
	});

	it('show a pinned message in the editor: its mark on the region map, its figure and its row', async () => {
		const host = new FakeHost({ transcriptId: 'sample', session });
		const editor = await openWebview(suite.browser, suite.server.pageUrl('transcript', 'dark'), host.onPost, {
			width: 1100,
			height: 600,
		});
		opened.push(editor);
		await editor.page.locator('[data-testid=usage]').waitFor();
		// A tool call a third into the middle, so the shot shows the pinned call and the result kept with it.
		const { middle } = session.view.plan.regions;
		const target = session.view.rows.findIndex(
			(r) => r.index >= middle.from + (middle.to - middle.from) / 3 && r.kinds.includes('toolCall'),
		);
		await editor.page.evaluate(
			`document.querySelector('cl-app-shell').shadowRoot.querySelector('cl-message-list').scrollToIndex(${target})`,
		);
		await editor.page.locator(`cl-message-list #row-${target} button.pin`).click({ force: true });
		await editor.page.locator('cl-region-map [data-testid=pin-summary]').waitFor();
		assert.deepEqual([...host.pinned], [target]);
		await editor.page.mouse.move(0, 0);
		const shot = await screenshot(editor.page, 'readme-pins', false);
		if (process.env['REFRESH_README_IMAGES'] === '1')
			copyFileSync(shot, join(repoRoot, 'media', 'readme-pins.png'));
	});
});
