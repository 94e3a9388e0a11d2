import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveCounting } from '../../../src/core/budget/analyzeBudget';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { compactTranscript } from '../../../src/core/compaction/compactTranscript';
import { compactionStrategies } from '../../../src/core/compaction/strategies';
import {
	CompareCache,
	compareOptionsKey,
	compareWithCache,
	transcriptVersionKey,
} from '../../../src/core/compare/compareCache';
import { rankLostFacts } from '../../../src/core/audit/rankLostFacts';
import {
	compareStrategies,
	type CompareOptions,
	type CompareProgress,
} from '../../../src/core/compare/compareStrategies';
import type { Artifact } from '../../../src/core/facts/extractArtifacts';
import { createOfflineSummarizer } from '../../../src/core/summarize/offline/offlineSummarizer';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import type { Transcript } from '../../../src/core/transcript/model';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';

const samplePath = join(
	resolve(__dirname, '..', '..', '..'),
	'test',
	'fixtures',
	'sample-claude-session.jsonl',
);

function sample(): Transcript {
	const read = parseTranscript(new Uint8Array(readFileSync(samplePath)), samplePath);
	if (!read.ok) throw new Error(read.failure.message);
	return read.transcript;
}

function optionsFor(transcript: Transcript, extra: Partial<CompareOptions> = {}): CompareOptions {
	const counter = new MessageTokenCache(new TokenCounter(resolveCounting(transcript, {}).profile));
	return { counter, contextWindow: 50_000, ...extra };
}

const never = new AbortController().signal;

describe('compareStrategies', () => {
	const transcript = sample();

	it('plans every strategy on the same transcript, in menu order, with what compact would report', async () => {
		const options = optionsFor(transcript, { focus: 'rounding' });
		const outcome = await compareStrategies(transcript, options, never);
		assert.ok(outcome.ok);
		const { comparison } = outcome;
		assert.deepEqual(
			comparison.rows.map((r) => r.strategy),
			compactionStrategies.map((s) => s.name),
		);
		assert.equal(comparison.focus, 'rounding');
		assert.equal(comparison.contextWindow, 50_000);
		// The summarising rows are what compact gives with the offline summariser and the same options.
		const summarize = await compactTranscript(
			transcript,
			{ ...options, strategy: 'summarize' },
			createOfflineSummarizer(),
			never,
		);
		const row = comparison.rows.find((r) => r.strategy === 'summarize');
		assert.ok(row?.ok && summarize.success);
		assert.equal(row.tokensAfter, summarize.tokensAfter);
		assert.equal(row.messagesAfter, summarize.messagesAfter);
		assert.equal(row.lostFacts.count, summarize.lostFacts?.lost.length);
		assert.equal(row.lostFacts.kept, summarize.lostFacts?.kept.length);
		assert.equal(comparison.tokensBefore, summarize.tokensBefore);
		for (const r of comparison.rows) {
			assert.ok(Math.abs(r.percentAfter - (r.tokensAfter / 50_000) * 100) < 1e-9);
			assert.ok(r.timeMs >= 0);
			assert.ok(r.lostFacts.items.length <= Math.min(5, r.lostFacts.count));
			if (r.ok) assert.ok(r.tokensAfter < comparison.tokensBefore, `${r.strategy} frees tokens`);
			else {
				assert.equal(r.tokensAfter, comparison.tokensBefore, `${r.strategy} changes nothing`);
				assert.ok((r.reason ?? '').length > 0, `${r.strategy} says why`);
			}
		}
	});

	it('is repeatable: the same transcript and options give the same rows (timings aside)', async () => {
		const first = await compareStrategies(transcript, optionsFor(transcript), never);
		const second = await compareStrategies(transcript, optionsFor(transcript), never);
		assert.ok(first.ok && second.ok);
		const strip = (rows: typeof first.comparison.rows) => rows.map(({ timeMs: _t, ...rest }) => rest);
		assert.deepEqual(strip(first.comparison.rows), strip(second.comparison.rows));
	});

	it('reports progress per strategy and stops when cancelled', async () => {
		const controller = new AbortController();
		const seen: CompareProgress[] = [];
		const outcome = await compareStrategies(transcript, optionsFor(transcript), controller.signal, (p) => {
			seen.push(p);
			if (p.done === 2) controller.abort();
		});
		assert.deepEqual(outcome, { ok: false, reason: 'cancelled' });
		assert.deepEqual(
			seen.map((p) => [p.done, p.total, p.strategy]),
			[
				[0, 8, 'summarize'],
				[1, 8, 'structure'],
				[2, 8, 'structure-aggressive'],
			],
		);
	});

	it('compares only the strategies asked for', async () => {
		const outcome = await compareStrategies(
			transcript,
			optionsFor(transcript, { strategies: ['prune', 'lru'], lostFactItems: 2 }),
			never,
		);
		assert.ok(outcome.ok);
		assert.deepEqual(
			outcome.comparison.rows.map((r) => r.strategy),
			['prune', 'lru'],
		);
	});
});

describe('rankLostFacts', () => {
	const fact = (kind: Artifact['kind'], messageIndex: number): Artifact => ({
		kind,
		value: `${kind}${messageIndex}`,
		messageId: `m${messageIndex}`,
		messageIndex,
		source: 'user',
	});

	it('puts the active task, errors and commands before paths and numbers, newest first within a kind', () => {
		const ranked = rankLostFacts(
			[
				fact('number', 9),
				fact('filePath', 2),
				fact('errorLine', 1),
				fact('filePath', 7),
				fact('activeTask', 3),
			],
			4,
		);
		assert.deepEqual(
			ranked.map((a) => a.value),
			['activeTask3', 'errorLine1', 'filePath7', 'filePath2'],
		);
	});
});

describe('CompareCache', () => {
	const transcript = sample();

	it('answers the same version and options from the cache, without running anything', async () => {
		const cache = new CompareCache();
		const options = optionsFor(transcript, { strategies: ['prune', 'tc-cap'] });
		const version = transcriptVersionKey(transcript);
		const first = await compareWithCache(cache, version, transcript, options, never);
		assert.ok(first.ok && !first.isCached);
		let progress = 0;
		const second = await compareWithCache(cache, version, transcript, options, never, () => progress++);
		assert.ok(second.ok && second.isCached);
		assert.equal(second.comparison, first.comparison);
		assert.equal(progress, 0);
		const refocused = await compareWithCache(cache, version, transcript, { ...options, focus: 'vat' }, never);
		assert.ok(refocused.ok && !refocused.isCached, 'other options are another comparison');
		assert.equal(cache.size, 2);
	});

	it('never stores a cancelled comparison, and forgets the oldest beyond its size', async () => {
		const cache = new CompareCache(1);
		const controller = new AbortController();
		controller.abort();
		const options = optionsFor(transcript, { strategies: ['prune'] });
		const cancelled = await compareWithCache(cache, 'v1', transcript, options, controller.signal);
		assert.equal(cancelled.ok, false);
		assert.equal(cache.size, 0);
		await compareWithCache(cache, 'v1', transcript, options, never);
		await compareWithCache(cache, 'v2', transcript, options, never);
		assert.equal(cache.size, 1);
		assert.equal(cache.get('v1', options), undefined);
		assert.ok(cache.get('v2', options));
	});

	it('keys a transcript by what can change and options by everything but the counter', () => {
		const grown: Transcript = { ...transcript, messages: transcript.messages.slice(0, -1), lineCount: 150 };
		assert.notEqual(transcriptVersionKey(grown), transcriptVersionKey(transcript));
		assert.equal(transcriptVersionKey({ ...transcript }), transcriptVersionKey(transcript));
		const a = optionsFor(transcript, { focus: 'x', headMessages: 2 });
		const b = { ...optionsFor(transcript), headMessages: 2, focus: 'x' };
		assert.equal(compareOptionsKey(a), compareOptionsKey(b));
		assert.notEqual(compareOptionsKey(a), compareOptionsKey({ ...a, tailRatio: 0.3 }));
	});
});
