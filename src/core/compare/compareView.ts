import { compactionStrategies } from '../compaction/strategies';
import type { CompareView, StrategyComparison } from './compareTypes';

export type { CompareView } from './compareTypes';

/** The editor's view of a comparison. */
export function buildCompareView(comparison: StrategyComparison, isCached: boolean): CompareView {
	const descriptions = Object.fromEntries(
		compactionStrategies
			.filter((s) => comparison.rows.some((r) => r.strategy === s.name))
			.map((s) => [s.name, s.description]),
	);
	return { ...comparison, descriptions, isCached };
}
