import { strict as assert } from 'node:assert';
import { relative } from 'node:path';
import fc from 'fast-check';
import { generateClaudeSession } from '../../bench/generateClaudeSession';
import { keyTerms, probeNames, readProbeAnswers, scoreProbes, taskPrefixChars } from '../../bench/probes';
import { windowText } from '../../src/core/compaction/compactTranscript';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { messagesInWindow } from '../../src/core/transcript/model';
import { parseTranscript } from '../../src/core/transcript/readTranscript';
import { corpusFolders } from '../core/tokens/corpusStrings';
import { corpusRoot, describeCorpus } from '../support/corpus';
import { said, toolRun } from './fixtures';

const session = [
	said('user', 'Fix the rounding bug in src/invoice/totals.ts and add a regression test for BILL-412.'),
	...toolRun(
		'Edit',
		{ file_path: '/repo/src/invoice/totals.ts', old_string: 'a', new_string: 'b' },
		'String not found',
		true,
	),
	...toolRun(
		'Edit',
		{ file_path: '/repo/src/invoice/totals.ts', old_string: 'x', new_string: 'y' },
		'The file was updated.',
	),
	...toolRun('Write', { file_path: '/repo/test/bill412.test.ts', content: 'test' }, 'File created.'),
	...toolRun('Write', { file_path: '/repo/docs/never.md', content: 'x' }, 'Permission denied', true),
	...toolRun('Bash', { command: 'npm test' }, 'Exit code 1\nAssertionError: expected 969 to equal 968', true),
	...toolRun('Bash', { command: 'npm test' }, 'all 12 tests passed'),
	...toolRun(
		'Bash',
		{ command: 'npx tsc --noEmit' },
		'src/money.ts(3,1): error TS2322: Type string is not assignable',
		true,
	),
	said(
		'assistant',
		'Decided to round the discounted amount half-even before computing VAT; totals now match the ledger.',
	),
	said('user', 'Now export the invoices as CSV with escaping.'),
	said('assistant', 'Working on the exporter.'),
];

describe('probe questions', () => {
	it('reads the task, changed files, remaining errors and decisions from a window', () => {
		const answers = readProbeAnswers(session);
		assert.equal(answers.task, 'Now export the invoices as CSV with escaping.');
		assert.deepEqual(answers.filesChanged, ['/repo/src/invoice/totals.ts', '/repo/test/bill412.test.ts']);
		// The failed test run was followed by a passing one; the type error and the denied write remain.
		assert.deepEqual(answers.errorsRemaining, [
			'Permission denied',
			'src/money.ts(3,1): error TS2322: Type string is not assignable',
		]);
		assert.deepEqual(answers.decisions, [
			'Decided to round the discounted amount half-even before computing VAT; totals now match the ledger.',
		]);
	});

	it('finds every answer in the uncompacted text and none in an unrelated text', () => {
		const answers = readProbeAnswers(session);
		const full = scoreProbes(answers, windowText(session));
		for (const probe of probeNames) assert.equal(full[probe].found, full[probe].expected, probe);
		assert.deepEqual(
			probeNames.map((p) => full[p].expected),
			[1, 2, 2, 1],
		);
		const none = scoreProbes(answers, 'The weather is fine today.');
		for (const probe of probeNames) assert.equal(none[probe].found, 0, probe);
	});

	it('checks paths as whole tokens, errors verbatim and decisions by their key terms', () => {
		const answers = readProbeAnswers(session);
		const partial = scoreProbes(
			answers,
			[
				'Edited /repo/src/invoice/totals.tsx and /repo/test/bill412.test.ts.',
				'Still failing: src/money.ts(3,1): error TS2322: Type string is not assignable',
				'We round the discounted amount half-even before computing VAT.',
			].join('\n'),
		);
		assert.deepEqual(partial.filesChanged, { expected: 2, found: 1, score: 0.5 });
		assert.deepEqual(partial.errorsRemaining, { expected: 2, found: 1, score: 0.5 });
		assert.equal(partial.decisions.found, 1);
		assert.equal(partial.task.found, 0);
		assert.ok(
			Number.isNaN(scoreProbes({ filesChanged: [], errorsRemaining: [], decisions: [] }, '').task.score),
		);
	});

	it('checks a long task on its first characters only, whitespace collapsed', () => {
		const long = `Please ${'migrate every handler to the new router '.repeat(20)}and report back.`;
		const answers = readProbeAnswers([said('user', long)]);
		const clipped = answers.task?.slice(0, taskPrefixChars).replace(/ /g, '\n  ') ?? '';
		assert.equal(scoreProbes(answers, clipped).task.found, 1);
		assert.equal(scoreProbes(answers, long.slice(0, taskPrefixChars - 10)).task.found, 0);
	});

	it('key terms are distinct, long enough and free of stop words', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 200 }), (text) => {
				const terms = keyTerms(text);
				assert.equal(new Set(terms).size, terms.length);
				for (const term of terms) {
					assert.ok(term.length >= 5);
					assert.equal(term, term.toLowerCase());
					assert.ok(text.toLowerCase().includes(term));
				}
			}),
			{ numRuns: 300 },
		);
		assert.deepEqual(keyTerms('Because the `computeTotals` helper rounds in src/a.ts'), [
			'computetotals',
			'helper',
			'rounds',
			'src/a.ts',
		]);
	});

	it('finds every answer of a generated session in its own text', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
				const read = parseTranscript(
					Buffer.from(generateClaudeSession({ seed, targetBytes: 40_000 })),
					'g.jsonl',
				);
				assert.ok(read.ok);
				const window = messagesInWindow(read.transcript);
				const answers = readProbeAnswers(window);
				assert.ok(answers.task !== undefined);
				assert.ok(answers.filesChanged.length > 0);
				const scores = scoreProbes(answers, windowText(window));
				for (const probe of probeNames) assert.equal(scores[probe].found, scores[probe].expected, probe);
			}),
			{ numRuns: 15 },
		);
	});

	describe('on every corpus transcript, the uncompacted window answers every probe', () => {
		for (const folder of corpusFolders) {
			describeCorpus(folder, (file) => {
				it(relative(corpusRoot, file), async function () {
					const read = await readTranscriptFile(file);
					if (!read.ok) this.skip();
					const window = messagesInWindow(read.transcript);
					const answers = readProbeAnswers(window);
					const scores = scoreProbes(answers, windowText(window));
					for (const probe of probeNames)
						assert.equal(scores[probe].found, scores[probe].expected, `${probe} in ${file}`);
				});
			});
		}
	});
});
