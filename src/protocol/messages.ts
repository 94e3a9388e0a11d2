/**
 * Host <-> webview messages of Context Lens: one union per direction, tagged `area/event`.
 *
 * How the host must run a webview that speaks this protocol:
 * - Build the HTML with `renderWebviewHtml` (src/protocol/webviewHtml.ts): a fresh random nonce per render, the
 *   webview's `cspSource`, `asWebviewUri` of `dist/webview/main.js` as `scriptUri`, and of
 *   `dist/webview/codicon.css` (id `vscode-codicon-stylesheet`, needed by `<vscode-icon>`) as a style URI.
 *   The CSP it writes allows only the nonce'd module script and styles/fonts/images from `cspSource`.
 * - Create the webview with `enableScripts: true` and `localResourceRoots: [dist, media]` (nothing else).
 * - The webview posts `ready` first; queue every host message until it arrives, then send the current state
 *   (`transcript/show`, `review/show` or `transcript/empty`). A hidden-then-shown webview posts `ready` again.
 * - Pass every inbound message through `parseViewToHost`; drop (and log) what it rejects.
 * - Answer each request (`requestId`) with the reply of the same request id, `ok: false` with a reason on failure.
 */
import type { AuditView } from '../core/audit/auditTypes';
import type { StrategyName } from '../core/compaction/strategies';
import type { CompareView } from '../core/compare/compareTypes';
import type {
	MessageDetails,
	PlanView,
	ReviewView,
	TranscriptView,
	WhatIfOptions,
} from '../core/view/viewModel';
import { decodeRowTexts, decodeViewSkeleton, type RowTexts } from './viewWire';

/** Which of the three screens a webview page shows; set by the host in the HTML. */
export type ViewKind = 'gauge' | 'transcript' | 'review';

/** Every view kind, for validation. */
export const viewKinds: readonly ViewKind[] = Object.freeze(['gauge', 'transcript', 'review']);

/** Host commands a webview button may ask for (no arguments). */
export type ViewCommand = 'compress' | 'refresh' | 'openSettings' | 'openTranscriptView' | 'openReview';

/** Every view command, for validation. */
export const viewCommands: readonly ViewCommand[] = Object.freeze([
	'compress',
	'refresh',
	'openSettings',
	'openTranscriptView',
	'openReview',
]);

/** Outcome of a request: the value, or why there is none (a sentence a person can act on). */
export type Reply<T> =
	{ readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Messages the webview posts to the host. */
export type ViewToHost =
	/** First message of every page load; the host answers with the current state. */
	| { readonly type: 'ready'; readonly view: ViewKind }
	/** Re-plan with what-if settings; answered by `plan/result`. Nothing is written. */
	| {
			readonly type: 'plan/request';
			readonly requestId: number;
			readonly transcriptId: string;
			readonly whatIf: WhatIfOptions;
	  }
	/** Full content of one row; answered by `message/details`. */
	| {
			readonly type: 'message/details';
			readonly requestId: number;
			readonly transcriptId: string;
			readonly index: number;
	  }
	/** Open the transcript file at a message's source line. */
	| { readonly type: 'message/reveal'; readonly transcriptId: string; readonly index: number }
	/**
	 * Pin (`isPinned`) or unpin a message, stored per session; answered by `plan/result`: the plan re-made with the
	 * page's what-if settings and the pins as they are now. Nothing is written to the transcript.
	 */
	| {
			readonly type: 'message/pin';
			readonly requestId: number;
			readonly transcriptId: string;
			readonly index: number;
			readonly isPinned: boolean;
			readonly whatIf: WhatIfOptions;
	  }
	/** Token count of an edited summary; answered by `summary/count`. */
	| { readonly type: 'summary/count'; readonly requestId: number; readonly text: string }
	/** Apply the reviewed compaction with this (possibly edited) summary. */
	| { readonly type: 'summary/accept'; readonly planId: string; readonly editedSummary: string }
	/** Throw the reviewed compaction away. */
	| { readonly type: 'summary/discard'; readonly planId: string }
	/** Show the before/after diff of the reviewed compaction with this summary. */
	| { readonly type: 'summary/openDiff'; readonly planId: string; readonly editedSummary: string }
	/** Compact again with another focus. */
	| { readonly type: 'summary/rerun'; readonly planId: string; readonly focus: string }
	/** Run a host command. */
	| { readonly type: 'command/run'; readonly command: ViewCommand }
	/** Compare every strategy on the transcript (nothing written); answered by `compare/progress` then `compare/result`. */
	| { readonly type: 'compare/start'; readonly transcriptId: string; readonly focus: string }
	/** Stop the running comparison of a transcript; its `compare/result` then says it was cancelled. */
	| { readonly type: 'compare/cancel'; readonly transcriptId: string }
	/** Open the review of one compared strategy (the compress flow with that strategy and focus). */
	| {
			readonly type: 'compare/open';
			readonly transcriptId: string;
			readonly strategy: StrategyName;
			readonly focus: string;
	  }
	/** The compactions in the file and the timeline of its window; answered by `audit/result`. */
	| { readonly type: 'audit/request'; readonly requestId: number; readonly transcriptId: string }
	/** Open a review whose summary can take back the facts a compaction lost (nothing written before Apply). */
	| { readonly type: 'audit/restore'; readonly transcriptId: string; readonly compaction: number }
	/** Open the transcript file at a source line (history that is no longer in the window has no row). */
	| { readonly type: 'source/reveal'; readonly transcriptId: string; readonly line: number }
	/** An unexpected error inside the webview, for the host's log. */
	| { readonly type: 'log/error'; readonly message: string };

/** Messages the host posts to the webview. */
export type HostToView =
	/**
	 * The transcript to show (gauge, region map, list); `transcriptId` names it in later requests. With a `viewId`,
	 * rows whose preview is still empty get it from the `transcript/rowTexts` of the same view that follow.
	 */
	| {
			readonly type: 'transcript/show';
			readonly transcriptId: string;
			readonly view: TranscriptView;
			readonly viewId?: number;
	  }
	/** Ids and previews of a run of rows of the view `viewId` shown before. */
	| {
			readonly type: 'transcript/rowTexts';
			readonly transcriptId: string;
			readonly viewId: number;
			readonly texts: RowTexts;
	  }
	/** No transcript is open; `message` says how to open one. */
	| { readonly type: 'transcript/empty'; readonly message: string }
	/** Reply to `plan/request` and `message/pin`. */
	| { readonly type: 'plan/result'; readonly requestId: number; readonly result: Reply<PlanView> }
	/** Reply to `message/details`. */
	| { readonly type: 'message/details'; readonly requestId: number; readonly result: Reply<MessageDetails> }
	/** A compaction result to review (of transcript `transcriptId`); replaces any review shown. */
	| { readonly type: 'review/show'; readonly transcriptId: string; readonly review: ReviewView }
	/** Reply to `summary/count`, in tokens. */
	| { readonly type: 'summary/count'; readonly requestId: number; readonly result: Reply<number> }
	/** The review was applied, discarded or failed; `message` says what happened (and where a file was written). */
	| {
			readonly type: 'review/done';
			readonly planId: string;
			readonly outcome: 'applied' | 'discarded' | 'failed';
			readonly message: string;
	  }
	/** How far a comparison got: `done` of `total` strategies, `strategy` the one running now. */
	| {
			readonly type: 'compare/progress';
			readonly transcriptId: string;
			readonly done: number;
			readonly total: number;
			readonly strategy?: StrategyName;
	  }
	/** The end of a comparison: its rows, or why there are none (cancelled, the transcript closed). */
	| { readonly type: 'compare/result'; readonly transcriptId: string; readonly result: Reply<CompareView> }
	/** Reply to `audit/request`. */
	| { readonly type: 'audit/result'; readonly requestId: number; readonly result: Reply<AuditView> }
	/** Host is working (re-planning, summarising); `busy: false` ends it. */
	| { readonly type: 'host/busy'; readonly busy: boolean; readonly label: string }
	/** How many compactions wait for review in this workspace (the gauge offers to open them when any do). */
	| { readonly type: 'reviews/pending'; readonly count: number };

/**
 * `transcript/show` as the extension posts it: the view's skeleton as UTF-8 JSON bytes (src/protocol/viewWire.ts),
 * its row texts following in `transcript/rowTextsEncoded` parts. VS Code hands a byte array to the page as it is,
 * where it would serialise an object to JSON on the extension host's thread; the page's bridge decodes it into
 * `transcript/show`. `viewId` tells the parts of one view from those of another.
 */
export interface EncodedTranscriptShow {
	readonly type: 'transcript/showEncoded';
	readonly transcriptId: string;
	readonly viewId: number;
	readonly viewJson: Uint8Array;
}

/** Ids and previews of a run of rows of the view `viewId`, as UTF-8 JSON; decoded into `transcript/rowTexts`. */
export interface EncodedRowTexts {
	readonly type: 'transcript/rowTextsEncoded';
	readonly transcriptId: string;
	readonly viewId: number;
	readonly textsJson: Uint8Array;
}

/** What the host posts to a page: a page message, or an encoded one the page's bridge decodes first. */
export type HostPost = HostToView | EncodedTranscriptShow | EncodedRowTexts;

/** The posts that show a view: its skeleton, then its row-text parts (made where the view is built: the worker). */
export function transcriptViewPosts(
	transcriptId: string,
	viewId: number,
	parts: { readonly skeleton: Uint8Array; readonly rowTexts: readonly Uint8Array[] },
): HostPost[] {
	return [
		{ type: 'transcript/showEncoded', transcriptId, viewId, viewJson: parts.skeleton },
		...parts.rowTexts.map((textsJson): EncodedRowTexts => ({
			type: 'transcript/rowTextsEncoded',
			transcriptId,
			viewId,
			textsJson,
		})),
	];
}

/** The page message a host post stands for: an encoded one decoded, anything else as it is. */
export function decodeHostPost(post: HostPost): HostToView {
	switch (post.type) {
		case 'transcript/showEncoded':
			return {
				type: 'transcript/show',
				transcriptId: post.transcriptId,
				viewId: post.viewId,
				view: decodeViewSkeleton(post.viewJson),
			};
		case 'transcript/rowTextsEncoded':
			return {
				type: 'transcript/rowTexts',
				transcriptId: post.transcriptId,
				viewId: post.viewId,
				texts: decodeRowTexts(post.textsJson),
			};
		default:
			return post;
	}
}

/** Tag of a view-to-host message. */
export type ViewToHostType = ViewToHost['type'];

/** Tag of a host-to-view message. */
export type HostToViewType = HostToView['type'];

/** Ends an exhaustive switch: a compile error when a case is missing, a thrown bug at run time. */
export function assertNever(value: never): never {
	throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
