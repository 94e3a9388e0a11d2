import { strict as assert } from 'node:assert';
import {
	appendFileSync,
	copyFileSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	utimesSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { createOfflineSummarizer } from '../../src/core/summarize/offline/offlineSummarizer';
import { messagesInWindow } from '../../src/core/transcript/model';
import { findFormat } from '../../src/core/transcript/registry';
import { ReviewStore } from '../../src/extension/review/pendingReviews';
import { ReviewService, type ReviewSettings } from '../../src/extension/review/reviewService';
import { InProcessAnalysisClient } from '../../src/worker/inProcessClient';
import { ClaudeSessionWriter } from '../host/suite/claudeSessionWriter';
import { describeCorpus } from '../support/corpus';
import { MemoryMemento } from './memoryMemento';

const settings: ReviewSettings = {
	headMessages: 3,
	tailRatio: 0.2,
	triggerRatio: 0.8,
	rotationRatio: 0.95,
	windows: {},
};

function freshService(): { service: ReviewService; store: ReviewStore } {
	const store = new ReviewStore(new MemoryMemento());
	return { service: new ReviewService(store, new InProcessAnalysisClient()), store };
}

describe('ReviewService', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'context-lens-review-'));
	});
	afterEach(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	function fixture(turns = 40): string {
		const file = join(dir, 'session.jsonl');
		writeFileSync(file, new ClaudeSessionWriter().session(turns));
		return file;
	}

	it('plans without writing, applies next to the original, and undo removes only what apply wrote', async () => {
		const file = fixture();
		const before = readFileSync(file);
		const { service, store } = freshService();
		const created = await service.create(
			file,
			{ strategy: 'summarize', focus: 'parquet' },
			settings,
			createOfflineSummarizer(),
			new AbortController().signal,
		);
		assert.ok(created.ok, created.ok ? '' : created.message);
		assert.deepEqual(readdirSync(dir), ['session.jsonl'], 'nothing is written before apply');
		assert.equal(created.review.focus, 'parquet');
		assert.ok(created.review.summary !== undefined && created.review.summary.length > 0);
		assert.ok(created.review.numbers.tokensAfter < created.review.numbers.tokensBefore);

		const applied = await service.apply(
			created.review.id,
			settings.windows,
			new Date('2026-02-01T10:00:00Z'),
		);
		assert.ok(applied.ok, applied.ok ? '' : applied.message);
		assert.ok(readFileSync(file).equals(before), 'the original is untouched');
		assert.equal(readdirSync(dir).length, 2);
		assert.ok(applied.applied.resumeHint?.includes('claude'), `resume hint: ${applied.applied.resumeHint}`);
		const read = await readTranscriptFile(applied.applied.writtenFile);
		assert.ok(read.ok);
		assert.equal(read.transcript.format, 'claude-code');
		assert.equal(read.transcript.meta.sessionId, basename(applied.applied.writtenFile, '.jsonl'));
		assert.deepEqual(store.reviews(), []);
		assert.equal(store.applied().length, 1);

		const undone = await service.undo();
		assert.ok(undone.ok);
		assert.deepEqual(readdirSync(dir), ['session.jsonl']);
		assert.deepEqual(store.applied(), []);
		assert.equal((await service.undo()).ok, false, 'nothing left to undo');
	});

	it('an edited summary is what apply writes, and its tokens are re-counted', async () => {
		const file = fixture();
		const { service } = freshService();
		const created = await service.create(
			file,
			{ strategy: 'summarize' },
			settings,
			createOfflineSummarizer(),
			new AbortController().signal,
		);
		assert.ok(created.ok);
		const marker = 'KEEP-THIS-EDIT-7f3a';
		const short = await service.editSummary(created.review.id, `## Active Task\n${marker}`, settings.windows);
		const long = await service.editSummary(
			created.review.id,
			`## Active Task\n${marker}\n${'more detail '.repeat(300)}`,
			settings.windows,
		);
		assert.ok(short.ok && long.ok);
		assert.ok(long.tokensAfter > short.tokensAfter);
		assert.ok(
			long.syntheticTokens - short.syntheticTokens >= 300,
			'the longer summary costs at least its extra words',
		);
		const applied = await service.apply(created.review.id, settings.windows);
		assert.ok(applied.ok);
		const text = readFileSync(applied.applied.writtenFile, 'utf8');
		assert.ok(text.includes(marker), 'the edited summary was written');
	});

	it('refuses to apply after the original changed and writes nothing', async () => {
		const file = fixture();
		const { service, store } = freshService();
		const created = await service.create(
			file,
			{ strategy: 'prune' },
			settings,
			undefined,
			new AbortController().signal,
		);
		assert.ok(created.ok);
		appendFileSync(file, new ClaudeSessionWriter().turn(99));
		const applied = await service.apply(created.review.id, settings.windows);
		assert.equal(applied.ok, false);
		assert.match(applied.ok ? '' : applied.message, /changed since the plan was made.*Nothing was written/);
		assert.deepEqual(readdirSync(dir), ['session.jsonl']);
		assert.equal(store.reviews().length, 1, 'the refused review stays for the person to discard');
	});

	it('refuses to apply after a same-size rewrite (the content hash catches it)', async () => {
		const file = fixture();
		const { service } = freshService();
		const created = await service.create(
			file,
			{ strategy: 'prune' },
			settings,
			undefined,
			new AbortController().signal,
		);
		assert.ok(created.ok);
		const text = readFileSync(file, 'utf8');
		writeFileSync(file, text.replace('Step 1:', 'Step X:'));
		const applied = await service.apply(created.review.id, settings.windows);
		assert.equal(applied.ok, false);
		assert.match(applied.ok ? '' : applied.message, /content changed/);
	});

	it('refuses to undo a written file that changed since (it may have been resumed)', async () => {
		const file = fixture();
		const { service } = freshService();
		const created = await service.create(
			file,
			{ strategy: 'prune' },
			settings,
			undefined,
			new AbortController().signal,
		);
		assert.ok(created.ok);
		const applied = await service.apply(created.review.id, settings.windows);
		assert.ok(applied.ok);
		appendFileSync(applied.applied.writtenFile, '\n');
		const undone = await service.undo(applied.applied.writtenFile);
		assert.equal(undone.ok, false);
		assert.equal(readdirSync(dir).length, 2, 'the changed file stays');
	});

	it('a pending review survives a reload: a new service re-derives it from the stored plan (H2)', async () => {
		const file = fixture();
		const memento = new MemoryMemento();
		const plans = join(mkdtempSync(join(tmpdir(), 'context-lens-plans-')), 'plans');
		const first = new ReviewService(new ReviewStore(memento), new InProcessAnalysisClient(), plans);
		const created = await first.create(
			file,
			{ strategy: 'summarize' },
			settings,
			createOfflineSummarizer(),
			new AbortController().signal,
		);
		assert.ok(created.ok);
		const expected = await first.document(created.review.id, 'compacted', {});
		// A new service with its own analysis (a reload, or a restarted worker) reads the original again.
		const second = new ReviewService(new ReviewStore(memento), new InProcessAnalysisClient(), plans);
		const again = await second.document(created.review.id, 'compacted', {});
		assert.equal(again, expected);
		assert.match(again, /── /, 'the compacted side renders messages, not a failure');
		assert.ok((await second.apply(created.review.id, {})).ok);
		assert.deepEqual(readdirSync(plans), [], 'apply removes the plan file');
		rmSync(dirname(plans), { recursive: true, force: true });
	});

	it('keeps plans in files, not in the stored review, and removes them with the review', async () => {
		const file = fixture();
		const plans = join(mkdtempSync(join(tmpdir(), 'context-lens-plans-')), 'plans');
		const store = new ReviewStore(new MemoryMemento());
		const service = new ReviewService(store, new InProcessAnalysisClient(), plans);
		const request = [
			{ strategy: 'structure' as const },
			settings,
			undefined,
			new AbortController().signal,
		] as const;
		const kept = await service.create(file, ...request);
		const dropped = await service.create(file, ...request);
		assert.ok(kept.ok && dropped.ok);
		const stored = store.review(kept.review.id);
		assert.equal(stored?.planText, undefined, 'the stored review holds no plan');
		assert.equal(stored?.planFile, join(plans, `${kept.review.id}.plan`));
		assert.match(readFileSync(stored.planFile ?? '', 'utf8'), /"strategy":"structure"/);
		assert.ok(await service.discard(dropped.review.id));
		assert.deepEqual(readdirSync(plans), [`${kept.review.id}.plan`], 'discard removes its plan file');

		// A plan file whose review was never stored (the window closed between the two) is tidied at the next start.
		writeFileSync(join(plans, 'orphan.plan'), '{}');
		utimesSync(join(plans, 'orphan.plan'), new Date(0), new Date(0));
		assert.equal(await service.removeOrphanPlans(), 1);
		assert.deepEqual(readdirSync(plans), [`${kept.review.id}.plan`]);

		// A review stored before plans moved to files still loads from its inline plan.
		const { planFile, ...withoutFile } = store.review(kept.review.id) ?? kept.review;
		const inline = { ...withoutFile, id: 'older-review', planText: readFileSync(planFile ?? '', 'utf8') };
		await store.putReview(inline);
		const fresh = new ReviewService(store, new InProcessAnalysisClient(), plans);
		assert.match(await fresh.document('older-review', 'compacted', {}), /── /);
		rmSync(dirname(plans), { recursive: true, force: true });
	});

	it('reports a file that is not a transcript without throwing', async () => {
		const file = join(dir, 'notes.json');
		writeFileSync(file, '{"hello": "world"}');
		const { service } = freshService();
		const created = await service.create(
			file,
			{ strategy: 'prune' },
			settings,
			undefined,
			new AbortController().signal,
		);
		assert.equal(created.ok, false);
		assert.match(created.ok ? '' : created.message, /notes\.json/);
	});

	// A small window makes even short corpus sessions worth compacting, so every file goes through apply.
	const smallWindows = { '*': 12_000 };
	const outcomes = { applied: 0, declined: 0 };
	after(() => {
		console.log(`      corpus: ${outcomes.applied} applied, ${outcomes.declined} declined with a message`);
	});

	for (const folder of ['claude-code', 'codex', 'copilot-chat', 'openai-chat', 'other/gemini-cli']) {
		describe(`on every ${folder} corpus file`, () => {
			describeCorpus(folder, (corpusPath) => {
				it(`${basename(corpusPath)}: plans, applies a file that reads back in the same format, and undoes`, async function () {
					this.timeout(120_000);
					const file = join(dir, basename(corpusPath));
					copyFileSync(corpusPath, file);
					const { service } = freshService();
					const created = await service.create(
						file,
						{ strategy: 'summarize' },
						{ ...settings, windows: smallWindows },
						createOfflineSummarizer(),
						new AbortController().signal,
					);
					if (!created.ok) {
						outcomes.declined++;
						// An expected failure is a message naming the file, never a throw (R16: nothing to compact).
						assert.match(
							created.message,
							new RegExp(
								basename(file)
									.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
									.slice(0, 20),
							),
						);
						return;
					}
					assert.deepEqual(readdirSync(dir), [basename(file)]);
					const applied = await service.apply(created.review.id, smallWindows);
					if (findFormat(created.review.format).write === undefined) {
						assert.equal(applied.ok, false);
						return;
					}
					assert.ok(applied.ok, applied.ok ? '' : applied.message);
					outcomes.applied++;
					const read = await readTranscriptFile(applied.applied.writtenFile);
					assert.ok(read.ok);
					assert.equal(read.transcript.format, created.review.format);
					assert.ok(messagesInWindow(read.transcript).length > 0);
					const undone = await service.undo(applied.applied.writtenFile);
					assert.ok(undone.ok);
					assert.deepEqual(readdirSync(dir), [basename(file)]);
				});
			});
		});
	}
});
