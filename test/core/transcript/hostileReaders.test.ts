import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { FormatId } from '../../../src/core/transcript/model';
import { parseTranscript, type ReadResult } from '../../../src/core/transcript/readTranscript';

/** A few well-formed records of each format, the seeds that mutations start from. */
const seeds: Readonly<Record<FormatId, readonly unknown[]>> = {
	'claude-code': [
		{ type: 'summary', summary: 'earlier work', leafUuid: 'a1' },
		{
			type: 'user',
			uuid: 'u1',
			parentUuid: null,
			sessionId: 's',
			timestamp: '2025-01-01T00:00:00Z',
			message: { role: 'user', content: 'fix the rounding' },
		},
		{
			type: 'assistant',
			uuid: 'a1',
			parentUuid: 'u1',
			sessionId: 's',
			message: {
				id: 'm1',
				role: 'assistant',
				model: 'claude-sonnet-4-5',
				content: [
					{ type: 'text', text: 'reading' },
					{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'a.ts' } },
				],
			},
		},
		{
			type: 'user',
			uuid: 'u2',
			parentUuid: 'a1',
			sessionId: 's',
			message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'export {}' }] },
		},
	],
	codex: [
		{
			timestamp: '2025-01-01T00:00:00Z',
			type: 'session_meta',
			payload: { id: 's', cwd: '/w', base_instructions: { text: 'be brief' } },
		},
		{
			timestamp: '2025-01-01T00:00:01Z',
			type: 'response_item',
			payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
		},
		{
			timestamp: '2025-01-01T00:00:02Z',
			type: 'response_item',
			payload: { type: 'function_call', name: 'shell', arguments: '{"cmd":"ls"}', call_id: 'c1' },
		},
		{
			timestamp: '2025-01-01T00:00:03Z',
			type: 'response_item',
			payload: { type: 'function_call_output', call_id: 'c1', output: 'a.ts' },
		},
	],
	'copilot-chat': [
		{
			kind: 0,
			v: {
				version: 3,
				sessionId: 's',
				requests: [{ requestId: 'r1', message: { text: 'hi' }, response: [{ value: 'hello' }] }],
			},
		},
		{ kind: 2, k: ['requests'], v: [{ requestId: 'r2', message: { text: 'more' }, response: [] }] },
		{ kind: 2, k: ['requests', 1, 'response'], v: [{ value: 'sure' }] },
		{ kind: 1, k: ['requests', 0, 'modelState'], v: { value: 1 } },
	],
	'gemini-cli': [
		{ sessionId: 's', projectHash: 'p', startTime: '2025-01-01T00:00:00Z' },
		{ id: '1', type: 'user', content: [{ text: 'hi' }], timestamp: '2025-01-01T00:00:01Z' },
		{ id: '2', type: 'gemini', content: 'hello', toolCalls: [{ id: 'c1', name: 'ls', args: {} }] },
		{ $set: { summary: 'x' } },
	],
	'openai-chat': [
		{ role: 'system', content: 'be brief' },
		{ role: 'user', content: 'hi' },
		{
			role: 'assistant',
			content: null,
			tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ls', arguments: '{}' } }],
		},
		{ role: 'tool', tool_call_id: 'c1', content: 'a.ts' },
	],
	'anthropic-messages': [
		{ role: 'user', content: [{ type: 'text', text: 'hi' }] },
		{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ls', input: {} }] },
		{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'a.ts' }] },
		{ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
	],
};

const formatIds = Object.keys(seeds) as FormatId[];
const smallJson = fc.jsonValue({ maxDepth: 3 });

/** One record mutated: a key dropped, a value replaced by any JSON, or the whole record replaced. */
function mutatedRecord(format: FormatId): fc.Arbitrary<unknown> {
	const seed = fc.constantFrom(...seeds[format]);
	return fc.oneof(
		{ weight: 3, arbitrary: seed },
		{
			weight: 3,
			arbitrary: fc.tuple(seed, fc.nat(), smallJson, fc.boolean()).map(([record, at, value, drop]) => {
				if (typeof record !== 'object' || record === null) return record;
				const copy: Record<string, unknown> = structuredClone(record as Record<string, unknown>);
				const keys = Object.keys(copy);
				const key = keys[at % Math.max(1, keys.length)] ?? 'x';
				if (drop) delete copy[key];
				else copy[key] = value;
				return copy;
			}),
		},
		{ weight: 1, arbitrary: smallJson },
	);
}

/** One line of a file: a (mutated) record, the record cut short, any text, or JSON nested too deep to walk. */
function line(format: FormatId): fc.Arbitrary<string> {
	return fc.oneof(
		{ weight: 6, arbitrary: mutatedRecord(format).map((r) => JSON.stringify(r) ?? 'null') },
		{
			weight: 1,
			arbitrary: fc.tuple(mutatedRecord(format), fc.nat()).map(([r, cut]) => {
				const text = JSON.stringify(r) ?? 'null';
				return text.slice(0, cut % (text.length + 1));
			}),
		},
		{ weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
		{
			weight: 1,
			arbitrary: fc.constantFrom(
				'',
				'   ',
				'\u0000\u0001',
				'{"a":',
				`${'['.repeat(1_500)}${']'.repeat(1_500)}`,
			),
		},
	);
}

/** A whole small input: JSONL lines, or the same records as one JSON document (array or `messages` wrapper). */
function input(format: FormatId): fc.Arbitrary<string> {
	const lines = fc.array(line(format), { maxLength: 6 });
	return fc.oneof(
		{
			weight: 4,
			arbitrary: fc
				.tuple(lines, fc.boolean())
				.map(([ls, trailing]) => ls.join('\n') + (trailing ? '\n' : '')),
		},
		{
			weight: 1,
			arbitrary: fc
				.tuple(
					fc.array(mutatedRecord(format), { maxLength: 5 }),
					fc.constantFrom('array', 'messages', 'requests'),
				)
				.map(([records, shape]) =>
					JSON.stringify(shape === 'array' ? records : { sessionId: 's', [shape]: records }, null, 1),
				),
		},
	);
}

/** A read result says what it read, or why not: messages, records kept as they are, or a diagnostic on a line. */
function assertAccounted(result: ReadResult, text: string, path: string): void {
	if (!result.ok) {
		assert.equal(result.failure.file, path);
		assert.ok(result.failure.message.length > 0);
		assert.doesNotMatch(result.failure.message, /\bat .+:\d+:\d+\)/, 'no stack in a failure');
		return;
	}
	if (text.trim() === '') return;
	const t = result.transcript;
	const isAccounted =
		t.messages.length > 0 ||
		t.passthrough.length > 0 ||
		t.diagnostics.some((d) => Number.isInteger(d.line) && d.line >= 1 && d.message !== '');
	assert.ok(isAccounted, `read nothing and said nothing: ${JSON.stringify(text).slice(0, 300)}`);
	for (const d of t.diagnostics) assert.ok(d.line >= 1, `diagnostic without a line: ${d.message}`);
}

describe('every reader against arbitrary and mutated input (properties)', function () {
	this.timeout(180_000);
	for (const format of formatIds) {
		it(`${format}: never throws, and every non-empty input yields messages, kept records or a diagnostic on a line`, () => {
			const path = `hostile.${format}.jsonl`;
			fc.assert(
				fc.property(input(format), fc.boolean(), (text, isForced) => {
					const bytes = Buffer.from(text, 'utf8');
					const result = parseTranscript(bytes, path, isForced ? { format } : {});
					assertAccounted(result, text, path);
				}),
				{ numRuns: 10_000 },
			);
		});
	}
});
