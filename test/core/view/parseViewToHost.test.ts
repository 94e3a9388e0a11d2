import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { StrategyName } from '../../../src/core/compaction/strategies';
import type { ViewToHost } from '../../../src/protocol/messages';
import { assertNever, viewCommands, viewKinds } from '../../../src/protocol/messages';
import { maxIdChars, maxShortTextChars, parseViewToHost } from '../../../src/protocol/parseViewToHost';

const strategies: StrategyName[] = [
	'summarize',
	'structure',
	'structure-aggressive',
	'prune',
	'lru',
	'window',
	'tc-cap',
	'rotate',
];

const id = fc.string({ minLength: 1, maxLength: 40 });
const requestId = fc.nat();
const index = fc.nat();
const ratio = fc.double({ min: 0, max: 1, noNaN: true });

const whatIf = fc.record(
	{
		strategy: fc.constantFrom(...strategies),
		focus: fc.string({ maxLength: 50 }),
		headMessages: fc.nat(1000),
		tailRatio: ratio,
		triggerRatio: ratio,
	},
	{ requiredKeys: [] },
);

/** Every valid message shape, generated. */
const validMessage: fc.Arbitrary<ViewToHost> = fc.oneof(
	fc.constantFrom(...viewKinds).map((view): ViewToHost => ({ type: 'ready', view })),
	fc.record({ requestId, transcriptId: id, whatIf }).map((m): ViewToHost => ({ type: 'plan/request', ...m })),
	fc
		.record({ requestId, transcriptId: id, index })
		.map((m): ViewToHost => ({ type: 'message/details', ...m })),
	fc.record({ transcriptId: id, index }).map((m): ViewToHost => ({ type: 'message/reveal', ...m })),
	fc
		.record({ requestId, transcriptId: id, index, isPinned: fc.boolean(), whatIf })
		.map((m): ViewToHost => ({ type: 'message/pin', ...m })),
	fc.record({ requestId, text: fc.string() }).map((m): ViewToHost => ({ type: 'summary/count', ...m })),
	fc
		.record({ planId: id, editedSummary: fc.string() })
		.map((m): ViewToHost => ({ type: 'summary/accept', ...m })),
	fc.record({ planId: id }).map((m): ViewToHost => ({ type: 'summary/discard', ...m })),
	fc
		.record({ planId: id, editedSummary: fc.string() })
		.map((m): ViewToHost => ({ type: 'summary/openDiff', ...m })),
	fc.record({ planId: id, focus: fc.string() }).map((m): ViewToHost => ({ type: 'summary/rerun', ...m })),
	fc.constantFrom(...viewCommands).map((command): ViewToHost => ({ type: 'command/run', command })),
	fc.string().map((message): ViewToHost => ({ type: 'log/error', message })),
	fc
		.record({ transcriptId: id, focus: fc.string() })
		.map((m): ViewToHost => ({ type: 'compare/start', ...m })),
	fc.record({ transcriptId: id }).map((m): ViewToHost => ({ type: 'compare/cancel', ...m })),
	fc
		.record({ transcriptId: id, strategy: fc.constantFrom(...strategies), focus: fc.string() })
		.map((m): ViewToHost => ({ type: 'compare/open', ...m })),
	fc.record({ requestId, transcriptId: id }).map((m): ViewToHost => ({ type: 'audit/request', ...m })),
	fc
		.record({ transcriptId: id, compaction: index })
		.map((m): ViewToHost => ({ type: 'audit/restore', ...m })),
	fc
		.record({ transcriptId: id, line: fc.integer({ min: 1, max: 1_000_000 }) })
		.map((m): ViewToHost => ({ type: 'source/reveal', ...m })),
);

/** The fields of a message a host switch reads, so the test fails to compile when a new message type is added. */
function fieldsOf(message: ViewToHost): string[] {
	switch (message.type) {
		case 'ready':
			return ['view'];
		case 'plan/request':
			return ['requestId', 'transcriptId', 'whatIf'];
		case 'message/details':
			return ['requestId', 'transcriptId', 'index'];
		case 'message/reveal':
			return ['transcriptId', 'index'];
		case 'message/pin':
			return ['requestId', 'transcriptId', 'index', 'isPinned', 'whatIf'];
		case 'summary/count':
			return ['requestId', 'text'];
		case 'summary/accept':
		case 'summary/openDiff':
			return ['planId', 'editedSummary'];
		case 'summary/discard':
			return ['planId'];
		case 'summary/rerun':
			return ['planId', 'focus'];
		case 'command/run':
			return ['command'];
		case 'log/error':
			return ['message'];
		case 'compare/start':
			return ['transcriptId', 'focus'];
		case 'compare/cancel':
			return ['transcriptId'];
		case 'compare/open':
			return ['transcriptId', 'strategy', 'focus'];
		case 'audit/request':
			return ['requestId', 'transcriptId'];
		case 'audit/restore':
			return ['transcriptId', 'compaction'];
		case 'source/reveal':
			return ['transcriptId', 'line'];
		default:
			return assertNever(message);
	}
}

describe('parseViewToHost', () => {
	it('returns an equal copy of every valid message, after a JSON round trip as postMessage does', () => {
		fc.assert(
			fc.property(validMessage, (message) => {
				const parsed = parseViewToHost(JSON.parse(JSON.stringify(message)));
				assert.deepEqual(parsed, JSON.parse(JSON.stringify(message)));
				assert.notEqual(parsed, message);
			}),
		);
	});

	it('drops fields the protocol does not have', () => {
		fc.assert(
			fc.property(validMessage, fc.string({ minLength: 1 }), fc.jsonValue(), (message, key, value) => {
				fc.pre(!['type', ...fieldsOf(message)].includes(key));
				const parsed = parseViewToHost({ ...message, [key]: value });
				assert.deepEqual(parsed, JSON.parse(JSON.stringify(message)));
			}),
		);
	});

	it('never throws and accepts only what it would accept again (idempotent)', () => {
		fc.assert(
			fc.property(fc.anything(), (value) => {
				const parsed = parseViewToHost(value);
				if (parsed !== undefined) assert.deepEqual(parseViewToHost(parsed), parsed);
			}),
		);
	});

	it('rejects any message with one required field removed', () => {
		fc.assert(
			fc.property(validMessage, fc.nat(), (message, pick) => {
				const fields = fieldsOf(message);
				const field = fields[pick % fields.length];
				fc.pre(field !== undefined);
				const broken: Record<string, unknown> = { ...message };
				delete broken[field as string];
				assert.equal(parseViewToHost(broken), undefined);
			}),
		);
	});

	const rejected: [string, unknown][] = [
		['null', null],
		['a string', 'ready'],
		['an array', [{ type: 'ready', view: 'gauge' }]],
		['an unknown type', { type: 'plan/apply' }],
		['an unknown view', { type: 'ready', view: 'sidebar' }],
		['a negative request id', { type: 'summary/count', requestId: -1, text: '' }],
		['a fractional index', { type: 'message/details', requestId: 1, transcriptId: 't', index: 1.5 }],
		['an empty transcript id', { type: 'message/reveal', transcriptId: '', index: 0 }],
		['an over-long id', { type: 'summary/discard', planId: 'x'.repeat(maxIdChars + 1) }],
		['an over-long focus', { type: 'summary/rerun', planId: 'p', focus: 'x'.repeat(maxShortTextChars + 1) }],
		[
			'an unknown strategy',
			{ type: 'plan/request', requestId: 1, transcriptId: 't', whatIf: { strategy: 'magic' } },
		],
		[
			'a ratio above 1',
			{ type: 'plan/request', requestId: 1, transcriptId: 't', whatIf: { tailRatio: 1.5 } },
		],
		[
			'a NaN ratio',
			{ type: 'plan/request', requestId: 1, transcriptId: 't', whatIf: { triggerRatio: Number.NaN } },
		],
		[
			'a string head count',
			{ type: 'plan/request', requestId: 1, transcriptId: 't', whatIf: { headMessages: '3' } },
		],
		['an unknown command', { type: 'command/run', command: 'deleteEverything' }],
		['a summary that is not text', { type: 'summary/accept', planId: 'p', editedSummary: 42 }],
		[
			'a compared strategy that does not exist',
			{ type: 'compare/open', transcriptId: 't', strategy: 'x', focus: '' },
		],
		['a line 0 to reveal', { type: 'source/reveal', transcriptId: 't', line: 0 }],
		['a negative compaction', { type: 'audit/restore', transcriptId: 't', compaction: -1 }],
	];
	for (const [name, value] of rejected) {
		it(`rejects ${name}`, () => assert.equal(parseViewToHost(value), undefined));
	}
});
