import { analyzeBudget } from '../core/budget/analyzeBudget';
import type { BudgetReport } from '../core/budget/budgetReport';
import { MessageTokenCache } from '../core/budget/messageTokenCache';
import { exportPlainText } from '../core/compaction/exportPlainText';
import { planCompaction } from '../core/compaction/planCompaction';
import { LiveTranscriptFile } from '../core/io/liveTranscriptFile';
import { readTranscriptFile } from '../core/io/readTranscriptFile';
import { resolveModel } from '../core/tokens/modelRegistry';
import { TokenCounter } from '../core/tokens/tokenCounter';
import { messagesInWindow, type Transcript } from '../core/transcript/model';
import { formatReadFailure } from '../core/transcript/readTranscript';
import { buildMessageDetails, buildPlanView, buildTranscriptView } from '../core/view/buildTranscriptView';
import { encodeViewParts } from '../protocol/viewWire';
import { planOptions } from './planOptions';
import { buildAuditView } from '../core/audit/auditView';
import type { AuditView } from '../core/audit/auditTypes';
import { defaultTriggerFloorTokens, triggerTokensFor } from '../core/compaction/options';
import { pinKeyOf, resolvePinKeys, type PinKey } from '../core/compaction/pinTargets';
import { CompareCache, compareWithCache, transcriptVersionKey } from '../core/compare/compareCache';
import { buildCompareView } from '../core/compare/compareView';
import type { SessionPins } from '../extension/sessions/pinStore';
import type { ParamsOf, ResultOf, SessionSnapshot, WorkFailure, Windows } from './protocol';
import { cancelled, countInSlices, type WorkContext } from './workContext';

/** The window indexes the file's stored pins find in `transcript` (none when they were set in another session). */
export function pinnedIndexes(transcript: Transcript, pins: SessionPins | undefined): ReadonlySet<number> {
	if (pins === undefined || pins.sessionId !== sessionIdOf(transcript) || pins.keys.length === 0)
		return new Set();
	return new Set(resolvePinKeys(messagesInWindow(transcript), pins.keys).indexes);
}

/** The session id pins are keyed by: the transcript's own, or '' when the format records none (as PinStore keys it). */
function sessionIdOf(transcript: Transcript): string {
	return transcript.meta.sessionId ?? '';
}

/**
 * The pin keys of `transcript`'s session after pinning (or unpinning) window message `index`: the stored keys found
 * again, the index added or removed, keys made anew (keys that no longer find a message are dropped).
 */
export function togglePinKeys(
	transcript: Transcript,
	pins: SessionPins | undefined,
	index: number,
	isPinned: boolean,
): { sessionId: string; keys: PinKey[] } {
	const window = messagesInWindow(transcript);
	const indexes = new Set(pinnedIndexes(transcript, pins));
	if (isPinned) indexes.add(index);
	else indexes.delete(index);
	const keys = [...indexes]
		.sort((a, b) => a - b)
		.flatMap((i) => {
			const message = window[i];
			return message !== undefined ? [pinKeyOf(message, i)] : [];
		});
	return { sessionId: sessionIdOf(transcript), keys };
}

/** A session's transcript as last counted, with the settings it was counted under. */
interface Counted {
	readonly transcript: Transcript;
	readonly report: BudgetReport;
	readonly cache: MessageTokenCache;
	readonly windowsKey: string;
}

/** One session file the worker follows: its live reader, its token counts, and a queue so calls on it take turns. */
interface Session {
	readonly live: LiveTranscriptFile;
	cache: MessageTokenCache | undefined;
	counted: Counted | undefined;
	turn: Promise<unknown>;
}

/** Reads, counts and measures a file once with a fresh cache, in slices (see countInSlices). */
export async function measureFile(
	path: string,
	windows: Windows,
	context: WorkContext,
): Promise<ResultOf<'file.measure'>> {
	const read = await readTranscriptFile(path, {
		signal: context.signal,
		onProgress: (done, total) => context.progress({ phase: 'reading', done, total }),
	});
	if (!read.ok)
		return read.failure.reason === 'cancelled'
			? cancelled(`Reading ${path}`)
			: { ok: false, message: formatReadFailure(read.failure) };
	const cache = new MessageTokenCache(
		new TokenCounter(resolveModel(read.transcript.meta.model, { windows })),
	);
	if (!(await countInSlices(messagesInWindow(read.transcript), cache, context)))
		return cancelled(`Counting ${path}`);
	return { ok: true, report: analyzeBudget(read.transcript, { file: path, windows, cache }) };
}

/**
 * The session files the extension shows, read and counted here so the extension host never parses or counts. A
 * refresh reads only what was appended (LiveTranscriptFile) and counts only new messages (MessageTokenCache); views,
 * plans and details are built from the last count. Calls on one session run one after another.
 */
export class SessionWorkspace {
	private readonly sessions = new Map<string, Session>();
	private readonly comparisons = new CompareCache();
	private readonly audits = new WeakMap<Transcript, { readonly key: string; readonly view: AuditView }>();

	/** Paths of the sessions held now. */
	get paths(): string[] {
		return [...this.sessions.keys()];
	}

	refresh(params: ParamsOf<'session.refresh'>, context: WorkContext): Promise<ResultOf<'session.refresh'>> {
		return this.inTurn(params.path, (session) => this.refreshNow(session, params, context));
	}

	view(params: ParamsOf<'session.view'>, context: WorkContext): Promise<ResultOf<'session.view'>> {
		return this.withCounted(params, context, ({ transcript, report, cache }) => {
			const plan = planCompaction(transcript, {
				...planOptions(params.plan, cache, report.contextWindow),
				pinned: pinnedIndexes(transcript, params.pins),
			});
			return { ok: true, ...encodeViewParts(buildTranscriptView(transcript, report, plan)) };
		});
	}

	plan(params: ParamsOf<'session.plan'>, context: WorkContext): Promise<ResultOf<'session.plan'>> {
		return this.withCounted(params, context, ({ transcript, report, cache }) => {
			const options = {
				...planOptions(params.plan, cache, report.contextWindow, params.whatIf),
				pinned: pinnedIndexes(transcript, params.pins),
			};
			return { ok: true, plan: buildPlanView(planCompaction(transcript, options)) };
		});
	}

	details(params: ParamsOf<'session.details'>, context: WorkContext): Promise<ResultOf<'session.details'>> {
		return this.withCounted(params, context, ({ transcript, report }) => ({
			ok: true,
			details: buildMessageDetails(transcript, params.index, report.messageTokens[params.index] ?? 0),
		}));
	}

	line(params: ParamsOf<'session.line'>, context: WorkContext): Promise<ResultOf<'session.line'>> {
		return this.withCounted(params, context, ({ transcript }) => ({
			ok: true,
			line: messagesInWindow(transcript)[params.index]?.lines.from,
		}));
	}

	exportText(params: ParamsOf<'session.export'>, context: WorkContext): Promise<ResultOf<'session.export'>> {
		return this.withCounted(params, context, async ({ transcript, report, cache }) => {
			const plan = planCompaction(transcript, {
				...planOptions(params.plan, cache, report.contextWindow),
				pinned: pinnedIndexes(transcript, params.pins),
			});
			return { ok: true, text: await exportPlainText(transcript, plan) };
		});
	}

	pinned(params: ParamsOf<'session.pinned'>, context: WorkContext): Promise<ResultOf<'session.pinned'>> {
		return this.withCounted(params, context, ({ transcript }) => ({
			ok: true,
			sessionId: sessionIdOf(transcript),
			indexes: [...pinnedIndexes(transcript, params.pins)],
		}));
	}

	/** Pins or unpins a window message of the session's last read (see togglePinKeys). */
	pin(params: ParamsOf<'session.pin'>, context: WorkContext): Promise<ResultOf<'session.pin'>> {
		return this.withCounted(params, context, ({ transcript }) => {
			const { sessionId, keys } = togglePinKeys(transcript, params.pins, params.index, params.isPinned);
			return { ok: true, sessionId, keys, indexes: keys.map((k) => k.index) };
		});
	}

	/** Every strategy on the session's last count, cached by transcript version and options (core's CompareCache). */
	compare(params: ParamsOf<'session.compare'>, context: WorkContext): Promise<ResultOf<'session.compare'>> {
		return this.withCounted(params, context, async ({ transcript, report, cache }) => {
			const started = performance.now();
			const { strategy: _one, ...options } = planOptions(params.plan, cache, report.contextWindow, {
				focus: params.focus,
			});
			const version = `${params.path}|${cache.counter.profile.id}|${transcriptVersionKey(transcript)}`;
			const outcome = await compareWithCache(
				this.comparisons,
				version,
				transcript,
				options,
				context.signal,
				(p) =>
					context.progress({
						phase: 'comparing',
						done: p.done,
						total: p.total,
						...(p.strategy !== undefined ? { strategy: p.strategy } : {}),
					}),
			);
			if (!outcome.ok) return cancelled('The comparison');
			return {
				ok: true,
				view: buildCompareView(outcome.comparison, outcome.isCached),
				elapsedMs: Math.round(performance.now() - started),
			};
		});
	}

	/** The audit of the session's last count, made once per transcript and rules. */
	audit(params: ParamsOf<'session.audit'>, context: WorkContext): Promise<ResultOf<'session.audit'>> {
		return this.withCounted(params, context, ({ transcript, report, cache }) => {
			const contextWindow = report.contextWindow;
			const rules = {
				contextWindow,
				compactionTokens: triggerTokensFor(contextWindow, params.compactionRatio, defaultTriggerFloorTokens),
				rotationTokens: Math.round(contextWindow * params.rotationRatio),
			};
			const key = `${cache.counter.profile.id}|${JSON.stringify(rules)}`;
			const known = this.audits.get(transcript);
			if (known?.key === key) return { ok: true, view: known.view };
			const view = buildAuditView(transcript, cache, rules);
			this.audits.set(transcript, { key, view });
			return { ok: true, view };
		});
	}

	close(path: string): ResultOf<'session.close'> {
		this.sessions.delete(path);
		return { ok: true };
	}

	private session(path: string): Session {
		let session = this.sessions.get(path);
		if (session === undefined) {
			session = {
				live: new LiveTranscriptFile(path),
				cache: undefined,
				counted: undefined,
				turn: Promise.resolve(),
			};
			this.sessions.set(path, session);
		}
		return session;
	}

	/** Runs `work` on the session after the calls on it before; a failed call does not stop the ones after it. */
	private inTurn<T>(path: string, work: (session: Session) => Promise<T>): Promise<T> {
		const session = this.session(path);
		const run = session.turn.then(() => work(session));
		session.turn = run.catch(() => undefined);
		return run;
	}

	/** Runs `use` on the session's last count, reading and counting it first when this worker has not yet. */
	private withCounted<T>(
		params: { readonly path: string; readonly windows: Windows },
		context: WorkContext,
		use: (counted: Counted) => T | Promise<T>,
	): Promise<T | WorkFailure> {
		return this.inTurn(params.path, async (session) => {
			if (session.counted === undefined) {
				const refreshed = await this.refreshNow(session, params, context);
				if (!refreshed.ok) return refreshed;
			}
			if (session.counted === undefined) return { ok: false, message: `${params.path} has not been read.` };
			return use(session.counted);
		});
	}

	private async refreshNow(
		session: Session,
		params: { readonly path: string; readonly windows: Windows },
		context: WorkContext,
	): Promise<SessionSnapshot | WorkFailure> {
		const started = performance.now();
		const { path, windows } = params;
		const refreshed = await session.live.refresh({
			signal: context.signal,
			onProgress: (done, total) => context.progress({ phase: 'reading', done, total }),
		});
		if (!refreshed.ok) {
			if (refreshed.failure.reason === 'cancelled') return cancelled(`Reading ${path}`);
			session.counted = undefined;
			return { ok: false, message: formatReadFailure(refreshed.failure) };
		}
		const windowsKey = JSON.stringify(windows);
		const last = session.counted;
		const transcript = refreshed.transcript;
		if (last !== undefined && last.transcript === transcript && last.windowsKey === windowsKey) {
			return {
				ok: true,
				report: last.report,
				bytesRead: refreshed.bytesRead,
				hasChanged: false,
				elapsedMs: 0,
			};
		}
		const profile = resolveModel(transcript.meta.model, { windows });
		let cache = session.cache;
		if (cache === undefined || cache.counter.profile.id !== profile.id || refreshed.wasReset) {
			cache = new MessageTokenCache(new TokenCounter(profile));
			session.cache = cache;
		}
		if (!(await countInSlices(messagesInWindow(transcript), cache, context)))
			return cancelled(`Counting ${path}`);
		const report = analyzeBudget(transcript, { file: path, windows, cache });
		session.counted = { transcript, report, cache, windowsKey };
		return {
			ok: true,
			report,
			bytesRead: refreshed.bytesRead,
			hasChanged: true,
			elapsedMs: Math.round(performance.now() - started),
		};
	}
}
