import { strict as assert } from 'node:assert';
import {
	contentHashOf,
	pinKeyOf,
	resolvePinKeys,
	resolvePinRequests,
	visibleTextOf,
} from '../../../src/core/compaction/pinTargets';
import type { Message } from '../../../src/core/transcript/model';
import { callPart, message, resultPart, textPart } from './arbitraries';

function window(): Message[] {
	return [
		message('m0', 'user', [textPart('Build the Parquet export for invoices.')]),
		message('m1', 'assistant', [
			{ kind: 'thinking', text: 'Maybe SCHEDULER first.', isRedacted: false },
			textPart('Reading the exporter.'),
			callPart('r1', 'Read', { file_path: 'src/billing/export.ts' }),
		]),
		message('m2', 'tool', [resultPart('r1', 'export function writeCsv() {}')]),
		message('m3', 'assistant', [textPart('It writes CSV; switching to parquet.')]),
		message('m4', 'user', [textPart('Keep the column order.')]),
	];
}

describe('pin targets', () => {
	it('resolves message numbers as inspect shows them (#1 is the first window message)', () => {
		const resolved = resolvePinRequests(window(), { numbers: [1, 4, 4], matching: [] }, 'session.jsonl');
		assert.ok(resolved.ok);
		assert.deepEqual([...resolved.pinned].sort(), [0, 3]);
	});

	it('names the file, the number and the valid range when a number is outside the window', () => {
		for (const number of [0, 6, 2.5]) {
			const resolved = resolvePinRequests(window(), { numbers: [number], matching: [] }, 'session.jsonl');
			assert.ok(!resolved.ok);
			assert.equal(resolved.problem.kind, 'numberOutOfRange');
			assert.equal(
				resolved.problem.message,
				`session.jsonl: there is no message #${number}; the window holds messages #1 to #5.`,
			);
		}
		const empty = resolvePinRequests([], { numbers: [1], matching: [] }, 'empty.jsonl');
		assert.ok(!empty.ok);
		assert.equal(empty.problem.message, 'empty.jsonl: there is no message #1; the window holds no messages.');
	});

	it('matches text case-insensitively in text, tool calls and results, but not in thinking', () => {
		const resolved = resolvePinRequests(
			window(),
			{ numbers: [], matching: ['parquet', 'EXPORT.TS', 'writecsv'] },
			'session.jsonl',
		);
		assert.ok(resolved.ok);
		assert.deepEqual(
			[...resolved.pinned].sort(),
			[0, 1, 2, 3],
			'parquet: #1 and #4; export.ts: the call; writeCsv: the result',
		);
		assert.deepEqual(resolved.matchedPerText, [2, 1, 1]);
		assert.ok(!visibleTextOf(window()[1] as Message).includes('SCHEDULER'));
		const thinkingOnly = resolvePinRequests(
			window(),
			{ numbers: [], matching: ['scheduler'] },
			'session.jsonl',
		);
		assert.ok(!thinkingOnly.ok);
		assert.equal(thinkingOnly.problem.kind, 'noMatch');
		assert.equal(
			thinkingOnly.problem.message,
			'session.jsonl: no message in the window contains "scheduler" (ignoring case).',
		);
		const blank = resolvePinRequests(window(), { numbers: [], matching: ['  '] }, 'session.jsonl');
		assert.ok(!blank.ok);
		assert.equal(blank.problem.kind, 'emptyText');
	});

	it('finds a stored pin again after a re-read and after appends', () => {
		const before = window();
		const keys = [pinKeyOf(before[1] as Message, 1), pinKeyOf(before[3] as Message, 3)];
		// A re-read makes new objects with the same content; appends add messages after the window's end.
		const reread = window().concat(message('m5', 'assistant', [textPart('Done.')]));
		assert.deepEqual(resolvePinKeys(reread, keys), { indexes: [1, 3], unresolved: [] });
		assert.equal(contentHashOf(reread[1] as Message), keys[0]?.hash);
	});

	it('follows a pinned message whose index and positional id moved, by its content, and never guesses', () => {
		const before = window();
		const key = pinKeyOf(before[3] as Message, 3);
		// Earlier history compacted away: the same messages, renumbered from the start of the new window.
		const shifted = before.slice(2).map((m, i) => ({ ...m, id: `m${i}` }));
		assert.deepEqual(resolvePinKeys(shifted, [key]), { indexes: [1], unresolved: [] });
		// The message at the old index and id now says something else, and nothing holds the pinned content.
		const changed = before.map((m, i) =>
			i === 3 ? { ...m, parts: [textPart('It writes CSV; switching to ORC.')] } : m,
		);
		assert.deepEqual(resolvePinKeys(changed, [key]), { indexes: [], unresolved: [key] });
	});

	it('hashes role and content, not the id', () => {
		const a = message('x', 'user', [textPart('same')]);
		assert.equal(contentHashOf(a), contentHashOf({ ...a, id: 'y' }));
		assert.notEqual(contentHashOf(a), contentHashOf({ ...a, role: 'assistant' }));
		assert.notEqual(
			contentHashOf(message('x', 'user', [textPart('ab'), textPart('c')])),
			contentHashOf(message('x', 'user', [textPart('a'), textPart('bc')])),
		);
		assert.match(contentHashOf(a), /^[0-9a-f]{16}$/);
	});
});
