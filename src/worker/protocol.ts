// What crosses between the extension host and the analysis worker (src/worker/main.ts). Everything here is plain
// data that the structured clone algorithm copies: no functions, class instances or transcripts; a transcript stays
// in the thread that read it and only reports, views and texts built from it cross.
import type { BudgetReport } from '../core/budget/budgetReport';
import type { StrategyName } from '../core/compaction/strategies';
import type { SummaryOutcome, SummaryRequest } from '../core/compaction/summarizer';
import type { SummarizerConfig } from '../core/summarize/providers/createSummarizer';
import type { Message } from '../core/transcript/model';
import type { MessageDetails, PlanView, WhatIfOptions } from '../core/view/viewModel';
import type { PendingReview } from '../extension/review/pendingReviews';
import type { SessionPins } from '../extension/sessions/pinStore';
import type { PinKey } from '../core/compaction/pinTargets';
import type { AuditView } from '../core/audit/auditTypes';
import type { CompareView } from '../core/compare/compareTypes';
import type { ThreadPriority } from './threadPriority';

/** Context window per model id pattern, from the settings. */
export type Windows = Readonly<Record<string, number>>;

/** The settings a default or what-if plan is made with. */
export interface PlanSettings {
	readonly defaultStrategy: StrategyName;
	readonly headMessages: number;
	readonly tailRatio: number;
	readonly compactionRatio: number;
	readonly rotationRatio: number;
}

/** Settings a compaction review is planned with. */
export interface ReviewSettings {
	readonly headMessages: number;
	readonly tailRatio: number;
	readonly triggerRatio: number;
	readonly rotationRatio: number;
	readonly windows: Windows;
}

/** What the person asked for: focus (R10), strategy, and the file's pins (kept verbatim when they match its session). */
export interface CompressRequest {
	readonly focus?: string;
	readonly strategy: StrategyName;
	readonly pins?: SessionPins;
}

/** How far a long piece of work is: bytes read of the file, messages counted of the window, strategies compared. */
export interface WorkProgress {
	readonly phase: 'reading' | 'counting' | 'comparing';
	readonly done: number;
	readonly total: number;
	/** The strategy being planned, while comparing. */
	readonly strategy?: StrategyName;
}

/** An expected failure, with a message naming the file and what to do; `isCancelled` when the caller cancelled. */
export interface WorkFailure {
	readonly ok: false;
	readonly message: string;
	readonly isCancelled?: boolean;
}

/** A session's state after a refresh: its budget report and what the refresh read. */
export interface SessionSnapshot {
	readonly ok: true;
	readonly report: BudgetReport;
	/** Bytes this refresh read (only appended ones unless the file was read from the start). */
	readonly bytesRead: number;
	/** False when neither the file nor the settings changed since the last refresh. */
	readonly hasChanged: boolean;
	/** Time the worker spent on this refresh, in ms. */
	readonly elapsedMs: number;
}

/**
 * Who writes a review's summary: a summariser the worker builds itself from its config (offline, or an HTTP provider
 * with its key and timeouts), or one only the extension host has (`vscode.lm`), asked through `summary/request`.
 */
export type SummarizerChoice =
	| {
			readonly where: 'worker';
			readonly config: SummarizerConfig;
			readonly timeoutMs?: number;
			readonly connectTimeoutMs?: number;
	  }
	| { readonly where: 'host'; readonly id: string };

/** A review's source transcript as the review page's diff shows it, either side. */
export type ReviewSide = 'original' | 'compacted';

/** What applying a review writes: the compacted file's text and name, and the spill file when there is one. */
export interface ReviewOutput {
	readonly ok: true;
	readonly text: string;
	readonly fileName?: string;
	readonly resumeHint?: string;
	readonly spill?: { readonly fileName: string; readonly text: string };
}

/** A session is named by its path; the worker reopens it when it has not read it yet (first use or a restart). */
interface SessionParams {
	readonly path: string;
	readonly windows: Windows;
}

/** The file's stored pins, for calls that plan: plans keep pinned messages verbatim (when set in this session). */
interface PinParams {
	readonly pins?: SessionPins | undefined;
}

/** Every call the worker answers: its parameters and its result. */
export interface AnalysisMethods {
	/** Reads what changed in a session file and re-counts: only appended bytes and new messages after the first read. */
	'session.refresh': { params: SessionParams; result: SessionSnapshot | WorkFailure };
	/**
	 * The transcript view of a session with the default plan of the settings, split for the wire (encodeViewParts): the
	 * skeleton and the row-text parts as UTF-8 JSON, their buffers moved, not copied, to the host, which hands them
	 * to the page as they are.
	 */
	'session.view': {
		params: SessionParams & PinParams & { readonly plan: PlanSettings };
		result:
			| { readonly ok: true; readonly skeleton: Uint8Array; readonly rowTexts: readonly Uint8Array[] }
			| WorkFailure;
	};
	/** A what-if plan of a session (nothing written). */
	'session.plan': {
		params: SessionParams & PinParams & { readonly plan: PlanSettings; readonly whatIf: WhatIfOptions };
		result: { readonly ok: true; readonly plan: PlanView } | WorkFailure;
	};
	/** One window message's details, undefined when the index is out of the window. */
	'session.details': {
		params: SessionParams & { readonly index: number };
		result: { readonly ok: true; readonly details: MessageDetails | undefined } | WorkFailure;
	};
	/** The 1-based source line of one window message, undefined when unknown. */
	'session.line': {
		params: SessionParams & { readonly index: number };
		result: { readonly ok: true; readonly line: number | undefined } | WorkFailure;
	};
	/** The plain-text report (H9) of a session and its default plan. */
	'session.export': {
		params: SessionParams & PinParams & { readonly plan: PlanSettings };
		result: { readonly ok: true; readonly text: string } | WorkFailure;
	};
	/** The window indexes the file's stored pins find in the session now, and the session id pins are kept under. */
	'session.pinned': {
		params: SessionParams & PinParams;
		result: { readonly ok: true; readonly sessionId: string; readonly indexes: number[] } | WorkFailure;
	};
	/**
	 * Pins or unpins one window message: the session's pin keys afterwards (to store), keys that no longer find a
	 * message dropped, and the indexes they find.
	 */
	'session.pin': {
		params: SessionParams & {
			readonly pins: SessionPins | undefined;
			readonly index: number;
			readonly isPinned: boolean;
		};
		result:
			| { readonly ok: true; readonly sessionId: string; readonly keys: PinKey[]; readonly indexes: number[] }
			| WorkFailure;
	};
	/** Every strategy planned on the session with the same settings (offline summaries, nothing written). */
	'session.compare': {
		params: SessionParams & { readonly plan: PlanSettings; readonly focus: string };
		result: { readonly ok: true; readonly view: CompareView; readonly elapsedMs: number } | WorkFailure;
	};
	/** The audit of the session: its compactions and the timeline of its window. */
	'session.audit': {
		params: SessionParams & { readonly compactionRatio: number; readonly rotationRatio: number };
		result: { readonly ok: true; readonly view: AuditView } | WorkFailure;
	};
	/** How the worker's thread is scheduled (for the log). */
	'worker.priority': { params: Record<string, never>; result: { readonly ok: true } & ThreadPriority };
	/** Forgets a session and what was read of it. */
	'session.close': { params: { readonly path: string }; result: { readonly ok: true } };
	/** Reads and measures a file once, keeping nothing (the Sessions view's background figures, @context /inspect). */
	'file.measure': {
		params: SessionParams;
		result: { readonly ok: true; readonly report: BudgetReport } | WorkFailure;
	};
	/** Plans and summarises a compaction of a file into a new pending review; writes nothing. */
	'review.create': {
		params: {
			readonly file: string;
			readonly request: CompressRequest;
			readonly settings: ReviewSettings;
			readonly summarizer: SummarizerChoice | undefined;
			readonly maxLostFacts: number;
			/** Folder the plan is written to (PendingReview.planFile); without one the plan stays in the review. */
			readonly planDir?: string;
		};
		result: { readonly ok: true; readonly review: PendingReview } | WorkFailure;
	};
	/** A review whose summary takes back what compaction `compaction` of the file lost; writes nothing. */
	'review.restore': {
		params: {
			readonly file: string;
			readonly compaction: number;
			readonly settings: ReviewSettings;
			readonly maxLostFacts: number;
			readonly planDir?: string;
		};
		result: { readonly ok: true; readonly review: PendingReview } | WorkFailure;
	};
	/** One side of a review's diff as readable text. */
	'review.document': {
		params: { readonly review: PendingReview; readonly windows: Windows; readonly side: ReviewSide };
		result: { readonly ok: true; readonly text: string } | WorkFailure;
	};
	/** Tokens of a text with the review's counter, and of the synthetic message with that text as its summary. */
	'review.count': {
		params: { readonly review: PendingReview; readonly windows: Windows; readonly text: string };
		result: { readonly ok: true; readonly tokens: number; readonly syntheticTokens: number } | WorkFailure;
	};
	/** What applying the review writes (the caller checks the original, writes and reads back). */
	'review.output': {
		params: {
			readonly review: PendingReview;
			readonly windows: Windows;
			readonly now: string;
			/** Where the output goes when its writer names no file (a writer that resumes by path: Gemini CLI). */
			readonly fallbackPath: string;
		};
		result: ReviewOutput | WorkFailure;
	};
	/** Reads a written file back: how many messages it holds. */
	'review.readBack': {
		params: { readonly path: string };
		result: { readonly ok: true; readonly messages: number } | WorkFailure;
	};
	/** Forgets a review's transcript (after apply or discard). */
	'review.forget': { params: { readonly id: string }; result: { readonly ok: true } };
	/** Summarises loose messages (a chat's history) with their token counts before and after. */
	'messages.summarize': {
		params: {
			readonly messages: readonly Message[];
			readonly focus?: string;
			readonly summarizer: SummarizerChoice;
		};
		result: {
			readonly ok: true;
			readonly tokensBefore: number;
			readonly tokensAfter?: number;
			readonly outcome: SummaryOutcome;
		};
	};
}

/** The name of a call the worker answers. */
export type MethodName = keyof AnalysisMethods;
/** A call's parameters. */
export type ParamsOf<M extends MethodName> = AnalysisMethods[M]['params'];
/** A call's result. */
export type ResultOf<M extends MethodName> = AnalysisMethods[M]['result'];

/** A summary request the worker sends the host: the summariser's input without the counting function. */
export type HostSummaryRequest = Omit<SummaryRequest, 'countTokens'> & {
	/** The model id the transcript names, for counting with its encoding on the host. */
	readonly model: string | undefined;
	readonly windows: Windows;
};

/** Messages the host posts to the worker. */
export type HostToWorker =
	| { readonly type: 'call'; readonly id: number; readonly method: MethodName; readonly params: unknown }
	| { readonly type: 'cancel'; readonly id: number }
	| { readonly type: 'summary/outcome'; readonly id: number; readonly outcome: SummaryOutcome };

/** Messages the worker posts to the host. */
export type WorkerToHost =
	| { readonly type: 'result'; readonly id: number; readonly value: unknown }
	| { readonly type: 'error'; readonly id: number; readonly message: string }
	| { readonly type: 'progress'; readonly id: number; readonly progress: WorkProgress }
	| {
			readonly type: 'summary/request';
			/** This request's own id, echoed by `summary/outcome`. */
			readonly id: number;
			/** The call it belongs to. */
			readonly callId: number;
			readonly request: HostSummaryRequest;
	  };
