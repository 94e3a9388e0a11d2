import { parentPort } from 'node:worker_threads';
import { countTextTokens, type EncodingName } from './encoding';

/** A batch to count off the main thread; `id` is echoed in the reply. */
export interface TokenWorkerRequest {
	readonly id: number;
	readonly texts: readonly string[];
	readonly encoding: EncodingName;
}

/** The reply: exact counts (tokens, uncalibrated) in the order of `texts`, or why the request was refused. */
export type TokenWorkerResponse =
	{ readonly id: number; readonly counts: number[] } | { readonly id: number; readonly error: string };

/** Answers one posted message; malformed requests get an error reply (id -1 when even the id is missing). */
export function handleTokenWorkerMessage(message: unknown): TokenWorkerResponse {
	if (typeof message !== 'object' || message === null) return { id: -1, error: 'request is not an object' };
	const { id, texts, encoding } = message as Record<string, unknown>;
	if (typeof id !== 'number') return { id: -1, error: 'request has no numeric id' };
	if (encoding !== 'o200k_base' && encoding !== 'cl100k_base')
		return { id, error: `unknown encoding ${JSON.stringify(encoding)}; use o200k_base or cl100k_base` };
	if (!Array.isArray(texts) || !texts.every((text) => typeof text === 'string'))
		return { id, error: 'texts must be an array of strings' };
	return { id, counts: texts.map((text: string) => countTextTokens(text, encoding)) };
}

// Bundled as dist/tokenWorker.js and started with new Worker(); imported anywhere else it does nothing.
parentPort?.on('message', (message: unknown) => {
	parentPort?.postMessage(handleTokenWorkerMessage(message));
});
