import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { anthropicMessagesFormat } from '../../../../src/core/transcript/formats/anthropicMessages';
import { openaiChatFormat, type OpenaiChatLayout } from '../../../../src/core/transcript/formats/openaiChat';
import { makeFlags, type Message, type Part, type Transcript } from '../../../../src/core/transcript/model';
import { makeDetectionSample } from '../../../../src/core/transcript/readTranscript';
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

const format = openaiChatFormat;

function write(transcript: Transcript): string {
	if (format.write === undefined) throw new Error('openai-chat has no writer');
	return format.write(transcript, {}).text;
}

function layoutOf(transcript: Transcript): OpenaiChatLayout['openaiChatLayout'] | undefined {
	const record = transcript.passthrough.find((p) => p.line === 0)?.record as OpenaiChatLayout | undefined;
	return record?.openaiChatLayout;
}

/** Parses written text back to what it holds: the document, or the list of JSONL records. */
function parsedOutput(text: string, layout: string | undefined): unknown {
	if (layout === 'jsonl')
		return text
			.split('\n')
			.filter((l) => l !== '')
			.map((l) => JSON.parse(l) as unknown);
	return JSON.parse(text) as unknown;
}

/** The messages array of a written output, whatever its layout. */
function outputMessages(text: string, layout: string | undefined): Record<string, unknown>[] {
	const parsed = parsedOutput(text, layout);
	const list = layout === 'object' ? (parsed as { messages: unknown[] }).messages : (parsed as unknown[]);
	return list.filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null && 'role' in m);
}

/** Chat Completions rule: every tool message answers a call of the assistant message before its run of tool messages. */
function assertValidForApi(messages: readonly Record<string, unknown>[]): void {
	let open = new Set<string>();
	for (const message of messages) {
		if (message['role'] === 'tool') {
			const id = message['tool_call_id'] as string;
			assert.ok(open.has(id), `tool message ${id} does not follow the assistant message that called it`);
			open.delete(id);
			continue;
		}
		if (message['role'] === 'function') continue;
		assert.equal(open.size, 0, `calls ${[...open].join(', ')} are not answered before the next message`);
		const calls = message['tool_calls'];
		open = new Set(Array.isArray(calls) ? calls.map((c: { id: string }) => c.id) : []);
	}
}

const png = pngBase64(640, 480);

const fixtureMessages = [
	{ role: 'system', content: 'You are terse.' },
	{ role: 'developer', content: [{ type: 'text', text: 'Prefer tools.' }] },
	{
		role: 'user',
		content: [
			{ type: 'text', text: 'What is in this picture?' },
			{ type: 'image_url', image_url: { url: `data:image/png;base64,${png}`, detail: 'high' } },
			{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
			{ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
			{ type: 'file', file: { file_id: 'file-1' } },
			{ type: 'mystery', value: 1 },
		],
		name: 'ann',
	},
	{
		role: 'assistant',
		content: null,
		reasoning_content: 'Look at the file first.',
		tool_calls: [
			{ id: 'call_a', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.py"}' } },
			{ id: 'call_b', type: 'function', function: { name: 'grep', arguments: '{"pattern": "x", oops' } },
		],
		refusal: null,
	},
	{ role: 'tool', tool_call_id: 'call_a', content: 'print(1)' },
	{
		role: 'tool',
		tool_call_id: 'call_b',
		content: [
			{ type: 'text', text: 'a.py:1' },
			{ type: 'text', text: 'b.py:2' },
		],
	},
	{ role: 'assistant', content: null, function_call: { name: 'legacy_search', arguments: '{"q":"cats"}' } },
	{ role: 'function', name: 'legacy_search', content: '3 results' },
	{ role: 'assistant', content: null, refusal: 'I cannot describe that.' },
	{ role: 'assistant', content: 'A cat.', reasoning: 'It has whiskers.', id: 'resp-9' },
];

describe('openaiChatFormat reading', () => {
	it('reads every role, part kind and field of a JSON array', () => {
		const text = JSON.stringify(fixtureMessages, null, 2);
		const transcript = readDocumentText(format, text);
		assert.deepEqual(transcript.diagnostics, []);
		assert.deepEqual(
			transcript.messages.map((m) => [m.id, m.role]),
			[
				['m0', 'system'],
				['m1', 'developer'],
				['m2', 'user'],
				['m3', 'assistant'],
				['m4', 'tool'],
				['m5', 'tool'],
				['m6', 'assistant'],
				['m7', 'tool'],
				['m8', 'assistant'],
				['resp-9', 'assistant'],
			],
		);
		const [, developer, user, caller, first, second, legacy, legacyResult, refusal, last] =
			transcript.messages;
		assert.deepEqual(
			developer?.parts.map((p) => p.kind === 'text' && p.text),
			['Prefer tools.'],
		);
		const userParts = user?.parts ?? [];
		assert.deepEqual(
			userParts.map((p) => p.kind),
			['text', 'image', 'image', 'opaque', 'opaque', 'opaque'],
		);
		assert.deepEqual(withoutRaw(userParts[1]), {
			kind: 'image',
			mediaType: 'image/png',
			byteLength: Buffer.from(png, 'base64').length,
			widthPx: 640,
			heightPx: 480,
		});
		assert.deepEqual(withoutRaw(userParts[2]), { kind: 'image', mediaType: 'image/jpeg', byteLength: 0 });
		assert.deepEqual(
			userParts.slice(3).map((p) => p.kind === 'opaque' && p.label),
			['input_audio', 'file', 'mystery'],
		);
		assert.deepEqual(caller?.parts.map(withoutRaw), [
			{ kind: 'thinking', text: 'Look at the file first.', isRedacted: false },
			{ kind: 'toolCall', callId: 'call_a', name: 'read_file', argumentsText: '{"path":"a.py"}' },
			{ kind: 'toolCall', callId: 'call_b', name: 'grep', argumentsText: '{"pattern": "x", oops' },
		]);
		assert.deepEqual(first?.parts.map(withoutRaw), [
			{ kind: 'toolResult', callId: 'call_a', text: 'print(1)', isError: false, images: [] },
		]);
		assert.equal(second?.parts[0]?.kind === 'toolResult' && second.parts[0].text, 'a.py:1\nb.py:2');
		const legacyCall = legacy?.parts[0];
		assert.equal(legacyCall?.kind, 'toolCall');
		assert.equal(
			legacyResult?.parts[0]?.kind === 'toolResult' && legacyResult.parts[0].callId,
			'm6/function_call',
		);
		assert.deepEqual(refusal?.parts.map(withoutRaw), [{ kind: 'text', text: 'I cannot describe that.' }]);
		assert.deepEqual(last?.parts.map(withoutRaw), [
			{ kind: 'thinking', text: 'It has whiskers.', isRedacted: false },
			{ kind: 'text', text: 'A cat.' },
		]);
	});

	it('pairs every tool call with its result, legacy function calls by name', () => {
		const transcript = readDocumentText(format, JSON.stringify(fixtureMessages));
		const pairing = pairToolCalls(transcript.messages);
		assert.deepEqual(
			pairing.pairs.map((p) => [p.callId, p.name, p.callMessage, p.resultMessage]),
			[
				['call_a', 'read_file', 3, 4],
				['call_b', 'grep', 3, 5],
				['m6/function_call', 'legacy_search', 6, 7],
			],
		);
		assert.deepEqual(pairing.unansweredCalls, []);
		assert.deepEqual(pairing.orphanResults, []);
	});

	it('gives each message the line its object starts on', () => {
		const text = JSON.stringify(fixtureMessages, null, 2);
		const lines = text.split('\n');
		const transcript = readDocumentText(format, text);
		for (const message of transcript.messages) {
			assert.equal(
				lines[message.lines.from - 1],
				'  {',
				`message ${message.id} at line ${message.lines.from}`,
			);
		}
		const froms = transcript.messages.map((m) => m.lines.from);
		assert.deepEqual(
			froms,
			[...froms].sort((a, b) => a - b),
		);
	});

	it('reads the {model, messages, tools, usage} object: model, tool schemas and usage', () => {
		const tools = [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object' } } }];
		const document = {
			model: 'gpt-4o-2024-08-06',
			temperature: 0,
			messages: [
				{ role: 'user', content: 'hi' },
				{ role: 'assistant', content: 'hello' },
			],
			tools,
			usage: { prompt_tokens: 120, completion_tokens: 7, total_tokens: 127 },
		};
		const text = JSON.stringify(document, null, 2);
		const transcript = readDocumentText(format, text);
		assert.equal(transcript.meta.model, 'gpt-4o-2024-08-06');
		assert.equal(transcript.meta.systemText, JSON.stringify(tools));
		assert.deepEqual(transcript.messages[1]?.usage, {
			inputTokens: 120,
			outputTokens: 7,
			contextTokens: 127,
		});
		assert.equal(transcript.messages[0]?.usage, undefined);
		assert.deepEqual(
			transcript.messages.map((m) => m.lines.from),
			[5, 9],
		);
		assert.equal(layoutOf(transcript), 'object');
		const written = write(transcript);
		assert.equal(written, `${text}\n`);
	});

	it('reads a mini-swe-agent v2 trajectory {info, messages, trajectory_format} and keeps the exit message', () => {
		const document = {
			info: { exit_status: 'Submitted', model_stats: { api_calls: 2 } },
			messages: [
				{ role: 'system', content: 'sys', extra: {} },
				{ role: 'user', content: 'fix it', extra: { timestamp: 1.5 } },
				{
					role: 'assistant',
					content: 'THOUGHT: run it',
					extra: { response: { usage: { prompt_tokens: 10 } } },
				},
				{ role: 'exit', content: 'done', extra: { exit_status: 'Submitted' } },
			],
			trajectory_format: 'mini-swe-agent-1.1',
		};
		const text = JSON.stringify(document, null, 2);
		const transcript = readDocumentText(format, text);
		assert.deepEqual(
			transcript.messages.map((m) => m.role),
			['system', 'user', 'assistant'],
		);
		assert.equal(transcript.diagnostics.length, 1);
		assert.match(transcript.diagnostics[0]?.message ?? '', /unknown role "exit"/);
		assert.equal(transcript.diagnostics[0]?.line, transcript.passthrough[1]?.line);
		assert.deepEqual(JSON.parse(write(transcript)), document);
	});

	it('reads JSONL with one message per line, lines and diagnostics per line', () => {
		const lines = [
			{ role: 'user', content: 'list files' },
			{
				role: 'assistant',
				content: '',
				tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ls', arguments: '{}' } }],
			},
			{ role: 'tool', tool_call_id: 'c1', content: 'a b' },
			{ role: 'tool', tool_call_id: 'c9', content: 'stray' },
			{ content: 'no role here' },
		].map((m) => JSON.stringify(m));
		const text = `${lines.join('\n')}\nnot json\n`;
		const transcript = readJsonlText(format, text);
		assert.equal(layoutOf(transcript), 'jsonl');
		assert.deepEqual(
			transcript.messages.map((m) => [m.role, m.lines.from]),
			[
				['user', 1],
				['assistant', 2],
				['tool', 3],
				['tool', 4],
			],
		);
		assert.deepEqual(
			transcript.diagnostics.map((d) => [d.severity, d.line]),
			[
				['error', 6],
				['warning', 4],
				['warning', 5],
			],
		);
		assert.match(transcript.diagnostics[1]?.message ?? '', /"c9", which no earlier assistant message made/);
		const written = write(transcript);
		assert.equal(written, `${lines.join('\n')}\n`);
	});

	it('reads a JSONL file of one line, which parses as one document, as JSONL', () => {
		const line = JSON.stringify({ role: 'user', content: 'only me' });
		const transcript = readDocumentText(format, line);
		assert.equal(layoutOf(transcript), 'jsonl');
		assert.equal(write(transcript), `${line}\n`);
	});

	it('warns, naming the line, about a missing role, an unknown role, a stray result and a non-object', () => {
		const text = [
			'[',
			'  {"role": "user", "content": "hi"},',
			'  {"content": "who am I"},',
			'  {"role": "narrator", "content": "meanwhile"},',
			'  {"role": "tool", "tool_call_id": "call_x", "content": "?"},',
			'  {"role": "tool", "content": "no id"},',
			'  42,',
			'  null',
			']',
		].join('\n');
		const transcript = readDocumentText(format, text);
		assert.deepEqual(
			transcript.diagnostics.map((d) => [d.severity, d.line]),
			[
				['warning', 3],
				['warning', 4],
				['warning', 5],
				['warning', 6],
				['warning', 7],
				['warning', 8],
			],
		);
		assert.match(transcript.diagnostics[0]?.message ?? '', /no role/);
		assert.match(transcript.diagnostics[1]?.message ?? '', /unknown role "narrator"/);
		assert.match(transcript.diagnostics[2]?.message ?? '', /"call_x", which no earlier/);
		assert.match(transcript.diagnostics[3]?.message ?? '', /without a tool_call_id/);
		assert.match(transcript.diagnostics[4]?.message ?? '', /not a message object \(a number\)/);
		assert.deepEqual(JSON.parse(write(transcript)), JSON.parse(text));
	});

	it('reports a document of another shape as an error diagnostic instead of throwing', () => {
		const transcript = readDocumentText(format, '{"hello": "world"}');
		assert.deepEqual(transcript.messages, []);
		assert.equal(transcript.diagnostics[0]?.severity, 'error');
		assert.equal(transcript.diagnostics[0]?.line, 1);
	});
});

function withoutRaw(part: Part | undefined): unknown {
	if (part === undefined) return undefined;
	const { raw: _raw, ...rest } = part as Part & { raw?: unknown };
	if (rest.kind === 'toolResult') return { ...rest, images: rest.images.map(withoutRaw) };
	return rest;
}

describe('openaiChatFormat detection', () => {
	const detect = (document: unknown, path = 'x.json'): number | undefined =>
		format.detect(sampleOf(path, JSON.stringify(document)))?.score;

	it('claims arrays and {messages} objects with tool calls strongly, plain chats less', () => {
		const withTools = [
			{ role: 'user', content: 'x' },
			{ role: 'assistant', content: null, tool_calls: [] },
		];
		assert.equal(detect(withTools), 90);
		assert.equal(detect({ messages: withTools, model: 'gpt-4o' }), 90);
		assert.equal(detect([{ role: 'tool', tool_call_id: 'a', content: 'r' }]), 90);
		const plain = [
			{ role: 'system', content: 's' },
			{ role: 'user', content: 'u' },
		];
		assert.equal(detect(plain), 60);
	});

	it('scores below the Anthropic reader when content blocks are tool_use/tool_result/thinking', () => {
		const cline = [
			{ role: 'user', content: [{ type: 'text', text: 'go' }] },
			{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'ls', input: {} }] },
		];
		const openai = detect(cline) ?? 0;
		const anthropic = anthropicMessagesFormat.detect(sampleOf('x.json', JSON.stringify(cline)))?.score ?? 0;
		assert.ok(openai < anthropic, `${openai} < ${anthropic}`);
	});

	it('claims JSONL lines of {role, content}', () => {
		const text = `${JSON.stringify({ role: 'user', content: 'a' })}\n${JSON.stringify({ role: 'assistant', content: 'b' })}\n`;
		assert.equal(format.detect(makeDetectionSample('x.jsonl', text, undefined))?.score, 60);
	});

	it('does not claim Claude Code, Codex, Copilot or Gemini records', () => {
		const claude = { type: 'user', uuid: 'u', message: { role: 'user', content: 'hi' } };
		const codex = { type: 'response_item', payload: { type: 'message', role: 'user', content: [] } };
		const lines = (r: unknown): string => `${JSON.stringify(r)}\n${JSON.stringify(r)}\n`;
		assert.equal(format.detect(makeDetectionSample('c.jsonl', lines(claude), undefined)), undefined);
		assert.equal(format.detect(makeDetectionSample('c.jsonl', lines(codex), undefined)), undefined);
		assert.equal(detect({ requests: [], responderUsername: 'Copilot' }), undefined);
		assert.equal(
			detect({ sessionId: 's', projectHash: 'p', messages: [{ id: '1', type: 'user', content: 'x' }] }),
			undefined,
		);
		assert.equal(detect([{ role: 'model', parts: [{ text: 'gemini checkpoint' }] }]), undefined);
		assert.equal(detect({ role: 'assistant', content: 'one message' }), undefined);
	});

	for (const folder of [
		'claude-code',
		'codex',
		'copilot-chat',
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

describe('openaiChatFormat writing', () => {
	it('writes unchanged messages verbatim in every layout', () => {
		const array = JSON.stringify(fixtureMessages, null, 2);
		assert.equal(write(readDocumentText(format, array)), `${array}\n`);
		const object = JSON.stringify({ model: 'm', messages: fixtureMessages, info: { a: 1 } }, null, 2);
		assert.equal(write(readDocumentText(format, object)), `${object}\n`);
		const jsonl = `${fixtureMessages.map((m) => JSON.stringify(m)).join('\n')}\n`;
		assert.equal(write(readJsonlText(format, jsonl)), jsonl);
	});

	it('rebuilds what changed and keeps the rest of the message as it was', () => {
		const transcript = readDocumentText(format, JSON.stringify(fixtureMessages));
		const messages = transcript.messages.map((m): Message => ({
			...m,
			parts: m.parts.map((p): Part => {
				if (p.kind === 'toolResult') return { ...p, text: `[pruned ${p.callId}]` };
				if (p.kind === 'toolCall' && p.callId === 'call_b') return { ...p, argumentsText: '{}' };
				if (p.kind === 'text' && p.text === 'A cat.') return { ...p, text: 'A small cat.' };
				return p;
			}),
		}));
		const written = JSON.parse(write({ ...transcript, messages })) as Record<string, unknown>[];
		assert.deepEqual(written[4], { role: 'tool', tool_call_id: 'call_a', content: '[pruned call_a]' });
		assert.deepEqual(written[5], { role: 'tool', tool_call_id: 'call_b', content: '[pruned call_b]' });
		assert.deepEqual(written[7], {
			role: 'function',
			name: 'legacy_search',
			content: '[pruned m6/function_call]',
		});
		assert.deepEqual((written[3]?.['tool_calls'] as unknown[])[1], {
			id: 'call_b',
			type: 'function',
			function: { name: 'grep', arguments: '{}' },
		});
		assert.deepEqual(written[9], {
			role: 'assistant',
			content: 'A small cat.',
			reasoning: 'It has whiskers.',
			id: 'resp-9',
		});
		assert.deepEqual(written[2], fixtureMessages[2]);
	});

	it('writes a summary message with the role it was given, as plain string content', () => {
		const transcript = readDocumentText(format, JSON.stringify(fixtureMessages));
		const summary: Message = {
			id: 'summary',
			role: 'user',
			parts: [{ kind: 'text', text: 'Summary of earlier work.' }],
			flags: makeFlags({ isSummary: true }),
			lines: { from: 0, to: 0 },
			raw: [],
		};
		const kept = transcript.messages.slice(8);
		const written = JSON.parse(
			write({ ...transcript, messages: [transcript.messages[0] as Message, summary, ...kept] }),
		);
		assert.deepEqual(written, [
			fixtureMessages[0],
			{ role: 'user', content: 'Summary of earlier work.' },
			fixtureMessages[8],
			fixtureMessages[9],
		]);
	});

	it('writes an Anthropic transcript as valid chat messages: one tool message per result, images as data URLs', () => {
		const request = {
			model: 'claude',
			max_tokens: 10,
			system: 'be brief',
			messages: [
				{
					role: 'user',
					content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }],
				},
				{
					role: 'assistant',
					content: [
						{ type: 'thinking', thinking: 'hmm', signature: 'sig' },
						{ type: 'tool_use', id: 't1', name: 'a', input: { x: 1 } },
						{ type: 'tool_use', id: 't2', name: 'b', input: {} },
					],
				},
				{
					role: 'user',
					content: [
						{ type: 'tool_result', tool_use_id: 't1', content: 'one' },
						{ type: 'tool_result', tool_use_id: 't2', content: 'two', is_error: true },
						{ type: 'text', text: 'reminder' },
					],
				},
			],
		};
		const source = readDocumentText(anthropicMessagesFormat, JSON.stringify(request));
		const text = write(source);
		const messages = JSON.parse(text) as Record<string, unknown>[];
		assertValidForApi(messages);
		assert.deepEqual(
			messages.map((m) => m['role']),
			['system', 'user', 'assistant', 'tool', 'tool', 'user'],
		);
		assert.equal(
			(messages[1]?.['content'] as { image_url: { url: string } }[])[0]?.image_url.url,
			`data:image/png;base64,${png}`,
		);
		assert.equal(messages[2]?.['reasoning_content'], 'hmm');
		const back = readDocumentText(format, text);
		const toolCalls = back.messages.flatMap((m) => m.parts.filter((p) => p.kind === 'toolCall'));
		assert.deepEqual(
			toolCalls.map((p) => p.kind === 'toolCall' && [p.callId, p.argumentsText]),
			[
				['t1', '{"x":1}'],
				['t2', '{}'],
			],
		);
		assert.equal(pairToolCalls(back.messages).pairs.length, 2);
	});
});

// ---------------------------------------------------------------------------------------------------------
// Generated transcripts

interface GeneratedChat {
	readonly layout: 'array' | 'object' | 'jsonl';
	readonly pretty: boolean;
	readonly document: unknown;
	readonly text: string;
}

const nameArb = fc.stringMatching(/^[a-z_]{1,12}$/);
const imageItemArb = fc.oneof(
	fc.tuple(fc.integer({ min: 1, max: 9000 }), fc.integer({ min: 1, max: 9000 })).map(([w, h]) => ({
		type: 'image_url',
		image_url: { url: `data:image/png;base64,${pngBase64(w, h)}`, detail: 'low' },
	})),
	fc.constant({ type: 'image_url', image_url: { url: 'https://example.com/photo.webp' } }),
);
const userItemArb = fc.oneof(
	textArb.map((text) => ({ type: 'text', text })),
	imageItemArb,
	fc.constant({ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }),
);
const resultArb = fc.oneof(
	textArb,
	fc.array(
		fc.oneof(
			textArb.map((text) => ({ type: 'text', text })),
			imageItemArb,
		),
		{ minLength: 1, maxLength: 3 },
	),
);
const argumentsArb = fc.oneof(fc.json({ maxDepth: 2 }), textArb);
const extraArb = fc.option(fc.record({ extra: fc.jsonValue({ maxDepth: 2 }) }), { nil: undefined });

const turnArb = fc.record({
	user: fc.oneof(textArb, fc.array(userItemArb, { minLength: 1, maxLength: 3 })),
	userExtra: extraArb,
	reasoning: fc.option(
		textArb.filter((t) => t !== ''),
		{ nil: undefined },
	),
	reasoningField: fc.constantFrom('reasoning_content', 'reasoning'),
	calls: fc.array(fc.record({ name: nameArb, args: argumentsArb, result: resultArb }), { maxLength: 3 }),
	legacy: fc.boolean(),
	contentNull: fc.boolean(),
	refusal: fc.option(
		textArb.filter((t) => t !== ''),
		{ nil: undefined },
	),
	final: fc.option(textArb, { nil: undefined }),
	assistantExtra: extraArb,
});

type Turn = typeof turnArb extends fc.Arbitrary<infer T> ? T : never;

function turnMessages(turn: Turn, index: number): unknown[] {
	const out: unknown[] = [{ role: 'user', content: turn.user, ...turn.userExtra }];
	const reasoning = turn.reasoning === undefined ? {} : { [turn.reasoningField]: turn.reasoning };
	const [firstCall] = turn.calls;
	if (firstCall === undefined) {
		out.push({ role: 'assistant', content: turn.final ?? 'ok', ...reasoning, ...turn.assistantExtra });
		if (turn.refusal !== undefined) out.push({ role: 'assistant', content: null, refusal: turn.refusal });
		return out;
	}
	if (turn.legacy) {
		out.push({
			role: 'assistant',
			content: null,
			function_call: { name: firstCall.name, arguments: firstCall.args },
		});
		out.push({
			role: 'function',
			name: firstCall.name,
			content: typeof firstCall.result === 'string' ? firstCall.result : 'r',
		});
	} else {
		const ids = turn.calls.map((_, k) => `call_${index}_${k}`);
		out.push({
			role: 'assistant',
			content: turn.contentNull ? null : (turn.final ?? ''),
			...reasoning,
			tool_calls: turn.calls.map((call, k) => ({
				id: ids[k],
				type: 'function',
				function: { name: call.name, arguments: call.args },
			})),
			...turn.assistantExtra,
		});
		turn.calls.forEach((call, k) => out.push({ role: 'tool', tool_call_id: ids[k], content: call.result }));
	}
	if (turn.final !== undefined) out.push({ role: 'assistant', content: turn.final });
	return out;
}

const chatArb: fc.Arbitrary<GeneratedChat> = fc
	.record({
		system: fc.option(fc.record({ role: fc.constantFrom('system', 'developer'), content: textArb }), {
			nil: undefined,
		}),
		turns: fc.array(turnArb, { minLength: 1, maxLength: 5 }),
		layout: fc.constantFrom('array' as const, 'object' as const, 'jsonl' as const),
		pretty: fc.boolean(),
		usage: fc.option(fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat() }), { nil: undefined }),
	})
	.map(({ system, turns, layout, pretty, usage }) => {
		const messages = [...(system === undefined ? [] : [system]), ...turns.flatMap(turnMessages)];
		const document =
			layout === 'object'
				? { model: 'gpt-test', messages, ...(usage === undefined ? {} : { usage }), info: { step: 1 } }
				: messages;
		const text =
			layout === 'jsonl'
				? `${messages.map((m) => JSON.stringify(m)).join('\n')}\n`
				: JSON.stringify(document, null, pretty ? 2 : undefined);
		return { layout, pretty, document, text };
	});

describe('openaiChatFormat properties', () => {
	it('round-trips generated transcripts: same model-visible parts, same document, valid for the API', () => {
		fc.assert(
			fc.property(chatArb, (chat) => {
				const first = readAny(format, chat.text);
				assert.deepEqual(first.diagnostics, []);
				assert.equal(layoutOf(first), chat.layout);
				const written = write(first);
				const second = readAny(format, written);
				assert.deepEqual(visible(second.messages), visible(first.messages));
				assert.deepEqual(parsedOutput(written, chat.layout), parsedOutput(chat.text, chat.layout));
				assertValidForApi(outputMessages(written, chat.layout));
				assert.equal(pairToolCalls(first.messages).orphanResults.length, 0);
				assert.equal(pairToolCalls(first.messages).unansweredCalls.length, 0);
				if (chat.layout !== 'jsonl' && chat.pretty) {
					const lines = chat.text.split('\n');
					for (const m of first.messages) assert.match(lines[m.lines.from - 1] ?? '', /^\s*\{$/);
				}
			}),
			{ numRuns: 300 },
		);
	});

	it('writes edited transcripts (pruned results, changed arguments, dropped turns plus a summary) as read back', () => {
		fc.assert(
			fc.property(chatArb, fc.nat(), fc.nat(), (chat, a, b) => {
				const first = readAny(format, chat.text);
				const starts = first.messages.flatMap((m, i) => (m.role === 'user' ? [i] : []));
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
							if (p.kind === 'toolResult') return { ...p, text: `pruned ${p.text.length}` };
							if (p.kind === 'toolCall') return { ...p, argumentsText: `{"n":${p.argumentsText.length}}` };
							return p;
						}),
					}),
				);
				const written = write({ ...first, messages: edited });
				const second = readAny(format, written);
				assert.deepEqual(visible(withoutLegacyIds(second.messages)), visible(withoutLegacyIds(edited)));
				assertValidForApi(outputMessages(written, chat.layout));
			}),
			{ numRuns: 300 },
		);
	});

	it('never throws on 10,000 random JSON values as documents, JSONL records, samples or writer input', () => {
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
					const written = write(transcript);
					assert.doesNotThrow(() => parsedOutput(written, layoutOf(transcript)));
				}
			}),
			{ numRuns: 10_000 },
		);
	});

	it('never throws on mutated documents, and writes them back unchanged', () => {
		fc.assert(
			fc.property(mutated(chatArb.map((c) => c.document)), (document) => {
				const text = JSON.stringify(document, null, 2);
				const first = readDocumentText(format, text);
				assert.ok(first.diagnostics.every((d) => d.line >= 1));
				const written = write(first);
				const second = readAny(format, written);
				assert.deepEqual(visible(second.messages), visible(first.messages));
				if (Array.isArray(document) || layoutOf(first) === 'object') {
					assert.deepEqual(JSON.parse(written), JSON.parse(text));
				}
			}),
			{ numRuns: 3_000 },
		);
	});
});

/** Legacy `function_call` ids are positional (`m<index>/function_call`): dropping messages renumbers them. */
function withoutLegacyIds(messages: readonly Message[]): Message[] {
	const legacy = (id: string): string => (id.endsWith('/function_call') ? 'legacy' : id);
	return messages.map((m) => ({
		...m,
		parts: m.parts.map((p): Part =>
			p.kind === 'toolCall' || p.kind === 'toolResult' ? { ...p, callId: legacy(p.callId) } : p,
		),
	}));
}

const emptyBody = { messages: [], passthrough: [], meta: {}, diagnostics: [] };

describe('openaiChatFormat on the corpus', () => {
	describeCorpus('openai-chat', (file) => {
		const name = file.split('/').pop() ?? file;
		it(`${name}: detected as OpenAI chat, read without diagnostics, written back unchanged`, () => {
			const text = readFileSync(file, 'utf8');
			const sample = sampleOf(file, text);
			const score = format.detect(sample)?.score;
			assert.ok(score !== undefined && score > (anthropicMessagesFormat.detect(sample)?.score ?? 0));
			const transcript = readAny(format, text);
			assert.deepEqual(transcript.diagnostics, []);
			assert.ok(transcript.messages.length > 0);
			assert.ok(transcript.messages.every((m) => m.parts.length > 0));
			const lines = text.split('\n');
			for (const m of transcript.messages) assert.match(lines[m.lines.from - 1] ?? '', /^\s*\{/);
			const layout = layoutOf(transcript);
			const written = write(transcript);
			assert.deepEqual(parsedOutput(written, layout), parsedOutput(text, layout));
			assert.deepEqual(visible(readAny(format, written).messages), visible(transcript.messages));
		});
	});
});
