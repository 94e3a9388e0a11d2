import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import fc from 'fast-check';
import type { AccumulatedTranscript, DetectionSample } from '../../../../src/core/transcript/format';
import {
	importHint,
	summaryAcknowledgement,
	summaryLeadIn,
} from '../../../../src/core/transcript/formats/copilot/exportWriter';
import { arrayItemLines } from '../../../../src/core/transcript/formats/copilot/jsonArrayLines';
import { summaryRequestIdPrefix } from '../../../../src/core/transcript/formats/copilot/requestMessages';
import {
	imagePlaceholder,
	toolResultText,
} from '../../../../src/core/transcript/formats/copilot/toolResultText';
import { copilotChatFormat } from '../../../../src/core/transcript/formats/copilotChat';
import type { Message, Part, Transcript } from '../../../../src/core/transcript/model';
import { makeFlags, noFlags } from '../../../../src/core/transcript/model';
import { JsonlTranscriptReader, makeDetectionSample } from '../../../../src/core/transcript/readTranscript';
import { pairToolCalls } from '../../../../src/core/transcript/toolPairs';
import { describeCorpus } from '../../../support/corpus';

type Json = Record<string, unknown>;

const path = '/home/me/.config/Code/User/workspaceStorage/abc/chatSessions/s1.json';

function readDocument(document: unknown, text = JSON.stringify(document, null, 2)): AccumulatedTranscript {
	const read = copilotChatFormat.readDocument;
	assert.ok(read);
	return read(document, { path, text });
}

function toTranscript(body: AccumulatedTranscript): Transcript {
	return {
		format: 'copilot-chat',
		detection: { format: 'copilot-chat', reason: 'test' },
		lineCount: 1,
		...body,
	};
}

function jsonlReader(): JsonlTranscriptReader {
	return new JsonlTranscriptReader(copilotChatFormat, 'chatSessions/s1.jsonl', {
		format: 'copilot-chat',
		reason: 'test',
	});
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

/** What the model sees of a part: everything but its raw source. */
function visible(part: Part): unknown {
	const { raw: _raw, ...rest } = part;
	if (rest.kind === 'toolResult') return { ...rest, images: rest.images.map((i) => visible(i)) };
	return rest;
}

function shape(messages: readonly Message[]): unknown[] {
	return messages.map((m) => ({ role: m.role, parts: m.parts.map(visible) }));
}

function withoutRaw(messages: readonly Message[]): unknown[] {
	return messages.map(({ raw: _raw, parts, ...rest }) => ({ ...rest, parts: parts.map(visible) }));
}

function session(requests: unknown[], extra: Json = {}): Json {
	return {
		version: 3,
		sessionId: 'session-1',
		creationDate: 1762883109992,
		lastMessageDate: 1762883917571,
		customTitle: 'A title',
		isImported: false,
		requesterUsername: 'me',
		requesterAvatarIconUri: { $mid: 1, path: '/u/1', scheme: 'https' },
		responderUsername: 'GitHub Copilot',
		responderAvatarIconUri: { id: 'copilot' },
		initialLocation: 'panel',
		requests,
		...extra,
	};
}

const promptTsxResult = {
	$mid: 20,
	content: [
		{
			$mid: 23,
			value: {
				node: {
					type: 1,
					ctor: 2,
					ctorName: 'root',
					children: [
						{ type: 2, priority: 1, text: 'first line', lineBreakBefore: false },
						{
							type: 1,
							ctor: 2,
							ctorName: 'x',
							children: [{ type: 2, priority: 1, text: 'second line', lineBreakBefore: true }],
							props: {},
							references: [],
						},
						{ type: 1, ctor: 3, ctorName: 'img', children: [], props: {}, references: [] },
						{ type: 3, value: 'opaque text' },
					],
					props: {},
					references: [],
				},
			},
		},
	],
};

const renderedPrompt =
	'<attachments>\n<attachment id="file:a.ts" filePath="/w/a.ts">\nconst a = 1;\n</attachment>\n</attachments>\n' +
	'<context>\nThe date.\n</context>\n<userRequest>\nFix the bug\n</userRequest>\n';

/** One request using every response kind the reader distinguishes. */
const everyKindRequest: Json = {
	requestId: 'request_a',
	responseId: 'response_a',
	timestamp: 1762883660019,
	modelId: 'copilot/claude-sonnet-4.5',
	message: { text: 'Fix the bug', parts: [] },
	variableData: {
		variables: [
			{
				kind: 'file',
				id: 'file:a.ts',
				name: 'file:a.ts',
				value: { $mid: 1, path: '/w/a.ts', scheme: 'file' },
			},
			{ kind: 'tool', id: 'tool-search', name: '#search' },
		],
	},
	response: [
		{ kind: 'mcpServersStarting', didStartServerIds: [] },
		{ kind: 'progressTaskSerialized', content: { value: 'Optimizing tool selection...' }, progress: [] },
		{ kind: 'thinking', value: 'Let me look.' },
		{ value: 'I will read ', supportThemeIcons: false },
		{ kind: 'inlineReference', inlineReference: { $mid: 1, path: '/w/a.ts', scheme: 'file' } },
		{ value: ' first.' },
		{
			kind: 'toolInvocationSerialized',
			toolId: 'copilot_readFile',
			toolCallId: 'inv-1',
			invocationMessage: { value: 'Reading a.ts' },
			isComplete: true,
		},
		{
			kind: 'toolInvocationSerialized',
			toolId: 'copilot_runInTerminal',
			toolCallId: 'inv-2',
			invocationMessage: { value: 'Running `npm test`' },
			isComplete: true,
			resultDetails: {
				input: 'npm test',
				output: [{ type: 'embed', isText: true, value: '1 failing' }],
				isError: true,
			},
		},
		{ kind: 'thinking', value: ['The test ', 'fails.'] },
		{ kind: 'markdownContent', content: { value: 'Here is the fix:\n' } },
		{ kind: 'codeblockUri', uri: { path: '/w/a.ts' } },
		{ kind: 'textEditGroup', uri: { path: '/w/a.ts' }, edits: [] },
		{ kind: 'markdownVuln', content: { value: '```ts\nfix()\n```' }, vulnerabilities: [] },
		{ kind: 'questionnaire', value: 'Pick one' },
		{ kind: 'undoStop', id: 'u1' },
	],
	result: {
		timings: { firstProgress: 10, totalElapsed: 20 },
		metadata: {
			toolCallRounds: [
				{
					response: 'I will read a.ts first.',
					toolCalls: [{ name: 'read_file', arguments: '{"filePath":"/w/a.ts"}', id: 'toolu_1' }],
					id: 'round-1',
				},
			],
			toolCallResults: { toolu_1: promptTsxResult },
			renderedUserMessage: [
				{ type: 1, text: renderedPrompt },
				{ type: 3, cacheType: 'ephemeral' },
			],
		},
	},
	promptTokens: 1200,
	completionTokens: 80,
};

describe('copilotChatFormat: reading requests', () => {
	it('turns every response kind into the right parts and messages', () => {
		const text = JSON.stringify(session([everyKindRequest]), null, 2);
		const body = readDocument(JSON.parse(text), text);
		assert.deepEqual(body.diagnostics, []);
		const time = new Date(1762883660019).toISOString();
		const requestLine = text.split('\n').findIndex((l) => l.includes('"requestId": "request_a"'));
		assert.equal(text.split('\n')[requestLine - 1]?.trim(), '{');
		const lines = { from: requestLine, to: requestLine };
		assert.deepEqual(withoutRaw(body.messages), [
			{
				id: 'request_a',
				role: 'user',
				flags: noFlags,
				lines,
				timestamp: time,
				parts: [
					{ kind: 'text', text: 'Fix the bug' },
					{
						kind: 'opaque',
						label: 'attachment: file:a.ts',
						text: '<attachment id="file:a.ts" filePath="/w/a.ts">\nconst a = 1;\n</attachment>',
					},
					{
						kind: 'opaque',
						label: 'copilot context',
						text: '<attachments>\n\n</attachments>\n<context>\nThe date.\n</context>\n<userRequest>\n\n</userRequest>',
					},
				],
			},
			{
				id: 'response_a',
				role: 'assistant',
				flags: noFlags,
				lines,
				timestamp: time,
				model: 'copilot/claude-sonnet-4.5',
				parts: [
					{ kind: 'thinking', text: 'Let me look.', isRedacted: false },
					{ kind: 'text', text: 'I will read a.ts first.' },
					{ kind: 'toolCall', callId: 'toolu_1', name: 'read_file', argumentsText: '{"filePath":"/w/a.ts"}' },
					{
						kind: 'toolCall',
						callId: 'inv-2',
						name: 'copilot_runInTerminal',
						argumentsText: 'Running `npm test`',
					},
				],
			},
			{
				id: 'response_a:tools:0',
				role: 'tool',
				flags: makeFlags({ isError: true }),
				lines,
				timestamp: time,
				parts: [
					{
						kind: 'toolResult',
						callId: 'toolu_1',
						text: `first line\nsecond line${imagePlaceholder}opaque text`,
						isError: false,
						images: [],
					},
					{ kind: 'toolResult', callId: 'inv-2', text: '1 failing', isError: true, images: [] },
				],
			},
			{
				id: 'response_a:1',
				role: 'assistant',
				flags: noFlags,
				lines,
				timestamp: time,
				model: 'copilot/claude-sonnet-4.5',
				usage: { inputTokens: 1200, outputTokens: 80, contextTokens: 1280 },
				parts: [
					{ kind: 'thinking', text: 'The test fails.', isRedacted: false },
					{ kind: 'text', text: 'Here is the fix:\n```ts\nfix()\n```' },
					{ kind: 'opaque', label: 'copilot questionnaire', text: 'Pick one' },
				],
			},
		]);
		assert.deepEqual(body.meta, {
			sessionId: 'session-1',
			title: 'A title',
			model: 'copilot/claude-sonnet-4.5',
		});
		const header = body.passthrough[0]?.record as Json;
		assert.equal(header['responderUsername'], 'GitHub Copilot');
		assert.equal('requests' in header, false);
		for (const message of body.messages) assert.deepEqual(message.raw, [everyKindRequest]);
	});

	it('marks failed requests, reads string prompts, leaves interrupted calls unanswered', () => {
		const failed = {
			requestId: 'request_b',
			message: 'Why?',
			response: [],
			result: { errorDetails: { message: 'Rate limited' } },
		};
		const interrupted = {
			requestId: 'request_c',
			responseId: 'response_c',
			message: { text: 'Run it' },
			response: [
				{ value: 'Running.' },
				{ kind: 'toolInvocationSerialized', toolId: 'run', toolCallId: 'c1', isComplete: false },
			],
			modelState: { value: 2 },
		};
		const summary = {
			requestId: `${summaryRequestIdPrefix}1`,
			message: { text: 'Summary: done.' },
			response: [],
		};
		const body = readDocument(session([failed, interrupted, summary]));
		const [user, error, userC, assistantC, summaryMessage, ...rest] = body.messages;
		assert.equal(rest.length, 0);
		assert.deepEqual(user?.parts.map(visible), [{ kind: 'text', text: 'Why?' }]);
		assert.equal(error?.role, 'assistant');
		assert.equal(error?.id, 'request_b:response');
		assert.equal(error?.flags.isError, true);
		assert.deepEqual(error?.parts.map(visible), [{ kind: 'opaque', label: 'copilot error', text: '' }]);
		assert.deepEqual(userC?.parts.map(visible), [{ kind: 'text', text: 'Run it' }]);
		assert.deepEqual(assistantC?.parts.map(visible), [
			{ kind: 'text', text: 'Running.' },
			{ kind: 'toolCall', callId: 'c1', name: 'run', argumentsText: '' },
		]);
		assert.equal(summaryMessage?.flags.isSummary, true);
		const pairing = pairToolCalls(body.messages);
		assert.deepEqual(
			pairing.unansweredCalls.map((c) => c.callId),
			['c1'],
		);
	});

	it("takes each round's own words and thinking when the rounds line up with the response", () => {
		const request = {
			requestId: 'r',
			responseId: 'resp',
			message: { text: 'Go' },
			response: [
				{ value: 'See ' },
				{ kind: 'inlineReference', inlineReference: { path: '/w/src/a.ts' } },
				{ value: ' now.' },
				{ kind: 'toolInvocationSerialized', toolId: 'copilot_readFile', toolCallId: 'x', isComplete: true },
				{ kind: 'inlineReference', name: 'b.ts', inlineReference: { path: '/w/b.ts' } },
			],
			result: {
				metadata: {
					toolCallRounds: [
						{
							response: 'See `src/a.ts` now.',
							thinking: { id: 't1', text: 'pondering' },
							toolCalls: [{ name: 'read_file', arguments: '{}', id: 'call_1' }],
						},
						{ response: 'Done with [b.ts](b.ts).', toolCalls: [] },
					],
					toolCallResults: { call_1: { $mid: 20, content: [{ $mid: 21, value: 'contents' }] } },
				},
			},
		};
		const body = readDocument(session([request]));
		assert.deepEqual(shape(body.messages), [
			{ role: 'user', parts: [{ kind: 'text', text: 'Go' }] },
			{
				role: 'assistant',
				parts: [
					{ kind: 'thinking', text: 'pondering', isRedacted: false },
					{ kind: 'text', text: 'See `src/a.ts` now.' },
					{ kind: 'toolCall', callId: 'call_1', name: 'read_file', argumentsText: '{}' },
				],
			},
			{
				role: 'tool',
				parts: [{ kind: 'toolResult', callId: 'call_1', text: 'contents', isError: false, images: [] }],
			},
			{ role: 'assistant', parts: [{ kind: 'text', text: 'Done with [b.ts](b.ts).' }] },
		]);
	});

	it('uses the variable name and path when the rendered prompt was not stored', () => {
		const body = readDocument(
			session([
				{
					requestId: 'r',
					message: { text: 'Look' },
					variableData: {
						variables: [
							{ kind: 'file', name: 'file:b.ts', value: { fsPath: '/w/b.ts', path: '/w/b.ts' } },
							{ kind: 'generic', name: 'selection', value: 'let b = 2;' },
						],
					},
					response: [],
				},
			]),
		);
		assert.deepEqual(body.messages[0]?.parts.map(visible), [
			{ kind: 'text', text: 'Look' },
			{ kind: 'opaque', label: 'attachment: file:b.ts', text: 'file:b.ts /w/b.ts' },
			{ kind: 'opaque', label: 'attachment: selection', text: 'selection\nlet b = 2;' },
		]);
	});

	it('keeps the global context as the system text', () => {
		const request = {
			requestId: 'r',
			message: { text: 'Hi' },
			response: [],
			result: {
				metadata: {
					renderedGlobalContext: [{ type: 1, text: '<environment_info>Linux</environment_info>' }],
				},
			},
		};
		assert.equal(
			readDocument(session([request])).meta.systemText,
			'<environment_info>Linux</environment_info>',
		);
	});

	it('reports a document without requests as an error diagnostic, not a throw', () => {
		const body = readDocument({ hello: 'world' });
		assert.equal(body.messages.length, 0);
		assert.equal(body.diagnostics[0]?.severity, 'error');
		assert.match(body.diagnostics[0]?.message ?? '', /requests/);
	});

	it('warns about requests that are not objects and reads the rest', () => {
		const body = readDocument(session([42, { requestId: 'ok', message: { text: 'fine' }, response: [] }]));
		assert.equal(body.messages.length, 1);
		assert.equal(body.diagnostics.length, 1);
		assert.match(body.diagnostics[0]?.message ?? '', /request 1 is not an object/);
	});
});

describe('toolResultText', () => {
	it('flattens text parts and prompt-tsx trees in order', () => {
		assert.equal(toolResultText(promptTsxResult), `first line\nsecond line${imagePlaceholder}opaque text`);
		assert.equal(
			toolResultText({
				content: [
					{ $mid: 21, value: 'plain' },
					{ $mid: 22, value: 'thinking is skipped' },
					{ $mid: 23, value: { node: { type: 2, text: 'tree', lineBreakBefore: false } } },
				],
			}),
			'plain\ntree',
		);
		assert.equal(toolResultText(undefined), '');
	});

	it('walks a very deep tree without overflowing the stack', () => {
		let node: unknown = { type: 2, text: 'leaf' };
		for (let i = 0; i < 200_000; i++) node = { type: 1, ctor: 2, children: [node] };
		assert.equal(toolResultText({ content: [{ $mid: 23, value: { node } }] }), 'leaf');
	});
});

describe('arrayItemLines', () => {
	it('finds the line where each item of a root key starts, ignoring nested and quoted lookalikes', () => {
		const text = [
			'{',
			'  "note": "\\"requests\\": [ {",',
			'  "nested": { "requests": [ {} ] },',
			'  "requests": [',
			'    {',
			'      "a": "}]"',
			'    },',
			'    { "b": [1, 2] }',
			'  ]',
			'}',
		].join('\n');
		assert.deepEqual(arrayItemLines(text, 'requests'), [5, 8]);
		assert.deepEqual(arrayItemLines(text, 'missing'), []);
	});

	it('agrees with JSON.stringify pretty printing for any array', () => {
		fc.assert(
			fc.property(
				fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 6 }),
				fc.string(),
				(items, key) => {
					const text = JSON.stringify({ before: key, items, after: [key] }, null, 2);
					const lines = arrayItemLines(text, 'items');
					assert.equal(lines.length, items.length);
					const source = text.split('\n');
					for (const line of lines) assert.equal(source[line - 1]?.trim().startsWith('{'), true);
				},
			),
			{ numRuns: 300 },
		);
	});
});

describe('copilotChatFormat.detect', () => {
	const sampleOf = (text: string, where = path): DetectionSample => {
		let document: unknown;
		try {
			document = JSON.parse(text) as unknown;
		} catch {
			document = undefined;
		}
		return makeDetectionSample(where, text, document);
	};

	it('claims storage, export and op-log shapes, with the path as a bonus', () => {
		const stored = copilotChatFormat.detect(sampleOf(JSON.stringify(session([]))));
		assert.ok(stored);
		assert.match(stored.reason, /session/);
		const { version: _v, sessionId: _s, ...exported } = session([]);
		const exportVerdict = copilotChatFormat.detect(sampleOf(JSON.stringify(exported), '/tmp/chat.json'));
		assert.ok(exportVerdict);
		assert.match(exportVerdict.reason, /export/);
		assert.ok(stored.score > exportVerdict.score);
		const log = jsonl([
			{ kind: 0, v: session([]) },
			{ kind: 1, k: ['customTitle'], v: 'x' },
		]);
		assert.ok(copilotChatFormat.detect(sampleOf(log)));
	});

	it('recognises a kind 0 line longer than the detection head', () => {
		const huge = JSON.stringify({
			kind: 0,
			v: session([{ requestId: 'r', message: { text: 'x'.repeat(70_000) } }]),
		});
		const head = huge.slice(0, 64 * 1024);
		const verdict = copilotChatFormat.detect(makeDetectionSample('/tmp/x.jsonl', head, undefined));
		assert.ok(verdict);
		assert.ok(verdict.score >= 80);
	});

	it('leaves other formats alone', () => {
		const others = [
			jsonl([{ type: 'user', uuid: 'u', sessionId: 's', message: { role: 'user', content: 'hi' } }]),
			JSON.stringify([{ role: 'user', content: 'hi' }]),
			JSON.stringify({ sessionId: 's', projectHash: 'p', messages: [] }),
			jsonl([{ type: 'session_meta', payload: {} }]),
			JSON.stringify({ requests: [] }),
		];
		for (const text of others)
			assert.equal(copilotChatFormat.detect(sampleOf(text, '/tmp/other.json')), undefined);
	});
});

/** A mutation log exercising all four kinds; `expected` is the object it replays to. */
function sampleLog(): { entries: unknown[]; expected: Json } {
	const first = {
		requestId: 'request_1',
		responseId: 'response_1',
		message: { text: 'hello' },
		response: [],
	};
	const second = {
		requestId: 'request_2',
		responseId: 'response_2',
		message: { text: 'more' },
		response: [],
	};
	const entries = [
		{ kind: 0, v: session([]) },
		{ kind: 2, k: ['requests'], v: [first] },
		{ kind: 2, k: ['requests', 0, 'response'], v: [{ value: 'Hi' }, { value: ' there' }, { value: ' you' }] },
		{ kind: 2, k: ['requests', 0, 'response'], v: [{ value: '!' }], i: 2 },
		{ kind: 1, k: ['requests', 0, 'result'], v: { metadata: {}, errorDetails: { message: 'x' } } },
		{ kind: 3, k: ['requests', 0, 'result', 'errorDetails'] },
		{ kind: 1, k: ['customTitle'], v: 'Greeting' },
		{ kind: 2, k: ['requests'], v: [second] },
		{ kind: 1, k: ['requests', 1, 'response'], v: [{ value: 'B answer' }] },
	];
	const expected = session(
		[
			{
				...first,
				response: [{ value: 'Hi' }, { value: ' there' }, { value: '!' }],
				result: { metadata: {} },
			},
			{ ...second, response: [{ value: 'B answer' }] },
		],
		{ customTitle: 'Greeting' },
	);
	return { entries, expected };
}

describe('copilotChatFormat: mutation log', () => {
	it('replays Initial, Set, Push (with truncation) and Delete to the same object as the JSON', () => {
		const { entries, expected } = sampleLog();
		const replayed = readJsonl(jsonl(entries));
		assert.deepEqual(replayed.diagnostics, []);
		const direct = readDocument(expected);
		assert.deepEqual(shape(replayed.messages), shape(direct.messages));
		assert.deepEqual(replayed.messages[0]?.raw, [(expected['requests'] as unknown[])[0]]);
		assert.deepEqual(replayed.meta, direct.meta);
		assert.deepEqual(
			replayed.messages.map((m) => [m.id, m.lines]),
			[
				['request_1', { from: 2, to: 6 }],
				['response_1', { from: 2, to: 6 }],
				['request_2', { from: 8, to: 9 }],
				['response_2', { from: 8, to: 9 }],
			],
		);
		assert.equal(replayed.messages[1]?.flags.isError, false);
	});

	it('re-derives only the requests a mutation touched', () => {
		const { entries } = sampleLog();
		const reader = jsonlReader();
		reader.push(Buffer.from(jsonl(entries)));
		const before = reader.snapshot().messages;
		reader.push(
			Buffer.from(jsonl([{ kind: 2, k: ['requests', 1, 'response'], v: [{ value: ' and more' }] }])),
		);
		const after = reader.snapshot().messages;
		assert.equal(after[0], before[0]);
		assert.equal(after[1], before[1]);
		assert.notEqual(after[3], before[3]);
		assert.deepEqual(after[3]?.parts.map(visible), [{ kind: 'text', text: 'B answer and more' }]);
		assert.deepEqual(after[3]?.lines, { from: 8, to: 10 });
	});

	it('leaves earlier snapshots untouched by later mutations', () => {
		const { entries } = sampleLog();
		const reader = jsonlReader();
		reader.push(Buffer.from(jsonl(entries.slice(0, 3))));
		const early = reader.snapshot();
		const earlyRaw = JSON.stringify(early.messages.map((m) => m.raw));
		reader.push(Buffer.from(jsonl(entries.slice(3))));
		reader.push(Buffer.from(jsonl([{ kind: 1, k: ['requests', 0, 'message', 'text'], v: 'changed' }])));
		assert.equal(JSON.stringify(early.messages.map((m) => m.raw)), earlyRaw);
		assert.deepEqual(early.messages[1]?.parts.map(visible), [{ kind: 'text', text: 'Hi there you' }]);
		assert.deepEqual(visible(reader.snapshot().messages[0]?.parts[0] as Part), {
			kind: 'text',
			text: 'changed',
		});
	});

	it('reports bad lines and mutations by line number and keeps reading', () => {
		const text = [
			JSON.stringify({ kind: 1, k: ['customTitle'], v: 'too early' }),
			JSON.stringify({ kind: 0, v: session([{ requestId: 'r', message: { text: 'one' }, response: [] }]) }),
			'{"kind": 2, "k": ["requests", 0',
			JSON.stringify({ kind: 2, k: ['requests', 5, 'response'], v: [] }),
			JSON.stringify({ kind: 2, k: ['customTitle'], v: [] }),
			JSON.stringify({ kind: 9, k: ['x'] }),
			JSON.stringify({ kind: 1, k: ['__proto__', 'polluted'], v: true }),
			JSON.stringify(['not', 'an', 'entry']),
			JSON.stringify({ kind: 2, k: ['requests', 0, 'response'], v: [{ value: 'still read' }] }),
			'{"kind": 2, "k": ["requests", 0, "respo',
		].join('\n');
		const transcript = readJsonl(text);
		assert.deepEqual(
			transcript.diagnostics.map((d) => d.line),
			[3, 1, 4, 5, 6, 7, 8],
		);
		assert.match(transcript.diagnostics[0]?.message ?? '', /invalid JSON/);
		assert.match(transcript.diagnostics[1]?.message ?? '', /before the initial/);
		assert.equal(({} as Json)['polluted'], undefined);
		assert.deepEqual(transcript.messages[1]?.parts.map(visible), [{ kind: 'text', text: 'still read' }]);
		assert.equal(transcript.lineCount, 10);
	});

	it('ignores a half-written last line while streaming and at the end', () => {
		const { entries } = sampleLog();
		const reader = jsonlReader();
		reader.push(Buffer.from(jsonl(entries) + '{"kind": 1, "k": ["customTitle"], "v": "hal'));
		assert.equal(reader.snapshot().meta.title, 'Greeting');
		const result = reader.finish();
		assert.ok(result.ok);
		assert.equal(result.transcript.meta.title, 'Greeting');
		assert.equal(result.transcript.messages.length, 4);
	});

	it('reads a log of one initial line that parses as a whole JSON document', () => {
		const body = readDocument({ kind: 0, v: session([everyKindRequest]) }, '');
		assert.equal(body.messages.length, 4);
		assert.deepEqual(body.messages[0]?.lines, { from: 1, to: 1 });
	});

	it('gives the same transcript however the bytes arrive, with snapshots in between', () => {
		const { entries } = sampleLog();
		const bytes = Buffer.from(
			jsonl([...entries, { kind: 0, v: session([everyKindRequest]) }, ...entries.slice(1)]),
		);
		const whole = readJsonl(bytes.toString());
		fc.assert(
			fc.property(fc.array(fc.nat(bytes.length), { maxLength: 12 }), (cuts) => {
				const reader = jsonlReader();
				let at = 0;
				for (const cut of [...cuts].sort((a, b) => a - b)) {
					reader.push(bytes.subarray(at, cut));
					at = cut;
					reader.snapshot();
				}
				reader.push(bytes.subarray(at));
				const result = reader.finish();
				assert.ok(result.ok);
				assert.deepEqual(withoutRaw(result.transcript.messages), withoutRaw(whole.messages));
				assert.deepEqual(result.transcript.diagnostics, whole.diagnostics);
			}),
			{ numRuns: 200 },
		);
	});

	it('builds the same messages incrementally as a fresh replay of each prefix', () => {
		fc.assert(
			fc.property(fc.array(mutationArb, { maxLength: 14 }), (mutations) => {
				const entries = [
					{ kind: 0, v: session([{ requestId: 'r0', message: { text: 'start' }, response: [] }]) },
					...mutations,
				];
				const reader = jsonlReader();
				entries.forEach((entry, i) => {
					reader.push(Buffer.from(`${JSON.stringify(entry)}\n`));
					const incremental = reader.snapshot();
					const fresh = readJsonl(jsonl(entries.slice(0, i + 1)));
					assert.deepEqual(withoutRaw(incremental.messages), withoutRaw(fresh.messages));
					assert.deepEqual(incremental.meta, fresh.meta);
				});
			}),
			{ numRuns: 300 },
		);
	});
});

const segmentArb = fc.constantFrom<(string | number)[]>(
	['requests'],
	['requests', 0],
	['requests', 1],
	['requests', 0, 'response'],
	['requests', 1, 'response'],
	['requests', 0, 'message', 'text'],
	['requests', 0, 'result'],
	['requests', 0, 'result', 'metadata'],
	['customTitle'],
	['requests', 0, 'response', 0],
);
const itemArb = fc.oneof(
	fc.record({ value: fc.string({ maxLength: 6 }) }),
	fc.record({ kind: fc.constant('thinking'), value: fc.string({ maxLength: 6 }) }),
	fc.record({
		kind: fc.constant('toolInvocationSerialized'),
		toolId: fc.constant('t'),
		toolCallId: fc.constantFrom('a', 'b'),
		isComplete: fc.boolean(),
	}),
	fc.record({
		requestId: fc.constantFrom('x', 'y'),
		message: fc.record({ text: fc.string({ maxLength: 4 }) }),
		response: fc.constant([]),
	}),
);
const mutationArb = fc.oneof(
	fc.record({
		kind: fc.constant(1),
		k: segmentArb,
		v: fc.oneof(itemArb, fc.array(itemArb, { maxLength: 3 }), fc.string()),
	}),
	fc.record(
		{ kind: fc.constant(2), k: segmentArb, v: fc.array(itemArb, { maxLength: 3 }), i: fc.nat(3) },
		{ requiredKeys: ['kind', 'k'] },
	),
	fc.record({ kind: fc.constant(3), k: segmentArb }),
);

describe('copilotChatFormat: fuzz', () => {
	it('never throws on mutated documents (6,000 cases)', () => {
		const base = session([everyKindRequest, { requestId: 'b', message: 'x', response: [{ value: 'y' }] }]);
		fc.assert(
			fc.property(
				fc.array(fc.tuple(fc.array(fc.nat(20), { maxLength: 6 }), fc.anything()), { maxLength: 4 }),
				(edits) => {
					const document = structuredClone(base);
					for (const [route, value] of edits) setAlong(document, route, value);
					const body = readDocument(document);
					pairToolCalls(body.messages);
					copilotChatFormat.write?.(toTranscript(body), {});
				},
			),
			{ numRuns: 6000 },
		);
	});

	it('never throws on arbitrary mutation logs (5,000 cases)', () => {
		fc.assert(
			fc.property(
				fc.array(
					fc.oneof(
						mutationArb,
						fc.record({
							kind: fc.integer({ min: -1, max: 5 }),
							k: fc.anything(),
							v: fc.anything(),
							i: fc.anything(),
						}),
						fc.anything(),
					),
					{
						maxLength: 10,
					},
				),
				(entries) => {
					const reader = jsonlReader();
					reader.push(Buffer.from(jsonl([{ kind: 0, v: session([everyKindRequest]) }])));
					for (const entry of entries) {
						reader.push(Buffer.from(`${JSON.stringify(entry) ?? 'null'}\n`));
						reader.snapshot();
					}
					const result = reader.finish();
					assert.ok(result.ok);
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

describe('copilotChatFormat.write (export)', () => {
	const writeText = (transcript: Transcript): string => {
		const write = copilotChatFormat.write;
		assert.ok(write);
		const written = write(transcript, { now: '2026-01-02T03:04:05.000Z' });
		assert.equal(written.resumeHint, importHint);
		return written.text;
	};

	it('copies unchanged requests verbatim and drops store-only fields', () => {
		const source = session([everyKindRequest]);
		const text = writeText(toTranscript(readDocument(source)));
		const exported = JSON.parse(text) as Json;
		assert.deepEqual(Object.keys(exported).sort(), [
			'initialLocation',
			'requesterAvatarIconUri',
			'requesterUsername',
			'requests',
			'responderAvatarIconUri',
			'responderUsername',
		]);
		assert.deepEqual(exported['requests'], [everyKindRequest]);
		const detected = copilotChatFormat.detect(makeDetectionSample('/tmp/x.json', text, exported));
		assert.match(detected?.reason ?? '', /export/);
	});

	it('writes a summary as one request with a lead-in and an acknowledgement', () => {
		const body = readDocument(
			session([
				everyKindRequest,
				{ requestId: 'tail', message: { text: 'Next?' }, response: [{ value: 'Sure.' }] },
			]),
		);
		const summary: Message = {
			id: 'summary',
			role: 'user',
			parts: [{ kind: 'text', text: 'We fixed a.ts.' }],
			flags: makeFlags({ isSummary: true }),
			lines: { from: 1, to: 1 },
			raw: [],
		};
		const compacted = toTranscript({ ...body, messages: [summary, ...body.messages.slice(4)] });
		const reread = readDocument(JSON.parse(writeText(compacted)));
		assert.deepEqual(shape(reread.messages), [
			{ role: 'user', parts: [{ kind: 'text', text: `${summaryLeadIn}We fixed a.ts.` }] },
			{ role: 'assistant', parts: [{ kind: 'text', text: summaryAcknowledgement }] },
			...shape(body.messages.slice(4)),
		]);
		assert.equal(reread.messages[0]?.flags.isSummary, true);
		assert.equal(reread.messages[2]?.id, 'tail');
		// Our own summary, read back and written again, is copied as it is.
		const again = readDocument(JSON.parse(writeText(toTranscript(reread))));
		assert.deepEqual(shape(again.messages), shape(reread.messages));
	});

	it('rebuilds a request whose tool result was pruned, keeping ids and the rest', () => {
		const body = readDocument(session([everyKindRequest]));
		const messages = body.messages.map((m) =>
			m.role !== 'tool'
				? m
				: {
						...m,
						parts: m.parts.map((p) =>
							p.kind === 'toolResult' && p.callId === 'toolu_1' ? { ...p, text: '[pruned]' } : p,
						),
					},
		);
		const reread = readDocument(JSON.parse(writeText(toTranscript({ ...body, messages }))));
		assert.deepEqual(shape(reread.messages), shape(messages));
		assert.deepEqual(
			reread.messages.map((m) => m.id),
			body.messages.map((m) => m.id),
		);
		assert.equal(reread.messages[2]?.flags.isError, true);
	});

	it('writes a transcript from another format as new requests', () => {
		const message = (id: string, role: Message['role'], parts: Part[]): Message => ({
			id,
			role,
			parts,
			flags: noFlags,
			lines: { from: 1, to: 1 },
			raw: [{ foreign: true }],
		});
		const foreign: Transcript = {
			format: 'openai-chat',
			detection: { format: 'openai-chat', reason: 'test' },
			messages: [
				message('1', 'user', [{ kind: 'text', text: 'List files' }]),
				message('2', 'assistant', [{ kind: 'toolCall', callId: 'call_1', name: 'ls', argumentsText: '{}' }]),
				message('3', 'tool', [
					{ kind: 'toolResult', callId: 'call_1', text: 'a.ts', isError: false, images: [] },
				]),
				message('4', 'assistant', [{ kind: 'text', text: 'One file.' }]),
				message('5', 'user', [{ kind: 'text', text: 'Thanks' }]),
			],
			passthrough: [],
			meta: {},
			diagnostics: [],
			lineCount: 5,
		};
		const exported = JSON.parse(writeText(foreign)) as Json;
		assert.equal(exported['responderUsername'], 'GitHub Copilot');
		assert.equal((exported['requests'] as unknown[]).length, 2);
		const reread = readDocument(exported);
		assert.deepEqual(shape(reread.messages), shape(foreign.messages));
	});

	it('round-trips generated sessions through compaction-like edits (property)', () => {
		fc.assert(
			fc.property(sessionArb, editArb, (requests, edit) => {
				const body = readDocument(session(requests));
				const edited = applyEdit(body.messages, edit);
				const reread = readDocument(
					JSON.parse(writeText(toTranscript({ ...body, messages: edited.messages }))),
				);
				assert.deepEqual(shape(reread.messages), edited.expected);
			}),
			{ numRuns: 400 },
		);
	});
});

interface Edit {
	readonly summaryCut: number;
	readonly pruneEvery: number;
	readonly dropRequest: number;
}

const editArb: fc.Arbitrary<Edit> = fc.record({
	summaryCut: fc.nat(12),
	pruneEvery: fc.integer({ min: 0, max: 3 }),
	dropRequest: fc.integer({ min: -1, max: 4 }),
});

/** Applies compaction-like edits and returns what a re-read must show. */
function applyEdit(messages: readonly Message[], edit: Edit): { messages: Message[]; expected: unknown[] } {
	const requestOf = (m: Message): unknown => m.raw[0];
	const requests = [...new Set(messages.map(requestOf))];
	const dropped = requests[edit.dropRequest];
	let kept = messages.filter((m) => requestOf(m) !== dropped);
	let cut = Math.min(edit.summaryCut, kept.length);
	while (cut < kept.length && kept[cut]?.role === 'tool') cut++;
	let counter = 0;
	kept = kept.map((m) => {
		if (m.role !== 'tool' || edit.pruneEvery === 0) return m;
		return {
			...m,
			parts: m.parts.map((p) =>
				p.kind === 'toolResult' && counter++ % edit.pruneEvery === 0 ? { ...p, text: '[pruned]' } : p,
			),
		};
	});
	const summaryText = 'Earlier work, summarised.';
	const summary: Message = {
		id: 'summary',
		role: 'user',
		parts: [{ kind: 'text', text: summaryText }],
		flags: makeFlags({ isSummary: true }),
		lines: { from: 1, to: 1 },
		raw: [],
	};
	const tail = kept.slice(cut);
	const result = cut > 0 ? [summary, ...tail] : tail;
	const expected =
		cut > 0
			? [
					{ role: 'user', parts: [{ kind: 'text', text: `${summaryLeadIn}${summaryText}` }] },
					{ role: 'assistant', parts: [{ kind: 'text', text: summaryAcknowledgement }] },
					...shape(tail),
				]
			: shape(tail);
	return { messages: result, expected };
}

const wordArb = fc.string({ minLength: 1, maxLength: 8 });

const sessionArb: fc.Arbitrary<Json[]> = fc
	.array(
		fc.record({
			prompt: fc.string({ maxLength: 8 }),
			items: fc.array(fc.oneof(fc.constant('text'), fc.constant('thinking'), fc.constant('tool')), {
				maxLength: 7,
			}),
			words: fc.array(wordArb, { minLength: 7, maxLength: 7 }),
			failed: fc.boolean(),
		}),
		{ minLength: 1, maxLength: 4 },
	)
	.map((specs) =>
		specs.map((spec, r): Json => {
			const response: unknown[] = [];
			const rounds: Json[] = [];
			const results: Json = {};
			spec.items.forEach((item, k) => {
				const word = spec.words[k] ?? 'w';
				if (item === 'text') response.push({ value: word });
				else if (item === 'thinking') response.push({ kind: 'thinking', value: word });
				else {
					const id = `call-${r}-${k}`;
					response.push({
						kind: 'toolInvocationSerialized',
						toolId: `tool_${k}`,
						toolCallId: id,
						isComplete: true,
					});
					rounds.push({
						response: '',
						toolCalls: [{ name: `tool${k}`, arguments: `{"n":${k}}`, id }],
						id: `round-${k}`,
					});
					results[id] = { $mid: 20, content: [{ $mid: 21, value: `${word} result` }] };
				}
			});
			return {
				requestId: `request_${r}`,
				responseId: `response_${r}`,
				message: { text: spec.prompt, parts: [] },
				response,
				result: {
					metadata: { toolCallRounds: rounds, toolCallResults: results },
					...(spec.failed ? { errorDetails: { message: 'failed' } } : {}),
				},
			};
		}),
	);

describe('copilotChatFormat: corpus', () => {
	describeCorpus('copilot-chat', (file) => {
		const text = readFileSync(file, 'utf8');
		const document = JSON.parse(text) as Json;

		it(`${basename(file)}: is detected and reads 3 requests into 22 messages with every tool call answered`, () => {
			const verdict = copilotChatFormat.detect(makeDetectionSample(file, text.slice(0, 64 * 1024), document));
			assert.match(verdict?.reason ?? '', /session/);
			const body = readDocument(document, text);
			assert.deepEqual(body.diagnostics, []);
			assert.equal(body.messages.length, 22);
			assert.deepEqual(
				body.messages.filter((m) => m.role === 'user').map((m) => m.lines.from),
				[17, 13681, 31765],
			);
			assert.deepEqual(body.messages.map((m) => m.role[0]).join(''), 'uatatatauatatatauatata');
			const pairing = pairToolCalls(body.messages);
			assert.equal(pairing.pairs.length, 13);
			assert.deepEqual(pairing.unansweredCalls, []);
			assert.deepEqual(pairing.orphanResults, []);
			assert.deepEqual([...new Set(pairing.pairs.map((p) => p.name))].sort(), ['grep_search', 'read_file']);
			assert.deepEqual(body.meta.title, 'Adding a debug option to the application');
			assert.equal(body.meta.model, 'generic-copilot/litellm/anthropic/claude-haiku-4.5');
			assert.match(body.meta.systemText ?? '', /^<environment_info>/);
			const attachments = body.messages
				.flatMap((m) => m.parts)
				.filter((p) => p.kind === 'opaque' && p.label.startsWith('attachment'));
			assert.equal(attachments.length, 2);
			for (const part of attachments) assert.match('text' in part ? part.text : '', /^<attachment id="file:/);
		});

		it(`${basename(file)}: tool calls carry the model's arguments and results from the rounds`, () => {
			const body = readDocument(document, text);
			const requests = document['requests'] as Json[];
			const calls = body.messages.flatMap((m) => m.parts).filter((p) => p.kind === 'toolCall');
			const roundCalls = requests.flatMap((r) =>
				(
					(r['result'] as Json)['metadata'] as { toolCallRounds: { toolCalls: Json[] }[] }
				).toolCallRounds.flatMap((round) => round.toolCalls),
			);
			assert.deepEqual(
				calls.map((c) => (c.kind === 'toolCall' ? [c.callId, c.name, c.argumentsText] : [])),
				roundCalls.map((c) => [c['id'], c['name'], c['arguments']]),
			);
			const results = body.messages.flatMap((m) => m.parts).filter((p) => p.kind === 'toolResult');
			for (const result of results) assert.ok('text' in result && result.text.length > 0);
			// Each assistant message says exactly what its round recorded the model writing.
			const assistants = body.messages.filter((m) => m.role === 'assistant');
			const rounds = requests.flatMap(
				(r) =>
					((r['result'] as Json)['metadata'] as { toolCallRounds: { response: string }[] }).toolCallRounds,
			);
			assert.equal(assistants.length, rounds.length);
			assistants.forEach((message, i) => {
				const said = message.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
				assert.equal(said, rounds[i]?.response);
			});
		});

		it(`${basename(file)}: replays as a mutation log to the same messages`, () => {
			const { requests, ...rest } = document;
			const entries: unknown[] = [{ kind: 0, v: { ...rest, requests: [] } }];
			for (const [index, request] of (requests as Json[]).entries()) {
				const { response, result, ...head } = request;
				entries.push({ kind: 2, k: ['requests'], v: [{ ...head, response: [] }] });
				for (const item of response as unknown[])
					entries.push({ kind: 2, k: ['requests', index, 'response'], v: [item] });
				entries.push({ kind: 1, k: ['requests', index, 'result'], v: result });
			}
			const replayed = readJsonl(jsonl(entries));
			assert.deepEqual(replayed.diagnostics, []);
			assert.deepEqual(shape(replayed.messages), shape(readDocument(document, text).messages));
			assert.deepEqual(replayed.meta, readDocument(document, text).meta);
		});

		it(`${basename(file)}: round-trips read -> write -> read with the same model-visible parts`, () => {
			const body = readDocument(document, text);
			const write = copilotChatFormat.write;
			assert.ok(write);
			const written = write(toTranscript(body), {});
			const exported = JSON.parse(written.text) as Json;
			assert.deepEqual(exported['requests'], document['requests']);
			const reread = readDocument(exported, written.text);
			assert.deepEqual(shape(reread.messages), shape(body.messages));
			// A compacted copy: the first request summarised, one result pruned.
			const edited = applyEdit(body.messages, { summaryCut: 8, pruneEvery: 2, dropRequest: -1 });
			const compacted = write(toTranscript({ ...body, messages: edited.messages }), {});
			assert.deepEqual(shape(readDocument(JSON.parse(compacted.text)).messages), edited.expected);
		});

		it(`${basename(file)}: reads the 2 MB document quickly`, () => {
			const started = performance.now();
			for (let i = 0; i < 5; i++) readDocument(JSON.parse(text) as unknown, text);
			const perRead = (performance.now() - started) / 5;
			assert.ok(perRead < 250, `${perRead.toFixed(1)} ms per read`);
		});
	});
});
