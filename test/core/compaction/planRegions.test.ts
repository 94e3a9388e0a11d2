import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
	defaultHeadMessages,
	defaultTailMinMessages,
	defaultTailRatio,
	executusKeepRecentMessages,
	hiveKeepRecentMessages,
	resolveCompactionOptions,
} from '../../../src/core/compaction/options';
import { planRegions } from '../../../src/core/compaction/planRegions';
import type { RegionOptions } from '../../../src/core/compaction/planRegions';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { unsafeCuts } from '../../../src/core/compaction/toolGroups';
import type { Message } from '../../../src/core/transcript/model';
import {
	arbTranscript,
	callPart,
	message,
	resultPart,
	testCounter,
	textPart,
	transcriptOf,
} from './arbitraries';

function regionOptions(overrides: Partial<RegionOptions> = {}): RegionOptions {
	return { ...resolveCompactionOptions({ counter: testCounter, contextWindow: 10_000 }), ...overrides };
}

/** A plain conversation: user/assistant text messages. */
function chat(count: number): Message[] {
	return Array.from({ length: count }, (_, i) =>
		message(`m${i}`, i % 2 === 0 ? 'user' : 'assistant', [
			textPart(`Message ${i} about src/file${i}.ts and its tests.`),
		]),
	);
}

describe('planRegions', () => {
	it('R4 keeps the first 3 messages as the head by default', () => {
		assert.equal(defaultHeadMessages, 3);
		const messages = chat(20);
		const regions = planRegions(
			messages,
			messages.map(() => 10),
			regionOptions(),
		);
		assert.deepEqual([regions.head.from, regions.head.to, regions.head.tokens], [0, 3, 30]);
		assert.equal(regions.middle.from, 3);
	});

	it('R4 never starts the middle on a tool result: the head grows past the results of its last call', () => {
		const messages = [
			message('s', 'system', [textPart('system prompt')]),
			message('u', 'user', [textPart('Fix the failing test in test/api.test.ts')]),
			message('a', 'assistant', [callPart('c1', 'Bash', { command: 'npm test' })]),
			message('t', 'tool', [resultPart('c1', 'FAIL test/api.test.ts')]),
			...chat(12).map((m) => ({ ...m, id: `x${m.id}` })),
		];
		const regions = planRegions(
			messages,
			messages.map(() => 10),
			regionOptions(),
		);
		assert.equal(regions.head.to, 4);
		assert.equal(regions.middle.from, 4);
	});

	it('R5 protects a tail by token budget: tailRatio of the trigger threshold, with a 1.5x soft ceiling', () => {
		assert.equal(defaultTailRatio, 0.2);
		const messages = chat(40);
		// Window 10k, trigger 0.8 -> 8000 tokens, tail budget 1600, soft ceiling 2400: 24 messages of 100 tokens.
		const regions = planRegions(
			messages,
			messages.map(() => 100),
			regionOptions({ tailSizing: 'window' }),
		);
		assert.equal(regions.tailBudgetTokens, 1600);
		assert.equal(regions.tail.to - regions.tail.from, 24);
		assert.equal(regions.tail.tokens, 2400);
	});

	it('a compaction the person asked for sizes the tail to the session: the smaller of the two budgets', () => {
		const messages = chat(40);
		const tokens = messages.map(() => 100);
		// The session holds 4000 tokens: 20% of it is 800, below the threshold's 1600.
		const asked = planRegions(messages, tokens, regionOptions());
		assert.equal(asked.tailBudgetTokens, 800);
		assert.equal(asked.tail.tokens, 1200, 'the 1.5x soft ceiling of 800');
		// A session past the threshold keeps R5's budget.
		const full = planRegions(
			messages,
			messages.map(() => 400),
			regionOptions(),
		);
		assert.equal(full.tailBudgetTokens, 1600);
	});

	it('R5 keeps at least 3 messages in the tail even when one message alone exceeds the budget', () => {
		assert.equal(defaultTailMinMessages, 3);
		const messages = chat(12);
		const tokens = messages.map((_, i) => (i === 11 ? 50_000 : 10));
		const regions = planRegions(messages, tokens, regionOptions());
		assert.equal(regions.tail.from, 9);
	});

	it('R5 does not cut inside a tool-call group: the tail starts at the call, not at its result', () => {
		const messages = [
			...chat(10),
			message('a', 'assistant', [
				callPart('c1', 'Read', { file_path: 'a.ts' }),
				callPart('c2', 'Read', { file_path: 'b.ts' }),
			]),
			message('r1', 'tool', [resultPart('c1', 'contents of a')]),
			message('r2', 'tool', [resultPart('c2', 'contents of b')]),
			message('next', 'user', [textPart('Now compare the two files and list the differences.')]),
		];
		// A tail of exactly three messages by count would start on r1; alignment pulls it back to the call.
		const regions = planRegions(
			messages,
			messages.map(() => 10),
			regionOptions({ keepRecentMessages: 3 }),
		);
		assert.equal(regions.tail.from, 10);
	});

	it('R5: a large fan-out group at the boundary goes to the middle when keeping it would make the tail outweigh the middle', () => {
		const fanOut = (id: string, count: number): Message[] => [
			message(id, 'assistant', [
				...Array.from({ length: count }, (_, i) =>
					callPart(`${id}${i}`, 'Read', { file_path: `${id}${i}.ts` }),
				),
			]),
			...Array.from({ length: count }, (_, i) =>
				message(`${id}r${i}`, 'tool', [resultPart(`${id}${i}`, `contents ${i}`)]),
			),
		];
		const messages = [
			...chat(4),
			...fanOut('g', 4),
			...fanOut('h', 2),
			message('done', 'assistant', [textPart('ok')]),
		];
		// Budget 1600 (ceiling 2400): g's four results of 800 each sit at the boundary.
		const tokens = messages.map((m) => (m.id.startsWith('gr') ? 800 : m.id.startsWith('hr') ? 300 : 10));
		const regions = planRegions(messages, tokens, regionOptions({ tailSizing: 'window' }));
		assert.equal(regions.tail.from, 9, 'the tail starts after the group, at the next call');
		assert.ok(regions.middle.tokens > regions.tail.tokens);
		assert.ok(unsafeCuts(messages)[regions.tail.from] === 0, 'no pair is split');

		// With a middle already larger than the tail, the group stays whole in the tail as before.
		const long = [...chat(60), ...messages.slice(4)];
		const longTokens = [...chat(60).map(() => 100), ...tokens.slice(4)];
		const kept = planRegions(long, longTokens, regionOptions({ tailSizing: 'window' }));
		assert.equal(kept.tail.from, 60, 'the tail starts at the group call');
	});

	it('the last user message no longer stretches the tail over the autonomous turn after it', () => {
		const messages: Message[] = [
			...chat(6),
			message('ask', 'user', [textPart('Now refactor the auth module to use JWT.')]),
			...Array.from({ length: 10 }, (_, i) =>
				message(`w${i}`, 'assistant', [textPart(`working step ${i} `.repeat(20))]),
			),
		];
		const tokens = messages.map((_, i) => (i > 6 ? 400 : 10));
		const regions = planRegions(messages, tokens, regionOptions({ tailSizing: 'window' }));
		assert.equal(regions.lastUserPrompt, 6);
		// Budget 1600 with a 2400 ceiling: the newest 6 steps of 400 tokens; the request falls in the middle.
		assert.equal(regions.tail.from, 11);
		const plan = planCompaction(
			{
				format: 'claude-code',
				detection: { format: 'claude-code', reason: 'test' },
				messages,
				passthrough: [],
				meta: {},
				diagnostics: [],
				lineCount: messages.length,
			},
			{ counter: testCounter, contextWindow: 10_000, strategy: 'summarize', tailSizing: 'window' },
		);
		assert.equal(
			plan.fates[6],
			'kept',
			'the request is kept verbatim while the steps around it are summarised',
		);
		assert.equal(plan.fates[7], 'summarized');
	});

	it('R5 forces a middle when everything fits the budget, so a manual compaction has work (tail = 3 messages)', () => {
		const messages = chat(10);
		const regions = planRegions(
			messages,
			messages.map(() => 1),
			regionOptions(),
		);
		assert.deepEqual([regions.middle.from, regions.middle.to, regions.tail.from], [3, 7, 7]);
	});

	it('G2/H5 a count-based tail keeps the last keepRecentMessages messages (8 for executus, 2 for hive)', () => {
		assert.equal(executusKeepRecentMessages, 8);
		assert.equal(hiveKeepRecentMessages, 2);
		const messages = chat(30);
		const tokens = messages.map(() => 10);
		assert.equal(planRegions(messages, tokens, regionOptions({ keepRecentMessages: 8 })).tail.from, 22);
		// The last message is an assistant reply, so the tail grows back to the last user message (R5).
		assert.equal(planRegions(messages, tokens, regionOptions({ keepRecentMessages: 2 })).tail.from, 28);
	});

	it('H5 never starts the kept part on an orphaned tool result', () => {
		const messages = [
			...chat(10),
			message('a', 'assistant', [callPart('c1', 'Bash', { command: 'ls' })]),
			message('r', 'tool', [resultPart('c1', 'a\nb')]),
			message('z', 'user', [textPart('Good, now delete the stale build directory.')]),
		];
		const regions = planRegions(
			messages,
			messages.map(() => 10),
			regionOptions({ keepRecentMessages: 2, headMessages: 1 }),
		);
		assert.equal(messages[regions.tail.from]?.id, 'a');
	});

	it('H7 with three or more phases keeps the current and the previous phase whole', () => {
		const messages = Array.from({ length: 18 }, (_, i) =>
			message(
				`m${i}`,
				i % 2 === 0 ? 'user' : 'assistant',
				[textPart(`step ${i}`)],
				{},
				`phase-${Math.floor(i / 6)}`,
			),
		);
		const tokens = messages.map(() => 10);
		const regions = planRegions(messages, tokens, regionOptions({ keepRecentMessages: 1 }));
		assert.deepEqual(regions.phases.protectedPhaseIds, ['phase-1', 'phase-2']);
		assert.equal(regions.tail.from, 6);
		const two = messages.slice(0, 12);
		assert.equal(
			planRegions(two, tokens.slice(0, 12), regionOptions({ keepRecentMessages: 1 })).phases.firstProtected,
			undefined,
		);
		assert.equal(
			planRegions(messages, tokens, regionOptions({ keepRecentMessages: 1, isPhaseGraduated: false })).tail
				.from,
			17,
		);
	});

	it('G4 folds a summary that opens the window: only the system messages before it stay as the head', () => {
		const messages = [
			message('s', 'system', [textPart('system prompt')]),
			message('sum', 'user', [textPart('[CONTEXT SUMMARY]: we built the exporter')], { isSummary: true }),
			...chat(12),
		];
		const regions = planRegions(
			messages,
			messages.map(() => 10),
			regionOptions(),
		);
		assert.equal(regions.foldedSummary, 1);
		assert.deepEqual([regions.head.from, regions.head.to, regions.middle.from], [0, 1, 1]);
	});

	it('partitions the window and never puts a boundary inside a tool group (generated transcripts)', () => {
		fc.assert(
			fc.property(arbTranscript(), (transcript) => {
				const plan = planCompaction(transcript, { counter: testCounter, contextWindow: 20_000 });
				const { head, middle, tail } = plan.regions;
				assert.equal(head.from, 0);
				assert.equal(head.to, middle.from);
				assert.equal(middle.to, tail.from);
				assert.equal(tail.to, plan.messageIds.length);
				assert.equal(head.tokens + middle.tokens + tail.tokens, plan.tokensBefore);
				const unsafe = unsafeCuts(transcript.messages);
				if (middle.to > middle.from) {
					assert.equal(unsafe[middle.from], 0);
					assert.equal(unsafe[middle.to], 0);
				}
			}),
			{ numRuns: 200 },
		);
	});

	it('is one implementation: planCompaction with default options reports exactly planRegions', () => {
		fc.assert(
			fc.property(arbTranscript(), (transcript) => {
				const plan = planCompaction(transcript, { counter: testCounter, contextWindow: 30_000 });
				const direct = planRegions(
					transcript.messages,
					plan.messageTokens,
					resolveCompactionOptions({ counter: testCounter, contextWindow: 30_000 }),
				);
				assert.deepEqual(plan.regions, { head: direct.head, middle: direct.middle, tail: direct.tail });
			}),
			{ numRuns: 100 },
		);
	});

	it('handles tiny windows: empty, one message, all head', () => {
		for (const count of [0, 1, 3]) {
			const messages = chat(count);
			const regions = planRegions(
				messages,
				messages.map(() => 5),
				regionOptions(),
			);
			assert.equal(regions.middle.to - regions.middle.from, 0, `count ${count}`);
		}
		const transcript = transcriptOf(chat(2));
		const plan = planCompaction(transcript, { counter: testCounter, contextWindow: 1000 });
		assert.equal(plan.preflight.ok, false);
	});
});
