import { strict as assert } from 'node:assert';
import { buildPlanningTranscript } from '../../../bench/planInput';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { NumberedTextCounts, countsNumbersByLength } from '../../../src/core/compaction/numberedTextCounts';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import type { CompactionPlan } from '../../../src/core/compaction/plan';
import type { PlanContext } from '../../../src/core/compaction/planContext';
import type { TokenCounting } from '../../../src/core/compaction/tokenCounting';
import { countTextTokens, type EncodingName } from '../../../src/core/tokens/encoding';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import type { Part } from '../../../src/core/transcript/model';

// The structure strategy counts the placeholder of every spill entry it writes; they differ only in the entry
// number, so their counts are shared by entries whose numbers have as many digits. These tests check the token
// fact that makes that exact, and that plans are the same with and without the sharing.

const encodings: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

/** Every string of one to three ASCII digits, leading zeros included (1,110 strings). */
function shortDigitStrings(): string[] {
	const all: string[] = [];
	for (let length = 1; length <= 3; length++) {
		for (let n = 0; n < 10 ** length; n++) all.push(String(n).padStart(length, '0'));
	}
	return all;
}

/** The same counter behind a plain object: not recognised, so nothing is shared and every figure is counted. */
function unrecognised(counter: TokenCounter): TokenCounting {
	return {
		countText: (text) => counter.countText(text),
		countMessage: (message) => counter.countMessage(message),
		countPart: (part) => counter.countPart(part),
	};
}

/** Texts the counter had to tokenise (not found in its text cache). */
function tokenised(counter: TokenCounter): number {
	return counter.cacheMisses;
}

describe('numbered text counts', () => {
	describe('the digit fact', () => {
		for (const encoding of encodings) {
			it(`every string of 1 to 3 ASCII digits is one ${encoding} token`, () => {
				const strings = shortDigitStrings();
				assert.equal(strings.length, 1110);
				const notOne = strings.filter((s) => countTextTokens(s, encoding) !== 1);
				assert.deepEqual(notOne, []);
			});

			it(`${encoding}: a number between '#' and a space counts by its digits alone`, () => {
				const heads = [
					'[Text moved to spill entry #',
					'[Read] read /src/a.ts (1,007 chars, 18 lines); full output: spill entry #',
					'x#',
					'héllo wörld ##',
					'\u0661\u0662 #',
				];
				const tails = [' in context-lens-spill-abc-def.md]', ' in f', ' 123', ' \u0663'];
				const numbers = [0, 1, 7, 9, 10, 42, 99, 100, 555, 999, 1000, 1234, 9999, 10000, 123456, 1234567];
				for (const head of heads) {
					for (const tail of tails) {
						for (const n of numbers) {
							const ones = '1'.repeat(String(n).length);
							assert.equal(
								countTextTokens(`${head}${n}${tail}`, encoding),
								countTextTokens(`${head}${ones}${tail}`, encoding),
								`${head}${n}${tail}`,
							);
						}
					}
				}
			});
		}

		it('holds across the 512-character cut of a long symbol run', () => {
			const head = `${'='.repeat(700)}#`;
			for (const encoding of encodings) {
				for (const n of [5, 50, 500, 5000]) {
					const ones = '1'.repeat(String(n).length);
					assert.equal(
						countTextTokens(`${head}${n} in f`, encoding),
						countTextTokens(`${head}${ones} in f`, encoding),
					);
				}
			}
		});
	});

	describe('which counters share counts', () => {
		it('recognises TokenCounter and MessageTokenCache over one, for both encodings', () => {
			for (const model of ['claude-sonnet-4-5', 'gpt-4o', 'gpt-4']) {
				const counter = new TokenCounter(resolveModel(model));
				assert.equal(countsNumbersByLength(counter), true, model);
				assert.equal(countsNumbersByLength(new MessageTokenCache(counter)), true, model);
				assert.equal(countsNumbersByLength(unrecognised(counter)), false, model);
			}
		});

		it('trusts only a counter that declares its encoding', () => {
			const counter = new TokenCounter(resolveModel('gpt-4o'));
			const undeclared: TokenCounting = {
				countText: (text) => counter.countText(text),
				countMessage: (message) => counter.countMessage(message),
			};
			assert.equal(countsNumbersByLength(undeclared), false);
			assert.equal(countsNumbersByLength({ ...undeclared, bpeEncoding: 'o200k_base' }), true);
		});
	});

	describe('NumberedTextCounts', () => {
		/** A context whose newPartTokens counts with `counter` and records what it was asked. */
		function contextFor(counter: TokenCounting): { context: PlanContext; asked: string[] } {
			const asked: string[] = [];
			const context = {
				counter,
				newPartTokens(part: Part | null): number {
					if (part === null) return 0;
					asked.push(part.kind === 'toolCall' || part.kind === 'image' ? '' : part.text);
					return counter.countPart?.(part) ?? 0;
				},
			} as unknown as PlanContext;
			return { context, asked };
		}
		it('counts once per head and digit count, and builds the exact text', () => {
			const counter = new TokenCounter(resolveModel('claude-sonnet-4-5'));
			const { context, asked } = contextFor(counter);
			const counts = new NumberedTextCounts(context, ' in f.md]');
			for (let n = 1; n <= 1200; n++) {
				for (const head of ['[Text moved #', '[Read] x; #']) {
					const got = counts.part(head, n);
					assert.equal(got.part.text, `${head}${n} in f.md]`);
					assert.equal(got.tokens, counter.countPart(got.part));
				}
			}
			// Two heads times four digit counts.
			assert.equal(asked.length, 8);
		});

		it('counts every time for an unrecognised counter, a head ending in a digit, or a tail starting with one', () => {
			const counter = new TokenCounter(resolveModel('gpt-4o'));
			const plain = contextFor(unrecognised(counter));
			const off = new NumberedTextCounts(plain.context, ' in f');
			for (let n = 1; n <= 5; n++) off.part('#', n);
			assert.equal(plain.asked.length, 5);

			const known = contextFor(counter);
			const counts = new NumberedTextCounts(known.context, ' in f');
			for (let n = 1; n <= 5; n++) counts.part('entry 1', n);
			for (let n = 1; n <= 5; n++) counts.part('\u0661#', n);
			// 'entry 1' ends in a digit: five counts; '\u0661#' ends in '#': one count for the one-digit numbers.
			assert.equal(known.asked.length, 6);

			const digitTail = contextFor(counter);
			const afterDigit = new NumberedTextCounts(digitTail.context, '1 in f');
			for (let n = 1; n <= 5; n++) afterDigit.part('#', n);
			assert.equal(digitTail.asked.length, 5);
		});
	});

	describe('structure plans', () => {
		// 2,600 messages in a 20k window: over a thousand spill entries, so entry numbers go 9 -> 10, 99 -> 100
		// and 999 -> 1000.
		const transcript = buildPlanningTranscript(2_600, 3);
		const models = ['claude-sonnet-4-5', 'gpt-4o', 'gpt-4'];

		for (const model of models) {
			for (const strategy of ['structure', 'structure-aggressive'] as const) {
				it(`${strategy} plans for ${model} are the same with and without shared counts`, () => {
					const profile = resolveModel(model);
					const shared = new TokenCounter(profile);
					const alone = new TokenCounter(profile);
					const options = { contextWindow: 20_000, strategy } as const;
					const before = tokenised(shared);
					const withSharing = planCompaction(transcript, {
						...options,
						counter: new MessageTokenCache(shared),
					});
					const sharedLookups = tokenised(shared) - before;
					const withoutSharing = planCompaction(transcript, { ...options, counter: unrecognised(alone) });
					const aloneLookups = tokenised(alone);
					assert.deepStrictEqual(withSharing, withoutSharing);

					const entries = withSharing.spill?.entries.length ?? 0;
					assert.ok(entries > 1000, `${entries} entries`);
					const numbers = referencedEntries(withSharing);
					// Aggressive plans move most messages whole (reasoning stays), so few of their entries have references.
					for (const n of strategy === 'structure' ? [9, 10, 99, 100, 999, 1000] : []) {
						assert.ok(
							numbers.some((m) => String(m).length === String(n).length),
							`a reference with ${String(n).length} digits`,
						);
					}
					if (strategy === 'structure') assert.ok(numbers.length > 500, `${numbers.length} references`);
					// Every reference's figure is what the counter gives for its own text.
					for (const edit of withSharing.edits) {
						if (edit.replacement !== null && edit.kind !== 'arguments')
							assert.equal(edit.tokensAfter, alone.countPart(edit.replacement), edit.kind);
					}
					if (strategy === 'structure')
						assert.ok(sharedLookups < aloneLookups, `${sharedLookups} vs ${aloneLookups}`);
				});
			}
		}
	});
});

/** Entry numbers the plan's replacement texts refer to. */
function referencedEntries(plan: CompactionPlan): number[] {
	const numbers: number[] = [];
	for (const edit of plan.edits) {
		const replacement = edit.replacement;
		if (replacement === null || (replacement.kind !== 'text' && replacement.kind !== 'toolResult')) continue;
		const match = / entry #(\d+) in /.exec(replacement.text);
		if (match !== null) numbers.push(Number(match[1]));
	}
	return numbers;
}
