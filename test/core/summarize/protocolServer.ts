import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake endpoint received, as sent on the wire. */
export interface RecordedRequest {
	readonly method: string;
	readonly url: string;
	readonly headers: IncomingHttpHeaders;
	/** The body exactly as received. */
	readonly rawBody: string;
	/** The body parsed as JSON, or undefined when it is not JSON. */
	readonly body: Record<string, unknown> | undefined;
}

/** How the fake endpoint answers one request. */
export type Responder = (request: RecordedRequest, res: ServerResponse, req: IncomingMessage) => void;

/** A local HTTP server on 127.0.0.1 that answers from a script and records every request; closes itself. */
export interface ProtocolServer {
	readonly baseUrl: string;
	readonly requests: RecordedRequest[];
	/** Queues responders, used one per request in order; past the end every request gets a 599 "unscripted". */
	script(...responders: Responder[]): void;
	close(): Promise<void>;
}

/** Starts a scripted endpoint on an ephemeral port of 127.0.0.1; it stops itself after `lifetimeMs` at the latest. */
export async function startProtocolServer(lifetimeMs = 30_000): Promise<ProtocolServer> {
	const requests: RecordedRequest[] = [];
	const queue: Responder[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const rawBody = Buffer.concat(chunks).toString('utf8');
			let body: Record<string, unknown> | undefined;
			try {
				const parsed: unknown = JSON.parse(rawBody);
				body =
					typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
			} catch {
				body = undefined;
			}
			const recorded: RecordedRequest = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				rawBody,
				body,
			};
			requests.push(recorded);
			const responder = queue.shift();
			if (responder === undefined) {
				res.writeHead(599, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { message: 'unscripted request' } }));
				return;
			}
			responder(recorded, res, req);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	let closed: Promise<void> | undefined;
	const close = (): Promise<void> => {
		closed ??= new Promise<void>((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
		return closed;
	};
	const lifetime = setTimeout(() => void close(), lifetimeMs);
	lifetime.unref();
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		requests,
		script: (...responders) => queue.push(...responders),
		close: () => {
			clearTimeout(lifetime);
			return close();
		},
	};
}

/** Answers with a JSON body. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
	return (_request, res) => {
		res.writeHead(status, { 'content-type': 'application/json', ...headers });
		res.end(JSON.stringify(body));
	};
}

/** Answers with a raw body and content type. */
export function raw(status: number, body: string, contentType = 'application/json'): Responder {
	return (_request, res) => {
		res.writeHead(status, { 'content-type': contentType });
		res.end(body);
	};
}

/** Streams `frames` as text/event-stream, one write per frame with `gapMs` between; `end` false leaves it open. */
export function sse(
	frames: readonly string[],
	options: { gapMs?: number; end?: boolean; onWritten?: (index: number) => void } = {},
): Responder {
	return (_request, res) => {
		res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
		let i = 0;
		const next = (): void => {
			if (res.destroyed) return;
			const frame = frames[i];
			if (frame === undefined) {
				if (options.end !== false) res.end();
				return;
			}
			res.write(frame);
			options.onWritten?.(i);
			i += 1;
			setTimeout(next, options.gapMs ?? 0);
		};
		next();
	};
}

/** Cuts the connection without an answer (a reset seen by the client). */
export function reset(): Responder {
	return (_request, _res, req) => {
		req.socket.destroy();
	};
}

/** Never answers (the client's timeout or cancellation must end the request). */
export function hang(): Responder {
	return () => undefined;
}

/** OpenAI chat completion chunks for `pieces`, ending with finish_reason and `[DONE]`. */
export function openAiFrames(
	pieces: readonly string[],
	options: { done?: boolean; finish?: boolean } = {},
): string[] {
	const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
		`data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
	const frames = [
		chunk({ role: 'assistant', content: '' }, null),
		...pieces.map((p) => chunk({ content: p }, null)),
	];
	if (options.finish !== false) frames.push(chunk({}, 'stop'));
	if (options.done !== false) frames.push('data: [DONE]\n\n');
	return frames;
}

/** Anthropic Messages stream events for `pieces`, with a ping; `stop` false leaves out message_stop. */
export function anthropicFrames(
	pieces: readonly string[],
	options: { stop?: boolean; stopReason?: string } = {},
): string[] {
	const ev = (type: string, data: Record<string, unknown>): string =>
		`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
	const frames = [
		ev('message_start', {
			message: {
				id: 'msg_1',
				type: 'message',
				role: 'assistant',
				content: [],
				model: 'm',
				usage: { input_tokens: 10, output_tokens: 1 },
			},
		}),
		ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
		ev('ping', {}),
		...pieces.map((p) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } })),
		ev('content_block_stop', { index: 0 }),
		ev('message_delta', {
			delta: { stop_reason: options.stopReason ?? 'end_turn', stop_sequence: null },
			usage: { output_tokens: 5 },
		}),
	];
	if (options.stop !== false) frames.push(ev('message_stop', {}));
	return frames;
}

/** Splits frames into pieces of `size` bytes at arbitrary points (inside lines, JSON and multi-byte characters). */
export function rechunk(frames: readonly string[], size: number): Responder {
	const bytes = Buffer.from(frames.join(''), 'utf8');
	return (_request, res) => {
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		for (let at = 0; at < bytes.length; at += size) res.write(bytes.subarray(at, at + size));
		res.end();
	};
}
