import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import { independentHeadline, evaluateTranscript, type TranscriptEvaluation } from '../../bench/evaluate';
import { percentKept } from '../../bench/independent/aggregate';
import { errorPatternOf, extractFacts, pathsInText } from '../../bench/independent/extract';
import { scoreOutput } from '../../bench/independent/score';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { makeFlags, type Message, type Part } from '../../src/core/transcript/model';
import { corpusFolders } from '../core/tokens/corpusStrings';
import { corpusFiles, hasCorpus } from '../support/corpus';

let nextId = 0;
function message(role: Message['role'], parts: Part[]): Message {
	return { id: `m${nextId++}`, role, parts, flags: makeFlags({}), lines: { from: 0, to: 0 }, raw: [] };
}
const said = (role: 'user' | 'assistant', text: string): Message => message(role, [{ kind: 'text', text }]);
const ran = (id: string, command: string): Message =>
	message('assistant', [
		{ kind: 'toolCall', callId: id, name: 'Bash', argumentsText: JSON.stringify({ command }) },
	]);
const output = (id: string, text: string, isError = false): Message =>
	message('user', [{ kind: 'toolResult', callId: id, text, isError, images: [] }]);

describe('independent evaluation', () => {
	it('reads paths, whole commands, identifiers and error patterns by its own definitions', () => {
		assert.deepEqual(
			pathsInText('see src/a.ts:12, ~/.config/x.toml and and/or; not https://x.io/a/b.md nor {id}/a.ts'),
			['src/a.ts', '~/.config/x.toml'],
		);
		const facts = extractFacts([
			said('user', 'Fix `parseRows` in src/rows.ts, then check rows_total.'),
			ran('a', 'cat <<EOF > a.txt\nhello\nEOF'),
			output('a', 'Error: shard 1 timed out\nError: shard 2 timed out', true),
		]);
		const of = (kind: string) => facts.filter((f) => f.kind === kind).map((f) => f.value);
		assert.deepEqual(of('path'), ['src/rows.ts', 'a.txt']);
		assert.deepEqual(of('identifier'), ['parseRows', 'rows_total']);
		assert.deepEqual(of('command'), ['cat <<EOF > a.txt hello EOF']);
		// Lines that differ only in a number are one pattern, counted twice.
		const errors = facts.filter((f) => f.kind === 'errorPattern');
		assert.equal(errors.length, 1);
		assert.equal(errors[0]?.value, errorPatternOf('Error: shard 7 timed out'));
		assert.equal(errors[0]?.count, 2);
	});

	it('counts a command kept only as a prefix as lost, and a pattern kept by any of its lines', () => {
		const facts = extractFacts([
			ran('a', 'npm run build -- --out-dir dist/x'),
			output('a', 'Error: shard 3 timed out', true),
		]);
		const kept = scoreOutput(facts, 'ran `npm run build -- --out-dir dist/x`; Error: shard 9 timed out (×2)');
		assert.deepEqual(kept.byClass.command, { kept: 1, total: 1 });
		assert.deepEqual(kept.byClass.errorPattern, { kept: 1, total: 1 });
		const prefix = scoreOutput(facts, 'ran `npm run build -- --out…`');
		assert.deepEqual(prefix.byClass.command, { kept: 0, total: 1 });
		assert.deepEqual(prefix.byClass.errorPattern, { kept: 0, total: 1 });
	});

	describe('on the real corpus', () => {
		if (!hasCorpus()) {
			it.skip('../shared/corpus is absent on this machine', () => undefined);
			return;
		}
		let evaluations: TranscriptEvaluation[] = [];
		before(async function () {
			this.timeout(240_000);
			for (const folder of corpusFolders)
				for (const file of corpusFiles(folder)) {
					const read = await readTranscriptFile(file);
					if (read.ok)
						evaluations.push(await evaluateTranscript(read.transcript, `corpus/${folder}/${basename(file)}`));
				}
			evaluations = evaluations.filter((e) => e.middle.to > e.middle.from);
		});

		it('the offline summary keeps >= 95% of said-or-acted facts and >= 90% of error patterns at a median middle cut >= 70%', () => {
			const { corpus } = independentHeadline(evaluations);
			assert.ok(corpus.runs >= 10, `${corpus.runs} transcripts compacted`);
			assert.ok(percentKept(corpus.saidOrActed) >= 95, JSON.stringify(corpus.byClass));
			assert.ok(percentKept(corpus.byClass.errorPattern) >= 90, JSON.stringify(corpus.byClass.errorPattern));
			assert.ok(corpus.medianMiddleReductionPct >= 70, `${corpus.medianMiddleReductionPct}`);
		});

		it("the product's own extractor is within 3 points of the independent one on the same outputs", () => {
			const { corpus, productCorpus } = independentHeadline(evaluations);
			const gap = Math.abs(percentKept(corpus.saidOrActed) - percentKept(productCorpus));
			assert.ok(
				gap <= 3,
				`independent ${percentKept(corpus.saidOrActed).toFixed(1)}%, product ${percentKept(productCorpus).toFixed(1)}%: reconcile the two extractors`,
			);
		});
	});
});
