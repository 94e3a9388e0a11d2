import {
	notThisFormat,
	readSingleRecord,
	type AccumulatedTranscript,
	type DetectionSample,
	type DetectionVerdict,
	type DocumentContext,
	type RecordAccumulator,
	type TranscriptFormat,
	type WriteOptions,
	type WrittenTranscript,
} from '../format';
import type {
	Diagnostic,
	ImagePart,
	Message,
	Part,
	PassthroughRecord,
	RecordedUsage,
	Role,
	TextPart,
	ToolCallPart,
	ToolResultPart,
	Transcript,
	TranscriptMeta,
} from '../model';
import { makeFlags, noFlags } from '../model';
import {
	MessageIds,
	imageDataOf,
	imageFromBase64,
	imageFromUrl,
	isEmptyValue,
	isRecord,
	mergeWithSource,
	opaqueJsonText,
	opaquePart,
	stringOf,
	timestampOf,
	type JsonRecord,
} from './openaiAnthropicCommon';
import { locateDocumentLines } from './openaiAnthropicLines';

/**
 * Anthropic Messages API requests (FORMATS.md section 4) in three layouts.
 *
 * - `request`: one request body `{model, max_tokens, system, messages, tools, …}`. `system` becomes a Message
 *   with role `system` and id `system` so it is counted; the tool schemas' JSON text is `meta.systemText`.
 * - `array`: a bare array of `{role, content, ts?}` messages (Cline's `api_conversation_history.json`).
 * - `log`: JSONL of captured traffic, `{direction: 'request'|'response', ts, uid, body}` per line, or bare
 *   request/response bodies per line. The transcript is the context of the newest request that declares
 *   `tools` (the agent's own turns; side requests such as title or quota checks declare none), or of the
 *   newest request when none does, followed by that request's response (matched by `uid`, else the first
 *   response after it) as an assistant message carrying the response's usage. Writing a log produces one
 *   request line: the next request the agent would send.
 *
 * The layout and the request body are kept as an {@link AnthropicMessagesLayout} passthrough record at line 0.
 * A user message made only of `tool_result` blocks is read with role `tool` and written back as `user`.
 * Part `raw` values are the source blocks; a string `content` gives a text part whose raw is `{content}`.
 * The writer emits a raw block verbatim while the part still matches it; thinking blocks are only ever
 * copied verbatim (their signature binds them), so a thinking part without its signed block is dropped.
 */
export const anthropicMessagesFormat: TranscriptFormat = {
	id: 'anthropic-messages',
	label: 'Anthropic Messages request',
	isJsonl: true,
	detect: detectAnthropicMessages,
	createAccumulator: () => new AnthropicLogAccumulator(),
	readDocument: readAnthropicDocument,
	write: writeAnthropicMessages,
};

/** How an Anthropic messages file was laid out; the passthrough record at line 0, so the writer reproduces it. */
export interface AnthropicMessagesLayout {
	readonly anthropicMessagesLayout: 'request' | 'array' | 'log';
	/** The request body (`request` and `log` layouts); its `system` and `messages` are replaced on writing. */
	readonly envelope?: JsonRecord;
	/** `log` layout: the chosen request's log record (`direction`, `ts`, `uid`, …) when it had one. */
	readonly logRecord?: JsonRecord;
}

const anthropicBlockTypes: ReadonlySet<string> = new Set([
	'tool_use',
	'tool_result',
	'thinking',
	'redacted_thinking',
	'document',
	'server_tool_use',
	'web_search_tool_result',
]);
const openaiOnlyTypes: ReadonlySet<string> = new Set([
	'image_url',
	'input_text',
	'input_image',
	'input_audio',
]);
/** Detection scores (0–100, higher wins): Anthropic-only shapes are near-certain; plain user/assistant arrays lose to OpenAI's 60. */
const scores = {
	log: 95,
	clinePath: 95,
	anthropicRequest: 95,
	anthropicBlocks: 90,
	maxTokensRequest: 70,
	requestLines: 70,
	plain: 40,
};
/** Messages looked at by detection: enough to see tool use, cheap on huge arrays. */
const detectionMessages = 64;
const clineHistoryName = /(^|[\\/])api_conversation_history\.json$/;

// ---------------------------------------------------------------------------------------------------------
// Detection

function detectAnthropicMessages(sample: DetectionSample): DetectionVerdict | undefined {
	const document = sample.document;
	if (isRecord(document)) {
		if (isLogRecord(document))
			return { score: scores.log, reason: 'an Anthropic Messages request/response log record' };
		const messages = document['messages'];
		if (!Array.isArray(messages) || 'requests' in document || 'projectHash' in document) return undefined;
		const signals = rateMessages(messages.slice(0, detectionMessages));
		if (signals === undefined) return undefined;
		const tools = document['tools'];
		const system = document['system'];
		const anthropicEnvelope =
			typeof system === 'string' ||
			Array.isArray(system) ||
			(Array.isArray(tools) && tools.some((t) => isRecord(t) && 'input_schema' in t));
		if (signals.anthropic || anthropicEnvelope) {
			return {
				score: scores.anthropicRequest,
				reason: 'an object with messages and Anthropic system, tools or content blocks',
			};
		}
		// max_tokens is required by Anthropic and legacy for OpenAI; an OpenAI model name settles it the other way.
		const model = stringOf(document['model']) ?? '';
		if ('max_tokens' in document && model !== '' && !/^(gpt-|o\d|chatgpt)/.test(model)) {
			return {
				score: scores.maxTokensRequest,
				reason: 'a request object with model, max_tokens and user/assistant messages',
			};
		}
		return { score: scores.plain, reason: 'an object with user/assistant messages' };
	}
	if (Array.isArray(document)) {
		const signals = rateMessages(document.slice(0, detectionMessages));
		if (signals === undefined) return undefined;
		if (clineHistoryName.test(sample.path))
			return { score: scores.clinePath, reason: "Cline's api_conversation_history.json" };
		if (signals.anthropic)
			return {
				score: scores.anthropicBlocks,
				reason: 'a JSON array of messages with Anthropic content blocks',
			};
		return { score: scores.plain, reason: 'a JSON array of user/assistant messages' };
	}
	if (document !== undefined) return undefined;
	const records = sample.firstRecords.filter(isRecord);
	if (records.some(isLogRecord))
		return { score: scores.log, reason: 'JSONL log of Anthropic Messages requests and responses' };
	if (records.length > 0 && records.every((r) => Array.isArray(r['messages']) && 'max_tokens' in r)) {
		return { score: scores.requestLines, reason: 'JSONL of Anthropic Messages request bodies' };
	}
	return undefined;
}

function isLogRecord(record: JsonRecord): boolean {
	const direction = record['direction'];
	return (direction === 'request' || direction === 'response') && isRecord(record['body']);
}

/** Whether items look like Anthropic messages (undefined when they cannot be), and whether blocks prove it. */
function rateMessages(items: readonly unknown[]): { anthropic: boolean } | undefined {
	if (items.length === 0) return undefined;
	let anthropic = false;
	for (const item of items) {
		if (!isRecord(item) || !('content' in item)) return undefined;
		const role = item['role'];
		if (role !== 'user' && role !== 'assistant') return undefined;
		if ('tool_calls' in item || 'tool_call_id' in item || 'uuid' in item) return undefined;
		const content = item['content'];
		if (!Array.isArray(content)) continue;
		for (const block of content) {
			const type = isRecord(block) ? block['type'] : undefined;
			if (typeof type !== 'string') continue;
			if (openaiOnlyTypes.has(type)) return undefined;
			if (anthropicBlockTypes.has(type) || (type === 'image' && 'source' in (block as JsonRecord)))
				anthropic = true;
		}
	}
	return { anthropic };
}

// ---------------------------------------------------------------------------------------------------------
// Reading

const toolUseArguments = new WeakMap<object, string>();
const resultTexts = new WeakMap<object, string>();

/** Arguments text of a `tool_use` block: its input as JSON, computed once per block. */
function argumentsTextOf(block: JsonRecord): string {
	const cached = toolUseArguments.get(block);
	if (cached !== undefined) return cached;
	const input = block['input'];
	const text = typeof input === 'string' ? input : (JSON.stringify(input ?? {}) ?? '');
	toolUseArguments.set(block, text);
	return text;
}

/** What a `tool_result` content reads as: its text (blocks joined by newlines) and its images. */
function toolResultContent(content: unknown): { text: string; images: ImagePart[] } {
	if (typeof content === 'string') return { text: content, images: [] };
	if (!Array.isArray(content)) {
		return { text: content === null || content === undefined ? '' : opaqueJsonText(content), images: [] };
	}
	const texts: string[] = [];
	const images: ImagePart[] = [];
	for (const block of content) {
		const part = blockPart(block);
		if (part.kind === 'image') images.push(part);
		else if (part.kind === 'text' || part.kind === 'opaque' || part.kind === 'thinking')
			texts.push(part.text);
		else if (part.kind === 'toolCall') texts.push(part.argumentsText);
		else if (part.kind === 'toolResult') texts.push(part.text);
	}
	const text = texts.join('\n');
	resultTexts.set(content, text);
	return { text, images };
}

function resultTextOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (typeof content === 'object' && content !== null) {
		const cached = resultTexts.get(content);
		if (cached !== undefined) return cached;
	}
	return toolResultContent(content).text;
}

/** One content block as a part; blocks we do not interpret are opaque with their JSON text. */
function blockPart(block: unknown): Part {
	if (!isRecord(block)) return opaquePart(block, 'content');
	switch (block['type']) {
		case 'text': {
			const text = stringOf(block['text']);
			return text === undefined ? opaquePart(block, 'text') : { kind: 'text', text, raw: block };
		}
		case 'thinking': {
			const text = stringOf(block['thinking']);
			return text === undefined
				? opaquePart(block, 'thinking')
				: { kind: 'thinking', text, isRedacted: false, raw: block };
		}
		case 'redacted_thinking':
			return { kind: 'thinking', text: '', isRedacted: true, raw: block };
		case 'image':
			return imagePart(block) ?? opaquePart(block, 'image');
		case 'tool_use':
			return {
				kind: 'toolCall',
				callId: stringOf(block['id']) ?? '',
				name: stringOf(block['name']) ?? '',
				argumentsText: argumentsTextOf(block),
				raw: block,
			};
		case 'tool_result': {
			const { text, images } = toolResultContent(block['content']);
			return {
				kind: 'toolResult',
				callId: stringOf(block['tool_use_id']) ?? '',
				text,
				isError: block['is_error'] === true,
				images,
				raw: block,
			};
		}
		default:
			return opaquePart(block, 'content');
	}
}

/** A string field as the reader saw it: anything else reads as ''. */
function textOf(value: unknown): string {
	return stringOf(value) ?? '';
}

function imagePart(block: JsonRecord): ImagePart | undefined {
	const source = block['source'];
	if (!isRecord(source)) return undefined;
	const data = stringOf(source['data']);
	if (source['type'] === 'base64' && data !== undefined) {
		return imageFromBase64(data, stringOf(source['media_type']), block);
	}
	const url = stringOf(source['url']);
	return url === undefined ? undefined : imageFromUrl(url, block);
}

function usageOf(value: unknown): RecordedUsage | undefined {
	if (!isRecord(value)) return undefined;
	const count = (key: string): number => {
		const n = value[key];
		return typeof n === 'number' && Number.isFinite(n) ? n : 0;
	};
	if (typeof value['input_tokens'] !== 'number' && typeof value['output_tokens'] !== 'number')
		return undefined;
	const inputTokens =
		count('input_tokens') + count('cache_creation_input_tokens') + count('cache_read_input_tokens');
	const outputTokens = count('output_tokens');
	return { inputTokens, outputTokens, contextTokens: inputTokens + outputTokens };
}

/** Turns Anthropic messages, in order, into Messages, passthrough records and diagnostics. */
class AnthropicMessageReader {
	readonly messages: Message[] = [];
	readonly passthrough: PassthroughRecord[] = [];
	readonly diagnostics: Diagnostic[] = [];
	private readonly ids = new MessageIds();
	private readonly seenCalls = new Set<string>();
	private readonly answeredCalls = new Set<string>();
	private previousCalls = new Set<string>();

	/** Reads a request's `system` (string or text blocks) as the `system` message. */
	addSystem(system: unknown, line: number): void {
		this.ids.reserve('system');
		let parts: Part[];
		if (typeof system === 'string')
			parts = system === '' ? [] : [{ kind: 'text', text: system, raw: { system } }];
		else if (Array.isArray(system)) parts = system.map(blockPart);
		else if (system === undefined || system === null) parts = [];
		else parts = [opaquePart(system, 'system')];
		if (parts.length === 0) return;
		this.messages.push({
			id: 'system',
			role: 'system',
			parts,
			flags: noFlags,
			lines: { from: line, to: line },
			raw: [system],
		});
	}

	/** Reads one message; extra describes where it came from (response id, time, usage). */
	add(value: unknown, index: number, line: number, extra: MessageExtra = {}): void {
		if (!isRecord(value)) {
			this.warn(line, `message ${index + 1} is not an object (${describeValue(value)}); kept as is`);
			this.passthrough.push({ line, record: value });
			return;
		}
		const role = value['role'];
		if (role !== 'user' && role !== 'assistant') {
			const what = typeof role === 'string' ? `the unknown role ${JSON.stringify(role)}` : 'no role';
			this.warn(line, `message ${index + 1} has ${what}; kept as is and not counted`);
			this.passthrough.push({ line, record: value });
			return;
		}
		const content = value['content'];
		let parts: Part[];
		if (typeof content === 'string')
			parts = content === '' ? [] : [{ kind: 'text', text: content, raw: { content } }];
		else if (Array.isArray(content)) parts = content.map(blockPart);
		else if (content === undefined || content === null) parts = [];
		else parts = [opaquePart(content, 'content')];
		this.checkPairs(parts, role, line);
		const isToolOnly = role === 'user' && parts.length > 0 && parts.every((p) => p.kind === 'toolResult');
		const isError = parts.some((p) => p.kind === 'toolResult' && p.isError);
		const timestamp = extra.timestamp ?? timestampOf(value['ts']);
		this.messages.push({
			id: this.ids.next(extra.id, index),
			role: isToolOnly ? 'tool' : (role as Role),
			parts,
			flags: isError ? makeFlags({ isError }) : noFlags,
			lines: { from: line, to: line },
			raw: [value],
			...(timestamp !== undefined ? { timestamp } : {}),
			...(extra.model !== undefined ? { model: extra.model } : {}),
			...(extra.usage !== undefined ? { usage: extra.usage } : {}),
		});
	}

	private checkPairs(parts: readonly Part[], role: string, line: number): void {
		const calls = new Set<string>();
		for (const part of parts) {
			if (part.kind === 'toolCall') {
				calls.add(part.callId);
				this.seenCalls.add(part.callId);
				this.answeredCalls.delete(part.callId);
			} else if (part.kind === 'toolResult') {
				const id = JSON.stringify(part.callId);
				if (!this.seenCalls.has(part.callId)) {
					this.warn(line, `tool_result for ${id} answers no earlier tool_use`);
				} else if (this.answeredCalls.has(part.callId)) {
					this.warn(line, `tool_result for ${id} answers a tool_use that already has a result`);
				} else {
					this.answeredCalls.add(part.callId);
					if (!this.previousCalls.has(part.callId)) {
						this.warn(line, `tool_result for ${id} is not in the message right after its tool_use`);
					}
				}
			}
		}
		this.previousCalls = role === 'assistant' ? calls : new Set();
	}

	private warn(line: number, message: string): void {
		this.diagnostics.push({ severity: 'warning', line, message });
	}
}

interface MessageExtra {
	readonly id?: string;
	readonly timestamp?: string;
	readonly model?: string;
	readonly usage?: RecordedUsage;
}

function describeValue(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return `a ${typeof value}`;
}

function layoutRecord(layout: AnthropicMessagesLayout): PassthroughRecord {
	return { line: 0, record: layout };
}

/** Session id Claude Code puts in `metadata.user_id` (`…_session_<uuid>`). */
function sessionIdOf(body: JsonRecord): string | undefined {
	const metadata = body['metadata'];
	const userId = isRecord(metadata) ? stringOf(metadata['user_id']) : undefined;
	return userId?.match(/_session_([0-9a-f-]{36})$/)?.[1];
}

function requestMeta(body: JsonRecord, model: string | undefined): TranscriptMeta {
	const tools = body['tools'];
	const systemText = Array.isArray(tools) && tools.length > 0 ? JSON.stringify(tools) : undefined;
	const sessionId = sessionIdOf(body);
	return {
		...(model !== undefined ? { model } : {}),
		...(systemText !== undefined ? { systemText } : {}),
		...(sessionId !== undefined ? { sessionId } : {}),
	};
}

/** Reads a request body; `lineOf` gives the line of message `index`, `systemLine` that of `system`. */
function readRequest(
	body: JsonRecord,
	systemLine: number,
	lineOf: (index: number) => number,
): AnthropicMessageReader {
	const reader = new AnthropicMessageReader();
	reader.addSystem(body['system'], systemLine);
	const messages = body['messages'];
	if (Array.isArray(messages)) messages.forEach((m, i) => reader.add(m, i, lineOf(i)));
	return reader;
}

function readAnthropicDocument(document: unknown, context: DocumentContext): AccumulatedTranscript {
	if (isRecord(document) && Array.isArray(document['messages'])) {
		const lines = locateDocumentLines(context.text, 'messages');
		const reader = readRequest(
			document,
			lines.keyLines.get('system') ?? 1,
			(i) => lines.elementLines[i] ?? 1,
		);
		return {
			messages: reader.messages,
			passthrough: [
				layoutRecord({ anthropicMessagesLayout: 'request', envelope: document }),
				...reader.passthrough,
			],
			meta: requestMeta(document, stringOf(document['model'])),
			diagnostics: reader.diagnostics,
		};
	}
	if (Array.isArray(document)) {
		const lines = locateDocumentLines(context.text).elementLines;
		const reader = new AnthropicMessageReader();
		document.forEach((m, i) => reader.add(m, i, lines[i] ?? 1));
		return {
			messages: reader.messages,
			passthrough: [layoutRecord({ anthropicMessagesLayout: 'array' }), ...reader.passthrough],
			meta: {},
			diagnostics: reader.diagnostics,
		};
	}
	if (isRecord(document) && isLogRecord(document)) {
		// A JSONL log of one line parses as a single JSON document.
		return readSingleRecord(new AnthropicLogAccumulator(), document);
	}
	return notThisFormat(
		'not an Anthropic Messages request: expected an object with a messages array, an array of {role, content} messages, or a JSONL request/response log',
	);
}

interface LoggedRequest {
	readonly body: JsonRecord;
	readonly line: number;
	readonly record: JsonRecord | undefined;
	readonly uid: string | undefined;
	response?: { readonly body: JsonRecord; readonly line: number; readonly timestamp: string | undefined };
}

/** Reads a request/response log, keeping only the requests that can still be chosen and their responses. */
class AnthropicLogAccumulator implements RecordAccumulator {
	private latest: LoggedRequest | undefined;
	private latestWithTools: LoggedRequest | undefined;
	private readonly diagnostics: Diagnostic[] = [];
	private built: { request: LoggedRequest; hasResponse: boolean; result: AccumulatedTranscript } | undefined;

	addRecord(record: unknown, line: number): void {
		if (!isRecord(record)) {
			this.diagnostics.push({
				severity: 'warning',
				line,
				message: `not a log record (${describeValue(record)}); ignored`,
			});
			return;
		}
		const enveloped = isLogRecord(record);
		const body = enveloped ? (record['body'] as JsonRecord) : record;
		const uid = enveloped ? stringOf(record['uid']) : undefined;
		const isRequest = enveloped ? record['direction'] === 'request' : Array.isArray(record['messages']);
		if (isRequest) {
			if (!Array.isArray(body['messages'])) {
				this.diagnostics.push({
					severity: 'warning',
					line,
					message: 'request without a messages array; ignored',
				});
				return;
			}
			const entry: LoggedRequest = { body, line, record: enveloped ? record : undefined, uid };
			this.latest = entry;
			if (Array.isArray(body['tools']) && body['tools'].length > 0) this.latestWithTools = entry;
			return;
		}
		const isResponse = enveloped || (body['type'] === 'message' && body['role'] === 'assistant');
		if (!isResponse) return;
		const target =
			uid === undefined ? this.latest : [this.latestWithTools, this.latest].find((e) => e?.uid === uid);
		if (target !== undefined && target.response === undefined) {
			const timestamp = enveloped ? timestampOf(record['ts']) : undefined;
			target.response = { body, line, timestamp };
		}
	}

	build(): AccumulatedTranscript {
		const request = this.latestWithTools ?? this.latest;
		if (request === undefined) {
			return { messages: [], passthrough: [], meta: {}, diagnostics: this.diagnostics.slice() };
		}
		const hasResponse = request.response !== undefined;
		if (this.built?.request === request && this.built.hasResponse === hasResponse) {
			return { ...this.built.result, diagnostics: [...this.diagnostics, ...this.built.result.diagnostics] };
		}
		const result = this.read(request);
		this.built = { request, hasResponse, result };
		return { ...result, diagnostics: [...this.diagnostics, ...result.diagnostics] };
	}

	private read(request: LoggedRequest): AccumulatedTranscript {
		const reader = readRequest(request.body, request.line, () => request.line);
		const response = request.response;
		let model = stringOf(request.body['model']);
		if (response !== undefined) {
			const responseModel = stringOf(response.body['model']);
			const usage = usageOf(response.body['usage']);
			const messages = request.body['messages'];
			const id = stringOf(response.body['id']);
			reader.add(response.body, Array.isArray(messages) ? messages.length : 0, response.line, {
				...(id !== undefined ? { id } : {}),
				...(response.timestamp !== undefined ? { timestamp: response.timestamp } : {}),
				...(responseModel !== undefined ? { model: responseModel } : {}),
				...(usage !== undefined ? { usage } : {}),
			});
			model = responseModel ?? model;
		}
		return {
			messages: reader.messages,
			passthrough: [
				layoutRecord({
					anthropicMessagesLayout: 'log',
					envelope: request.body,
					...(request.record !== undefined ? { logRecord: request.record } : {}),
				}),
				...reader.passthrough,
			],
			meta: requestMeta(request.body, model),
			diagnostics: reader.diagnostics,
		};
	}
}

// ---------------------------------------------------------------------------------------------------------
// Writing

function writeAnthropicMessages(transcript: Transcript, options: WriteOptions): WrittenTranscript {
	const sameFormat = transcript.format === 'anthropic-messages';
	const layout = sameFormat ? findLayout(transcript.passthrough) : undefined;
	const kept = sameFormat ? transcript.passthrough.filter((p) => p.line > 0) : [];
	const written = writeConversation(transcript.messages, sameFormat, kept);
	const shape = layout?.anthropicMessagesLayout ?? 'request';
	if (shape === 'array') {
		const messages =
			written.system === undefined
				? written.messages
				: [{ role: 'user', content: systemAsText(written.system) }, ...written.messages];
		return { text: `${JSON.stringify(messages, null, 2)}\n` };
	}
	const envelope =
		layout?.envelope ?? (transcript.meta.model !== undefined ? { model: transcript.meta.model } : {});
	const fields = new Map<string, unknown>([
		['system', written.system],
		['messages', written.messages],
	]);
	const body = mergeWithSource(fields, envelope, (key) => key === 'system');
	if (shape === 'request') return { text: `${JSON.stringify(body, null, 2)}\n` };
	const record = layout?.logRecord;
	if (record === undefined) return { text: `${JSON.stringify(body)}\n` };
	const recordFields = new Map<string, unknown>([['body', body]]);
	if (options.now !== undefined) recordFields.set('ts', options.now);
	return { text: `${JSON.stringify(mergeWithSource(recordFields, record, () => false))}\n` };
}

function findLayout(passthrough: readonly PassthroughRecord[]): AnthropicMessagesLayout | undefined {
	for (const entry of passthrough) {
		if (
			entry.line === 0 &&
			isRecord(entry.record) &&
			typeof entry.record['anthropicMessagesLayout'] === 'string'
		) {
			return entry.record as unknown as AnthropicMessagesLayout;
		}
	}
	return undefined;
}

function systemAsText(system: unknown): string {
	if (typeof system === 'string') return system;
	if (!Array.isArray(system)) return '';
	return system.map((b) => (isRecord(b) ? (stringOf(b['text']) ?? '') : '')).join('\n');
}

interface WrittenConversation {
	/** The request's `system` value, undefined when there is no system message. */
	readonly system: unknown;
	readonly messages: unknown[];
}

/** The source message object when the message was read from an Anthropic messages file. */
function sourceOf(message: Message, sameFormat: boolean): JsonRecord | undefined {
	const raw = message.raw[0];
	return sameFormat && message.raw.length === 1 && isRecord(raw) && typeof raw['role'] === 'string'
		? raw
		: undefined;
}

function writeConversation(
	messages: readonly Message[],
	sameFormat: boolean,
	kept: readonly PassthroughRecord[],
): WrittenConversation {
	let start = 0;
	while (start < messages.length && isSystemRole(messages[start]?.role)) start++;
	const system = start === 0 ? undefined : writeSystem(messages.slice(0, start), sameFormat);
	const out: unknown[] = [];
	let next = 0;
	let lastWasResults = false;
	for (const message of messages.slice(start)) {
		if (message.raw.length > 0) {
			while (next < kept.length && (kept[next]?.line ?? 0) < message.lines.from) {
				out.push(kept[next]?.record);
				next++;
				lastWasResults = false;
			}
		}
		const written = writeMessage(message, sameFormat);
		if (written === undefined) continue;
		const isResults = message.role === 'tool';
		const previous = out[out.length - 1];
		// Messages from other formats keep one tool result per message; Anthropic wants them in one user turn.
		if (
			!sameFormat &&
			isResults &&
			lastWasResults &&
			isRecord(previous) &&
			Array.isArray(previous['content'])
		) {
			const content = written['content'];
			previous['content'] = [...previous['content'], ...(Array.isArray(content) ? content : [])];
			continue;
		}
		out.push(written);
		lastWasResults = isResults;
	}
	for (; next < kept.length; next++) out.push(kept[next]?.record);
	return { system, messages: out };
}

function isSystemRole(role: Role | undefined): boolean {
	return role === 'system' || role === 'developer';
}

function writeSystem(messages: readonly Message[], sameFormat: boolean): unknown {
	const parts = messages.flatMap((m) => m.parts);
	const source = messages.length === 1 && sameFormat ? messages[0]?.raw[0] : undefined;
	const only = parts[0];
	if (parts.length === 1 && only?.kind === 'text' && !Array.isArray(source)) return only.text;
	if (parts.length === 1 && only?.kind === 'opaque' && source !== undefined && only.raw === source)
		return source;
	return parts.map((part) => {
		if (part.kind === 'text') return textBlock(part);
		if (sameFormat && part.kind === 'opaque' && part.raw !== undefined) return part.raw;
		// Only text blocks are valid in `system`: anything else from another format is shown as text.
		return { type: 'text', text: partText(part) };
	});
}

function partText(part: Part): string {
	switch (part.kind) {
		case 'toolCall':
			return part.argumentsText;
		case 'image':
			return `[image ${part.mediaType}, ${part.byteLength} bytes]`;
		default:
			return part.text;
	}
}

/** One Message as an Anthropic message, or undefined when nothing writable is left in it. */
function writeMessage(message: Message, sameFormat: boolean): JsonRecord | undefined {
	const source = sourceOf(message, sameFormat);
	const fromAnthropic = source !== undefined;
	const role = message.role === 'assistant' ? 'assistant' : 'user';
	const sourceContent = source?.['content'];
	const only = message.parts[0];
	let content: unknown;
	if (message.parts.length === 1 && only?.kind === 'text' && !Array.isArray(sourceContent)) {
		content = only.text;
	} else if (
		message.parts.length === 1 &&
		only?.kind === 'opaque' &&
		fromAnthropic &&
		only.raw === sourceContent
	) {
		content = sourceContent;
	} else {
		const blocks = message.parts.map((part) => block(part, fromAnthropic)).filter((b) => b !== undefined);
		const resultsFirst = fromAnthropic ? blocks : orderResultsFirst(blocks);
		if (resultsFirst.length === 0) {
			if (source === undefined || !isEmptyValue(sourceContent)) return undefined;
			content = sourceContent;
		} else {
			content = resultsFirst;
		}
	}
	const fields = new Map<string, unknown>([
		['role', role],
		['content', content],
	]);
	// A response body (`type: 'message'`) carries id, model, usage…: only role and content belong in a request.
	const keys = source !== undefined && source['type'] === 'message' ? undefined : source;
	return mergeWithSource(fields, keys, (key) => key === 'role' || key === 'content');
}

/** Anthropic wants tool results first in a user turn. */
function orderResultsFirst(blocks: unknown[]): unknown[] {
	const results = blocks.filter((b) => isRecord(b) && b['type'] === 'tool_result');
	if (results.length === 0 || results.length === blocks.length) return blocks;
	return [...results, ...blocks.filter((b) => !(isRecord(b) && b['type'] === 'tool_result'))];
}

function block(part: Part, fromAnthropic: boolean): unknown {
	const raw = isRecord(part.raw) ? part.raw : undefined;
	switch (part.kind) {
		case 'text':
			return textBlock(part);
		case 'thinking':
			if (raw?.['type'] === 'thinking' && !part.isRedacted && raw['thinking'] === part.text) return raw;
			if (raw?.['type'] === 'redacted_thinking' && part.isRedacted) return raw;
			return undefined;
		case 'toolCall':
			return toolUseBlock(part, raw);
		case 'toolResult':
			return toolResultBlock(part, raw);
		case 'image':
			return imageBlock(part);
		case 'opaque':
			return fromAnthropic && part.raw !== undefined ? part.raw : { type: 'text', text: part.text };
	}
}

function textBlock(part: TextPart): unknown {
	const raw = part.raw;
	if (isRecord(raw) && raw['type'] === 'text')
		return raw['text'] === part.text ? raw : { ...raw, text: part.text };
	return { type: 'text', text: part.text };
}

function toolUseBlock(part: ToolCallPart, raw: JsonRecord | undefined): unknown {
	if (raw?.['type'] === 'tool_use') {
		if (
			textOf(raw['id']) === part.callId &&
			textOf(raw['name']) === part.name &&
			argumentsTextOf(raw) === part.argumentsText
		)
			return raw;
		return { ...raw, id: part.callId, name: part.name, input: inputOf(part.argumentsText) };
	}
	return { type: 'tool_use', id: part.callId, name: part.name, input: inputOf(part.argumentsText) };
}

/** `input` must be an object: arguments that are not a JSON object are kept as text under `arguments`. */
function inputOf(argumentsText: string): unknown {
	try {
		const parsed: unknown = JSON.parse(argumentsText);
		if (isRecord(parsed)) return parsed;
	} catch {
		// Invalid JSON arguments (possible from other formats) are wrapped below.
	}
	return { arguments: argumentsText };
}

function toolResultBlock(part: ToolResultPart, raw: JsonRecord | undefined): unknown {
	if (raw?.['type'] === 'tool_result') {
		const content = raw['content'];
		const same =
			textOf(raw['tool_use_id']) === part.callId &&
			(raw['is_error'] === true) === part.isError &&
			resultTextOf(content) === part.text &&
			toolResultContent(content).images.length === part.images.length;
		if (same) return raw;
	}
	const base: JsonRecord = raw?.['type'] === 'tool_result' ? raw : { type: 'tool_result' };
	const content =
		part.images.length === 0
			? part.text
			: [{ type: 'text', text: part.text }, ...part.images.map(imageBlock)];
	const isError = part.isError ? true : base['is_error'] === false ? false : undefined;
	const fields = new Map<string, unknown>([
		['tool_use_id', part.callId],
		['content', content],
		['is_error', isError],
	]);
	return mergeWithSource(fields, base, () => false);
}

function imageBlock(part: ImagePart): unknown {
	const raw = part.raw;
	if (isRecord(raw) && raw['type'] === 'image') return raw;
	const data = imageDataOf(raw);
	if (data === undefined)
		return { type: 'text', text: `[image ${part.mediaType}, ${part.byteLength} bytes]` };
	if ('url' in data) return { type: 'image', source: { type: 'url', url: data.url } };
	return { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.base64 } };
}
