import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateClaudeSession } from '../../../bench/generateClaudeSession';
import fc from 'fast-check';
import { analyzeBudget, describeMessage } from '../../../src/core/budget/analyzeBudget';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { LiveTranscriptFile } from '../../../src/core/io/liveTranscriptFile';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { TokenCounter, tokenCategories } from '../../../src/core/tokens/tokenCounter';
import { startsUserTurn } from '../../../src/core/tokens/calibration';
import { makeFlags, messagesInWindow, type Transcript } from '../../../src/core/transcript/model';
import { pairToolCalls } from '../../../src/core/transcript/toolPairs';

// analyzeBudget re-plans a growing transcript from per-message facts remembered by object identity (counts, the
// window index, tool-result descriptions). After every append its report must equal a report computed from scratch.

const samplePath = join(__dirname, '..', '..', 'fixtures', 'sample-claude-session.jsonl');

function freshCache(transcript: Transcript): MessageTokenCache {
	return new MessageTokenCache(new TokenCounter(resolveModel(transcript.meta.model)));
}

/** The report of the same transcript made of new objects, with a new cache: nothing is reused. */
function fromScratch(transcript: Transcript, file: string) {
	const copy = structuredClone(transcript);
	return analyzeBudget(copy, { file, cache: freshCache(copy) });
}

/** Feeds `text` line by line (in `steps` appends) to a live file and checks every refreshed report. */
async function checkAppends(text: string, steps: readonly number[]): Promise<number> {
	const dir = mkdtempSync(join(tmpdir(), 'context-lens-budget-'));
	try {
		const file = join(dir, 'session.jsonl');
		const lines = text.split('\n').filter((line) => line !== '');
		let at = Math.floor(lines.length / 2);
		writeFileSync(file, `${lines.slice(0, at).join('\n')}\n`);
		const live = new LiveTranscriptFile(file);
		const first = await live.refresh();
		assert.ok(first.ok);
		const cache = freshCache(first.transcript);
		assert.deepStrictEqual(
			analyzeBudget(first.transcript, { file, cache }),
			fromScratch(first.transcript, file),
		);
		let checked = 0;
		for (const step of steps) {
			if (at >= lines.length) break;
			appendFileSync(file, `${lines.slice(at, at + step).join('\n')}\n`);
			at += step;
			const refreshed = await live.refresh();
			assert.ok(refreshed.ok);
			const report = analyzeBudget(refreshed.transcript, { file, cache });
			assert.deepStrictEqual(report, fromScratch(refreshed.transcript, file), `after ${at} lines`);
			// The report's regions and prune candidates are those of the default plan.
			const plan = planCompaction(refreshed.transcript, {
				counter: cache,
				contextWindow: report.contextWindow,
			});
			assert.deepStrictEqual(report.regions, plan.regions);
			assert.deepStrictEqual(report.pruneCandidates, {
				messages: plan.pruneCandidates.messages,
				tokens: plan.pruneCandidates.tokens,
			});
			checked++;
		}
		return checked;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

describe('analyzeBudget on a growing transcript', () => {
	it('after each append equals the report computed from scratch (sample session)', async () => {
		const checked = await checkAppends(readFileSync(samplePath, 'utf8'), [1, 1, 2, 3, 5, 8, 13]);
		assert.ok(checked >= 4);
	});

	it('after each append equals the report computed from scratch (generated session)', async () => {
		const text = generateClaudeSession({ seed: 21, targetBytes: 400_000 });
		const checked = await checkAppends(text, [1, 1, 10, 1, 25, 100, 1]);
		assert.ok(checked >= 5);
	});

	it('sums every token category and pairs tool calls as pairToolCalls does', async () => {
		const text = generateClaudeSession({ seed: 22, targetBytes: 150_000 });
		const dir = mkdtempSync(join(tmpdir(), 'context-lens-budget-'));
		try {
			const file = join(dir, 'session.jsonl');
			writeFileSync(file, text);
			const read = await new LiveTranscriptFile(file).refresh();
			assert.ok(read.ok);
			const transcript = read.transcript;
			const cache = freshCache(transcript);
			const report = analyzeBudget(transcript, { file, cache, contextWindow: 50_000 });
			const window = messagesInWindow(transcript);
			// Thinking of turns before the current one is not sent again, so it is reported apart.
			const currentTurn = window.findLastIndex((m) => startsUserTurn(m));
			let earlierThinking = 0;
			for (const message of window.slice(0, currentTurn))
				earlierThinking += cache.countMessage(message).byCategory.thinking;
			assert.ok(earlierThinking > 0, 'the generated session thinks in several turns');
			assert.equal(report.tokens.earlierThinking, earlierThinking);
			for (const category of tokenCategories) {
				let sum = category === 'thinking' ? -earlierThinking : 0;
				for (const message of window) sum += cache.countMessage(message).byCategory[category];
				if (category === 'system') {
					sum += transcript.meta.systemText !== undefined ? cache.countText(transcript.meta.systemText) : 0;
				}
				assert.equal(report.tokens.byKind[category], sum, category);
			}
			assert.equal(report.tokens.byKind.hidden, report.tokens.recorded?.hiddenPrefixTokens ?? 0);
			const rows = Object.values(report.tokens.byKind).reduce((a, b) => a + b, 0);
			assert.equal(rows, report.tokens.total, 'the rows add up to the headline');
			const pairing = pairToolCalls(window);
			assert.deepStrictEqual(report.toolPairs, {
				matched: pairing.pairs.length,
				unanswered: pairing.unansweredCalls.length,
				orphanResults: pairing.orphanResults.length,
			});
			const byTokens = report.messageTokens
				.map((tokens, index) => ({ tokens, index }))
				.sort((a, b) => b.tokens - a.tokens || a.index - b.index)
				.slice(0, 5)
				.map((m) => m.index);
			assert.deepStrictEqual(
				report.largest.map((m) => m.index),
				byTokens,
			);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('labels a message with the same whitespace-flattened preview as replace + trim', () => {
		const piece = fc.constantFrom(' ', '\n\t', '\u00a0', 'a', 'word ', '\ud83d\ude00', 'x'.repeat(30));
		fc.assert(
			fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
				const text = pieces.join('');
				const flat = text.replace(/\s+/g, ' ').trim();
				const expected = flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
				const message = {
					id: 'm',
					role: 'user' as const,
					parts: [{ kind: 'text' as const, text }],
					flags: makeFlags(),
					lines: { from: 1, to: 1 },
					raw: [],
				};
				assert.equal(describeMessage(message, new Map()), `user: ${expected}`);
			}),
			{ numRuns: 2000 },
		);
	});
});
