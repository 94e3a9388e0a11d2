import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findAgentCompactions } from '../../../src/core/audit/agentCompactions';
import { planSummaryRestore } from '../../../src/core/audit/restoreSummary';
import { resolveCounting } from '../../../src/core/budget/analyzeBudget';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { applyPlan } from '../../../src/core/compaction/applyPlan';
import { compactTranscript } from '../../../src/core/compaction/compactTranscript';
import { createOfflineSummarizer } from '../../../src/core/summarize/offline/offlineSummarizer';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import { messagesInWindow, type Transcript } from '../../../src/core/transcript/model';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';
import { findFormat } from '../../../src/core/transcript/registry';
import { sampleCompactionLine, sampleSummary, withAgentCompaction } from '../../support/compactedSample';
import { corpusRoot, hasCorpus } from '../../support/corpus';

const repoRoot = resolve(__dirname, '..', '..', '..');
const samplePath = join(repoRoot, 'test', 'fixtures', 'sample-claude-session.jsonl');

function parse(text: string, name: string): Transcript {
	const read = parseTranscript(new TextEncoder().encode(text), name);
	if (!read.ok) throw new Error(`${name} did not parse: ${read.failure.message}`);
	return read.transcript;
}

function counterFor(transcript: Transcript): MessageTokenCache {
	return new MessageTokenCache(new TokenCounter(resolveCounting(transcript, {}).profile));
}

describe('findAgentCompactions', () => {
	const sampleText = readFileSync(samplePath, 'utf8');
	const compacted = parse(withAgentCompaction(sampleText), 'compacted.jsonl');

	it('finds nothing in a session that was never compacted, nor in formats without compactions', () => {
		const plain = parse(sampleText, 'sample.jsonl');
		assert.deepEqual(findAgentCompactions(plain, counterFor(plain)), []);
		const chat = parse(JSON.stringify([{ role: 'user', content: 'hi' }]), 'chat.json');
		assert.deepEqual(findAgentCompactions(chat, counterFor(chat)), []);
	});

	it("reads Claude Code's automatic compaction: trigger, time, recorded preTokens and the summary's size", () => {
		const counter = counterFor(compacted);
		const [found, ...rest] = findAgentCompactions(compacted, counter);
		assert.equal(rest.length, 0);
		assert.ok(found);
		assert.equal(found.by, 'agent');
		assert.equal(found.trigger, 'auto');
		assert.equal(found.line, sampleCompactionLine);
		const boundary = JSON.parse(withAgentCompaction(sampleText).split('\n')[sampleCompactionLine - 1] ?? '');
		assert.equal(found.at, boundary.timestamp);
		assert.equal(found.preTokens, boundary.compactMetadata.preTokens);
		assert.equal(found.preTokensSource, 'recorded');
		const summary = compacted.messages[found.span.summary];
		assert.ok(summary?.flags.isSummary, 'the span names the summary message');
		assert.equal(found.summaryTokens, counter.countMessage(summary).total);
		// The replaced history is every main message before the boundary, all flagged as compacted by the reader.
		const history = compacted.messages.filter((m) => m.lines.from < sampleCompactionLine);
		assert.equal(found.replacedMessages, history.length);
		assert.ok(history.every((m) => m.flags.isCompacted));
		assert.equal(found.span.keptFrom, found.span.summary);
	});

	it("reports the summary's lost facts against the history it replaced, indexed into the whole file", () => {
		const [found] = findAgentCompactions(compacted, counterFor(compacted));
		assert.ok(found);
		assert.ok(found.lostFacts);
		const { kept, lost } = found.lostFacts;
		assert.ok(kept.length > 0 && lost.length > 0, `kept ${kept.length}, lost ${lost.length}`);
		for (const fact of [...kept, ...lost]) {
			const message = compacted.messages[fact.messageIndex];
			assert.ok(
				message !== undefined && message.lines.from < sampleCompactionLine,
				'facts come from history',
			);
			assert.equal(message.id, fact.messageId);
		}
		for (const fact of kept) assert.ok(sampleSummary.includes(fact.value), `${fact.value} is in the summary`);
		assert.ok(
			lost.some((f) => f.value.endsWith('test/regression/bill-497.test.ts')),
			'the regression test file the summary never names is lost',
		);
	});

	it('tells a summary Context Lens wrote from the agent’s own', async () => {
		const plain = parse(sampleText, 'sample.jsonl');
		const counter = counterFor(plain);
		const write = findFormat('claude-code').write;
		assert.ok(write);
		// With no head the summary opens the file behind a boundary; with one it is merged into a turn (R13).
		for (const headMessages of [0, 3]) {
			const result = await compactTranscript(
				plain,
				{ counter, contextWindow: 200_000, headMessages },
				createOfflineSummarizer(),
				new AbortController().signal,
			);
			assert.ok(result.success, result.error);
			const ours = parse(write(result.transcript, { now: '2026-03-03T10:00:00.000Z' }).text, 'ours.jsonl');
			const found = findAgentCompactions(ours, counterFor(ours));
			assert.equal(found.length, 1, `head ${headMessages}`);
			assert.equal(found[0]?.by, 'context-lens');
			assert.equal(found[0]?.trigger, 'manual');
			// The file Apply wrote holds no history, so there is nothing to report against.
			assert.equal(found[0]?.replacedMessages, 0);
			assert.equal(found[0]?.lostFacts, undefined);
		}
	});

	it('reads the real automatic compaction of the corpus (preTokens 155,979)', function () {
		if (!hasCorpus()) this.skip();
		const path = join(corpusRoot, 'claude-code', 'codemie-session-624a4a58.jsonl');
		const transcript = parse(readFileSync(path, 'utf8'), path);
		const found = findAgentCompactions(transcript, counterFor(transcript));
		assert.equal(found.length, 1);
		assert.equal(found[0]?.trigger, 'auto');
		assert.equal(found[0]?.preTokens, 155_979);
		assert.equal(found[0]?.at, '2026-01-07T20:58:27.907Z');
		assert.ok((found[0]?.lostFacts?.lost.length ?? 0) > 0);
		// The summary opens today's window.
		assert.equal(messagesInWindow(transcript)[0], transcript.messages[found[0]?.span.summary ?? -1]);
	});

	it('reads every Codex `compacted` line: the replacement history is what the compaction kept', function () {
		if (!hasCorpus()) this.skip();
		const path = join(corpusRoot, 'codex', 'agentsessions-schema-catalog-small.jsonl');
		const transcript = parse(readFileSync(path, 'utf8'), path);
		const found = findAgentCompactions(transcript, counterFor(transcript));
		const lines = readFileSync(path, 'utf8')
			.split('\n')
			.flatMap((line, i) => (/"type":"compacted"/.test(line) ? [i + 1] : []));
		assert.deepEqual(
			found.map((c) => c.line),
			lines,
		);
		for (const c of found) {
			assert.equal(c.trigger, 'unknown', 'Codex does not record what started a compaction');
			assert.ok(c.span.replacedTo <= c.span.keptFrom && c.span.keptFrom < c.span.keptTo);
			for (let i = c.span.keptFrom; i < c.span.keptTo; i++)
				assert.equal(transcript.messages[i]?.lines.from, c.line);
		}
		for (let k = 1; k < found.length; k++)
			assert.equal(
				found[k]?.span.replacedFrom,
				found[k - 1]?.span.keptFrom,
				'each replaces the window before it',
			);
	});
});

describe('planSummaryRestore', () => {
	const compacted = parse(withAgentCompaction(readFileSync(samplePath, 'utf8')), 'compacted.jsonl');

	it('rewrites the summary alone: every other window message is kept as it is', () => {
		const counter = counterFor(compacted);
		const compactions = findAgentCompactions(compacted, counter);
		const newest = compactions[compactions.length - 1];
		assert.ok(newest);
		const restore = planSummaryRestore(compacted, newest, { counter, contextWindow: 200_000 });
		assert.ok(restore.ok, restore.ok ? '' : restore.message);
		assert.equal(restore.summaryRow, 0);
		assert.ok(restore.summary.startsWith('Analysis:'), 'the wrapper is stripped');
		assert.ok(!restore.summary.includes('Please continue the conversation'));
		const added = `${restore.summary}\n- test/regression/bill-497.test.ts`;
		const after = applyPlan(compacted, restore.plan, added);
		const before = messagesInWindow(compacted);
		assert.equal(after.messages.length, before.length);
		before.forEach((m, i) => {
			if (i !== restore.summaryRow) assert.equal(after.messages[i], m, `message ${i + 1} is untouched`);
		});
		const summary = after.messages[restore.summaryRow];
		assert.ok(summary?.flags.isSummary);
		const text = summary.parts.map((p) => ('text' in p ? p.text : '')).join('');
		assert.ok(text.includes('test/regression/bill-497.test.ts') && text.includes('BILL-412'));
		// Written as any compaction is: the new file reads back with the summary behind a boundary of its own.
		const write = findFormat('claude-code').write;
		assert.ok(write);
		const reread = parse(write(after, { now: '2026-03-03T10:00:00.000Z' }).text, 'restored.jsonl');
		assert.equal(messagesInWindow(reread).length, before.length);
		const [restored] = findAgentCompactions(reread, counterFor(reread));
		assert.equal(restored?.by, 'context-lens');
		assert.equal(restored?.span.summary, 0);
	});

	it('refuses when the summary is no longer in the window', () => {
		const counter = counterFor(compacted);
		const [newest] = findAgentCompactions(compacted, counter);
		assert.ok(newest);
		const moved = { ...newest, span: { ...newest.span, summary: 0 } };
		const restore = planSummaryRestore(compacted, moved, { counter, contextWindow: 200_000 });
		assert.equal(restore.ok, false);
		assert.match(restore.ok ? '' : restore.message, /no longer in the window/);
	});
});
