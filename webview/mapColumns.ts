/** Adjacent canvas columns `[from, to)` (device pixels) that show the same message style. */
export interface ColumnRun {
	readonly from: number;
	readonly to: number;
	/** The row that covers the most of the run's first column (it stands for the run's style). */
	readonly row: number;
}

/**
 * The region map's strip when it has more messages than pixel columns: each column shows the message that covers
 * the most of it (rows span `[starts[i], starts[i + 1])` tokens, `scale` pixels per token), and adjacent columns
 * whose messages look the same (`styleOf` returns equal numbers) merge into one run. Linear in rows plus columns, so
 * drawing 100,000 messages costs at most one rectangle per column instead of one per message.
 */
export function columnRuns(
	starts: Float64Array,
	count: number,
	scale: number,
	width: number,
	styleOf: (row: number) => number,
): ColumnRun[] {
	const best = new Int32Array(width).fill(-1);
	const cover = new Float64Array(width);
	for (let i = 0; i < count; i++) {
		const x0 = (starts[i] ?? 0) * scale;
		const x1 = (starts[i + 1] ?? 0) * scale;
		const last = Math.min(width - 1, Math.ceil(x1) - 1);
		for (let c = Math.max(0, Math.floor(x0)); c <= last; c++) {
			const share = Math.min(x1, c + 1) - Math.max(x0, c);
			if (share > (cover[c] ?? 0)) {
				cover[c] = share;
				best[c] = i;
			}
		}
	}
	const runs: ColumnRun[] = [];
	let from = 0;
	let row = best[0] ?? -1;
	let style = row >= 0 ? styleOf(row) : Number.NaN;
	for (let c = 1; c <= width; c++) {
		const next = c < width ? (best[c] ?? -1) : -1;
		const nextStyle = next >= 0 ? styleOf(next) : Number.NaN;
		if (c < width && (nextStyle === style || (Number.isNaN(nextStyle) && Number.isNaN(style)))) continue;
		if (row >= 0) runs.push({ from, to: c, row });
		from = c;
		row = next;
		style = nextStyle;
	}
	return runs;
}
