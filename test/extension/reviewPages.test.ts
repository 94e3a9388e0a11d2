import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOfflineSummarizer } from '../../src/core/summarize/offline/offlineSummarizer';
import { ReviewStore, type PendingReview } from '../../src/extension/review/pendingReviews';
import { buildPendingReviewView } from '../../src/extension/review/pendingReviewView';
import { renderReviewHtml } from '../../src/extension/review/reviewHtml';
import { ReviewService } from '../../src/extension/review/reviewService';
import { ClaudeSessionWriter } from '../host/suite/claudeSessionWriter';
import { MemoryMemento } from './memoryMemento';

describe('review pages', () => {
	let dir: string;
	let review: PendingReview;

	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'context-lens-review-page-'));
		const file = join(dir, 'session.jsonl');
		writeFileSync(file, new ClaudeSessionWriter().session(40));
		const service = new ReviewService(new ReviewStore(new MemoryMemento()));
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
	});

	it('the static page escapes the focus, scripts only by nonce and disables Apply when it may not write', () => {
		const html = renderReviewHtml(review, {
			cspSource: 'vscode-resource:',
			nonce: 'NONCE123',
			canApply: false,
			applyNote: 'note',
		});
		assert.ok(!html.includes('<b>parquet</b>'));
		assert.ok(html.includes('&#60;b&#62;parquet&#60;/b&#62;'));
		assert.match(html, /script-src 'nonce-NONCE123'/);
		assert.equal(
			(html.match(/<script/g) ?? []).length,
			(html.match(/<script nonce="NONCE123">/g) ?? []).length,
		);
		assert.match(html, /<button id="apply" disabled/);
		assert.ok(html.includes(review.numbers.tokensBefore.toLocaleString('en-US')));
		const writable = renderReviewHtml(review, {
			cspSource: 'x',
			nonce: 'n',
			canApply: true,
			applyNote: 'note',
		});
		assert.match(writable, /<button id="apply" >/);
	});
});
