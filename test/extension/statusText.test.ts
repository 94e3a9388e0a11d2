import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
	fillLevel,
	formatCompactCount,
	formatStatusText,
	percentOfWindow,
} from '../../src/extension/views/statusText';

describe('status bar text', () => {
	it('matches the UI sketch', () => {
		assert.equal(formatStatusText(126_400, 200_000), '$(pulse) 63% · 126k/200k');
		assert.equal(formatStatusText(950, 128_000), '$(pulse) <1% · 950/128k');
		assert.equal(formatStatusText(1_234_567, 2_000_000), '$(pulse) 61% · 1.2M/2M');
	});

	it('compacts counts with one decimal below ten units', () => {
		assert.equal(formatCompactCount(0), '0');
		assert.equal(formatCompactCount(999), '999');
		assert.equal(formatCompactCount(1_000), '1k');
		assert.equal(formatCompactCount(9_940), '9.9k');
		assert.equal(formatCompactCount(12_499), '12k');
		assert.equal(formatCompactCount(1_500_000), '1.5M');
	});

	it('never shows the threshold percentage before the threshold is reached', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 2_000_000 }),
				fc.double({ min: 0, max: 1.2, noNaN: true }),
				(window, share) => {
					const tokens = Math.floor(window * share);
					const percent = percentOfWindow(tokens, window);
					assert.ok(percent * window <= tokens * 100, 'floored');
					const level = fillLevel(tokens, window, { compaction: 0.8, rotation: 0.95 });
					if (percent < 80) assert.ok(level === 'normal' || tokens / window >= 0.8);
					if (level === 'error') assert.ok(tokens / window >= 0.95);
					if (level === 'normal') assert.ok(tokens / window < 0.8);
				},
			),
			{ numRuns: 1000 },
		);
	});

	it('colours by threshold and ignores an unknown window', () => {
		const thresholds = { compaction: 0.8, rotation: 0.95 };
		assert.equal(fillLevel(159_999, 200_000, thresholds), 'normal');
		assert.equal(fillLevel(160_000, 200_000, thresholds), 'warning');
		assert.equal(fillLevel(190_000, 200_000, thresholds), 'error');
		assert.equal(fillLevel(10, 0, thresholds), 'normal');
		assert.equal(percentOfWindow(10, 0), 0);
	});

	it('is monotone in the token count', () => {
		fc.assert(
			fc.property(fc.nat(5_000_000), fc.nat(5_000_000), (a, b) => {
				const [lo, hi] = a <= b ? [a, b] : [b, a];
				const n = (s: string): number =>
					Number(s.replace(/[kM]$/, '')) * (s.endsWith('M') ? 1e6 : s.endsWith('k') ? 1e3 : 1);
				assert.ok(n(formatCompactCount(lo)) <= n(formatCompactCount(hi)));
			}),
			{ numRuns: 1000 },
		);
	});
});
