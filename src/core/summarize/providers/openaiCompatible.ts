import { defaultSummaryPromptOptions } from '../prompts/buildSummaryPrompt';
import type { SummaryPrompt, SummaryPromptOptions } from '../prompts/buildSummaryPrompt';
import { buildRedactedSummaryPrompt } from '../prompts/redactedPrompt';
import type { Summarizer, SummaryOutcome, SummaryRequest } from '../../compaction/summarizer';
import { failure, failureFromThrown, postJson, summaryFromModelText, trimBaseUrl } from './providerHttp';
import type { ProviderTransport } from './providerHttp';
import { readSseEvents } from './sse';
import { isJsonObject as isRecord } from '../../transcript/json';

/** OpenAI's public endpoint. */
export const openAiBaseUrl = 'https://api.openai.com/v1';

/** Ollama's OpenAI-compatible endpoint on this machine (LM Studio's is http://127.0.0.1:1234/v1). */
export const ollamaBaseUrl = 'http://127.0.0.1:11434/v1';

/** Which request field carries the output cap: OpenAI's newer models reject `max_tokens`, local servers know only it. */
export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

/** An OpenAI-compatible chat completions endpoint and the model to ask. */
export interface OpenAiCompatibleConfig extends ProviderTransport {
	/** Up to and including `/v1`, e.g. `http://127.0.0.1:11434/v1`. */
	readonly baseUrl: string;
	readonly model: string;
	/** Sent as a bearer token; local servers need none. */
	readonly apiKey?: string;
	readonly prompt?: SummaryPromptOptions;
	/** Defaults to `max_completion_tokens` on api.openai.com and `max_tokens` elsewhere. */
	readonly maxTokensField?: MaxTokensField;
	/** Stream the answer (default true); some proxies only answer whole. */
	readonly isStreaming?: boolean;
}

/** The request body sent to `/chat/completions` for a prompt. */
export function openAiRequestBody(
	config: OpenAiCompatibleConfig,
	prompt: SummaryPrompt,
): Record<string, unknown> {
	const field =
		config.maxTokensField ??
		(/\/\/api\.openai\.com(?:[:/]|$)/.test(config.baseUrl) ? 'max_completion_tokens' : 'max_tokens');
	const isStreaming = config.isStreaming ?? true;
	return {
		model: config.model,
		messages: [
			{ role: 'system', content: prompt.system },
			{ role: 'user', content: prompt.user },
		],
		[field]: prompt.maxTokens,
		stream: isStreaming,
	};
}

function firstChoice(body: Record<string, unknown>): Record<string, unknown> | undefined {
	const choices = body['choices'];
	if (!Array.isArray(choices)) return undefined;
	const first: unknown = choices[0];
	return isRecord(first) ? first : undefined;
}

function streamError(body: Record<string, unknown>, label: string): SummaryOutcome | undefined {
	const error = body['error'];
	if (error === undefined) return undefined;
	const message =
		isRecord(error) && typeof error['message'] === 'string' ? error['message'] : JSON.stringify(error);
	const code = isRecord(error) ? String(error['code'] ?? error['type'] ?? '') : '';
	if (/rate|overload|timeout|unavailable|server_error/i.test(code + message)) {
		return failure('transient', `${label} failed while streaming: ${message}`);
	}
	return failure('failed', `${label} failed while streaming: ${message}`);
}

/** A summariser over an OpenAI-compatible chat completions endpoint (OpenAI, Ollama, LM Studio, vLLM, routers). */
export function createOpenAiCompatibleSummarizer(config: OpenAiCompatibleConfig): Summarizer {
	const baseUrl = trimBaseUrl(config.baseUrl);
	const label = `the OpenAI-compatible endpoint ${baseUrl} (model ${config.model})`;
	const options = config.prompt ?? defaultSummaryPromptOptions;
	return {
		id: `openai:${config.model}`,
		async summarize(request: SummaryRequest, signal: AbortSignal): Promise<SummaryOutcome> {
			if (signal.aborted) return failure('cancelled', 'The summary was cancelled.');
			const { prompt } = await buildRedactedSummaryPrompt(request, options);
			const headers: Record<string, string> = { accept: 'text/event-stream, application/json' };
			if (config.apiKey !== undefined && config.apiKey !== '')
				headers['authorization'] = `Bearer ${config.apiKey}`;
			const body = openAiRequestBody(config, prompt);
			const started = await postJson(`${baseUrl}/chat/completions`, headers, body, signal, config, label);
			if (!started.ok) return started.failure;
			const { response, done } = started.opened;
			try {
				const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
				const text = isStream
					? await readStream(response, started.opened.signal, label)
					: await readWhole(response, label);
				// Cancelled or timed out mid-stream: whatever arrived is partial, never a summary.
				if (started.opened.signal.aborted)
					return failureFromThrown(undefined, signal, started.opened.isTimedOut(), label);
				if (typeof text !== 'string') return text;
				return await summaryFromModelText(text, label, config.model);
			} catch (error) {
				return failureFromThrown(error, signal, started.opened.isTimedOut(), label);
			} finally {
				// Releases the connection when the text ended before the body did ([DONE] or message_stop read early).
				response.body?.cancel().catch(() => undefined);
				done();
			}
		},
	};
}

async function readWhole(response: Response, label: string): Promise<string | SummaryOutcome> {
	const raw = await response.text();
	let body: unknown;
	try {
		body = JSON.parse(raw);
	} catch {
		return failure('malformedResponse', `${label} answered with something that is not JSON.`);
	}
	if (!isRecord(body))
		return failure('malformedResponse', `${label} answered with an unexpected JSON value.`);
	const error = streamError(body, label);
	if (error !== undefined) return error;
	const message = firstChoice(body)?.['message'];
	const content = isRecord(message) ? message['content'] : undefined;
	if (typeof content !== 'string')
		return failure('malformedResponse', `${label} answered without a message content.`);
	return content;
}

async function readStream(
	response: Response,
	signal: AbortSignal,
	label: string,
): Promise<string | SummaryOutcome> {
	if (response.body === null) return failure('malformedResponse', `${label} sent an empty stream.`);
	const pieces: string[] = [];
	let isFinished = false;
	let chunks = 0;
	for await (const event of readSseEvents(response.body, signal)) {
		const data = event.data.trim();
		if (data === '[DONE]') {
			isFinished = true;
			break;
		}
		let chunk: unknown;
		try {
			chunk = JSON.parse(data);
		} catch {
			return failure('malformedResponse', `${label} streamed a chunk that is not JSON.`);
		}
		if (!isRecord(chunk)) return failure('malformedResponse', `${label} streamed an unexpected JSON value.`);
		const error = streamError(chunk, label);
		if (error !== undefined) return error;
		chunks += 1;
		const choice = firstChoice(chunk);
		const delta = choice?.['delta'];
		if (isRecord(delta) && typeof delta['content'] === 'string') pieces.push(delta['content']);
		if (typeof choice?.['finish_reason'] === 'string') isFinished = true;
	}
	if (signal.aborted) return failure('cancelled', `The stream from ${label} was interrupted.`);
	if (!isFinished) {
		// The stream ended without finish_reason or [DONE]: the connection dropped, the text is partial.
		return failure('transient', `${label} closed the stream before the summary was complete.`);
	}
	if (chunks === 0) return failure('malformedResponse', `${label} streamed no completion chunks.`);
	return pieces.join('');
}
