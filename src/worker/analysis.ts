import type { MethodName, ParamsOf, ResultOf } from './protocol';
import { ReviewWorkspace } from './reviews';
import { SessionWorkspace, measureFile } from './sessions';
import { summarizeMessages } from './summarizers';
import { currentThreadPriority, type ThreadPriority } from './threadPriority';
import type { WorkContext } from './workContext';

/** How each call is answered. */
type Handlers = { [M in MethodName]: (params: ParamsOf<M>, context: WorkContext) => Promise<ResultOf<M>> };

/**
 * Everything the extension reads, counts and plans, behind one call interface (src/worker/protocol.ts). The worker
 * thread runs one (src/worker/main.ts); tests and the bench's main-thread comparison call one directly.
 */
export class Analysis {
	/** `priority`: how this thread was set up (the worker lowers its own; any other thread is as it was). */
	constructor(private readonly priority: ThreadPriority = currentThreadPriority()) {}

	readonly sessions = new SessionWorkspace();
	readonly reviews = new ReviewWorkspace();
	private readonly handlers: Handlers = {
		'session.refresh': (p, c) => this.sessions.refresh(p, c),
		'session.view': (p, c) => this.sessions.view(p, c),
		'session.plan': (p, c) => this.sessions.plan(p, c),
		'session.details': (p, c) => this.sessions.details(p, c),
		'session.line': (p, c) => this.sessions.line(p, c),
		'session.export': (p, c) => this.sessions.exportText(p, c),
		'session.pinned': (p, c) => this.sessions.pinned(p, c),
		'session.pin': (p, c) => this.sessions.pin(p, c),
		'session.compare': (p, c) => this.sessions.compare(p, c),
		'session.audit': (p, c) => this.sessions.audit(p, c),
		'session.close': (p) => Promise.resolve(this.sessions.close(p.path)),
		'worker.priority': () => Promise.resolve({ ok: true, ...this.priority }),
		'file.measure': (p, c) => measureFile(p.path, p.windows, c),
		'review.create': (p, c) => this.reviews.create(p, c),
		'review.restore': (p, c) => this.reviews.restore(p, c),
		'review.document': (p, c) => this.reviews.document(p, c),
		'review.count': (p, c) => this.reviews.count(p, c),
		'review.output': (p, c) => this.reviews.output(p, c),
		'review.readBack': (p, c) => this.reviews.readBack(p, c),
		'review.forget': (p) => Promise.resolve(this.reviews.forget(p.id)),
		'messages.summarize': (p, c) => summarizeMessages(p, c),
	};

	/** True for a name this interface answers (messages from another thread are checked with it). */
	static isMethod(name: unknown): name is MethodName {
		return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methodNames, name);
	}

	/** Answers one call. */
	call<M extends MethodName>(method: M, params: ParamsOf<M>, context: WorkContext): Promise<ResultOf<M>> {
		const handler = this.handlers[method] as (
			params: ParamsOf<M>,
			context: WorkContext,
		) => Promise<ResultOf<M>>;
		return handler(params, context);
	}
}

const methodNames: Record<MethodName, true> = {
	'session.refresh': true,
	'session.view': true,
	'session.plan': true,
	'session.details': true,
	'session.line': true,
	'session.export': true,
	'session.pinned': true,
	'session.pin': true,
	'session.compare': true,
	'session.audit': true,
	'session.close': true,
	'worker.priority': true,
	'file.measure': true,
	'review.create': true,
	'review.restore': true,
	'review.document': true,
	'review.count': true,
	'review.output': true,
	'review.readBack': true,
	'review.forget': true,
	'messages.summarize': true,
};
