import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from 'prettier';
import { cpuModelOf, describeMachine, replaceSection, writeSection } from '../../bench/report';
import {
	fixed,
	growthExponent,
	markdownTable,
	median,
	ratePerSecond,
	ratio,
	summarizeTimings,
} from '../../bench/stats';

describe('bench statistics', () => {
	it('median is the middle value, or the mean of the two middle ones', () => {
		assert.equal(median([5, 1, 3]), 3);
		assert.equal(median([4, 1, 3, 2]), 2.5);
		assert.ok(Number.isNaN(median([])));
		// The counterexample CI found: the middle pair was -0 and 0 in one order and 0 and -0 in the other.
		assert.ok(Object.is(median([0, -5e-324, -0, 5e-324, -5e-324]), 0));
		assert.ok(Object.is(median([-5e-324, 5e-324, -0, -5e-324, 0]), 0));
		fc.assert(
			fc.property(
				fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
				(values) => {
					const m = median(values);
					const below = values.filter((v) => v < m).length;
					const above = values.filter((v) => v > m).length;
					assert.ok(below <= values.length / 2 && above <= values.length / 2);
					assert.ok(m >= Math.min(...values) && m <= Math.max(...values));
					assert.equal(median([...values].reverse()), m);
				},
			),
			{ numRuns: 300 },
		);
	});

	it('summarizes timings and rates', () => {
		assert.deepEqual(summarizeTimings([30, 10, 20]), { medianMs: 20, minMs: 10, maxMs: 30, runs: 3 });
		assert.equal(ratePerSecond(10, 500), 20);
		assert.equal(ratePerSecond(10, 0), 0);
		assert.equal(ratio(6, 3), 2);
		assert.ok(Number.isNaN(ratio(1, 0)));
		assert.equal(fixed(1.256, 2), '1.26');
		assert.equal(fixed(Number.NaN, 1), '–');
	});

	it('recovers the exponent of a power law', () => {
		fc.assert(
			fc.property(
				fc.double({ min: 0.2, max: 3, noNaN: true }),
				fc.double({ min: 0.01, max: 100, noNaN: true }),
				(k, scale) => {
					const points = [1_000, 10_000, 100_000].map((size) => ({ size, ms: scale * size ** k }));
					assert.ok(Math.abs(growthExponent(points) - k) < 1e-6);
				},
			),
			{ numRuns: 200 },
		);
		assert.ok(Number.isNaN(growthExponent([{ size: 10, ms: 1 }])));
	});

	it('renders a markdown table with escaped cells and the header width', () => {
		const table = markdownTable(['a', 'b'], [['x|y', 'line\nbreak'], ['only']]);
		assert.equal(table, ['| a | b |', '| --- | --- |', '| x\\|y | line break |', '| only |  |'].join('\n'));
	});
});

describe('results file sections', () => {
	it('replaces only the marked section and appends it when absent', () => {
		const first = replaceSection('# Results\n', 'performance', 'fast');
		assert.equal(first, '# Results\n\n<!-- performance:start -->\nfast\n<!-- performance:end -->\n');
		const both = replaceSection(first, 'quality', 'good');
		const again = replaceSection(both, 'performance', 'faster');
		assert.ok(again.includes('faster') && !again.includes('fast\n'));
		assert.ok(again.includes('<!-- quality:start -->\ngood\n<!-- quality:end -->'));
		assert.equal(replaceSection('', 'x', 'y'), '<!-- x:start -->\ny\n<!-- x:end -->\n');
	});

	it('is idempotent and keeps the other sections byte for byte', () => {
		fc.assert(
			fc.property(
				fc.string({ maxLength: 80 }),
				fc.string({ maxLength: 80 }),
				fc.string({ maxLength: 80 }),
				(intro, a, b) => {
					const clean = (s: string) => s.replace(/<!--/g, '');
					const doc = replaceSection(replaceSection(clean(intro), 'one', clean(a)), 'two', clean(b));
					const updated = replaceSection(doc, 'one', clean(b));
					assert.equal(replaceSection(updated, 'one', clean(b)), updated);
					const two = (d: string) => d.slice(d.indexOf('<!-- two:start -->'));
					assert.equal(two(updated), two(doc));
				},
			),
			{ numRuns: 300 },
		);
	});

	it('writes sections the way prettier formats markdown, keeping the other one', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
		try {
			const path = join(dir, 'RESULTS.md');
			await writeSection(
				path,
				'performance',
				`## Performance\n\n${markdownTable(['input', 'MB/s'], [['a long input name', '1.0']])}`,
			);
			await writeSection(path, 'quality', '## Quality\n\n* one\n* two');
			await writeSection(path, 'performance', '## Performance\n\nnothing measured');
			const text = readFileSync(path, 'utf8');
			assert.ok(await check(text, { filepath: path }));
			assert.ok(text.includes('nothing measured') && !text.includes('a long input name'));
			assert.ok(text.includes('- one\n- two'));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('says when other jobs shared the machine', () => {
		const machine = {
			cpus: 2,
			memoryGiB: 8,
			cpuModel: 'AMD EPYC',
			node: 'v20.20.2',
			date: '2026-01-01T00:00:00Z',
			loadAverage: 0.5,
		};
		assert.equal(
			describeMachine(machine, 1.5),
			'Measured 2026-01-01T00:00:00Z on 2 logical CPUs (AMD EPYC), 8 GiB memory, Node v20.20.2; load average 0.5 at the start and 1.5 at the end.',
		);
		assert.ok(
			describeMachine({ ...machine, loadAverage: 3 }).endsWith(
				'load average 3 at the start, so other jobs shared the CPUs.',
			),
		);
		assert.ok(describeMachine(machine, 2.5).endsWith('so other jobs shared the CPUs.'));
	});

	it('reads the CPU model from /proc/cpuinfo text', () => {
		assert.equal(
			cpuModelOf('processor\t: 0\nmodel name\t: AMD EPYC 7763 64-Core Processor\nflags\t: fpu\n'),
			'AMD EPYC 7763 64-Core Processor',
		);
		assert.equal(cpuModelOf('processor : 0\n'), 'unknown');
	});
});
