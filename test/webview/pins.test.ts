import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compactTranscript } from '../../src/core/compaction/compactTranscript';
import { planCompaction } from '../../src/core/compaction/planCompaction';
import { createOfflineSummarizer } from '../../src/core/summarize/offline/offlineSummarizer';
import { buildPlanView } from '../../src/core/view/buildTranscriptView';
import type { PlanView } from '../../src/core/view/viewModel';
import type { ViewToHost } from '../../src/protocol/messages';
import { describePinned } from '../../webview/format';
import type { ViewSession } from '../core/view/viewPipeline';
import { openSession, whatIfOptions } from '../core/view/viewPipeline';
import { FakeHost, hostReviewView } from './fakeHost';
import type { WebviewPage } from './harness';
import { openWebview, screenshot, useChromiumSuite, waitForText } from './harness';

const sample = join(__dirname, '..', 'fixtures', 'sample-claude-session.jsonl');

type PinMessage = Extract<ViewToHost, { type: 'message/pin' }>;

function isPin(test: (m: PinMessage) => boolean = () => true) {
	return (m: unknown): m is PinMessage =>
		typeof m === 'object' &&
		m !== null &&
		(m as { type?: unknown }).type === 'message/pin' &&
		test(m as PinMessage);
}

/** The plan the host would answer with for these pins and the page's what-if. */
function planWith(session: ViewSession, pinned: readonly number[], whatIf = {}): PlanView {
	return buildPlanView(
		planCompaction(session.transcript, {
			...whatIfOptions(session.counter, session.contextWindow, whatIf),
			pinned: new Set(pinned),
		}),
	);
}

describe('webview: pins in chromium', function () {
	const suite = useChromiumSuite();
	const { opened } = suite;
	let session: ViewSession;
	// A message in the middle with a tool call (its result is kept with it), and its row.
	let target = -1;

	before(() => {
		session = openSession(sample);
		const { middle } = session.view.plan.regions;
		target = session.view.rows.findIndex(
			(r, i) => i > middle.from + 10 && i < middle.to && r.kinds.includes('toolCall'),
		);
	});

	async function open(view: 'gauge' | 'transcript', host: FakeHost, width = 1100): Promise<WebviewPage> {
		const page = await openWebview(suite.browser, suite.server.pageUrl(view, 'dark'), host.onPost, {
			width,
			height: view === 'gauge' ? 520 : 900,
		});
		opened.push(page);
		await page.page.locator('[data-testid=usage]').waitFor();
		return page;
	}

	it('pins a row from the message list: the host stores it, the map marks it and counts it, the row says so', async () => {
		assert.ok(target > 0, 'the sample has a tool call in the middle');
		const host = new FakeHost({ transcriptId: 't1', session });
		const view = await open('transcript', host);
		const row = view.page.locator(`cl-message-list #row-${target}`);
		await view.page.locator('cl-message-list .viewport').focus();
		await view.page.evaluate(
			`document.querySelector('cl-app-shell').shadowRoot.querySelector('cl-message-list').scrollToIndex(${target})`,
		);
		await row.hover();
		const button = row.locator('button.pin');
		assert.equal(await button.getAttribute('aria-pressed'), 'false');
		assert.equal(await button.getAttribute('aria-label'), `Pin message ${target + 1}`);
		await button.click();
		const posted = await view.waitForPosted(isPin((m) => m.index === target));
		assert.equal(posted.isPinned, true);
		assert.equal(posted.transcriptId, 't1');
		assert.equal(posted.whatIf.strategy, 'summarize');
		assert.deepEqual([...host.pinned], [target]);
		assert.ok(!host.received.some((m) => m.type === 'message/details'), 'pinning does not open the row');

		const expected = planWith(session, [target]);
		assert.ok(expected.pinned.partners.length >= 1, 'the calls keep their results');
		await waitForText(
			view.page.locator('cl-region-map [data-testid=pin-summary]'),
			(text) => text === `pinned: ${describePinned(expected.pinned)}`,
		);
		assert.equal(await view.page.locator(`cl-region-map [data-pin-mark="${target}"]`).count(), 1);
		assert.equal(await view.page.locator('cl-region-map .pin-mark').count(), 1);
		assert.match(
			(await view.page.locator('cl-region-map .strip').getAttribute('aria-label')) ?? '',
			/Pinned: 1 message/,
		);
		assert.equal(await button.getAttribute('aria-pressed'), 'true');
		assert.match((await row.getAttribute('aria-label')) ?? '', /, pinned: /);
		await screenshot(view.page, 'pins-editor');
	});

	it('pins and unpins with the keyboard and from the details pane; the plan keeps the what-if settings', async () => {
		const host = new FakeHost({ transcriptId: 't1', session });
		const view = await open('transcript', host);
		await view.page.locator('cl-what-if-controls vscode-textfield[data-field=headMessages] input').fill('5');
		await view.waitForPosted(
			(m): m is unknown =>
				(m as { type?: string; whatIf?: { headMessages?: number } }).type === 'plan/request' &&
				(m as { whatIf: { headMessages?: number } }).whatIf.headMessages === 5,
		);
		await waitForText(view.page.locator('[data-testid=region-summary]'), (t) => t.startsWith('head 5 msgs'));
		const viewport = view.page.locator('cl-message-list .viewport');
		await viewport.focus();
		for (let i = 0; i < 8; i++) await view.page.keyboard.press('ArrowDown');
		await view.page.keyboard.press('p');
		const byKey = await view.waitForPosted(isPin((m) => m.index === 8));
		assert.equal(byKey.isPinned, true);
		assert.equal(byKey.whatIf.headMessages, 5, 'the re-plan keeps the what-if the page shows');
		await waitForText(view.page.locator('[data-testid=region-summary]'), (t) => t.startsWith('head 5 msgs'));
		await waitForText(view.page.locator('[data-testid=pin-summary]'), (t) =>
			t.startsWith('pinned: 1 message'),
		);

		await view.page.keyboard.press('Enter');
		const pinButton = view.page.locator(
			'cl-message-list [data-testid=details] vscode-button[data-action=pin]',
		);
		await waitForText(pinButton, (t) => t.trim() === 'Unpin');
		await pinButton.click();
		const unpin = await view.waitForPosted(isPin((m) => m.index === 8 && !m.isPinned));
		assert.equal(unpin.whatIf.headMessages, 5);
		await view.page.locator('[data-testid=pin-summary]').waitFor({ state: 'detached' });
		assert.equal(await view.page.locator('cl-region-map .pin-mark').count(), 0);
		assert.deepEqual([...host.pinned], []);
	});

	it("pins from the sidebar gauge's Largest list", async () => {
		const host = new FakeHost({ transcriptId: 't1', session });
		const view = await open('gauge', host, 300);
		const largest = session.view.largest[0];
		assert.ok(largest !== undefined);
		const button = view.page.locator(`cl-app-shell .largest button.pin[data-pin="${largest}"]`);
		assert.equal(await button.getAttribute('aria-label'), `Pin message ${largest + 1}`);
		await button.click();
		const posted = await view.waitForPosted(isPin((m) => m.index === largest));
		assert.equal(posted.isPinned, true);
		await waitForText(
			view.page.locator('cl-region-map [data-testid=pin-summary]'),
			(text) => text === `pinned: ${describePinned(planWith(session, [largest]).pinned)}`,
		);
		assert.equal(await button.getAttribute('aria-pressed'), 'true');
		assert.equal(await view.page.locator(`cl-region-map [data-pin-mark="${largest}"]`).count(), 1);
		const overflow = await view.page.evaluate(
			'document.documentElement.scrollWidth - document.documentElement.clientWidth',
		);
		assert.equal(overflow, 0, 'the pin buttons fit the 300 px sidebar');
		await screenshot(view.page, 'pins-sidebar');
	});

	it('the review lists the pinned messages, each a link to it', async () => {
		const result = await compactTranscript(
			session.transcript,
			{ ...whatIfOptions(session.counter, session.contextWindow, {}), pinned: new Set([target]) },
			createOfflineSummarizer(),
			new AbortController().signal,
		);
		const review = hostReviewView(session, result);
		assert.deepEqual(
			review.pinned.messages.map((m) => m.index),
			[target],
		);
		const page = await openWebview(
			suite.browser,
			suite.server.pageUrl('review', 'dark'),
			new FakeHost({ transcriptId: 't1', session, review }).onPost,
			{ width: 1100, height: 900 },
		);
		opened.push(page);
		const section = page.page.locator('cl-summary-review [data-testid=review-pinned]');
		await section.waitFor();
		assert.equal(
			(await section.locator('h3').textContent())?.replace(/\s+/g, ' ').trim(),
			`pinned: ${describePinned(review.pinned)} · kept verbatim at their place`,
		);
		const link = section.locator('button.link');
		assert.equal(await link.count(), 1);
		assert.match((await link.textContent()) ?? '', new RegExp(`#${target + 1} assistant`));
		await link.click();
		await page.waitForPosted(
			(m): m is unknown =>
				(m as { type?: string; index?: number }).type === 'message/reveal' &&
				(m as { index: number }).index === target,
		);
	});
});
