import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import fc from 'fast-check';
import { codexFormat } from '../../../../src/core/transcript/formats/codex';
import { codexSummaryPrefix } from '../../../../src/core/transcript/formats/codex/summaryPrefix';
import { makeDetectionSample, JsonlTranscriptReader } from '../../../../src/core/transcript/readTranscript';
import {
	makeFlags,
	messagesInWindow,
	type Message,
	type Part,
	type Transcript,
} from '../../../../src/core/transcript/model';
import { pairToolCalls } from '../../../../src/core/transcript/toolPairs';
import { describeCorpus } from '../../../support/corpus';

// ---------------------------------------------------------------------------------------------------------
// Fixture helpers (hand-written records in the shapes FORMATS.md §2 describes)

type Json = Record<string, unknown>;

const stamp = (n: number): string =>
	`2026-05-12T10:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.000Z`;
const envelope = (type: string, payload: unknown, n = 0): Json => ({ timestamp: stamp(n), type, payload });
const item = (payload: Json, n = 0): Json => envelope('response_item', payload, n);
const event = (payload: Json, n = 0): Json => envelope('event_msg', payload, n);
const sessionMeta = (over: Json = {}): Json =>
	envelope('session_meta', {
		id: 'sess-1',
		timestamp: stamp(0),
		cwd: '/home/dev/project',
		originator: 'codex_cli_rs',
		cli_version: '0.129.0',
		source: 'cli',
		model_provider: 'fake-provider',
		base_instructions: { text: 'You are a coding agent.' },
		...over,
	});
const turnContext = (model: string, turnId = 'turn-1'): Json =>
	envelope('turn_context', { turn_id: turnId, cwd: '/home/dev/project', model });
const userText = (text: string): Json =>
	item({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const assistantText = (text: string): Json =>
	item({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
const call = (callId: string, name: string, args: string): Json =>
	item({ type: 'function_call', name, arguments: args, call_id: callId });
const output = (callId: string, out: unknown): Json =>
	item({ type: 'function_call_output', call_id: callId, output: out });
const tokenCount = (input: number, out: number, window: number | null = 258400): Json =>
	event({
		type: 'token_count',
		info: {
			total_token_usage: { input_tokens: input * 2, output_tokens: out * 2, total_tokens: (input + out) * 2 },
			last_token_usage: {
				input_tokens: input,
				cached_input_tokens: 0,
				output_tokens: out,
				total_tokens: input + out,
			},
			...(window !== null ? { model_context_window: window } : {}),
		},
		rate_limits: null,
	});

function jsonl(records: readonly unknown[]): string {
	return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}

function newReader(path = 'rollout-test.jsonl'): JsonlTranscriptReader {
	return new JsonlTranscriptReader(codexFormat, path, { format: 'codex', reason: 'test' });
}

function readText(text: string): Transcript {
	const reader = newReader();
	reader.push(Buffer.from(text));
	const result = reader.finish();
	assert.ok(result.ok, result.ok ? '' : result.failure.message);
	return result.transcript;
}

const read = (records: readonly unknown[]): Transcript => readText(jsonl(records));

function texts(message: Message | undefined): string[] {
	assert.ok(message, 'message expected');
	return message.parts.map((p) =>
		p.kind === 'text' || p.kind === 'thinking' || p.kind === 'opaque' ? p.text : '',
	);
}

/** What the model sees of a part: everything but the source block. */
function visible(part: Part): unknown {
	switch (part.kind) {
		case 'text':
			return { kind: part.kind, text: part.text };
		case 'thinking':
			return { kind: part.kind, text: part.text, isRedacted: part.isRedacted };
		case 'toolCall':
			return { kind: part.kind, callId: part.callId, name: part.name, argumentsText: part.argumentsText };
		case 'toolResult':
			return {
				kind: part.kind,
				callId: part.callId,
				text: part.text,
				isError: part.isError,
				images: part.images.map(visible),
			};
		case 'image':
			return {
				kind: part.kind,
				mediaType: part.mediaType,
				byteLength: part.byteLength,
				widthPx: part.widthPx,
				heightPx: part.heightPx,
			};
		case 'opaque':
			return { kind: part.kind, label: part.label, text: part.text };
	}
}

const visibleMessages = (messages: readonly Message[]): unknown[] =>
	messages.map((m) => ({ role: m.role, isMeta: m.flags.isMeta, parts: m.parts.map(visible) }));

/** Tiny but valid image headers: enough bytes for the size fields. */
function pngBytes(width: number, height: number): Buffer {
	const b = Buffer.alloc(33);
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
	b.writeUInt32BE(13, 8);
	b.write('IHDR', 12, 'latin1');
	b.writeUInt32BE(width, 16);
	b.writeUInt32BE(height, 20);
	b[24] = 8;
	b[25] = 6;
	return b;
}

function jpegBytes(width: number, height: number, paddingSegments = 0): Buffer {
	const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
	const padding = Array.from({ length: paddingSegments }, () => {
		const seg = Buffer.alloc(4 + 60000);
		seg[0] = 0xff;
		seg[1] = 0xe1;
		seg.writeUInt16BE(60002, 2);
		return seg;
	});
	const sof = Buffer.alloc(19);
	sof[0] = 0xff;
	sof[1] = 0xc0;
	sof.writeUInt16BE(17, 2);
	sof[4] = 8;
	sof.writeUInt16BE(height, 5);
	sof.writeUInt16BE(width, 7);
	sof[9] = 3;
	return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, ...padding, sof, Buffer.from([0xff, 0xd9])]);
}

const dataUrl = (mediaType: string, bytes: Buffer): string =>
	`data:${mediaType};base64,${bytes.toString('base64')}`;

// ---------------------------------------------------------------------------------------------------------

describe('codexFormat', () => {
	it('is the Codex CLI rollout JSONL format with a reader and a writer', () => {
		assert.equal(codexFormat.id, 'codex');
		assert.equal(codexFormat.label, 'Codex CLI rollout');
		assert.equal(codexFormat.isJsonl, true);
		assert.equal(typeof codexFormat.createAccumulator, 'function');
		assert.equal(typeof codexFormat.write, 'function');
	});

	describe('detect', () => {
		const sample = (path: string, text: string) => makeDetectionSample(path, text, undefined);

		it('claims the current envelope on any of its first lines, more surely under a Codex path', () => {
			const text = jsonl([{ note: 'unrelated' }, userText('hi')]);
			const plain = codexFormat.detect(sample('/tmp/x.jsonl', text));
			const hinted = codexFormat.detect(sample('/home/a/.codex/sessions/2026/05/12/rollout-x.jsonl', text));
			assert.ok(plain && hinted);
			assert.ok(hinted.score > plain.score);
			assert.match(plain.reason, /response_item/);
		});

		it('claims a legacy first line {id, timestamp, instructions} and record_type state lines', () => {
			const header = jsonl([{ id: 'abc', timestamp: stamp(0), instructions: 'be nice', git: null }]);
			assert.match(codexFormat.detect(sample('a.jsonl', header))?.reason ?? '', /legacy/);
			const state = jsonl([{ type: 'message', role: 'user', content: [] }, { record_type: 'state' }]);
			assert.match(codexFormat.detect(sample('a.jsonl', state))?.reason ?? '', /record_type/);
		});

		it('recognises a session_meta line longer than the detection head from its start', () => {
			const huge = JSON.stringify(sessionMeta({ base_instructions: { text: 'x'.repeat(70_000) } }));
			const head = huge.slice(0, 64 * 1024);
			assert.ok((codexFormat.detect(sample('a.jsonl', head))?.score ?? 0) >= 80);
		});

		it('declines other formats and gives only a weak verdict on a path hint alone', () => {
			const claude = jsonl([
				{
					type: 'user',
					uuid: 'u1',
					parentUuid: null,
					sessionId: 's',
					message: { role: 'user', content: 'hi' },
				},
			]);
			assert.equal(codexFormat.detect(sample('/tmp/session.jsonl', claude)), undefined);
			assert.equal(codexFormat.detect(sample('/tmp/chat.json', '{"messages":[]}')), undefined);
			const weak = codexFormat.detect(sample('/x/rollout-2026-05-12T10-00-00-abc.jsonl', claude));
			assert.ok(weak && weak.score < 50);
		});
	});

	describe('reading the rollout envelope', () => {
		it('takes session facts from session_meta and the latest model from turn_context', () => {
			const t = read([
				sessionMeta({ context_window: 200000 }),
				turnContext('gpt-a'),
				userText('hello'),
				assistantText('one'),
				turnContext('gpt-b', 'turn-2'),
				assistantText('two'),
				event({ type: 'thread_name_updated', thread_name: 'Fix the build' }),
			]);
			assert.deepEqual(t.meta, {
				sessionId: 'sess-1',
				cwd: '/home/dev/project',
				systemText: 'You are a coding agent.',
				contextWindow: 200000,
				model: 'gpt-b',
				title: 'Fix the build',
			});
			assert.equal(t.messages[1]?.model, 'gpt-a');
			assert.equal(t.messages[2]?.model, 'gpt-b');
			assert.equal(t.messages[2]?.phaseId, 'turn-2');
			assert.equal(t.messages[0]?.model, undefined, 'only assistant messages name a model');
			assert.deepEqual(
				t.passthrough.map((p) => p.line),
				[1, 2, 5, 7],
			);
			assert.equal(t.lineCount, 7);
			assert.deepEqual(t.diagnostics, []);
		});

		it('reads message items of every role with their content parts, one message per line', () => {
			const t = read([
				item({
					type: 'message',
					role: 'developer',
					content: [{ type: 'input_text', text: '<permissions instructions>x' }],
				}),
				item({ type: 'message', role: 'system', content: [{ type: 'input_text', text: 'sys' }] }),
				item({
					type: 'message',
					id: 'msg_7',
					role: 'user',
					content: [
						{ type: 'input_text', text: 'a' },
						{ type: 'input_text', text: 'b' },
					],
				}),
				item({
					type: 'message',
					role: 'assistant',
					content: [
						{ type: 'output_text', text: 'done' },
						{ type: 'refusal', refusal: 'no' },
					],
				}),
			]);
			assert.deepEqual(
				t.messages.map((m) => [m.role, m.lines.from, m.id]),
				[
					['developer', 1, 'codex-L1'],
					['system', 2, 'codex-L2'],
					['user', 3, 'msg_7'],
					['assistant', 4, 'codex-L4'],
				],
			);
			assert.deepEqual(texts(t.messages[2]), ['a', 'b']);
			assert.deepEqual(texts(t.messages[3]), ['done', 'no']);
			assert.equal(t.messages[2]?.timestamp, stamp(0));
			assert.deepEqual(t.messages[2]?.raw, [
				item({
					type: 'message',
					id: 'msg_7',
					role: 'user',
					content: [
						{ type: 'input_text', text: 'a' },
						{ type: 'input_text', text: 'b' },
					],
				}),
			]);
			assert.ok(t.messages.every((m) => m.flags.isMeta === (m.role === 'developer' || m.role === 'system')));
		});

		it('flags injected context messages as meta, and only those', () => {
			const t = read([
				userText('<environment_context>\n  <cwd>/w</cwd>\n</environment_context>'),
				userText('# AGENTS.md instructions for /w\n\nrules'),
				userText('  <permissions instructions>sandboxed'),
				userText('<user_instructions>be brief</user_instructions>'),
				item({
					type: 'message',
					role: 'developer',
					content: [{ type: 'input_text', text: 'collaboration mode' }],
				}),
				userText('please fix <environment_context> handling'),
				assistantText('<environment_context> is a tag'),
			]);
			assert.deepEqual(
				t.messages.map((m) => m.flags.isMeta),
				[true, true, true, true, true, false, false],
			);
		});

		it('measures data-URL images (bytes and pixels) and keeps other images with byteLength 0', () => {
			const png = pngBytes(3, 2);
			const jpeg = jpegBytes(640, 480);
			const bigJpeg = jpegBytes(1024, 768, 2);
			const t = read([
				item({
					type: 'message',
					role: 'user',
					content: [
						{ type: 'input_text', text: 'look' },
						{ type: 'input_image', image_url: dataUrl('image/png', png) },
						{ type: 'input_image', image_url: dataUrl('image/jpeg', jpeg) },
						{ type: 'input_image', image_url: dataUrl('image/jpeg', bigJpeg) },
						{ type: 'input_image', image_url: 'https://example.invalid/shot.png' },
						{ type: 'input_image', image_url: null, detail: 'auto' },
					],
				}),
			]);
			const images = t.messages[0]?.parts.filter((p) => p.kind === 'image').map(visible);
			assert.deepEqual(images, [
				{ kind: 'image', mediaType: 'image/png', byteLength: png.length, widthPx: 3, heightPx: 2 },
				{ kind: 'image', mediaType: 'image/jpeg', byteLength: jpeg.length, widthPx: 640, heightPx: 480 },
				{ kind: 'image', mediaType: 'image/jpeg', byteLength: bigJpeg.length, widthPx: 1024, heightPx: 768 },
				{ kind: 'image', mediaType: 'image/png', byteLength: 0, widthPx: undefined, heightPx: undefined },
				{ kind: 'image', mediaType: 'image/unknown', byteLength: 0, widthPx: undefined, heightPx: undefined },
			]);
		});

		it('reads reasoning as assistant thinking: summaries joined, encrypted-only as redacted', () => {
			const t = read([
				item({
					type: 'reasoning',
					summary: [
						{ type: 'summary_text', text: 'first' },
						{ type: 'summary_text', text: 'second' },
					],
					encrypted_content: 'gAAA',
				}),
				item({ type: 'reasoning', summary: [], content: null, encrypted_content: 'gAAAAB' }),
				item({ type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'raw thoughts' }] }),
			]);
			assert.deepEqual(
				t.messages.map((m) => [m.role, ...m.parts.map(visible)]),
				[
					['assistant', { kind: 'thinking', text: 'first\n\nsecond', isRedacted: false }],
					['assistant', { kind: 'thinking', text: '', isRedacted: true }],
					['assistant', { kind: 'thinking', text: 'raw thoughts', isRedacted: false }],
				],
			);
		});

		it('joins function calls and outputs by call_id, with older {content, success} outputs', () => {
			const t = read([
				call('c1', 'exec_command', '{"cmd":"ls"}'),
				output('c1', 'a.txt\n'),
				call('c2', 'exec_command', '{"cmd":"false"'),
				output('c2', { content: 'exit 1', success: false }),
				output('c3', [
					{ type: 'input_text', text: 'shot:' },
					{ type: 'input_image', image_url: dataUrl('image/png', pngBytes(5, 4)) },
				]),
				output('c4', { type: 'input_text', text: 'single item' }),
			]);
			assert.deepEqual(visible(t.messages[0]?.parts[0] as Part), {
				kind: 'toolCall',
				callId: 'c1',
				name: 'exec_command',
				argumentsText: '{"cmd":"ls"}',
			});
			assert.equal(t.messages[1]?.role, 'tool');
			assert.deepEqual(visible(t.messages[1]?.parts[0] as Part), {
				kind: 'toolResult',
				callId: 'c1',
				text: 'a.txt\n',
				isError: false,
				images: [],
			});
			assert.equal(
				(t.messages[2]?.parts[0] as { argumentsText: string }).argumentsText,
				'{"cmd":"false"',
				'invalid JSON kept as written',
			);
			assert.deepEqual(visible(t.messages[3]?.parts[0] as Part), {
				kind: 'toolResult',
				callId: 'c2',
				text: 'exit 1',
				isError: true,
				images: [],
			});
			assert.equal(t.messages[3]?.flags.isError, true);
			const withImage = t.messages[4]?.parts[0];
			assert.ok(withImage?.kind === 'toolResult');
			assert.equal(withImage.text, 'shot:');
			assert.deepEqual(withImage.images.map(visible), [
				{ kind: 'image', mediaType: 'image/png', byteLength: 33, widthPx: 5, heightPx: 4 },
			]);
			assert.equal((t.messages[5]?.parts[0] as { text: string }).text, 'single item');
			const pairing = pairToolCalls(t.messages);
			assert.deepEqual(
				pairing.pairs.map((p) => p.callId),
				['c1', 'c2'],
			);
			assert.deepEqual(
				pairing.orphanResults.map((o) => o.callId),
				['c3', 'c4'],
			);
		});

		it('reads custom tool calls, local shell calls and tool search as paired calls', () => {
			const t = read([
				item({
					type: 'custom_tool_call',
					status: 'completed',
					call_id: 'p1',
					name: 'apply_patch',
					input: '*** Begin Patch\n*** End Patch\n',
				}),
				item({ type: 'custom_tool_call_output', call_id: 'p1', output: '{"output":"Success"}' }),
				item({
					type: 'local_shell_call',
					call_id: 's1',
					status: 'completed',
					action: { type: 'exec', command: ['ls', '-la'] },
				}),
				output('s1', 'total 0'),
				item({
					type: 'tool_search_call',
					call_id: 't1',
					status: 'completed',
					arguments: { query: 'calendar' },
				}),
				item({ type: 'tool_search_output', call_id: 't1', tools: [{ type: 'function', name: 'cal' }] }),
			]);
			assert.deepEqual(
				t.messages.map((m) => m.parts.map(visible)[0]),
				[
					{
						kind: 'toolCall',
						callId: 'p1',
						name: 'apply_patch',
						argumentsText: '*** Begin Patch\n*** End Patch\n',
					},
					{ kind: 'toolResult', callId: 'p1', text: '{"output":"Success"}', isError: false, images: [] },
					{
						kind: 'toolCall',
						callId: 's1',
						name: 'local_shell',
						argumentsText: '{"type":"exec","command":["ls","-la"]}',
					},
					{ kind: 'toolResult', callId: 's1', text: 'total 0', isError: false, images: [] },
					{ kind: 'toolCall', callId: 't1', name: 'tool_search', argumentsText: '{"query":"calendar"}' },
					{
						kind: 'toolResult',
						callId: 't1',
						text: '[{"type":"function","name":"cal"}]',
						isError: false,
						images: [],
					},
				],
			);
			const pairing = pairToolCalls(t.messages);
			assert.equal(pairing.pairs.length, 3);
			assert.deepEqual([pairing.unansweredCalls, pairing.orphanResults], [[], []]);
		});

		it('models a web search as an opaque assistant part, so no unanswered call appears', () => {
			const t = read([
				item({
					type: 'web_search_call',
					status: 'completed',
					action: { type: 'search', query: 'q1', queries: ['q1', 'q2'] },
				}),
				item({
					type: 'web_search_call',
					status: 'completed',
					action: { type: 'open_page', url: 'https://example.invalid' },
				}),
			]);
			assert.deepEqual(
				t.messages.map((m) => [m.role, ...m.parts.map(visible)]),
				[
					['assistant', { kind: 'opaque', label: 'web_search_call', text: 'q1\nq2' }],
					['assistant', { kind: 'opaque', label: 'web_search_call', text: 'https://example.invalid' }],
				],
			);
			assert.deepEqual(pairToolCalls(t.messages).unansweredCalls, []);
		});

		it('reads a compaction item as a summary, inter-agent messages as input, and keeps ghost snapshots and unknown items out', () => {
			const t = read([
				item({ type: 'ghost_snapshot', ghost_commit: { id: 'abc' } }),
				item({ type: 'compaction', encrypted_content: 'ENCRYPTED' }),
				item({
					type: 'agent_message',
					author: 'worker',
					recipient: 'main',
					content: [
						{ type: 'input_text', text: 'done' },
						{ type: 'encrypted_content', encrypted_content: 'E2' },
					],
				}),
				item({ type: 'future_item', data: 1 }),
				envelope('world_state', { full: true, state: {} }),
				envelope('inter_agent_communication_metadata', { trigger_turn: false }),
			]);
			assert.deepEqual(
				t.messages.map((m) => [m.role, m.flags.isSummary, ...m.parts.map(visible)]),
				[
					['user', true, { kind: 'opaque', label: 'compaction', text: 'ENCRYPTED' }],
					[
						'user',
						false,
						{ kind: 'text', text: 'done' },
						{ kind: 'opaque', label: 'encrypted_content', text: 'E2' },
					],
				],
			);
			assert.deepEqual(
				t.passthrough.map((p) => p.line),
				[1, 4, 5, 6],
			);
			assert.deepEqual(t.diagnostics, []);
		});

		it('uses source ids once and positional ids after that, so ids stay unique', () => {
			const t = read([
				item({ type: 'message', id: 'same', role: 'user', content: [{ type: 'input_text', text: 'a' }] }),
				item({ type: 'message', id: 'same', role: 'user', content: [{ type: 'input_text', text: 'b' }] }),
				item({ type: 'reasoning', id: 'rs_1', summary: [] }),
			]);
			assert.deepEqual(
				t.messages.map((m) => m.id),
				['same', 'codex-L2', 'rs_1'],
			);
		});
	});

	describe('compaction', () => {
		const before = [
			sessionMeta(),
			turnContext('gpt-a'),
			item({
				type: 'message',
				role: 'developer',
				content: [{ type: 'input_text', text: '<permissions instructions>p' }],
			}),
			userText('<environment_context>env</environment_context>'),
			userText('first request'),
			assistantText('working'),
			call('c1', 'exec', '{}'),
			output('c1', 'ok'),
		];

		it('with replacement_history: earlier messages become history and the list becomes the live context', () => {
			const summary = 'SUMMARY PREFIX FROM CODEX\nwe did things';
			const t = read([
				...before,
				envelope('compacted', {
					message: summary,
					replacement_history: [
						{
							type: 'message',
							role: 'developer',
							content: [{ type: 'input_text', text: '<permissions instructions>p' }],
						},
						{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'first request' }] },
						{ type: 'ghost_snapshot', ghost_commit: {} },
						{ type: 'message', role: 'user', content: [{ type: 'input_text', text: summary }] },
					],
				}),
				userText('next request'),
			]);
			assert.equal(t.messages.length, 6 + 3 + 1);
			assert.ok(t.messages.slice(0, 6).every((m) => m.flags.isCompacted));
			const window = messagesInWindow(t);
			assert.deepEqual(
				window.map((m) => [m.id, m.role, m.flags.isSummary, m.lines.from, texts(m)[0]]),
				[
					['codex-L9.1', 'developer', false, 9, '<permissions instructions>p'],
					['codex-L9.2', 'user', false, 9, 'first request'],
					['codex-L9.4', 'user', true, 9, summary],
					['codex-L10', 'user', false, 10, 'next request'],
				],
			);
			assert.ok(
				t.passthrough.some((p) => p.line === 9),
				'the compacted line itself is kept for writers',
			);
		});

		it('flags a summary that starts with our prefix even when message differs, and none when nothing matches', () => {
			const ours = `${codexSummaryPrefix}\nstate of play`;
			const t = read([
				userText('a'),
				envelope('compacted', {
					message: 'state of play',
					replacement_history: [
						{ type: 'message', role: 'user', content: [{ type: 'input_text', text: ours }] },
					],
				}),
				envelope('compacted', {
					message: '',
					replacement_history: [
						{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'just a request' }] },
					],
				}),
			]);
			assert.deepEqual(
				t.messages.map((m) => [m.flags.isSummary, m.flags.isCompacted]),
				[
					[false, true],
					[true, true],
					[false, false],
				],
			);
		});

		it('without replacement_history: rebuilds initial context, recent real requests within the cap, and the summary', () => {
			const big = (c: string): string => c.repeat(30_000);
			const t = read([
				...before,
				userText(big('x')),
				userText(big('y')),
				assistantText('reply'),
				userText(big('z')),
				envelope('compacted', { message: 'older summary text' }),
				assistantText('after'),
			]);
			const window = messagesInWindow(t);
			assert.deepEqual(
				window.map((m) => [m.role, m.flags.isMeta, m.flags.isSummary, (texts(m)[0] ?? '').slice(0, 20)]),
				[
					['developer', true, false, '<permissions instruc'],
					['user', true, false, '<environment_context'],
					['user', false, false, 'y'.repeat(20)],
					['user', false, false, 'z'.repeat(20)],
					['user', false, true, 'older summary text'],
					['assistant', false, false, 'after'],
				],
			);
			assert.equal(new Set(t.messages.map((m) => m.id)).size, t.messages.length, 'copies get their own ids');
			assert.deepEqual(window[2]?.lines, { from: 10, to: 10 }, 'a copy points at its source line');
			assert.equal(t.messages.filter((m) => m.flags.isCompacted).length, 10);
		});

		it('a later compaction replaces the earlier one', () => {
			const rh = (text: string) => ({
				message: text,
				replacement_history: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }],
			});
			const t = read([
				userText('a'),
				envelope('compacted', rh('s1')),
				userText('b'),
				envelope('compacted', rh('s2')),
				userText('c'),
			]);
			assert.deepEqual(
				messagesInWindow(t).map((m) => texts(m)[0]),
				['s2', 'c'],
			);
			assert.deepEqual(
				t.messages.filter((m) => m.flags.isSummary).map((m) => [texts(m)[0], m.flags.isCompacted]),
				[
					['s1', true],
					['s2', false],
				],
			);
		});
	});

	describe('token usage', () => {
		it('puts last_token_usage on the latest message and records the window', () => {
			const t = read([
				sessionMeta(),
				tokenCount(10, 1),
				userText('q'),
				event({ type: 'token_count', info: null, rate_limits: {} }),
				call('c1', 'exec', '{}'),
				tokenCount(1200, 80, 128000),
				output('c1', 'out'),
				assistantText('answer'),
				tokenCount(1500, 40, null),
			]);
			assert.deepEqual(
				t.messages.map((m) => m.usage),
				[
					undefined,
					{ inputTokens: 1200, outputTokens: 80, contextTokens: 1280, contextWindow: 128000 },
					undefined,
					{ inputTokens: 1500, outputTokens: 40, contextTokens: 1540 },
				],
			);
			assert.equal(t.meta.contextWindow, 128000);
		});

		it('takes the window from task_started and warns about unusable counts', () => {
			const t = read([
				event({ type: 'task_started', turn_id: 'turn-9', model_context_window: 400000 }),
				userText('q'),
				event({ type: 'token_count', info: { last_token_usage: { input_tokens: 'many' } } }),
				event({ type: 'token_count', info: 7 }),
			]);
			assert.equal(t.meta.contextWindow, 400000);
			assert.equal(t.messages[0]?.phaseId, 'turn-9');
			assert.equal(t.messages[0]?.usage, undefined);
			assert.deepEqual(
				t.diagnostics.map((d) => [d.severity, d.line]),
				[
					['warning', 3],
					['warning', 4],
				],
			);
		});
	});

	describe('UI echo events', () => {
		it('does not count user_message/agent_message/agent_reasoning when response items exist', () => {
			const t = read([
				userText('hello'),
				event({ type: 'user_message', message: 'hello', images: [] }),
				event({ type: 'agent_reasoning', text: 'hmm' }),
				event({ type: 'agent_message', message: 'hi there' }),
				assistantText('hi there'),
			]);
			assert.deepEqual(
				t.messages.map((m) => m.lines.from),
				[1, 5],
			);
			assert.equal(t.passthrough.length, 3);
		});

		it('uses the echoes as messages in a file that has no response items at all', () => {
			const png = dataUrl('image/png', pngBytes(8, 8));
			const t = read([
				sessionMeta(),
				turnContext('gpt-e'),
				event({ type: 'user_message', message: 'hello', images: [png], local_images: ['/tmp/a.png'] }),
				event({ type: 'agent_reasoning', text: 'thinking' }),
				event({ type: 'agent_message', message: 'hi there' }),
				tokenCount(50, 5),
			]);
			assert.deepEqual(
				t.messages.map((m) => [m.role, m.model, ...m.parts.map(visible)]),
				[
					[
						'user',
						undefined,
						{ kind: 'text', text: 'hello' },
						{ kind: 'image', mediaType: 'image/png', byteLength: 33, widthPx: 8, heightPx: 8 },
					],
					['assistant', 'gpt-e', { kind: 'thinking', text: 'thinking', isRedacted: false }],
					['assistant', 'gpt-e', { kind: 'text', text: 'hi there' }],
				],
			);
			assert.deepEqual(t.messages[2]?.usage, {
				inputTokens: 50,
				outputTokens: 5,
				contextTokens: 55,
				contextWindow: 258400,
			});
		});
	});

	describe('legacy rollouts (≤ 0.3x)', () => {
		it('reads the header line as session facts, bare items as messages and state lines as passthrough', () => {
			const t = read([
				{
					id: 'legacy-1',
					timestamp: '2025-04-01T10:00:00.000Z',
					instructions: 'Be careful.',
					git: { branch: 'main' },
				},
				{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
				{ record_type: 'state' },
				{ type: 'reasoning', summary: [{ type: 'summary_text', text: 'plan' }] },
				{ type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: 'c1' },
				{ type: 'function_call_output', call_id: 'c1', output: { content: 'a b', success: true } },
				{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'two files' }] },
				{ record_type: 'state', extra: 1 },
			]);
			assert.deepEqual(t.meta, { sessionId: 'legacy-1', systemText: 'Be careful.' });
			assert.deepEqual(
				t.messages.map((m) => [m.role, m.lines.from, m.parts[0]?.kind]),
				[
					['user', 2, 'text'],
					['assistant', 4, 'thinking'],
					['assistant', 5, 'toolCall'],
					['tool', 6, 'toolResult'],
					['assistant', 7, 'text'],
				],
			);
			assert.deepEqual(
				t.passthrough.map((p) => p.line),
				[1, 3, 8],
			);
			assert.equal(pairToolCalls(t.messages).pairs.length, 1);
			assert.deepEqual(t.diagnostics, []);
		});
	});

	describe('bad input', () => {
		it('reports malformed lines with line and column and keeps reading', () => {
			const t = readText(
				[
					JSON.stringify(userText('one')),
					'{"type":"response_item","payload":{"type":"message",}',
					JSON.stringify(assistantText('two')),
				].join('\n') + '\n',
			);
			assert.deepEqual(
				t.messages.map((m) => texts(m)[0]),
				['one', 'two'],
			);
			assert.equal(t.diagnostics.length, 1);
			assert.equal(t.diagnostics[0]?.line, 2);
			assert.equal(t.diagnostics[0]?.column, 53, 'the } after the trailing comma');
			assert.equal(t.diagnostics[0]?.severity, 'error');
		});

		it('warns, naming the line, about records it cannot use', () => {
			const t = read([
				'[1,2]',
				'"text"',
				{ type: 'response_item' },
				{ type: 'event_msg', payload: 'x' },
				{ hello: 'world' },
				item({ type: 'message', role: 'robot', content: [] }),
				item({ type: 'message', role: 'user', content: 5 }),
				item({ type: 'function_call', name: 'x', arguments: '{}' }),
				item({ role: 'user' }),
				envelope('compacted', {
					message: 's',
					replacement_history: [5, { type: 'message', role: 'bot', content: [] }],
				}),
				envelope('compacted', { replacement_history: 'nope' }),
				userText('still read'),
			]);
			assert.deepEqual(
				t.diagnostics.map((d) => d.line),
				[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 11, 11],
			);
			assert.ok(t.diagnostics.every((d) => d.severity === 'warning' && d.message.length > 10));
			assert.equal(texts(t.messages.at(-1))[0], 'still read');
			assert.equal(t.passthrough.length, 11);
		});

		it('ignores a half-written last line but reads a complete unterminated one', () => {
			const full = JSON.stringify(userText('complete'));
			const half = JSON.stringify(assistantText('half written')).slice(0, 30);
			const reader = newReader();
			reader.push(Buffer.from(`${full}\n${half}`));
			assert.equal(reader.snapshot().messages.length, 1);
			const result = reader.finish();
			assert.ok(result.ok);
			assert.equal(result.transcript.messages.length, 1);
			assert.deepEqual(result.transcript.diagnostics, []);
			const whole = newReader();
			whole.push(Buffer.from(`${full}\n${JSON.stringify(assistantText('last'))}`));
			const done = whole.finish();
			assert.ok(done.ok);
			assert.deepEqual(
				done.transcript.messages.map((m) => texts(m)[0]),
				['complete', 'last'],
			);
		});
	});

	// -----------------------------------------------------------------------------------------------------
	// Generated rollouts for the properties

	const textArb = fc.string({ maxLength: 30 });
	const stepArb = fc.oneof(
		fc.record({ kind: fc.constant('user' as const), text: textArb, image: fc.boolean() }),
		fc.record({ kind: fc.constant('context' as const), text: textArb }),
		fc.record({ kind: fc.constant('developer' as const), text: textArb }),
		fc.record({ kind: fc.constant('assistant' as const), text: textArb }),
		fc.record({
			kind: fc.constant('reasoning' as const),
			summary: fc.array(textArb, { maxLength: 2 }),
			encrypted: fc.boolean(),
		}),
		fc.record({
			kind: fc.constant('call' as const),
			name: textArb,
			args: textArb,
			out: textArb,
			legacyError: fc.boolean(),
			answered: fc.boolean(),
		}),
		fc.record({ kind: fc.constant('custom' as const), input: textArb, out: textArb }),
		fc.record({
			kind: fc.constant('shell' as const),
			command: fc.array(textArb, { maxLength: 3 }),
			out: textArb,
		}),
		fc.record({ kind: fc.constant('web' as const), query: textArb }),
		fc.record({ kind: fc.constant('tokens' as const), input: fc.nat(100000), output: fc.nat(5000) }),
		fc.record({ kind: fc.constant('echo' as const), text: textArb }),
		fc.record({ kind: fc.constant('turn' as const), model: fc.constantFrom('gpt-a', 'gpt-b') }),
	);
	type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

	function rolloutOf(steps: readonly Step[]): Json[] {
		const records: Json[] = [sessionMeta(), turnContext('gpt-a')];
		steps.forEach((step, i) => {
			const id = `call-${i}`;
			switch (step.kind) {
				case 'user': {
					const content: Json[] = [{ type: 'input_text', text: step.text }];
					if (step.image)
						content.push({ type: 'input_image', image_url: dataUrl('image/png', pngBytes(i + 1, 2)) });
					records.push(item({ type: 'message', role: 'user', content }, i));
					return;
				}
				case 'context':
					records.push(userText(`<environment_context>${step.text}</environment_context>`));
					return;
				case 'developer':
					records.push(
						item({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: step.text }] }),
					);
					return;
				case 'assistant':
					records.push(assistantText(step.text));
					return;
				case 'reasoning':
					records.push(
						item({
							type: 'reasoning',
							summary: step.summary.map((text) => ({ type: 'summary_text', text })),
							content: null,
							...(step.encrypted ? { encrypted_content: 'gAAAA' } : {}),
						}),
					);
					return;
				case 'call':
					records.push(call(id, step.name, step.args));
					if (step.answered)
						records.push(output(id, step.legacyError ? { content: step.out, success: false } : step.out));
					return;
				case 'custom':
					records.push(
						item({
							type: 'custom_tool_call',
							call_id: id,
							name: 'apply_patch',
							input: step.input,
							status: 'completed',
						}),
					);
					records.push(item({ type: 'custom_tool_call_output', call_id: id, output: step.out }));
					return;
				case 'shell':
					records.push(
						item({
							type: 'local_shell_call',
							call_id: id,
							status: 'completed',
							action: { type: 'exec', command: step.command },
						}),
					);
					records.push(output(id, step.out));
					return;
				case 'web':
					records.push(
						item({
							type: 'web_search_call',
							status: 'completed',
							action: { type: 'search', query: step.query },
						}),
					);
					return;
				case 'tokens':
					records.push(tokenCount(step.input, step.output));
					return;
				case 'echo':
					records.push(event({ type: 'agent_message', message: step.text }));
					return;
				case 'turn':
					records.push(turnContext(step.model, `turn-${i}`));
					return;
			}
		});
		return records;
	}

	/** What the re-read window must hold after compaction: reasoning gone, only calls answered in the window. */
	function expectedAfterCompaction(
		window: readonly Message[],
		summaryAt: number,
		summaryParts: readonly Part[],
	): unknown[] {
		const answered = new Set(pairToolCalls(window).pairs.map((p) => p.callId));
		const expected: Message[] = [];
		window.forEach((message, index) => {
			if (index === summaryAt) {
				expected.push({ ...message, role: 'user', parts: summaryParts, flags: makeFlags() });
				return;
			}
			const parts = message.parts.filter(
				(p) =>
					p.kind !== 'thinking' &&
					!(p.kind === 'opaque' && p.label === 'encrypted_content') &&
					!((p.kind === 'toolCall' || p.kind === 'toolResult') && !answered.has(p.callId)),
			);
			if (parts.length > 0) expected.push({ ...message, parts });
		});
		return visibleMessages(expected);
	}

	/** The rules FORMATS.md §2/§8 set for a compacted rollout, checked on the written text. */
	function assertResumableCompaction(text: string, provider: unknown): Json {
		const records = text
			.trimEnd()
			.split('\n')
			.map((l) => JSON.parse(l) as Json);
		assert.equal(records[0]?.['type'], 'session_meta');
		assert.equal((records[0]?.['payload'] as Json)['model_provider'], provider);
		const compacted = records.filter((r) => r['type'] === 'compacted');
		assert.equal(compacted.length, 1);
		assert.equal(records.filter((r) => r['type'] === 'response_item').length, 0);
		const payload = compacted[0]?.['payload'] as Json;
		assert.equal(typeof payload['message'], 'string');
		const history = payload['replacement_history'] as Json[];
		assert.ok(Array.isArray(history));
		const calls = new Set<unknown>();
		const outputs = new Set<unknown>();
		for (const entry of history) {
			assert.notEqual(entry['type'], 'reasoning');
			if (entry['type'] === 'message') {
				assert.ok(Array.isArray(entry['content']), 'message content must be a list of typed parts');
				for (const part of entry['content'] as Json[]) assert.equal(typeof part['type'], 'string');
			}
			if (
				['function_call', 'custom_tool_call', 'local_shell_call', 'tool_search_call'].includes(
					String(entry['type']),
				)
			)
				calls.add(entry['call_id']);
			if (
				['function_call_output', 'custom_tool_call_output', 'tool_search_output'].includes(
					String(entry['type']),
				)
			)
				outputs.add(entry['call_id']);
		}
		assert.deepEqual([...calls].sort(), [...outputs].sort(), 'no unmatched calls or outputs');
		const at = records.indexOf(compacted[0] as Json);
		if (history.some((h) => h['role'] === 'user')) {
			assert.ok(
				records
					.slice(0, at)
					.some((r) => r['type'] === 'event_msg' && (r['payload'] as Json)['type'] === 'user_message'),
				'a user_message event precedes the compaction',
			);
		}
		return payload;
	}

	function compactTranscript(
		t: Transcript,
		cut: number,
		summary: string,
	): { transcript: Transcript; summaryAt: number } {
		const window = messagesInWindow(t);
		const kept = window.slice(0, cut).filter((m) => m.flags.isMeta);
		const summaryMessage: Message = {
			id: 'summary',
			role: 'user',
			parts: [{ kind: 'text', text: summary }],
			flags: makeFlags({ isSummary: true }),
			lines: { from: 1, to: 1 },
			raw: [],
		};
		const messages = [
			...window.slice(0, cut).map((m) => ({ ...m, flags: { ...m.flags, isCompacted: true } })),
			...kept,
			summaryMessage,
			...window.slice(cut),
		];
		return { transcript: { ...t, messages }, summaryAt: kept.length };
	}

	describe('incremental reading', () => {
		it('gives the same transcript however the bytes are chunked, with snapshots in between', () => {
			fc.assert(
				fc.property(
					fc.array(stepArb, { maxLength: 25 }),
					fc.array(fc.nat(400), { maxLength: 12 }),
					fc.boolean(),
					(steps, cuts, withGarbage) => {
						const records: unknown[] = rolloutOf(steps);
						if (withGarbage) records.splice(2, 0, '{"type":"response_item","payload":', 'not json');
						const text = jsonl(records);
						const bytes = Buffer.from(text);
						const reader = newReader();
						let at = 0;
						for (const cut of [...cuts, bytes.length]) {
							const end = Math.min(bytes.length, at + cut);
							reader.push(bytes.subarray(at, end));
							at = end;
							const complete = text.slice(
								0,
								Buffer.from(text).subarray(0, end).toString('utf8').lastIndexOf('\n') + 1,
							);
							const snapshot = reader.snapshot();
							if (complete !== '') assert.deepEqual(snapshot, readText(complete));
							else assert.equal(snapshot.messages.length, 0);
						}
						const chunked = reader.finish();
						assert.ok(chunked.ok);
						assert.deepEqual(chunked.transcript, readText(text));
					},
				),
				{ numRuns: 300 },
			);
		});
	});

	describe('writing', () => {
		it('names the file and the resume command after a new session id stamped with `now`', () => {
			const t = read([sessionMeta(), userText('hi')]);
			const written = codexFormat.write?.(t, { sessionId: 'new-1', now: '2026-11-22T09:08:07.123Z' });
			assert.ok(written);
			assert.equal(written.fileName, 'rollout-2026-11-22T09-08-07-new-1.jsonl');
			assert.equal(written.resumeHint, 'codex resume new-1');
			assert.equal(written.sessionId, 'new-1');
			const fresh = codexFormat.write?.(t, {});
			assert.match(
				fresh?.sessionId ?? '',
				/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
			);
			assert.match(
				fresh?.fileName ?? '',
				/^rollout-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.jsonl$/,
			);
		});

		it('copies session_meta under the new id, forked from the original, with the original provider', () => {
			const t = read([
				{ ...sessionMeta({ git: { branch: 'main' } }), ordinal: 3 },
				turnContext('gpt-x'),
				userText('first ask'),
				assistantText('ok'),
			]);
			const written = codexFormat.write?.(t, { sessionId: 'new-2', now: '2026-11-22T09:08:07.000Z' });
			const lines = (written?.text ?? '')
				.trimEnd()
				.split('\n')
				.map((l) => JSON.parse(l) as Json);
			assert.deepEqual(lines[0], {
				timestamp: '2026-11-22T09:08:07.000Z',
				type: 'session_meta',
				payload: {
					id: 'new-2',
					timestamp: '2026-11-22T09:08:07.000Z',
					cwd: '/home/dev/project',
					originator: 'codex_cli_rs',
					cli_version: '0.129.0',
					source: 'cli',
					model_provider: 'fake-provider',
					base_instructions: { text: 'You are a coding agent.' },
					git: { branch: 'main' },
					forked_from_id: 'sess-1',
				},
			});
			assert.deepEqual(lines[1]?.['payload'], {
				type: 'user_message',
				message: 'first ask',
				images: [],
				local_images: [],
				text_elements: [],
			});
			assert.deepEqual(lines[2], { ...turnContext('gpt-x'), timestamp: '2026-11-22T09:08:07.000Z' });
			assert.deepEqual(lines.slice(3), [userText('first ask'), assistantText('ok')]);
		});

		it('writes a session_meta for a legacy rollout, and fresh timestamps for its bare items', () => {
			const t = read([
				{ id: 'legacy-1', timestamp: '2025-04-01T10:00:00.000Z', instructions: 'Be careful.' },
				{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
			]);
			const written = codexFormat.write?.(t, { sessionId: 'n', now: '2026-01-02T03:04:05.000Z' });
			const lines = (written?.text ?? '')
				.trimEnd()
				.split('\n')
				.map((l) => JSON.parse(l) as Json);
			const meta = lines[0]?.['payload'] as Json;
			assert.equal(meta['id'], 'n');
			assert.equal(meta['forked_from_id'], 'legacy-1');
			assert.equal(meta['model_provider'], 'openai');
			assert.deepEqual(meta['base_instructions'], { text: 'Be careful.' });
			assert.deepEqual(lines.at(-1), {
				timestamp: '2026-01-02T03:04:05.000Z',
				type: 'response_item',
				payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
			});
		});

		it('writes a summary as one compacted line that re-reads with the summary as the live context', () => {
			const t = read([
				sessionMeta(),
				turnContext('gpt-a'),
				item({
					type: 'message',
					role: 'developer',
					content: [{ type: 'input_text', text: '<permissions instructions>p' }],
				}),
				userText('old request'),
				call('c-old', 'exec', '{"cmd":"ls"}'),
				output('c-old', 'a b'),
				userText('recent request'),
				item({ type: 'reasoning', summary: [], encrypted_content: 'gAAA' }),
				call('c-half', 'exec', '{}'),
				call('c-new', 'exec', '{"cmd":"cat a"}'),
				output('c-new', 'contents'),
				assistantText('final words'),
			]);
			const window = messagesInWindow(t);
			// keep developer context, then the summary, then from "recent request" on
			const messages: Message[] = [
				...window.slice(0, 4).map((m) => ({ ...m, flags: { ...m.flags, isCompacted: true } })),
				window[0] as Message,
				{
					id: 's',
					role: 'user',
					parts: [{ kind: 'text', text: 'Listed files.' }],
					flags: makeFlags({ isSummary: true }),
					lines: { from: 1, to: 1 },
					raw: [],
				},
				...window.slice(4),
			];
			const written = codexFormat.write?.(
				{ ...t, messages },
				{ sessionId: 'new-3', now: '2026-11-22T09:08:07.000Z' },
			);
			assert.ok(written);
			const payload = assertResumableCompaction(written.text, 'fake-provider');
			const summaryText = `${codexSummaryPrefix}\nListed files.`;
			assert.equal(payload['message'], summaryText);
			assert.deepEqual(payload['replacement_history'], [
				{
					type: 'message',
					role: 'developer',
					content: [{ type: 'input_text', text: '<permissions instructions>p' }],
				},
				{ type: 'message', role: 'user', content: [{ type: 'input_text', text: summaryText }] },
				{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'recent request' }] },
				{ type: 'function_call', name: 'exec', arguments: '{"cmd":"cat a"}', call_id: 'c-new' },
				{ type: 'function_call_output', call_id: 'c-new', output: 'contents' },
				{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'final words' }] },
			]);
			const kinds = written.text
				.trimEnd()
				.split('\n')
				.map((l) => {
					const r = JSON.parse(l) as Json;
					return `${String(r['type'])}${r['type'] === 'event_msg' ? `/${String((r['payload'] as Json)['type'])}` : ''}`;
				});
			assert.deepEqual(kinds, [
				'session_meta',
				'event_msg/user_message',
				'compacted',
				'turn_context',
				'event_msg/context_compacted',
			]);
			const again = readText(written.text);
			const live = messagesInWindow(again);
			assert.deepEqual(
				live.map((m) => [m.role, m.flags.isSummary, texts(m)[0] ?? '']),
				[
					['developer', false, '<permissions instructions>p'],
					['user', true, summaryText],
					['user', false, 'recent request'],
					['assistant', false, ''],
					['tool', false, ''],
					['assistant', false, 'final words'],
				],
			);
			assert.equal(again.meta.sessionId, 'new-3');
			assert.equal(again.meta.model, 'gpt-a');
		});

		it('does not prefix a summary twice and keeps a server-side compaction item as it is', () => {
			const base = read([sessionMeta(), userText('q')]);
			const withSummary = (parts: Part[]): Transcript => ({
				...base,
				messages: [
					{
						id: 's',
						role: 'user',
						parts,
						flags: makeFlags({ isSummary: true }),
						lines: { from: 1, to: 1 },
						raw: [],
					},
				],
			});
			const already = `${codexSummaryPrefix}\nx`;
			const one = codexFormat.write?.(withSummary([{ kind: 'text', text: already }]), { sessionId: 'a' });
			assert.equal(assertResumableCompaction(one?.text ?? '', 'fake-provider')['message'], already);
			const raw = { type: 'compaction', encrypted_content: 'ENC' };
			const two = codexFormat.write?.(
				withSummary([{ kind: 'opaque', label: 'compaction', text: 'ENC', raw }]),
				{ sessionId: 'b' },
			);
			const payload = assertResumableCompaction(two?.text ?? '', 'fake-provider');
			assert.equal(payload['message'], '');
			assert.deepEqual(payload['replacement_history'], [raw]);
		});

		it('round-trips generated rollouts: every model-visible part of the window survives read, write, read', () => {
			fc.assert(
				fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
					const original = read(rolloutOf(steps));
					const written = codexFormat.write?.(original, { sessionId: 'rt', now: '2026-11-22T09:08:07.000Z' });
					assert.ok(written);
					const again = readText(written.text);
					assert.deepEqual(
						visibleMessages(messagesInWindow(again)),
						visibleMessages(messagesInWindow(original)),
					);
					assert.deepEqual(
						messagesInWindow(again).map((m) => [m.flags.isError, m.flags.isSummary]),
						messagesInWindow(original).map((m) => [m.flags.isError, m.flags.isSummary]),
					);
					assert.deepEqual(again.diagnostics, []);
				}),
				{ numRuns: 300 },
			);
		});

		it('writes generated compactions that follow the resume rules and re-read as summary plus kept messages', () => {
			fc.assert(
				fc.property(
					fc.array(stepArb, { maxLength: 30 }),
					fc.nat(),
					fc.string({ minLength: 1, maxLength: 60 }),
					(steps, cutSeed, summary) => {
						const original = read(rolloutOf(steps));
						const cut = cutSeed % (messagesInWindow(original).length + 1);
						const { transcript, summaryAt } = compactTranscript(original, cut, summary);
						const written = codexFormat.write?.(transcript, {
							sessionId: 'cmp',
							now: '2026-11-22T09:08:07.000Z',
						});
						assert.ok(written);
						const payload = assertResumableCompaction(written.text, 'fake-provider');
						const summaryText = `${codexSummaryPrefix}\n${summary}`;
						assert.equal(payload['message'], summaryText);
						const again = readText(written.text);
						const live = messagesInWindow(again);
						assert.deepEqual(
							visibleMessages(live),
							expectedAfterCompaction(messagesInWindow(transcript), summaryAt, [
								{ kind: 'text', text: summaryText },
							]),
						);
						assert.deepEqual(
							live.filter((m) => m.flags.isSummary).map((m) => texts(m)[0]),
							[summaryText],
						);
					},
				),
				{ numRuns: 300 },
			);
		});

		it('rewrites changed messages from their parts and keeps what still matches the source', () => {
			const t = read([
				sessionMeta(),
				call('c1', 'exec', '{"cmd":"ls"}'),
				output('c1', { content: 'long output', success: false }),
				assistantText('ok'),
			]);
			const pruned = t.messages.map((m) =>
				m.role === 'tool'
					? { ...m, parts: m.parts.map((p) => (p.kind === 'toolResult' ? { ...p, text: '[pruned]' } : p)) }
					: m,
			);
			const written = codexFormat.write?.(
				{ ...t, messages: pruned },
				{ sessionId: 'p', now: '2026-11-22T09:08:07.000Z' },
			);
			const lines = (written?.text ?? '')
				.trimEnd()
				.split('\n')
				.map((l) => JSON.parse(l) as Json);
			assert.deepEqual(
				lines.filter((r) => r['type'] === 'response_item').map((r) => r['payload']),
				[
					{ type: 'function_call', name: 'exec', arguments: '{"cmd":"ls"}', call_id: 'c1' },
					{ type: 'function_call_output', call_id: 'c1', output: { content: '[pruned]', success: false } },
					{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] },
				],
			);
		});

		it('writes a foreign transcript (no Codex raw) as typed items', () => {
			const t: Transcript = {
				format: 'claude-code',
				detection: { format: 'claude-code', reason: 'test' },
				messages: [
					{
						id: 'u',
						role: 'user',
						parts: [{ kind: 'text', text: 'do it' }],
						flags: makeFlags(),
						lines: { from: 1, to: 1 },
						raw: [],
					},
					{
						id: 'a',
						role: 'assistant',
						parts: [
							{ kind: 'thinking', text: 'plan', isRedacted: false },
							{ kind: 'text', text: 'calling' },
							{ kind: 'toolCall', callId: 't1', name: 'Bash', argumentsText: '{"command":"ls"}' },
						],
						flags: makeFlags(),
						lines: { from: 2, to: 2 },
						raw: [],
					},
					{
						id: 'r',
						role: 'user',
						parts: [{ kind: 'toolResult', callId: 't1', text: 'a.txt', isError: false, images: [] }],
						flags: makeFlags(),
						lines: { from: 3, to: 3 },
						raw: [],
					},
				],
				passthrough: [],
				meta: { cwd: '/w', sessionId: 'claude-1' },
				diagnostics: [],
				lineCount: 3,
			};
			const written = codexFormat.write?.(t, { sessionId: 'f', now: '2026-11-22T09:08:07.000Z' });
			const again = readText(written?.text ?? '');
			assert.deepEqual(
				again.messages.map((m) => [m.role, ...m.parts.map(visible)]),
				[
					['user', { kind: 'text', text: 'do it' }],
					['assistant', { kind: 'text', text: 'calling' }],
					['assistant', { kind: 'toolCall', callId: 't1', name: 'Bash', argumentsText: '{"command":"ls"}' }],
					['tool', { kind: 'toolResult', callId: 't1', text: 'a.txt', isError: false, images: [] }],
				],
			);
			assert.equal(again.meta.cwd, '/w');
		});
	});

	describe('corpus', () => {
		/** What each corpus file really lacks, checked by reading the files: tool results whose call is missing. */
		const orphanResults: Record<string, { callId: string; line: number }[]> = {
			// Line 28 answers call id "[trimmed for fixture]" before any call with that id; the fixture trimmed the ids.
			'agentsessions-schema-catalog-small.jsonl': [{ callId: '[trimmed for fixture]', line: 28 }],
			'codemie-rollout-2026-05-11T11-26-55-019e1625.jsonl': [],
			'codemie-synthetic-turn-2.jsonl': [],
		};

		describeCorpus('codex', (file) => {
			const name = basename(file);
			const text = readFileSync(file, 'utf8');
			const records = text
				.split('\n')
				.filter((l) => l.trim() !== '')
				.map((l) => JSON.parse(l) as Json);

			it(`${name}: detects and reads with no diagnostics`, () => {
				const detection = codexFormat.detect(makeDetectionSample(file, text.slice(0, 64 * 1024), undefined));
				assert.ok(detection && detection.score >= 90);
				const t = readText(text);
				assert.deepEqual(t.diagnostics, []);
				assert.ok(t.messages.length > 0);
				assert.equal(
					t.meta.sessionId,
					(records.find((r) => r['type'] === 'session_meta')?.['payload'] as Json)['id'],
				);
				assert.equal(new Set(t.messages.map((m) => m.id)).size, t.messages.length);
			});

			it(`${name}: every tool result has its call except what the file lacks`, () => {
				const t = readText(text);
				const pairing = pairToolCalls(t.messages);
				assert.deepEqual(
					pairing.orphanResults.map((o) => ({ callId: o.callId, line: t.messages[o.message]?.lines.from })),
					orphanResults[name],
				);
				assert.deepEqual(pairing.unansweredCalls, []);
				const window = pairToolCalls(messagesInWindow(t));
				assert.deepEqual([window.orphanResults, window.unansweredCalls], [[], []]);
				const itemCalls = records.filter(
					(r) =>
						r['type'] === 'response_item' &&
						['function_call', 'custom_tool_call'].includes(String((r['payload'] as Json)['type'])),
				).length;
				const calls = t.messages.flatMap((m) => m.parts).filter((p) => p.kind === 'toolCall').length;
				assert.ok(calls >= itemCalls, 'every function and custom tool call line is read as a call');
			});

			it(`${name}: recorded usage where the file has token counts`, () => {
				const t = readText(text);
				const counts = records.filter(
					(r) =>
						r['type'] === 'event_msg' &&
						(r['payload'] as Json)['type'] === 'token_count' &&
						(r['payload'] as Json)['info'] !== null,
				);
				const withUsage = t.messages.filter((m) => m.usage !== undefined);
				assert.equal(withUsage.length > 0, counts.length > 0);
				const last = (counts.at(-1)?.['payload'] as Json | undefined)?.['info'] as Json | undefined;
				if (last === undefined) return;
				const usage = last['last_token_usage'] as Json;
				const lastUsage = withUsage.at(-1)?.usage;
				assert.equal(lastUsage?.inputTokens, usage['input_tokens']);
				assert.equal(
					lastUsage?.contextTokens,
					Number(usage['input_tokens']) + Number(usage['output_tokens']),
				);
			});

			it(`${name}: round-trips through the writer`, () => {
				const t = readText(text);
				const window = messagesInWindow(t);
				const written = codexFormat.write?.(t, { sessionId: 'corpus-copy', now: '2026-11-22T09:08:07.000Z' });
				assert.ok(written);
				const again = readText(written.text);
				assert.deepEqual(again.diagnostics, []);
				const summaryAt = window.findLastIndex((m) => m.flags.isSummary);
				const provider = (records.find((r) => r['type'] === 'session_meta')?.['payload'] as Json)[
					'model_provider'
				];
				if (summaryAt === -1) {
					assert.deepEqual(visibleMessages(messagesInWindow(again)), visibleMessages(window));
					const first = JSON.parse(written.text.slice(0, written.text.indexOf('\n'))) as Json;
					assert.equal((first['payload'] as Json)['model_provider'], provider);
				} else {
					const payload = assertResumableCompaction(written.text, provider);
					const summary = window[summaryAt] as Message;
					const summaryParts: Part[] =
						payload['message'] === ''
							? [...summary.parts]
							: [{ kind: 'text', text: String(payload['message']) }];
					assert.deepEqual(
						visibleMessages(messagesInWindow(again)),
						expectedAfterCompaction(window, summaryAt, summaryParts),
					);
				}
			});

			it(`${name}: compacts into a resumable rollout`, () => {
				const t = readText(text);
				const window = messagesInWindow(t);
				// Cut after any summary the file already has, so ours is the newest one, as a compaction makes it.
				const cut = Math.max(
					Math.floor(window.length / 2),
					window.findLastIndex((m) => m.flags.isSummary) + 1,
				);
				const { transcript, summaryAt } = compactTranscript(t, cut, 'Work so far: explored the repository.');
				const written = codexFormat.write?.(transcript, {
					sessionId: 'corpus-cmp',
					now: '2026-11-22T09:08:07.000Z',
				});
				assert.ok(written);
				const provider = (records.find((r) => r['type'] === 'session_meta')?.['payload'] as Json)[
					'model_provider'
				];
				const payload = assertResumableCompaction(written.text, provider);
				assert.equal(payload['message'], `${codexSummaryPrefix}\nWork so far: explored the repository.`);
				const live = messagesInWindow(readText(written.text));
				assert.deepEqual(
					visibleMessages(live),
					expectedAfterCompaction(messagesInWindow(transcript), summaryAt, [
						{ kind: 'text', text: String(payload['message']) },
					]),
				);
			});
		});
	});

	describe('fuzz', () => {
		const kinds = ['session_meta', 'response_item', 'compacted', 'turn_context', 'event_msg', 'world_state'];
		const itemTypes = [
			'message',
			'reasoning',
			'function_call',
			'function_call_output',
			'custom_tool_call',
			'custom_tool_call_output',
			'local_shell_call',
			'web_search_call',
			'tool_search_call',
			'tool_search_output',
			'agent_message',
			'compaction',
			'ghost_snapshot',
		];
		const anyJson = fc.jsonValue({ maxDepth: 3 });
		const itemArb = fc.record(
			{
				type: fc.oneof(fc.constantFrom(...itemTypes), anyJson),
				role: fc.oneof(fc.constantFrom('user', 'assistant', 'developer', 'system'), anyJson),
				content: fc.oneof(
					anyJson,
					fc.array(
						fc.record(
							{
								type: fc.oneof(
									fc.constantFrom('input_text', 'output_text', 'input_image', 'encrypted_content'),
									anyJson,
								),
								text: anyJson,
								image_url: fc.oneof(
									anyJson,
									fc.constant('data:image/png;base64,iVBOR'),
									fc.constant('data:,%E0%A4%A'),
								),
							},
							{ requiredKeys: [] },
						),
						{ maxLength: 3 },
					),
				),
				call_id: anyJson,
				arguments: anyJson,
				output: anyJson,
				summary: anyJson,
				action: anyJson,
				encrypted_content: anyJson,
			},
			{ requiredKeys: ['type'] },
		);
		const payloadArb = fc.oneof(
			anyJson,
			itemArb,
			fc.record(
				{
					type: fc.constantFrom(
						'token_count',
						'user_message',
						'agent_message',
						'agent_reasoning',
						'task_started',
						'thread_name_updated',
					),
					info: anyJson,
					message: anyJson,
					images: anyJson,
					model_context_window: anyJson,
					turn_id: anyJson,
				},
				{ requiredKeys: ['type'] },
			),
			fc.record(
				{
					message: anyJson,
					replacement_history: fc.oneof(anyJson, fc.array(fc.oneof(itemArb, anyJson), { maxLength: 4 })),
				},
				{ requiredKeys: [] },
			),
		);
		const fixtureLines = jsonl(
			rolloutOf([
				{ kind: 'user', text: 'hello', image: true },
				{ kind: 'call', name: 'exec', args: '{"a":1}', out: 'x', legacyError: true, answered: true },
				{ kind: 'reasoning', summary: ['s'], encrypted: true },
				{ kind: 'tokens', input: 5, output: 1 },
			]),
		)
			.trimEnd()
			.split('\n');
		const mutatedLine = fc
			.tuple(fc.constantFrom(...fixtureLines), fc.nat(), fc.nat(), fc.string({ maxLength: 4 }))
			.map(([line, a, b, insert]) => {
				const from = a % (line.length + 1);
				const to = from + (b % 12);
				return line.slice(0, from) + insert + line.slice(to);
			});
		const lineArb = fc.oneof(
			fc.string({ maxLength: 40 }),
			anyJson.map((v) => JSON.stringify(v)),
			fc
				.record(
					{ timestamp: anyJson, type: fc.constantFrom(...kinds), payload: payloadArb },
					{ requiredKeys: ['type'] },
				)
				.map((r) => JSON.stringify(r)),
			itemArb.map((r) => JSON.stringify(r)),
			fc
				.record(
					{ id: anyJson, timestamp: anyJson, instructions: anyJson, record_type: anyJson },
					{ requiredKeys: [] },
				)
				.map((r) => JSON.stringify(r)),
			mutatedLine,
		);

		it('never throws on mutated or garbage lines, and what it reads can be written and read again', () => {
			fc.assert(
				fc.property(fc.array(lineArb, { maxLength: 8 }), fc.boolean(), (lines, newlineAtEnd) => {
					const reader = newReader();
					reader.push(Buffer.from(lines.join('\n') + (newlineAtEnd ? '\n' : '')));
					const snapshot = reader.snapshot();
					const result = reader.finish();
					if (!result.ok) return;
					const t = result.transcript;
					assert.deepEqual(t.passthrough.slice(0, snapshot.passthrough.length), snapshot.passthrough);
					assert.deepEqual(t.diagnostics.slice(0, snapshot.diagnostics.length), snapshot.diagnostics);
					assert.equal(new Set(t.messages.map((m) => m.id)).size, t.messages.length);
					assert.ok(t.messages.every((m) => m.lines.from >= 1 && m.lines.to <= t.lineCount));
					const written = codexFormat.write?.(result.transcript, {
						sessionId: 'fz',
						now: '2026-11-22T09:08:07.000Z',
					});
					assert.ok(written);
					readText(written.text);
				}),
				{ numRuns: 10_000 },
			);
		});
	});
});
