import { formatTokensShort, formatWindowPercent, wholeWindowPercent } from '../../core/budget/formatFigures';
import { percentOfWindow as exactPercentOfWindow } from '../../core/tokens/measureWindow';

/** Severity of a window's fill: past the compaction threshold it is `warning`, past rotation `error`. */
export type FillLevel = 'normal' | 'warning' | 'error';

/** Thresholds as shares of the window in [0, 1]; `rotation` is at or above `compaction` when both are valid. */
export interface FillThresholds {
	readonly compaction: number;
	readonly rotation: number;
}

/** Compact count for the status bar: `950`, `1.2k`, `126k`, `1.2M` (tokens), as every surface prints it. */
export function formatCompactCount(tokens: number): string {
	return formatTokensShort(Math.max(0, tokens));
}

/** The fill level of `tokens` out of `contextWindow` tokens under the given thresholds. */
export function fillLevel(tokens: number, contextWindow: number, thresholds: FillThresholds): FillLevel {
	if (contextWindow <= 0) return 'normal';
	const share = tokens / contextWindow;
	if (share >= thresholds.rotation) return 'error';
	if (share >= thresholds.compaction) return 'warning';
	return 'normal';
}

/** Whole percent of the window used, floored so that 79.9% never reads as the 80% threshold. */
export function percentOfWindow(tokens: number, contextWindow: number): number {
	return wholeWindowPercent(exactPercentOfWindow(tokens, contextWindow));
}

/** The status bar text `$(pulse) 63% · 126k/200k` for a window holding `tokens` of `contextWindow` tokens. */
export function formatStatusText(tokens: number, contextWindow: number): string {
	return `$(pulse) ${formatWindowPercent(exactPercentOfWindow(tokens, contextWindow))} · ${formatCompactCount(tokens)}/${formatCompactCount(contextWindow)}`;
}
