import { defaultSummaryPromptOptions } from '../prompts/buildSummaryPrompt';
import type { SummaryPrompt, SummaryPromptOptions } from '../prompts/buildSummaryPrompt';
import { buildRedactedSummaryPrompt } from '../prompts/redactedPrompt';
import type { Summarizer, SummaryOutcome, SummaryRequest } from '../../compaction/summarizer';
import { failure, failureFromThrown, postJson, summaryFromModelText, trimBaseUrl } from './providerHttp';
import type { ProviderTransport } from './providerHttp';
import { readSseEvents } from './sse';
import { isJsonObject as isRecord } from '../../transcript/json';

/** Anthropic's public endpoint, without `/v1`. */
export const anthropicBaseUrl = 'https://api.anthropic.com';

/** The Messages API version header value sent. */
export const anthropicVersion = '2023-06-01';

/** The Anthropic Messages endpoint and the model to ask. */
export interface AnthropicConfig extends ProviderTransport {
	readonly apiKey: string;
	readonly model: string;
	/** Defaults to {@link anthropicBaseUrl}; a trailing `/v1` is accepted. */
	readonly baseUrl?: string;
	readonly prompt?: SummaryPromptOptions;
	/** Stream the answer (default true). */
	readonly isStreaming?: boolean;
}

/** The `/v1/messages` URL for a base URL given with or without `/v1`. */
export function anthropicMessagesUrl(baseUrl: string): string {
	const base = trimBaseUrl(baseUrl);
	return base.endsWith('/v1') ? `${base}/messages` : `${base}/v1/messages`;
}

/** The request body sent to `/v1/messages` for a prompt. */
export function anthropicRequestBody(
	config: AnthropicConfig,
	prompt: SummaryPrompt,
): Record<string, unknown> {
	return {
		model: config.model,
		max_tokens: prompt.maxTokens,
		system: prompt.system,
		messages: [{ role: 'user', content: prompt.user }],
		stream: config.isStreaming ?? true,
	};
}

function errorEvent(error: unknown, label: string): SummaryOutcome {
	const type = isRecord(error) ? String(error['type'] ?? '') : '';
	const message =
		isRecord(error) && typeof error['message'] === 'string' ? error['message'] : type || 'unknown error';
	if (/overloaded|rate_limit|api_error|timeout/.test(type)) {
		return failure('transient', `${label} failed while streaming (${type}): ${message}`);
	}
	if (type === 'not_found_error')
		return failure('modelNotFound', `${label} does not have the model: ${message}`);
	return failure('failed', `${label} failed while streaming (${type || 'error'}): ${message}`);
}

function refusalOrText(stopReason: unknown, text: string, label: string): string | SummaryOutcome {
	if (stopReason === 'refusal') return failure('refused', `${label} declined to write the summary.`);
	return text;
}

async function readWhole(response: Response, label: string): Promise<string | SummaryOutcome> {
	let body: unknown;
	try {
		body = JSON.parse(await response.text());
	} catch {
		return failure('malformedResponse', `${label} answered with something that is not JSON.`);
	}
	if (!isRecord(body))
		return failure('malformedResponse', `${label} answered with an unexpected JSON value.`);
	if (body['type'] === 'error') return errorEvent(body['error'], label);
	const content = body['content'];
	if (!Array.isArray(content))
		return failure('malformedResponse', `${label} answered without a content list.`);
	const text = content
		.filter(isRecord)
		.map((block) => (block['type'] === 'text' && typeof block['text'] === 'string' ? block['text'] : ''))
		.join('');
	return refusalOrText(body['stop_reason'], text, label);
}

async function readStream(
	response: Response,
	signal: AbortSignal,
	label: string,
): Promise<string | SummaryOutcome> {
	if (response.body === null) return failure('malformedResponse', `${label} sent an empty stream.`);
	const pieces: string[] = [];
	let isStarted = false;
	let isStopped = false;
	let stopReason: unknown;
	for await (const event of readSseEvents(response.body, signal)) {
		let data: unknown;
		try {
			data = JSON.parse(event.data);
		} catch {
			return failure('malformedResponse', `${label} streamed an event that is not JSON.`);
		}
		if (!isRecord(data)) return failure('malformedResponse', `${label} streamed an unexpected JSON value.`);
		switch (data['type']) {
			case 'message_start':
				isStarted = true;
				break;
			case 'content_block_delta': {
				const delta = data['delta'];
				if (isRecord(delta) && delta['type'] === 'text_delta' && typeof delta['text'] === 'string') {
					pieces.push(delta['text']);
				}
				break;
			}
			case 'message_delta': {
				const delta = data['delta'];
				if (isRecord(delta) && delta['stop_reason'] !== undefined) stopReason = delta['stop_reason'];
				break;
			}
			case 'message_stop':
				isStopped = true;
				break;
			case 'error':
				return errorEvent(data['error'], label);
			default:
				// ping, content_block_start/stop and event types added later carry no text.
				break;
		}
		if (isStopped) break;
	}
	if (signal.aborted) return failure('cancelled', `The stream from ${label} was interrupted.`);
	if (!isStarted) return failure('malformedResponse', `${label} streamed no message_start event.`);
	if (!isStopped) return failure('transient', `${label} closed the stream before the summary was complete.`);
	return refusalOrText(stopReason, pieces.join(''), label);
}

/** A summariser over the Anthropic Messages API. */
export function createAnthropicSummarizer(config: AnthropicConfig): Summarizer {
	const url = anthropicMessagesUrl(config.baseUrl ?? anthropicBaseUrl);
	const label = `the Anthropic endpoint ${url} (model ${config.model})`;
	const options = config.prompt ?? defaultSummaryPromptOptions;
	return {
		id: `anthropic:${config.model}`,
		async summarize(request: SummaryRequest, signal: AbortSignal): Promise<SummaryOutcome> {
			if (signal.aborted) return failure('cancelled', 'The summary was cancelled.');
			const { prompt } = await buildRedactedSummaryPrompt(request, options);
			const headers = {
				accept: 'text/event-stream, application/json',
				'x-api-key': config.apiKey,
				'anthropic-version': anthropicVersion,
			};
			const started = await postJson(
				url,
				headers,
				anthropicRequestBody(config, prompt),
				signal,
				config,
				label,
			);
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
