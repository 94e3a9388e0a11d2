import type { FormatId, Message, Part, Role } from '../transcript/model';
import type { ResolvedCompactionOptions } from './options';
import type { RegionSpan } from './planRegions';
import type { StrategyName } from './strategies';

/** What happens to one window message: it stays (maybe edited), goes into the summary, or leaves the window. */
export type MessageFate = 'kept' | 'summarized' | 'dropped';

/** Why a part was changed or removed. */
export type EditKind =
	/** R3: an older copy of an identical tool result became a back-reference. */
	| 'dedup'
	/** R3/H4: an old tool result became a one-line description. */
	| 'toolOutput'
	/** R3/H6: long tool-call arguments shrunk inside their JSON. */
	| 'arguments'
	/** Z1: a tool result cut to the size cap. */
	| 'toolResultCap'
	/** H6: free text moved to the spill file, replaced by a reference (or removed behind the first one). */
	| 'spilledText'
	/** H6 aggressive: an ordinary tool call or result folded into the tool-call history digest. */
	| 'collapsed'
	/** R14/H8: a tool result whose call is not in the output. */
	| 'orphanResult';

/** One change to one part of a window message; `part` indexes the original message's parts. */
export interface PartEdit {
	readonly message: number;
	readonly part: number;
	readonly kind: EditKind;
	/** Tokens of the original part (the message's count shared out by characters). */
	readonly tokensBefore: number;
	/** Tokens of the replacement (0 when removed). */
	readonly tokensAfter: number;
	/** The part that takes the original's place (no `raw`: writers re-render it), or null when the part is removed. */
	readonly replacement: Part | null;
	/** H4/H6: the spill entry that holds the original content. */
	readonly spillEntry?: number;
}

/** What the cheap pre-pass (R3/H4) frees over the middle, in tokens. */
export interface PruneCandidates {
	/** Messages it would change. */
	readonly messages: number;
	readonly tokens: number;
	readonly byKind: { readonly dedup: number; readonly toolOutput: number; readonly arguments: number };
	/** H4: the pass frees less than `minPruneTokens`, so it does not run. */
	readonly isBelowMinimum: boolean;
}

/** R14/H8: a tool call left without a result; it gets an "interrupted" error result. */
export interface InterruptedCall {
	readonly message: number;
	readonly callId: string;
	readonly name: string;
}

/** The kind of message compaction writes into the window. */
export type SyntheticKind = 'summary' | 'structure' | 'eviction' | 'rotation';

/** The message that stands for what left the window. */
export interface SyntheticMessagePlan {
	readonly kind: SyntheticKind;
	/** R13/G3: its role; when `layout` merges it into a neighbour, the role of that neighbour. */
	readonly role: Role;
	/** Deterministic text (structure, eviction); undefined when the summariser writes it. */
	readonly text?: string;
	/** What it replaces: messages, turns (user prompts) and tokens. */
	readonly replaces: { readonly messages: number; readonly turns: number; readonly tokens: number };
	/** Source lines of what it replaces, for writers that want a position. */
	readonly lines: { readonly from: number; readonly to: number };
}

/** One item of the compacted window, in order. */
export type LayoutSlot =
	| {
			readonly kind: 'message';
			readonly message: number;
			/** R14: interrupted-call results placed at the front of this message. */
			readonly stubs?: readonly InterruptedCall[];
			/** R13: the synthetic text is merged into this message behind the separator. */
			readonly hasSynthetic?: boolean;
	  }
	| { readonly kind: 'synthetic' }
	| {
			readonly kind: 'stubs';
			readonly calls: readonly InterruptedCall[];
			readonly role: Role;
			readonly hasSynthetic?: boolean;
	  };

/** H6: one numbered entry of the spill file: parts of one window message. */
export interface SpillEntry {
	readonly number: number;
	readonly message: number;
	readonly parts: readonly number[];
	readonly label: string;
	readonly chars: number;
}

/** H6: the spill file a structure compaction writes next to the transcript. */
export interface SpillPlan {
	readonly fileName: string;
	readonly entries: readonly SpillEntry[];
}

/** Z2/Z3 statistics of an eviction. */
export interface EvictionStats {
	readonly messagesBefore: number;
	readonly messagesAfter: number;
	readonly messagesEvicted: number;
	readonly tokensEvicted: number;
	readonly isTriggered: boolean;
}

/** C4: the session being rotated and how full it was. */
export interface RotationPlan {
	readonly oldSessionId?: string;
	readonly contextTokens: number;
	readonly percentOfWindow: number;
	/** True when the window is at or past the rotation ratio. */
	readonly isDue: boolean;
}

/** R16: whether there is anything to do, said before any model is called. */
export type Preflight =
	| { readonly ok: true }
	| { readonly ok: false; readonly reason: 'nothingToCompact'; readonly message: string };

/**
 * The messages a plan keeps verbatim because they are pinned (by the person, or pinned content), and the tool
 * partners kept with them; window indexes, ascending.
 */
export interface PinnedFigures {
	readonly messages: readonly number[];
	/** Messages holding the other half of a pinned message's tool pairs, not pinned themselves. */
	readonly partners: readonly number[];
	/** Tokens of the pinned messages and their partners. */
	readonly tokens: number;
}

/** A compaction decided but not yet run: plain JSON-serialisable data the review UI shows before anything is written. */
export interface CompactionPlan {
	readonly version: 1;
	/** Derived from the strategy, options and window: the same inputs give the same id. */
	readonly id: string;
	readonly strategy: StrategyName;
	readonly options: ResolvedCompactionOptions;
	readonly source: { readonly format: FormatId; readonly sessionId?: string };
	/** Ids of the window messages the plan indexes, to check it still fits the transcript. */
	readonly messageIds: readonly string[];
	/** Tokens per window message. */
	readonly messageTokens: readonly number[];
	readonly tokensBefore: number;
	/** R1: the count at which automatic compaction triggers for this window. */
	readonly triggerTokens: number;
	readonly regions: { readonly head: RegionSpan; readonly middle: RegionSpan; readonly tail: RegionSpan };
	/** One fate per window message; a message is never both kept and summarised. */
	readonly fates: readonly MessageFate[];
	readonly counts: {
		readonly kept: number;
		readonly summarized: number;
		readonly dropped: number;
		readonly edited: number;
	};
	readonly pruneCandidates: PruneCandidates;
	/** Every part change, ordered by message then part; at most one per part. */
	readonly edits: readonly PartEdit[];
	readonly interruptedCalls: readonly InterruptedCall[];
	readonly synthetic?: SyntheticMessagePlan;
	readonly layout: readonly LayoutSlot[];
	/** R11: index of the system message that gets the one-time compaction note. */
	readonly systemNote?: number;
	/**
	 * The middle as the summariser gets it (no `raw`; after the cheap pass when `summaryInputSource` is 'pruned').
	 * Made on first read (plain data from then on; JSON and structured copies read it like any other field).
	 */
	readonly summaryInput: readonly Message[];
	readonly summaryInputTokens: number;
	/** R6. */
	readonly summaryBudgetTokens: number;
	/** G4/R9: the summary being updated (from the options or a folded summary message). */
	readonly previousSummary?: string;
	/** G4: the summary message that opened the window and is folded into the new summary. */
	readonly foldedSummary?: number;
	/**
	 * R8: the latest request the person made, verbatim, and where it is; `looksFulfilled` when the messages after it
	 * read as its completion (the handoff then says so rather than "None").
	 */
	readonly activeTask?: { readonly text: string; readonly message: number; readonly looksFulfilled: boolean };
	/** H5. */
	readonly preservedValues: Readonly<Record<string, string>>;
	/** H7. */
	readonly phases: { readonly phaseIds: readonly string[]; readonly protectedPhaseIds: readonly string[] };
	readonly spill?: SpillPlan;
	readonly eviction?: EvictionStats;
	readonly rotation?: RotationPlan;
	/** What stays verbatim because it is pinned; absent when nothing is. */
	readonly pinned?: PinnedFigures;
	/** Tokens of the compacted window as planned (a summary counted at its full budget). */
	readonly estimatedTokensAfter: number;
	readonly preflight: Preflight;
	/** True when `summarizePlan` must run before `applyPlan`. */
	readonly needsSummary: boolean;
}
