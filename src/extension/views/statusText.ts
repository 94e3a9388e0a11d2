/** Severity of a window's fill: past the compaction threshold it is `warning`, past rotation `error`. */
export type FillLevel = 'normal' | 'warning' | 'error';

/** Thresholds as shares of the window in [0, 1]; `rotation` is at or above `compaction` when both are valid. */
export interface FillThresholds {
	readonly compaction: number;
	readonly rotation: number;
}

/** Compact count for the status bar: `950`, `12k`, `126k`, `1.2M` (tokens). */
export function formatCompactCount(tokens: number): string {
	const value = Math.max(0, Math.round(tokens));
	if (value < 1000) return String(value);
	if (value < 1_000_000) {
		const k = value / 1000;
		return `${k < 10 ? Math.round(k * 10) / 10 : Math.round(k)}k`;
	}
	const m = value / 1_000_000;
	return `${m < 10 ? Math.round(m * 10) / 10 : Math.round(m)}M`;
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
	return contextWindow > 0 ? Math.floor((tokens / contextWindow) * 100) : 0;
}

/** The status bar text `$(pulse) 63% · 126k/200k` for a window holding `tokens` of `contextWindow` tokens. */
export function formatStatusText(tokens: number, contextWindow: number): string {
	return `$(pulse) ${percentOfWindow(tokens, contextWindow)}% · ${formatCompactCount(tokens)}/${formatCompactCount(contextWindow)}`;
}
