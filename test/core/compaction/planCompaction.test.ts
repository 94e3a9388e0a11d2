import { strict as assert } from 'node:assert';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { parsePlan, serializePlan } from '../../../src/core/compaction/serializePlan';
import type { CompactionOptions } from '../../../src/core/compaction/options';
import type { StrategyName } from '../../../src/core/compaction/strategies';
import type { Message } from '../../../src/core/transcript/model';
import {
	callPart,
	longOutput,
	message,
	resultPart,
	testCounter,
	textPart,
	transcriptOf,
} from './arbitraries';

function session(finalAnswer?: string): Message[] {
	const messages: Message[] = [message('sys', 'system', [textPart('You are a coding agent.')])];
	for (let i = 0; i < 6; i++) {
		messages.push(
			message(`u${i}`, 'user', [
				textPart(`Please fix bug ${i} in src/bug${i}.ts. ${'context '.repeat(200)}`),
			]),
		);
		messages.push(
			message(`a${i}`, 'assistant', [callPart(`c${i}`, 'Read', { file_path: `src/bug${i}.ts` })]),
		);
		messages.push(message(`t${i}`, 'tool', [resultPart(`c${i}`, longOutput(`src/bug${i}.ts`, 60))]));
		messages.push(message(`d${i}`, 'assistant', [textPart(`Bug ${i} is fixed.`)]));
	}
	messages.push(
		message('ask', 'user', [
			textPart('Now add regression tests for bugs 3 to 5 in test/regressions.test.ts.'),
		]),
	);
	if (finalAnswer !== undefined) messages.push(message('final', 'assistant', [textPart(finalAnswer)]));
	return messages;
}

const base: CompactionOptions = { counter: testCounter, contextWindow: 40_000 };

describe('planCompaction', () => {
	it('R8 records the latest request verbatim as the active task, and whether it already looks done', () => {
		const open = planCompaction(transcriptOf(session()), base);
		assert.deepEqual(open.activeTask, {
			text: 'Now add regression tests for bugs 3 to 5 in test/regressions.test.ts.',
			message: 25,
			looksFulfilled: false,
		});
		const done = planCompaction(
			transcriptOf(session('Done: all regression tests are implemented and pass.')),
			base,
		);
		// A completed request is still the latest thing the person asked for: the handoff says it looks done.
		assert.equal(done.activeTask?.looksFulfilled, true);
		assert.equal(done.activeTask?.text, open.activeTask?.text);
	});

	it('G2 keeps a leading system message verbatim and summarises the middle in one call', () => {
		const transcript = transcriptOf(session());
		const plan = planCompaction(transcript, { ...base, keepRecentMessages: 8, headMessages: 1 });
		assert.equal(plan.fates[0], 'kept');
		assert.equal(plan.regions.head.to, 1);
		assert.equal(plan.regions.tail.from, transcript.messages.length - 8);
		assert.equal(plan.summaryInput.length, plan.counts.summarized);
		assert.ok(plan.needsSummary);
	});

	it("makes the summariser's input when it is first read, once, as plain data that serialises with the plan", () => {
		const transcript = transcriptOf(session());
		for (const summaryInputSource of ['full', 'pruned'] as const) {
			const plan = planCompaction(transcript, {
				...base,
				keepRecentMessages: 8,
				minPruneTokens: 0,
				protectTokens: 0,
				summaryInputSource,
			});
			const text = serializePlan(plan);
			const input = plan.summaryInput;
			assert.equal(plan.summaryInput, input, 'the same copies on every read');
			assert.deepEqual(
				input.map((m) => m.id),
				transcript.messages.filter((_, i) => plan.fates[i] === 'summarized').map((m) => m.id),
			);
			for (const m of input) {
				assert.equal(m.raw.length, 0);
				assert.ok(m.parts.every((p) => p.raw === undefined));
			}
			const pruned = input
				.flatMap((m) => m.parts)
				.filter((p) => p.kind === 'toolResult' && p.text.startsWith('[Read]'));
			assert.equal(pruned.length > 0, summaryInputSource === 'pruned', summaryInputSource);
			const parsed = parsePlan(text);
			assert.ok(parsed.ok);
			assert.deepStrictEqual(
				JSON.parse(JSON.stringify(parsed.plan.summaryInput)),
				JSON.parse(JSON.stringify(input)),
			);
			assert.deepStrictEqual(Object.keys(JSON.parse(text)), Object.keys(plan));
		}
	});

	it('R16 every strategy says why when there is nothing to do, before any model call', () => {
		const tiny = transcriptOf(session().slice(0, 4));
		const expected: Record<StrategyName, RegExp> = {
			summarize: /^Nothing to compact: all 4 messages/,
			structure: /^Nothing to compact/,
			'structure-aggressive': /^Nothing to compact/,
			rotate: /^Compacting would not free tokens|^Nothing to compact/,
			prune: /^Nothing to prune/,
			lru: /^Nothing to evict: 4 messages, and up to 50 are kept\.$/,
			window: /^Nothing to evict: the conversation fits in 20 turns\.$/,
			'tc-cap': /^Nothing to cap: no tool result after the head is longer than 10,000 characters\.$/,
		};
		for (const [strategy, pattern] of Object.entries(expected)) {
			const plan = planCompaction(tiny, { ...base, strategy: strategy as StrategyName });
			assert.equal(plan.preflight.ok, false, strategy);
			assert.match(plan.preflight.ok ? '' : plan.preflight.message, pattern, strategy);
			assert.equal(plan.needsSummary, false);
		}
	});

	it('R16 refuses to summarise a middle smaller than the summary it would need (R6 minimum)', () => {
		const messages = session().map((m) =>
			m.role === 'tool' ? { ...m, parts: [resultPart(m.id.replace('t', 'c'), 'ok')] } : m,
		);
		const short = messages.map((m) =>
			m.role === 'user' && m.id !== 'ask' ? { ...m, parts: [textPart(`Fix bug ${m.id}.`)] } : m,
		);
		const plan = planCompaction(transcriptOf(short), base);
		assert.equal(plan.preflight.ok, false);
		assert.match(
			plan.preflight.ok ? '' : plan.preflight.message,
			/would not free tokens.*summary of up to 2,000 tokens\./,
		);
	});

	it('is deterministic: the same transcript and options give the same plan and id', () => {
		const transcript = transcriptOf(session());
		const a = planCompaction(transcript, base);
		const b = planCompaction(transcript, base);
		assert.deepEqual(a, b);
		assert.notEqual(planCompaction(transcript, { ...base, focus: 'tests' }).id, a.id);
	});

	it('reports what inspect shows with default options: regions and prune candidates over the middle', () => {
		const plan = planCompaction(transcriptOf(session()), base);
		assert.ok(plan.pruneCandidates.tokens > 0);
		assert.equal(plan.pruneCandidates.isBelowMinimum, plan.pruneCandidates.tokens < 2_000);
		assert.equal(plan.messageTokens.length, plan.messageIds.length);
		assert.equal(
			plan.messageTokens.reduce((a, b) => a + b, 0),
			plan.regions.head.tokens + plan.regions.middle.tokens + plan.regions.tail.tokens,
		);
	});

	it('C4 marks a rotation as due only at 95% of the window', () => {
		const transcript = transcriptOf(session());
		const roomy = planCompaction(transcript, { ...base, strategy: 'rotate', contextWindow: 1_000_000 });
		assert.equal(roomy.rotation?.isDue, false);
		const full = planCompaction(transcript, {
			...base,
			strategy: 'rotate',
			contextWindow: roomy.tokensBefore,
		});
		assert.equal(full.rotation?.isDue, true);
		assert.ok(Math.abs((full.rotation?.percentOfWindow ?? 0) - 100) < 1e-9);
	});

	it('G2/R6 the summary budget grows with what is replaced and the estimate counts the summary at full budget', () => {
		const plan = planCompaction(transcriptOf(session()), {
			...base,
			contextWindow: 400_000,
			keepRecentMessages: 1,
		});
		const replaced = plan.summaryInputTokens;
		assert.equal(plan.summaryBudgetTokens, Math.max(2_000, Math.min(Math.floor(replaced * 0.2), 12_000)));
		assert.ok(plan.estimatedTokensAfter > plan.summaryBudgetTokens);
	});
});
