import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
	defaultRotationRatio,
	defaultStrategy,
	defaultSummaryWordCap,
	defaultTriggerFloorTokens,
	defaultTriggerRatio,
	resolveCompactionOptions,
	summaryBudgetFor,
	triggerTokensFor,
} from '../../../src/core/compaction/options';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import {
	compactionStrategies,
	isStrategyName,
	resolveStrategy,
} from '../../../src/core/compaction/strategies';
import { selfSummaryInstruction } from '../../../src/core/compaction/handoff';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { arbTranscript, testCounter } from './arbitraries';

describe('strategy registry and options', () => {
	it('Z4 chooses strategies by name and an unknown name is an error listing every valid name', () => {
		const found = resolveStrategy(' Structure-Aggressive ');
		assert.ok(found.ok);
		assert.equal(found.ok && found.strategy.name, 'structure-aggressive');
		const unknown = resolveStrategy('sliding_window');
		assert.equal(unknown.ok, false);
		if (unknown.ok) return;
		for (const name of [
			'summarize',
			'structure',
			'structure-aggressive',
			'prune',
			'lru',
			'window',
			'tc-cap',
			'rotate',
		]) {
			assert.ok(unknown.message.includes(name), name);
		}
		assert.match(unknown.message, /Unknown compaction strategy "sliding_window"/);
		assert.equal(compactionStrategies[0]?.name, defaultStrategy);
		assert.ok(isStrategyName('lru') && !isStrategyName('noop'));
	});

	it('C1 triggers at 80% of the window by default (R1 uses 50%, G1 70%), rotation at 95% (C4)', () => {
		assert.equal(defaultTriggerRatio, 0.8);
		assert.equal(defaultRotationRatio, 0.95);
		assert.equal(triggerTokensFor(200_000, defaultTriggerRatio, defaultTriggerFloorTokens), 160_000);
	});

	it('R1 the threshold has a floor, never above the window; G1 a ratio or window of 0 means no threshold', () => {
		assert.equal(triggerTokensFor(8_000, 0.5, 16_000), 8_000);
		assert.equal(triggerTokensFor(100_000, 0.5, 64_000), 64_000);
		assert.equal(triggerTokensFor(0, 0.8, 8_000), 0);
		assert.equal(triggerTokensFor(100_000, 0, 8_000), 0);
	});

	it('R6 budgets the summary at 20% of what it replaces, between 2000 and min(5% of the window, 12000)', () => {
		assert.equal(summaryBudgetFor(50_000, 200_000, 0.2), 10_000);
		assert.equal(summaryBudgetFor(500_000, 1_000_000, 0.2), 12_000);
		assert.equal(summaryBudgetFor(500_000, 100_000, 0.2), 5_000);
		assert.equal(summaryBudgetFor(1_000, 200_000, 0.2), 2_000);
		fc.assert(
			fc.property(fc.nat(10_000_000), fc.integer({ min: 1, max: 2_000_000 }), (replaced, window) => {
				const budget = summaryBudgetFor(replaced, window, 0.2);
				assert.ok(budget >= 2_000);
				assert.ok(budget <= Math.max(2_000, Math.min(window * 0.05, 12_000)));
			}),
		);
	});

	it('G2 records the 200-word cap for the prose style; C2 records a "self" summary model and its instruction', () => {
		assert.equal(defaultSummaryWordCap, 200);
		const resolved = resolveCompactionOptions({
			counter: testCounter,
			contextWindow: 1,
			summaryModel: 'self',
		});
		assert.equal(resolved.summaryModel, 'self');
		assert.equal(resolveCompactionOptions({ counter: testCounter, contextWindow: 1 }).summaryModel, 'fast');
		for (const word of ['tasks', 'patterns', 'decisions', 'findings'])
			assert.match(selfSummaryInstruction, new RegExp(word));
	});

	it('falls back to the defaults for values out of range instead of failing', () => {
		const resolved = resolveCompactionOptions({
			counter: testCounter,
			contextWindow: Number.NaN,
			headMessages: -2,
			tailRatio: 3,
			triggerRatio: Number.POSITIVE_INFINITY,
			focus: '   ',
		});
		assert.equal(resolved.contextWindow, 0);
		assert.equal(resolved.headMessages, 3);
		assert.equal(resolved.tailRatio, 0.2);
		assert.equal(resolved.triggerRatio, 0.8);
		assert.equal(resolved.focus, undefined);
	});

	it('Z5 a transcript of an unknown model is planned against the default window from the model registry', () => {
		const profile = resolveModel('some-new-model');
		assert.equal(profile.contextWindow, 128_000);
		const [transcript] = fc.sample(arbTranscript(), { numRuns: 1, seed: 3 });
		if (transcript === undefined) return;
		const plan = planCompaction(transcript, { counter: testCounter, contextWindow: profile.contextWindow });
		assert.equal(plan.options.contextWindow, 128_000);
		assert.equal(plan.triggerTokens, 102_400);
	});

	it('H1 the planner reads the rich message model: pinned, error, phase and summary flags change the plan', () => {
		fc.assert(
			fc.property(arbTranscript(), (transcript) => {
				const plan = planCompaction(transcript, { counter: testCounter, contextWindow: 20_000 });
				transcript.messages.forEach((m, i) => {
					if (m.flags.isPinned && i >= plan.regions.middle.from && i < plan.regions.middle.to) {
						assert.equal(plan.fates[i], 'kept', `pinned ${m.id}`);
					}
				});
				for (const e of plan.edits) {
					const part = transcript.messages[e.message]?.parts[e.part];
					if (e.kind !== 'orphanResult')
						assert.ok(!(part?.kind === 'toolResult' && part.isError), 'errors are never pruned');
				}
			}),
			{ numRuns: 150 },
		);
	});
});
