import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { isAbsolute, join, relative } from 'node:path';
import { isJsonObject } from '../transcript/json';
import { isHookAgent, type HookAgent } from './agents';
import { ensurePrivateDir, gateSocketPath, gatesDir } from './hookPaths';
import type { CompactTrigger } from './hookProtocol';

/** How full the window was, by our own measure of the transcript. */
export interface WindowFigures {
	readonly tokens: number;
	readonly contextWindow: number;
	/** Share of the window in percent. */
	readonly percent: number;
}

/** What the hook asks a running window before an agent compacts. */
export interface GateRequest {
	readonly agent: HookAgent;
	readonly sessionId: string;
	readonly transcriptPath?: string;
	readonly cwd?: string;
	readonly trigger: CompactTrigger;
}

/**
 * The window's answer: `review` holds the agent's compaction (the person reviews it in Context Lens), `compact` lets
 * it run. `by` says who decided: the person, nobody within the answer time, or the rule that lets manual compactions
 * through.
 */
export interface GateAnswer {
	readonly decision: 'review' | 'compact';
	readonly by: 'person' | 'timeout' | 'manual' | 'dismissed';
	readonly figures?: WindowFigures;
}

/** What a window does with the two requests of the channel: the question before a compaction, and a measure. */
export interface GateHandlers {
	readonly precompact: (request: GateRequest) => Promise<GateAnswer>;
	/** Our measure of a transcript (the hook bundle the extension ships has no tokenizer of its own). */
	readonly measure: (transcriptPath: string) => Promise<WindowFigures | undefined>;
}

/** What a window announces in the gates folder so hooks can find it. */
export interface GateAnnouncement {
	/** The window's channel id (the announcement is `<id>.json`). */
	readonly id: string;
	readonly pid: number;
	readonly socket: string;
	/** The window's workspace folders: a hook from an agent working there asks this window first. */
	readonly folders: readonly string[];
	/** When the window last had focus (ms since the epoch): otherwise the most recent window is asked. */
	readonly focusedAt: number;
}

/** Longest request or answer line, in characters: far above any real one, so a stray client cannot fill memory. */
const maxLineChars = 64 * 1024;

function readLine(socket: Socket, onLine: (line: string) => void, onFail: (error: Error) => void): void {
	let buffered = '';
	socket.setEncoding('utf8');
	socket.on('data', (chunk: string) => {
		buffered += chunk;
		const end = buffered.indexOf('\n');
		if (end !== -1) {
			socket.removeAllListeners('data');
			onLine(buffered.slice(0, end));
		} else if (buffered.length > maxLineChars) {
			socket.destroy();
			onFail(new Error('line too long'));
		}
	});
	socket.on('error', onFail);
	socket.on('end', () => onFail(new Error('closed before a whole line arrived')));
}

/** Checks a request line; undefined when it is not one. */
export function parseGateRequest(line: string): GateRequest | undefined {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return undefined;
	}
	if (!isJsonObject(value) || value['kind'] !== 'precompact') return undefined;
	const { agent, sessionId, transcriptPath, cwd, trigger } = value;
	if (!isHookAgent(agent) || typeof sessionId !== 'string') return undefined;
	if (trigger !== 'manual' && trigger !== 'auto') return undefined;
	return {
		agent,
		sessionId,
		trigger,
		...(typeof transcriptPath === 'string' ? { transcriptPath } : {}),
		...(typeof cwd === 'string' ? { cwd } : {}),
	};
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(line);
		return isJsonObject(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

function checkedFigures(figures: unknown): WindowFigures | undefined {
	return isJsonObject(figures) &&
		typeof figures['tokens'] === 'number' &&
		typeof figures['contextWindow'] === 'number' &&
		typeof figures['percent'] === 'number'
		? (figures as unknown as WindowFigures)
		: undefined;
}

function parseGateAnswer(line: string): GateAnswer | undefined {
	const value = parseJsonObject(line);
	if (value === undefined) return undefined;
	const { decision, by } = value;
	if (decision !== 'review' && decision !== 'compact') return undefined;
	if (by !== 'person' && by !== 'timeout' && by !== 'manual' && by !== 'dismissed') return undefined;
	const figures = checkedFigures(value['figures']);
	return { decision, by, ...(figures !== undefined ? { figures } : {}) };
}

/** A window's end of the channel: listens, answers each request with `handler`, and announces itself. */
export class GateServer {
	private focusedAt = Date.now();
	private constructor(
		private readonly server: Server,
		private readonly id: string,
		private readonly announcement: string,
		readonly socket: string,
		private folders: readonly string[],
	) {}

	/**
	 * Listens on a fresh channel in `home`'s gates folder (0700) and announces it. `handlers` answer the requests;
	 * when the question throws, the hook is told to let the compaction run.
	 */
	static async start(
		home: string,
		folders: readonly string[],
		handlers: GateHandlers,
		onError: (message: string) => void,
	): Promise<GateServer> {
		await ensurePrivateDir(gatesDir(home));
		const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
		const socket = gateSocketPath(home, id);
		const server = createServer((client) => serveClient(client, handlers, onError));
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(socket, () => {
				server.off('error', reject);
				resolve();
			});
		});
		server.on('error', (error) => onError(`gate channel: ${error.message}`));
		const gate = new GateServer(server, id, join(gatesDir(home), `${id}.json`), socket, folders);
		await gate.announce();
		return gate;
	}

	/** Updates the workspace folders this window announces. */
	async setFolders(folders: readonly string[]): Promise<void> {
		this.folders = folders;
		await this.announce();
	}

	/** Records that this window has focus, so hooks from elsewhere ask it first. */
	async focused(): Promise<void> {
		this.focusedAt = Date.now();
		await this.announce();
	}

	private async announce(): Promise<void> {
		const body: GateAnnouncement = {
			id: this.id,
			pid: process.pid,
			socket: this.socket,
			folders: this.folders,
			focusedAt: this.focusedAt,
		};
		const temp = `${this.announcement}.tmp`;
		await writeFile(temp, JSON.stringify(body), { mode: 0o600 });
		await rename(temp, this.announcement);
	}

	/** Stops listening and removes the announcement (and the socket file). */
	async close(): Promise<void> {
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
		await rm(this.announcement, { force: true });
		if (process.platform !== 'win32') await rm(this.socket, { force: true });
	}
}

function serveClient(client: Socket, handlers: GateHandlers, onError: (message: string) => void): void {
	const fail = (what: string, fallback: object) => (error: unknown) => {
		onError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
		client.end(`${JSON.stringify(fallback)}\n`);
	};
	readLine(
		client,
		(line) => {
			const request = parseGateRequest(line);
			if (request !== undefined) {
				handlers
					.precompact(request)
					.then(
						(answer) => client.end(`${JSON.stringify(answer)}\n`),
						fail('gate', { decision: 'compact', by: 'dismissed' }),
					);
				return;
			}
			const measure = parseJsonObject(line);
			const path = measure?.['transcriptPath'];
			if (measure?.['kind'] === 'measure' && typeof path === 'string') {
				handlers
					.measure(path)
					.then(
						(figures) => client.end(`${JSON.stringify(figures !== undefined ? { figures } : {})}\n`),
						fail('measure', {}),
					);
				return;
			}
			client.end(`${JSON.stringify({ error: 'not a gate request' })}\n`);
		},
		() => client.destroy(),
	);
}

/** The announced windows, the ones whose folders hold `cwd` first (deepest folder first), then the most recently focused. */
export async function announcedWindows(home: string, cwd: string | undefined): Promise<GateAnnouncement[]> {
	let names: string[];
	try {
		names = (await readdir(gatesDir(home))).filter((n) => n.endsWith('.json'));
	} catch {
		return [];
	}
	const windows: GateAnnouncement[] = [];
	for (const name of names) {
		try {
			const value: unknown = JSON.parse(await readFile(join(gatesDir(home), name), 'utf8'));
			if (isJsonObject(value) && typeof value['socket'] === 'string' && typeof value['pid'] === 'number')
				windows.push({
					id: typeof value['id'] === 'string' ? value['id'] : name.slice(0, -'.json'.length),
					pid: value['pid'],
					socket: value['socket'],
					folders: Array.isArray(value['folders'])
						? value['folders'].filter((f): f is string => typeof f === 'string')
						: [],
					focusedAt: typeof value['focusedAt'] === 'number' ? value['focusedAt'] : 0,
				});
		} catch {
			// Half-written or removed meanwhile: skipped.
		}
	}
	const depth = (w: GateAnnouncement): number =>
		Math.max(-1, ...w.folders.filter((f) => cwd !== undefined && holds(f, cwd)).map((f) => f.length));
	return windows.sort((a, b) => depth(b) - depth(a) || b.focusedAt - a.focusedAt);
}

function holds(folder: string, path: string): boolean {
	const rel = relative(folder, path);
	return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** How asking the windows ended. */
export type GateOutcome =
	| { readonly kind: 'answered'; readonly answer: GateAnswer; readonly window: GateAnnouncement }
	| { readonly kind: 'no-window' }
	| { readonly kind: 'no-answer'; readonly window: GateAnnouncement };

/** How long connecting to one announced window may take before the next is tried, in ms. */
const connectTimeoutMs = 2_000;

/**
 * Asks the running windows whether the agent may compact: the first window that accepts the connection is asked and
 * waited for until `deadline` (ms since the epoch). Announcements whose window is gone are removed on the way.
 */
export async function askGate(home: string, request: GateRequest, deadline: number): Promise<GateOutcome> {
	for (const window of await announcedWindows(home, request.cwd)) {
		const socket = await connect(window.socket, Math.min(connectTimeoutMs, deadline - Date.now()));
		if (socket === undefined) {
			if (!isAlive(window.pid)) await forget(home, window);
			continue;
		}
		const line = await exchange(socket, { kind: 'precompact', ...request }, deadline);
		const answer = line === undefined ? undefined : parseGateAnswer(line);
		return answer === undefined ? { kind: 'no-answer', window } : { kind: 'answered', answer, window };
	}
	return { kind: 'no-window' };
}

/**
 * Asks a running window (the first that accepts, folder first as for the gate) for our measure of a transcript;
 * undefined when no window answers by `deadline`.
 */
export async function askMeasure(
	home: string,
	transcriptPath: string,
	cwd: string | undefined,
	deadline: number,
): Promise<WindowFigures | undefined> {
	for (const window of await announcedWindows(home, cwd)) {
		const socket = await connect(window.socket, Math.min(connectTimeoutMs, deadline - Date.now()));
		if (socket === undefined) continue;
		const line = await exchange(socket, { kind: 'measure', transcriptPath }, deadline);
		return line === undefined ? undefined : checkedFigures(parseJsonObject(line)?.['figures']);
	}
	return undefined;
}

function connect(path: string, timeoutMs: number): Promise<Socket | undefined> {
	return new Promise((resolve) => {
		if (timeoutMs <= 0) return resolve(undefined);
		const socket = createConnection(path);
		const timer = setTimeout(() => {
			socket.destroy();
			resolve(undefined);
		}, timeoutMs);
		socket.once('connect', () => {
			clearTimeout(timer);
			socket.removeAllListeners('error');
			resolve(socket);
		});
		socket.once('error', () => {
			clearTimeout(timer);
			resolve(undefined);
		});
	});
}

function exchange(socket: Socket, message: object, deadline: number): Promise<string | undefined> {
	return new Promise((resolve) => {
		let done = false;
		const finish = (answer: string | undefined): void => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			socket.destroy();
			resolve(answer);
		};
		const timer = setTimeout(() => finish(undefined), Math.max(0, deadline - Date.now()));
		readLine(
			socket,
			(line) => finish(line),
			() => finish(undefined),
		);
		socket.write(`${JSON.stringify(message)}\n`);
	});
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as { code?: unknown }).code === 'EPERM';
	}
}

async function forget(home: string, window: GateAnnouncement): Promise<void> {
	await rm(join(gatesDir(home), `${window.id}.json`), { force: true });
	if (process.platform !== 'win32') await rm(window.socket, { force: true });
}
