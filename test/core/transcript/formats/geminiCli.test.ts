import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import fc from 'fast-check';
import type { AccumulatedTranscript, DetectionSample } from '../../../../src/core/transcript/format';
import { recordedUsage } from '../../../../src/core/transcript/formats/gemini/messageRecords';
import { geminiCliFormat, promptLogWarning } from '../../../../src/core/transcript/formats/geminiCli';
import type { Message, Part, Transcript } from '../../../../src/core/transcript/model';
import { makeFlags, noFlags } from '../../../../src/core/transcript/model';
import { JsonlTranscriptReader, makeDetectionSample } from '../../../../src/core/transcript/readTranscript';
import { pairToolCalls } from '../../../../src/core/transcript/toolPairs';
import { describeCorpus } from '../../../support/corpus';

type Json = Record<string, unknown>;

const chatsPath = '/home/me/.gemini/tmp/abc/chats/session-2026-01-01T00-00-g1.jsonl';

function readDocument(document: unknown, text = JSON.stringify(document, null, 2)): AccumulatedTranscript {
	const read = geminiCliFormat.readDocument;
	assert.ok(read);
	return read(document, { path: chatsPath, text });
}

function jsonlReader(): JsonlTranscriptReader {
	return new JsonlTranscriptReader(geminiCliFormat, chatsPath, { format: 'gemini-cli', reason: 'test' });
}

function readJsonl(text: string): Transcript {
	const reader = jsonlReader();
	reader.push(Buffer.from(text));
	const result = reader.finish();
	assert.ok(result.ok, result.ok ? '' : result.failure.message);
	return result.transcript;
}

function jsonl(entries: readonly unknown[]): string {
	return entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

function visible(part: Part): unknown {
	const { raw: _raw, ...rest } = part;
	if (rest.kind === 'toolResult') return { ...rest, images: rest.images.map((i) => visible(i)) };
	return rest;
}

function withoutRaw(messages: readonly Message[]): unknown[] {
	return messages.map(({ raw: _raw, parts, ...rest }) => ({ ...rest, parts: parts.map(visible) }));
}

const header = {
	sessionId: 'g-session',
	projectHash: 'f00d',
	startTime: '2026-01-01T00:00:00.000Z',
	lastUpdated: '2026-01-01T00:00:00.000Z',
	kind: 'main',
};

const at = (second: number): string => `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;

const toolCalls = [
	{
		id: 'c1',
		name: 'list_directory',
		args: { path: '.' },
		result: [{ functionResponse: { id: 'c1', name: 'list_directory', response: { output: 'a.ts\nb.ts' } } }],
		status: 'success',
		displayName: 'ReadFolder',
	},
	{
		id: 'c2',
		name: 'read_file',
		args: { path: 'x' },
		result: [{ functionResponse: { id: 'c2', name: 'read_file', response: { error: 'ENOENT: x' } } }],
		status: 'error',
	},
	{
		id: 'c3',
		name: 'run_shell_command',
		args: { command: 'rm -rf /' },
		status: 'cancelled',
		resultDisplay: 'Cancelled.',
	},
	{
		id: 'c4',
		name: 'screenshot',
		args: {},
		result: [
			{ functionResponse: { id: 'c4', name: 'screenshot', response: { output: 'Took it.' } } },
			{ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
		],
		status: 'success',
	},
];

const documentFixture: Json = {
	...header,
	messages: [
		{ id: 'u1', timestamp: at(1), type: 'user', content: 'List the files' },
		{ id: 'i1', timestamp: at(2), type: 'info', content: 'Switched model.' },
		{
			id: 'a1',
			timestamp: at(3),
			type: 'gemini',
			content: 'Listing.',
			thoughts: [{ subject: 'Plan', description: 'Use ls.', timestamp: at(3) }],
			model: 'gemini-2.5-pro',
			tokens: { input: 1000, output: 20, cached: 400, thoughts: 30, tool: 5, total: 1055 },
			toolCalls,
		},
		{ id: 'e1', timestamp: at(4), type: 'error', content: '[API Error: quota]' },
		{ id: 'w1', timestamp: at(5), type: 'warning', content: 'Slow.' },
		{
			id: 'u2',
			timestamp: at(6),
			type: 'user',
			content: [{ text: 'And now?' }, { inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } }],
		},
		{
			id: 'a2',
			timestamp: at(7),
			type: 'gemini',
			content: [{ text: 'weighing it', thought: true }, { text: 'Done.' }],
			model: 'gemini-2.5-flash',
		},
		{ id: 'u3', timestamp: at(8), type: 'user', content: '' },
	],
};

describe('geminiCliFormat: JSON session', () => {
	it('reads users, gemini turns with thoughts, tool calls and results, and keeps display-only records aside', () => {
		const text = JSON.stringify(documentFixture, null, 2);
		const body = readDocument(JSON.parse(text), text);
		assert.deepEqual(body.diagnostics, []);
		const lineOf = (id: string): number => text.split('\n').findIndex((l) => l.includes(`"id": "${id}"`));
		const lines = (id: string): { from: number; to: number } => ({ from: lineOf(id), to: lineOf(id) });
		assert.deepEqual(withoutRaw(body.messages), [
			{
				id: 'u1',
				role: 'user',
				flags: noFlags,
				lines: lines('u1'),
				timestamp: at(1),
				parts: [{ kind: 'text', text: 'List the files' }],
			},
			{
				id: 'a1',
				role: 'assistant',
				flags: noFlags,
				lines: lines('a1'),
				timestamp: at(3),
				model: 'gemini-2.5-pro',
				usage: { inputTokens: 1005, outputTokens: 50, contextTokens: 1025 },
				parts: [
					{ kind: 'thinking', text: 'Plan\nUse ls.', isRedacted: false },
					{ kind: 'text', text: 'Listing.' },
					{ kind: 'toolCall', callId: 'c1', name: 'list_directory', argumentsText: '{"path":"."}' },
					{ kind: 'toolCall', callId: 'c2', name: 'read_file', argumentsText: '{"path":"x"}' },
					{
						kind: 'toolCall',
						callId: 'c3',
						name: 'run_shell_command',
						argumentsText: '{"command":"rm -rf /"}',
					},
					{ kind: 'toolCall', callId: 'c4', name: 'screenshot', argumentsText: '{}' },
				],
			},
			{
				id: 'a1:results',
				role: 'tool',
				flags: makeFlags({ isError: true }),
				lines: lines('a1'),
				timestamp: at(3),
				parts: [
					{ kind: 'toolResult', callId: 'c1', text: 'a.ts\nb.ts', isError: false, images: [] },
					{ kind: 'toolResult', callId: 'c2', text: 'ENOENT: x', isError: true, images: [] },
					{ kind: 'toolResult', callId: 'c3', text: 'Cancelled.', isError: true, images: [] },
					{
						kind: 'toolResult',
						callId: 'c4',
						text: 'Took it.',
						isError: false,
						images: [{ kind: 'image', mediaType: 'image/png', byteLength: 8 }],
					},
				],
			},
			{
				id: 'u2',
				role: 'user',
				flags: noFlags,
				lines: lines('u2'),
				timestamp: at(6),
				parts: [
					{ kind: 'text', text: 'And now?' },
					{ kind: 'image', mediaType: 'image/jpeg', byteLength: 3 },
				],
			},
			{
				id: 'a2',
				role: 'assistant',
				flags: noFlags,
				lines: lines('a2'),
				timestamp: at(7),
				model: 'gemini-2.5-flash',
				parts: [
					{ kind: 'thinking', text: 'weighing it', isRedacted: false },
					{ kind: 'text', text: 'Done.' },
				],
			},
		]);
		// The document's own fields come first, kept as its shell (an empty messages list) for the writer.
		assert.deepEqual(body.passthrough[0], { line: 1, record: { ...header, messages: [] } });
		assert.deepEqual(
			body.passthrough.slice(1).map((p) => (p.record as Json)['id']),
			['i1', 'e1', 'w1'],
		);
		assert.deepEqual(body.meta, { sessionId: 'g-session', model: 'gemini-2.5-flash' });
		const pairing = pairToolCalls(body.messages);
		assert.equal(pairing.pairs.length, 4);
		assert.deepEqual(pairing.unansweredCalls, []);
	});

	it('reports a document that is not a session as an error diagnostic', () => {
		const body = readDocument(['not', 'a', 'session']);
		assert.equal(body.messages.length, 0);
		assert.equal(body.diagnostics[0]?.severity, 'error');
	});

	it('reads a one-line log (only the header) as an empty session', () => {
		const body = readDocument(header, JSON.stringify(header));
		assert.deepEqual(body.messages, []);
		assert.equal(body.meta.sessionId, 'g-session');
	});
});

describe('recordedUsage', () => {
	it('counts thoughts as output but not as context, and cached input inside input', () => {
		assert.deepEqual(
			recordedUsage({ input: 2752, output: 55, cached: 0, thoughts: 156, tool: 0, total: 2963 }),
			{
				inputTokens: 2752,
				outputTokens: 211,
				contextTokens: 2807,
			},
		);
		assert.equal(recordedUsage({ output: 3 }), undefined);
		assert.equal(recordedUsage(null), undefined);
	});
});

describe('geminiCliFormat: JSONL session', () => {
	const call = { id: 'c1', name: 'ls', args: {}, status: 'executing' };
	const done = {
		...call,
		status: 'success',
		result: [{ functionResponse: { id: 'c1', name: 'ls', response: { output: 'a.ts' } } }],
	};
	const lines = [
		header,
		{ id: 'u1', timestamp: at(1), type: 'user', content: [{ text: 'hi' }] },
		{ $set: { lastUpdated: at(1) } },
		{ id: 'a1', timestamp: at(2), type: 'gemini', content: '', thoughts: [], model: 'm' },
		{ id: 'a1', timestamp: at(2), type: 'gemini', content: '', toolCalls: [call], model: 'm' },
		{
			id: 'a1',
			timestamp: at(2),
			type: 'gemini',
			content: '',
			toolCalls: [done],
			model: 'm',
			tokens: { input: 100, output: 10, cached: 0, thoughts: 0, tool: 0, total: 110 },
		},
		{ $set: { summary: 'Listing files' } },
		{ id: 'a2', timestamp: at(3), type: 'gemini', content: 'One file.', model: 'm2' },
		{ id: 'a1', timestamp: at(2), type: 'gemini', content: 'Looking.', toolCalls: [done], model: 'm' },
		{ id: 'u2', timestamp: at(4), type: 'user', content: 'thanks' },
	];

	it('upserts re-emitted messages by id (last copy wins, first position kept) and applies $set', () => {
		const transcript = readJsonl(jsonl(lines));
		assert.deepEqual(transcript.diagnostics, []);
		assert.deepEqual(
			transcript.messages.map((m) => [m.id, m.role, m.lines.from, m.lines.to]),
			[
				['u1', 'user', 2, 2],
				['a1', 'assistant', 4, 9],
				['a1:results', 'tool', 4, 9],
				['a2', 'assistant', 8, 8],
				['u2', 'user', 10, 10],
			],
		);
		assert.deepEqual(transcript.messages[1]?.parts.map(visible), [
			{ kind: 'text', text: 'Looking.' },
			{ kind: 'toolCall', callId: 'c1', name: 'ls', argumentsText: '{}' },
		]);
		assert.equal(transcript.messages[1]?.usage, undefined);
		assert.deepEqual(transcript.meta, { sessionId: 'g-session', title: 'Listing files', model: 'm2' });
		assert.deepEqual(
			transcript.passthrough.map((p) => p.line),
			[1, 3, 7],
		);
	});

	it('shows a call as unanswered until its result is recorded', () => {
		const reader = jsonlReader();
		reader.push(Buffer.from(jsonl(lines.slice(0, 5))));
		const early = reader.snapshot();
		assert.deepEqual(
			pairToolCalls(early.messages).unansweredCalls.map((c) => c.callId),
			['c1'],
		);
		reader.push(Buffer.from(jsonl(lines.slice(5, 6))));
		const later = reader.snapshot();
		assert.deepEqual(pairToolCalls(later.messages).unansweredCalls, []);
		assert.deepEqual(later.messages[1]?.usage, { inputTokens: 100, outputTokens: 10, contextTokens: 110 });
		assert.equal(early.messages.length, 2);
	});

	it('keeps what a $set.messages checkpoint drops as compacted history and flags the state snapshot', () => {
		const transcript = readJsonl(
			jsonl([
				header,
				{ id: 'u1', type: 'user', content: 'first' },
				{ id: 'a1', type: 'gemini', content: 'one' },
				{ id: 'u2', type: 'user', content: 'second' },
				{ id: 'a2', type: 'gemini', content: 'two' },
				{
					$set: {
						messages: [
							{ id: 'snap', type: 'user', content: '<state_snapshot>We did one.</state_snapshot>' },
							{ id: 'ack', type: 'gemini', content: 'Got it.' },
							{ id: 'u2', type: 'user', content: 'second' },
							{ id: 'a2', type: 'gemini', content: 'two' },
						],
					},
				},
				{ id: 'u3', type: 'user', content: 'third' },
			]),
		);
		assert.deepEqual(
			transcript.messages.map((m) => [m.id, m.flags.isCompacted, m.flags.isSummary]),
			[
				['u1', true, false],
				['a1', true, false],
				['snap', false, true],
				['ack', false, false],
				['u2', false, false],
				['a2', false, false],
				['u3', false, false],
			],
		);
		assert.deepEqual(transcript.messages[4]?.lines, { from: 4, to: 6 });
	});

	it('removes the rewind target and everything after it', () => {
		const base = [
			header,
			{ id: 'u1', type: 'user', content: 'first' },
			{ id: 'a1', type: 'gemini', content: 'one' },
			{ id: 'u2', type: 'user', content: 'second' },
			{ id: 'a2', type: 'gemini', content: 'two' },
		];
		const rewound = readJsonl(
			jsonl([...base, { $rewindTo: 'u2' }, { id: 'u3', type: 'user', content: 'again' }]),
		);
		assert.deepEqual(
			rewound.messages.map((m) => m.id),
			['u1', 'a1', 'u3'],
		);
		const unknown = readJsonl(jsonl([...base, { $rewindTo: 'nope' }]));
		assert.deepEqual(unknown.messages, []);
		assert.equal(unknown.diagnostics[0]?.line, 6);
		assert.match(unknown.diagnostics[0]?.message ?? '', /not in the session/);
	});

	it("marks a subagent's recording as sidechain", () => {
		const transcript = readJsonl(
			jsonl([
				{ ...header, kind: 'subagent' },
				{ id: 'u1', type: 'user', content: 'task' },
			]),
		);
		assert.equal(transcript.messages[0]?.flags.isSidechain, true);
	});

	it('reports malformed lines by number and keeps reading; ignores a half-written last line', () => {
		const text =
			[
				JSON.stringify(header),
				JSON.stringify({ id: 'u1', type: 'user', content: 'hi' }),
				'{"id": "broken", "type": "us',
				'[1, 2]',
				JSON.stringify({ $set: 5 }),
				JSON.stringify({ $set: { messages: 'nope' } }),
				JSON.stringify({ id: 'a1', type: 'gemini', content: 'hello' }),
			].join('\n') + '\n{"id": "a2", "type": "gemi';
		const reader = jsonlReader();
		reader.push(Buffer.from(text));
		assert.equal(reader.snapshot().messages.length, 2);
		const result = reader.finish();
		assert.ok(result.ok);
		assert.deepEqual(
			result.transcript.diagnostics.map((d) => d.line),
			[3, 4, 5, 6],
		);
		assert.match(result.transcript.diagnostics[0]?.message ?? '', /invalid JSON/);
		assert.deepEqual(
			result.transcript.messages.map((m) => m.id),
			['u1', 'a1'],
		);
	});

	it('gives the same transcript however the bytes arrive, with snapshots in between', () => {
		const bytes = Buffer.from(jsonl(lines));
		const whole = readJsonl(bytes.toString());
		fc.assert(
			fc.property(fc.array(fc.nat(bytes.length), { maxLength: 12 }), (cuts) => {
				const reader = jsonlReader();
				let offset = 0;
				for (const cut of [...cuts].sort((a, b) => a - b)) {
					reader.push(bytes.subarray(offset, cut));
					offset = cut;
					reader.snapshot();
				}
				reader.push(bytes.subarray(offset));
				const result = reader.finish();
				assert.ok(result.ok);
				assert.deepEqual(withoutRaw(result.transcript.messages), withoutRaw(whole.messages));
				assert.deepEqual(result.transcript.passthrough, whole.passthrough);
			}),
			{ numRuns: 200 },
		);
	});

	it('builds the same transcript incrementally as a fresh read of each prefix', () => {
		fc.assert(
			fc.property(fc.array(recordArb, { maxLength: 14 }), (records) => {
				const entries = [header, ...records];
				const reader = jsonlReader();
				entries.forEach((entry, i) => {
					reader.push(Buffer.from(`${JSON.stringify(entry)}\n`));
					const incremental = reader.snapshot();
					const fresh = readJsonl(jsonl(entries.slice(0, i + 1)));
					assert.deepEqual(withoutRaw(incremental.messages), withoutRaw(fresh.messages));
					assert.deepEqual(incremental.meta, fresh.meta);
					assert.deepEqual(incremental.diagnostics, fresh.diagnostics);
				});
			}),
			{ numRuns: 300 },
		);
	});
});

const idArb = fc.constantFrom('m1', 'm2', 'm3', 'm4');
const messageArb = fc.record({
	id: idArb,
	type: fc.constantFrom('user', 'gemini', 'info', 'error'),
	content: fc.oneof(
		fc.string({ maxLength: 5 }),
		fc.array(fc.record({ text: fc.string({ maxLength: 5 }) }), { maxLength: 2 }),
	),
	toolCalls: fc.array(
		fc.record({
			id: fc.constantFrom('c1', 'c2'),
			name: fc.constant('t'),
			args: fc.constant({}),
			status: fc.constantFrom('success', 'error', 'executing'),
		}),
		{ maxLength: 2 },
	),
});
const recordArb = fc.oneof(
	messageArb,
	messageArb,
	fc.record({ $set: fc.record({ summary: fc.string({ maxLength: 5 }) }) }),
	fc.record({ $set: fc.record({ messages: fc.array(messageArb, { maxLength: 3 }) }) }),
	fc.record({ $rewindTo: idArb }),
);

describe('geminiCliFormat: logs.json', () => {
	const prompts = [
		{ sessionId: 's', messageId: 0, type: 'user', message: 'hi', timestamp: at(1) },
		{ sessionId: 's', messageId: 1, type: 'user', message: 'more', timestamp: at(2) },
	];

	it('is claimed with a low score and read as prompts with a warning', () => {
		const text = JSON.stringify(prompts, null, 2);
		const verdict = geminiCliFormat.detect(
			makeDetectionSample('/home/me/.gemini/tmp/abc/logs.json', text, prompts),
		);
		assert.ok(verdict);
		assert.ok(verdict.score < 50);
		const body = readDocument(prompts, text);
		assert.deepEqual(
			body.messages.map((m) => [m.id, m.role, m.lines.from, m.parts.map(visible)]),
			[
				['s:0', 'user', 2, [{ kind: 'text', text: 'hi' }]],
				['s:1', 'user', 9, [{ kind: 'text', text: 'more' }]],
			],
		);
		assert.deepEqual(body.diagnostics, [{ severity: 'warning', line: 1, message: promptLogWarning }]);
	});
});

describe('geminiCliFormat.detect', () => {
	const sampleOf = (text: string, where = '/tmp/x.json'): DetectionSample => {
		let document: unknown;
		try {
			document = JSON.parse(text) as unknown;
		} catch {
			document = undefined;
		}
		return makeDetectionSample(where, text, document);
	};

	it('claims JSON sessions, JSONL logs and one-line logs, with the path as a bonus', () => {
		const json = geminiCliFormat.detect(sampleOf(JSON.stringify(documentFixture)));
		assert.equal(json?.score, 90);
		const hinted = geminiCliFormat.detect(sampleOf(JSON.stringify(documentFixture), chatsPath));
		assert.equal(hinted?.score, 95);
		const log = geminiCliFormat.detect(sampleOf(jsonl([header, { id: 'u1', type: 'user', content: 'x' }])));
		assert.match(log?.reason ?? '', /JSONL/);
		assert.ok(geminiCliFormat.detect(sampleOf(JSON.stringify(header))));
		const loose = jsonl([
			{ sessionId: 's', startTime: at(0) },
			{ id: 'u1', type: 'user', content: 'x' },
		]);
		assert.ok(geminiCliFormat.detect(sampleOf(loose)));
	});

	it('leaves other formats alone', () => {
		const others = [
			jsonl([{ type: 'user', uuid: 'u', sessionId: 's', message: { role: 'user', content: 'hi' } }]),
			JSON.stringify([{ role: 'user', content: 'hi' }]),
			JSON.stringify({ version: 3, sessionId: 's', requests: [], responderUsername: 'GitHub Copilot' }),
			jsonl([{ type: 'session_meta', payload: { id: 's' } }]),
			jsonl([{ kind: 0, v: { requests: [] } }]),
		];
		for (const text of others) assert.equal(geminiCliFormat.detect(sampleOf(text)), undefined);
	});
});

describe('geminiCliFormat: fuzz', () => {
	it('never throws on mutated documents (5,000 cases)', () => {
		fc.assert(
			fc.property(
				fc.array(fc.tuple(fc.array(fc.nat(20), { maxLength: 5 }), fc.anything()), { maxLength: 4 }),
				(edits) => {
					const document = structuredClone(documentFixture);
					for (const [route, value] of edits) setAlong(document, route, value);
					pairToolCalls(readDocument(document).messages);
				},
			),
			{ numRuns: 5000 },
		);
	});

	it('never throws on arbitrary logs (5,000 cases)', () => {
		fc.assert(
			fc.property(
				fc.array(
					fc.oneof(
						recordArb,
						fc.anything(),
						fc.record({ $set: fc.anything() }),
						fc.record({ $rewindTo: fc.anything() }),
					),
					{
						maxLength: 10,
					},
				),
				(records) => {
					const reader = jsonlReader();
					for (const record of [header, ...records]) {
						reader.push(Buffer.from(`${JSON.stringify(record) ?? 'null'}\n`));
						reader.snapshot();
					}
					assert.ok(reader.finish().ok);
				},
			),
			{ numRuns: 5000 },
		);
	});
});

/** Replaces the value reached by following `route` (indexes into keys/items, modulo their count). */
function setAlong(target: unknown, route: readonly number[], value: unknown): void {
	let node = target;
	for (let i = 0; i < route.length; i++) {
		const step = route[i] as number;
		const keys = Array.isArray(node)
			? node.map((_, k) => k)
			: node !== null && typeof node === 'object'
				? Object.keys(node)
				: [];
		if (keys.length === 0) return;
		const key = keys[step % keys.length] as string | number;
		const container = node as Record<string | number, unknown>;
		if (i === route.length - 1) {
			container[key] = value;
			return;
		}
		node = container[key];
	}
}

describe('geminiCliFormat: corpus', () => {
	const roles = (messages: readonly Message[]): string => messages.map((m) => m.role[0]).join('');

	const expectations: Record<
		string,
		{ roles: string; pairs: number; passthrough: number; diagnostics: number; reason: RegExp }
	> = {
		'agentsessions-gemini-jsonl_v040.jsonl': {
			roles: 'uata',
			pairs: 1,
			passthrough: 2,
			diagnostics: 0,
			reason: /JSONL/,
		},
		'agentsessions-gemini-large.json': {
			roles: 'uatataua',
			pairs: 2,
			passthrough: 2,
			diagnostics: 0,
			reason: /JSON/,
		},
		'codemie-logs.json': { roles: 'uuu', pairs: 0, passthrough: 1, diagnostics: 1, reason: /logs\.json/ },
		'codemie-session-2025-12-01T21-45-5b959dae.json': {
			roles: 'uauatatatatatauatatata',
			pairs: 10,
			passthrough: 1,
			diagnostics: 0,
			reason: /JSON/,
		},
	};

	describeCorpus('other/gemini-cli', (file) => {
		const name = basename(file);
		const text = readFileSync(file, 'utf8');

		const read = (): Transcript | AccumulatedTranscript => {
			if (name.endsWith('.jsonl')) return readJsonl(text);
			return readDocument(JSON.parse(text) as unknown, text);
		};

		it(`${name}: is detected and reads with the expected messages and matched tool pairs`, () => {
			const expected = expectations[name];
			assert.ok(expected, `no expectation written for corpus file ${name}`);
			let document: unknown;
			if (!name.endsWith('.jsonl')) document = JSON.parse(text) as unknown;
			const verdict = geminiCliFormat.detect(makeDetectionSample(file, text.slice(0, 64 * 1024), document));
			assert.match(verdict?.reason ?? '', expected.reason);
			const body = read();
			assert.equal(roles(body.messages), expected.roles);
			const pairing = pairToolCalls(body.messages);
			assert.equal(pairing.pairs.length, expected.pairs);
			assert.deepEqual(pairing.unansweredCalls, []);
			assert.deepEqual(pairing.orphanResults, []);
			assert.equal(body.passthrough.length, expected.passthrough);
			assert.equal(body.diagnostics.length, expected.diagnostics);
			for (const message of body.messages) assert.ok(message.parts.length > 0, message.id);
		});

		if (name === 'codemie-session-2025-12-01T21-45-5b959dae.json') {
			it(`${name}: usage grows the way the next request sees it (thoughts are not sent back)`, () => {
				const body = read();
				const document = JSON.parse(text) as { messages: Json[] };
				const usages = body.messages.filter((m) => m.usage !== undefined);
				assert.equal(usages.length, 11);
				let thoughtsDropped = false;
				for (let i = 1; i < usages.length; i++) {
					const before = usages[i - 1]?.usage;
					const after = usages[i]?.usage;
					assert.ok(before && after);
					assert.ok(after.inputTokens >= before.contextTokens, `${usages[i]?.id}`);
					const thoughts = before.outputTokens - (before.contextTokens - before.inputTokens);
					if (before.contextTokens + thoughts > after.inputTokens) thoughtsDropped = true;
				}
				assert.ok(thoughtsDropped);
				const first = document.messages[1]?.['tokens'] as Json;
				assert.deepEqual(usages[0]?.usage, {
					inputTokens: first['input'],
					outputTokens: (first['output'] as number) + (first['thoughts'] as number),
					contextTokens: (first['input'] as number) + (first['output'] as number),
				});
				assert.equal(body.meta.model, 'gemini-3-pro-image-preview');
				assert.equal(body.meta.sessionId, '5b959dae-8655-4cd1-b10f-720b8c336ea2');
			});
		}

		if (name === 'agentsessions-gemini-jsonl_v040.jsonl') {
			it(`${name}: reads usage, the shell result and the $set patch`, () => {
				const body = readJsonl(text);
				assert.deepEqual(
					body.messages.map((m) => m.usage),
					[
						undefined,
						{ inputTokens: 11855, outputTokens: 81, contextTokens: 11936 },
						undefined,
						{ inputTokens: 12069, outputTokens: 147, contextTokens: 12216 },
					],
				);
				const result = body.messages[2]?.parts[0];
				assert.equal(
					result?.kind === 'toolResult' ? result.text : '',
					'Output: AgentSessions/\nREADME.md\nProcess Group PGID: 12345',
				);
				assert.deepEqual(body.meta, { sessionId: 'gemini_stage0_jsonl', model: 'gemini-3-flash-preview' });
			});
		}

		if (name === 'codemie-logs.json') {
			it(`${name}: only prompts, claimed below real sessions`, () => {
				const document = JSON.parse(text) as unknown;
				const verdict = geminiCliFormat.detect(makeDetectionSample(file, text, document));
				assert.ok(verdict && verdict.score < 50);
				const body = read();
				assert.deepEqual(
					body.messages.map((m) => (m.parts[0]?.kind === 'text' ? m.parts[0].text : '')),
					[
						'hi',
						'Explain what this is',
						'Make a copy of lead_memory.txt name it as lead_gemini.txt and optimize this instructions to be shorter, consice but without loosing functionality',
					],
				);
			});
		}
	});
});
