import { Worker } from 'node:worker_threads';
import type { Summarizer, SummaryOutcome } from '../core/compaction/summarizer';
import { resolveModel } from '../core/tokens/modelRegistry';
import { TokenCounter } from '../core/tokens/tokenCounter';
import type {
	HostSummaryRequest,
	HostToWorker,
	MethodName,
	ParamsOf,
	ResultOf,
	WorkerToHost,
	WorkProgress,
} from './protocol';

/** How one call is watched: its cancellation, its progress, and the host summariser it may ask. */
export interface CallOptions {
	readonly signal?: AbortSignal;
	readonly onProgress?: (progress: WorkProgress) => void;
	/** Answers the call's summary requests (a summariser only the host has, such as vscode.lm). */
	readonly summarizer?: Summarizer;
}

/** Reads, counts and plans on the extension's behalf (see src/worker/protocol.ts for the calls). */
export interface AnalysisClient {
	call<M extends MethodName>(method: M, params: ParamsOf<M>, options?: CallOptions): Promise<ResultOf<M>>;
	dispose(): Promise<void>;
}

/** A call the worker could not answer: it failed, stopped, or was restarted. */
export class AnalysisWorkerError extends Error {
	constructor(
		message: string,
		/** True when the call was cancelled and the worker had to be stopped to end it. */
		readonly isCancelled = false,
	) {
		super(message);
		this.name = 'AnalysisWorkerError';
	}
}

/** Answers a summary request with `summarizer`, counting with the transcript's model as the worker would. */
export async function summarizeOnHost(
	summarizer: Summarizer,
	request: HostSummaryRequest,
	signal: AbortSignal,
): Promise<SummaryOutcome> {
	let counter: TokenCounter | undefined;
	const { model, windows, ...rest } = request;
	try {
		return await summarizer.summarize(
			{
				...rest,
				countTokens: (text) => {
					counter ??= new TokenCounter(resolveModel(model, { windows }));
					return counter.countText(text);
				},
			},
			signal,
		);
	} catch (error) {
		return { ok: false, reason: 'failed', message: error instanceof Error ? error.message : String(error) };
	}
}

interface PendingCall {
	readonly method: MethodName;
	readonly options: CallOptions;
	resolve(value: unknown): void;
	reject(error: Error): void;
	/** Removes the abort listener and the cancel timer. */
	settle(): void;
}

/** Options of the worker client. */
export interface WorkerClientOptions {
	/** How long a cancelled call may take to stop before the worker is stopped and started again, in ms. */
	readonly cancelGraceMs?: number;
	/** Where the client says that it started, restarted or lost the worker. */
	readonly log?: (line: string) => void;
}

/**
 * Runs the calls in a worker thread started from `script` (dist/extension.js), so reading, counting and planning never
 * block the caller's event loop; only structured-cloneable data crosses. The worker starts on the first call and
 * holds the sessions it read; when it fails or exits, every waiting call is rejected and the next call starts a
 * new one (which reads its sessions again). Cancelling a call sends `cancel` (the worker checks between chunks and
 * slices of work); a call that has not stopped after `cancelGraceMs` stops the worker.
 */
export class WorkerAnalysisClient implements AnalysisClient {
	private worker: Worker | undefined;
	private readonly pending = new Map<number, PendingCall>();
	private nextId = 1;
	private isDisposed = false;
	private readonly cancelGraceMs: number;
	private readonly log: (line: string) => void;

	constructor(
		readonly script: string,
		options: WorkerClientOptions = {},
	) {
		this.cancelGraceMs = options.cancelGraceMs ?? 3_000;
		this.log = options.log ?? (() => undefined);
	}

	/** The worker's thread id while one runs (tests use it to see a restart). */
	get threadId(): number | undefined {
		return this.worker?.threadId;
	}

	call<M extends MethodName>(
		method: M,
		params: ParamsOf<M>,
		options: CallOptions = {},
	): Promise<ResultOf<M>> {
		if (this.isDisposed) return Promise.reject(new AnalysisWorkerError('the analysis worker was shut down'));
		const worker = this.start();
		const id = this.nextId++;
		return new Promise<ResultOf<M>>((resolveCall, rejectCall) => {
			let timer: ReturnType<typeof setTimeout> | undefined;
			const onAbort = (): void => {
				this.post(worker, { type: 'cancel', id });
				timer = setTimeout(() => {
					if (!this.pending.has(id)) return;
					this.restart(`a cancelled ${method} did not stop within ${this.cancelGraceMs} ms`, id);
				}, this.cancelGraceMs);
			};
			this.pending.set(id, {
				method,
				options,
				resolve: (value) => resolveCall(value as ResultOf<M>),
				reject: rejectCall,
				settle: () => {
					options.signal?.removeEventListener('abort', onAbort);
					if (timer !== undefined) clearTimeout(timer);
				},
			});
			worker.ref();
			try {
				worker.postMessage({ type: 'call', id, method, params } satisfies HostToWorker);
			} catch (error) {
				this.finish(id)?.reject(
					new AnalysisWorkerError(
						`${method}: its parameters cannot be sent to the worker (${String(error)})`,
					),
				);
				return;
			}
			if (options.signal?.aborted === true) onAbort();
			else options.signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	/** Stops the worker; waiting calls are rejected. */
	async dispose(): Promise<void> {
		this.isDisposed = true;
		const worker = this.worker;
		this.worker = undefined;
		this.rejectAll('the analysis worker was shut down');
		if (worker !== undefined) await worker.terminate();
	}

	private start(): Worker {
		if (this.worker !== undefined) return this.worker;
		const worker = new Worker(this.script, { name: 'context-lens-analysis' });
		worker.on('message', (message: WorkerToHost) => this.receive(worker, message));
		worker.on('error', (error) =>
			this.lost(worker, `the analysis worker failed: ${error.stack ?? error.message}`),
		);
		worker.on('exit', (code) => this.lost(worker, `the analysis worker stopped (exit code ${code})`));
		// Idle, the worker does not keep a process alive (tests, the bench); a waiting call does.
		worker.unref();
		this.worker = worker;
		this.log(`analysis worker started (thread ${worker.threadId})`);
		queueMicrotask(() => void this.logPriority());
		return worker;
	}

	/** Logs how the worker's thread is scheduled (it lowers its own priority where it can: src/worker/threadPriority.ts). */
	private async logPriority(): Promise<void> {
		try {
			const priority = await this.call('worker.priority', {});
			this.log(
				priority.isLowered
					? `analysis worker runs below normal priority (nice ${priority.nice ?? '?'}), so the extension host's thread comes first`
					: `analysis worker runs at the extension host's priority (${priority.why ?? 'not lowered'})`,
			);
		} catch {
			// The worker stopped first; the next one logs its own.
		}
	}

	private post(worker: Worker, message: HostToWorker): void {
		if (worker === this.worker) worker.postMessage(message);
	}

	private finish(id: number): PendingCall | undefined {
		const call = this.pending.get(id);
		if (call === undefined) return undefined;
		this.pending.delete(id);
		call.settle();
		if (this.pending.size === 0) this.worker?.unref();
		return call;
	}

	private receive(worker: Worker, message: WorkerToHost): void {
		if (worker !== this.worker) return;
		switch (message.type) {
			case 'result':
				this.finish(message.id)?.resolve(message.value);
				return;
			case 'error':
				this.finish(message.id)?.reject(new AnalysisWorkerError(message.message));
				return;
			case 'progress':
				this.pending.get(message.id)?.options.onProgress?.(message.progress);
				return;
			case 'summary/request': {
				const call = this.pending.get(message.callId);
				const summarizer = call?.options.summarizer;
				const answer = (outcome: SummaryOutcome): void =>
					this.post(worker, { type: 'summary/outcome', id: message.id, outcome });
				if (summarizer === undefined) {
					answer({ ok: false, reason: 'notConfigured', message: 'No host summariser was given.' });
					return;
				}
				const signal = call?.options.signal ?? new AbortController().signal;
				void summarizeOnHost(summarizer, message.request, signal).then(answer);
				return;
			}
		}
	}

	/** The worker failed or exited on its own: its calls are rejected and the next call starts a new one. */
	private lost(worker: Worker, reason: string): void {
		if (worker !== this.worker) return;
		this.worker = undefined;
		if (!this.isDisposed) this.log(reason);
		this.rejectAll(reason);
	}

	/** Stops a worker that does not end a cancelled call; that call is rejected as cancelled, the others as failed. */
	private restart(reason: string, cancelledId: number): void {
		const worker = this.worker;
		this.worker = undefined;
		this.log(`${reason}; restarting the analysis worker`);
		this.finish(cancelledId)?.reject(new AnalysisWorkerError(`${reason}.`, true));
		this.rejectAll(`the analysis worker was restarted (${reason})`);
		void worker?.terminate();
	}

	private rejectAll(reason: string): void {
		for (const id of [...this.pending.keys()]) this.finish(id)?.reject(new AnalysisWorkerError(reason));
	}
}
