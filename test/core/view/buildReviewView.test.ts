import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import fc from 'fast-check';
import { messagesInWindow } from '../../../src/core/transcript/model';
import { buildReviewView } from '../../../src/core/view/buildReviewView';
import { describeCorpus } from '../../support/corpus';
import { syntheticTranscript } from './syntheticTranscript';
import type { ViewSession } from './viewPipeline';
import { compactSession, openSession, sessionOf } from './viewPipeline';

const applyDescription = 'a new session file next to the original';

async function checkReview(session: ViewSession, focus?: string): Promise<void> {
	const result = await compactSession(session, focus !== undefined ? { focus } : {});
	const review = buildReviewView(result, {
		countTokens: (text) => session.counter.countText(text),
		before: session.transcript,
		applyDescription,
	});
	assert.equal(review.planId, result.plan.id);
	assert.equal(review.success, result.success);
	assert.equal(review.error, result.error);
	assert.equal(review.tokensBefore, result.tokensBefore);
	assert.equal(review.tokensAfter, result.tokensAfter);
	assert.equal(review.reductionPercent, result.reductionPercent);
	assert.equal(review.messagesBefore, result.messagesBefore);
	assert.equal(review.messagesAfter, result.messagesAfter);
	assert.equal(review.focus, result.plan.options.focus ?? '');
	assert.equal(review.summary, result.summary ?? result.plan.synthetic?.text ?? '');
	assert.equal(review.summaryTokens, review.summary === '' ? 0 : session.counter.countText(review.summary));
	assert.deepEqual(review.counts, {
		kept: result.plan.counts.kept,
		summarized: result.plan.counts.summarized,
		pruned: result.plan.counts.edited,
		dropped: result.plan.counts.dropped,
	});
	const lost = result.lostFacts?.lost ?? [];
	assert.equal(review.lostFacts.length, lost.length);
	const window = messagesInWindow(session.transcript);
	review.lostFacts.forEach((fact, i) => {
		assert.equal(fact.value, lost[i]?.value);
		assert.equal(fact.messageId, window[fact.messageIndex]?.id, 'a fact points at the message it came from');
		assert.equal(fact.line, window[fact.messageIndex]?.lines.from);
	});
	assert.ok(review.retention >= 0 && review.retention <= 1);
	assert.equal(review.applyDescription, applyDescription);
	assert.deepEqual(JSON.parse(JSON.stringify(review)), review, 'the review is plain JSON');
}

describe('buildReviewView', () => {
	for (const folder of ['claude-code', 'codex', 'copilot-chat', 'openai-chat', 'anthropic-messages']) {
		describeCorpus(folder, (file) => {
			it(`mirrors the compaction result of ${folder}/${basename(file)}`, async () => {
				await checkReview(openSession(file));
			});
		});
	}

	it('passes a failed compaction through with its reason and no lost facts', async () => {
		const session = sessionOf(syntheticTranscript(2), 'tiny.jsonl', 200_000);
		const result = await compactSession(session);
		assert.equal(result.success, false);
		const review = buildReviewView(result, { countTokens: () => 0, applyDescription });
		assert.equal(review.success, false);
		assert.ok(review.error !== undefined && review.error.length > 0);
		assert.deepEqual(review.lostFacts, []);
		assert.equal(review.retention, 1);
	});

	it('mirrors results of generated sessions with any focus', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.integer({ min: 0, max: 90 }),
				fc.constantFrom(undefined, 'parquet', 'scheduler'),
				async (count, focus) => {
					await checkReview(sessionOf(syntheticTranscript(count), 'generated.jsonl', 30_000), focus);
				},
			),
			{ numRuns: 15 },
		);
	});
});
