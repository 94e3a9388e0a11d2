// A comparison's data as the protocol carries it: plain types with no code, so the webview can import them.
import type { StrategyName } from '../compaction/strategies';
import type { ArtifactKind } from '../facts/extractArtifacts';

/** One lost fact as a comparison row lists it. */
export interface CompareLostFact {
	readonly kind: ArtifactKind;
	readonly value: string;
	/** Index of the window message it came from. */
	readonly messageIndex: number;
	/** Tool name or role that produced it. */
	readonly source: string;
}

/** One strategy planned and applied (nothing written) on the transcript. */
export interface CompareRow {
	readonly strategy: StrategyName;
	/** False when the strategy has nothing to do here or failed; `reason` says why and the figures are the input's. */
	readonly ok: boolean;
	readonly reason?: string;
	/** The window after, in tokens (the hidden part included, as every surface counts it). */
	readonly tokensAfter: number;
	/** `tokensAfter` as a share of the model's window, in percent. */
	readonly percentAfter: number;
	readonly messagesAfter: number;
	readonly lostFacts: {
		/** Facts of the changed messages the window still carries. */
		readonly kept: number;
		/** Facts it no longer carries. */
		readonly count: number;
		/** The most important lost facts (see `rankLostFacts`), at most `CompareOptions.lostFactItems`. */
		readonly items: readonly CompareLostFact[];
	};
	/** Wall time of planning, summarising and applying, in milliseconds. */
	readonly timeMs: number;
}

/** Every strategy side by side on one transcript. */
export interface StrategyComparison {
	readonly tokensBefore: number;
	readonly percentBefore: number;
	readonly messagesBefore: number;
	readonly contextWindow: number;
	readonly focus: string;
	readonly rows: readonly CompareRow[];
}

/** Progress of a comparison: `done` of `total` strategies finished; `strategy` is the one starting next. */
export interface CompareProgress {
	readonly done: number;
	readonly total: number;
	readonly strategy?: StrategyName;
}

/** A comparison as the editor shows it: the rows, each strategy's one-line description, and whether it was cached. */
export interface CompareView extends StrategyComparison {
	/** Description of each strategy in the rows, as the strategy menus word it. */
	readonly descriptions: Readonly<Record<string, string>>;
	/** True when the comparison came from the cache (the same transcript version and options). */
	readonly isCached: boolean;
}
