import type { BudgetCategory, CountSource, RecordedComparison } from '../budget/budgetReport';
import type { MessageFate, PinnedFigures } from '../compaction/plan';
import type { StrategyName } from '../compaction/strategies';
import type { ArtifactKind } from '../facts/extractArtifacts';
import type { FormatId, PartKind, Role } from '../transcript/model';

/** Which protected or summarised band of the window a message sits in. */
export type RegionName = 'head' | 'middle' | 'tail';

/** Why a message is hatched on the region map: the cheap pass would dedup it or shrink its tool output/arguments. */
export type PruneMark = 'dedup' | 'prune';

/** A contiguous run of window rows, `from` inclusive to `to` exclusive, with its tokens and message count. */
export interface RegionBand {
	readonly from: number;
	readonly to: number;
	readonly tokens: number;
}

/** One window message as the list and the map show it; `preview` is at most `maxPreviewChars` characters, one line. */
export interface MessageRow {
	/** Index among the window messages (the plan's and the budget report's index). */
	readonly index: number;
	readonly id: string;
	readonly role: Role;
	readonly tokens: number;
	/** Distinct part kinds, in order of first appearance. */
	readonly kinds: readonly PartKind[];
	/** Name of the first tool called or answered in the message. */
	readonly toolName?: string;
	readonly preview: string;
	readonly region: RegionName;
	readonly fate: MessageFate;
	readonly prune?: PruneMark;
	readonly isPruneCandidate: boolean;
	readonly isError: boolean;
	/** First 1-based source line of the message. */
	readonly line: number;
}

/** One category of the gauge's stacked bar, in tokens. */
export interface GaugeCategory {
	readonly category: BudgetCategory;
	readonly tokens: number;
}

/** The gauge's numbers; every count in tokens, `percentUsed` in percent of `contextWindow`. */
export interface GaugeView {
	readonly tokens: number;
	readonly contextWindow: number;
	readonly percentUsed: number;
	readonly source: CountSource;
	/** ± error of a calibrated count, in percent (0 when exact). */
	readonly sourceErrorPct: number;
	readonly encoding: string;
	/** Our count of what the file shows; `tokens` is this plus `hiddenTokens`. */
	readonly visibleTokens: number;
	/** What the agent sends that the file does not store, estimated from recorded usage (0 without it). */
	readonly hiddenTokens: number;
	/** The part of `tokens` no compaction can change. */
	readonly fixedTokens: number;
	/** The agent's own record of its latest request beside our figure for the same request. */
	readonly recorded?: RecordedComparison;
	/** R1: automatic compaction starts at this many tokens. */
	readonly compactionTokens: number;
	/** C4: the session is rotated at this many tokens. */
	readonly rotationTokens: number;
	/** R6: tokens reserved for the summary that replaces the middle. */
	readonly summaryBudgetTokens: number;
	readonly categories: readonly GaugeCategory[];
}

/** What-if settings the region map re-plans with; every field optional, the host fills defaults. */
export interface WhatIfOptions {
	readonly strategy?: StrategyName;
	readonly focus?: string;
	readonly headMessages?: number;
	/** Share of the window kept as the protected tail, in [0, 1]. */
	readonly tailRatio?: number;
	/** Share of the window at which compaction triggers, in [0, 1]. */
	readonly triggerRatio?: number;
}

/** A plan as the region map draws it; `regions`/`fates`/`prune` index the same rows as the transcript view. */
export interface PlanView {
	readonly planId: string;
	readonly strategy: StrategyName;
	/** The options the plan was made with (defaults filled in). */
	readonly whatIf: Required<Omit<WhatIfOptions, 'focus'>> & { readonly focus: string };
	readonly regions: { readonly head: RegionBand; readonly middle: RegionBand; readonly tail: RegionBand };
	/** One fate per row, in row order. */
	readonly fates: readonly MessageFate[];
	/** Prune marks by row index; rows absent here are not candidates. */
	readonly prune: Readonly<Record<number, PruneMark>>;
	readonly pruneTokens: {
		readonly total: number;
		readonly dedup: number;
		readonly toolOutput: number;
		readonly arguments: number;
	};
	readonly counts: {
		readonly kept: number;
		readonly summarized: number;
		readonly dropped: number;
		readonly edited: number;
	};
	readonly tokensBefore: number;
	readonly estimatedTokensAfter: number;
	readonly compactionTokens: number;
	readonly summaryBudgetTokens: number;
	/** What the plan keeps verbatim because it is pinned (row indexes); empty lists when nothing is. */
	readonly pinned: PinnedFigures;
	/** R16: why nothing would be compacted, when that is so. */
	readonly nothingToCompact?: string;
}

/** Header facts of an open transcript. */
export interface TranscriptHeader {
	readonly format: FormatId;
	readonly model?: string;
	readonly sessionId?: string;
	readonly title?: string;
	readonly file: string;
	readonly messagesInFile: number;
}

/** Everything the gauge, region map and message list show for one transcript; no full message texts. */
export interface TranscriptView {
	readonly header: TranscriptHeader;
	readonly gauge: GaugeView;
	readonly plan: PlanView;
	readonly rows: readonly MessageRow[];
	/** Indexes of the largest rows, largest first. */
	readonly largest: readonly number[];
}

/** One part of a message in the details pane; `text` is clipped to `maxDetailChars`. */
export interface PartDetail {
	readonly kind: PartKind;
	readonly label: string;
	readonly text: string;
	readonly isClipped: boolean;
}

/** The full content of one row, fetched on demand. */
export interface MessageDetails {
	readonly index: number;
	readonly id: string;
	readonly role: Role;
	readonly tokens: number;
	readonly line: number;
	readonly timestamp?: string;
	readonly parts: readonly PartDetail[];
}

/** One fact the compacted window no longer carries, and where it came from. */
export interface LostFactView {
	readonly kind: ArtifactKind;
	readonly value: string;
	readonly messageIndex: number;
	readonly messageId: string;
	/** Tool name or role that produced it. */
	readonly source: string;
	/** 1-based source line of its message, when known. */
	readonly line?: number;
}

/** One pinned message as the review lists it. */
export interface PinnedMessageView {
	readonly index: number;
	readonly role: Role;
	readonly tokens: number;
	/** One line, at most `maxPreviewChars` characters. */
	readonly preview: string;
	/** First 1-based source line. */
	readonly line: number;
}

/** What a compaction kept verbatim because it was pinned: the pinned messages, how many partners, and tokens. */
export interface PinnedReviewView {
	readonly messages: readonly PinnedMessageView[];
	/** Tool partners kept with the pinned messages. */
	readonly partners: number;
	/** Tokens of the pinned messages and their partners. */
	readonly tokens: number;
}

/** The review panel's content for one compaction result; tokens are whole numbers. */
export interface ReviewView {
	readonly planId: string;
	readonly strategy: StrategyName;
	readonly focus: string;
	readonly success: boolean;
	readonly error?: string;
	readonly summary: string;
	/** Tokens of `summary` as the host counted it. */
	readonly summaryTokens: number;
	readonly summaryBudgetTokens: number;
	readonly tokensBefore: number;
	readonly tokensAfter: number;
	/** Share freed, in percent. */
	readonly reductionPercent: number;
	readonly messagesBefore: number;
	readonly messagesAfter: number;
	/** Messages kept, summarised, shrunk by the cheap pass (pruned) and removed without a summary (dropped). */
	readonly counts: {
		readonly kept: number;
		readonly summarized: number;
		readonly pruned: number;
		readonly dropped: number;
	};
	readonly lostFacts: readonly LostFactView[];
	/** Share of the changed messages' facts the window kept, in [0, 1]. */
	readonly retention: number;
	/** What Apply will write, in words. */
	readonly applyDescription: string;
	/** How the protected tail was sized, in words (`tail: newest 20% of this session (9,145 tokens)`). */
	readonly tailRule: string;
	/** With a focus (R10): what it kept, in words, the kept facts about it (most telling first) and the lost ones. */
	readonly focusKept?: {
		readonly line: string;
		readonly kept: readonly string[];
		readonly lost: readonly string[];
	};
	/** What stayed verbatim because it was pinned (no messages when nothing was). */
	readonly pinned: PinnedReviewView;
	/** On a restore review: the 1-based number of the compaction whose lost facts it offers to take back. */
	readonly restores?: number;
}

/** Which band of `plan` the window row `index` sits in. */
export function regionOf(plan: Pick<PlanView, 'regions'>, index: number): RegionName {
	const { head, tail } = plan.regions;
	if (index >= head.from && index < head.to) return 'head';
	if (index >= tail.from && index < tail.to) return 'tail';
	return 'middle';
}

/** Longest one-line preview in a row, in characters. */
export const maxPreviewChars = 120;

/** Longest part text a details reply carries, in characters. */
export const maxDetailChars = 20_000;
