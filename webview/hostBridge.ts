import type { AuditView } from '../src/core/audit/auditTypes';
import type { MessageDetails, PlanView } from '../src/core/view/viewModel';
import {
	decodeHostPost,
	type HostPost,
	type HostToView,
	type Reply,
	type ViewKind,
	type ViewToHost,
} from '../src/protocol/messages';

/** The object VS Code gives a webview once per page. */
export interface VsCodeApi {
	postMessage(message: unknown): void;
	getState(): unknown;
	setState(state: unknown): void;
}

declare global {
	function acquireVsCodeApi(): VsCodeApi;
}

/** Requests and the value their reply carries. */
export interface RequestReplies {
	'plan/request': PlanView;
	'message/pin': PlanView;
	'message/details': MessageDetails;
	'summary/count': number;
	'audit/request': AuditView;
}

/** Tag of a request the webview can make. */
export type RequestType = keyof RequestReplies;

/** A request as the caller writes it: the bridge adds the `requestId`. */
export type RequestOf<K extends RequestType> = Omit<Extract<ViewToHost, { type: K }>, 'requestId'>;

/** How long a request waits for its reply before it resolves as failed, in milliseconds. */
export const requestTimeoutMs = 30_000;

interface Pending {
	readonly resolve: (reply: Reply<unknown>) => void;
	readonly timer: ReturnType<typeof setTimeout>;
}

function isHostMessage(data: unknown): data is HostPost {
	return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string';
}

/** The webview's side of the protocol: typed posts, requests matched to replies by id, and saved UI state. */
export class HostBridge {
	private nextRequestId = 1;
	private readonly pending = new Map<number, Pending>();
	private readonly listeners = new Set<(message: HostToView) => void>();

	constructor(
		private readonly api: VsCodeApi,
		target: Pick<Window, 'addEventListener'>,
	) {
		target.addEventListener('message', (event) => {
			const data: unknown = (event as MessageEvent).data;
			if (isHostMessage(data)) this.receive(decodeHostPost(data));
		});
	}

	/** Posts `ready` for `view`; call once, after the listeners are attached. */
	announceReady(view: ViewKind): void {
		this.post({ type: 'ready', view });
	}

	/** Posts one message to the host. */
	post(message: ViewToHost): void {
		this.api.postMessage(message);
	}

	/** Sends a request and resolves with its reply (a failed reply after `requestTimeoutMs`); never rejects. */
	request<K extends RequestType>(message: RequestOf<K>): Promise<Reply<RequestReplies[K]>> {
		const requestId = this.nextRequestId++;
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.pending.delete(requestId);
				resolve({ ok: false, reason: 'The extension did not answer in time.' });
			}, requestTimeoutMs);
			this.pending.set(requestId, { resolve: resolve as (reply: Reply<unknown>) => void, timer });
			this.post({ ...message, requestId } as unknown as ViewToHost);
		});
	}

	/** Calls `listener` for every host message that is not a reply; returns the unsubscribe function. */
	onMessage(listener: (message: HostToView) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** The state saved with `saveState`, or undefined. */
	loadState(): unknown {
		return this.api.getState();
	}

	/** Saves UI state that survives hiding and showing the view. */
	saveState(state: unknown): void {
		this.api.setState(state);
	}

	private receive(message: HostToView): void {
		if ('requestId' in message && 'result' in message) {
			const pending = this.pending.get(message.requestId);
			if (pending !== undefined) {
				clearTimeout(pending.timer);
				this.pending.delete(message.requestId);
				pending.resolve(message.result);
			}
			return;
		}
		for (const listener of this.listeners) listener(message);
	}
}
