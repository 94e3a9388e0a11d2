// The audit's data as the protocol carries it: plain types with no code, so the webview can import them.
import type { ArtifactKind } from '../facts/extractArtifacts';

/** What started a compaction: the agent at its threshold, the person (`/compact`), or a file that does not say. */
export type CompactionTrigger = 'auto' | 'manual' | 'unknown';

/** Who wrote a compaction's summary: the agent itself, or Context Lens (a session written by Apply and resumed). */
export type CompactionAuthor = 'agent' | 'context-lens';

/** Where a compaction's "tokens before" figure comes from. */
export type PreTokensSource =
	/** The agent recorded it with the compaction (Claude Code `compactMetadata.preTokens`). */
	| 'recorded'
	/** The last usage the agent recorded before the compaction (Codex records no figure of its own). */
	| 'usage';

/** How full the window was after one message: our count and, where the agent recorded one, its figure. */
export interface TimelinePoint {
	/** Index into `transcript.messages`. */
	readonly message: number;
	/** Index among today's window messages (the region map's rows), when the message is still in the window. */
	readonly row?: number;
	/** 1-based source line of the message. */
	readonly line: number;
	/** Our count of the window after this message: what the next request would read, the hidden part included. */
	readonly ours: number;
	/** The agent's recorded context after this message (input plus output of the request that wrote it). */
	readonly recorded?: number;
}

/** Where a compaction sits on the timeline. */
export interface TimelineMark {
	/** Index of the compaction (AgentCompaction.index). */
	readonly compaction: number;
	/** The first point after it (index into `points`). */
	readonly point: number;
}

/** The window filling message by message over the whole file, compactions included; points in file order. */
export interface WindowTimeline {
	readonly points: readonly TimelinePoint[];
	readonly marks: readonly TimelineMark[];
	/** Messages the file holds (the x axis spans them); points may be fewer when thinned. */
	readonly messages: number;
}

/** One fact a compaction lost, and where it came from. */
export interface AuditLostFact {
	readonly kind: ArtifactKind;
	readonly value: string;
	/** Index into `transcript.messages`. */
	readonly messageIndex: number;
	readonly messageId: string;
	/** Tool name or role that produced it. */
	readonly source: string;
	/** 1-based source line of its message. */
	readonly line: number;
}

/** What is known of one compaction found in a session file, whoever reads it. */
export interface CompactionFacts {
	/** 0-based, in file order. */
	readonly index: number;
	readonly by: CompactionAuthor;
	readonly trigger: CompactionTrigger;
	/** ISO time of the compaction record, when the file has one. */
	readonly at?: string;
	/** 1-based line of the compaction record (Claude's boundary, Codex's `compacted` line). */
	readonly line: number;
	/** Tokens in the window just before the compaction, as the agent recorded them; undefined when it did not. */
	readonly preTokens?: number;
	readonly preTokensSource?: PreTokensSource;
	/** Tokens of the summary message(s) the compaction left, counted with the session's counter. */
	readonly summaryTokens: number;
}

/** A compaction as the editor and the palette list it. */
export interface CompactionEntry extends CompactionFacts {
	/** Row of its summary in today's window, when it is still there. */
	readonly summaryRow?: number;
	readonly replacedMessages: number;
	/** Facts of the replaced history the compaction kept and lost; undefined when the file lacks the history. */
	readonly facts?: { readonly kept: number; readonly lost: number; readonly retention: number };
	/** The lost facts, most important first (at most `maxListedLostFacts`). */
	readonly lostFacts: readonly AuditLostFact[];
	/** One line for lists: who, how, when, and the figures. */
	readonly description: string;
	/** True when the window's summary can take back this compaction's lost facts (see planSummaryRestore). */
	readonly canRestore: boolean;
}

/** The editor's audit: the compactions in the file and the timeline of the window, with the rules it is drawn against. */
export interface AuditView {
	readonly compactions: readonly CompactionEntry[];
	readonly timeline: WindowTimeline;
	readonly contextWindow: number;
	/** R1: automatic compaction starts here. */
	readonly compactionTokens: number;
	/** C4: the session rotates here. */
	readonly rotationTokens: number;
}
