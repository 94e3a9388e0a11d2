import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
	AutoCompactionPolicy,
	ineffectiveCompactionLimit,
	ineffectiveSavingsPercent,
	notConfiguredCooldownMs,
	recordedContextTokens,
	transientCooldownMs,
} from '../../../src/core/compaction/autoCompactionPolicy';
import { message, textPart } from './arbitraries';

const window = 200_000;

function outcome(tokensBefore: number, tokensAfter: number) {
	return { success: true, messagesBefore: 100, messagesAfter: 20, tokensBefore, tokensAfter };
}

describe('AutoCompactionPolicy', () => {
	it('G1 passes everything through when the threshold is 0 or there is no summariser', () => {
		const noSummarizer = new AutoCompactionPolicy({ contextWindow: window, hasSummarizer: false });
		assert.equal(noSummarizer.state, 'passThrough');
		assert.deepEqual(noSummarizer.decide(199_000, 0), { action: 'none', reason: 'passThrough' });
		const noWindow = new AutoCompactionPolicy({ contextWindow: 0, hasSummarizer: true });
		assert.deepEqual(noWindow.decide(1_000_000, 0), { action: 'none', reason: 'passThrough' });
		const zeroRatio = new AutoCompactionPolicy({
			contextWindow: window,
			hasSummarizer: true,
			triggerRatio: 0,
		});
		assert.equal(zeroRatio.state, 'passThrough');
		const deterministic = new AutoCompactionPolicy({
			contextWindow: window,
			hasSummarizer: false,
			usesSummarizer: false,
		});
		assert.equal(deterministic.decide(170_000, 0).action, 'compact');
	});

	it('C1/H3 triggers at 80% of the window', () => {
		const policy = new AutoCompactionPolicy({ contextWindow: window, hasSummarizer: true });
		assert.deepEqual(policy.thresholds, { triggerTokens: 160_000, rotationTokens: 190_000 });
		assert.deepEqual(policy.decide(159_999, 0), { action: 'none', reason: 'belowThreshold' });
		assert.deepEqual(policy.decide(160_000, 0), {
			action: 'compact',
			contextTokens: 160_000,
			triggerTokens: 160_000,
			isSummarizerCoolingDown: false,
		});
	});

	it('R1 recomputes the thresholds on a model switch, with the floor', () => {
		const policy = new AutoCompactionPolicy({
			contextWindow: window,
			hasSummarizer: true,
			triggerRatio: 0.5,
			triggerFloorTokens: 64_000,
		});
		assert.equal(policy.thresholds.triggerTokens, 100_000);
		assert.deepEqual(policy.switchModel(100_000), [
			{ type: 'thresholdsChanged', contextWindow: 100_000, triggerTokens: 64_000, rotationTokens: 95_000 },
		]);
		assert.equal(policy.decide(70_000, 0).action, 'compact');
	});

	it('H3/R1 prefers the context size the API reported for the latest request', () => {
		const withUsage = message('a', 'assistant', [textPart('x')]);
		const messages = [
			{ ...withUsage, usage: { inputTokens: 1_000, outputTokens: 50, contextTokens: 1_050 } },
			{ ...withUsage, id: 'b', usage: { inputTokens: 150_000, outputTokens: 500, contextTokens: 150_500 } },
			message('u', 'user', [textPart('next')]),
		];
		assert.equal(recordedContextTokens(messages), 150_500);
		assert.equal(recordedContextTokens([message('u', 'user', [textPart('x')])]), undefined);
	});

	it('R2 stops auto-compacting after two compactions in a row that each saved less than 10%, and says so', () => {
		assert.equal(ineffectiveSavingsPercent, 10);
		assert.equal(ineffectiveCompactionLimit, 2);
		const policy = new AutoCompactionPolicy({ contextWindow: window, hasSummarizer: true });
		assert.equal(policy.recordCompaction(outcome(170_000, 160_000)).length, 1);
		assert.equal(
			policy.recordCompaction(outcome(170_000, 100_000)).length,
			1,
			'an effective one resets the count',
		);
		policy.recordCompaction(outcome(170_000, 165_000));
		const events = policy.recordCompaction(outcome(170_000, 166_000));
		assert.equal(events[1]?.type, 'autoCompactionSuspended');
		assert.match(events[1]?.type === 'autoCompactionSuspended' ? events[1].message : '', /less than 10%/);
		assert.equal(policy.state, 'suspended');
		assert.deepEqual(policy.decide(170_000, 0), { action: 'none', reason: 'suspended' });
		policy.resume();
		assert.equal(policy.decide(170_000, 0).action, 'compact');
	});

	it('R15/G5 every compaction emits its count, messages and tokens before/after and savings', () => {
		const policy = new AutoCompactionPolicy({ contextWindow: window, hasSummarizer: true });
		policy.recordCompaction(outcome(170_000, 60_000));
		assert.deepEqual(policy.recordCompaction(outcome(180_000, 90_000)), [
			{
				type: 'compactionFired',
				count: 2,
				messagesBefore: 100,
				messagesAfter: 20,
				tokensBefore: 180_000,
				tokensAfter: 90_000,
				savingsPercent: 50,
			},
		]);
		assert.deepEqual(policy.recordCompaction({ ...outcome(1, 1), success: false }), []);
		assert.equal(policy.compactionCount, 2);
	});

	it('C4 asks for rotation at 95% when compaction is not enough, and logs old and new session ids', () => {
		const policy = new AutoCompactionPolicy({ contextWindow: window, hasSummarizer: true });
		assert.equal(policy.decide(192_000, 0).action, 'compact', 'compaction is tried first');
		policy.recordCompaction(outcome(192_000, 185_000));
		assert.deepEqual(policy.decide(192_000, 0), {
			action: 'rotate',
			contextTokens: 192_000,
			rotationTokens: 190_000,
			reason: 'compactionNotEnough',
		});
		assert.deepEqual(policy.recordRotation('old-id', 'new-id', 192_000), [
			{
				type: 'sessionRotated',
				oldSessionId: 'old-id',
				newSessionId: 'new-id',
				contextTokens: 192_000,
				percentOfWindow: 96,
			},
		]);
		assert.equal(policy.decide(192_000, 0).action, 'compact');
	});

	it('R12 pauses a failing summariser: long when not configured, short for transient errors', () => {
		const policy = new AutoCompactionPolicy({ contextWindow: window, hasSummarizer: true });
		assert.equal(notConfiguredCooldownMs, 600_000);
		assert.equal(transientCooldownMs, 60_000);
		const [event] = policy.recordSummaryFailure('notConfigured', 1_000);
		assert.equal(event?.type === 'summarizerCoolingDown' && event.untilMs, 601_000);
		const during = policy.decide(170_000, 500_000);
		assert.equal(during.action === 'compact' && during.isSummarizerCoolingDown, true);
		policy.recordSummaryFailure('transient', 700_000);
		const after = policy.decide(170_000, 760_001);
		assert.equal(after.action === 'compact' && after.isSummarizerCoolingDown, false);
		assert.deepEqual(policy.recordSummaryFailure('cancelled', 0), []);
	});

	it('never decides to compact below the threshold nor outside pass-through rules (property)', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 2_000_000 }),
				fc.double({ min: 0.05, max: 1, noNaN: true }),
				fc.nat(3_000_000),
				fc.boolean(),
				(contextWindow, triggerRatio, tokens, hasSummarizer) => {
					const policy = new AutoCompactionPolicy({ contextWindow, triggerRatio, hasSummarizer });
					const decision = policy.decide(tokens, 0);
					if (!hasSummarizer) assert.equal(decision.action, 'none');
					if (decision.action === 'compact') assert.ok(tokens >= policy.thresholds.triggerTokens);
					assert.ok(policy.thresholds.triggerTokens <= contextWindow);
				},
			),
		);
	});
});
