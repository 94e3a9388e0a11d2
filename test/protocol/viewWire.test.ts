import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { MessageRow, TranscriptView } from '../../src/core/view/viewModel';
import { decodeHostPost, transcriptViewPosts } from '../../src/protocol/messages';
import {
	carryRowTexts,
	decodeRowTexts,
	decodeViewParts,
	decodeViewSkeleton,
	encodeViewParts,
	withRowTexts,
} from '../../src/protocol/viewWire';
import { describeCorpus } from '../support/corpus';
import { syntheticTranscript } from '../core/view/syntheticTranscript';
import { openSession, sessionOf } from '../core/view/viewPipeline';

/** The view after a JSON round trip: what any page received before the wire format (undefined fields dropped). */
function asSent(view: TranscriptView): TranscriptView {
	return JSON.parse(JSON.stringify(view)) as TranscriptView;
}

function checkRoundTrip(view: TranscriptView, rowsPerPart: number): void {
	const parts = encodeViewParts(view, rowsPerPart);
	assert.equal(parts.rowTexts.length, Math.ceil(view.rows.length / rowsPerPart));
	assert.deepEqual(decodeViewParts(parts), asSent(view));
}

describe('view wire format (skeleton, then row texts)', () => {
	it('gives back the synthetic view exactly, in parts of any size', () => {
		const { view } = sessionOf(syntheticTranscript(300), 'synthetic.jsonl', 20_000);
		for (const size of [1, 7, 64, 1024]) checkRoundTrip(view, size);
	});

	it('sends the skeleton without ids and previews, except the largest rows, and the parts fill them in order', () => {
		const { view } = sessionOf(syntheticTranscript(300), 'synthetic.jsonl', 20_000);
		const parts = encodeViewParts(view, 100);
		const skeleton = decodeViewSkeleton(parts.skeleton);
		const largest = new Set(view.largest);
		assert.ok(largest.size > 0);
		for (const row of skeleton.rows) {
			const original = view.rows[row.index];
			assert.ok(original !== undefined);
			if (largest.has(row.index)) {
				assert.equal(row.preview, original.preview);
				assert.equal(row.id, original.id);
			} else {
				assert.equal(row.preview, '');
				assert.equal(row.id, '');
			}
			// Everything else a row shows (map, filters, badges) is there from the skeleton on.
			const { id: _id, preview: _preview, ...rest } = row;
			const {
				id: _oid,
				preview: _opreview,
				...originalRest
			} = asSent({ ...view, rows: [original] }).rows[0] as MessageRow;
			assert.deepEqual(rest, originalRest);
		}
		const first = decodeRowTexts(parts.rowTexts[1] as Uint8Array);
		assert.equal(first.from, 100);
		assert.equal(first.ids.length, 100);
		const filled = withRowTexts(skeleton.rows, first);
		assert.equal(filled[150]?.preview, view.rows[150]?.preview);
		assert.equal(filled[50], skeleton.rows[50], 'rows outside the part are the same objects');
	});

	it('keeps row fields of any shape: unicode tool names and previews, errors, repeated and distant lines', () => {
		const { view } = sessionOf(syntheticTranscript(40), 'synthetic.jsonl', 20_000);
		const row = fc.record({
			toolName: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: undefined }),
			preview: fc.string({ unit: 'grapheme', maxLength: 120 }),
			id: fc.string({ maxLength: 40 }),
			isError: fc.boolean(),
			lineStep: fc.nat({ max: 100_000 }),
			tokens: fc.nat({ max: 2_000_000 }),
		});
		fc.assert(
			fc.property(fc.array(row, { minLength: view.rows.length, maxLength: view.rows.length }), (changes) => {
				let line = 0;
				const rows = view.rows.map((r, i): MessageRow => {
					const change = changes[i];
					if (change === undefined) return r;
					line += change.lineStep;
					const { toolName: _drop, ...base } = r;
					return {
						...base,
						...(change.toolName !== undefined ? { toolName: change.toolName } : {}),
						preview: change.preview,
						id: change.id,
						isError: change.isError,
						line,
						tokens: change.tokens,
					};
				});
				checkRoundTrip({ ...view, rows }, 9);
			}),
			{ numRuns: 50 },
		);
	});

	it("keeps an earlier view's texts for rows that still start on the same line, until the new parts come", () => {
		const { view } = sessionOf(syntheticTranscript(60), 'synthetic.jsonl', 20_000);
		const earlier = decodeViewParts(encodeViewParts(view, 16));
		const shifted = earlier.rows.map((r, i) => (i === 5 ? { ...r, line: r.line + 1 } : r));
		const next = decodeViewSkeleton(encodeViewParts({ ...view, rows: shifted }, 16).skeleton);
		const carried = carryRowTexts(earlier.rows, next.rows);
		assert.equal(carried[0]?.preview, view.rows[0]?.preview);
		assert.equal(carried[0]?.id, view.rows[0]?.id);
		assert.equal(carried[5]?.preview, '', 'a row that moved to another line is not given the old text');
		const largest = view.largest[0] ?? 0;
		assert.equal(carried[largest], next.rows[largest], 'a row that came with its text keeps it');
		assert.deepEqual(carryRowTexts([], next.rows), next.rows);
	});

	it('reaches the page as transcript/show then transcript/rowTexts of the same view id', () => {
		const { view } = sessionOf(syntheticTranscript(50), 'synthetic.jsonl', 20_000);
		const posts = transcriptViewPosts('t', 7, encodeViewParts(view, 20)).map(decodeHostPost);
		assert.deepEqual(
			posts.map((p) => p.type),
			['transcript/show', 'transcript/rowTexts', 'transcript/rowTexts', 'transcript/rowTexts'],
		);
		for (const post of posts) assert.ok('viewId' in post && post.viewId === 7);
	});

	describeCorpus('claude-code', (file) => {
		it(`${file.split('/').pop()}: real view round trip, skeleton a fraction of the JSON view`, () => {
			const { view } = openSession(file);
			checkRoundTrip(view, 1024);
			const parts = encodeViewParts(view);
			const whole = JSON.stringify(view).length;
			if (view.rows.length >= 200)
				assert.ok(parts.skeleton.length < whole / 3, `${parts.skeleton.length} of ${whole}`);
		});
	});
});
