import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import fc from 'fast-check';
import type { CompactionPlan, PartEdit } from '../../../src/core/compaction/plan';
import { messagesInWindow } from '../../../src/core/transcript/model';
import {
	buildMessageDetails,
	buildPlanView,
	gaugeCategoryOrder,
	oneLine,
} from '../../../src/core/view/buildTranscriptView';
import { maxDetailChars, maxPreviewChars, regionOf } from '../../../src/core/view/viewModel';
import { describeCorpus } from '../../support/corpus';
import { syntheticTranscript } from './syntheticTranscript';
import type { ViewSession } from './viewPipeline';
import { openSession, sessionOf } from './viewPipeline';

const corpusFolders = ['claude-code', 'codex', 'copilot-chat', 'openai-chat', 'anthropic-messages'];

/** The invariants every transcript view keeps, checked against the session it was built from. */
function checkView(session: ViewSession): void {
	const { view, report, plan, transcript } = session;
	const window = messagesInWindow(transcript);
	assert.equal(view.rows.length, window.length);
	assert.equal(view.rows.length, report.messages);
	view.rows.forEach((row, i) => {
		const message = window[i];
		assert.ok(message);
		assert.equal(row.index, i);
		assert.equal(row.id, message.id);
		assert.equal(row.role, message.role);
		assert.equal(row.tokens, report.messageTokens[i]);
		assert.equal(row.line, message.lines.from);
		assert.equal(row.fate, plan.fates[i]);
		assert.equal(row.region, regionOf(view.plan, i));
		assert.ok(row.preview.length <= maxPreviewChars, `preview of row ${i} is ${row.preview.length} chars`);
		assert.ok(!/[\r\n]/.test(row.preview));
		assert.deepEqual(row.kinds, [...new Set(message.parts.map((p) => p.kind))]);
		assert.equal(row.isPruneCandidate, row.prune !== undefined);
		if (row.toolName !== undefined)
			assert.ok(message.parts.some((p) => p.kind === 'toolCall' || p.kind === 'toolResult'));
	});
	const { head, middle, tail } = view.plan.regions;
	assert.equal(view.rows.filter((r) => r.region === 'head').length, head.to - head.from);
	assert.equal(view.rows.filter((r) => r.region === 'tail').length, tail.to - tail.from);
	assert.equal(
		view.rows.filter((r) => r.region === 'middle').length,
		view.rows.length - (head.to - head.from) - (tail.to - tail.from),
	);
	assert.ok((middle.from >= head.to && middle.to <= tail.from) || middle.from === middle.to);
	assert.equal(view.gauge.tokens, report.tokens.total);
	assert.equal(view.gauge.contextWindow, report.contextWindow);
	assert.deepEqual(
		view.gauge.categories.map((c) => c.category),
		gaugeCategoryOrder,
	);
	for (const c of view.gauge.categories) assert.equal(c.tokens, report.tokens.byKind[c.category]);
	assert.equal(view.gauge.compactionTokens, plan.triggerTokens);
	assert.equal(view.gauge.rotationTokens, Math.round(plan.options.rotationRatio * report.contextWindow));
	assert.deepEqual(
		view.largest,
		report.largest.map((l) => l.index),
	);
	// No full texts: a row costs a few hundred bytes whatever the message's size.
	const json = JSON.stringify(view.rows);
	assert.ok(json.length <= 600 * Math.max(view.rows.length, 1), `rows take ${json.length} bytes`);
}

describe('buildTranscriptView', () => {
	for (const folder of corpusFolders) {
		describeCorpus(folder, (file) => {
			it(`builds a consistent view of ${folder}/${basename(file)}`, () => {
				const session = openSession(file);
				checkView(session);
				const last = session.view.rows.length - 1;
				for (const index of new Set([0, last])) {
					if (index < 0 || index >= session.view.rows.length) continue;
					const details = buildMessageDetails(
						session.transcript,
						index,
						session.view.rows[index]?.tokens ?? 0,
					);
					const message = messagesInWindow(session.transcript)[index];
					assert.ok(details && message);
					assert.equal(details.parts.length, message.parts.length);
					for (const part of details.parts) assert.ok(part.text.length <= maxDetailChars);
				}
				assert.equal(buildMessageDetails(session.transcript, session.view.rows.length, 0), undefined);
			});
		});
	}

	it('builds a 10,000-message view in linear time with small rows', () => {
		const transcript = syntheticTranscript(10_000);
		const session = sessionOf(transcript, 'synthetic.jsonl', 4_000_000);
		checkView(session);
		const started = performance.now();
		sessionOf(transcript, 'synthetic.jsonl', 4_000_000);
		const elapsedMs = performance.now() - started;
		// Counting is cached by the session's counter on the second run only within one session, so this bounds the whole pipeline.
		assert.ok(elapsedMs < 10_000, `pipeline took ${Math.round(elapsedMs)} ms`);
	});

	it('keeps every view invariant on generated transcripts of any length', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 120 }),
				fc.integer({ min: 2_000, max: 400_000 }),
				(count, window) => {
					checkView(sessionOf(syntheticTranscript(count), 'generated.jsonl', window));
				},
			),
			{ numRuns: 25 },
		);
	});
});

describe('oneLine', () => {
	it('gives one line of at most the limit that starts like the flattened text', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 2_000 }), fc.integer({ min: 2, max: 200 }), (text, max) => {
				const line = oneLine(text, max);
				assert.ok(line.length <= max);
				assert.ok(!/[\r\n\t]/.test(line));
				const flat = text.replace(/\s+/g, ' ').trim();
				const kept = line.endsWith('…') && !flat.endsWith('…') ? line.slice(0, -1) : line;
				assert.ok(flat.startsWith(kept), `${JSON.stringify(line)} is not a prefix of the text`);
				if (flat.length <= max && text.length <= max * 4) assert.equal(line, flat);
			}),
		);
	});
});

describe('buildPlanView', () => {
	it('marks dedup over shrink on the same message and ignores non-prune edits', () => {
		const session = sessionOf(syntheticTranscript(30), 'x.jsonl', 20_000);
		const edit = (message: number, part: number, kind: PartEdit['kind']): PartEdit => ({
			message,
			part,
			kind,
			tokensBefore: 10,
			tokensAfter: 1,
			replacement: null,
		});
		const plan: CompactionPlan = {
			...session.plan,
			edits: [
				edit(4, 0, 'toolOutput'),
				edit(4, 1, 'dedup'),
				edit(5, 0, 'arguments'),
				edit(7, 0, 'collapsed'),
				edit(8, 0, 'toolResultCap'),
			],
		};
		assert.deepEqual(buildPlanView(plan).prune, { 4: 'dedup', 5: 'prune' });
	});
});
