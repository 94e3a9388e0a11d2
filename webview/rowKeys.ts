/**
 * Keys of the rows a virtual list renders, for Lit's `repeat`, chosen so a scroll does the least DOM work:
 * - while most rows stay in view (a wheel or keyboard scroll), a row that stays keeps its key, so it is not
 *   touched, and only the rows that come into view are built;
 * - when most rows are new (a scrollbar drag, Page Down, End, a region-map click), the new rows take the old rows'
 *   keys in order, so the old elements are refilled in place instead of being dropped and built again (a new
 *   element costs the browser about twice the style and layout work of a refilled one).
 */
export class RowKeys {
	private keyOf = new Map<number, number>();
	private nextKey = 0;

	/** One key per row, given the row indexes of the new window in order; call once per render. */
	next(indexes: readonly number[]): number[] {
		const previous = this.keyOf;
		const staying = indexes.reduce((n, index) => (previous.has(index) ? n + 1 : n), 0);
		const isRefill = staying * 2 < indexes.length;
		const reusable = isRefill ? [...previous.values()] : [];
		const keyOf = new Map<number, number>();
		const keys = indexes.map((index, n) => {
			const key = isRefill ? (reusable[n] ?? this.nextKey++) : (previous.get(index) ?? this.nextKey++);
			keyOf.set(index, key);
			return key;
		});
		this.keyOf = keyOf;
		return keys;
	}
}
