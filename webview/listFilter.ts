import type { PartKind, Role } from '../src/core/transcript/model';
import type { MessageRow } from '../src/core/view/viewModel';

/** Filters of the message list; empty strings mean "any". */
export interface ListFilter {
	readonly role: Role | '';
	readonly kind: PartKind | '';
	readonly search: string;
}

/** Indexes of the rows that pass `filter`, in order; linear in the rows. */
export function filterRows(rows: readonly MessageRow[], filter: ListFilter): number[] {
	const needle = filter.search.trim().toLowerCase();
	const out: number[] = [];
	for (const row of rows) {
		if (filter.role !== '' && row.role !== filter.role) continue;
		if (filter.kind !== '' && !row.kinds.includes(filter.kind)) continue;
		if (
			needle !== '' &&
			!row.preview.toLowerCase().includes(needle) &&
			!(row.toolName?.toLowerCase().includes(needle) ?? false) &&
			row.id.toLowerCase() !== needle
		)
			continue;
		out.push(row.index);
	}
	return out;
}
