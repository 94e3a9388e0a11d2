import { strict as assert } from 'node:assert';
import { columnRuns } from '../../webview/mapColumns';
import { RowKeys } from '../../webview/rowKeys';

/** Rows `[from, to)` as an index list. */
const span = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('webview: the virtual list keys its rows for the least DOM work', () => {
	it('keeps the key of every row that stays in view and gives new rows fresh keys', () => {
		const keys = new RowKeys();
		const first = keys.next(span(0, 40));
		assert.equal(new Set(first).size, 40, 'keys are distinct');
		const second = keys.next(span(8, 48));
		assert.deepEqual(second.slice(0, 32), first.slice(8), 'rows 8..39 keep their keys');
		assert.equal(new Set([...first, ...second.slice(32)]).size, 48, 'rows 40..47 get keys no row had');
		const back = keys.next(span(0, 40));
		assert.deepEqual(back.slice(8), second.slice(0, 32), 'scrolling back keeps the rows that stayed');
	});

	it('refills the old rows in order when most rows are new, so nothing is dropped and rebuilt', () => {
		const keys = new RowKeys();
		const first = keys.next(span(0, 40));
		assert.deepEqual(keys.next(span(5000, 5040)), first, 'a jump reuses every key in order');
		// 8 of 40 rows stay: fewer than half, so the window is refilled in place.
		assert.deepEqual(keys.next(span(5032, 5072)), first);
		const shorter = keys.next(span(9990, 10_000));
		assert.deepEqual(
			shorter,
			first.slice(0, 10),
			'a shorter window (the end of the list) uses the first keys',
		);
		const longer = keys.next(span(100, 150));
		assert.deepEqual(longer.slice(0, 10), shorter);
		assert.equal(new Set(longer).size, 50, 'rows beyond the old window get fresh keys');
	});

	it('keys filtered rows (indexes with gaps) by index', () => {
		const keys = new RowKeys();
		const first = keys.next([3, 9, 12, 40]);
		assert.deepEqual(keys.next([9, 12, 40, 77]).slice(0, 3), first.slice(1));
	});
});

describe('webview: the region map draws a long transcript one column at a time', () => {
	/** Prefix sums of `tokens`, as the region map keeps them. */
	const startsOf = (tokens: readonly number[]): Float64Array => {
		const starts = new Float64Array(tokens.length + 1);
		tokens.forEach((t, i) => (starts[i + 1] = (starts[i] ?? 0) + t));
		return starts;
	};

	it('shows in each column the message covering most of it, merging equal neighbours', () => {
		// 4 columns over 8 tokens: row 0 covers 3 tokens (1.5 columns), row 1 covers 0.5 tokens, row 2 covers 4.5.
		const starts = startsOf([3, 0.5, 4.5]);
		const runs = columnRuns(starts, 3, 4 / 8, 4, (row) => row);
		assert.deepEqual(runs, [
			{ from: 0, to: 2, row: 0 },
			{ from: 2, to: 4, row: 2 },
		]);
	});

	it('merges columns of different messages that look the same', () => {
		const starts = startsOf([1, 1, 1, 1]);
		const styles = [7, 7, 3, 7];
		assert.deepEqual(
			columnRuns(starts, 4, 1, 4, (row) => styles[row] ?? -1),
			[
				{ from: 0, to: 2, row: 0 },
				{ from: 2, to: 3, row: 2 },
				{ from: 3, to: 4, row: 3 },
			],
		);
	});

	it('draws 100,000 messages on 1,000 columns as at most one run per column, covering the strip', () => {
		const tokens = Array.from({ length: 100_000 }, (_, i) => 1 + ((i * 37) % 500));
		const starts = startsOf(tokens);
		const total = starts[tokens.length] ?? 0;
		const runs = columnRuns(starts, tokens.length, 1000 / total, 1000, (row) => row % 3);
		assert.ok(runs.length <= 1000, `${runs.length} runs`);
		assert.equal(runs[0]?.from, 0);
		assert.equal(runs[runs.length - 1]?.to, 1000);
		for (let i = 1; i < runs.length; i++) assert.equal(runs[i]?.from, runs[i - 1]?.to, 'runs are contiguous');
	});
});
