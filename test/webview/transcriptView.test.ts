import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import { planCompaction } from '../../src/core/compaction/planCompaction';
import { buildMessageDetails, buildPlanView } from '../../src/core/view/buildTranscriptView';
import { transcriptViewPosts, type HostPost, type ViewToHost } from '../../src/protocol/messages';
import { gaugeStrings, listStrings } from '../../src/protocol/strings';
import { encodeViewParts } from '../../src/protocol/viewWire';
import { filterRows } from '../../webview/listFilter';
import { describeCorpus } from '../support/corpus';
import type { ViewSession } from '../core/view/viewPipeline';
import { openSession, realOrSyntheticSession, whatIfOptions } from '../core/view/viewPipeline';
import { FakeHost } from './fakeHost';
import type { ThemeName, WebviewPage } from './harness';
import {
	chooseValue,
	dataIndexes,
	openWebview,
	readValue,
	screenshot,
	useChromiumSuite,
	waitForText,
} from './harness';

const grouped = (n: number): string => n.toLocaleString('en-US');

function isType<K extends ViewToHost['type']>(
	type: K,
	test: (m: Extract<ViewToHost, { type: K }>) => boolean = () => true,
) {
	return (m: unknown): m is Extract<ViewToHost, { type: K }> =>
		typeof m === 'object' &&
		m !== null &&
		(m as { type?: unknown }).type === type &&
		test(m as Extract<ViewToHost, { type: K }>);
}

function usageText(session: ViewSession): string {
	const g = session.view.gauge;
	// The window share is cut to a whole percent; a share under 1% reads '<1%' (the same rule on every surface).
	const percent = g.percentUsed > 0 && g.percentUsed < 1 ? '<1' : String(Math.floor(g.percentUsed));
	return `${grouped(g.tokens)} of ${grouped(g.contextWindow)} · ${percent}%`;
}

describe('webview: gauge, region map and message list in chromium', function () {
	const suite = useChromiumSuite();
	let session: ViewSession;
	const { opened } = suite;

	before(async function () {
		session = realOrSyntheticSession(400, 200_000);
	});

	async function open(
		view: 'gauge' | 'transcript',
		host: FakeHost,
		theme: ThemeName = 'dark',
		width = 1100,
	): Promise<WebviewPage> {
		const page = await openWebview(suite.browser, suite.server.pageUrl(view, theme), host.onPost, {
			width,
			height: 1000,
		});
		opened.push(page);
		await page.page.locator('[data-testid=usage]').waitFor();
		return page;
	}

	it('posts ready first and renders the transcript the host sends', async () => {
		const host = new FakeHost({ transcriptId: 't1', session });
		const view = await open('transcript', host);
		assert.deepEqual(view.posted[0], { type: 'ready', view: 'transcript' });
		assert.equal(await view.page.locator('[data-testid=usage]').textContent(), usageText(session));
		const legend = await view.page.locator('cl-token-gauge .legend li').allTextContents();
		assert.equal(legend.length, 8);
		assert.ok(legend[0]?.includes('not in the file'), 'what the file does not show is a row of its own');
		assert.ok(legend[6]?.includes('tool results'));
		const meter = view.page.locator('cl-token-gauge [role=meter]');
		assert.equal(await meter.getAttribute('aria-valuemax'), String(session.view.gauge.contextWindow));
		assert.match((await meter.getAttribute('aria-valuetext')) ?? '', /compaction at .* rotation at/);
		const { head, middle, tail } = session.view.plan.regions;
		const pattern = new RegExp(
			`head ${head.to - head.from} msgs?.*middle ${middle.to - middle.from} msgs?.*tail ${tail.to - tail.from} msgs?`,
		);
		await waitForText(view.page.locator('[data-testid=region-summary]'), (text) => pattern.test(text));
		const count = session.view.rows.length;
		assert.equal(
			(await view.page.locator('[data-testid=list-status]').textContent())?.trim(),
			`showing ${grouped(count)} of ${grouped(count)} messages`,
		);
		const rendered = await view.page.locator('cl-message-list .row').count();
		assert.ok(rendered > 0 && rendered <= Math.min(count, 60), `${rendered} rows in the DOM`);
		assert.deepEqual(host.rejected, []);
	});

	it('filters the list by role, kind and search text', async () => {
		const host = new FakeHost({ transcriptId: 't1', session });
		const view = await open('transcript', host);
		const status = view.page.locator('[data-testid=list-status]');
		const expectStatus = async (shown: number): Promise<void> => {
			const want = `showing ${grouped(shown)} of ${grouped(session.view.rows.length)} messages`;
			await waitForText(status, (text) => text === want);
		};
		await chooseValue(
			view.page.locator('cl-message-list vscode-single-select[aria-label="Filter by role"]'),
			'assistant',
		);
		await expectStatus(filterRows(session.view.rows, { role: 'assistant', kind: '', search: '' }).length);
		await chooseValue(
			view.page.locator('cl-message-list vscode-single-select[aria-label="Filter by content kind"]'),
			'toolCall',
		);
		await expectStatus(
			filterRows(session.view.rows, { role: 'assistant', kind: 'toolCall', search: '' }).length,
		);
		const toolName = session.view.rows.find((r) => r.toolName !== undefined)?.toolName ?? 'Read';
		await view.page
			.locator('cl-message-list vscode-textfield[aria-label="Search messages"] input')
			.fill(toolName.toLowerCase());
		const expected = filterRows(session.view.rows, {
			role: 'assistant',
			kind: 'toolCall',
			search: toolName.toLowerCase(),
		});
		assert.ok(expected.length > 0);
		await expectStatus(expected.length);
		const shown = await dataIndexes(view.page.locator('cl-message-list .row'));
		assert.deepEqual(
			shown,
			expected.slice(0, shown.length),
			'the rendered rows are the matching ones, in order',
		);
		assert.ok(shown.length > 0);
		assert.ok((await status.textContent()) !== null);
	});

	it('clicking the region map selects that message, scrolls the list to it and shows its details', async () => {
		const host = new FakeHost({ transcriptId: 't1', session });
		const view = await open('transcript', host);
		const rows = session.view.rows;
		const target = Math.floor(rows.length * 0.7);
		const total = rows.reduce((sum, r) => sum + Math.max(r.tokens, 0.5), 0);
		const before = rows.slice(0, target).reduce((sum, r) => sum + Math.max(r.tokens, 0.5), 0);
		const middleOfTarget = (before + Math.max(rows[target]?.tokens ?? 0, 0.5) / 2) / total;
		const canvas = view.page.locator('cl-region-map canvas');
		const box = await canvas.boundingBox();
		assert.ok(box);
		await view.page.mouse.move(box.x + box.width * middleOfTarget, box.y + box.height / 2);
		const tip = (await view.page.locator('cl-region-map .tip').textContent()) ?? '';
		assert.ok(tip.startsWith(`#${target + 1} `), `hover names message ${target + 1}: ${tip}`);
		await view.page.mouse.click(box.x + box.width * middleOfTarget, box.y + box.height / 2);
		const request = await view.waitForPosted(isType('message/details', (m) => m.index === target));
		assert.equal(request.transcriptId, 't1');
		const details = buildMessageDetails(session.transcript, target, rows[target]?.tokens ?? 0);
		assert.ok(details);
		const pane = view.page.locator('cl-message-list [data-testid=details]');
		await pane.locator('pre').first().waitFor();
		const firstPart = details.parts[0];
		assert.ok(firstPart);
		assert.ok(((await pane.locator('strong').first().textContent()) ?? '').includes(firstPart.label));
		assert.equal(
			await view.page.locator(`cl-message-list #row-${target}`).getAttribute('aria-selected'),
			'true',
		);
		await pane.locator('vscode-button', { hasText: 'Open in file' }).click();
		await view.waitForPosted(isType('message/reveal', (m) => m.index === target));
	});

	it('re-plans through the host when a what-if control changes and redraws the regions', async () => {
		const host = new FakeHost({ transcriptId: 't1', session });
		const view = await open('transcript', host);
		await view.page.locator('cl-what-if-controls vscode-textfield[data-field=headMessages] input').fill('10');
		const request = await view.waitForPosted(isType('plan/request', (m) => m.whatIf.headMessages === 10));
		const expected = buildPlanView(
			planCompaction(
				session.transcript,
				whatIfOptions(session.counter, session.contextWindow, request.whatIf),
			),
		).regions.head;
		await waitForText(view.page.locator('[data-testid=region-summary]'), (text) =>
			text.includes(`head ${expected.to - expected.from} msgs`),
		);
		assert.notEqual(
			expected.to - expected.from,
			session.view.plan.regions.head.to - session.view.plan.regions.head.from,
		);
		assert.equal(request.whatIf.strategy, 'summarize');
	});

	it('drives the list with the keyboard alone and restores filter and selection when shown again', async () => {
		const host = new FakeHost({ transcriptId: 't1', session });
		const view = await open('transcript', host);
		await view.page.locator('cl-message-list .viewport').focus();
		for (let i = 0; i < 3; i++) await view.page.keyboard.press('ArrowDown');
		assert.equal(
			await view.page.locator('cl-message-list .viewport').getAttribute('aria-activedescendant'),
			'row-3',
		);
		await view.page.keyboard.press('Enter');
		await view.waitForPosted(isType('message/details', (m) => m.index === 3));
		await view.page.keyboard.press('End');
		const last = session.view.rows.length - 1;
		assert.equal(
			await view.page.locator('cl-message-list .viewport').getAttribute('aria-activedescendant'),
			`row-${last}`,
		);
		assert.equal(
			await view.page.locator(`cl-message-list #row-${last}`).count(),
			1,
			'the last row is rendered after End',
		);
		await view.page
			.locator('cl-message-list vscode-textfield[aria-label="Search messages"] input')
			.fill('read');
		await view.page.waitForTimeout(300);
		view.posted.length = 0;
		await view.page.reload();
		await view.page.locator('[data-testid=usage]').waitFor();
		assert.deepEqual(view.posted[0], { type: 'ready', view: 'transcript' });
		await view.waitForPosted(isType('message/details', (m) => m.index === 3));
		assert.equal(
			await readValue(view.page.locator('cl-message-list vscode-textfield[aria-label="Search messages"]')),
			'read',
		);
	});

	it('says how to open a transcript when none is open, and shows host work in progress', async () => {
		const page = await openWebview(
			suite.browser,
			suite.server.pageUrl('gauge', 'dark'),
			new FakeHost({ transcriptId: 't1' }).onPost,
		);
		opened.push(page);
		await waitForText(page.page.locator('cl-app-shell p[role=status]'), (text) =>
			text.includes('Open a transcript to see its context window.'),
		);
		await page.send({ type: 'host/busy', busy: true, label: 'Re-planning…' });
		await waitForText(page.page.locator('cl-app-shell .busy'), (text) => text === 'Re-planning…');
		await page.send({ type: 'host/busy', busy: false, label: '' });
		assert.equal(await page.page.locator('cl-app-shell .busy').count(), 0);
		await page.send({ type: 'transcript/show', transcriptId: 't1', view: session.view });
		await waitForText(page.page.locator('[data-testid=usage]'), (text) => text === usageText(session));
		await page.page.locator('cl-app-shell vscode-button', { hasText: 'Compress' }).click();
		await page.waitForPosted(isType('command/run', (m) => m.command === 'compress'));
	});

	it('offers the compactions waiting for review in the sidebar, with or without a transcript', async () => {
		const page = await openWebview(
			suite.browser,
			suite.server.pageUrl('gauge', 'dark'),
			new FakeHost({ transcriptId: 't1' }).onPost,
		);
		opened.push(page);
		const pending = page.page.locator('cl-app-shell vscode-button[data-action=review-pending]');
		await page.page.locator('cl-app-shell p[role=status]').waitFor();
		assert.equal(await pending.count(), 0, 'no button while nothing waits');
		await page.send({ type: 'reviews/pending', count: 2 });
		await waitForText(pending, (text) => text.trim() === gaugeStrings.reviewPending(2));
		assert.equal(gaugeStrings.reviewPending(2), 'Review pending (2)');
		await pending.click();
		await page.waitForPosted(isType('command/run', (m) => m.command === 'openReview'));
		await page.send({ type: 'transcript/show', transcriptId: 't1', view: session.view });
		await waitForText(page.page.locator('[data-testid=usage]'), (text) => text === usageText(session));
		await waitForText(pending, (text) => text.trim() === 'Review pending (2)');
		await page.send({ type: 'reviews/pending', count: 0 });
		await page.page.waitForFunction(
			`!document.querySelector('cl-app-shell').shadowRoot.querySelector('[data-action=review-pending]')`,
		);
		assert.equal(await page.page.locator('cl-app-shell vscode-button[data-action=compress]').count(), 1);
	});

	it('shows a view sent as JSON bytes in parts, as the extension sends it from the analysis worker', async () => {
		const page = await openWebview(
			suite.browser,
			suite.server.pageUrl('transcript', 'dark'),
			new FakeHost({ transcriptId: 't1' }).onPost,
			{ width: 1100, height: 1000 },
		);
		opened.push(page);
		// Byte arrays, as VS Code hands the extension's to the page (the harness's send goes through JSON).
		const dispatch = async (posts: readonly HostPost[]): Promise<void> => {
			const script = posts
				.map((post) => {
					const { viewJson, textsJson, ...rest } = post as { viewJson?: Uint8Array; textsJson?: Uint8Array };
					const bytes = viewJson ?? textsJson;
					const field = viewJson !== undefined ? 'viewJson' : 'textsJson';
					return `window.dispatchEvent(new MessageEvent('message', { data: { ...${JSON.stringify(rest)}, ${field}: new TextEncoder().encode(${JSON.stringify(new TextDecoder().decode(bytes))}) } }));`;
				})
				.join('\n');
			await page.page.evaluate(script);
		};
		const rows = session.view.rows;
		const posts = transcriptViewPosts('t1', 3, encodeViewParts(session.view, 64));
		const [skeleton, ...parts] = posts;
		assert.ok(skeleton !== undefined && parts.length > 1);
		await dispatch([skeleton]);
		await waitForText(page.page.locator('[data-testid=usage]'), (text) => text === usageText(session));
		const status = page.page.locator('[data-testid=list-status]');
		const all = `showing ${grouped(rows.length)} of ${grouped(rows.length)} messages`;
		// Until the parts are in, the list says so, since a search cannot see the previews yet.
		await waitForText(status, (text) => text === `${all} · ${listStrings.previewsLoading(0, rows.length)}`);
		const firstPreview = page.page.locator('cl-message-list .preview').first();
		assert.equal(await firstPreview.textContent(), '', 'no preview before its part arrived');
		// A part of another view (an older one) is not applied.
		const stale = transcriptViewPosts('t1', 2, encodeViewParts(session.view, 64))[1];
		assert.ok(stale !== undefined);
		await dispatch([stale]);
		await page.page.waitForTimeout(100);
		assert.equal(await firstPreview.textContent(), '');
		await dispatch(parts.slice(0, 1));
		await waitForText(firstPreview, (text) => text === rows[0]?.preview);
		await waitForText(status, (text) => text === `${all} · ${listStrings.previewsLoading(64, rows.length)}`);
		await dispatch(parts.slice(1));
		await waitForText(status, (text) => text === all);
		// The next view of the same file (after an append) shows the previews it had while its own parts come.
		const [nextSkeleton, ...nextParts] = transcriptViewPosts('t1', 4, encodeViewParts(session.view, 64));
		assert.ok(nextSkeleton !== undefined);
		await dispatch([nextSkeleton]);
		await waitForText(status, (text) => text === `${all} · ${listStrings.previewsLoading(0, rows.length)}`);
		assert.equal(await firstPreview.textContent(), rows[0]?.preview);
		await dispatch(nextParts);
		await waitForText(status, (text) => text === all);
		// Search sees every preview once all parts are in.
		const word =
			rows
				.at(-1)
				?.preview.split(' ')
				.find((w) => w.length > 5) ?? 'the';
		await page.page
			.locator('cl-message-list vscode-textfield[aria-label="Search messages"] input')
			.fill(word);
		const found = filterRows(rows, { role: '', kind: '', search: word }).length;
		await waitForText(
			status,
			(text) => text === `showing ${grouped(found)} of ${grouped(rows.length)} messages`,
		);
		assert.deepEqual(page.errors, []);
	});

	for (const theme of ['light', 'dark', 'high-contrast'] as const) {
		it(`fits the sidebar and the editor in the ${theme} theme (screenshots)`, async () => {
			const sidebar = await open('gauge', new FakeHost({ transcriptId: 't1', session }), theme, 300);
			const overflow = await sidebar.page.evaluate(
				'document.documentElement.scrollWidth - document.documentElement.clientWidth',
			);
			assert.equal(overflow, 0, 'no horizontal scrolling in a 300 px sidebar');
			await sidebar.page.waitForTimeout(200);
			await screenshot(sidebar.page, `gauge-sidebar-${theme}`);
			const editor = await open('transcript', new FakeHost({ transcriptId: 't1', session }), theme);
			await editor.page.waitForTimeout(200);
			await screenshot(editor.page, `transcript-${theme}`);
		});
	}

	describe('every corpus transcript renders', () => {
		for (const folder of ['claude-code', 'codex', 'copilot-chat', 'openai-chat', 'anthropic-messages']) {
			describeCorpus(folder, (file) => {
				it(`${folder}/${basename(file)}`, async () => {
					const fileSession = openSession(file);
					const view = await open('transcript', new FakeHost({ transcriptId: file, session: fileSession }));
					assert.equal(await view.page.locator('[data-testid=usage]').textContent(), usageText(fileSession));
					const count = fileSession.view.rows.length;
					assert.equal(
						(await view.page.locator('[data-testid=list-status]').textContent())?.trim(),
						`showing ${grouped(count)} of ${grouped(count)} messages`,
					);
					if (count > 0) assert.ok((await view.page.locator('cl-message-list .row').count()) > 0);
				});
			});
		}
	});
});
