import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findAgentCompactions } from '../../../src/core/audit/agentCompactions';
import { buildWindowTimeline } from '../../../src/core/audit/windowTimeline';
import { resolveCounting } from '../../../src/core/budget/analyzeBudget';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import { measureWindow } from '../../../src/core/tokens/measureWindow';
import { messagesInWindow, type Transcript } from '../../../src/core/transcript/model';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';
import { withAgentCompaction } from '../../support/compactedSample';

const samplePath = join(
	resolve(__dirname, '..', '..', '..'),
	'test',
	'fixtures',
	'sample-claude-session.jsonl',
);

function parse(text: string): Transcript {
	const read = parseTranscript(new TextEncoder().encode(text), 'sample.jsonl');
	if (!read.ok) throw new Error(read.failure.message);
	return read.transcript;
}

describe('buildWindowTimeline', () => {
	const transcript = parse(withAgentCompaction(readFileSync(samplePath, 'utf8')));
	const counter = new MessageTokenCache(new TokenCounter(resolveCounting(transcript, {}).profile));
	const compactions = findAgentCompactions(transcript, counter);

	it('has one point per message of the file, in order, and ends at the headline figure', () => {
		const timeline = buildWindowTimeline(transcript, counter, compactions);
		assert.equal(timeline.points.length, transcript.messages.length);
		assert.deepEqual(
			timeline.points.map((p) => p.message),
			transcript.messages.map((_, i) => i),
		);
		assert.equal(timeline.points.at(-1)?.ours, measureWindow(transcript, counter).total);
		// Messages still in the window name their row; history does not.
		const window = messagesInWindow(transcript);
		for (const point of timeline.points) {
			const message = transcript.messages[point.message];
			assert.equal(
				point.row,
				message !== undefined && !message.flags.isCompacted ? window.indexOf(message) : undefined,
			);
			assert.equal(point.line, message?.lines.from);
		}
	});

	it("gives the agent's recorded context where it wrote one, and our count drops at the compaction", () => {
		const timeline = buildWindowTimeline(transcript, counter, compactions);
		for (const point of timeline.points) {
			const usage = transcript.messages[point.message]?.usage;
			assert.equal(
				point.recorded,
				usage !== undefined && usage.inputTokens > 0 ? usage.contextTokens : undefined,
			);
		}
		const [mark] = timeline.marks;
		assert.ok(mark);
		assert.equal(timeline.points[mark.point]?.message, compactions[0]?.span.keptFrom);
		const before = timeline.points[mark.point - 1]?.ours ?? 0;
		const after = timeline.points[mark.point]?.ours ?? 0;
		assert.ok(after < before / 2, `the window fell from ${before} to ${after}`);
		// Our figure before the compaction is within a tenth of what the agent recorded as preTokens.
		const pre = compactions[0]?.preTokens ?? 0;
		assert.ok(Math.abs(before - pre) / pre < 0.1, `ours ${before}, recorded ${pre}`);
	});

	it('thins long sessions to at most the limit, keeping both ends of every window', () => {
		const timeline = buildWindowTimeline(transcript, counter, compactions, 10);
		assert.ok(timeline.points.length <= 12, `${timeline.points.length} points`);
		const full = buildWindowTimeline(transcript, counter, compactions);
		const lastBefore = full.points[(full.marks[0]?.point ?? 0) - 1];
		assert.ok(
			timeline.points.some((p) => p.message === lastBefore?.message),
			'the peak before the compaction stays',
		);
		assert.equal(timeline.points.at(-1)?.message, full.points.at(-1)?.message);
		const mark = timeline.marks[0];
		assert.ok(mark && (timeline.points[mark.point]?.message ?? -1) >= (compactions[0]?.span.keptFrom ?? 0));
	});

	it('is one window when the session was never compacted', () => {
		const plain = parse(readFileSync(samplePath, 'utf8'));
		const timeline = buildWindowTimeline(plain, counter, []);
		assert.deepEqual(timeline.marks, []);
		const ours = timeline.points.map((p) => p.ours);
		assert.ok(
			ours.every((v, i) => i === 0 || v >= (ours[i - 1] ?? 0) - 2_000),
			'the window only grows, reasoning aside',
		);
	});
});
