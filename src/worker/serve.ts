import type { SummaryOutcome } from '../core/compaction/summarizer';
import { Analysis } from './analysis';
import type { HostToWorker, WorkerToHost, WorkProgress } from './protocol';
import type { WorkContext } from './workContext';

/** The end of a message channel the worker answers on (a worker's parentPort, or one end of a MessageChannel). */
export interface WorkerPort {
	on(event: 'message', listener: (message: unknown) => void): unknown;
	postMessage(message: WorkerToHost, transfer?: readonly ArrayBuffer[]): void;
}

/** The buffers of a result's byte arrays (its own fields, or arrays of them), moved to the host instead of copied. */
export function transferablesOf(value: unknown): ArrayBuffer[] {
	if (typeof value !== 'object' || value === null) return [];
	return Object.values(value)
		.flatMap((field: unknown) => (Array.isArray(field) ? (field as unknown[]) : [field]))
		.filter((field): field is Uint8Array => field instanceof Uint8Array)
		.map((bytes) => bytes.buffer)
		.filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
}

/** Shortest time between two progress messages of one call, in ms: enough for a progress bar, cheap to receive. */
export const progressIntervalMs = 100;

/**
 * Answers calls arriving on `port` with `analysis`: each call runs with its own abort signal (a `cancel` message
 * aborts it), posts throttled progress, and may ask the host's summariser through `summary/request`. A call that
 * throws is answered with an `error` message carrying the stack, never left unanswered.
 */
export function serveAnalysis(port: WorkerPort, analysis = new Analysis()): void {
	const running = new Map<number, AbortController>();
	const summaries = new Map<number, (outcome: SummaryOutcome) => void>();
	let nextSummaryId = 1;

	const contextFor = (id: number, controller: AbortController): WorkContext => {
		let lastProgressMs = Number.NEGATIVE_INFINITY;
		return {
			signal: controller.signal,
			progress: (progress: WorkProgress) => {
				const now = performance.now();
				if (now - lastProgressMs < progressIntervalMs && progress.done < progress.total) return;
				lastProgressMs = now;
				port.postMessage({ type: 'progress', id, progress });
			},
			summarizeOnHost: (request, signal) =>
				new Promise<SummaryOutcome>((resolveOutcome) => {
					const summaryId = nextSummaryId++;
					const onAbort = (): void => {
						summaries.delete(summaryId);
						resolveOutcome({ ok: false, reason: 'cancelled', message: 'The summary was cancelled.' });
					};
					summaries.set(summaryId, (outcome) => {
						signal.removeEventListener('abort', onAbort);
						resolveOutcome(outcome);
					});
					signal.addEventListener('abort', onAbort, { once: true });
					port.postMessage({ type: 'summary/request', id: summaryId, callId: id, request });
				}),
		};
	};

	const run = async (id: number, method: unknown, params: unknown): Promise<void> => {
		if (!Analysis.isMethod(method)) {
			port.postMessage({
				type: 'error',
				id,
				message: `the worker has no call named ${JSON.stringify(method)}`,
			});
			return;
		}
		const controller = new AbortController();
		running.set(id, controller);
		try {
			const value = await analysis.call(method, params as never, contextFor(id, controller));
			port.postMessage({ type: 'result', id, value }, transferablesOf(value));
		} catch (error) {
			const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
			port.postMessage({ type: 'error', id, message: `${method} failed: ${message}` });
		} finally {
			running.delete(id);
		}
	};

	port.on('message', (value: unknown) => {
		const message = value as HostToWorker;
		switch (message.type) {
			case 'call':
				void run(message.id, message.method, message.params);
				return;
			case 'cancel':
				running.get(message.id)?.abort();
				return;
			case 'summary/outcome': {
				const answer = summaries.get(message.id);
				summaries.delete(message.id);
				answer?.(message.outcome);
				return;
			}
		}
	});
}
