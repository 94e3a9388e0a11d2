import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import type { ReviewView } from '../../src/core/view/viewModel';
import { gaugeStrings, reviewStrings } from '../../src/protocol/strings';
import type { ViewSession } from '../core/view/viewPipeline';
import { compactSession, realOrSyntheticSession } from '../core/view/viewPipeline';
import { FakeHost, hostReviewView } from './fakeHost';
import type { WebviewPage } from './harness';
import { openWebview, screenshot, useChromiumSuite } from './harness';

/** A rendered box in page coordinates, with the text it shows and the text it would need. */
interface LabelBox {
	readonly text: string;
	readonly x: number;
	readonly y: number;
	readonly width: number;
	readonly height: number;
	/** The label's content is wider than its box: the person sees a clipped stub. */
	readonly isClipped: boolean;
}

// Collects visible labels through the shadow roots: region-map band labels and gauge threshold labels.
const labelBoxesScript = (selector: string): string => `(() => {
	const found = [];
	const walk = (root) => {
		for (const el of root.querySelectorAll('*')) {
			if (el.shadowRoot) walk(el.shadowRoot);
		}
		for (const el of root.querySelectorAll(${JSON.stringify(selector)})) {
			const style = getComputedStyle(el);
			if (el.hidden || style.visibility === 'hidden' || style.display === 'none') continue;
			const text = (el.textContent || '').trim();
			if (text === '') continue;
			const box = el.getBoundingClientRect();
			found.push({
				text,
				x: box.x + scrollX,
				y: box.y + scrollY,
				width: box.width,
				height: box.height,
				isClipped: el.scrollWidth > el.clientWidth + 0.5,
			});
		}
	};
	walk(document);
	return found;
})()`;

async function labelBoxes(page: Page, selector: string): Promise<LabelBox[]> {
	return (await page.evaluate(labelBoxesScript(selector))) as LabelBox[];
}

function overlaps(a: LabelBox, b: LabelBox): boolean {
	return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Asserts the labels neither collide with each other nor show as stubs, and stay inside the page's width. */
function assertLabelsReadable(labels: readonly LabelBox[], pageWidth: number, where: string): void {
	for (const label of labels) {
		assert.ok(!label.isClipped, `${where}: "${label.text}" is clipped`);
		assert.ok(label.text.length >= 3, `${where}: "${label.text}" is shorter than 3 characters`);
		assert.ok(
			label.x >= 0 && label.x + label.width <= pageWidth + 0.5,
			`${where}: "${label.text}" runs off the page (${label.x}..${label.x + label.width} of ${pageWidth})`,
		);
	}
	for (let i = 0; i < labels.length; i++)
		for (let j = i + 1; j < labels.length; j++) {
			const a = labels[i];
			const b = labels[j];
			if (a !== undefined && b !== undefined)
				assert.ok(!overlaps(a, b), `${where}: "${a.text}" and "${b.text}" overlap`);
		}
}

/** Asserts the element lies wholly inside the viewport of the page as it is (no scrolling). */
async function assertInViewport(page: Page, selector: string, what: string): Promise<void> {
	const box = await page.locator(selector).boundingBox();
	const viewport = page.viewportSize();
	assert.ok(box !== null && viewport !== null, `${what} is rendered`);
	assert.ok(
		box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height,
		`${what} is within the ${viewport.width}x${viewport.height} viewport: ${JSON.stringify(box)}`,
	);
}

describe('webview: layout at sidebar and review-column widths in chromium', function () {
	// Chromium on a loaded machine: each case renders, resizes and screenshots, which can pass mocha's 2 s default.
	this.timeout(30_000);
	const suite = useChromiumSuite();
	let session: ViewSession;
	let review: ReviewView;
	const { opened } = suite;

	before(async function () {
		session = realOrSyntheticSession(300, 60_000);
		review = hostReviewView(session, await compactSession(session, { focus: 'codex' }));
		assert.ok(review.lostFacts.length >= 4, 'enough lost facts to scroll the list');
	});

	async function open(
		kind: 'gauge' | 'review',
		width: number,
		height: number,
		ready: string,
	): Promise<WebviewPage> {
		const host = new FakeHost({ transcriptId: 't1', session, review });
		const view = await openWebview(suite.browser, suite.server.pageUrl(kind, 'dark'), host.onPost, {
			width,
			height,
		});
		opened.push(view);
		await view.page.locator(ready).waitFor();
		// Labels are fitted after layout (a resize observer and a second render); give them a frame or two.
		await view.page.evaluate(
			'new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))',
		);
		return view;
	}

	for (const width of [240, 300, 400]) {
		it(`sidebar gauge at ${width} px: labels readable, Compress in sight with Sessions expanded (screenshots)`, async () => {
			// 320 px tall: the Gauge view's share of the sidebar with the Sessions view expanded below it.
			const view = await open('gauge', width, 320, '[data-testid=usage]');
			const { page } = view;
			// With a review waiting, the widest row of actions the sidebar has.
			await view.send({ type: 'reviews/pending', count: 12 });
			await page.locator('cl-app-shell vscode-button[data-action=review-pending]').waitFor();
			await screenshot(page, `layout-gauge-${width}-short`, false);
			await assertInViewport(
				page,
				'cl-app-shell vscode-button[data-action=review-pending]',
				gaugeStrings.reviewPending(12),
			);
			await assertInViewport(page, 'cl-app-shell vscode-button[data-action=compress]', gaugeStrings.compress);
			await assertInViewport(
				page,
				'cl-app-shell vscode-button[data-action=open-transcript]',
				gaugeStrings.openTranscript,
			);
			assert.equal(
				await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
				0,
				'nothing is wider than the sidebar',
			);
			const bands = await labelBoxes(page, '.band-label');
			assert.ok(bands.length >= 1, 'at least one region label is shown');
			assertLabelsReadable(bands, width, `region map at ${width} px`);
			const marks = await labelBoxes(page, '.mark-label');
			assert.equal(marks.length, 2, 'both threshold labels are shown');
			assertLabelsReadable(marks, width, `gauge marks at ${width} px`);
			// A band without a label still names itself: the strip's accessible name lists every band.
			const name = (await page.locator('cl-region-map .strip').getAttribute('aria-label')) ?? '';
			assert.match(name, /head \d+ msgs?.*middle \d+ msgs?.*tail \d+ msgs?/);
			await page.setViewportSize({ width, height: 900 });
			await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
			await screenshot(page, `layout-gauge-${width}`, false);
		});
	}

	it('review in a 600 px column: Apply in sight, the last lost fact not covered (screenshots)', async () => {
		const view = await open('review', 600, 700, '[data-testid=review-numbers]');
		const { page } = view;
		await screenshot(page, 'layout-review-600-top', false);
		assert.equal(await page.evaluate('scrollY'), 0);
		await assertInViewport(page, 'cl-summary-review vscode-button[data-action=apply]', reviewStrings.apply);
		await assertInViewport(page, 'cl-summary-review [data-testid=apply-description]', 'what Apply writes');
		assert.equal(
			await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
			0,
			'nothing is wider than the column',
		);

		// Scroll the fact list to its end and bring its last fact into view, as the arrow keys would.
		const covered = await page.evaluate(`(() => {
			const review = document.querySelector('cl-app-shell').shadowRoot.querySelector('cl-summary-review');
			const root = review.shadowRoot;
			const list = root.querySelector('ul');
			list.scrollTop = list.scrollHeight;
			const last = list.querySelector('li:last-child');
			last.scrollIntoView({ block: 'nearest' });
			const box = last.getBoundingClientRect();
			const addAll = [...root.querySelectorAll('vscode-button')].find((b) => b.textContent.trim() === ${JSON.stringify(reviewStrings.addAll)});
			const bar = root.querySelector('.actions-bar').getBoundingClientRect();
			const probes = [0.2, 0.5, 0.8].flatMap((fx) => [4, box.height / 2, box.height - 4].map((dy) => [box.left + box.width * fx, box.top + dy]));
			const hidden = probes.filter(([x, y]) => { const hit = root.elementFromPoint(x, y); return hit === null || !last.contains(hit); });
			return { hidden: hidden.length, lastBottom: box.bottom, addAllTop: addAll.getBoundingClientRect().top, barTop: bar.top };
		})()`);
		const result = covered as { hidden: number; lastBottom: number; addAllTop: number; barTop: number };
		assert.equal(result.hidden, 0, `the last lost fact is not covered: ${JSON.stringify(result)}`);
		assert.ok(result.lastBottom <= result.addAllTop, `"${reviewStrings.addAll}" sits below the last fact`);
		assert.ok(result.lastBottom <= result.barTop, 'the sticky action bar does not cover the last fact');
		await screenshot(page, 'layout-review-600-facts', false);
		await assertInViewport(page, 'cl-summary-review vscode-button[data-action=apply]', reviewStrings.apply);
	});
});
