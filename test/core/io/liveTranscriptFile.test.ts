import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateClaudeSession } from '../../../bench/generateClaudeSession';
import { LiveTranscriptFile } from '../../../src/core/io/liveTranscriptFile';
import { defaultChunkBytes } from '../../../src/core/io/readTranscriptFile';
import { messagesInWindow } from '../../../src/core/transcript/model';

const sampleLines = readFileSync(
	join(__dirname, '..', '..', 'fixtures', 'sample-claude-session.jsonl'),
	'utf8',
)
	.split('\n')
	.filter((l) => l !== '');

describe('LiveTranscriptFile', () => {
	const dir = mkdtempSync(join(tmpdir(), 'context-lens-live-'));

	it('reads only appended bytes, holds a half-written line, and keeps unchanged messages', async () => {
		const file = join(dir, 'live.jsonl');
		const head = sampleLines.slice(0, 30);
		writeFileSync(file, head.join('\n') + '\n');
		const live = new LiveTranscriptFile(file);
		const first = await live.refresh();
		assert.ok(first.ok);
		const firstMessages = first.transcript.messages;
		const next = sampleLines[30] ?? '';
		appendFileSync(file, next.slice(0, 40));
		const partial = await live.refresh();
		assert.ok(partial.ok);
		assert.equal(partial.bytesRead, 40);
		assert.equal(
			partial.transcript.messages.length,
			firstMessages.length,
			'a half-written line is not read yet',
		);
		appendFileSync(file, next.slice(40) + '\n' + sampleLines.slice(31).join('\n') + '\n');
		const rest = await live.refresh();
		assert.ok(rest.ok);
		assert.equal(rest.wasReset, false);
		assert.equal(
			rest.bytesRead,
			Buffer.byteLength(next.slice(40) + '\n' + sampleLines.slice(31).join('\n') + '\n'),
		);
		const whole = new LiveTranscriptFile(file);
		const fresh = await whole.refresh();
		assert.ok(fresh.ok);
		assert.deepEqual(
			messagesInWindow(rest.transcript).map((m) => m.id),
			messagesInWindow(fresh.transcript).map((m) => m.id),
		);
		const reused = rest.transcript.messages.filter((m) => firstMessages.includes(m)).length;
		assert.ok(reused >= firstMessages.length - 1, 'messages the append did not touch are the same objects');
		const idle = await live.refresh();
		assert.ok(idle.ok);
		assert.equal(idle.hasChanged, false);
		assert.equal(idle.bytesRead, 0);
	});

	it('re-reads from the start when the file is truncated or replaced', async () => {
		const file = join(dir, 'rotating.jsonl');
		writeFileSync(file, sampleLines.join('\n') + '\n');
		const live = new LiveTranscriptFile(file);
		const full = await live.refresh();
		assert.ok(full.ok);
		writeFileSync(file, sampleLines.slice(0, 10).join('\n') + '\n');
		const truncated = await live.refresh();
		assert.ok(truncated.ok);
		assert.equal(truncated.wasReset, true);
		assert.ok(truncated.transcript.messages.length < full.transcript.messages.length);
		const replacement = join(dir, 'replacement.jsonl');
		writeFileSync(replacement, sampleLines.slice(0, 20).join('\n') + '\n');
		renameSync(replacement, file);
		const replaced = await live.refresh();
		assert.ok(replaced.ok);
		assert.equal(replaced.wasReset, true);
	});

	it('notices a file rewritten in place with different content of larger size', async () => {
		const file = join(dir, 'rewritten.jsonl');
		writeFileSync(file, sampleLines.slice(0, 5).join('\n') + '\n');
		const live = new LiveTranscriptFile(file);
		assert.ok((await live.refresh()).ok);
		writeFileSync(file, sampleLines.slice(1).join('\n') + '\n');
		const again = await live.refresh();
		assert.ok(again.ok);
		assert.equal(again.wasReset, true);
	});

	it('reports a file that disappears', async () => {
		const live = new LiveTranscriptFile(join(dir, 'gone.jsonl'));
		const result = await live.refresh();
		assert.ok(!result.ok);
		assert.equal(result.failure.reason, 'notFound');
	});

	it('reports progress per chunk, stops between chunks when cancelled, and goes on from there', async () => {
		const file = join(dir, 'large.jsonl');
		// Three chunks and a bit, so the read is cancelled with most of the file unread.
		writeFileSync(file, generateClaudeSession({ seed: 7, targetBytes: 3 * defaultChunkBytes + 1000 }));
		const size = statSync(file).size;
		const live = new LiveTranscriptFile(file);
		const controller = new AbortController();
		const seen: number[] = [];
		const stopped = await live.refresh({
			signal: controller.signal,
			onProgress: (done, total) => {
				assert.equal(total, size);
				seen.push(done);
				controller.abort();
			},
		});
		assert.ok(!stopped.ok);
		assert.equal(stopped.failure.reason, 'cancelled');
		assert.equal(seen.length, 1, 'the read stopped after the chunk it was cancelled in');
		const progress: number[] = [];
		const rest = await live.refresh({ onProgress: (done) => progress.push(done) });
		assert.ok(rest.ok);
		assert.equal(rest.bytesRead, size - (seen[0] ?? 0), 'the next refresh reads only what was left');
		assert.equal(progress.at(-1), size);
		assert.deepEqual(
			progress,
			[...progress].sort((a, b) => a - b),
			'progress only grows',
		);
		const fresh = await new LiveTranscriptFile(file).refresh();
		assert.ok(fresh.ok);
		assert.deepEqual(
			messagesInWindow(rest.transcript).map((m) => m.id),
			messagesInWindow(fresh.transcript).map((m) => m.id),
		);
	});
});
