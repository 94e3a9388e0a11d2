import { buildAuditView } from '../../src/core/audit/auditView';
import type { CompactionResult } from '../../src/core/compaction/compactTranscript';
import { compareStrategies } from '../../src/core/compare/compareStrategies';
import { buildCompareView } from '../../src/core/compare/compareView';
import { planCompaction } from '../../src/core/compaction/planCompaction';
import { findFormat } from '../../src/core/transcript/registry';
import { buildReviewView } from '../../src/core/view/buildReviewView';
import { buildMessageDetails, buildPlanView } from '../../src/core/view/buildTranscriptView';
import type { ReviewView } from '../../src/core/view/viewModel';
import type { HostToView, ViewToHost } from '../../src/protocol/messages';
import { parseViewToHost } from '../../src/protocol/parseViewToHost';
import { describeApply } from '../../src/protocol/strings';
import type { ViewSession } from '../core/view/viewPipeline';
import { whatIfOptions } from '../core/view/viewPipeline';
import type { WebviewPage } from './harness';

/** What the fake host shows and how it answers; it answers with the real core, as the extension host would. */
export interface FakeHostOptions {
	readonly transcriptId: string;
	readonly session?: ViewSession;
	readonly review?: ReviewView;
	/** Held back to test waiting states; replies are sent when `release` is called. */
	readonly isManual?: boolean;
	/** A comparison waits for `release` after its first progress message (to test the running state and Cancel). */
	readonly isCompareHeld?: boolean;
}

/**
 * The review the extension host would send for a compaction of `session`: the same view builder and the same
 * "Apply writes…" sentence (src/protocol/strings.ts) as the host, so the page under test cannot see a stale string.
 */
export function hostReviewView(session: ViewSession, result: CompactionResult): ReviewView {
	return buildReviewView(result, {
		countTokens: (text) => session.counter.countText(text),
		before: session.transcript,
		applyDescription: describeApply(findFormat(session.transcript.format)),
	});
}

/** A stand-in for the extension host: validates every inbound message with `parseViewToHost`, answers requests. */
export class FakeHost {
	readonly received: ViewToHost[] = [];
	/** Window indexes pinned through `message/pin`, as the extension's pin store would hold them. */
	readonly pinned = new Set<number>();
	readonly rejected: unknown[] = [];
	private readonly held: (() => Promise<void>)[] = [];
	private comparison: AbortController | undefined;
	private releaseCompare: (() => void) | undefined;

	constructor(private readonly options: FakeHostOptions) {}

	/** The `onPost` callback for `openWebview`. */
	readonly onPost = (raw: unknown, view: WebviewPage): void => {
		const message = parseViewToHost(raw);
		if (message === undefined) {
			this.rejected.push(raw);
			return;
		}
		this.received.push(message);
		if (message.type === 'compare/start') {
			void this.compare(message.transcriptId, message.focus, view);
			return;
		}
		if (message.type === 'compare/cancel') {
			this.comparison?.abort();
			this.releaseCompare?.();
			return;
		}
		const reply = this.replyTo(message);
		if (reply === undefined) return;
		const send = (): Promise<void> => view.send(reply);
		if (this.options.isManual === true) this.held.push(send);
		else void send();
	};

	/** Sends the replies held back so far, and lets a held comparison go on. */
	async release(): Promise<void> {
		for (const send of this.held.splice(0)) await send();
		this.releaseCompare?.();
	}

	/** Runs the real comparison as the host does: progress messages, then the result (or why there is none). */
	private async compare(transcriptId: string, focus: string, view: WebviewPage): Promise<void> {
		const session = this.options.session;
		if (session === undefined || transcriptId !== this.options.transcriptId) {
			await view.send({
				type: 'compare/result',
				transcriptId,
				result: { ok: false, reason: 'No such transcript.' },
			});
			return;
		}
		const controller = new AbortController();
		this.comparison = controller;
		// Made before the comparison runs, so a `release` or Cancel that comes early is not lost.
		const held =
			this.options.isCompareHeld === true
				? new Promise<void>((resolve) => (this.releaseCompare = resolve))
				: Promise.resolve();
		const outcome = await compareStrategies(
			session.transcript,
			whatIfOptions(session.counter, session.contextWindow, { focus }),
			controller.signal,
			(p) =>
				void view.send({
					type: 'compare/progress',
					transcriptId,
					done: p.done,
					total: p.total,
					...(p.strategy !== undefined ? { strategy: p.strategy } : {}),
				}),
		);
		// Held: the page stays in its running state (the last progress shown) until `release` or Cancel.
		await held;
		const isDone = outcome.ok && !controller.signal.aborted;
		await view.send({
			type: 'compare/result',
			transcriptId,
			result:
				isDone && outcome.ok
					? { ok: true, value: buildCompareView(outcome.comparison, false) }
					: { ok: false, reason: 'The comparison was cancelled.' },
		});
	}

	private replyTo(message: ViewToHost): HostToView | undefined {
		const { session, review, transcriptId } = this.options;
		switch (message.type) {
			case 'ready':
				if (message.view === 'review')
					return review !== undefined
						? { type: 'review/show', transcriptId, review }
						: { type: 'transcript/empty', message: 'Nothing to review.' };
				return session !== undefined
					? { type: 'transcript/show', transcriptId, view: session.view }
					: { type: 'transcript/empty', message: 'Open a transcript to see its context window.' };
			case 'plan/request': {
				if (session === undefined || message.transcriptId !== transcriptId)
					return {
						type: 'plan/result',
						requestId: message.requestId,
						result: { ok: false, reason: 'No such transcript.' },
					};
				const plan = planCompaction(session.transcript, {
					...whatIfOptions(session.counter, session.contextWindow, message.whatIf),
					pinned: this.pinned,
				});
				return {
					type: 'plan/result',
					requestId: message.requestId,
					result: { ok: true, value: buildPlanView(plan) },
				};
			}
			case 'message/pin': {
				if (session === undefined || message.transcriptId !== transcriptId)
					return {
						type: 'plan/result',
						requestId: message.requestId,
						result: { ok: false, reason: 'No such transcript.' },
					};
				if (message.isPinned) this.pinned.add(message.index);
				else this.pinned.delete(message.index);
				const plan = planCompaction(session.transcript, {
					...whatIfOptions(session.counter, session.contextWindow, message.whatIf),
					pinned: this.pinned,
				});
				return {
					type: 'plan/result',
					requestId: message.requestId,
					result: { ok: true, value: buildPlanView(plan) },
				};
			}
			case 'message/details': {
				const tokens = session?.view.rows[message.index]?.tokens ?? 0;
				const details =
					session !== undefined ? buildMessageDetails(session.transcript, message.index, tokens) : undefined;
				return {
					type: 'message/details',
					requestId: message.requestId,
					result:
						details !== undefined ? { ok: true, value: details } : { ok: false, reason: 'No such message.' },
				};
			}
			case 'audit/request': {
				if (session === undefined || message.transcriptId !== transcriptId)
					return {
						type: 'audit/result',
						requestId: message.requestId,
						result: { ok: false, reason: 'No such transcript.' },
					};
				const window = session.contextWindow;
				const audit = buildAuditView(session.transcript, session.counter, {
					contextWindow: window,
					compactionTokens: session.plan.triggerTokens,
					rotationTokens: Math.round(window * session.plan.options.rotationRatio),
				});
				return { type: 'audit/result', requestId: message.requestId, result: { ok: true, value: audit } };
			}
			case 'summary/count':
				return {
					type: 'summary/count',
					requestId: message.requestId,
					result: { ok: true, value: session?.counter.countText(message.text) ?? 0 },
				};
			default:
				return undefined;
		}
	}
}
