import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
	anthropicMessagesFormat,
	type AnthropicMessagesLayout,
} from '../../../../src/core/transcript/formats/anthropicMessages';
import { openaiChatFormat } from '../../../../src/core/transcript/formats/openaiChat';
import { makeFlags, type Message, type Part, type Transcript } from '../../../../src/core/transcript/model';
import { JsonlTranscriptReader, makeDetectionSample } from '../../../../src/core/transcript/readTranscript';
import { pairToolCalls } from '../../../../src/core/transcript/toolPairs';
import { describeCorpus } from '../../../support/corpus';
import {
	asTranscript,
	mutated,
	pngBase64,
	readAny,
	readDocumentText,
	readJsonlText,
	sampleOf,
	textArb,
	visible,
} from './openaiAnthropicSupport';

const format = anthropicMessagesFormat;
type Json = Record<string, unknown>;

function write(transcript: Transcript, now?: string): string {
	if (format.write === undefined) throw new Error('anthropic-messages has no writer');
	return format.write(transcript, now === undefined ? {} : { now }).text;
}

function layoutOf(transcript: Transcript): AnthropicMessagesLayout['anthropicMessagesLayout'] | undefined {
	const record = transcript.passthrough.find((p) => p.line === 0)?.record as
		AnthropicMessagesLayout | undefined;
	return record?.anthropicMessagesLayout;
}

/** The messages of written text: a request's `messages`, a log line's `body.messages`, or a bare array. */
function writtenMessages(text: string): Json[] {
	const parsed = JSON.parse(text) as unknown;
	if (Array.isArray(parsed)) return parsed as Json[];
	const body = (parsed as Json)['body'] ?? parsed;
	return (body as { messages: Json[] }).messages;
}

/** Messages API rule: each tool_result sits in the user message right after the assistant message with its tool_use. */
function assertValidForApi(messages: readonly Json[]): void {
	messages.forEach((message, index) => {
		assert.ok(
			message['role'] === 'user' || message['role'] === 'assistant',
			`role ${String(message['role'])}`,
		);
		const content = message['content'];
		if (!Array.isArray(content)) return;
		const results = content.filter((b: Json) => b['type'] === 'tool_result') as Json[];
		if (results.length === 0) return;
		assert.equal(message['role'], 'user');
		const previous = messages[index - 1];
		assert.equal(previous?.['role'], 'assistant', 'tool results follow an assistant message');
		const previousContent = previous?.['content'];
		const calls = new Set(
			(Array.isArray(previousContent) ? previousContent : [])
				.filter((b: Json) => b['type'] === 'tool_use')
				.map((b: Json) => b['id']),
		);
		for (const result of results)
			assert.ok(
				calls.has(result['tool_use_id']),
				`${String(result['tool_use_id'])} answered in the next message`,
			);
		const firstOther = content.findIndex((b: Json) => b['type'] !== 'tool_result');
		assert.ok(firstOther === -1 || firstOther >= results.length, 'tool results come first in their message');
	});
}

const png = pngBase64(1024, 768);
const tools = [
	{
		name: 'Read',
		description: 'Reads a file',
		input_schema: { type: 'object', properties: { file_path: { type: 'string' } } },
	},
];

const requestFixture = {
	model: 'claude-sonnet-4-20250514',
	max_tokens: 32000,
	system: [
		{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
		{ type: 'text', text: 'Be brief.' },
	],
	messages: [
		{ role: 'user', content: 'Read a.py' },
		{
			role: 'assistant',
			content: [
				{ type: 'thinking', thinking: 'I should read it.', signature: 'c2lnbmF0dXJl' },
				{ type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' },
				{ type: 'text', text: 'Reading.' },
				{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: 'a.py' } },
				{ type: 'tool_use', id: 'toolu_2', name: 'Screenshot', input: {} },
			],
		},
		{
			role: 'user',
			content: [
				{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'print(1)' },
				{
					type: 'tool_result',
					tool_use_id: 'toolu_2',
					content: [
						{ type: 'text', text: 'the screen' },
						{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
					],
					is_error: true,
				},
			],
		},
		{
			role: 'assistant',
			content: [
				{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
				{ type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
				{ type: 'text', text: 'Done.' },
			],
		},
		{
			role: 'user',
			content: [
				{
					type: 'document',
					source: { type: 'base64', media_type: 'application/pdf', data: 'A'.repeat(1000) },
					title: 'spec',
				},
				{ type: 'image', source: { type: 'url', url: 'https://example.com/x.gif' } },
				{ type: 'mystery' },
				{ type: 'text', text: 'Thanks', cache_control: { type: 'ephemeral' } },
			],
		},
	],
	tools,
	tool_choice: { type: 'auto' },
	metadata: { user_id: 'user_abc_account_def_session_fa6d0613-fa1c-4806-b23a-9100881588f8' },
	stream: true,
};

function withoutRaw(part: Part | undefined): unknown {
	if (part === undefined) return undefined;
	const { raw: _raw, ...rest } = part as Part & { raw?: unknown };
	if (rest.kind === 'toolResult') return { ...rest, images: rest.images.map(withoutRaw) };
	return rest;
}

describe('anthropicMessagesFormat reading a request', () => {
	const text = JSON.stringify(requestFixture, null, 2);

	it('reads system, every block kind, tool schemas and session facts', () => {
		const transcript = readDocumentText(format, text);
		assert.deepEqual(transcript.diagnostics, []);
		assert.deepEqual(
			transcript.messages.map((m) => [m.id, m.role]),
			[
				['system', 'system'],
				['m0', 'user'],
				['m1', 'assistant'],
				['m2', 'tool'],
				['m3', 'assistant'],
				['m4', 'user'],
			],
		);
		const [system, , assistant, results, server, user] = transcript.messages;
		assert.deepEqual(
			system?.parts.map((p) => p.kind === 'text' && p.text),
			['You are Claude Code.', 'Be brief.'],
		);
		assert.deepEqual(assistant?.parts.map(withoutRaw), [
			{ kind: 'thinking', text: 'I should read it.', isRedacted: false },
			{ kind: 'thinking', text: '', isRedacted: true },
			{ kind: 'text', text: 'Reading.' },
			{ kind: 'toolCall', callId: 'toolu_1', name: 'Read', argumentsText: '{"file_path":"a.py"}' },
			{ kind: 'toolCall', callId: 'toolu_2', name: 'Screenshot', argumentsText: '{}' },
		]);
		assert.deepEqual(results?.parts.map(withoutRaw), [
			{ kind: 'toolResult', callId: 'toolu_1', text: 'print(1)', isError: false, images: [] },
			{
				kind: 'toolResult',
				callId: 'toolu_2',
				text: 'the screen',
				isError: true,
				images: [
					{
						kind: 'image',
						mediaType: 'image/png',
						byteLength: Buffer.from(png, 'base64').length,
						widthPx: 1024,
						heightPx: 768,
					},
				],
			},
		]);
		assert.equal(results?.flags.isError, true);
		assert.deepEqual(
			server?.parts.map((p) => [p.kind, p.kind === 'opaque' ? p.label : '']),
			[
				['opaque', 'server_tool_use'],
				['opaque', 'web_search_tool_result'],
				['text', ''],
			],
		);
		const [document, image, mystery] = user?.parts ?? [];
		assert.equal(document?.kind, 'opaque');
		assert.ok(document?.kind === 'opaque' && document.text.includes('<1000 base64 characters>'));
		assert.ok(document?.kind === 'opaque' && !document.text.includes('AAAA'));
		assert.deepEqual(withoutRaw(image), { kind: 'image', mediaType: 'image/gif', byteLength: 0 });
		assert.deepEqual(withoutRaw(mystery), { kind: 'opaque', label: 'mystery', text: '{"type":"mystery"}' });
		assert.deepEqual(transcript.meta, {
			model: 'claude-sonnet-4-20250514',
			systemText: JSON.stringify(tools),
			sessionId: 'fa6d0613-fa1c-4806-b23a-9100881588f8',
		});
	});

	it('pairs tool_use with tool_result', () => {
		const pairing = pairToolCalls(readDocumentText(format, text).messages);
		assert.deepEqual(
			pairing.pairs.map((p) => [p.callId, p.callMessage, p.resultMessage]),
			[
				['toolu_1', 2, 3],
				['toolu_2', 2, 3],
			],
		);
		assert.deepEqual(pairing.unansweredCalls, []);
		assert.deepEqual(pairing.orphanResults, []);
	});

	it('gives system the line of its key and each message the line its object starts on', () => {
		const lines = text.split('\n');
		const transcript = readDocumentText(format, text);
		assert.match(lines[(transcript.messages[0]?.lines.from ?? 0) - 1] ?? '', /^ {2}"system": \[/);
		for (const m of transcript.messages.slice(1)) assert.equal(lines[m.lines.from - 1], '    {');
	});

	it('warns, naming the line, about non-objects, missing or unknown roles and misplaced tool results', () => {
		const bad = [
			'{"model": "m", "messages": [',
			'  {"role": "user", "content": "hi"},',
			'  "just a string",',
			'  {"content": "who"},',
			'  {"role": "system", "content": "not here"},',
			'  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "nowhere", "content": "x"}]},',
			'  {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "a", "input": {}}]},',
			'  {"role": "user", "content": "interruption"},',
			'  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "late"}]}',
			']}',
		].join('\n');
		const transcript = readDocumentText(format, bad);
		assert.deepEqual(
			transcript.diagnostics.map((d) => [d.line, d.message.replace(/ \(.*\)/, '')]),
			[
				[3, 'message 2 is not an object; kept as is'],
				[4, 'message 3 has no role; kept as is and not counted'],
				[5, 'message 4 has the unknown role "system"; kept as is and not counted'],
				[6, 'tool_result for "nowhere" answers no earlier tool_use'],
				[9, 'tool_result for "t1" is not in the message right after its tool_use'],
			],
		);
		assert.deepEqual(JSON.parse(write(transcript)), JSON.parse(bad));
	});

	it('reports a document of another shape as an error diagnostic instead of throwing', () => {
		const transcript = readDocumentText(format, '{"hello": 1}');
		assert.deepEqual(transcript.messages, []);
		assert.deepEqual(
			transcript.diagnostics.map((d) => [d.severity, d.line]),
			[['error', 1]],
		);
	});
});

describe("anthropicMessagesFormat reading Cline's api_conversation_history.json", () => {
	const history = [
		{ role: 'user', content: [{ type: 'text', text: '<task>fix it</task>' }], ts: 1730000000000 },
		{
			role: 'assistant',
			content: [
				{ type: 'text', text: 'Looking.' },
				{ type: 'tool_use', id: 'toolu_9', name: 'read_file', input: { path: 'x' } },
			],
			ts: 1730000001000,
		},
		{
			role: 'user',
			content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'contents' }],
			ts: 1730000002000,
		},
	];

	it('reads the bare array with timestamps from ts and writes it back unchanged', () => {
		const text = JSON.stringify(history);
		const transcript = readDocumentText(format, text, '/tasks/1/api_conversation_history.json');
		assert.equal(layoutOf(transcript), 'array');
		assert.deepEqual(
			transcript.messages.map((m) => [m.role, m.timestamp]),
			[
				['user', '2024-10-27T03:33:20.000Z'],
				['assistant', '2024-10-27T03:33:21.000Z'],
				['tool', '2024-10-27T03:33:22.000Z'],
			],
		);
		assert.equal(write(transcript), `${JSON.stringify(history, null, 2)}\n`);
	});

	it('is detected as Anthropic, most surely by its file name', () => {
		const text = JSON.stringify(history);
		assert.equal(format.detect(sampleOf('/tasks/1/api_conversation_history.json', text))?.score, 95);
		assert.equal(format.detect(sampleOf('history.json', text))?.score, 90);
		const plain = JSON.stringify([{ role: 'user', content: 'hi' }]);
		assert.equal(format.detect(sampleOf('/t/api_conversation_history.json', plain))?.score, 95);
		assert.ok(
			(format.detect(sampleOf('x.json', plain))?.score ?? 0) <
				(openaiChatFormat.detect(sampleOf('x.json', plain))?.score ?? 0),
		);
	});
});

function logLine(
	direction: 'request' | 'response',
	uid: string,
	body: unknown,
	ts = '2025-07-27T10:00:00.000Z',
): string {
	return JSON.stringify({ direction, ts, uid, body });
}

const turnA = { role: 'user', content: 'show the schema' };
const replyA = [
	{ type: 'text', text: 'Reading it.' },
	{ type: 'tool_use', id: 'toolu_s', name: 'Read', input: { file_path: 'schema.sql' } },
];
const logLines = [
	logLine('request', 'a', {
		model: 'claude-sonnet-4',
		max_tokens: 100,
		system: 'agent',
		messages: [turnA],
		tools,
	}),
	logLine('request', 's', {
		model: 'claude-3-5-haiku',
		max_tokens: 1,
		messages: [{ role: 'user', content: 'quota' }],
	}),
	logLine('response', 's', {
		id: 'msg_s',
		type: 'message',
		role: 'assistant',
		model: 'claude-3-5-haiku',
		content: [{ type: 'text', text: 'A' }],
	}),
	logLine(
		'response',
		'a',
		{
			id: 'msg_a',
			type: 'message',
			role: 'assistant',
			model: 'claude-sonnet-4-20250514',
			content: replyA,
			stop_reason: 'tool_use',
			usage: {
				input_tokens: 10,
				cache_creation_input_tokens: 200,
				cache_read_input_tokens: 3000,
				output_tokens: 40,
			},
		},
		'2025-07-27T10:00:05.000Z',
	),
	logLine('request', 'b', {
		model: 'claude-sonnet-4',
		max_tokens: 100,
		system: 'agent',
		messages: [
			turnA,
			{ role: 'assistant', content: replyA },
			{
				role: 'user',
				content: [{ type: 'tool_result', tool_use_id: 'toolu_s', content: 'CREATE TABLE t (id int);' }],
			},
		],
		tools,
	}),
];

describe('anthropicMessagesFormat reading a request/response log', () => {
	it('reads the newest request with tools plus its response, ignoring side requests', () => {
		const transcript = readJsonlText(format, `${logLines.slice(0, 4).join('\n')}\n`);
		assert.equal(layoutOf(transcript), 'log');
		assert.deepEqual(
			transcript.messages.map((m) => [m.id, m.role, m.lines.from]),
			[
				['system', 'system', 1],
				['m0', 'user', 1],
				['msg_a', 'assistant', 4],
			],
		);
		const reply = transcript.messages[2];
		assert.deepEqual(reply?.usage, { inputTokens: 3210, outputTokens: 40, contextTokens: 3250 });
		assert.equal(reply?.model, 'claude-sonnet-4-20250514');
		assert.equal(reply?.timestamp, '2025-07-27T10:00:05.000Z');
		assert.equal(transcript.meta.model, 'claude-sonnet-4-20250514');
		assert.equal(transcript.meta.systemText, JSON.stringify(tools));
	});

	it('moves on to a newer request as the log grows, chunk by chunk', () => {
		const reader = new JsonlTranscriptReader(format, 'traffic.jsonl', { format: format.id, reason: 'test' });
		const text = `${logLines.join('\n')}\n`;
		const halfLine = text.length - 40;
		reader.push(Buffer.from(text.slice(0, halfLine)));
		assert.equal(reader.snapshot().messages.at(-1)?.id, 'msg_a');
		reader.push(Buffer.from(text.slice(halfLine)));
		const transcript = reader.snapshot();
		assert.deepEqual(
			transcript.messages.map((m) => [m.id, m.role, m.lines.from]),
			[
				['system', 'system', 5],
				['m0', 'user', 5],
				['m1', 'assistant', 5],
				['m2', 'tool', 5],
			],
		);
		assert.deepEqual(transcript.diagnostics, []);
	});

	it('writes one request line: the next request, with the response as the last assistant message', () => {
		const transcript = readJsonlText(format, `${logLines.slice(0, 4).join('\n')}\n`);
		const written = write(transcript, '2026-01-01T00:00:00.000Z');
		assert.equal(written.split('\n').length, 2);
		const record = JSON.parse(written) as Json;
		assert.deepEqual(record, {
			direction: 'request',
			ts: '2026-01-01T00:00:00.000Z',
			uid: 'a',
			body: {
				model: 'claude-sonnet-4',
				max_tokens: 100,
				system: 'agent',
				messages: [turnA, { role: 'assistant', content: replyA }],
				tools,
			},
		});
		assert.deepEqual(visible(readAny(format, written).messages), visible(transcript.messages));
	});

	it('warns about lines that are not objects and requests without messages', () => {
		const text = `[1,2]\n${JSON.stringify({ direction: 'request', body: { model: 'x' } })}\n${logLines[0] ?? ''}\n`;
		const transcript = readJsonlText(format, text);
		assert.deepEqual(
			transcript.diagnostics.map((d) => d.line),
			[1, 2],
		);
		assert.equal(transcript.messages.length, 2);
	});
});

describe('anthropicMessagesFormat detection', () => {
	it('claims requests by system, tool schemas or blocks, and plain model+max_tokens requests over OpenAI', () => {
		assert.equal(format.detect(sampleOf('r.json', JSON.stringify(requestFixture)))?.score, 95);
		const plain = { model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
		const anthropic = format.detect(sampleOf('r.json', JSON.stringify(plain)))?.score ?? 0;
		const openai = openaiChatFormat.detect(sampleOf('r.json', JSON.stringify(plain)))?.score ?? 0;
		assert.ok(anthropic > openai, `${anthropic} > ${openai}`);
		const gpt = JSON.stringify({ ...plain, model: 'gpt-4o' });
		assert.ok(
			(format.detect(sampleOf('r.json', gpt))?.score ?? 0) <
				(openaiChatFormat.detect(sampleOf('r.json', gpt))?.score ?? 0),
		);
	});

	it('claims JSONL request/response logs and leaves OpenAI shapes alone', () => {
		assert.equal(
			format.detect(makeDetectionSample('log.jsonl', `${logLines.join('\n')}\n`, undefined))?.score,
			95,
		);
		const openai = [
			{ role: 'system', content: 's' },
			{ role: 'assistant', content: null, tool_calls: [] },
		];
		assert.equal(format.detect(sampleOf('x.json', JSON.stringify(openai))), undefined);
		assert.equal(format.detect(sampleOf('x.json', JSON.stringify({ messages: openai }))), undefined);
	});

	for (const folder of [
		'claude-code',
		'codex',
		'copilot-chat',
		'openai-chat',
		'other/gemini-cli',
		'other/copilot-cli',
		'other/opencode',
	]) {
		describeCorpus(folder, (file) => {
			it(`does not claim ${folder}/${file.split('/').pop() ?? file}`, () => {
				assert.equal(format.detect(sampleOf(file, readFileSync(file, 'utf8'))), undefined);
			});
		});
	}
});

describe('anthropicMessagesFormat writing', () => {
	const text = JSON.stringify(requestFixture, null, 2);

	it('writes an unchanged request verbatim', () => {
		assert.equal(write(readDocumentText(format, text)), `${text}\n`);
	});

	it('rebuilds changed blocks, keeps their other keys, never edits thinking', () => {
		const transcript = readDocumentText(format, text);
		const messages = transcript.messages.map((m): Message => ({
			...m,
			parts: m.parts.map((p): Part => {
				if (p.kind === 'toolResult') return { ...p, text: `[pruned ${p.callId}]`, images: [] };
				if (p.kind === 'toolCall' && p.callId === 'toolu_1')
					return { ...p, argumentsText: '{"file_path":"b.py"}' };
				if (p.kind === 'toolCall' && p.callId === 'toolu_2') return { ...p, argumentsText: 'not json' };
				if (p.kind === 'thinking' && !p.isRedacted) return { ...p, text: 'edited' };
				if (p.kind === 'text' && p.text === 'Thanks') return { ...p, text: 'Thank you' };
				if (p.kind === 'text' && p.text === 'Be brief.') return { ...p, text: 'Be very brief.' };
				return p;
			}),
		}));
		const written = JSON.parse(write({ ...transcript, messages })) as typeof requestFixture;
		assert.deepEqual(written.system, [requestFixture.system[0], { type: 'text', text: 'Be very brief.' }]);
		assert.deepEqual(written.messages[1]?.content, [
			{ type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' },
			{ type: 'text', text: 'Reading.' },
			{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: 'b.py' } },
			{ type: 'tool_use', id: 'toolu_2', name: 'Screenshot', input: { arguments: 'not json' } },
		]);
		assert.deepEqual(written.messages[2]?.content, [
			{ type: 'tool_result', tool_use_id: 'toolu_1', content: '[pruned toolu_1]' },
			{ type: 'tool_result', tool_use_id: 'toolu_2', content: '[pruned toolu_2]', is_error: true },
		]);
		assert.deepEqual((written.messages[4]?.content as unknown[])[3], {
			type: 'text',
			text: 'Thank you',
			cache_control: { type: 'ephemeral' },
		});
		assert.deepEqual(
			{ ...written, system: undefined, messages: undefined },
			{ ...requestFixture, system: undefined, messages: undefined },
		);
	});

	it('drops the system key with the system message and writes a summary as a user message', () => {
		const transcript = readDocumentText(format, text);
		const summary: Message = {
			id: 'summary',
			role: 'user',
			parts: [{ kind: 'text', text: 'We read a.py.' }],
			flags: makeFlags({ isSummary: true }),
			lines: { from: 0, to: 0 },
			raw: [],
		};
		const written = JSON.parse(
			write({ ...transcript, messages: [summary, ...transcript.messages.slice(4)] }),
		) as Json;
		assert.equal('system' in written, false);
		assert.deepEqual(written['messages'], [
			{ role: 'user', content: 'We read a.py.' },
			requestFixture.messages[3],
			requestFixture.messages[4],
		]);
	});

	it('writes an OpenAI transcript as a valid request: system lifted, tool results grouped after their call', () => {
		const chat = [
			{ role: 'system', content: 'sys' },
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'look' },
					{ type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
				],
			},
			{
				role: 'assistant',
				content: null,
				reasoning_content: 'unsigned',
				tool_calls: [
					{ id: 'c1', type: 'function', function: { name: 'a', arguments: '{"k":1}' } },
					{ id: 'c2', type: 'function', function: { name: 'b', arguments: '{bad' } },
				],
			},
			{ role: 'tool', tool_call_id: 'c1', content: 'r1' },
			{ role: 'tool', tool_call_id: 'c2', content: 'r2' },
			{ role: 'assistant', content: 'done' },
		];
		const source = readDocumentText(openaiChatFormat, JSON.stringify(chat));
		const written = JSON.parse(write(source)) as Json;
		assert.equal(written['system'], 'sys');
		const messages = written['messages'] as Json[];
		assertValidForApi(messages);
		assert.deepEqual(messages[1], {
			role: 'assistant',
			content: [
				{ type: 'tool_use', id: 'c1', name: 'a', input: { k: 1 } },
				{ type: 'tool_use', id: 'c2', name: 'b', input: { arguments: '{bad' } },
			],
		});
		assert.deepEqual(messages[2], {
			role: 'user',
			content: [
				{ type: 'tool_result', tool_use_id: 'c1', content: 'r1' },
				{ type: 'tool_result', tool_use_id: 'c2', content: 'r2' },
			],
		});
		assert.deepEqual((messages[0]?.['content'] as Json[])[1], {
			type: 'image',
			source: { type: 'base64', media_type: 'image/png', data: png },
		});
	});
});

// ---------------------------------------------------------------------------------------------------------
// Generated transcripts

const imageBlockArb = fc.oneof(
	fc.tuple(fc.integer({ min: 1, max: 8000 }), fc.integer({ min: 1, max: 8000 })).map(([w, h]) => ({
		type: 'image',
		source: { type: 'base64', media_type: 'image/png', data: pngBase64(w, h) },
	})),
	fc.constant({ type: 'image', source: { type: 'url', url: 'https://example.com/p.png' } }),
);
const textBlockArb = textArb.map((text) => ({ type: 'text', text }));
const inputArb = fc.dictionary(
	fc.string({ maxLength: 8 }),
	fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null)),
	{ maxKeys: 3 },
);
const nameArb = fc.stringMatching(/^[A-Za-z_]{1,12}$/);
const turnArb = fc.record({
	user: fc.oneof(textArb, fc.array(fc.oneof(textBlockArb, imageBlockArb), { minLength: 1, maxLength: 3 })),
	thinking: fc.option(
		fc.oneof(
			textArb.map((t) => ({ type: 'thinking', thinking: t, signature: 'sig' })),
			fc.constant({ type: 'redacted_thinking', data: 'ZGF0YQ==' }),
		),
		{
			nil: undefined,
		},
	),
	said: fc.option(textArb, { nil: undefined }),
	calls: fc.array(
		fc.record({
			name: nameArb,
			input: inputArb,
			result: fc.oneof(textArb, fc.array(fc.oneof(textBlockArb, imageBlockArb), { maxLength: 3 })),
			isError: fc.option(fc.boolean(), { nil: undefined }),
		}),
		{ maxLength: 3 },
	),
	reminder: fc.option(textArb, { nil: undefined }),
	final: fc.option(textArb, { nil: undefined }),
});
type Turn = typeof turnArb extends fc.Arbitrary<infer T> ? T : never;

function turnMessages(turn: Turn, index: number, ts: number | undefined): Json[] {
	const stamp = ts === undefined ? {} : { ts: ts + index };
	const out: Json[] = [{ role: 'user', content: turn.user, ...stamp }];
	const ids = turn.calls.map((_, k) => `toolu_${index}_${k}`);
	const assistant = [
		...(turn.thinking === undefined ? [] : [turn.thinking]),
		...(turn.said === undefined ? [] : [{ type: 'text', text: turn.said }]),
		...turn.calls.map((call, k) => ({ type: 'tool_use', id: ids[k], name: call.name, input: call.input })),
	];
	out.push({ role: 'assistant', content: assistant.length === 0 ? 'ok' : assistant, ...stamp });
	if (turn.calls.length > 0) {
		const results = turn.calls.map((call, k) => ({
			type: 'tool_result',
			tool_use_id: ids[k],
			content: call.result,
			...(call.isError === undefined ? {} : { is_error: call.isError }),
		}));
		const reminder = turn.reminder === undefined ? [] : [{ type: 'text', text: turn.reminder }];
		out.push({ role: 'user', content: [...results, ...reminder], ...stamp });
		if (turn.final !== undefined) out.push({ role: 'assistant', content: turn.final, ...stamp });
	}
	return out;
}

interface GeneratedRequest {
	readonly layout: 'request' | 'array' | 'log';
	readonly text: string;
	readonly document: unknown;
	/** The messages a written file should hold: the request's, plus the response for a log. */
	readonly expectedMessages: unknown[];
}

const requestArb: fc.Arbitrary<GeneratedRequest> = fc
	.record({
		turns: fc.array(turnArb, { minLength: 1, maxLength: 5 }),
		layout: fc.constantFrom('request' as const, 'array' as const, 'log' as const),
		system: fc.option(fc.oneof(textArb, fc.array(textBlockArb, { minLength: 1, maxLength: 2 })), {
			nil: undefined,
		}),
		withTools: fc.boolean(),
		pretty: fc.boolean(),
		reply: fc.array(textBlockArb, { minLength: 1, maxLength: 2 }),
	})
	.map(({ turns, layout, system, withTools, pretty, reply }) => {
		const messages = turns.flatMap((t, i) =>
			turnMessages(t, i, layout === 'array' ? 1_700_000_000_000 : undefined),
		);
		const body = {
			model: 'claude-test',
			max_tokens: 1024,
			...(system === undefined ? {} : { system }),
			messages,
			...(withTools ? { tools } : {}),
			temperature: 1,
		};
		if (layout === 'array') {
			return {
				layout,
				document: messages,
				text: JSON.stringify(messages, null, pretty ? 2 : undefined),
				expectedMessages: messages,
			};
		}
		if (layout === 'request') {
			return {
				layout,
				document: body,
				text: JSON.stringify(body, null, pretty ? 2 : undefined),
				expectedMessages: messages,
			};
		}
		const response = {
			id: 'msg_1',
			type: 'message',
			role: 'assistant',
			model: 'claude-test',
			content: reply,
			usage: { input_tokens: 5, output_tokens: 1 },
		};
		const text = `${logLine('request', 'u1', body)}\n${logLine('response', 'u1', response)}\n`;
		return {
			layout,
			document: body,
			text,
			expectedMessages: [...messages, { role: 'assistant', content: reply }],
		};
	});

describe('anthropicMessagesFormat properties', () => {
	it('round-trips generated requests, arrays and logs: same model-visible parts, same messages, valid for the API', () => {
		fc.assert(
			fc.property(requestArb, (generated) => {
				const first = readAny(format, generated.text);
				assert.deepEqual(first.diagnostics, []);
				assert.equal(layoutOf(first), generated.layout);
				const written = write(first);
				const second = readAny(format, written);
				assert.deepEqual(visible(second.messages), visible(first.messages));
				assert.deepEqual(writtenMessages(written), JSON.parse(JSON.stringify(generated.expectedMessages)));
				if (generated.layout !== 'log') assert.deepEqual(JSON.parse(written), JSON.parse(generated.text));
				assertValidForApi(writtenMessages(written));
				const pairing = pairToolCalls(first.messages);
				assert.equal(pairing.orphanResults.length, 0);
				assert.equal(pairing.unansweredCalls.length, 0);
			}),
			{ numRuns: 300 },
		);
	});

	it('writes edited transcripts (pruned results, changed arguments, dropped turns plus a summary) as read back', () => {
		fc.assert(
			fc.property(requestArb, fc.nat(), fc.nat(), (generated, a, b) => {
				const first = readAny(format, generated.text);
				// Cut only where a real user turn starts, never on tool results (keeping pairs is the planner's job, R14).
				const starts = first.messages.flatMap((m, i) =>
					m.role === 'user' && m.parts.every((p) => p.kind !== 'toolResult') ? [i] : [],
				);
				const from = starts[a % starts.length] ?? 0;
				const to = starts[b % starts.length] ?? 0;
				const [cut, resume] = from <= to ? [from, to] : [to, from];
				const summary: Message = {
					id: 'summary',
					role: 'user',
					parts: [{ kind: 'text', text: 'earlier turns, summarised' }],
					flags: makeFlags({ isSummary: true }),
					lines: { from: 0, to: 0 },
					raw: [],
				};
				const edited = [...first.messages.slice(0, cut), summary, ...first.messages.slice(resume)].map(
					(m): Message => ({
						...m,
						parts: m.parts.map((p): Part => {
							if (p.kind === 'toolResult')
								return { ...p, text: `pruned ${p.text.length}`, isError: !p.isError };
							if (p.kind === 'toolCall') return { ...p, argumentsText: `{"n":${p.argumentsText.length}}` };
							return p;
						}),
					}),
				);
				const written = write({ ...first, messages: edited });
				const second = readAny(format, written);
				assert.deepEqual(visible(second.messages), visible(edited));
				assertValidForApi(writtenMessages(written));
			}),
			{ numRuns: 300 },
		);
	});

	it('never throws on 10,000 random JSON values as documents, log records, samples or writer input', () => {
		fc.assert(
			fc.property(fc.jsonValue(), (value) => {
				const text = JSON.stringify(value) ?? 'null';
				const fromDocument = asTranscript(
					format,
					format.readDocument?.(value, { path: 'f.json', text }) ?? emptyBody,
				);
				const accumulator = format.createAccumulator?.();
				(Array.isArray(value) ? value : [value]).forEach((v, i) => accumulator?.addRecord(v, i + 1));
				const fromRecords = asTranscript(format, accumulator?.build() ?? emptyBody);
				format.detect(makeDetectionSample('f.json', text, value));
				format.detect(makeDetectionSample('f.jsonl', text, undefined));
				for (const transcript of [fromDocument, fromRecords]) {
					assert.ok(transcript.diagnostics.every((d) => d.line >= 1));
					assert.doesNotThrow(() => JSON.parse(write(transcript)));
				}
			}),
			{ numRuns: 10_000 },
		);
	});

	it('never throws on mutated requests and logs, and what it writes reads back the same', () => {
		fc.assert(
			fc.property(
				mutated(requestArb.map((g) => g.document)),
				fc.constantFrom('document', 'log request', 'log response'),
				(document, where) => {
					const text =
						where === 'document'
							? JSON.stringify(document, null, 2)
							: where === 'log request'
								? `${logLine('request', 'u', document)}\n${logLine('response', 'u', { role: 'assistant', content: 'x' })}\n`
								: `${logLine('request', 'u', { messages: [] })}\n${logLine('response', 'u', document)}\n`;
					const first = readAny(format, text);
					assert.ok(first.diagnostics.every((d) => d.line >= 1));
					const written = write(first);
					const second = readAny(format, written);
					assert.deepEqual(visible(second.messages), visible(first.messages));
					if (where === 'document' && first.messages.length > 0) {
						assert.deepEqual(JSON.parse(written), JSON.parse(text));
					}
				},
			),
			{ numRuns: 3_000 },
		);
	});
});

const emptyBody = { messages: [], passthrough: [], meta: {}, diagnostics: [] };

describe('anthropicMessagesFormat on the corpus', () => {
	describeCorpus('anthropic-messages', (file) => {
		const name = file.split('/').pop() ?? file;
		it(`${name}: detected, read as its newest request, written back as that request`, () => {
			const text = readFileSync(file, 'utf8');
			assert.ok(
				(format.detect(sampleOf(file, text))?.score ?? 0) >
					(openaiChatFormat.detect(sampleOf(file, text))?.score ?? 0),
			);
			const transcript = readAny(format, text);
			assert.deepEqual(transcript.diagnostics, []);
			const records = text
				.split('\n')
				.filter((l) => l !== '')
				.map((l) => JSON.parse(l) as Json);
			const lastRequest = records
				.map((r, i) => ({ r, line: i + 1 }))
				.filter(({ r }) => r['direction'] === 'request')
				.at(-1);
			const body = lastRequest?.r['body'] as Json;
			const requestMessages = body['messages'] as unknown[];
			const hasSystem = body['system'] !== undefined;
			assert.equal(transcript.messages.length >= requestMessages.length + (hasSystem ? 1 : 0), true);
			assert.ok(transcript.messages.every((m) => m.lines.from >= (lastRequest?.line ?? 0)));
			assert.equal(transcript.meta.model, body['model']);
			const written = write(transcript, '2026-01-01T00:00:00.000Z');
			assert.deepEqual((JSON.parse(written) as Json)['body'], body);
			assert.deepEqual(visible(readAny(format, written).messages), visible(transcript.messages));
		});
	});

	// Claude Code stores each API message verbatim: rebuilt as a request they are real Anthropic blocks.
	describeCorpus('claude-code', (file) => {
		const name = file.split('/').pop() ?? file;
		it(`${name}: its API messages, as a request, read and write back unchanged`, () => {
			const request = { model: 'claude', max_tokens: 1, messages: apiMessagesOf(readFileSync(file, 'utf8')) };
			const text = JSON.stringify(request);
			const transcript = readDocumentText(format, text);
			assert.equal(transcript.messages.length, request.messages.length);
			const orphans = transcript.diagnostics.filter((d) =>
				/answers no earlier|already has a result/.test(d.message),
			);
			assert.equal(orphans.length, pairToolCalls(transcript.messages).orphanResults.length);
			const written = write(transcript);
			assert.deepEqual(JSON.parse(written), JSON.parse(text));
			assert.deepEqual(visible(readAny(format, written).messages), visible(transcript.messages));
		});
	});
});

/** The `message` objects of a Claude Code log's user and assistant records, split assistant records joined by id. */
function apiMessagesOf(text: string): Json[] {
	const messages: Json[] = [];
	let lastId: unknown;
	for (const line of text.split('\n')) {
		let record: unknown;
		try {
			record = JSON.parse(line);
		} catch {
			continue;
		}
		if (typeof record !== 'object' || record === null) continue;
		const { type, message } = record as Json;
		if ((type !== 'user' && type !== 'assistant') || typeof message !== 'object' || message === null)
			continue;
		const { role, content, id } = message as Json;
		if (role !== 'user' && role !== 'assistant') continue;
		const previous = messages.at(-1);
		const joined = previous?.['content'];
		if (
			role === 'assistant' &&
			id !== undefined &&
			id === lastId &&
			Array.isArray(joined) &&
			Array.isArray(content)
		) {
			(previous as Json)['content'] = [...(joined as unknown[]), ...content];
			continue;
		}
		messages.push({ role, content });
		lastId = role === 'assistant' ? id : undefined;
	}
	return messages;
}
