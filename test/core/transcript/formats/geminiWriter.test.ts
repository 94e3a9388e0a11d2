import { strict as assert } from 'node:assert';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { geminiCliFormat } from '../../../../src/core/transcript/formats/geminiCli';
import {
	makeFlags,
	messagesInWindow,
	type Message,
	type Part,
	type Transcript,
} from '../../../../src/core/transcript/model';
import { parseTranscript } from '../../../../src/core/transcript/readTranscript';
import { pairToolCalls } from '../../../../src/core/transcript/toolPairs';
import { runCli } from '../../../../src/cli/main';
import { nodeOutputFs } from '../../../../src/cli/writeOutputs';
import { captureIo } from '../../../support/captureIo';
import { corpusRoot, describeCorpus, hasCorpus } from '../../../support/corpus';

type Json = Record<string, unknown>;

const at = (second: number): string => `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;
const now = '2026-02-02T10:20:30.000Z';

const header = {
	sessionId: 'old-session',
	projectHash: 'f00d',
	startTime: at(0),
	lastUpdated: at(9),
	kind: 'main',
	summary: 'List files',
};

function call(id: string, output: string, extra: Json = {}): Json {
	return {
		id,
		name: 'read_file',
		args: { path: id },
		result: [{ functionResponse: { id, name: 'read_file', response: { output } } }],
		status: 'success',
		timestamp: at(3),
		resultDisplay: `shown: ${output}`,
		...extra,
	};
}

const records: Json[] = [
	{ id: 'u1', timestamp: at(1), type: 'user', content: [{ text: 'Read a and b' }] },
	{ id: 'i1', timestamp: at(2), type: 'info', content: 'Switched model.' },
	{
		id: 'a1',
		timestamp: at(3),
		type: 'gemini',
		content: 'Reading both.',
		thoughts: [{ subject: 'Plan', description: 'Read them.', timestamp: at(3) }],
		tokens: { input: 1000, output: 20, cached: 400, thoughts: 30, tool: 0, total: 1050 },
		model: 'gemini-2.5-pro',
		toolCalls: [call('a', 'alpha '.repeat(40)), call('b', 'beta')],
	},
	{
		id: 'a2',
		timestamp: at(4),
		type: 'gemini',
		content: 'Both read.',
		thoughts: [],
		tokens: { input: 1400, output: 10, cached: 0, thoughts: 0, tool: 0, total: 1410 },
		model: 'gemini-2.5-pro',
	},
	{ id: 'u2', timestamp: at(5), type: 'user', content: [{ text: 'Now c' }] },
	{
		id: 'a3',
		timestamp: at(6),
		type: 'model',
		parts: [{ text: 'Reading c.' }],
		toolCalls: [call('c', 'gamma'), { id: 'd', name: 'read_file', args: { path: 'd' }, status: 'executing' }],
		tokens: { input: 1500, output: 12, cached: 0, thoughts: 4, tool: 0, total: 1516 },
		model: 'gemini-2.5-flash',
	},
	{ id: 'a4', timestamp: at(7), type: 'gemini', content: 'Done.', model: 'gemini-2.5-flash' },
];

const jsonlText = [header, ...records].map((r) => JSON.stringify(r)).join('\n') + '\n';
const jsonText = JSON.stringify({ ...header, messages: records }, null, 2);

function read(text: string, path = '/home/me/.gemini/tmp/f00d/chats/session-x.jsonl'): Transcript {
	const result = parseTranscript(Buffer.from(text), path);
	assert.ok(result.ok, result.ok ? '' : result.failure.message);
	assert.equal(result.transcript.format, 'gemini-cli');
	return result.transcript;
}

function write(transcript: Transcript, path?: string): { text: string; resumeHint?: string } {
	assert.ok(geminiCliFormat.write);
	return geminiCliFormat.write(transcript, {
		sessionId: 'new-session',
		now,
		...(path !== undefined ? { path } : {}),
	});
}

function shape(transcript: Transcript): { transcript: Transcript; notes: readonly string[] } {
	assert.ok(geminiCliFormat.shapeForWrite);
	return geminiCliFormat.shapeForWrite(transcript);
}

/** What the model sees of each message, for comparing two readings. */
function view(messages: readonly Message[]): unknown[] {
	return messages.map((m) => ({
		role: m.role,
		isSummary: m.flags.isSummary,
		parts: m.parts.map(({ raw: _raw, ...p }: Part) =>
			p.kind === 'toolResult' ? { ...p, images: p.images.map(({ raw: _r, ...i }) => i) } : p,
		),
		input: m.usage?.inputTokens,
		output: m.usage?.outputTokens,
	}));
}

function lines(text: string): Json[] {
	return text
		.trim()
		.split('\n')
		.map((l) => JSON.parse(l) as Json);
}

function summaryMessage(text: string): Message {
	return {
		id: 'plan-1-summary',
		role: 'user',
		parts: [{ kind: 'text', text }],
		flags: makeFlags({ isSummary: true }),
		lines: { from: 0, to: 0 },
		raw: [],
		timestamp: at(5),
	};
}

describe('geminiCliFormat.write', () => {
	it('is listed as writable', () => {
		assert.ok(geminiCliFormat.write && geminiCliFormat.shapeForWrite);
	});

	it('writes a JSONL log as a JSONL log: a new header, then every message with its calls and results', () => {
		const transcript = read(jsonlText);
		const out = lines(write(transcript).text);
		assert.deepEqual(out[0], {
			sessionId: 'new-session',
			projectHash: 'f00d',
			startTime: now,
			lastUpdated: now,
			kind: 'main',
			summary: 'List files',
		});
		// The info line is only shown by Gemini CLI; it is not written. The `model` record becomes `gemini`.
		assert.deepEqual(
			out.slice(1).map((r) => [r['id'], r['type']]),
			[
				['u1', 'user'],
				['a1', 'gemini'],
				['a2', 'gemini'],
				['u2', 'user'],
				['a3', 'gemini'],
				['a4', 'gemini'],
			],
		);
		// Unchanged records are copied as they were (results, what the UI showed, tokens, thoughts).
		assert.deepEqual(out[2], records[2]);
		const a3 = out[5] as Json;
		assert.deepEqual(a3['content'], [{ text: 'Reading c.' }]);
		assert.equal('parts' in a3, false);
		// The call that never got a result is left out: Gemini CLI would send it unanswered.
		assert.deepEqual(
			(a3['toolCalls'] as Json[]).map((c) => c['id']),
			['c'],
		);
		const again = read(write(transcript).text);
		const before = messagesInWindow(transcript).map((m) => ({
			...m,
			parts: m.parts.filter((p) => !(p.kind === 'toolCall' && p.callId === 'd')),
		}));
		assert.deepEqual(view(messagesInWindow(again)), view(before));
		assert.deepEqual(pairToolCalls(messagesInWindow(again)).unansweredCalls, []);
	});

	it('writes a JSON document as one JSON document with the same fields', () => {
		const transcript = read(jsonText, '/home/me/.gemini/tmp/f00d/chats/session-x.json');
		const text = write(transcript).text;
		const document = JSON.parse(text) as Json;
		assert.deepEqual(Object.keys(document), [
			'sessionId',
			'projectHash',
			'startTime',
			'lastUpdated',
			'kind',
			'summary',
			'messages',
		]);
		assert.equal(document['sessionId'], 'new-session');
		assert.equal((document['messages'] as Json[]).length, 6);
		assert.deepEqual(
			view(messagesInWindow(read(text, 'out.json'))),
			view(shape(transcript).transcript.messages),
		);
	});

	it('names the file in the resume command, quoted for the shell when needed', () => {
		const transcript = read(jsonlText);
		assert.equal(write(transcript).resumeHint, undefined);
		assert.equal(write(transcript, '/tmp/a/s.jsonl').resumeHint, 'gemini --session-file /tmp/a/s.jsonl');
		assert.equal(
			write(transcript, "/tmp/my dir/it's.jsonl").resumeHint,
			`gemini --session-file '/tmp/my dir/it'\\''s.jsonl'`,
		);
	});

	it('writes a summary as a state snapshot the reader flags, and rebuilds a changed result with its call', () => {
		const transcript = read(jsonlText);
		const window = messagesInWindow(transcript);
		const results = window.find((m) => m.id === 'a1:results');
		assert.ok(results);
		const pruned: Message = {
			...results,
			parts: results.parts.map((p) =>
				p.kind === 'toolResult' && p.callId === 'a'
					? { kind: 'toolResult', callId: 'a', text: '[moved out]', isError: true, images: [] }
					: p,
			),
		};
		const compacted: Transcript = {
			...transcript,
			messages: [
				...window.slice(0, 2),
				pruned,
				summaryMessage('Earlier: read a and b.'),
				...window.filter((m) => m.id === 'u2' || m.id === 'a3' || m.id === 'a3:results'),
			],
		};
		const out = lines(write(compacted).text);
		const summary = out.find((r) => r['id'] === 'plan-1-summary');
		assert.deepEqual(summary?.['content'], [
			{ text: '<state_snapshot>\nEarlier: read a and b.\n</state_snapshot>' },
		]);
		assert.equal(summary?.['type'], 'user');
		const a = ((out.find((r) => r['id'] === 'a1')?.['toolCalls'] ?? []) as Json[]).find(
			(c) => c['id'] === 'a',
		);
		assert.deepEqual(a?.['result'], [
			{ functionResponse: { id: 'a', name: 'read_file', response: { error: '[moved out]' } } },
		]);
		assert.equal(a?.['status'], 'error');
		assert.equal('resultDisplay' in (a ?? {}), false, 'what the UI showed of the old result is dropped');
		const again = messagesInWindow(read(write(compacted).text));
		assert.deepEqual(
			again.map((m) => m.flags.isSummary),
			[false, false, false, true, false, false, false],
		);
		// Writing what was read back gives the same file: nothing is wrapped twice.
		const rewritten = write({ ...compacted, messages: shape(compacted).transcript.messages }).text;
		assert.equal(rewritten, write(compacted).text);
	});

	it('writes a Context Lens summary as it is: its opening alone makes it read back as a summary', () => {
		const transcript = read(jsonlText);
		const window = messagesInWindow(transcript);
		const text =
			'[Context Lens compaction: reference only] Earlier turns were condensed.\n## Active Task\nNow c';
		const compacted = { ...transcript, messages: [summaryMessage(text), ...window.slice(3)] };
		const out = lines(write(compacted).text);
		assert.deepEqual(out[1], { id: 'plan-1-summary', timestamp: at(5), type: 'user', content: [{ text }] });
		const back = messagesInWindow(read(write(compacted).text));
		assert.equal(back[0]?.flags.isSummary, true);
		assert.deepEqual(view(back), view(shape(compacted).transcript.messages));
	});

	it('writes restated usage as tokens the reader gives back, thoughts kept apart from the context', () => {
		const transcript = read(jsonlText);
		const messages = transcript.messages.map((m) =>
			m.id === 'a1' ? { ...m, usage: { inputTokens: 700, outputTokens: 50, contextTokens: 750 } } : m,
		);
		const a1 = lines(write({ ...transcript, messages }).text).find((r) => r['id'] === 'a1');
		assert.deepEqual(a1?.['tokens'], {
			input: 700,
			output: 20,
			cached: 0,
			thoughts: 30,
			tool: 0,
			total: 750,
		});
		const back = read(write({ ...transcript, messages }).text).messages.find((m) => m.id === 'a1');
		assert.deepEqual(back?.usage, { inputTokens: 700, outputTokens: 50, contextTokens: 720 });
		const withoutUsage = transcript.messages.map((m) => {
			if (m.id !== 'a2') return m;
			const { usage: _usage, ...rest } = m;
			return rest;
		});
		const a2 = lines(write({ ...transcript, messages: withoutUsage }).text).find((r) => r['id'] === 'a2');
		assert.equal('tokens' in (a2 ?? {}), false);
	});

	it('shapes the window as it will be read back, reusing unchanged messages and saying what it leaves out', () => {
		const transcript = read(jsonlText);
		const window = messagesInWindow(transcript);
		const orphan: Message = {
			id: 'stray',
			role: 'tool',
			parts: [{ kind: 'toolResult', callId: 'zz', text: 'no call', isError: false, images: [] }],
			flags: makeFlags(),
			lines: { from: 0, to: 0 },
			raw: [],
		};
		const shaped = shape({ ...transcript, messages: [...window, orphan] });
		assert.deepEqual(shaped.notes, [
			'1 tool call has no result and is left out: Gemini CLI sends every call with its result.',
			'1 tool result answers a call that is not kept, so it is left out.',
		]);
		const byId = new Map(window.map((m) => [m.id, m]));
		for (const message of shaped.transcript.messages) {
			if (message.id === 'a3' || message.id === 'a3:results') continue;
			assert.equal(message, byId.get(message.id), `${message.id} is the input's own object`);
		}
		assert.ok(!shaped.transcript.messages.some((m) => m.id === 'stray'));
	});

	it('keeps ids unique and writes a prompt log as a session document', () => {
		const transcript = read(jsonlText);
		const window = messagesInWindow(transcript);
		const twice = { ...transcript, messages: [...window, { ...window[0]!, lines: { from: 99, to: 99 } }] };
		const ids = lines(write(twice).text)
			.slice(1)
			.map((r) => r['id']);
		assert.equal(new Set(ids).size, ids.length);
		assert.equal(ids.at(-1), 'u1-2');
		const log = JSON.stringify([
			{ sessionId: 's', messageId: 0, type: 'user', message: 'hi', timestamp: at(1) },
			{ sessionId: 's', messageId: 1, type: 'user', message: 'again', timestamp: at(2) },
		]);
		const prompts = read(log, '/home/me/.gemini/tmp/f00d/logs.json');
		const document = JSON.parse(write(prompts).text) as Json;
		assert.match(String(document['projectHash']), /^[0-9a-f]{64}$/);
		assert.deepEqual(
			(document['messages'] as Json[]).map((m) => Object.keys(m).sort().join()),
			['content,id,timestamp,type', 'content,id,timestamp,type'],
		);
		assert.deepEqual(
			(document['messages'] as Json[]).map((m) => m['content']),
			[['hi'], ['again']],
		);
	});

	it('writes what it shapes, whatever the compaction keeps, drops or edits (property)', () => {
		const transcript = read(jsonlText);
		const window = messagesInWindow(transcript);
		fc.assert(
			fc.property(
				fc.subarray(window.map((_, i) => i)),
				fc.option(fc.nat(window.length)),
				fc.array(fc.string(), { maxLength: 3 }),
				(kept, summaryAt, edits) => {
					const messages: Message[] = kept.map((i) => window[i]!);
					messages.forEach((m, i) => {
						const edit = edits[i];
						if (edit === undefined) return;
						messages[i] = {
							...m,
							parts: m.parts.map((p) => (p.kind === 'text' ? { kind: 'text', text: edit } : p)),
						};
					});
					if (summaryAt !== null)
						messages.splice(Math.min(summaryAt, messages.length), 0, summaryMessage('sum'));
					const compacted = { ...transcript, messages };
					const shaped = shape(compacted).transcript;
					const text = write(compacted).text;
					const back = messagesInWindow(read(text));
					assert.deepEqual(view(back), view(shaped.messages));
					const pairing = pairToolCalls(back);
					assert.deepEqual([pairing.unansweredCalls, pairing.orphanResults], [[], []]);
					assert.equal(write({ ...compacted, messages: shaped.messages }).text, text);
				},
			),
			{ numRuns: 300 },
		);
	});
});

describe('geminiCliFormat: records Gemini CLI rewrote after a compression', () => {
	it('reads a turn from its content alone when the content holds the calls, as Gemini CLI sends it', () => {
		const rewritten = {
			id: 'a1',
			timestamp: at(3),
			type: 'gemini',
			content: [{ text: 'Reading.' }, { functionCall: { id: 'a', name: 'read_file', args: { path: 'a' } } }],
			thoughts: [{ subject: 'Plan', description: 'Not sent.', timestamp: at(3) }],
			toolCalls: [call('a', 'alpha')],
		};
		const transcript = read([header, records[0], rewritten].map((r) => JSON.stringify(r)).join('\n'));
		assert.deepEqual(
			transcript.messages.map((m) => m.parts.map((p) => p.kind)),
			[['text'], ['text', 'toolCall'], ['toolResult']],
		);
		const back = read(write(transcript).text);
		assert.deepEqual(view(back.messages), view(transcript.messages));
	});
});

describe('geminiCliFormat: sessions Gemini CLI 0.61 records', () => {
	it('writes a result it recorded twice (with the call and as a user turn) once, with its call', () => {
		const response = [{ functionResponse: { id: 'a', name: 'read_file', response: { output: 'alpha' } } }];
		const recorded = [
			header,
			records[0],
			{ ...records[3], id: 'g1', toolCalls: [{ ...call('a', 'alpha'), result: response }] },
			{ id: 'u-response', timestamp: at(4), type: 'user', content: response },
			records[6],
		];
		const transcript = read(recorded.map((r) => JSON.stringify(r)).join('\n'));
		assert.deepEqual(pairToolCalls(messagesInWindow(transcript)).orphanResults.length, 1);
		const shaped = shape(transcript);
		assert.deepEqual(shaped.notes, [
			'1 repeated tool result is written once, with its call: Gemini CLI records each result twice and would send both.',
		]);
		const out = lines(write(transcript).text);
		assert.deepEqual(
			out.slice(1).map((r) => r['id']),
			['u1', 'g1', 'a4'],
		);
		const back = messagesInWindow(read(write(transcript).text));
		assert.deepEqual(pairToolCalls(back).orphanResults, []);
	});
});

describe('geminiCliFormat.write: corpus', () => {
	describeCorpus('other/gemini-cli', (file) => {
		it(`${basename(file)}: writes the window back so it reads the same, every call with its result`, () => {
			const transcript = read(readFileSync(file, 'utf8'), file);
			const shaped = shape(transcript).transcript;
			const text = write(transcript).text;
			const back = read(text, file.endsWith('.jsonl') ? 'out.jsonl' : 'out.json');
			assert.deepEqual(view(messagesInWindow(back)), view(shaped.messages));
			assert.equal(text.trimStart().startsWith('{\n'), !file.endsWith('.jsonl'), 'JSON stays JSON');
			const pairing = pairToolCalls(messagesInWindow(back));
			assert.deepEqual([pairing.unansweredCalls, pairing.orphanResults], [[], []]);
		});
	});
});

describe('context-lens compact on a Gemini CLI session', () => {
	const session = join(corpusRoot, 'other', 'gemini-cli', 'codemie-session-2025-12-01T21-45-5b959dae.json');

	function copy(): { dir: string; file: string } {
		const dir = mkdtempSync(join(tmpdir(), 'context-lens-gemini-compact-'));
		const file = join(dir, 'session-2025-12-01T21-45-5b959dae.json');
		copyFileSync(session, file);
		return { dir, file };
	}

	it('writes a JSON session beside the input, leaves the input alone and says how to resume it', async function () {
		if (!hasCorpus()) this.skip();
		const { dir, file } = copy();
		try {
			const before = readFileSync(file, 'utf8');
			const io = captureIo();
			assert.equal(await runCli(['compact', file, '--window', '3000'], io), 0, io.stderrLines.join(''));
			const out = join(dir, 'session-2025-12-01T21-45-5b959dae.compacted.json');
			assert.equal(readFileSync(file, 'utf8'), before);
			assert.ok(io.stdout.join('\n').includes(`resume: gemini --session-file ${out}`));
			const written = read(readFileSync(out, 'utf8'), out);
			assert.ok(messagesInWindow(written).some((m) => m.flags.isSummary));
			assert.deepEqual(readdirSync(dir).sort(), [basename(file), basename(out)].sort());
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('writes nothing when the input changed since it was read', async function () {
		if (!hasCorpus()) this.skip();
		const { dir, file } = copy();
		try {
			const io = captureIo();
			const fs = {
				...nodeOutputFs,
				open: async (path: string, flags: 'wx', mode: number) => {
					appendFileSync(file, '\n');
					return nodeOutputFs.open(path, flags, mode);
				},
			};
			const code = await runCli(['compact', file, '--window', '3000'], io, new AbortController().signal, {
				fs,
			});
			assert.equal(code, 4);
			assert.match(io.stderrLines.join(''), /changed while it was being compacted/);
			assert.deepEqual(readdirSync(dir), [basename(file)]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
