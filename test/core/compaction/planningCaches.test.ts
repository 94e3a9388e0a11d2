import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { generateClaudeSession } from '../../../bench/generateClaudeSession';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import type { CompactionOptions } from '../../../src/core/compaction/options';
import { planCompaction, planRegionsAndCandidates } from '../../../src/core/compaction/planCompaction';
import { compactionStrategies, type StrategyName } from '../../../src/core/compaction/strategies';
import { formatCount, headOf, oneLine } from '../../../src/core/text/textCuts';
import { unsafeCuts } from '../../../src/core/compaction/toolGroups';
import { findSpillReference } from '../../../src/core/compaction/toolDescriptions';
import {
	WindowIndex,
	toolPairCounts,
	undoableMessages,
	windowIndexOf,
} from '../../../src/core/compaction/windowIndex';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import { messagesInWindow, type Message, type Transcript } from '../../../src/core/transcript/model';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';
import { pairToolCalls } from '../../../src/core/transcript/toolPairs';
import { arbTranscript } from './arbitraries';
import { message, resultPart } from './arbitraries';

// The planner remembers per-message facts by object identity (window index, tool-result descriptions, detached
// summary input, shrunk arguments) and walks the window index instead of every part. These tests hold the fast paths
// to straightforward computations: the same plan from fresh objects, from scratch, and the old definitions.

const strategies: readonly StrategyName[] = compactionStrategies.map((s) => s.name);

/** Small limits so short generated transcripts have old results to prune, arguments to shrink and a middle. */
const tight = {
	contextWindow: 4_000,
	headMessages: 2,
	minPruneTokens: 50,
	protectTokens: 200,
	toolOutputMinChars: 40,
	argumentsMaxChars: 60,
	argumentsKeepChars: 20,
	structureArgumentsChars: 60,
	structureValueChars: 20,
	outputKeys: ['status'],
} as const;

function freshCounter(): MessageTokenCache {
	return new MessageTokenCache(new TokenCounter(resolveModel('claude-sonnet-4-5')));
}

/** The same transcript made of new objects, so nothing remembered by identity applies to it. */
function cloneTranscript(transcript: Transcript): Transcript {
	return structuredClone(transcript);
}

/** The transcript cut to its first `count` messages, sharing the message objects (as a live re-read does). */
function prefixOf(transcript: Transcript, count: number): Transcript {
	return { ...transcript, messages: transcript.messages.slice(0, count) };
}

function generated(seed: number, bytes: number): Transcript {
	const read = parseTranscript(
		Buffer.from(generateClaudeSession({ seed, targetBytes: bytes })),
		`generated-${seed}.jsonl`,
	);
	assert.ok(read.ok);
	return read.transcript;
}

describe('planning caches and indexes', () => {
	it('findSpillReference finds what its regular expression finds', () => {
		const pattern = /(?:[Ss]aved to ['"]?([^'"\s\]]+)|(\S*\/tool-results\/[^\s'")\]]+))/;
		const expected = (text: string): string | undefined => {
			const match = pattern.exec(text.length > 4096 ? text.slice(0, 2048) + text.slice(-2048) : text);
			return match?.[1] ?? match?.[2];
		};
		const piece = fc.constantFrom(
			'saved to ',
			'Saved to ',
			'aved to ',
			's',
			"'",
			'"',
			']',
			')',
			' ',
			'\n',
			'\u00a0',
			'\u2003',
			'\ufeff',
			'\u200b',
			'/tool-results/',
			'/tool-results',
			'/',
			'x',
			'a.txt',
		);
		fc.assert(
			fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
				const text = pieces.join('');
				assert.equal(findSpillReference(text), expected(text));
			}),
			{ numRuns: 3000 },
		);
		const long = `${'x'.repeat(3000)} saved to 'a.txt' ${'y/'.repeat(2000)}/tool-results/b.txt`;
		assert.equal(findSpillReference(long), expected(long));
	});

	it("formatCount writes what toLocaleString('en-US') writes for the rounded value", () => {
		const values = fc.oneof(
			fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
			fc.double({ noNaN: false }),
			fc.constantFrom(
				0,
				-0,
				0.5,
				-0.5,
				999.5,
				1e21,
				-1e21,
				Number.MAX_SAFE_INTEGER,
				Infinity,
				-Infinity,
				NaN,
			),
		);
		fc.assert(
			fc.property(values, (value) => {
				assert.equal(formatCount(value), (Math.round(value) + 0).toLocaleString('en-US'), String(value));
			}),
			{ numRuns: 2000 },
		);
		assert.equal(formatCount(1234567.4), '1,234,567');
		assert.equal(formatCount(-1000), '-1,000');
		assert.equal(formatCount(-0.2), '0');
	});

	it('oneLine flattens and cuts exactly as replace + trim + headOf did', () => {
		const expected = (text: string, chars: number): string => {
			const flat = text.replace(/\s+/g, ' ').trim();
			return flat.length <= chars ? flat : `${headOf(flat, Math.max(0, chars - 1))}…`;
		};
		const piece = fc.constantFrom(
			' ',
			'\n\t',
			'\u00a0',
			'\u2028',
			'a',
			'word',
			'\ud83d\ude00',
			'\ud83d',
			'x y',
		);
		fc.assert(
			fc.property(fc.array(piece, { maxLength: 40 }), fc.integer({ min: -1, max: 30 }), (pieces, chars) => {
				const text = pieces.join('');
				assert.equal(oneLine(text, chars), expected(text, chars));
			}),
			{ numRuns: 3000 },
		);
	});

	it('plans the same from fresh objects, again with warm caches, and after the window grew', () => {
		fc.assert(
			fc.property(
				arbTranscript(),
				fc.constantFrom(...strategies),
				fc.boolean(),
				(transcript, strategy, tight_) => {
					const options = (counter: MessageTokenCache): CompactionOptions => ({
						counter,
						strategy,
						summaryInputSource: strategy === 'summarize' ? 'pruned' : 'full',
						...(tight_ ? tight : { contextWindow: 30_000 }),
					});
					const expected = planCompaction(cloneTranscript(transcript), options(freshCounter()));
					const counter = freshCounter();
					// Plan a prefix first, so the whole window is planned with an index that was extended.
					planCompaction(prefixOf(transcript, Math.floor(transcript.messages.length / 2)), options(counter));
					assert.deepStrictEqual(planCompaction(transcript, options(counter)), expected);
					assert.deepStrictEqual(planCompaction(transcript, options(counter)), expected);
					assert.deepStrictEqual(planRegionsAndCandidates(transcript, options(counter)), {
						regions: expected.regions,
						pruneCandidates: expected.pruneCandidates,
					});
				},
			),
			{ numRuns: 120 },
		);
	});

	it('plans a generated session the same, message by message as it grows, as from scratch', () => {
		const transcript = generated(3, 120_000);
		const counter = freshCounter();
		const n = transcript.messages.length;
		for (const count of [Math.floor(n / 3), Math.floor(n / 3) + 1, Math.floor(n / 2), n - 7, n]) {
			const grown = prefixOf(transcript, count);
			for (const strategy of ['summarize', 'structure-aggressive'] as const) {
				const options = { contextWindow: 20_000, strategy, minPruneTokens: 100 };
				assert.deepStrictEqual(
					planCompaction(grown, { counter, ...options }),
					planCompaction(cloneTranscript(grown), { counter: freshCounter(), ...options }),
					`${strategy} at ${count} messages`,
				);
			}
		}
	});

	it('the window index pairs tool calls as pairToolCalls does, and finds the same unsafe cuts', () => {
		const straightUnsafe = (messages: readonly Message[]): number[] => {
			const unsafe = new Array<number>(messages.length + 1).fill(0);
			for (const pair of pairToolCalls(messages).pairs) {
				if (pair.resultMessage === undefined || pair.resultMessage <= pair.callMessage) continue;
				for (let c = pair.callMessage + 1; c <= pair.resultMessage; c++) unsafe[c] = 1;
			}
			return unsafe;
		};
		fc.assert(
			fc.property(arbTranscript(), fc.nat(), (transcript, cut) => {
				const messages = messagesInWindow(transcript);
				// Index a prefix first, then the whole window (the index is extended), then compare.
				windowIndexOf(messages.slice(0, cut % (messages.length + 1)));
				for (const window of [messages, messagesInWindow(cloneTranscript(transcript))]) {
					const pairing = pairToolCalls(window);
					const counts = toolPairCounts(window);
					assert.equal(counts.matched, pairing.pairs.length);
					assert.equal(counts.unanswered, pairing.unansweredCalls.length);
					assert.equal(counts.orphanResults, pairing.orphanResults.length);
					const names = [...windowIndexOf(window).callIds()].flatMap((id) => {
						const name = counts.names.get(id);
						return name === undefined ? [] : [[id, name] as const];
					});
					assert.deepStrictEqual(new Map(names), new Map(pairing.pairs.map((p) => [p.callId, p.name])));
					assert.deepStrictEqual([...unsafeCuts(window)], straightUnsafe(window));
				}
			}),
			{ numRuns: 200 },
		);
	});

	it('groups identical result texts, and only those, when long texts share their start, end and length', () => {
		const around = (middle: string) => `${'a'.repeat(70)}${middle}${'z'.repeat(70)}`;
		const texts = [around('X'), around('Y'), around('X'), 'short', 'short', around('Z'), around('Y')];
		const messages = texts.map((text, i) => message(`t${i}`, 'tool', [resultPart(`c${i}`, text)]));
		const index = new WindowIndex();
		index.extend(messages);
		assert.deepEqual(index.toolGroup, [0, 1, 0, 2, 2, 3, 1]);
		assert.equal(index.groupCount, 4);
		// Taking the newest messages back out leaves what indexing the rest gives, and they index the same again.
		index.truncate(2);
		const fresh = new WindowIndex();
		fresh.extend(messages.slice(0, 2));
		assert.deepEqual(index.toolGroup, fresh.toolGroup);
		assert.equal(index.groupCount, 2);
		index.extend(messages);
		assert.deepEqual(index.toolGroup, [0, 1, 0, 2, 2, 3, 1]);
	});

	it('starts a new index when a window no longer extends the remembered one', () => {
		const transcript = generated(4, 40_000);
		const messages = messagesInWindow(transcript);
		const full = windowIndexOf(messages);
		assert.equal(full.messages.length, messages.length);
		// A shorter window over the same first message, then one that diverges after it.
		const shorter = messages.slice(0, 5);
		assert.equal(windowIndexOf(shorter).messages.length, 5);
		const first = messages[0];
		assert.ok(first !== undefined);
		const diverged = [first, ...messagesInWindow(cloneTranscript(transcript)).slice(1)];
		const index = windowIndexOf(diverged);
		assert.equal(index.messages.length, diverged.length);
		assert.ok(index.messages.every((m, i) => m === diverged[i]));
		assert.deepStrictEqual([...unsafeCuts(diverged)], [...unsafeCuts(messages)]);
	});

	it('takes replaced newest messages back out of the index and ends where a fresh index would', () => {
		const snapshot = (index: WindowIndex) => ({
			messages: [...index.messages],
			calls: [...index.callIds()]
				.flatMap((id) => {
					const site = index.callSite(id);
					return site === undefined ? [] : [[id, site.part, site.message, site.resultMessage] as const];
				})
				.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
			chars: [...index.chars],
			unsafeDelta: [...index.unsafeDelta],
			pairedCount: index.pairedCount,
			orphanResultCount: index.orphanResultCount,
			unansweredCount: index.unansweredCount,
			pairedNames: [...index.callIds()].flatMap((id) => {
				const name = index.pairedNameOf(id);
				return name === undefined ? [] : [[id, name] as const];
			}),
			callIdCount: index.callIdCount,
			groupCount: index.groupCount,
			tools: [
				index.toolMessage,
				index.toolPart,
				index.toolLength,
				index.toolFlags,
				index.toolGroup,
				index.toolCallNumber,
			].map((list) => [...list]),
		});
		const fresh = (messages: readonly Message[]) => {
			const index = new WindowIndex();
			index.extend(messages);
			return snapshot(index);
		};
		fc.assert(
			fc.property(
				arbTranscript(),
				arbTranscript(),
				fc.integer({ min: 1, max: undoableMessages + 4 }),
				(transcript, other, back) => {
					const messages = messagesInWindow(transcript);
					const replacements = messagesInWindow(other);
					if (messages.length < 2) return;
					windowIndexOf(messages);
					// The newest `back` messages replaced by other objects (with other parts), as a re-read does.
					const keep = Math.max(1, messages.length - back);
					const replaced = [...messages.slice(0, keep), ...replacements.slice(0, back)];
					assert.deepStrictEqual(snapshot(windowIndexOf(replaced)), fresh(replaced));
					// A shorter window, then the original one again.
					const shorter = messages.slice(0, keep);
					assert.deepStrictEqual(snapshot(windowIndexOf(shorter)), fresh(shorter));
					assert.deepStrictEqual(snapshot(windowIndexOf(messages)), fresh(messages));
				},
			),
			{ numRuns: 300 },
		);
	});
});
