import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { createOfflineSummarizer } from '../../src/core/summarize/offline/offlineSummarizer';
import { messagesInWindow, type Message, type Transcript } from '../../src/core/transcript/model';
import { ReviewStore } from '../../src/extension/review/pendingReviews';
import { buildPendingReviewView } from '../../src/extension/review/pendingReviewView';
import { ReviewService, type ReviewSettings } from '../../src/extension/review/reviewService';
import { InProcessAnalysisClient } from '../../src/worker/inProcessClient';
import {
	PinStore,
	maxPinnedSessions,
	pinStorageKey,
	sessionIdOf,
} from '../../src/extension/sessions/pinStore';
import { ClaudeSessionWriter } from '../host/suite/claudeSessionWriter';
import { MemoryMemento } from './memoryMemento';

const settings: ReviewSettings = {
	headMessages: 3,
	tailRatio: 0.2,
	triggerRatio: 0.8,
	rotationRatio: 0.95,
	windows: {},
};

async function read(file: string): Promise<Transcript> {
	const result = await readTranscriptFile(file);
	assert.ok(result.ok, file);
	return result.transcript;
}

describe('PinStore', () => {
	let dir: string;
	let file: string;
	let writer: ClaudeSessionWriter;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'context-lens-pins-'));
		file = join(dir, 'session.jsonl');
		writer = new ClaudeSessionWriter();
		writeFileSync(file, writer.session(40));
	});
	afterEach(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	it('pins and unpins per session, and the pins survive a new store over the same state (a reload)', async () => {
		const state = new MemoryMemento();
		const pins = new PinStore(state);
		const transcript = await read(file);
		const changed: string[] = [];
		pins.onDidChange((f) => changed.push(f));
		assert.deepEqual(await pins.toggle(file, transcript, 37, true), [37]);
		assert.deepEqual(await pins.toggle(file, transcript, 12, true), [12, 37]);
		assert.deepEqual(await pins.toggle(file, transcript, 12, false), [37]);
		assert.deepEqual(changed, [file, file, file]);
		const reloaded = new PinStore(state);
		assert.deepEqual([...reloaded.pinnedIndexes(file, await read(file))], [37]);
		assert.equal(reloaded.entry(file)?.sessionId, sessionIdOf(transcript));
		// Another session in the same file (the file was replaced) has none of them.
		const other = { ...transcript, meta: { ...transcript.meta, sessionId: 'another-session' } };
		assert.deepEqual([...reloaded.pinnedIndexes(file, other)], []);
	});

	it('finds the pinned message again after the agent appends to the file', async () => {
		const pins = new PinStore(new MemoryMemento());
		await pins.toggle(file, await read(file), 37, true);
		appendFileSync(file, writer.turn(41) + writer.turn(42));
		const grown = await read(file);
		assert.equal(messagesInWindow(grown).length, 168);
		assert.deepEqual([...pins.pinnedIndexes(file, grown)], [37]);
	});

	it('ignores stored state it does not understand, and forgets the oldest sessions past the cap', async () => {
		const state = new MemoryMemento();
		await state.update(pinStorageKey, [{ file, keys: 'not a list' }, 42, null]);
		const pins = new PinStore(state);
		const transcript = await read(file);
		assert.deepEqual([...pins.pinnedIndexes(file, transcript)], []);
		for (let i = 0; i < maxPinnedSessions + 5; i++) await pins.toggle(`${file}.${i}`, transcript, 1, true);
		const stored = state.get<unknown[]>(pinStorageKey) ?? [];
		assert.equal(stored.length, maxPinnedSessions);
		assert.equal(pins.entry(`${file}.0`), undefined, 'the oldest is forgotten');
		assert.deepEqual([...pins.pinnedIndexes(`${file}.${maxPinnedSessions + 4}`, transcript)], [1]);
	});

	it('a compaction planned through the review keeps the pinned call and its result verbatim and lists them', async () => {
		const pins = new PinStore(new MemoryMemento());
		const transcript = await read(file);
		// Turn 10: #37 prompt, #38 the Read call, #39 its result, #40 the answer; all in the middle.
		await pins.toggle(file, transcript, 37, true);
		const service = new ReviewService(new ReviewStore(new MemoryMemento()), new InProcessAnalysisClient());
		const created = await service.create(
			file,
			{ strategy: 'summarize', pins: pins.entry(file) as NonNullable<ReturnType<PinStore['entry']>> },
			settings,
			createOfflineSummarizer(),
			new AbortController().signal,
		);
		assert.ok(created.ok, created.ok ? '' : created.message);
		const pinned = created.review.pinned;
		assert.ok(pinned !== undefined);
		assert.deepEqual(
			pinned.messages.map((m) => [m.index, m.role]),
			[[37, 'assistant']],
		);
		assert.equal(pinned.partners, 1);
		assert.match(pinned.messages[0]?.preview ?? '', /module_10\.py/);
		const view = buildPendingReviewView(created.review, 0, 'writes a new file');
		assert.deepEqual(view.pinned, pinned);
		const applied = await service.apply(created.review.id, settings.windows);
		assert.ok(applied.ok, applied.ok ? '' : applied.message);
		const written = messagesInWindow(await read(applied.applied.writtenFile));
		const original = messagesInWindow(transcript);
		// Every part as it was, in order (the handoff may be merged in front where no role fits beside it, R13).
		const shown = (p: Message['parts'][number]): string => JSON.stringify({ ...p, raw: undefined });
		for (const i of [37, 38]) {
			const parts = (original[i]?.parts ?? []).map(shown);
			assert.ok(
				written.some((m) => {
					let at = 0;
					for (const p of m.parts) if (shown(p) === parts[at]) at++;
					return m.role === original[i]?.role && at === parts.length;
				}),
				`#${i + 1} is written verbatim`,
			);
		}
		assert.ok(
			!written.some((m) =>
				m.parts.some((p) => p.kind === 'toolResult' && p.text.includes('write_invoice_11_59')),
			),
			'the unpinned result of the next turn was summarised',
		);
	});
});
