import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticTranscript } from '../core/view/syntheticTranscript';
import type { ViewSession } from '../core/view/viewPipeline';
import { sessionOf } from '../core/view/viewPipeline';
import { FakeHost } from './fakeHost';
import type { WebviewPage } from './harness';
import { openWebview, outputDir, screenshot, useChromiumSuite } from './harness';

/** First paint budget of a 10,000-message transcript, in milliseconds (the target). */
const firstPaintBudgetMs = 500;

const messageCount = 10_000;

// Runs in the page: shows the stashed transcript, then resolves after the first frame that has list rows and a drawn map.
const measureFirstPaint = `new Promise((resolve) => {
	const started = performance.now();
	window.dispatchEvent(new MessageEvent('message', { data: window.__clPending }));
	const shell = document.querySelector('cl-app-shell');
	const tick = () => {
		const list = shell.shadowRoot.querySelector('cl-message-list');
		const rows = list && list.shadowRoot ? list.shadowRoot.querySelectorAll('.row').length : 0;
		if (rows > 0) requestAnimationFrame(() => resolve({ ms: performance.now() - started, rows }));
		else requestAnimationFrame(tick);
	};
	tick();
})`;

// Runs in the page: scrolls the list top to bottom in steps, timing each step to its next painted frame.
const measureScroll = `(async () => {
	const list = document.querySelector('cl-app-shell').shadowRoot.querySelector('cl-message-list');
	const viewport = list.shadowRoot.querySelector('.viewport');
	const frames = [];
	let maxRows = 0;
	const steps = 120;
	for (let i = 1; i <= steps; i++) {
		const started = performance.now();
		viewport.scrollTop = (viewport.scrollHeight - viewport.clientHeight) * (i / steps);
		await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
		frames.push(performance.now() - started);
		maxRows = Math.max(maxRows, list.shadowRoot.querySelectorAll('.row').length);
	}
	frames.sort((a, b) => a - b);
	const last = list.shadowRoot.querySelector('#row-${messageCount - 1}') !== null;
	const renders = [];
	for (let i = 0; i < 60; i++) {
		const started = performance.now();
		list.firstRow = Math.floor(((i * 7919) % 97) / 97 * ${messageCount});
		await list.updateComplete;
		renders.push(performance.now() - started);
	}
	renders.sort((a, b) => a - b);
	viewport.scrollTop = 0;
	await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
	return { meanMs: frames.reduce((a, b) => a + b, 0) / frames.length, p95Ms: frames[Math.floor(frames.length * 0.95)], maxMs: frames[frames.length - 1], renderMedianMs: renders[30], renderP95Ms: renders[57], maxRows, isLastRowShown: last };
})()`;

describe('webview: 10,000 messages in chromium', function () {
	// Each run's page is closed before the next opens; the suite closes the last one after the test.
	const suite = useChromiumSuite({ checksPages: false });
	let session: ViewSession;
	let view: WebviewPage | undefined;

	before(() => {
		session = sessionOf(syntheticTranscript(messageCount), 'synthetic-10k.jsonl', 4_000_000);
	});

	it('paints the transcript view within the budget and scrolls the list without building every row', async () => {
		const host = new FakeHost({ transcriptId: 'big' });
		const payload = { type: 'transcript/show', transcriptId: 'big', view: session.view };
		const runs: number[] = [];
		let scroll:
			| {
					meanMs: number;
					p95Ms: number;
					maxMs: number;
					renderMedianMs: number;
					renderP95Ms: number;
					maxRows: number;
					isLastRowShown: boolean;
			  }
			| undefined;
		for (let run = 0; run < 3; run++) {
			await view?.page.context().close();
			view = await openWebview(suite.browser, suite.server.pageUrl('transcript', 'dark'), host.onPost, {
				width: 1200,
				height: 1000,
			});
			await view.page.locator('[role=status]').first().waitFor();
			// The payload is stashed first so the measurement covers the page's work, not the test's serialisation.
			await view.page.evaluate(`window.__clPending = ${JSON.stringify(payload)}; undefined`);
			const painted = (await view.page.evaluate(measureFirstPaint)) as { ms: number; rows: number };
			runs.push(painted.ms);
			assert.ok(painted.rows <= 60, `${painted.rows} rows built for ${messageCount} messages`);
			if (run === 2) scroll = (await view.page.evaluate(measureScroll)) as typeof scroll;
		}
		assert.ok(view && scroll);
		suite.opened.push(view);
		await screenshot(view.page, 'transcript-10k-dark');
		assert.deepEqual(view.errors, []);
		runs.sort((a, b) => a - b);
		const firstPaintMs = runs[1] ?? Number.NaN;
		const metrics = {
			messages: messageCount,
			payloadBytes: JSON.stringify(payload).length,
			firstPaintMs: Math.round(firstPaintMs),
			firstPaintRunsMs: runs.map(Math.round),
			scroll: {
				meanFrameMs: Math.round(scroll.meanMs * 10) / 10,
				p95FrameMs: Math.round(scroll.p95Ms * 10) / 10,
				maxFrameMs: Math.round(scroll.maxMs * 10) / 10,
				renderMedianMs: Math.round(scroll.renderMedianMs * 10) / 10,
				renderP95Ms: Math.round(scroll.renderP95Ms * 10) / 10,
				maxRowsInDom: scroll.maxRows,
			},
		};
		mkdirSync(outputDir, { recursive: true });
		writeFileSync(join(outputDir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
		console.log(`      webview 10k: ${JSON.stringify(metrics)}`);
		assert.ok(
			firstPaintMs <= firstPaintBudgetMs,
			`first paint took ${Math.round(firstPaintMs)} ms (budget ${firstPaintBudgetMs})`,
		);
		assert.ok(scroll.isLastRowShown, 'scrolling to the end shows the last message');
		assert.ok(scroll.maxRows <= 80, `at most ${scroll.maxRows} rows in the DOM while scrolling`);
		// Re-rendering the rows in view is the list's own share of a scroll frame; it must fit one 60 Hz frame.
		// Whole-frame times are reported, not asserted: on a loaded CI machine they measure the machine.
		assert.ok(scroll.renderMedianMs <= 16, `a list re-render took ${scroll.renderMedianMs} ms (median)`);
	});
});
