/** Median of the values (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	const upper = sorted[mid] ?? Number.NaN;
	const m = sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
	// -0 and 0 compare equal, so the sort may leave either in the middle; answer one zero whatever the input order.
	return m + 0;
}

/** Spread of repeated timings: median, fastest and slowest, all in the unit given; `runs` >= 0. */
export interface TimingSummary {
	readonly medianMs: number;
	readonly minMs: number;
	readonly maxMs: number;
	readonly runs: number;
}

/** Median, minimum and maximum of repeated timings in milliseconds. */
export function summarizeTimings(timesMs: readonly number[]): TimingSummary {
	return {
		medianMs: median(timesMs),
		minMs: timesMs.length === 0 ? Number.NaN : Math.min(...timesMs),
		maxMs: timesMs.length === 0 ? Number.NaN : Math.max(...timesMs),
		runs: timesMs.length,
	};
}

/** Units of work per second for `amount` units done in `ms` milliseconds; 0 when the time is not positive. */
export function ratePerSecond(amount: number, ms: number): number {
	return ms > 0 ? amount / (ms / 1000) : 0;
}

/** a / b, or NaN when b is not positive (a ratio of two rates measured in the same run). */
export function ratio(a: number, b: number): number {
	return b > 0 ? a / b : Number.NaN;
}

/**
 * Growth exponent k of time ~ size^k fitted by least squares on log-log points (1 = linear, 2 = quadratic);
 * NaN with fewer than two distinct positive points.
 */
export function growthExponent(points: readonly { readonly size: number; readonly ms: number }[]): number {
	const logs = points
		.filter((p) => p.size > 0 && p.ms > 0)
		.map((p) => ({ x: Math.log(p.size), y: Math.log(p.ms) }));
	if (logs.length < 2) return Number.NaN;
	const mx = logs.reduce((s, p) => s + p.x, 0) / logs.length;
	const my = logs.reduce((s, p) => s + p.y, 0) / logs.length;
	let sxy = 0;
	let sxx = 0;
	for (const p of logs) {
		sxy += (p.x - mx) * (p.y - my);
		sxx += (p.x - mx) ** 2;
	}
	return sxx > 0 ? sxy / sxx : Number.NaN;
}

/** A number with a fixed count of decimals, or an en dash for NaN/undefined (a figure that was not measured). */
export function fixed(value: number | undefined, decimals: number): string {
	return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(decimals);
}

/** A GitHub-flavoured markdown table; cells are escaped for `|` and rows padded to the header's width. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
	const escape = (cell: string): string => cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
	const line = (cells: readonly string[]): string =>
		`| ${header.map((_, i) => escape(cells[i] ?? '')).join(' | ')} |`;
	return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}
