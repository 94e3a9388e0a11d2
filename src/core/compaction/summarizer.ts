import type { Message } from '../transcript/model';

/** What a summariser is asked to condense: the middle of a transcript, after the cheap passes. */
export interface SummaryRequest {
	/** The messages to summarise, in order (already pruned/deduplicated by the planner). */
	readonly messages: readonly Message[];
	/** The summary an earlier compaction produced, to be updated rather than rewritten (G4, R9). */
	readonly previousSummary?: string;
	/** What the person wants kept in detail (R10), e.g. the text after `/compress`. */
	readonly focus?: string;
	/** Token budget for the summary (R6). */
	readonly budgetTokens: number;
	/** Values of declared output keys found in discarded messages, to carry over verbatim (H5). */
	readonly preservedValues?: Readonly<Record<string, string>>;
	/** The latest user request, verbatim, when the planner found one (R8 Active Task). */
	readonly activeTask?: string;
	/** The messages after `activeTask` read as its completion: the handoff says it looks done, never "None". */
	readonly activeTaskLooksDone?: boolean;
	/** Counts tokens of text with the transcript's model profile, so summarisers can keep to the budget. */
	readonly countTokens: (text: string) => number;
}

/** Why a summariser produced no summary. */
export type SummaryFailureReason =
	| 'notConfigured'
	| 'cancelled'
	| 'transient'
	| 'modelNotFound'
	| 'malformedResponse'
	| 'emptyResponse'
	| 'refused'
	| 'failed';

/** A summariser's answer: the summary text, or a failure that never loses the input (G5). */
export type SummaryOutcome =
	| { readonly ok: true; readonly text: string; readonly model?: string }
	| {
			readonly ok: false;
			readonly reason: SummaryFailureReason;
			readonly message: string;
			readonly retryAfterMs?: number;
	  };

/** The port every summariser implements: offline, OpenAI-compatible, Anthropic, VS Code LM. */
export interface Summarizer {
	/** Short id shown to the person, e.g. `offline` or `openai:gpt-4o-mini`. */
	readonly id: string;
	summarize(request: SummaryRequest, signal: AbortSignal): Promise<SummaryOutcome>;
}
