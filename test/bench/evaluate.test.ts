import { strict as assert } from 'node:assert';
import { relative } from 'node:path';
import { aggregateMethods, evaluateTranscript, type TranscriptEvaluation } from '../../bench/evaluate';
import { generateClaudeSession } from '../../bench/generateClaudeSession';
import { probeNames } from '../../bench/probes';
import { compactionStrategies } from '../../src/core/compaction/strategies';
import { artifactKinds } from '../../src/core/facts/extractArtifacts';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { parseTranscript } from '../../src/core/transcript/readTranscript';
import { corpusFolders } from '../core/tokens/corpusStrings';
import { corpusRoot, describeCorpus } from '../support/corpus';

function total(evaluation: TranscriptEvaluation, method: string): { kept: number; total: number } {
	const score = evaluation.methods.find((m) => m.method === method);
	assert.ok(score !== undefined, method);
	return {
		kept: artifactKinds.reduce((s, k) => s + score.retention[k].kept, 0),
		total: artifactKinds.reduce((s, k) => s + score.retention[k].total, 0),
	};
}

async function evaluateGenerated(seed: number, bytes: number): Promise<TranscriptEvaluation> {
	const read = parseTranscript(Buffer.from(generateClaudeSession({ seed, targetBytes: bytes })), 'g.jsonl');
	assert.ok(read.ok);
	return evaluateTranscript(read.transcript, `seed ${seed}`);
}

/** Invariants every evaluation must hold, whatever the transcript. */
function checkInvariants(evaluation: TranscriptEvaluation): void {
	const methods = evaluation.methods.map((m) => m.method);
	assert.deepEqual(methods, [
		'none (uncompacted)',
		...compactionStrategies.map((s) => s.name),
		'observation-masking',
		'truncation',
	]);
	const control = total(evaluation, 'none (uncompacted)');
	assert.equal(control.kept, control.total);
	assert.equal(control.total, evaluation.middleArtifacts);
	for (const method of evaluation.methods) {
		const counts = total(evaluation, method.method);
		assert.equal(counts.total, evaluation.middleArtifacts, method.method);
		assert.ok(counts.kept <= counts.total);
		if (!method.ok) {
			// A declined strategy leaves the window as it was.
			assert.equal(method.tokensAfter, evaluation.tokens);
			assert.equal(method.wholeReductionPct, 0);
			assert.equal(counts.kept, counts.total);
		} else if (method.family === 'strategy') {
			assert.ok(method.tokensAfter < evaluation.tokens, `${method.method} must save tokens`);
		}
		assert.equal(method.silentLosses === undefined, method.family !== 'strategy', method.method);
		for (const probe of probeNames) assert.ok(method.probes[probe].found <= method.probes[probe].expected);
	}
	const truncation = evaluation.methods.find((m) => m.method === 'truncation');
	assert.ok(truncation !== undefined);
	assert.ok(Math.abs(truncation.middleReductionPct - 100) < 1e-9 || evaluation.middle.tokens === 0);
}

describe('compaction quality evaluation', () => {
	it('scores every strategy and both baselines against the same middle', async () => {
		const evaluation = await evaluateGenerated(21, 300_000);
		checkInvariants(evaluation);
		assert.equal(evaluation.contextWindow, evaluation.tokens);
		assert.ok(evaluation.middle.to > evaluation.middle.from);
		assert.ok(evaluation.middleArtifacts > 10);
		const summarize = evaluation.methods.find((m) => m.method === 'summarize');
		assert.ok(summarize?.ok === true);
		assert.ok(summarize.middleReductionPct > 50);
		// Plain truncation drops the middle, so it keeps fewer of its artifacts than the structured summary.
		assert.ok(total(evaluation, 'truncation').kept < total(evaluation, 'summarize').kept);
		assert.ok(total(evaluation, 'structure').kept >= total(evaluation, 'truncation').kept);
	});

	it('aggregates only the runs where a method compacted', async () => {
		const evaluations = [await evaluateGenerated(22, 200_000), await evaluateGenerated(23, 250_000)];
		const aggregates = aggregateMethods(evaluations);
		assert.equal(aggregates.length, evaluations[0]?.methods.length);
		for (const aggregate of aggregates) {
			const runs = evaluations.flatMap((e) => e.methods.filter((m) => m.method === aggregate.method));
			const ran = runs.filter((m) => m.ok);
			assert.equal(aggregate.transcripts, runs.length);
			assert.equal(aggregate.failed, runs.length - ran.length);
			const kept = ran.reduce((s, m) => s + artifactKinds.reduce((t, k) => t + m.retention[k].kept, 0), 0);
			assert.equal(aggregate.kept, kept);
			for (const probe of probeNames) {
				assert.equal(
					aggregate.probes[probe].expected,
					ran.reduce((s, m) => s + m.probes[probe].expected, 0),
				);
			}
		}
		const control = aggregates.find((a) => a.method === 'none (uncompacted)');
		assert.equal(control?.kept, control?.total);
		assert.equal(control?.medianWholeReductionPct, 0);
	});

	describe('holds its invariants on every readable corpus transcript', () => {
		for (const folder of corpusFolders) {
			describeCorpus(folder, (file) => {
				it(relative(corpusRoot, file), async function () {
					const read = await readTranscriptFile(file);
					if (!read.ok) this.skip();
					checkInvariants(await evaluateTranscript(read.transcript, file));
				});
			});
		}
	});
});
