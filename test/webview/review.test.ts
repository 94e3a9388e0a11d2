import { strict as assert } from 'node:assert';
import { findFormat } from '../../src/core/transcript/registry';
import type { ReviewView } from '../../src/core/view/viewModel';
import type { ViewToHost } from '../../src/protocol/messages';
import { describeApply, reviewStrings } from '../../src/protocol/strings';
import type { ViewSession } from '../core/view/viewPipeline';
import { compactSession, realOrSyntheticSession } from '../core/view/viewPipeline';
import { FakeHost, hostReviewView } from './fakeHost';
import type { WebviewPage } from './harness';
import { openWebview, readValue, screenshot, useChromiumSuite, waitForText } from './harness';

const grouped = (n: number): string => n.toLocaleString('en-US');

function isType<K extends ViewToHost['type']>(type: K) {
	return (m: unknown): m is Extract<ViewToHost, { type: K }> =>
		typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
}

/** The line the review appends for a lost fact (the page's `factLine`, restated so the test does not trust it). */
function expectedFactLine(fact: ReviewView['lostFacts'][number]): string {
	return `- ${fact.value} (message ${fact.messageIndex + 1}, ${fact.source})`;
}

describe('webview: summary review in chromium', function () {
	const suite = useChromiumSuite();
	let session: ViewSession;
	let review: ReviewView;
	const { opened } = suite;

	before(async function () {
		session = realOrSyntheticSession(300, 60_000);
		const result = await compactSession(session, { focus: 'codex' });
		review = hostReviewView(session, result);
		assert.ok(review.success && review.lostFacts.length >= 2, 'the fixture has a summary and lost facts');
	});

	async function open(
		host: FakeHost,
		theme: 'light' | 'dark' | 'high-contrast' = 'dark',
	): Promise<WebviewPage> {
		const page = await openWebview(suite.browser, suite.server.pageUrl('review', theme), host.onPost, {
			width: 1100,
			height: 900,
		});
		opened.push(page);
		await page.page.locator('[data-testid=review-numbers]').waitFor();
		return page;
	}

	const active = (view: WebviewPage): Promise<string> =>
		view.page.evaluate('window.__clActive()') as Promise<string>;

	it('shows the numbers, the editable summary, the lost facts and the counts', async () => {
		const host = new FakeHost({ transcriptId: 't1', session, review });
		const view = await open(host);
		assert.deepEqual(view.posted[0], { type: 'ready', view: 'review' });
		const numbers = ((await view.page.locator('[data-testid=review-numbers]').textContent()) ?? '')
			.replace(/\s+/g, ' ')
			.trim();
		assert.equal(
			numbers,
			`before ${grouped(review.tokensBefore)} → after ${grouped(review.tokensAfter)} tokens (−${Math.round(review.reductionPercent)}%) · ${grouped(review.messagesBefore)} → ${grouped(review.messagesAfter)} messages`,
		);
		assert.ok(((await view.page.locator('h2').textContent()) ?? '').includes('focus “codex”'));
		assert.equal(await readValue(view.page.locator('cl-summary-review vscode-textarea')), review.summary);
		assert.equal(
			(await view.page.locator('[data-testid=summary-tokens]').textContent())?.trim(),
			`${grouped(review.summaryTokens)} tokens`,
		);
		assert.ok(
			((await view.page.locator('#facts-heading').textContent()) ?? '').includes(
				`Lost facts (${review.lostFacts.length})`,
			),
		);
		assert.equal(await view.page.locator('cl-summary-review section li').count(), review.lostFacts.length);
		const first = review.lostFacts[0];
		assert.ok(first);
		const firstText = (await view.page.locator('cl-summary-review section li').first().textContent()) ?? '';
		assert.ok(
			firstText.includes(first.value) &&
				firstText.includes(`message ${first.messageIndex + 1}`) &&
				firstText.includes(first.source),
		);
		const counts = ((await view.page.locator('[data-testid=review-counts]').textContent()) ?? '')
			.replace(/\s+/g, ' ')
			.trim();
		assert.ok(
			counts.startsWith(
				`kept ${grouped(review.counts.kept)} · summarised ${grouped(review.counts.summarized)} · pruned ${grouped(review.counts.pruned)}`,
			),
		);
		// What the focus kept (R10), in the core's words, with the kept facts about it one click away.
		assert.ok(review.focusKept !== undefined, 'a focused compaction reports what the focus kept');
		const focusLine = view.page.locator('[data-testid=review-focus] summary');
		assert.equal(((await focusLine.textContent()) ?? '').trim(), review.focusKept.line);
		assert.match(
			review.focusKept.line,
			/^focus “codex”: kept \d+ of \d+ facts? about it · \d+% of the summary is about it$/,
		);
		await focusLine.click();
		const keptItems = view.page.locator('[data-testid=review-focus] li');
		assert.equal(await keptItems.count(), review.focusKept.kept.length);
		if (review.focusKept.kept.length > 0)
			assert.equal(((await keptItems.first().textContent()) ?? '').trim(), review.focusKept.kept[0]);
		// How the tail was sized, as the plan decided it (e.g. "tail: newest 20% of this session (… tokens)").
		assert.match(review.tailRule, /^tail: /);
		assert.ok(counts.endsWith(review.tailRule), counts);
		// The sentence the real host sends, shown once and verbatim (not "Apply writes: Apply writes…").
		assert.equal(
			(await view.page.locator('[data-testid=apply-description]').textContent())?.trim(),
			describeApply(findFormat(session.transcript.format)),
		);
		for (const label of [
			reviewStrings.apply,
			reviewStrings.discard,
			reviewStrings.openDiff,
			reviewStrings.rerun,
		])
			assert.equal(
				await view.page.locator('cl-summary-review vscode-button', { hasText: label }).count(),
				1,
				`one ${label} button`,
			);
	});

	it('can be reviewed and applied with the keyboard alone', async () => {
		const host = new FakeHost({ transcriptId: 't1', session, review });
		const view = await open(host);
		const stops: string[] = [];
		await view.page.keyboard.press('Tab');
		stops.push(await active(view));
		assert.match(stops[0] ?? '', /^textarea\|vscode-textarea\|/, `first stop is the summary: ${stops[0]}`);
		await view.page.keyboard.press('End');
		await view.page.keyboard.press('Control+End');
		await view.page.keyboard.type('\nKeep the parquet writer.');
		const count = await view.waitForPosted(isType('summary/count'));
		assert.ok(count.text.endsWith('Keep the parquet writer.'));
		const exact = session.counter.countText(count.text);
		await waitForText(
			view.page.locator('[data-testid=summary-tokens]'),
			(text) => text === `${grouped(exact)} tokens`,
		);

		await view.page.keyboard.press('Tab');
		stops.push(await active(view));
		assert.match(
			stops[1] ?? '',
			/^button\|cl-summary-review\|Show message/,
			`then the first fact's source: ${stops[1]}`,
		);
		await view.page.keyboard.press('Tab');
		stops.push(await active(view));
		assert.match(stops[2] ?? '', /^button\|cl-summary-review\|Add /, `then its add button: ${stops[2]}`);
		await view.page.keyboard.press('Enter');
		await view.page.keyboard.press('ArrowDown');
		stops.push(await active(view));
		assert.ok(
			stops[3]?.includes(`Add ${review.lostFacts[1]?.value ?? ''}`.slice(0, 60)),
			`arrow down moves to the next fact: ${stops[3]}`,
		);
		await view.page.keyboard.press('Enter');
		await view.page.keyboard.press('Tab');
		stops.push(await active(view));
		assert.match(
			stops[4] ?? '',
			/^vscode-button\|.*Add all to summary/,
			`the fact list is one tab stop: ${stops[4]}`,
		);
		await view.page.keyboard.press('Tab');
		stops.push(await active(view));
		assert.match(
			stops[5] ?? '',
			/^summary\|cl-summary-review\|focus “codex”/,
			`then what the focus kept: ${stops[5]}`,
		);
		await view.page.keyboard.press('Tab');
		stops.push(await active(view));
		assert.match(stops[6] ?? '', /^vscode-button\|.*Apply/, `then Apply: ${stops[6]}`);
		await view.page.keyboard.press('Enter');
		const accept = await view.waitForPosted(isType('summary/accept'));
		assert.equal(accept.planId, review.planId);
		const [fact0, fact1] = review.lostFacts;
		assert.ok(fact0 && fact1);
		assert.ok(accept.editedSummary.startsWith(review.summary));
		assert.ok(accept.editedSummary.includes('Keep the parquet writer.'));
		assert.ok(accept.editedSummary.includes(expectedFactLine(fact0)));
		assert.ok(accept.editedSummary.includes(expectedFactLine(fact1)));

		for (const [label, pattern] of [
			['Discard', /^vscode-button\|.*Discard/],
			['Open diff', /^vscode-button\|.*Open diff/],
			['focus field', /^input\|vscode-textfield\|/],
			['Re-run', /^vscode-button\|.*Re-run/],
		] as const) {
			await view.page.keyboard.press('Tab');
			const stop = await active(view);
			assert.match(stop, pattern, `${label} is the next stop: ${stop}`);
		}
		await view.page.keyboard.press('Enter');
		const rerun = await view.waitForPosted(isType('summary/rerun'));
		assert.equal(rerun.focus, 'codex');
		assert.deepEqual(host.rejected, []);

		await view.send({
			type: 'review/done',
			planId: review.planId,
			outcome: 'applied',
			message: 'Wrote session-compacted.jsonl',
		});
		await view.page.locator('[data-testid=review-done]').waitFor();
		assert.equal(
			await view.page.locator('cl-summary-review vscode-button[data-action=apply]').getAttribute('disabled'),
			'',
		);
	});

	it('draws the theme focus border around the control with keyboard focus (high contrast)', async () => {
		const view = await open(new FakeHost({ transcriptId: 't1', session, review }), 'high-contrast');
		const focusBorder = 'rgb(243, 133, 24)';
		await view.page.keyboard.press('Tab');
		await view.page.keyboard.press('Tab');
		assert.match(await active(view), /^button\|cl-summary-review\|Show message/);
		const factOutline = await view.page.evaluate(`(() => {
			const review = document.querySelector('cl-app-shell').shadowRoot.querySelector('cl-summary-review');
			const style = getComputedStyle(review.shadowRoot.activeElement);
			return style.outlineStyle + ' ' + style.outlineColor;
		})()`);
		assert.equal(factOutline, `solid ${focusBorder}`);
		// Add all, what the focus kept, Apply, then Discard.
		for (let i = 0; i < 5; i++) await view.page.keyboard.press('Tab');
		assert.match(await active(view), /^vscode-button\|.*Discard/);
		const buttonOutline = await view.page.evaluate(`(() => {
			const review = document.querySelector('cl-app-shell').shadowRoot.querySelector('cl-summary-review');
			const base = review.shadowRoot.activeElement.shadowRoot.querySelector('.base');
			const style = getComputedStyle(base);
			return style.outlineStyle + ' ' + style.outlineColor;
		})()`);
		assert.equal(buttonOutline, `solid ${focusBorder}`);
		await screenshot(view.page, 'review-focus-high-contrast');
	});

	it('restores an edited summary when the panel is hidden and shown again', async () => {
		const view = await open(new FakeHost({ transcriptId: 't1', session, review }));
		await view.page.locator('cl-summary-review vscode-textarea textarea').focus();
		await view.page.keyboard.press('Control+End');
		await view.page.keyboard.type('\nRemember the invoice ids.');
		await view.waitForPosted(isType('summary/count'));
		view.posted.length = 0;
		await view.page.reload();
		await view.page.locator('[data-testid=review-numbers]').waitFor();
		await view.waitForPosted(isType('summary/count'));
		const restored = await readValue(view.page.locator('cl-summary-review vscode-textarea'));
		assert.equal(restored, `${review.summary}\nRemember the invoice ids.`);
	});

	it('heads a restore review with the compaction it takes facts back from, and an ordinary one with its strategy', async () => {
		const heading = async (shown: ReviewView): Promise<string> => {
			const view = await open(new FakeHost({ transcriptId: 't1', session, review: shown }));
			return ((await view.page.locator('cl-summary-review h2').textContent()) ?? '')
				.replace(/\s+/g, ' ')
				.trim();
		};
		const restore = await heading({ ...review, restores: 2 });
		assert.equal(restore, reviewStrings.restoreHeading(2));
		assert.equal(restore, 'Restore what compaction 2 lost');
		const ordinary = await heading(review);
		assert.ok(ordinary.startsWith(`${reviewStrings.heading} · summarize`), ordinary);
		assert.ok(!ordinary.includes('Restore'), ordinary);
	});

	for (const theme of ['light', 'dark', 'high-contrast'] as const) {
		it(`renders in the ${theme} theme (screenshot)`, async () => {
			const view = await open(new FakeHost({ transcriptId: 't1', session, review }), theme);
			const overflow = await view.page.evaluate(
				'document.documentElement.scrollWidth - document.documentElement.clientWidth',
			);
			assert.equal(overflow, 0);
			await screenshot(view.page, `review-${theme}`);
		});
	}
});
