import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { applyPlan } from '../../../src/core/compaction/applyPlan';
import type { CompactionOptions } from '../../../src/core/compaction/options';
import { resolveCompactionOptions } from '../../../src/core/compaction/options';
import type { CompactionPlan } from '../../../src/core/compaction/plan';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { markPinned, pinnedFigures } from '../../../src/core/compaction/pins';
import type { StrategyName } from '../../../src/core/compaction/strategies';
import type { Message, Transcript } from '../../../src/core/transcript/model';
import {
	arbTranscript,
	callPart,
	longOutput,
	message,
	resultPart,
	testCounter,
	textPart,
	transcriptOf,
} from './arbitraries';
import { firstRepeatedRole, survivesVerbatim, toolPairProblems, windowOf } from './kit';
import { syntheticTranscript } from '../view/syntheticTranscript';

const allStrategies: readonly StrategyName[] = [
	'summarize',
	'structure',
	'structure-aggressive',
	'prune',
	'lru',
	'window',
	'tc-cap',
	'rotate',
];

// As the compaction invariants plan: a small window and small limits, so every strategy has something to do.
function optionsFor(strategy: StrategyName, pinned: ReadonlySet<number>): CompactionOptions {
	return {
		counter: testCounter,
		contextWindow: 24_000,
		strategy,
		maxMessages: 12,
		maxTurns: 3,
		toolResultCapChars: 600,
		minPruneTokens: 200,
		protectTokens: 800,
		pinned,
	};
}

function compacted(transcript: Transcript, strategy: StrategyName, pinned: ReadonlySet<number>) {
	const plan = planCompaction(transcript, optionsFor(strategy, pinned));
	const summary = plan.needsSummary ? 'A short summary of the earlier work.' : undefined;
	return { plan, output: applyPlan(transcript, plan, summary) };
}

/** A generated transcript with a random set of its window messages pinned. */
const pinnedCase = (formats?: Parameters<typeof arbTranscript>[0]) =>
	arbTranscript(formats).chain((transcript) => {
		const n = windowOf(transcript).length;
		return fc.record({
			transcript: fc.constant(transcript),
			pinned: fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { maxLength: Math.min(n, 4) }),
			strategy: fc.constantFrom(...allStrategies),
		});
	});

const runs = { numRuns: 150 };

/**
 * True when every part of `original` is in the output message with its id, the same objects in the same order:
 * verbatim, though R13 may merge the summary into it behind a separator where no role fits between its neighbours.
 */
function keepsEveryPart(original: Message, output: readonly Message[]): boolean {
	if (survivesVerbatim(original, output)) return true;
	const found = output.find((m) => m.id === original.id);
	let at = 0;
	for (const part of found?.parts ?? []) if (part === original.parts[at]) at++;
	return found !== undefined && at === original.parts.length;
}

/** The window messages a plan must keep verbatim: the pinned ones (and flagged) and their tool partners. */
function pinnedGroup(window: readonly Message[], pinned: readonly number[]): number[] {
	const marks = markPinned(window, pinned);
	const group: number[] = [];
	marks.forEach((mark, i) => {
		if (mark !== 0) group.push(i);
	});
	return group;
}

/** An anthropic-style session whose middle has a tool round with a long result, and a long final turn. */
function session(): Message[] {
	return [
		message('u0', 'user', [textPart('Build the parquet export for invoices in src/billing/export.ts.')]),
		message('a0', 'assistant', [textPart('Reading the current exporter first.')]),
		message('u1', 'user', [textPart('Keep the column order of the invoice schema. It matters downstream.')]),
		message('a1', 'assistant', [
			textPart('Reading it.'),
			callPart('r1', 'Read', { file_path: 'src/billing/export.ts' }),
		]),
		message('t1', 'user', [resultPart('r1', longOutput('src/billing/export.ts', 400))]),
		message('a2', 'assistant', [textPart(`The exporter writes CSV. ${'Notes on the format. '.repeat(200)}`)]),
		message('u2', 'user', [textPart(`Now port it. ${'Background for the port. '.repeat(200)}`)]),
		message('a3', 'assistant', [
			textPart('Running the tests.'),
			callPart('b1', 'Bash', { command: 'npm test' }),
		]),
		message('t2', 'user', [resultPart('b1', longOutput('test/export.test.ts', 400))]),
		message('a4', 'assistant', [textPart(`Tests pass. ${'Summary of the run. '.repeat(200)}`)]),
		message('u3', 'user', [textPart('Now wire it into scheduler.py.')]),
		message('a5', 'assistant', [textPart('Wiring it in.')]),
	];
}

function ids(transcript: Transcript, plan: CompactionPlan, fate: string): string[] {
	return plan.fates.flatMap((f, i) => (f === fate ? [transcript.messages[i]?.id ?? '?'] : []));
}

describe('pins', () => {
	it('a pinned message and its tool partners survive verbatim under every strategy, with no edit', () => {
		fc.assert(
			fc.property(pinnedCase(), ({ transcript, pinned, strategy }) => {
				const { plan, output } = compacted(transcript, strategy, new Set(pinned));
				const window = windowOf(transcript);
				const group = pinnedGroup(window, pinned);
				for (const i of group) {
					assert.equal(plan.fates[i], 'kept', `${strategy}: message ${i} is pinned or a partner`);
					assert.ok(
						!plan.edits.some((e) => e.message === i && e.kind !== 'orphanResult'),
						`${strategy}: message ${i} is not edited`,
					);
					const original = window[i];
					if (plan.preflight.ok && original !== undefined)
						assert.ok(
							keepsEveryPart(original, windowOf(output)),
							`${strategy}: message ${i} is in the output`,
						);
				}
				if (plan.preflight.ok) assert.deepEqual(toolPairProblems(windowOf(output)), []);
			}),
			runs,
		);
	});

	it('keeps pinned messages in their order and roles alternating in anthropic-messages and claude-code', () => {
		fc.assert(
			fc.property(pinnedCase(['anthropic-messages', 'claude-code']), ({ transcript, pinned, strategy }) => {
				const { plan, output } = compacted(transcript, strategy, new Set(pinned));
				if (!plan.preflight.ok) return;
				const out = windowOf(output);
				assert.equal(firstRepeatedRole(out), -1, `${strategy}: ${out.map((m) => m.role).join(',')}`);
				const window = windowOf(transcript);
				const positions = [...pinned]
					.sort((a, b) => a - b)
					.map((i) => out.findIndex((m) => m.id === window[i]?.id));
				assert.deepEqual(
					positions,
					[...positions].sort((a, b) => a - b),
					'pinned messages keep their order',
				);
			}),
			runs,
		);
	});

	it('counts the pinned messages, their partners and their tokens in the plan and the budget figures', () => {
		fc.assert(
			fc.property(pinnedCase(), ({ transcript, pinned, strategy }) => {
				const options = optionsFor(strategy, new Set(pinned));
				const plan = planCompaction(transcript, options);
				const window = windowOf(transcript);
				const marks = markPinned(window, pinned);
				const expected = { messages: [] as number[], partners: [] as number[], tokens: 0 };
				marks.forEach((mark, i) => {
					if (mark === 0) return;
					(mark === 1 ? expected.messages : expected.partners).push(i);
					expected.tokens += plan.messageTokens[i] ?? 0;
				});
				if (expected.messages.length === 0) assert.equal(plan.pinned, undefined);
				else assert.deepEqual(plan.pinned, expected);
				assert.deepEqual(pinnedFigures(marks, plan.messageTokens), plan.pinned);
			}),
			{ numRuns: 60 },
		);
	});

	it('keeps a pinned tool call with its result and a pinned result with its call, under every strategy', () => {
		const transcript = transcriptOf(session(), 'anthropic-messages');
		for (const strategy of allStrategies) {
			for (const [pin, partner] of [
				[3, 4],
				[8, 7],
			] as const) {
				const plan = planCompaction(transcript, {
					counter: testCounter,
					contextWindow: 12_000,
					strategy,
					headMessages: 1,
					maxMessages: 4,
					maxTurns: 2,
					toolResultCapChars: 500,
					minPruneTokens: 0,
					protectTokens: 0,
					pinned: new Set([pin]),
				});
				assert.ok(plan.preflight.ok, `${strategy}: ${plan.preflight.ok ? '' : plan.preflight.message}`);
				assert.equal(plan.fates[pin], 'kept', `${strategy} keeps #${pin + 1}`);
				assert.equal(plan.fates[partner], 'kept', `${strategy} keeps its partner #${partner + 1}`);
				assert.ok(!plan.edits.some((e) => e.message === pin || e.message === partner), strategy);
				assert.deepEqual(plan.pinned?.messages, [pin]);
				assert.deepEqual(plan.pinned?.partners, [partner]);
				assert.equal(
					plan.pinned?.tokens,
					(plan.messageTokens[pin] ?? 0) + (plan.messageTokens[partner] ?? 0),
				);
				const out = windowOf(applyPlan(transcript, plan, plan.needsSummary ? 'Summary.' : undefined));
				for (const i of [pin, partner]) {
					const original = transcript.messages[i];
					assert.ok(
						original !== undefined && keepsEveryPart(original, out),
						`${strategy}: #${i + 1} verbatim`,
					);
				}
				assert.equal(firstRepeatedRole(out), -1, `${strategy}: ${out.map((m) => m.role).join(',')}`);
			}
		}
	});

	it('without pins the plan is what it was: same fates, edits and id, and no pinned figure', () => {
		const transcript = transcriptOf(session(), 'anthropic-messages');
		for (const strategy of allStrategies) {
			const base = { counter: testCounter, contextWindow: 12_000, strategy, headMessages: 1 };
			const plain = planCompaction(transcript, base);
			const empty = planCompaction(transcript, { ...base, pinned: new Set() });
			assert.equal(empty.id, plain.id, strategy);
			assert.deepEqual(empty.fates, plain.fates, strategy);
			assert.equal(plain.pinned, undefined);
			const pinned = planCompaction(transcript, { ...base, pinned: new Set([2]) });
			assert.notEqual(pinned.id, plain.id, `${strategy}: pins are part of the plan's identity`);
		}
	});

	it('summarize keeps a pinned middle message out of the summary input; lru spares it and counts only what went', () => {
		const transcript = transcriptOf(session(), 'anthropic-messages');
		const base = { counter: testCounter, contextWindow: 12_000, headMessages: 1 };
		const summary = planCompaction(transcript, { ...base, strategy: 'summarize', pinned: new Set([2]) });
		assert.equal(summary.fates[2], 'kept');
		assert.ok(!summary.summaryInput.some((m) => m.id === 'u1'), 'the pin is not summarised');
		assert.ok(summary.summaryInput.length > 0);

		const lru = planCompaction(transcript, {
			...base,
			strategy: 'lru',
			maxMessages: 4,
			pinned: new Set([2]),
		});
		assert.equal(lru.fates[2], 'kept');
		const dropped = ids(transcript, lru, 'dropped');
		assert.ok(!dropped.includes('u1'));
		assert.equal(lru.eviction?.messagesEvicted, dropped.length);
		const out = windowOf(applyPlan(transcript, lru, undefined));
		assert.equal(firstRepeatedRole(out), -1, out.map((m) => m.role).join(','));
		assert.ok(out.some((m) => m.id === 'u1'));
	});

	it('a pinned summary opening the window stays as it is instead of being folded', () => {
		const messages = [
			message('s0', 'user', [textPart('[CONTEXT SUMMARY]: the export is half done.')], { isSummary: true }),
			message('a0', 'assistant', [textPart('Continuing.')]),
			...session().slice(2),
		];
		const transcript = transcriptOf(messages, 'anthropic-messages');
		const base = { counter: testCounter, contextWindow: 12_000, strategy: 'summarize' as const };
		assert.equal(planCompaction(transcript, base).foldedSummary, 0);
		const plan = planCompaction(transcript, { ...base, pinned: new Set([0]) });
		assert.equal(plan.foldedSummary, undefined);
		assert.equal(plan.fates[0], 'kept');
	});

	it('a few pins in a long Claude Code middle keep a few messages more, not the span after them (R13 repairs do not cascade)', () => {
		// Tool results and the next prompt are both user messages here, so a seam after a pinned result needs an
		// assistant message between; the one kept must not open another such seam, and so on through the middle.
		const transcript = syntheticTranscript(2_000);
		const window = windowOf(transcript);
		const pins = [400, 800, 1_200].map((i) =>
			window.findIndex((m, k) => k >= i && m.parts.some((p) => p.kind === 'toolCall')),
		);
		for (const strategy of ['summarize', 'structure', 'lru'] as const) {
			const base = { counter: testCounter, contextWindow: 200_000, strategy };
			const plain = planCompaction(transcript, base);
			const pinned = planCompaction(transcript, { ...base, pinned: new Set(pins) });
			const group = (pinned.pinned?.messages.length ?? 0) + (pinned.pinned?.partners.length ?? 0);
			assert.ok(
				pinned.counts.kept <= plain.counts.kept + group + 2 * pins.length,
				`${strategy}: ${plain.counts.kept} kept without pins, ${pinned.counts.kept} with ${pins.length} pins (${group} messages with partners)`,
			);
			const out = windowOf(applyPlan(transcript, pinned, pinned.needsSummary ? 'Summary.' : undefined));
			for (const i of pins) assert.ok(keepsEveryPart(window[i] as Message, out), `${strategy}: #${i + 1}`);
		}
	});

	it('resolves pinned indexes to whole, distinct, ascending plain data', () => {
		const resolved = resolveCompactionOptions({
			counter: testCounter,
			contextWindow: 1000,
			pinned: new Set([7, 2, -1, 2.5, Number.NaN, 0]),
		});
		assert.deepEqual(resolved.pinned, [0, 2, 7]);
		assert.equal(resolveCompactionOptions({ counter: testCounter, contextWindow: 1000 }).pinned, undefined);
	});
});
