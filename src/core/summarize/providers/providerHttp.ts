import { stripHandoffPrefix } from '../../compaction/handoff';
import { redactSecrets } from '../../redaction/redactSecrets';
import type { SummaryFailureReason, SummaryOutcome } from '../../compaction/summarizer';

/** A failed summary outcome. */
export type SummaryFailure = Extract<SummaryOutcome, { ok: false }>;

/** The `fetch` a provider uses: the built-in one, or a test's. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Transport settings shared by the HTTP providers. */
export interface ProviderTransport {
	/** Defaults to the built-in `fetch`. */
	readonly fetch?: FetchLike;
	/** Whole-request limit in milliseconds (connect, wait and stream); past it the attempt is a transient failure. */
	readonly timeoutMs?: number;
	/** Limit in milliseconds until the server answers (connection made and response headers received). */
	readonly connectTimeoutMs?: number;
}

/** Default whole-request limit: summaries of large middles take minutes on local models. */
export const defaultProviderTimeoutMs = 300_000;

/** Default limit until a provider answers at all, in milliseconds: streaming endpoints send headers before the text. */
export const defaultProviderConnectTimeoutMs = 30_000;

/** A started HTTP exchange: the response, the signal that covers it, and `done()` to clear the timer. */
export interface OpenedResponse {
	readonly response: Response;
	readonly signal: AbortSignal;
	readonly isTimedOut: () => boolean;
	readonly done: () => void;
}

/** `retry-after` (seconds or an HTTP date) or `retry-after-ms`, in milliseconds; undefined when absent or invalid. */
export function parseRetryAfter(headers: Headers, nowMs: number = Date.now()): number | undefined {
	const ms = headers.get('retry-after-ms');
	if (ms !== null && /^\d+(?:\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
	const value = headers.get('retry-after');
	if (value === null || value.trim() === '') return undefined;
	if (/^\d+(?:\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function errorMessageOf(bodyText: string): string {
	return rawErrorMessage(bodyText).replace(/\s+/g, ' ').trim().slice(0, 300);
}

function rawErrorMessage(bodyText: string): string {
	try {
		const body: unknown = JSON.parse(bodyText);
		if (typeof body === 'object' && body !== null) {
			const error = (body as Record<string, unknown>)['error'];
			if (typeof error === 'string') return error;
			if (typeof error === 'object' && error !== null) {
				const message = (error as Record<string, unknown>)['message'];
				if (typeof message === 'string') return message;
			}
			const message = (body as Record<string, unknown>)['message'];
			if (typeof message === 'string') return message;
		}
	} catch {
		// not JSON: the raw text is the message
	}
	return bodyText;
}

// R12 (hermes): what endpoints say when a model is missing: OpenAI model_not_found, Ollama "not found, try pulling",
// Anthropic not_found_error, routers' "no available channel".
const modelMissing =
	/model_not_found|not_found_error|does not exist|not found|no available channel|unknown model/i;

/**
 * A non-2xx response as a failure: 429/5xx/408 transient (with `retry-after`), 404 or a model-missing body
 * `modelNotFound`, 401/403 refused, anything else failed. `label` names the endpoint and model for the message.
 */
export function failureFromStatus(
	status: number,
	headers: Headers,
	bodyText: string,
	label: string,
): SummaryFailure {
	const detail = errorMessageOf(bodyText);
	const said = detail === '' ? '' : `: ${detail}`;
	const retryAfterMs = parseRetryAfter(headers);
	const withRetry = retryAfterMs !== undefined ? { retryAfterMs } : {};
	if (
		status === 404 ||
		(status === 503 && modelMissing.test(detail)) ||
		(status === 400 && /model_not_found/i.test(bodyText))
	) {
		const hint = modelMissing.test(detail) ? '' : ' (or the base URL is wrong)';
		return {
			ok: false,
			reason: 'modelNotFound',
			message: `${label} does not have the model${hint} (HTTP ${status})${said}`,
		};
	}
	if (status === 401 || status === 403) {
		return {
			ok: false,
			reason: 'refused',
			message: `${label} refused the request (HTTP ${status}): check the API key${said}`,
		};
	}
	if (status === 429 || status === 408 || status === 409 || status >= 500) {
		return {
			ok: false,
			reason: 'transient',
			message: `${label} is unavailable (HTTP ${status})${said}`,
			...withRetry,
		};
	}
	return { ok: false, reason: 'failed', message: `${label} rejected the request (HTTP ${status})${said}` };
}

/** A failure of a given reason; used for stream errors and malformed bodies. */
export function failure(
	reason: SummaryFailureReason,
	message: string,
	retryAfterMs?: number,
): SummaryFailure {
	return { ok: false, reason, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

function causeCode(error: unknown): string | undefined {
	for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 4; depth += 1) {
		if (typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
		e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
	}
	return undefined;
}

/** A thrown fetch or stream error as a failure: cancelled, timed out, or a connection problem (all transient). */
export function failureFromThrown(
	error: unknown,
	signal: AbortSignal,
	isTimedOut: boolean,
	label: string,
): SummaryFailure {
	if (signal.aborted) return failure('cancelled', `The request to ${label} was cancelled.`);
	if (isTimedOut) return failure('transient', `${label} did not answer in time (timeout).`);
	const code = causeCode(error);
	const detail = error instanceof Error ? error.message : String(error);
	if (code === 'ECONNREFUSED') {
		return failure('transient', `Could not connect to ${label} (connection refused): is the server running?`);
	}
	return failure(
		'transient',
		`The connection to ${label} failed${code !== undefined ? ` (${code})` : ''}: ${detail}`,
	);
}

/**
 * POSTs JSON with a timeout that covers the whole exchange. Returns the response for the caller to read (calling
 * `done()` after) or a failure when the request could not be sent or answered.
 */
export async function postJson(
	url: string,
	headers: Readonly<Record<string, string>>,
	body: unknown,
	signal: AbortSignal,
	transport: ProviderTransport,
	label: string,
): Promise<{ ok: true; opened: OpenedResponse } | { ok: false; failure: SummaryFailure }> {
	const controller = new AbortController();
	let isTimedOut = false;
	let isConnectTimedOut = false;
	const timeoutMs = transport.timeoutMs ?? defaultProviderTimeoutMs;
	const connectTimeoutMs = transport.connectTimeoutMs ?? defaultProviderConnectTimeoutMs;
	const timer = setTimeout(() => {
		isTimedOut = true;
		controller.abort();
	}, timeoutMs);
	const connectTimer = setTimeout(() => {
		isConnectTimedOut = true;
		controller.abort();
	}, connectTimeoutMs);
	const onAbort = (): void => controller.abort();
	signal.addEventListener('abort', onAbort, { once: true });
	const done = (): void => {
		clearTimeout(timer);
		clearTimeout(connectTimer);
		signal.removeEventListener('abort', onAbort);
	};
	if (signal.aborted) controller.abort();
	try {
		const doFetch = transport.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
		const response = await doFetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: JSON.stringify(body),
			signal: controller.signal,
		});
		clearTimeout(connectTimer);
		if (!response.ok) {
			const text = await response.text().catch(() => '');
			done();
			return { ok: false, failure: failureFromStatus(response.status, response.headers, text, label) };
		}
		return { ok: true, opened: { response, signal: controller.signal, isTimedOut: () => isTimedOut, done } };
	} catch (error) {
		done();
		if (isConnectTimedOut && !signal.aborted) {
			return {
				ok: false,
				failure: failure(
					'transient',
					`${label} did not answer within ${formatSeconds(connectTimeoutMs)} (connect timeout): is the server up and the URL right?`,
				),
			};
		}
		return { ok: false, failure: failureFromThrown(error, signal, isTimedOut, label) };
	}
}

function formatSeconds(ms: number): string {
	return `${Math.round((ms / 1000) * 10) / 10} s`;
}

/**
 * R12: the model's text as a summary outcome: redacted again (a model may echo a secret), any compaction prefix it
 * copied stripped (applyPlan adds the current one, R11), empty text an error.
 */
export async function summaryFromModelText(
	text: string,
	label: string,
	model: string,
): Promise<SummaryOutcome> {
	const body = stripHandoffPrefix(text);
	if (body === '') return failure('emptyResponse', `${label} returned an empty summary.`);
	const redacted = await redactSecrets(body);
	return { ok: true, text: redacted.text, model };
}

/** A base URL without trailing slashes. */
export function trimBaseUrl(baseUrl: string): string {
	return baseUrl.trim().replace(/\/+$/, '');
}
