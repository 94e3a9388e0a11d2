import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { compactionStrategies } from '../../src/core/compaction/strategies';
import { parseTranscript } from '../../src/core/transcript/readTranscript';
import type { ViewToHost } from '../../src/protocol/messages';
import { auditStrings, compareStrings } from '../../src/protocol/strings';
import type { ViewSession } from '../core/view/viewPipeline';
import { sessionOf } from '../core/view/viewPipeline';
import { compactedSampleSession, openSection, samplePath } from './auditSupport';
import { FakeHost } from './fakeHost';
import type { ThemeName, WebviewPage } from './harness';
import { openWebview, screenshot, useChromiumSuite, waitForText } from './harness';

const sample = samplePath;

/** Polls `read` until it gives a value (the page re-renders asynchronously). */
async function waitForValue<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error('the value never came');
		await new Promise((done) => setTimeout(done, 50));
	}
}

function isType<K extends ViewToHost['type']>(type: K) {
	return (m: unknown): m is Extract<ViewToHost, { type: K }> =>
		typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
}

describe('webview: compaction audit and strategy comparison in chromium', function () {
	const suite = useChromiumSuite();
	const { opened } = suite;
	let session: ViewSession;

	before(() => {
		session = compactedSampleSession();
	});

	async function open(
		host: FakeHost,
		theme: ThemeName = 'dark',
		sections: readonly string[] = ['timeline', 'compare'],
	): Promise<WebviewPage> {
		const page = await openWebview(suite.browser, suite.server.pageUrl('transcript', theme), host.onPost, {
			width: 1100,
			height: 1400,
		});
		opened.push(page);
		await page.page.locator('[data-testid=usage]').waitFor();
		for (const section of sections) await openSection(page, section);
		if (sections.includes('timeline')) await page.page.locator('cl-timeline svg').waitFor();
		return page;
	}

	it('draws the timeline: our count, the agent’s record, three rules and the compaction as a button', async () => {
		const view = await open(new FakeHost({ transcriptId: 'c1', session }));
		const chart = view.page.locator('cl-timeline');
		assert.equal(await chart.locator('polyline.ours').count(), 1);
		assert.ok((await chart.locator('path.recorded').count()) >= 2, 'the record breaks at the compaction');
		assert.deepEqual(
			(await chart.locator('text.rule-label').allTextContents()).map((t) => t.split(' ')[0]),
			['window', 'rotation', 'compaction'],
		);
		const mark = chart.locator('g.mark');
		assert.equal(await mark.count(), 1);
		assert.equal(await mark.getAttribute('role'), 'button');
		assert.match(
			(await mark.getAttribute('aria-label')) ?? '',
			/^Compaction 1: automatic compaction by the agent/,
		);
		assert.match((await chart.locator('svg').getAttribute('aria-label')) ?? '', /1 compaction/);
		await screenshot(view.page, 'audit-timeline');
	});

	it('a region-map mark opens the timeline at the compaction; the timeline mark selects it too', async () => {
		const view = await open(new FakeHost({ transcriptId: 'c1', session }), 'dark', []);
		const timeline = view.page.locator('vscode-collapsible[data-section=timeline]');
		// The description arrives with the audit, a moment after the page asked for it.
		const description = await waitForValue(
			async () => (await timeline.getAttribute('description')) || undefined,
		);
		assert.match(description, /^1 compaction · \d+ facts lost$/);
		const firstMark = view.page.locator('cl-region-map .compaction-mark');
		await firstMark.waitFor();
		await firstMark.click();
		const list = view.page.locator('cl-agent-compactions');
		await list.locator('li.entry.selected').waitFor();
		await view.page.locator('cl-timeline svg').waitFor();
		await list.locator('li.entry').waitFor();
		await view.page.locator('cl-timeline g.mark path').click();
		await list.locator('li.entry.selected').waitFor();
		assert.equal(await list.locator('li.entry.selected').getAttribute('data-compaction'), '0');
		// The region map marks the compaction at its summary (the window's first row).
		const mapMark = view.page.locator('cl-region-map .compaction-mark');
		assert.equal(await mapMark.count(), 1);
		assert.match((await mapMark.getAttribute('aria-label')) ?? '', /^Compaction 1/);
		await mapMark.focus();
		await view.page.keyboard.press('Enter');
		await view.page.locator('cl-timeline g.mark').focus();
		await view.page.keyboard.press('Enter');
		assert.equal(await list.locator('li.entry.selected').count(), 1);
	});

	it('lists the compaction’s figures and lost facts, and asks the host to restore them', async () => {
		const host = new FakeHost({ transcriptId: 'c1', session });
		const view = await open(host);
		const entry = view.page.locator('cl-agent-compactions li.entry');
		await entry.waitFor();
		assert.match(
			await entry.locator('.title').innerText(),
			/^Compaction 1 · automatic · by the agent · 2026-03-02/,
		);
		assert.match(
			await entry.locator('[data-testid=compaction-figures]').innerText(),
			/^[\d,]+ tokens before → summary [\d,]+ tokens · replaced \d+ messages$/,
		);
		assert.match(
			await entry.locator('[data-testid=compaction-facts]').innerText(),
			/facts kept \d+ of \d+ \(\d+%\) · lost \d+/,
		);
		assert.ok((await entry.locator('ul.lost li').count()) >= 2);
		await entry.locator('vscode-button[data-action=restore]').click();
		const restore = await view.waitForPosted(isType('audit/restore'));
		assert.deepEqual(restore, { type: 'audit/restore', transcriptId: 'c1', compaction: 0 });
		// A lost fact opens its source line (history has no row in the window).
		await entry.locator('ul.lost li button').first().click();
		const reveal = await view.waitForPosted(isType('source/reveal'));
		assert.ok(reveal.line >= 1 && reveal.line < 126, `line ${reveal.line} is before the compaction`);
		assert.equal(await view.page.locator('cl-agent-compactions').getByText(auditStrings.restore).count(), 1);
	});

	it('a click on the timeline picks a message: a row shows its details, history opens its line', async () => {
		const host = new FakeHost({ transcriptId: 'c1', session });
		const view = await open(host);
		const box = await view.page.locator('cl-timeline svg').boundingBox();
		assert.ok(box);
		await view.page.mouse.click(box.x + box.width - 20, box.y + box.height / 2);
		const details = await view.waitForPosted(isType('message/details'));
		assert.ok(details.index >= 0);
		await view.page.mouse.click(box.x + 60, box.y + box.height / 2);
		const reveal = await view.waitForPosted(isType('source/reveal'));
		assert.ok(reveal.line < 126);
		await view.page.mouse.move(box.x + 200, box.y + box.height / 2);
		await waitForText(view.page.locator('cl-timeline .tip'), (t) => /our count [\d,]+/.test(t));
	});

	it('compares every strategy with progress, lists one row each and opens a row’s review', async () => {
		const host = new FakeHost({ transcriptId: 'c1', session, isCompareHeld: true });
		const view = await open(host);
		const compare = view.page.locator('cl-compare-view');
		await compare.locator('vscode-textfield').evaluate((el, v) => {
			(el as unknown as { value: string }).value = v;
			el.dispatchEvent(new Event('input'));
		}, 'rounding');
		await compare.locator('vscode-button[data-action=compare]').click();
		const start = await view.waitForPosted(isType('compare/start'));
		assert.deepEqual(start, { type: 'compare/start', transcriptId: 'c1', focus: 'rounding' });
		await waitForText(compare.locator('[data-testid=compare-progress]'), (t) => /of 8/.test(t));
		await host.release();
		await compare.locator('tbody tr').first().waitFor();
		assert.deepEqual(
			await compare
				.locator('tbody tr')
				.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-strategy'))),
			compactionStrategies.map((s) => s.name),
		);
		assert.equal(await compare.locator('[data-testid=compare-progress]').count(), 0);
		assert.match(await compare.locator('[data-testid=compare-before]').innerText(), /focus “rounding”/);
		await compare.locator('tr[data-strategy=summarize] vscode-button[data-action=review]').click();
		const opened = await view.waitForPosted(isType('compare/open'));
		assert.deepEqual(opened, {
			type: 'compare/open',
			transcriptId: 'c1',
			strategy: 'summarize',
			focus: 'rounding',
		});
		assert.equal(await compare.getByText(compareStrings.runAgain).count(), 1);
		await screenshot(view.page, 'audit-compare');
	});

	it('cancels a running comparison and says so', async () => {
		const host = new FakeHost({ transcriptId: 'c1', session, isCompareHeld: true });
		const view = await open(host, 'light');
		const compare = view.page.locator('cl-compare-view');
		await compare.locator('vscode-button[data-action=compare]').click();
		await compare.locator('vscode-button[data-action=cancel]').click();
		await view.waitForPosted(isType('compare/cancel'));
		await waitForText(compare.locator('.error'), (t) => t === 'The comparison was cancelled.');
		assert.equal(await compare.locator('tbody tr').count(), 0);
	});

	it('shows no compaction list for a session never compacted, and still draws its timeline', async () => {
		const read = parseTranscript(new Uint8Array(readFileSync(sample)), sample);
		assert.ok(read.ok);
		const plain = sessionOf(read.transcript, 'sample.jsonl');
		const view = await open(new FakeHost({ transcriptId: 'p1', session: plain }), 'high-contrast');
		assert.equal(await view.page.locator('cl-timeline g.mark').count(), 0);
		assert.equal(await view.page.locator('cl-agent-compactions').count(), 0);
		assert.equal(await view.page.locator('cl-region-map .compaction-mark').count(), 0);
	});
});
