import type { AccumulatedTranscript, RecordAccumulator } from '../../format';
import type { Diagnostic, Message } from '../../model';
import { isChatSession, requestProblem, sessionHeader, sessionMeta } from './chatSession';
import { arrayField, isRecord, type JsonObject } from './jsonValues';
import { messagesOfRequest } from './requestMessages';

/** Entry kinds of VS Code's chat session mutation log (`objectMutationLog.ts`). */
export const MutationKind = { initial: 0, set: 1, push: 2, delete: 3 } as const;

type PathSegment = string | number;
type Container = JsonObject | unknown[];

const unsafeKey = '__proto__';

/**
 * Replays a chat session mutation log (`chatSessions/<id>.jsonl`) into the session object and reads it like
 * the JSON document. Incremental: containers already handed out are copied before they change (so earlier
 * snapshots stay intact), and only requests a mutation touched are turned into messages again.
 */
export class ChatMutationLog implements RecordAccumulator {
	private state: JsonObject | undefined;
	/** Containers created since the last build: safe to change in place. */
	private fresh = new WeakSet<object>();
	private readonly diagnostics: Diagnostic[] = [];
	private readonly cache: (Message[] | undefined)[] = [];
	private readonly problems: (string | undefined)[] = [];
	private readonly firstLine: number[] = [];
	private readonly lastLine: number[] = [];
	private readonly starts: number[] = [];
	private flat: readonly Message[] = [];
	/** Lowest request index whose messages must be derived again. */
	private minDirty = 0;
	private lastBuild: AccumulatedTranscript | undefined;

	addRecord(record: unknown, line: number): void {
		const kind = isRecord(record) ? record['kind'] : undefined;
		if (!isRecord(record) || typeof kind !== 'number') {
			return this.warn(
				line,
				'not a chat session mutation ({"kind": 0-3, …} expected); the line was skipped.',
			);
		}
		if (kind === MutationKind.initial) return this.initialise(record['v'], line);
		if (this.state === undefined) {
			return this.warn(line, 'a mutation before the initial session state (kind 0); the line was skipped.');
		}
		const path = record['k'];
		if (!isPath(path)) {
			return this.warn(line, `mutation kind ${kind} has no valid key path "k"; the line was skipped.`);
		}
		const requestsBefore = this.requestCount();
		let problem: string | undefined;
		if (kind === MutationKind.set) problem = this.set(path, record['v']);
		else if (kind === MutationKind.push) problem = this.push(path, record['v'], record['i']);
		else if (kind === MutationKind.delete) problem = this.remove(path);
		else problem = `unknown mutation kind ${kind}`;
		if (problem !== undefined) return this.warn(line, `${problem}; the line was skipped.`);
		this.touch(kind, path, record['i'], requestsBefore, line);
	}

	build(): AccumulatedTranscript {
		if (this.lastBuild !== undefined) return this.lastBuild;
		const requests = (this.state === undefined ? undefined : arrayField(this.state, 'requests')) ?? [];
		const count = requests.length;
		const from = Math.min(this.minDirty, this.starts.length, count);
		const messages = this.flat.slice(0, from < this.starts.length ? this.starts[from] : this.flat.length);
		for (let index = from; index < count; index++) {
			let derived = this.cache[index];
			if (derived === undefined) {
				const request = requests[index];
				const lines = { from: this.firstLine[index] ?? 1, to: this.lastLine[index] ?? 1 };
				derived = messagesOfRequest(request, index, lines);
				this.cache[index] = derived;
				this.problems[index] = requestProblem(request, index);
			}
			this.starts[index] = messages.length;
			for (const message of derived) messages.push(message);
		}
		this.cache.length = count;
		this.problems.length = count;
		this.starts.length = count;
		this.flat = messages;
		this.minDirty = Number.POSITIVE_INFINITY;
		this.fresh = new WeakSet();
		const diagnostics = [...this.diagnostics];
		this.problems.forEach((problem, index) => {
			if (problem !== undefined)
				diagnostics.push({ severity: 'warning', line: this.firstLine[index] ?? 1, message: problem });
		});
		const state = this.state;
		this.lastBuild = {
			messages,
			passthrough: state === undefined ? [] : [sessionHeader(state)],
			meta: state === undefined ? {} : sessionMeta(state),
			diagnostics,
		};
		return this.lastBuild;
	}

	private initialise(value: unknown, line: number): void {
		if (!isChatSession(value)) {
			return this.warn(line, 'the initial state (kind 0) has no session with a "requests" array; skipped.');
		}
		this.state = value;
		this.fresh = new WeakSet();
		this.cache.length = 0;
		this.problems.length = 0;
		this.starts.length = 0;
		this.flat = [];
		this.minDirty = 0;
		const count = this.requestCount();
		this.firstLine.length = 0;
		this.lastLine.length = 0;
		for (let i = 0; i < count; i++) {
			this.firstLine.push(line);
			this.lastLine.push(line);
		}
		this.lastBuild = undefined;
	}

	private requestCount(): number {
		return (this.state === undefined ? undefined : arrayField(this.state, 'requests'))?.length ?? 0;
	}

	private warn(line: number, message: string): void {
		this.diagnostics.push({ severity: 'warning', line, message });
		this.lastBuild = undefined;
	}

	private set(path: readonly PathSegment[], value: unknown): string | undefined {
		const parent = this.writable(path, path.length - 1);
		if (typeof parent === 'string') return parent;
		const key = path[path.length - 1] as PathSegment;
		if (Array.isArray(parent)) {
			if (typeof key !== 'number' || key > parent.length) return `no array slot ${pathText(path)}`;
			parent[key] = value;
		} else {
			if (typeof key !== 'string') return `${pathText(path)} indexes an object with a number`;
			parent[key] = value;
		}
		return undefined;
	}

	private push(path: readonly PathSegment[], items: unknown, start: unknown): string | undefined {
		if (items !== undefined && !Array.isArray(items))
			return `push to ${pathText(path)} without an item array "v"`;
		if (start !== undefined && !isIndex(start))
			return `push to ${pathText(path)} with an invalid start index "i"`;
		const target = this.writable(path, path.length);
		if (typeof target === 'string') return target;
		if (!Array.isArray(target)) return `push to ${pathText(path)}, which is not an array`;
		if (start !== undefined && start < target.length) target.length = start;
		if (items !== undefined) for (const item of items) target.push(item);
		return undefined;
	}

	private remove(path: readonly PathSegment[]): string | undefined {
		const parent = this.writable(path, path.length - 1);
		if (typeof parent === 'string') return parent;
		const key = path[path.length - 1] as PathSegment;
		if (Array.isArray(parent)) {
			if (typeof key !== 'number' || key >= parent.length) return `no array slot ${pathText(path)}`;
			parent[key] = undefined;
		} else if (typeof key === 'string') {
			delete parent[key];
		} else {
			return `${pathText(path)} indexes an object with a number`;
		}
		return undefined;
	}

	/** The container at the first `depth` segments of `path`, copying every shared container on the way. */
	private writable(path: readonly PathSegment[], depth: number): Container | string {
		if (this.state === undefined) return 'no session state';
		if (!this.fresh.has(this.state)) {
			this.state = { ...this.state };
			this.fresh.add(this.state);
		}
		let container: Container = this.state;
		for (let i = 0; i < depth; i++) {
			const key = path[i] as PathSegment;
			let child: unknown;
			if (Array.isArray(container)) {
				if (typeof key !== 'number' || key >= container.length) return `no path ${pathText(path)}`;
				child = container[key];
			} else {
				if (typeof key !== 'string' || !Object.hasOwn(container, key)) return `no path ${pathText(path)}`;
				child = container[key];
			}
			if (!isRecord(child) && !Array.isArray(child)) return `no path ${pathText(path)}`;
			if (!this.fresh.has(child)) {
				child = Array.isArray(child) ? child.slice() : { ...child };
				this.fresh.add(child as Container);
				if (Array.isArray(container)) container[key as number] = child;
				else container[key as string] = child;
			}
			container = child as Container;
		}
		return container;
	}

	/** Marks what a successful mutation changed: the requests it touched, or only the session's own fields. */
	private touch(
		kind: number,
		path: readonly PathSegment[],
		start: unknown,
		before: number,
		line: number,
	): void {
		this.lastBuild = undefined;
		if (path[0] !== 'requests') return;
		if (path.length === 1) {
			const from = kind === MutationKind.push ? Math.min(isIndex(start) ? start : before, before) : 0;
			return this.replaceFrom(from, line);
		}
		const index = path[1];
		if (typeof index !== 'number') return;
		if (index >= before) return this.replaceFrom(index, line);
		this.cache[index] = undefined;
		this.minDirty = Math.min(this.minDirty, index);
		this.lastLine[index] = line;
		if (path.length === 2) this.firstLine[index] = line;
	}

	/** Requests from `from` on are new objects written by `line`. */
	private replaceFrom(from: number, line: number): void {
		const count = this.requestCount();
		this.minDirty = Math.min(this.minDirty, from);
		this.cache.length = Math.min(this.cache.length, from);
		this.firstLine.length = Math.min(this.firstLine.length, from);
		this.lastLine.length = Math.min(this.lastLine.length, from);
		for (let i = this.firstLine.length; i < count; i++) {
			this.firstLine.push(line);
			this.lastLine.push(line);
		}
	}
}

function isIndex(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isPath(value: unknown): value is PathSegment[] {
	return (
		Array.isArray(value) &&
		value.length > 0 &&
		value.every((segment) => (typeof segment === 'string' && segment !== unsafeKey) || isIndex(segment))
	);
}

function pathText(path: readonly PathSegment[]): string {
	return JSON.stringify(path);
}
