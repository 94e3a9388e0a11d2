import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTranscriptFile } from '../../../src/core/io/readTranscriptFile';
import { messagesInWindow, type Transcript } from '../../../src/core/transcript/model';
import { findFormat } from '../../../src/core/transcript/registry';
import { JsonlTranscriptReader, parseTranscript } from '../../../src/core/transcript/readTranscript';

const sample = readFileSync(join(__dirname, '..', '..', 'fixtures', 'sample-claude-session.jsonl'));

function visible(bytes: Buffer, name = 'x.jsonl') {
	const result = parseTranscript(bytes, name);
	assert.ok(result.ok, JSON.stringify(!result.ok && result.failure));
	return visibleOf(result.transcript);
}

function visibleOf(transcript: Transcript) {
	return messagesInWindow(transcript).map((m) => ({
		role: m.role,
		parts: m.parts.map((p) => ({ ...p, raw: undefined })),
	}));
}

describe('readTranscriptFile', () => {
	const dir = mkdtempSync(join(tmpdir(), 'context-lens-read-'));

	it('reads the same messages streamed in small chunks as parsed whole', async () => {
		const file = join(dir, 'sample.jsonl');
		writeFileSync(file, sample);
		const progress: number[] = [];
		const result = await readTranscriptFile(file, {
			chunkBytes: 1000,
			onProgress: (done) => progress.push(done),
		});
		assert.ok(result.ok);
		assert.equal(result.transcript.format, 'claude-code');
		assert.deepEqual(
			messagesInWindow(result.transcript).map((m) => m.id),
			messagesInWindow(
				(parseTranscript(sample, file) as { transcript: typeof result.transcript }).transcript,
			).map((m) => m.id),
		);
		assert.equal(progress.at(-1), sample.length);
		assert.ok(progress.length > 10, 'progress reported per chunk');
	});

	it('reads a file that fits in one chunk in one call, the same as streamed, JSONL and documents alike', async () => {
		const jsonl = join(dir, 'one-chunk.jsonl');
		writeFileSync(jsonl, sample);
		const document = join(dir, 'one-chunk.json');
		writeFileSync(
			document,
			JSON.stringify({
				messages: [
					{ role: 'system', content: 'You are terse.' },
					{ role: 'user', content: 'List the files.' },
					{ role: 'assistant', content: 'a.ts\nb.ts' },
				],
			}),
		);
		for (const file of [jsonl, document]) {
			const progress: [number, number][] = [];
			const whole = await readTranscriptFile(file, {
				onProgress: (done, total) => progress.push([done, total]),
			});
			const streamed = await readTranscriptFile(file, { chunkBytes: 64 });
			assert.ok(whole.ok && streamed.ok, file);
			assert.equal(whole.transcript.format, streamed.transcript.format);
			assert.deepEqual(visibleOf(whole.transcript), visibleOf(streamed.transcript));
			const size = readFileSync(file).length;
			assert.deepEqual(progress, [[size, size]], 'one read, reported once');
		}
	});

	it('reads the head detection decoded and parsed exactly as the bytes, into records that share no objects', () => {
		const lines = sample.toString('utf8').split('\n');
		// The first record twice: each copy must be a record of its own.
		const twice = Buffer.from([lines[0], ...lines].join('\n'));
		const crlf = Buffer.from([lines[0], ...lines].join('\r\n'));
		for (const bytes of [sample, twice, crlf]) {
			const result = parseTranscript(bytes, 'x.jsonl');
			assert.ok(result.ok);
			const reader = new JsonlTranscriptReader(
				findFormat('claude-code'),
				'x.jsonl',
				result.transcript.detection,
			);
			reader.push(bytes);
			const plain = reader.finish();
			assert.ok(plain.ok);
			assert.deepEqual(result.transcript, plain.transcript);
			const raws = result.transcript.messages.flatMap((m) => m.raw);
			assert.equal(new Set(raws).size, raws.length, 'no record object is shared');
			const records = [...raws, ...result.transcript.passthrough.map((p) => p.record)];
			assert.equal(new Set(records).size, records.length);
		}
	});

	it('reads a file with a BOM and CRLF line ends like the plain one', () => {
		const crlf = Buffer.concat([
			Buffer.from([0xef, 0xbb, 0xbf]),
			Buffer.from(sample.toString('utf8').replace(/\n/g, '\r\n')),
		]);
		assert.deepEqual(visible(crlf), visible(sample));
	});

	it('reports a malformed line with file, line and column and keeps reading', async () => {
		const lines = sample.toString('utf8').split('\n');
		lines.splice(3, 0, '{"type":"user","message":{"role":"user","content":"oops"');
		const file = join(dir, 'bad-line.jsonl');
		writeFileSync(file, lines.join('\n'));
		const result = await readTranscriptFile(file);
		assert.ok(result.ok);
		const [diagnostic] = result.transcript.diagnostics.filter((d) => d.severity === 'error');
		assert.equal(diagnostic?.line, 4);
		assert.equal(diagnostic?.column, 57, 'the column just past the cut-off text');
		assert.match(diagnostic?.message ?? '', /invalid JSON/);
		assert.ok(messagesInWindow(result.transcript).length > 30);
	});

	it('ignores a half-written last line silently', async () => {
		const file = join(dir, 'half.jsonl');
		const text = sample.toString('utf8');
		writeFileSync(file, text + '{"type":"assistant","message":{"id":"msg_x","content":[{"type":"te');
		const result = await readTranscriptFile(file);
		assert.ok(result.ok);
		assert.deepEqual(result.transcript.diagnostics, []);
		assert.equal(messagesInWindow(result.transcript).length, visible(sample).length);
	});

	it('fails with a clear reason for a missing file, a directory, an empty file, whitespace and binary data', async () => {
		const empty = join(dir, 'empty.jsonl');
		writeFileSync(empty, '');
		const blank = join(dir, 'blank.jsonl');
		writeFileSync(blank, '\n\n   \r\n');
		const binary = join(dir, 'image.jsonl');
		writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
		const sub = join(dir, 'folder');
		mkdirSync(sub);
		const expected: [string, string][] = [
			[join(dir, 'nope.jsonl'), 'notFound'],
			[sub, 'isDirectory'],
			[empty, 'empty'],
			[blank, 'empty'],
			[binary, 'binary'],
		];
		for (const [file, reason] of expected) {
			const result = await readTranscriptFile(file);
			assert.ok(!result.ok, file);
			assert.equal(result.failure.reason, reason, file);
			assert.equal(result.failure.file, file);
		}
	});

	it('says a file no line of which parses is unparseable, naming the first bad line', async () => {
		const file = join(dir, 'all-bad.jsonl');
		writeFileSync(file, '{"type":"user","uuid":"a","parentUuid":null\n{"type":"user","uuid":"b"\n');
		const result = await readTranscriptFile(file, { format: 'claude-code' });
		assert.ok(!result.ok);
		assert.equal(result.failure.reason, 'unparseable');
		assert.equal(result.failure.line, 1);
	});

	it('reads a 50 MB single line as one record and reports a broken one without choking', async function () {
		this.timeout(120_000);
		const big = 'x'.repeat(50 * 1024 * 1024);
		const good = JSON.stringify({ role: 'user', content: big });
		const file = join(dir, 'huge.jsonl');
		writeFileSync(file, `${JSON.stringify({ role: 'system', content: 'hi' })}\n${good}\n`);
		const result = await readTranscriptFile(file);
		assert.ok(result.ok, JSON.stringify(!result.ok && result.failure));
		assert.equal(result.transcript.format, 'openai-chat');
		assert.equal(
			result.transcript.messages[1]?.parts[0]?.kind === 'text' &&
				result.transcript.messages[1].parts[0].text.length,
			big.length,
		);
		const broken = join(dir, 'huge-broken.jsonl');
		writeFileSync(
			broken,
			`${JSON.stringify({ role: 'system', content: 'hi' })}\n${good.slice(0, -2)}\n${JSON.stringify({ role: 'user', content: 'next' })}\n`,
		);
		const second = await readTranscriptFile(broken);
		assert.ok(second.ok);
		assert.equal(second.transcript.diagnostics[0]?.line, 2);
		assert.ok(
			(second.transcript.diagnostics[0]?.message.length ?? 0) < 300,
			'the message quotes only an excerpt',
		);
		assert.equal(second.transcript.messages.length, 2);
	});

	it('stops when cancelled', async () => {
		const file = join(dir, 'cancel.jsonl');
		writeFileSync(file, sample);
		const controller = new AbortController();
		controller.abort();
		const result = await readTranscriptFile(file, { signal: controller.signal, chunkBytes: 1024 });
		assert.ok(!result.ok);
		assert.equal(result.failure.reason, 'cancelled');
	});
});
