import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { analyzeBudget } from '../../../src/core/budget/analyzeBudget';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';
import { corpusFiles, hasCorpus } from '../../support/corpus';
import { claudeGrowthIntervals, predictGrowth, type GrowthInterval } from './claudeUsageGrowth';

describe('Claude counts against the usage Claude Code records', () => {
	if (!hasCorpus()) {
		it.skip('../shared/corpus is absent on this machine', () => undefined);
		return;
	}
	const files = corpusFiles('claude-code');
	const claude = resolveModel('claude-sonnet-4-5');

	it('counts what the latest recorded request read within the stated error on nearly every file', () => {
		const errors: { name: string; errorPct: number }[] = [];
		for (const file of files) {
			const read = parseTranscript(readFileSync(file), file);
			assert.ok(read.ok, basename(file));
			const report = analyzeBudget(read.transcript, { file });
			const recorded = report.tokens.recorded;
			if (recorded === undefined || recorded.tokens < 1000) continue;
			assert.equal(
				report.sourceErrorPct,
				claude.calibrationErrorPct,
				`${basename(file)} is counted as Claude`,
			);
			errors.push({ name: basename(file), errorPct: recorded.errorPct });
		}
		assert.ok(errors.length >= 12, `${errors.length} files record usage`);
		const stated = claude.calibrationErrorPct;
		const listing = errors.map((e) => `${e.name} ${e.errorPct.toFixed(1)}%`).join(', ');
		// The stated error is a bound for the typical file: at least 90% of the files are inside it. A file
		// whose agent sent content the transcript does not store (nested CLAUDE.md files, cleared tool results)
		// can fall outside, but not beyond twice the stated error.
		const inside = errors.filter((e) => Math.abs(e.errorPct) <= stated);
		assert.ok(inside.length >= 0.9 * errors.length, `inside +-${stated}%: ${inside.length}; ${listing}`);
		for (const e of errors) assert.ok(Math.abs(e.errorPct) <= 2 * stated, listing);
	});

	it('explains the recorded input of a new user turn by dropping the thinking of earlier turns', () => {
		const intervals: GrowthInterval[] = files.flatMap((file) => claudeGrowthIntervals(file));
		const newTurns = intervals.filter((interval) => interval.droppedThinkingTokens > 0);
		assert.ok(newTurns.length >= 8, `${newTurns.length} intervals drop thinking`);
		const factor = claude.calibrationFactor;
		const overhead = claude.toolResultOverheadTokens;
		const dropped = newTurns.map((i) => Math.abs(i.recordedTokens - predictGrowth(i, factor, overhead)));
		const kept = newTurns.map((i) =>
			Math.abs(
				i.recordedTokens -
					predictGrowth({ ...i, textTokens: i.textTokens + i.droppedThinkingTokens }, factor, overhead),
			),
		);
		const median = (values: number[]) =>
			[...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
		assert.ok(median(dropped) < 200, `median miss ${median(dropped)} with the drop`);
		assert.ok(median(kept) > 3 * median(dropped), `median miss ${median(kept)} without it`);
	});
});
