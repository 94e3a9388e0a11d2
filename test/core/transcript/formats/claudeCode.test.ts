import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { generateClaudeSession } from '../../../../bench/generateClaudeSession';
import type { DetectionSample } from '../../../../src/core/transcript/format';
import { claudeCodeFormat } from '../../../../src/core/transcript/formats/claudeCode';
import { readImageInfo } from '../../../../src/core/transcript/formats/imageHeader';

/** Pixel size the shared header reader finds in raw image bytes, or undefined. */
function imageSizeFromBytes(bytes: Uint8Array): { widthPx: number; heightPx: number } | undefined {
	const info = readImageInfo(Buffer.from(bytes).toString('base64'));
	return info.widthPx !== undefined && info.heightPx !== undefined
		? { widthPx: info.widthPx, heightPx: info.heightPx }
		: undefined;
}
import {
	summaryPrefix,
	summarySuffix,
	wrapSummary,
} from '../../../../src/core/transcript/formats/claudeCode/writer';
import type { Message, Part, Transcript } from '../../../../src/core/transcript/model';
import { makeFlags, messagesInWindow } from '../../../../src/core/transcript/model';
import { JsonlTranscriptReader } from '../../../../src/core/transcript/readTranscript';
import { pairToolCalls } from '../../../../src/core/transcript/toolPairs';
import { describeCorpus } from '../../../support/corpus';

type Json = Record<string, unknown>;

const detection = { format: 'claude-code', reason: 'test' } as const;

function newReader(path = 'session.jsonl'): JsonlTranscriptReader {
	return new JsonlTranscriptReader(claudeCodeFormat, path, detection);
}

function readText(text: string | Uint8Array, path = 'session.jsonl'): Transcript {
	const reader = newReader(path);
	reader.push(typeof text === 'string' ? Buffer.from(text) : text);
	const result = reader.finish();
	if (!result.ok) assert.fail(`read failed: ${result.failure.message}`);
	return result.transcript;
}

function jsonl(records: readonly unknown[]): string {
	return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

function write(transcript: Transcript, sessionId = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee') {
	return claudeCodeFormat.write!(transcript, { sessionId, now: '2026-05-01T12:00:00.000Z' });
}

/** What the model sees of a message: role and, per part, the fields that reach it. */
function modelView(messages: readonly Message[]): unknown[] {
	return messages.map((m) => ({ role: m.role, parts: m.parts.map(partView) }));
}

function partView(part: Part): unknown {
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
				images: part.images.map(partView),
			};
		case 'image':
			return { kind: part.kind, mediaType: part.mediaType, byteLength: part.byteLength };
		case 'opaque':
			return { kind: part.kind, label: part.label, text: part.text };
	}
}

// ---------------------------------------------------------------------------------------------------------
// Hand-written records (our own fixtures, shaped like Claude Code 2.0.x lines).

const session = '0b7d3c52-1c8e-4c55-9a41-5a0e8f1d2c33';
let clock = Date.UTC(2026, 0, 10, 8, 0, 0);

function envelope(uuid: string, parentUuid: string | null, extra: Json = {}): Json {
	clock += 1000;
	return {
		parentUuid,
		isSidechain: false,
		userType: 'external',
		cwd: '/home/dev/acme-billing',
		sessionId: session,
		version: '2.0.76',
		gitBranch: 'main',
		uuid,
		timestamp: new Date(clock).toISOString(),
		...extra,
	};
}

function userRecord(uuid: string, parentUuid: string | null, content: unknown, extra: Json = {}): Json {
	return { ...envelope(uuid, parentUuid, extra), type: 'user', message: { role: 'user', content } };
}

function assistantRecord(
	uuid: string,
	parentUuid: string | null,
	messageId: string,
	content: unknown[],
	usage: Json = {
		input_tokens: 5,
		cache_creation_input_tokens: 100,
		cache_read_input_tokens: 1000,
		output_tokens: 3,
	},
	extra: Json = {},
	model = 'claude-sonnet-4-5-20250929',
): Json {
	return {
		...envelope(uuid, parentUuid, extra),
		type: 'assistant',
		message: { model, id: messageId, type: 'message', role: 'assistant', content, stop_reason: null, usage },
		requestId: `req_${messageId}`,
	};
}

const text = (value: string): Json => ({ type: 'text', text: value });
const toolUse = (id: string, name: string, input: unknown): Json => ({ type: 'tool_use', id, name, input });
const toolResult = (id: string, content: unknown, isError = false): Json => ({
	type: 'tool_result',
	tool_use_id: id,
	content,
	...(isError ? { is_error: true } : {}),
});

function pngBytes(width: number, height: number): Buffer {
	const bytes = Buffer.alloc(40);
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(bytes);
	bytes.write('IHDR', 12, 'latin1');
	bytes.writeUInt32BE(width, 16);
	bytes.writeUInt32BE(height, 20);
	return bytes;
}

function jpegBytes(width: number, height: number, padding = 0): Buffer {
	const app0 = Buffer.alloc(2 + 2 + 14 + padding);
	app0.writeUInt16BE(0xffe0, 0);
	app0.writeUInt16BE(16 + padding, 2);
	app0.write('JFIF\0', 4, 'latin1');
	const sof = Buffer.alloc(19);
	sof.writeUInt16BE(0xffc0, 0);
	sof.writeUInt16BE(17, 2);
	sof[4] = 8;
	sof.writeUInt16BE(height, 5);
	sof.writeUInt16BE(width, 7);
	return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

function gifBytes(width: number, height: number): Buffer {
	const bytes = Buffer.alloc(16);
	bytes.write('GIF89a', 0, 'latin1');
	bytes.writeUInt16LE(width, 6);
	bytes.writeUInt16LE(height, 8);
	return bytes;
}

function webpBytes(kind: 'VP8X' | 'VP8L' | 'VP8 ', width: number, height: number): Buffer {
	const bytes = Buffer.alloc(40);
	bytes.write('RIFF', 0, 'latin1');
	bytes.writeUInt32LE(32, 4);
	bytes.write('WEBP', 8, 'latin1');
	bytes.write(kind, 12, 'latin1');
	if (kind === 'VP8X') {
		bytes.writeUIntLE(width - 1, 24, 3);
		bytes.writeUIntLE(height - 1, 27, 3);
	} else if (kind === 'VP8L') {
		bytes[20] = 0x2f;
		bytes.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 21);
	} else {
		Buffer.from([0x9d, 0x01, 0x2a]).copy(bytes, 23);
		bytes.writeUInt16LE(width, 26);
		bytes.writeUInt16LE(height, 28);
	}
	return bytes;
}

const imageBlock = (bytes: Buffer, mediaType: string): Json => ({
	type: 'image',
	source: { type: 'base64', media_type: mediaType, data: bytes.toString('base64') },
});

// ---------------------------------------------------------------------------------------------------------
// Generated sessions for property tests: a script of steps turned into records the way Claude Code writes them.

interface CallScript {
	readonly name: string;
	readonly input: Json;
	readonly result: string;
	readonly isError: boolean;
	readonly withImage: boolean;
}

type StepScript =
	| { readonly kind: 'prompt'; readonly text: string; readonly withImage: boolean }
	| {
			readonly kind: 'turn';
			readonly thinking: 'none' | 'plain' | 'redacted';
			readonly text: string | undefined;
			readonly calls: readonly CallScript[];
			readonly unknownBlock: boolean;
	  }
	| { readonly kind: 'bookkeeping'; readonly type: string }
	| { readonly kind: 'compact'; readonly summary: string };

const callArbitrary: fc.Arbitrary<CallScript> = fc.record({
	name: fc.constantFrom('Read', 'Edit', 'Bash', 'Grep', 'Write', 'TodoWrite'),
	input: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
		maxKeys: 3,
	}) as fc.Arbitrary<Json>,
	result: fc.string({ maxLength: 80 }),
	isError: fc.boolean(),
	withImage: fc.boolean(),
});

const stepArbitrary: fc.Arbitrary<StepScript> = fc.oneof(
	{
		weight: 3,
		arbitrary: fc.record({
			kind: fc.constant('prompt' as const),
			text: fc.string({ minLength: 1, maxLength: 60 }),
			withImage: fc.boolean(),
		}),
	},
	{
		weight: 5,
		arbitrary: fc.record({
			kind: fc.constant('turn' as const),
			thinking: fc.constantFrom('none' as const, 'plain' as const, 'redacted' as const),
			text: fc.option(fc.string({ minLength: 1, maxLength: 60 }), { nil: undefined }),
			calls: fc.array(callArbitrary, { maxLength: 3 }),
			unknownBlock: fc.boolean(),
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('bookkeeping' as const),
			type: fc.constantFrom(
				'file-history-snapshot',
				'queue-operation',
				'progress',
				'attachment',
				'mystery-record',
			),
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('compact' as const),
			summary: fc.string({ minLength: 1, maxLength: 80 }),
		}),
	},
);

/** Turns a script into Claude Code records: split responses, parallel results hung off their tool_use records. */
function buildSession(steps: readonly StepScript[]): Json[] {
	const records: Json[] = [];
	let counter = 0;
	const nextUuid = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
	let parent: string | null = null;
	let callCounter = 0;
	records.push(userRecord(nextUuid(), null, 'Start the task.'));
	parent = records[0]!['uuid'] as string;
	for (const step of steps) {
		if (step.kind === 'prompt') {
			const uuid = nextUuid();
			const content = step.withImage
				? [text(step.text), imageBlock(pngBytes(64, 48), 'image/png')]
				: step.text;
			records.push(userRecord(uuid, parent, content));
			parent = uuid;
		} else if (step.kind === 'turn') {
			const blocks: Json[] = [];
			if (step.thinking === 'plain')
				blocks.push({ type: 'thinking', thinking: 'Considering it.', signature: 'c2ln' });
			if (step.thinking === 'redacted') blocks.push({ type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' });
			if (step.text !== undefined) blocks.push(text(step.text));
			if (step.unknownBlock)
				blocks.push({ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} });
			const callIds = step.calls.map(() => `toolu_${++callCounter}`);
			step.calls.forEach((call, i) => blocks.push(toolUse(callIds[i]!, call.name, call.input)));
			if (blocks.length === 0) blocks.push(text('ok'));
			const messageId = `msg_${++counter}`;
			const callRecords: string[] = [];
			blocks.forEach((block, i) => {
				const uuid = nextUuid();
				const last = i === blocks.length - 1;
				const usage = {
					input_tokens: 3,
					cache_creation_input_tokens: 10,
					cache_read_input_tokens: 100 * counter,
					output_tokens: last ? 50 : 1,
				};
				records.push(assistantRecord(uuid, parent, messageId, [block], usage));
				if (block['type'] === 'tool_use') callRecords.push(uuid);
				parent = uuid;
			});
			step.calls.forEach((call, i) => {
				const uuid = nextUuid();
				const content = call.withImage
					? [text(call.result), imageBlock(gifBytes(8, 9), 'image/gif')]
					: call.result;
				records.push(
					userRecord(uuid, callRecords[i]!, [toolResult(callIds[i]!, content, call.isError)], {
						toolUseResult: { stdout: call.result },
						sourceToolAssistantUUID: callRecords[i],
					}),
				);
				parent = uuid;
			});
		} else if (step.kind === 'bookkeeping') {
			if (step.type === 'file-history-snapshot')
				records.push({
					type: step.type,
					messageId: parent,
					snapshot: { trackedFileBackups: {} },
					isSnapshotUpdate: false,
				});
			else if (step.type === 'queue-operation')
				records.push({ type: step.type, operation: 'enqueue', sessionId: session, content: 'later' });
			else if (step.type === 'mystery-record')
				records.push({ type: step.type, sessionId: session, payloadish: [1, 2] });
			else {
				const uuid = nextUuid();
				records.push({ ...envelope(uuid, parent), type: step.type, data: { type: 'hook_progress' } });
				parent = uuid;
			}
		} else {
			const boundary = nextUuid();
			records.push({
				...envelope(boundary, null, { logicalParentUuid: parent }),
				type: 'system',
				subtype: 'compact_boundary',
				content: 'Conversation compacted',
				compactMetadata: { trigger: 'auto', preTokens: 1234 },
			});
			const summary = nextUuid();
			records.push(
				userRecord(summary, boundary, wrapSummary(step.summary), {
					isCompactSummary: true,
					isVisibleInTranscriptOnly: true,
				}),
			);
			parent = summary;
		}
	}
	return records;
}

/** Asserts the structural rules of a written session: one null root, unbroken chain, ids, timestamps. */
/** Every record a transcript keeps (message sources and passthrough) equals, key for key, a line of the source. */
function assertRecordsReadBack(t: Transcript, source: string): void {
	const parsedLines = new Map<string, unknown>();
	for (const line of source.split('\n')) {
		try {
			const value = JSON.parse(line.replace(/^\uFEFF/, '')) as unknown;
			parsedLines.set(JSON.stringify(value), value);
		} catch {
			// not a record; the reader reports it
		}
	}
	for (const record of [...t.messages.flatMap((m) => m.raw), ...t.passthrough.map((p) => p.record)]) {
		const json = JSON.stringify(record);
		assert.ok(parsedLines.has(json), 'every record reads back as its line');
		assert.deepStrictEqual(record, parsedLines.get(json));
	}
}

function assertResumable(textOut: string, sessionId: string): Json[] {
	assert.ok(textOut === '' || textOut.endsWith('\n'), 'output ends with a newline');
	const records = textOut
		.split('\n')
		.filter((l) => l !== '')
		.map((l) => JSON.parse(l) as Json);
	const uuids = new Set<string>();
	records.forEach((record, i) => {
		assert.equal(typeof record['uuid'], 'string');
		assert.ok(!uuids.has(record['uuid'] as string), 'uuids are unique');
		uuids.add(record['uuid'] as string);
		assert.equal(
			record['parentUuid'],
			i === 0 ? null : records[i - 1]!['uuid'],
			`record ${i + 1} links to the one before`,
		);
		assert.equal(record['sessionId'], sessionId);
		assert.equal(record['isSidechain'], false);
		assert.equal(record['userType'], 'external');
		assert.ok(typeof record['timestamp'] === 'string' && !Number.isNaN(Date.parse(record['timestamp'])));
	});
	return records;
}

function sampleOf(path: string, records: readonly unknown[]): DetectionSample {
	const head = records.map((r) => JSON.stringify(r)).join('\n');
	return { path, head, firstRecords: records, document: undefined };
}

// ---------------------------------------------------------------------------------------------------------

describe('claudeCodeFormat', () => {
	describe('detect', () => {
		it('claims Claude Code session records and scores the projects path higher', () => {
			const records = [
				{ type: 'file-history-snapshot', messageId: 'u1', snapshot: {}, isSnapshotUpdate: false },
				userRecord('u1', null, 'hello'),
				assistantRecord('a1', 'u1', 'msg_1', [text('hi')]),
			];
			const plain = claudeCodeFormat.detect(sampleOf('/tmp/x.jsonl', records));
			const inProjects = claudeCodeFormat.detect(
				sampleOf('/home/me/.claude/projects/-home-me-p/s.jsonl', records),
			);
			assert.ok(plain !== undefined && inProjects !== undefined);
			assert.ok(inProjects.score > plain.score);
			assert.match(plain.reason, /Claude Code session log/);
			assert.match(plain.reason, /uuid\/parentUuid/);
		});

		it('claims a file that starts with bookkeeping only', () => {
			const verdict = claudeCodeFormat.detect(
				sampleOf('a.jsonl', [{ type: 'summary', summary: 'Title', leafUuid: 'x' }]),
			);
			assert.ok(verdict !== undefined && verdict.score > 0);
		});

		it('leaves Codex rollouts, Copilot op-logs, Gemini and OpenAI chat JSONL alone', () => {
			const others: unknown[][] = [
				[
					{ timestamp: 't', type: 'session_meta', payload: { id: 'x', cwd: '/p' } },
					{ timestamp: 't', type: 'response_item', payload: { type: 'message', role: 'user', content: [] } },
				],
				[
					{ kind: 0, v: { requests: [], sessionId: 's' } },
					{ kind: 2, k: ['requests'], v: [] },
				],
				[
					{ sessionId: 's', projectHash: 'h', startTime: 't', lastUpdated: 't', kind: 'main' },
					{ id: 'm1', timestamp: 't', type: 'user', content: 'hi', sessionId: 's', projectHash: 'h' },
				],
				[
					{ role: 'user', content: 'hi' },
					{ role: 'assistant', content: null, tool_calls: [] },
				],
				[{ type: 'session.start', data: {}, id: '1', parentId: null, timestamp: 't' }],
			];
			for (const records of others)
				assert.equal(claudeCodeFormat.detect(sampleOf('x.jsonl', records)), undefined);
		});
	});

	describe('reading', () => {
		it('groups split assistant records by message.id and takes usage from the last one', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, 'Fix the bug'),
					assistantRecord('a1', 'u1', 'msg_A', [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }], {
						input_tokens: 4,
						cache_creation_input_tokens: 200,
						cache_read_input_tokens: 9000,
						output_tokens: 1,
					}),
					assistantRecord('a2', 'a1', 'msg_A', [text('Looking.')], {
						input_tokens: 4,
						cache_creation_input_tokens: 200,
						cache_read_input_tokens: 9000,
						output_tokens: 2,
					}),
					assistantRecord('a3', 'a2', 'msg_A', [toolUse('toolu_1', 'Read', { file_path: '/a.ts' })], {
						input_tokens: 4,
						cache_creation_input_tokens: 200,
						cache_read_input_tokens: 9000,
						output_tokens: 87,
					}),
				]),
			);
			assert.equal(t.messages.length, 2);
			const reply = t.messages[1]!;
			assert.equal(reply.id, 'msg_A');
			assert.equal(reply.role, 'assistant');
			assert.deepEqual(
				reply.parts.map((p) => p.kind),
				['thinking', 'text', 'toolCall'],
			);
			assert.equal(reply.raw.length, 3);
			assert.deepEqual(reply.lines, { from: 2, to: 4 });
			assert.deepEqual(reply.usage, { inputTokens: 9204, outputTokens: 87, contextTokens: 9291 });
			assert.equal(reply.model, 'claude-sonnet-4-5-20250929');
			const call = reply.parts[2]!;
			assert.ok(call.kind === 'toolCall');
			assert.equal(call.argumentsText, '{"file_path":"/a.ts"}');
			assert.equal(call.raw, (reply.raw[2] as { message: { content: unknown[] } }).message.content[0]);
		});

		it('pairs tool calls with results, including parallel results hung off their own tool_use records', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, 'Read both'),
					assistantRecord('a1', 'u1', 'msg_A', [toolUse('toolu_1', 'Read', { file_path: 'a' })]),
					assistantRecord('a2', 'a1', 'msg_A', [toolUse('toolu_2', 'Read', { file_path: 'b' })]),
					assistantRecord('a3', 'a2', 'msg_A', [toolUse('toolu_3', 'Bash', { command: 'ls' })]),
					userRecord('r1', 'a1', [toolResult('toolu_1', 'A body')]),
					userRecord('r3', 'a3', [toolResult('toolu_3', [text('line 1'), text('line 2')], true)]),
					userRecord('r2', 'a2', [toolResult('toolu_2', 'B body')]),
					assistantRecord('a4', 'r2', 'msg_B', [text('Done')]),
				]),
			);
			const pairing = pairToolCalls(t.messages);
			assert.equal(pairing.pairs.length, 3);
			assert.deepEqual(pairing.orphanResults, []);
			assert.deepEqual(pairing.unansweredCalls, []);
			assert.deepEqual(
				t.messages.map((m) => m.flags.isCompacted),
				[false, false, false, false, false, false],
				'parallel results are on the live branch, not a fork',
			);
			const failed = t.messages[3]!;
			const result = failed.parts[0]!;
			assert.ok(result.kind === 'toolResult');
			assert.equal(result.text, 'line 1\nline 2');
			assert.equal(result.isError, true);
			assert.equal(failed.flags.isError, true);
			assert.equal(failed.role, 'user');
		});

		it('reads thinking and redacted thinking', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, 'Think'),
					assistantRecord('a1', 'u1', 'msg_A', [
						{ type: 'thinking', thinking: 'First, the rounding.', signature: 'EqQB' },
						{ type: 'redacted_thinking', data: 'c2VjcmV0' },
						text('Answer'),
					]),
				]),
			);
			const [thinking, redacted] = t.messages[1]!.parts;
			assert.deepEqual(
				{ ...thinking, raw: undefined },
				{ kind: 'thinking', text: 'First, the rounding.', isRedacted: false, raw: undefined },
			);
			assert.deepEqual(
				{ ...redacted, raw: undefined },
				{ kind: 'thinking', text: '', isRedacted: true, raw: undefined },
			);
		});

		it('reads images with their byte length and pixel size, in prompts and tool results', () => {
			const png = pngBytes(1280, 720);
			const jpeg = jpegBytes(640, 480, 5000);
			const t = readText(
				jsonl([
					userRecord('u1', null, [
						imageBlock(png, 'image/png'),
						text('What is this?'),
						{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc body' } },
					]),
					assistantRecord('a1', 'u1', 'msg_A', [toolUse('toolu_1', 'Read', { file_path: 'shot.jpg' })]),
					userRecord('r1', 'a1', [toolResult('toolu_1', [imageBlock(jpeg, 'image/jpeg')])]),
				]),
			);
			const image = t.messages[0]!.parts[0]!;
			assert.deepEqual(
				{ ...image, raw: undefined },
				{
					kind: 'image',
					mediaType: 'image/png',
					byteLength: png.length,
					widthPx: 1280,
					heightPx: 720,
					raw: undefined,
				},
			);
			const document = t.messages[0]!.parts[2]!;
			assert.ok(document.kind === 'opaque');
			assert.equal(document.label, 'document');
			assert.equal(document.text, 'doc body');
			const result = t.messages[2]!.parts[0]!;
			assert.ok(result.kind === 'toolResult');
			assert.equal(result.images.length, 1);
			assert.equal(result.images[0]!.widthPx, 640);
			assert.equal(result.images[0]!.heightPx, 480);
			assert.equal(result.images[0]!.byteLength, jpeg.length);
		});

		it('reads the pixel size of PNG, JPEG, GIF and WebP headers and rejects the rest', () => {
			assert.deepEqual(imageSizeFromBytes(pngBytes(3, 5)), { widthPx: 3, heightPx: 5 });
			assert.deepEqual(imageSizeFromBytes(jpegBytes(800, 600)), { widthPx: 800, heightPx: 600 });
			assert.deepEqual(imageSizeFromBytes(gifBytes(16, 32)), { widthPx: 16, heightPx: 32 });
			assert.deepEqual(imageSizeFromBytes(webpBytes('VP8X', 4000, 3000)), { widthPx: 4000, heightPx: 3000 });
			assert.deepEqual(imageSizeFromBytes(webpBytes('VP8L', 300, 200)), { widthPx: 300, heightPx: 200 });
			assert.deepEqual(imageSizeFromBytes(webpBytes('VP8 ', 120, 90)), { widthPx: 120, heightPx: 90 });
			assert.equal(imageSizeFromBytes(Buffer.from('not an image at all, just text')), undefined);
			assert.equal(imageSizeFromBytes(pngBytes(3, 5).subarray(0, 20)), undefined, 'truncated header');
			fc.assert(
				fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
					const size = imageSizeFromBytes(bytes);
					assert.ok(size === undefined || (size.widthPx > 0 && size.heightPx > 0));
				}),
				{ numRuns: 2000 },
			);
		});

		it('marks every message before the newest compact boundary as compacted and reads the summary', () => {
			const summary = wrapSummary('We fixed rounding; next is the CSV export.');
			const t = readText(
				jsonl([
					userRecord('u1', null, 'Old task'),
					assistantRecord('a1', 'u1', 'msg_A', [text('Old answer')]),
					{
						...envelope('b1', null, { logicalParentUuid: 'a1' }),
						type: 'system',
						subtype: 'compact_boundary',
						content: 'Conversation compacted',
						compactMetadata: { trigger: 'auto', preTokens: 150000 },
					},
					userRecord('s1', 'b1', summary, { isCompactSummary: true, isVisibleInTranscriptOnly: true }),
					assistantRecord('a2', 's1', 'msg_B', [text('Continuing')]),
				]),
			);
			assert.deepEqual(
				t.messages.map((m) => m.flags.isCompacted),
				[true, true, false, false],
			);
			assert.equal(t.messages[2]!.flags.isSummary, true);
			assert.equal((t.messages[2]!.parts[0] as { text: string }).text, summary);
			assert.deepEqual(
				messagesInWindow(t).map((m) => m.id),
				['s1', 'msg_B'],
			);
			assert.equal(t.passthrough.length, 1);
			assert.equal(t.passthrough[0]!.line, 3);
		});

		it('counts only the live branch of a fork (an edited prompt and a retried reply)', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, 'Fix the totals'),
					assistantRecord('a1', 'u1', 'msg_A', [text('First try')]),
					userRecord('u2', 'a1', 'No, use half-even'),
					assistantRecord('a2', 'u2', 'msg_B', [text('Abandoned reply')]),
					userRecord('u2b', 'a1', 'Use half-even rounding please'),
					assistantRecord('a3', 'u2b', 'msg_C', [text('Interrupted retry')]),
					assistantRecord('a4', 'u2b', 'msg_D', [text('Done with half-even')]),
				]),
			);
			assert.deepEqual(
				t.messages.map((m) => [m.id, m.flags.isCompacted]),
				[
					['u1', false],
					['msg_A', false],
					['u2', true],
					['msg_B', true],
					['u2b', false],
					['msg_C', true],
					['msg_D', false],
				],
			);
			assert.deepEqual(modelView(messagesInWindow(t)).length, 4);
		});

		it('keeps the chain going past a parent uuid that was never written', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, 'Go'),
					assistantRecord('a1', 'u1', 'msg_A', [toolUse('toolu_1', 'Bash', { command: 'ls' })]),
					userRecord('r1', 'never-written', [toolResult('toolu_1', 'a b c')]),
					assistantRecord('a2', 'r1', 'msg_B', [text('Listed')]),
				]),
			);
			assert.ok(t.messages.every((m) => !m.flags.isCompacted));
		});

		it('reads a subagent file on its own: every message is a sidechain message in the window', () => {
			const side = (r: Json) => ({ ...r, isSidechain: true, agentId: 'a485154' });
			const t = readText(
				jsonl([
					side(userRecord('u1', null, 'Find the callers')),
					side(assistantRecord('a1', 'u1', 'msg_A', [toolUse('toolu_1', 'Grep', { pattern: 'x' })])),
					side(userRecord('r1', 'a1', [toolResult('toolu_1', 'src/a.ts:1:x')])),
					side(assistantRecord('a2', 'r1', 'msg_B', [text('One caller')])),
				]),
				'agent-a485154.jsonl',
			);
			assert.ok(t.messages.every((m) => m.flags.isSidechain && !m.flags.isCompacted));
			assert.equal(messagesInWindow(t).length, 4);
		});

		it('keeps inline sidechain messages out of the main window without marking them compacted', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, 'Delegate'),
					assistantRecord('a1', 'u1', 'msg_A', [toolUse('toolu_1', 'Task', { prompt: 'look' })]),
					{ ...userRecord('s1', null, 'look'), isSidechain: true },
					{ ...assistantRecord('s2', 's1', 'msg_S', [text('found it')]), isSidechain: true },
					userRecord('r1', 'a1', [toolResult('toolu_1', 'found it')]),
					assistantRecord('a2', 'r1', 'msg_B', [text('The agent found it')]),
				]),
			);
			assert.deepEqual(
				t.messages.map((m) => [m.flags.isSidechain, m.flags.isCompacted]),
				[
					[false, false],
					[false, false],
					[true, false],
					[true, false],
					[false, false],
					[false, false],
				],
			);
			assert.deepEqual(
				messagesInWindow(t).map((m) => m.id),
				['u1', 'msg_A', 'r1', 'msg_B'],
			);
		});

		it('passes bookkeeping records through with their lines and takes the title only from a summary of this file', () => {
			const records = [
				{ type: 'summary', summary: 'Title from another session', leafUuid: 'elsewhere' },
				{ type: 'summary', summary: 'Invoice rounding fix', leafUuid: 'a1' },
				{ type: 'file-history-snapshot', messageId: 'u1', snapshot: {}, isSnapshotUpdate: false },
				userRecord('u1', null, 'Go'),
				{ type: 'queue-operation', operation: 'enqueue', sessionId: session, content: 'next' },
				{ ...envelope('p1', 'u1'), type: 'progress', data: { type: 'hook_progress' } },
				assistantRecord('a1', 'p1', 'msg_A', [text('Going')]),
				{ type: 'last-prompt', lastPrompt: 'Go', sessionId: session },
				{ type: 'totally-new-kind', sessionId: session },
				{
					...envelope('x1', 'a1'),
					type: 'system',
					subtype: 'api_error',
					level: 'error',
					error: { status: 529 },
				},
			];
			const t = readText(jsonl(records));
			assert.deepEqual(
				t.passthrough.map((p) => p.line),
				[1, 2, 3, 5, 6, 8, 9, 10],
			);
			assert.deepEqual(t.passthrough[3]!.record, records[4]);
			assert.deepEqual(
				t.passthrough.map((p) => (p.record as Json)['type']),
				[
					'summary',
					'summary',
					'file-history-snapshot',
					'queue-operation',
					'progress',
					'last-prompt',
					'totally-new-kind',
					'system',
				],
			);
			assert.equal(t.messages.length, 2);
			assert.ok(
				t.messages.every((m) => !m.flags.isCompacted),
				'the chain runs through the progress record',
			);
			assert.deepEqual(t.meta, {
				sessionId: session,
				title: 'Invoice rounding fix',
				cwd: '/home/dev/acme-billing',
				model: 'claude-sonnet-4-5-20250929',
			});
			assert.equal(t.diagnostics.length, 0);
			const titled = readText(
				jsonl([...records, { type: 'custom-title', customTitle: 'Named by me', sessionId: session }]),
			);
			assert.equal(titled.meta.title, 'Named by me');
			const untitled = readText(jsonl(records.slice(0, 1).concat(records.slice(3))));
			assert.equal(untitled.meta.title, undefined);
		});

		it('reads flags: meta, errors from API error and synthetic messages, newest real model', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, '<command-name>/cost</command-name>', { isMeta: true }),
					assistantRecord('a1', 'u1', 'msg_A', [text('hi')], undefined, {}, 'claude-opus-4-1'),
					assistantRecord(
						'a2',
						'a1',
						'msg_B',
						[text('API Error: 529 overloaded')],
						{ input_tokens: 0, output_tokens: 0 },
						{ isApiErrorMessage: true },
						'<synthetic>',
					),
					assistantRecord(
						'a3',
						'a2',
						'msg_C',
						[text('API Error: Connection error.')],
						{ input_tokens: 0, output_tokens: 0 },
						{},
						'<synthetic>',
					),
				]),
			);
			assert.deepEqual(
				t.messages.map((m) => [m.flags.isMeta, m.flags.isError]),
				[
					[true, false],
					[false, false],
					[false, true],
					[false, true],
				],
			);
			assert.equal(t.messages[2]!.usage, undefined, 'synthetic messages carry no real usage');
			assert.equal(t.meta.model, 'claude-opus-4-1');
		});

		it('reports a malformed line with its line and column and goes on reading', () => {
			const lines =
				jsonl([userRecord('u1', null, 'one')]) +
				'{"type":"user", "uuid": tru}\n' +
				jsonl([assistantRecord('a1', 'u1', 'msg_A', [text('two')])]);
			const t = readText(lines);
			assert.equal(t.messages.length, 2);
			const errors = t.diagnostics.filter((d) => d.severity === 'error');
			assert.equal(errors.length, 1);
			assert.equal(errors[0]!.line, 2);
			assert.equal(errors[0]!.column, 25);
			assert.equal(t.messages[1]!.lines.from, 3);
		});

		it('turns record-level problems into warnings and keeps the records as passthrough', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, 'fine'),
					{ ...envelope('u2', 'u1'), type: 'user' },
					{ ...envelope('u3', 'u1'), type: 'user', message: { role: 'user', content: 42 } },
					{ ...envelope('a1', 'u1'), type: 'assistant', message: 'not an object' },
					[1, 2, 3],
					{ uuid: 'no-type' },
					userRecord('u4', 'u1', ['not a block', text('ok')]),
				]),
			);
			const warnings = t.diagnostics.filter((d) => d.severity === 'warning');
			assert.deepEqual(
				warnings.map((d) => d.line),
				[2, 3, 4, 5, 6, 7],
			);
			assert.match(warnings[0]!.message, /user record has no message/);
			assert.match(warnings[1]!.message, /content is a number/);
			assert.deepEqual(
				t.passthrough.map((p) => p.line),
				[2, 3, 4, 5, 6],
			);
			assert.equal(t.messages.length, 2);
			assert.deepEqual(
				t.messages[1]!.parts.map((p) => p.kind),
				['text'],
			);
		});

		it('ignores a half-written last line, in a snapshot and at the end of a whole read', () => {
			const whole = jsonl([
				userRecord('u1', null, 'one'),
				assistantRecord('a1', 'u1', 'msg_A', [text('two')]),
			]);
			const partial = JSON.stringify(assistantRecord('a2', 'a1', 'msg_B', [text('three')])).slice(0, 70);
			const reader = newReader();
			reader.push(Buffer.from(whole + partial));
			assert.equal(reader.snapshot().messages.length, 2);
			const result = reader.finish();
			assert.ok(result.ok);
			assert.equal(result.transcript.messages.length, 2);
			assert.equal(result.transcript.diagnostics.length, 0);
		});
	});

	describe('incremental reading', () => {
		const fixture = jsonl(
			buildSession([
				{
					kind: 'turn',
					thinking: 'plain',
					text: 'Looking',
					calls: [
						{ name: 'Read', input: { a: 1 }, result: 'x', isError: false, withImage: false },
						{ name: 'Bash', input: {}, result: 'y', isError: true, withImage: true },
					],
					unknownBlock: false,
				},
				{ kind: 'bookkeeping', type: 'progress' },
				{ kind: 'prompt', text: 'next', withImage: true },
				{ kind: 'compact', summary: 'so far so good' },
				{
					kind: 'turn',
					thinking: 'redacted',
					text: undefined,
					calls: [{ name: 'Edit', input: {}, result: 'z', isError: false, withImage: false }],
					unknownBlock: true,
				},
			]),
		);
		const generated = generateClaudeSession({ seed: 5, targetBytes: 30_000 });

		function comparable(t: Transcript): unknown {
			return {
				messages: t.messages.map((m) => ({
					id: m.id,
					flags: m.flags,
					lines: m.lines,
					usage: m.usage,
					raw: m.raw.length,
					view: modelView([m]),
				})),
				passthrough: t.passthrough.map((p) => p.line),
				meta: t.meta,
				diagnostics: t.diagnostics,
			};
		}

		it('gives the same transcript however the bytes are chunked, with snapshots in between', () => {
			for (const source of [fixture, generated]) {
				const bytes = Buffer.from(source);
				const expected = comparable(readText(bytes));
				fc.assert(
					fc.property(fc.array(fc.nat(bytes.length), { maxLength: 12 }), (cuts) => {
						const reader = newReader();
						let at = 0;
						for (const cut of [...cuts].sort((a, b) => a - b)) {
							reader.push(bytes.subarray(at, cut));
							at = cut;
							reader.snapshot();
						}
						reader.push(bytes.subarray(at));
						const result = reader.finish();
						assert.ok(result.ok);
						assert.deepEqual(comparable(result.transcript), expected);
					}),
					{ numRuns: 150 },
				);
			}
		});

		it('adds a split record that arrives after a snapshot to its response and reuses unchanged messages', () => {
			const reader = newReader();
			reader.push(
				Buffer.from(
					jsonl([userRecord('u1', null, 'go'), assistantRecord('a1', 'u1', 'msg_A', [text('part one')])]),
				),
			);
			const first = reader.snapshot();
			reader.push(
				Buffer.from(
					jsonl([
						assistantRecord('a2', 'a1', 'msg_A', [toolUse('toolu_1', 'Bash', {})], {
							input_tokens: 1,
							output_tokens: 40,
						}),
					]),
				),
			);
			const second = reader.snapshot();
			assert.equal(second.messages.length, 2);
			assert.deepEqual(
				second.messages[1]!.parts.map((p) => p.kind),
				['text', 'toolCall'],
			);
			assert.equal(second.messages[1]!.usage?.outputTokens, 40);
			assert.deepEqual(
				first.messages[1]!.parts.map((p) => p.kind),
				['text'],
				'an earlier snapshot does not change',
			);
			assert.equal(second.messages[0], first.messages[0], 'an unchanged message is the same object');
			reader.push(Buffer.from(jsonl([userRecord('r1', 'a2', [toolResult('toolu_1', 'ok')])])));
			const third = reader.snapshot();
			assert.equal(third.messages[1], second.messages[1]);
		});

		it('moves the live branch when a fork arrives later', () => {
			const reader = newReader();
			reader.push(
				Buffer.from(
					jsonl([
						userRecord('u1', null, 'a'),
						assistantRecord('a1', 'u1', 'msg_A', [text('b')]),
						userRecord('u2', 'a1', 'c'),
					]),
				),
			);
			assert.ok(reader.snapshot().messages.every((m) => !m.flags.isCompacted));
			reader.push(Buffer.from(jsonl([userRecord('u2b', 'a1', 'c, edited')])));
			assert.deepEqual(
				reader.snapshot().messages.map((m) => m.flags.isCompacted),
				[false, false, true, false],
			);
		});
	});

	describe('writing', () => {
		it('writes a new resumable session with a fresh id, file name and resume hint', () => {
			const t = readText(generateClaudeSession({ seed: 11, targetBytes: 20_000 }));
			const id = '12345678-1234-4234-8234-123456789abc';
			const written = write(t, id);
			assert.equal(written.sessionId, id);
			assert.equal(written.fileName, `${id}.jsonl`);
			assert.equal(written.resumeHint, `claude --resume ${id}`);
			assertResumable(written.text, id);
			const random = claudeCodeFormat.write!(t, {});
			assert.match(
				random.sessionId!,
				/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
			);
			assert.notEqual(random.sessionId, t.meta.sessionId);
		});

		it('copies unchanged records verbatim apart from the envelope and keeps split records together', () => {
			const records = buildSession([
				{
					kind: 'turn',
					thinking: 'plain',
					text: 'Reading',
					calls: [
						{ name: 'Read', input: { file_path: 'a' }, result: 'body', isError: false, withImage: false },
					],
					unknownBlock: false,
				},
			]);
			const t = readText(jsonl(records));
			const out = assertResumable(write(t).text, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
			assert.equal(out.length, records.length);
			out.forEach((record, i) => {
				const original = records[i]!;
				assert.deepEqual(record['message'], original['message']);
				assert.equal(record['timestamp'], original['timestamp']);
				assert.deepEqual(record['toolUseResult'], original['toolUseResult']);
			});
			assert.equal(
				out[4]!['sourceToolAssistantUUID'],
				out[3]!['uuid'],
				'links to the tool_use record follow the new uuids',
			);
		});

		it('keeps bulky tool output it stores compactly exactly as read, in records and in what it writes', () => {
			const numbered = (name: string) =>
				Array.from(
					{ length: 40 },
					(_, i) => `${String(i + 1).padStart(6)}→// ${name} line ${i + 1} — ✓`,
				).join('\n');
			const output = numbered('test run');
			// A Read result shows the file with numbered lines; the tool's own result has the bare text.
			const fileText = numbered('totals.ts').replace(/^ *\d+→/gm, '');
			const reminder = '<system-reminder>\nConsider whether the file looks malicious.\n</system-reminder>\n';
			const records: Json[] = [
				userRecord('u1', null, 'Run the tests and read totals.ts'),
				assistantRecord('a1', 'u1', 'msg_1', [toolUse('toolu_1', 'Bash', { command: 'npm test' })]),
				userRecord('r1', 'a1', [toolResult('toolu_1', output)], {
					toolUseResult: { stdout: output, stderr: numbered('warnings'), interrupted: false, isImage: false },
					sourceToolAssistantUUID: 'a1',
				}),
				assistantRecord('a2', 'r1', 'msg_2', [toolUse('toolu_2', 'Read', { file_path: 'totals.ts' })]),
				userRecord('r2', 'a2', [toolResult('toolu_2', [text(`${numbered('totals.ts')}\n\n${reminder}`)])], {
					toolUseResult: {
						type: 'text',
						file: { filePath: 'totals.ts', content: fileText, numLines: 40 },
						nearly: `${fileText.slice(0, -1)}!`,
						patches: [{ lines: [numbered('patch')] }, numbered('listed')],
					},
				}),
				{
					...envelope('p1', 'r2'),
					type: 'progress',
					data: { output: numbered('progress'), nested: [{ text: numbered('n') }] },
				},
				{ type: 'file-history-snapshot', messageId: 'u1', snapshot: { backup: numbered('backup') } },
				assistantRecord('a3', 'p1', 'msg_3', [text('Done — all green ✓')]),
				assistantRecord('a4', 'a3', 'msg_3', [text('Anything else?')]),
			];
			// Split records without a request id: sharing strings between them must not add the key.
			delete records[7]!['requestId'];
			delete records[8]!['requestId'];
			const lines = records.map((r) => JSON.stringify(r));
			const t = readText(jsonl(records));
			const read = [...t.messages.flatMap((m) => m.raw), ...t.passthrough.map((p) => p.record)];
			assert.deepEqual(read.map((r) => JSON.stringify(r)).sort(), [...lines].sort());
			assert.deepEqual(read, [...records.slice(0, 5), records[7], records[8], records[5], records[6]]);
			assert.equal(t.messages[2]?.parts[0]?.kind === 'toolResult' && t.messages[2].parts[0].text, output);
			const isAccessor = (object: unknown, key: string) =>
				!('value' in Object.getOwnPropertyDescriptor(object, key)!);
			const bash = (t.messages[2]!.raw[0] as Json)['toolUseResult'] as Json;
			assert.ok(isAccessor(bash, 'stderr'), 'this test reaches the compact path');
			const readResult = (t.messages[4]!.raw[0] as Json)['toolUseResult'] as Json;
			assert.ok(isAccessor(readResult['file'], 'content'), 'and the one computing file text from the result');
			assert.equal((readResult['file'] as Json)['content'], fileText);
			assert.equal(readResult['nearly'], `${fileText.slice(0, -1)}!`);
			const out = assertResumable(write(t).text, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
			assert.deepEqual(out[2]!['toolUseResult'], records[2]!['toolUseResult']);
			assert.deepEqual(out[4]!['toolUseResult'], records[4]!['toolUseResult']);
			const again = readText(write(t).text);
			assert.deepEqual(modelView(messagesInWindow(again)), modelView(messagesInWindow(t)));
		});

		it('rebuilds changed messages from their parts and drops what cannot be forged', () => {
			const t = readText(
				jsonl(
					buildSession([
						{
							kind: 'turn',
							thinking: 'plain',
							text: 'Reading',
							calls: [
								{
									name: 'Read',
									input: { file_path: 'a' },
									result: 'a very long body',
									isError: false,
									withImage: false,
								},
							],
							unknownBlock: false,
						},
					]),
				),
			);
			const [prompt, reply, result] = t.messages;
			const compacted: Transcript = {
				...t,
				messages: [
					prompt!,
					{
						...reply!,
						parts: [
							{ kind: 'thinking', text: 'rewritten', isRedacted: false },
							reply!.parts[1]!,
							{ ...reply!.parts[2]!, raw: undefined } as Part,
						],
					},
					{
						...result!,
						parts: [
							{
								kind: 'toolResult',
								callId: 'toolu_1',
								text: '[Read a: 1 line, pruned]',
								isError: false,
								images: [],
							},
						],
					},
					{
						id: 'new',
						role: 'user',
						parts: [{ kind: 'text', text: 'A new prompt' }],
						flags: makeFlags(),
						lines: { from: 0, to: 0 },
						raw: [],
					},
				],
			};
			const written = write(compacted);
			const out = assertResumable(written.text, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
			assert.equal(out.length, 4, 'the split reply becomes one record');
			const replyRecord = out[1]!['message'] as Json;
			assert.deepEqual(
				(replyRecord['content'] as Json[]).map((b) => b['type']),
				['text', 'tool_use'],
			);
			assert.equal(replyRecord['id'], (reply!.raw[0] as { message: Json }).message['id']);
			assert.equal(out[2]!['toolUseResult'], undefined, 'a rebuilt result drops the structured copy');
			assert.deepEqual((out[3]!['message'] as Json)['content'], 'A new prompt');
			assert.equal(out[3]!['timestamp'], '2026-05-01T12:00:00.000Z');
			const again = readText(written.text);
			assert.deepEqual(modelView(again.messages), [
				modelView([prompt!])[0],
				{ role: 'assistant', parts: [partView(reply!.parts[1]!), partView(reply!.parts[2]!)] },
				{
					role: 'user',
					parts: [
						{
							kind: 'toolResult',
							callId: 'toolu_1',
							text: '[Read a: 1 line, pruned]',
							isError: false,
							images: [],
						},
					],
				},
				{ role: 'user', parts: [{ kind: 'text', text: 'A new prompt' }] },
			]);
		});

		it('synthesizes records for messages from elsewhere, without copying foreign record keys', () => {
			const foreign = (m: Partial<Message> & Pick<Message, 'role' | 'parts'>): Message => ({
				id: m.role,
				flags: makeFlags(),
				lines: { from: 1, to: 1 },
				raw: [{ role: m.role, content: 'from another format', payload: { secret: true } }],
				...m,
			});
			const t: Transcript = {
				format: 'openai-chat',
				detection: { format: 'openai-chat', reason: 'test' },
				messages: [
					foreign({ role: 'user', parts: [{ kind: 'text', text: 'Sum these' }] }),
					foreign({
						role: 'assistant',
						parts: [{ kind: 'toolCall', callId: 'call_1', name: 'sum', argumentsText: '{"a":1,"b":2}' }],
						model: 'gpt-5',
						usage: { inputTokens: 120, outputTokens: 9, contextTokens: 129 },
					}),
					foreign({
						role: 'tool',
						parts: [{ kind: 'toolResult', callId: 'call_1', text: '3', isError: false, images: [] }],
					}),
					foreign({
						role: 'assistant',
						parts: [{ kind: 'toolCall', callId: 'call_2', name: 'bad', argumentsText: '{not json' }],
					}),
				],
				passthrough: [],
				meta: { cwd: '/home/dev/acme-billing' },
				diagnostics: [],
				lineCount: 4,
			};
			const out = assertResumable(write(t).text, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
			assert.ok(out.every((r) => r['payload'] === undefined && r['cwd'] === '/home/dev/acme-billing'));
			assert.deepEqual(
				out.map((r) => r['type']),
				['user', 'assistant', 'user', 'assistant'],
			);
			assert.deepEqual(((out[3]!['message'] as Json)['content'] as Json[])[0]!['input'], {});
			const again = readText(write(t).text);
			assert.deepEqual(modelView(again.messages).slice(0, 3), [
				{ role: 'user', parts: [{ kind: 'text', text: 'Sum these' }] },
				{
					role: 'assistant',
					parts: [{ kind: 'toolCall', callId: 'call_1', name: 'sum', argumentsText: '{"a":1,"b":2}' }],
				},
				{
					role: 'user',
					parts: [{ kind: 'toolResult', callId: 'call_1', text: '3', isError: false, images: [] }],
				},
			]);
			assert.equal(again.messages[1]!.model, 'gpt-5');
			assert.deepEqual(again.messages[1]!.usage, { inputTokens: 120, outputTokens: 9, contextTokens: 129 });
		});

		it('a part copied with a changed text is rebuilt, not written from its stale raw block', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, [text('original words')]),
					assistantRecord('a1', 'u1', 'msg_A', [text('reply')]),
				]),
			);
			const changed: Transcript = {
				...t,
				messages: [
					{
						...t.messages[0]!,
						parts: [{ ...(t.messages[0]!.parts[0] as Part & { kind: 'text' }), text: 'edited words' }],
					},
					t.messages[1]!,
				],
			};
			const again = readText(write(changed).text);
			assert.deepEqual(modelView(again.messages)[0], {
				role: 'user',
				parts: [{ kind: 'text', text: 'edited words' }],
			});
		});

		it('writes a leading summary as a compact boundary plus the summary record, which re-reads as a summary', () => {
			const t = readText(generateClaudeSession({ seed: 2, targetBytes: 20_000 }));
			const window = messagesInWindow(t);
			const tail = window.slice(-4);
			const summary: Message = {
				id: 'summary',
				role: 'user',
				parts: [{ kind: 'text', text: 'Goal: fix rounding. Done: tests pass.' }],
				flags: makeFlags({ isSummary: true }),
				lines: { from: 0, to: 0 },
				raw: [],
			};
			const compacted: Transcript = {
				...t,
				messages: [
					...t.messages
						.slice(0, -4)
						.map((m) => ({ ...m, flags: makeFlags({ ...m.flags, isCompacted: true }) })),
					summary,
					...tail,
				],
			};
			const written = write(compacted);
			const out = assertResumable(written.text, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
			assert.equal(out[0]!['type'], 'system');
			assert.equal(out[0]!['subtype'], 'compact_boundary');
			assert.equal(
				out[0]!['timestamp'],
				tail[0]!.timestamp,
				'a made-up record is never newer than what follows',
			);
			assert.equal(out[0]!['parentUuid'], null);
			const metadata = out[0]!['compactMetadata'] as Json;
			assert.equal(metadata['trigger'], 'manual');
			assert.equal(
				metadata['preTokens'],
				t.messages.slice(0, -4).findLast((m) => m.usage !== undefined)!.usage!.contextTokens,
			);
			assert.equal(out[1]!['isCompactSummary'], true);
			assert.equal(out[1]!['isVisibleInTranscriptOnly'], true);
			const content = (out[1]!['message'] as Json)['content'];
			assert.equal(content, summaryPrefix + 'Goal: fix rounding. Done: tests pass.' + summarySuffix);
			const again = readText(written.text);
			assert.equal(again.messages[0]!.flags.isSummary, true);
			assert.deepEqual(modelView(again.messages.slice(1)), modelView(tail));
			const twice = readText(write(again).text);
			assert.equal(
				(twice.messages[0]!.parts[0] as { text: string }).text,
				content,
				'an already wrapped summary is not wrapped again',
			);
			assert.equal(twice.passthrough.length, 1);
		});

		it('writes a summary after kept head messages without a boundary, so the head stays in the chain', () => {
			const t = readText(
				jsonl([
					userRecord('u1', null, 'Head prompt'),
					assistantRecord('a1', 'u1', 'msg_A', [text('Head reply')]),
				]),
			);
			const summary: Message = {
				id: 's',
				role: 'user',
				parts: [{ kind: 'text', text: wrapSummary('middle') }],
				flags: makeFlags({ isSummary: true }),
				lines: { from: 0, to: 0 },
				raw: [],
			};
			const out = assertResumable(
				write({ ...t, messages: [...t.messages, summary] }).text,
				'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
			);
			assert.deepEqual(
				out.map((r) => r['type']),
				['user', 'assistant', 'user'],
			);
			const again = readText(out.map((r) => JSON.stringify(r)).join('\n') + '\n');
			assert.deepEqual(
				again.messages.map((m) => [m.flags.isSummary, m.flags.isCompacted]),
				[
					[false, false],
					[false, false],
					[true, false],
				],
			);
		});

		it('round-trips every model-visible part of generated sessions and keeps the chain unbroken', () => {
			fc.assert(
				fc.property(fc.array(stepArbitrary, { maxLength: 14 }), (steps) => {
					const t = readText(jsonl(buildSession(steps)));
					const written = write(t);
					assertResumable(written.text, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
					const again = readText(written.text);
					assert.deepEqual(modelView(messagesInWindow(again)), modelView(messagesInWindow(t)));
					assert.deepEqual(
						messagesInWindow(again).map((m) => m.flags.isSummary),
						messagesInWindow(t).map((m) => m.flags.isSummary),
					);
				}),
				{ numRuns: 300 },
			);
		});

		it('round-trips sessions from the generator, with tool results replaced by placeholders', () => {
			fc.assert(
				fc.property(
					fc.integer({ min: 1, max: 1_000_000 }),
					fc.integer({ min: 5_000, max: 40_000 }),
					(seed, size) => {
						const t = readText(generateClaudeSession({ seed, targetBytes: size }));
						const pruned: Transcript = {
							...t,
							messages: t.messages.map((m) => ({
								...m,
								parts: m.parts.map((p): Part =>
									p.kind === 'toolResult' && p.text.length > 200
										? {
												kind: 'toolResult',
												callId: p.callId,
												text: '[pruned]',
												isError: p.isError,
												images: [],
											}
										: p,
								),
							})),
						};
						const again = readText(write(pruned).text);
						assert.deepEqual(modelView(messagesInWindow(again)), modelView(messagesInWindow(pruned)));
						assert.equal(again.diagnostics.length, 0);
					},
				),
				{ numRuns: 40 },
			);
		});
	});

	describe('fuzz', () => {
		const bases: Json[] = [
			userRecord('u1', null, 'hello'),
			userRecord('r1', 'a1', [
				toolResult('toolu_1', [text('x'), imageBlock(pngBytes(2, 2), 'image/png')], true),
			]),
			assistantRecord('a1', 'u1', 'msg_A', [
				{ type: 'thinking', thinking: 't', signature: 's' },
				toolUse('toolu_1', 'Bash', { command: 'ls' }),
			]),
			{
				...envelope('b1', null, { logicalParentUuid: 'a1' }),
				type: 'system',
				subtype: 'compact_boundary',
				compactMetadata: { trigger: 'auto' },
			},
			{ type: 'summary', summary: 'Title', leafUuid: 'u1' },
			{ type: 'file-history-snapshot', messageId: 'u1', snapshot: {} },
			{ ...envelope('p1', 'u1'), type: 'progress', data: {} },
		];
		const junk = fc.oneof(
			fc.constant(null),
			fc.integer(),
			fc.string(),
			fc.constant([]),
			fc.constant({}),
			fc.boolean(),
			fc.jsonValue({ maxDepth: 2 }),
		);

		function mutate(value: unknown, path: readonly string[], replacement: unknown, drop: boolean): unknown {
			if (path.length === 0 || typeof value !== 'object' || value === null)
				return drop ? undefined : replacement;
			const [head, ...rest] = path;
			const copy: Record<string, unknown> = Array.isArray(value)
				? ({ ...value } as Record<string, unknown>)
				: { ...(value as Json) };
			const keys = Object.keys(copy);
			if (keys.length === 0) return copy;
			const key = keys[Number(head) % keys.length]!;
			const next = mutate(copy[key], rest, replacement, drop);
			if (next === undefined) delete copy[key];
			else copy[key] = next;
			return Array.isArray(value) ? Object.values(copy) : copy;
		}

		const utf8 = (text: string) => Buffer.from(text.replace(/\n/g, ' '));
		const line: fc.Arbitrary<Buffer> = fc.oneof(
			fc
				.record({
					base: fc.constantFrom(...bases),
					path: fc.array(fc.nat(20).map(String), { minLength: 1, maxLength: 4 }),
					replacement: junk,
					drop: fc.boolean(),
				})
				.map(({ base, path, replacement, drop }) =>
					utf8(JSON.stringify(mutate(base, path, replacement, drop)) ?? 'null'),
				),
			fc
				.constantFrom(...bases)
				.chain((base) => fc.nat(400).map((cut) => utf8(JSON.stringify(base).slice(0, cut)))),
			fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes.map((b) => (b === 0x0a ? 0x20 : b)))),
			fc.string({ maxLength: 40 }).map(utf8),
			fc.jsonValue({ maxDepth: 3 }).map((v) => utf8(JSON.stringify(v) ?? 'null')),
		);

		/** Whether a line parses the way the reader sees it: UTF-8, without a BOM or a trailing CR. */
		function parses(bytes: Buffer): boolean {
			let text = bytes.toString('utf8');
			if (text.endsWith('\r')) text = text.slice(0, -1);
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
			if (text.trim() === '') return true;
			try {
				JSON.parse(text);
				return true;
			} catch {
				return false;
			}
		}

		it('never throws on random and mutated lines, and every problem names a line', () => {
			fc.assert(
				fc.property(
					fc.array(line, { minLength: 1, maxLength: 8 }),
					fc.boolean(),
					(lines, trailingNewline) => {
						const parts: Buffer[] = [];
						lines.forEach((bytes, i) => parts.push(...(i === 0 ? [bytes] : [Buffer.from('\n'), bytes])));
						if (trailingNewline) parts.push(Buffer.from('\n'));
						const reader = newReader();
						reader.push(Buffer.concat(parts));
						reader.snapshot();
						const result = reader.finish();
						if (!result.ok) {
							assert.ok(Number.isInteger(result.failure.line) && result.failure.line! >= 1);
							return;
						}
						const t = result.transcript;
						for (const d of t.diagnostics)
							assert.ok(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines.length, `line ${d.line}`);
						const complete = trailingNewline ? lines : lines.slice(0, -1);
						complete.forEach((bytes, i) => {
							if (!parses(bytes))
								assert.ok(
									t.diagnostics.some((d) => d.severity === 'error' && d.line === i + 1),
									`line ${i + 1} has an error`,
								);
						});
						assertResumable(write(t).text, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
					},
				),
				{ numRuns: 10_000 },
			);
		});
	});

	describe('corpus', () => {
		describeCorpus('claude-code', (file) => {
			const name = file.split('/').pop()!;
			it(`${name}: reads cleanly, pairs every tool result, and round-trips the window`, () => {
				const bytes = readFileSync(file);
				const t = readText(bytes, file);
				const badLines = bytes
					.toString('utf8')
					.split('\n')
					.map((l, i) => ({ l, line: i + 1 }))
					.filter(({ l }) => {
						if (l.trim() === '') return false;
						try {
							JSON.parse(l);
							return false;
						} catch {
							return true;
						}
					})
					.map(({ line }) => line);
				assert.deepEqual(
					t.diagnostics.filter((d) => d.severity === 'error').map((d) => d.line),
					badLines,
				);
				const hasConversation = bytes.toString('utf8').includes('"type":"user"');
				assert.equal(t.messages.length > 0, hasConversation);
				const callIds = new Set(
					t.messages.flatMap((m) => m.parts.flatMap((p) => (p.kind === 'toolCall' ? [p.callId] : []))),
				);
				for (const m of t.messages)
					for (const p of m.parts)
						if (p.kind === 'toolResult' && p.callId !== '')
							assert.ok(callIds.has(p.callId), `result ${p.callId} has its call`);
				assert.deepEqual(
					pairToolCalls(messagesInWindow(t)).orphanResults.filter((o) => o.callId !== ''),
					[],
				);
				assertRecordsReadBack(t, bytes.toString('utf8'));
				const written = write(t);
				assertResumable(written.text, 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
				if (written.text === '') return;
				const again = readText(written.text);
				assert.deepEqual(modelView(messagesInWindow(again)), modelView(messagesInWindow(t)));
			});
		});
	});

	describe('generateClaudeSession', () => {
		it('is deterministic per seed and reads back as a clean, chained session', () => {
			const a = generateClaudeSession({ seed: 42, targetBytes: 50_000, sessionId: 'fixed-session' });
			assert.equal(generateClaudeSession({ seed: 42, targetBytes: 50_000, sessionId: 'fixed-session' }), a);
			assert.notEqual(
				generateClaudeSession({ seed: 43, targetBytes: 50_000, sessionId: 'fixed-session' }),
				a,
			);
			const records = a
				.trimEnd()
				.split('\n')
				.map((l) => JSON.parse(l) as Json);
			const conversation = records.filter((r) => r['uuid'] !== undefined);
			const byUuid = new Set(conversation.map((r) => r['uuid']));
			assert.equal(conversation.filter((r) => r['parentUuid'] === null).length, 1);
			assert.ok(conversation.every((r) => r['parentUuid'] === null || byUuid.has(r['parentUuid'])));
			assert.ok(conversation.every((r) => r['sessionId'] === 'fixed-session'));
			const times = conversation.map((r) => Date.parse(r['timestamp'] as string));
			assert.ok(
				times.every((time, i) => i === 0 || time >= times[i - 1]!),
				'timestamps never go back',
			);
			const t = readText(a);
			assert.deepEqual(t.diagnostics, []);
			assertRecordsReadBack(t, a);
			assert.equal(t.messages.flatMap((m) => m.raw).length + t.passthrough.length, records.length);
			assert.ok(t.messages.every((m) => !m.flags.isCompacted));
			const pairing = pairToolCalls(t.messages);
			assert.deepEqual([pairing.orphanResults.length, pairing.unansweredCalls.length], [0, 0]);
			const names = new Set(pairing.pairs.map((p) => p.name));
			for (const name of ['Read', 'Edit', 'Bash', 'TodoWrite']) assert.ok(names.has(name), name);
			assert.ok(t.messages.some((m) => m.flags.isError));
			assert.ok(t.messages.some((m) => m.parts.some((p) => p.kind === 'thinking')));
			assert.ok(
				t.messages.some((m) => m.raw.length > 1),
				'split responses',
			);
			assert.ok(t.passthrough.some((p) => (p.record as Json)['type'] === 'file-history-snapshot'));
			const contexts = t.messages.flatMap((m) => (m.usage === undefined ? [] : [m.usage.contextTokens]));
			assert.ok(contexts.at(-1)! > contexts[0]!, 'usage grows');
		});

		it('lands near the requested size, from 10 KB up, without slowing down on large sizes', () => {
			for (const target of [10_000, 100_000, 1_000_000]) {
				const size = Buffer.byteLength(generateClaudeSession({ seed: 9, targetBytes: target }));
				assert.ok(size >= target && size < target * 1.5 + 40_000, `${target} -> ${size}`);
			}
			const started = performance.now();
			const big = generateClaudeSession({ seed: 9, targetBytes: 20_000_000 });
			const seconds = (performance.now() - started) / 1000;
			assert.ok(big.length >= 20_000_000);
			// A loose bound that still catches quadratic work; measured throughput is well above 50 MB/s.
			assert.ok(big.length / seconds > 10_000_000, `${(big.length / seconds / 1e6).toFixed(1)} MB/s`);
		});

		it('produced the committed sample fixture', () => {
			const fixture = readFileSync(
				join(__dirname, '..', '..', '..', 'fixtures', 'sample-claude-session.jsonl'),
				'utf8',
			);
			assert.equal(generateClaudeSession({ seed: 12, targetBytes: 250_000 }), fixture);
			const t = readText(fixture);
			assert.equal(t.diagnostics.length, 0);
			assert.ok(t.lineCount >= 100 && t.lineCount <= 200);
		});
	});
});
