import type { PinnedFigures } from '../compaction/plan';
import type { Detection, Diagnostic, FormatId, Role } from '../transcript/model';

import type { WindowMeasure } from '../tokens/measureWindow';

export type { BudgetCategory, RecordedComparison } from '../tokens/measureWindow';

/** Where the headline number comes from. */
export type CountSource =
	/** Our BPE count with the model's own encoding. */
	| 'exact'
	/** Our BPE count scaled by a calibration factor for a model whose tokenizer we do not have; `errorPct` says how far off it may be. */
	| 'calibrated';

/** A contiguous run of window messages: indexes `from` (inclusive) to `to` (exclusive) and their tokens. */
export interface RegionSummary {
	readonly from: number;
	readonly to: number;
	readonly tokens: number;
}

/** One of the largest messages. */
export interface LargestMessage {
	readonly index: number;
	readonly id: string;
	readonly role: Role;
	readonly tokens: number;
	/** A short description: the tool name for tool traffic, else the role, plus a preview. */
	readonly label: string;
	readonly line: number;
}

/** How full a transcript's context window is and where the tokens go. */
export interface BudgetReport {
	readonly file: string;
	readonly format: FormatId;
	readonly detection: Detection;
	readonly model: string | undefined;
	readonly encoding: string;
	readonly source: CountSource;
	/** ± error of a calibrated count, in percent (0 when exact). */
	readonly sourceErrorPct: number;
	readonly contextWindow: number;
	/** Where the window size came from: the file, a --window override, settings, or the model registry. */
	readonly contextWindowSource: 'file' | 'override' | 'registry';
	/** Messages counted toward the window. */
	readonly messages: number;
	/** Messages in the file, including compacted history and other branches. */
	readonly messagesInFile: number;
	/** The window's budget (see WindowMeasure): headline, its visible and hidden parts, rows, recorded comparison. */
	readonly tokens: Pick<
		WindowMeasure,
		'total' | 'visible' | 'hidden' | 'fixed' | 'byRole' | 'byKind' | 'recorded' | 'earlierThinking'
	>;
	readonly percentUsed: number;
	readonly regions: {
		readonly head: RegionSummary;
		readonly middle: RegionSummary;
		readonly tail: RegionSummary;
	};
	readonly pruneCandidates: { readonly messages: number; readonly tokens: number };
	/** What the plan keeps verbatim because it is pinned; absent when nothing is. */
	readonly pinned?: PinnedFigures;
	readonly toolPairs: {
		readonly matched: number;
		readonly unanswered: number;
		readonly orphanResults: number;
	};
	readonly largest: readonly LargestMessage[];
	/** Tokens per window message, in order. */
	readonly messageTokens: readonly number[];
	readonly diagnostics: readonly Diagnostic[];
}
