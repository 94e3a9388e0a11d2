import type { MessageTokenCache } from '../core/budget/messageTokenCache';
import type { SummaryOutcome } from '../core/compaction/summarizer';
import type { Message } from '../core/transcript/model';
import type { HostSummaryRequest, WorkFailure, WorkProgress } from './protocol';

/** What one call runs with: its cancellation, a progress callback and, when asked for, the host's summariser. */
export interface WorkContext {
	readonly signal: AbortSignal;
	progress(progress: WorkProgress): void;
	/** Asks the extension host's summariser (vscode.lm); undefined when the call did not name one. */
	readonly summarizeOnHost?: (request: HostSummaryRequest, signal: AbortSignal) => Promise<SummaryOutcome>;
}

/** A context for work nobody cancels or watches (tests, one-off calls). */
export function quietContext(signal: AbortSignal = new AbortController().signal): WorkContext {
	return { signal, progress: () => undefined };
}

/** Longest the counting loop runs before it yields to the thread's other events (a cancel, another call), in ms. */
export const countSliceMs = 15;

/** The failure a cancelled call answers with. */
export function cancelled(what: string): WorkFailure {
	return { ok: false, message: `${what} was cancelled.`, isCancelled: true };
}

/** Lets the thread handle what arrived meanwhile (a cancel message) before going on. */
export function yieldToEvents(): Promise<void> {
	return new Promise((resolveYield) => setImmediate(resolveYield));
}

/**
 * Counts every message of `window` into `cache` in slices of about {@link countSliceMs}, reporting progress and
 * yielding between slices so a cancel is heard; false when the signal aborted first. Messages already in the cache
 * cost a lookup, so after an append only the new ones are counted.
 */
export async function countInSlices(
	window: readonly Message[],
	cache: MessageTokenCache,
	context: WorkContext,
): Promise<boolean> {
	let sliceStart = performance.now();
	for (let i = 0; i < window.length; i++) {
		const message = window[i];
		if (message !== undefined) cache.countMessage(message);
		if (performance.now() - sliceStart < countSliceMs) continue;
		context.progress({ phase: 'counting', done: i + 1, total: window.length });
		await yieldToEvents();
		if (context.signal.aborted) return false;
		sliceStart = performance.now();
	}
	return !context.signal.aborted;
}
