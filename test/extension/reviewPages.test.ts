import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOfflineSummarizer } from '../../src/core/summarize/offline/offlineSummarizer';
import { ReviewStore, type PendingReview } from '../../src/extension/review/pendingReviews';
import { buildPendingReviewView } from '../../src/extension/review/pendingReviewView';
import { ReviewService } from '../../src/extension/review/reviewService';
import { InProcessAnalysisClient } from '../../src/worker/inProcessClient';
import { findFormat } from '../../src/core/transcript/registry';
import { describeApply, missingBundleStrings } from '../../src/protocol/strings';
import { renderMissingBundleHtml, renderWebviewHtml } from '../../src/protocol/webviewHtml';
import { ClaudeSessionWriter } from '../host/suite/claudeSessionWriter';
import { MemoryMemento } from './memoryMemento';

describe('review pages', () => {
	let dir: string;
	let review: PendingReview;

	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'context-lens-review-page-'));
		const file = join(dir, 'session.jsonl');
		writeFileSync(file, new ClaudeSessionWriter().session(40));
		const service = new ReviewService(new ReviewStore(new MemoryMemento()), new InProcessAnalysisClient());
		const created = await service.create(
			file,
			{ strategy: 'summarize', focus: '<b>parquet</b>' },
			{ headMessages: 3, tailRatio: 0.2, triggerRatio: 0.8, rotationRatio: 0.95, windows: {} },
			createOfflineSummarizer(),
			new AbortController().signal,
		);
		assert.ok(created.ok);
		review = created.review;
	});

	after(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	it('the protocol view carries the review id, numbers and summary', () => {
		const view = buildPendingReviewView(review, 123, 'writes a new session');
		assert.equal(view.planId, review.id);
		assert.equal(view.summary, review.summary);
		assert.equal(view.summaryTokens, 123);
		assert.equal(view.tokensBefore, review.numbers.tokensBefore);
		assert.equal(view.tokensAfter, review.numbers.tokensAfter);
		assert.ok(view.reductionPercent > 0 && view.reductionPercent < 100);
		assert.equal(
			view.counts.kept + view.counts.summarized + view.counts.dropped,
			review.numbers.messagesBefore,
		);
		assert.ok(view.summaryBudgetTokens >= 2000);
		assert.equal(view.focus, '<b>parquet</b>');
		assert.equal(view.restores, undefined, 'an ordinary compaction is not a restore');
		assert.equal(buildPendingReviewView({ ...review, restores: 3 }, 1, '').restores, 3);
	});

	it('every view is the one bundle page: scripts only by nonce, the title escaped, no inline script', () => {
		for (const view of ['gauge', 'transcript', 'review'] as const) {
			const html = renderWebviewHtml({
				cspSource: 'vscode-resource:',
				nonce: 'NONCE123',
				scriptUri: 'vscode-resource:/dist/webview/main.js',
				styleUris: ['vscode-resource:/dist/webview/codicon.css'],
				view,
				title: 'Review: <b>parquet</b>',
			});
			assert.ok(!html.includes('<b>parquet</b>'));
			assert.match(html, /script-src &#39;nonce-NONCE123&#39;;/);
			const scripts = html.match(/<script[^>]*>/g) ?? [];
			assert.deepEqual(scripts, [
				'<script type="module" nonce="NONCE123" src="vscode-resource:/dist/webview/main.js">',
			]);
			assert.match(html, new RegExp(`<cl-app-shell view="${view}"`));
		}
	});

	it('without a built bundle the page says how to build it and runs no script at all', () => {
		const html = renderMissingBundleHtml({
			nonce: 'N0NCE',
			bundlePath: '/ext/dist/webview/<main>.js',
			title: 'Context Lens gauge',
		});
		assert.ok(!/<script/i.test(html));
		assert.match(html, /content="default-src &#39;none&#39;; style-src &#39;nonce-N0NCE&#39;"/);
		assert.ok(!/script-src/.test(html), 'no script source is allowed');
		assert.ok(html.includes('npm run build'));
		assert.ok(html.includes(missingBundleStrings.title));
		assert.ok(html.includes('/ext/dist/webview/&#60;main&#62;.js'));
	});

	it('Apply describes what it writes in one sentence that starts with Apply', () => {
		const claude = describeApply(findFormat('claude-code'));
		assert.match(claude, /^Apply writes a new resumable session file next to the original/);
		assert.ok(!/Apply writes:/.test(claude));
		assert.match(describeApply(findFormat('openai-chat')), /^Apply /);
		const view = buildPendingReviewView(review, 1, claude);
		assert.equal(view.applyDescription, claude);
	});
});
