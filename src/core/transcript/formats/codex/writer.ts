import type { ShapedForWrite, WriteOptions, WrittenTranscript } from '../../format';
import {
	messagesInWindow,
	type Message,
	type Part,
	type RecordedUsage,
	type ToolCallPart,
	type ToolResultPart,
	type Transcript,
} from '../../model';
import { pairToolCalls } from '../../toolPairs';
import { isRealUserMessage, itemOfRecord, textOf } from './accumulator';
import { isObject, jsonText, readOutput, readResponseItem, samePart, type JsonObject } from './items';
import { codexSummaryPrefix } from './summaryPrefix';

/** How a message becomes ResponseItems: the plain layout keeps reasoning; the compacted layout keeps only answered calls. */
interface ItemMode {
	readonly keepsReasoning: boolean;
	keepsCall(callId: string): boolean;
}

/** Longest preview taken from a summary when the transcript has no request of its own, in characters. */
const previewChars = 200;

const plainMode: ItemMode = { keepsReasoning: true, keepsCall: () => true };

/**
 * Writes a transcript as a new Codex rollout that `codex resume <id>` accepts (FORMATS.md §2 and §8).
 * With a summary in the window: session_meta, a user_message event, one `compacted` line holding the whole
 * window as replacement_history, the last turn_context and a context_compacted event. Without one: the window's
 * messages as response_item lines, unchanged ones verbatim.
 */
export function writeCodexRollout(transcript: Transcript, options: WriteOptions): WrittenTranscript {
	const sessionId = options.sessionId ?? crypto.randomUUID();
	const date = parseDate(options.now);
	const now = date.toISOString();
	const window = messagesInWindow(transcript);
	const records: unknown[] = [sessionMetaRecord(transcript, sessionId, now)];
	const preview = firstRequestText(transcript.messages) ?? firstRequestText(window) ?? firstUserText(window);
	// With no message to write, the event would be the file's only user text and read back as a message.
	if (preview !== undefined && window.length > 0) {
		// The resume picker previews a session by its first user_message event and may hide sessions without one.
		records.push(
			eventRecord(now, {
				type: 'user_message',
				message: preview,
				images: [],
				local_images: [],
				text_elements: [],
			}),
		);
	}
	const turnContext = lastTurnContext(transcript);
	const summaryAt = findLastIndex(window, (m) => m.flags.isSummary);
	const contextWindow = transcript.meta.contextWindow;
	if (summaryAt === -1) {
		if (turnContext !== undefined) records.push(restamp(turnContext, now));
		for (const message of window) {
			records.push(...plainRecords(message, now));
			if (message.usage !== undefined)
				records.push(tokenCountRecord(message.timestamp ?? now, message.usage, contextWindow));
		}
	} else {
		records.push(compactedRecord(window, summaryAt, now));
		if (turnContext !== undefined) records.push(restamp(turnContext, now));
		records.push(eventRecord(now, { type: 'context_compacted' }));
		// The reader gives a token_count to the message before it: after the compacted line, the window's last.
		const usage = window[window.length - 1]?.usage;
		if (usage !== undefined) records.push(tokenCountRecord(now, usage, contextWindow));
	}
	// The window is recorded on token counts: a file with none still names it, with a count no reader takes as usage.
	if (contextWindow !== undefined && !window.some((m) => m.usage !== undefined))
		records.push(tokenCountRecord(now, { inputTokens: 0, outputTokens: 0, contextTokens: 0 }, contextWindow));
	return {
		text: records.map((r) => JSON.stringify(r)).join('\n') + '\n',
		fileName: `rollout-${fileStamp(options.now, date)}-${sessionId}.jsonl`,
		sessionId,
		resumeHint: `codex resume ${sessionId}`,
	};
}

/**
 * The window as writeCodexRollout lays it out: with a summary, Codex's compacted history carries no reasoning
 * (as in Codex's own compactions), so reasoning parts go, and messages left empty with them.
 */
export function shapeCodexRollout(transcript: Transcript): ShapedForWrite {
	const window = messagesInWindow(transcript);
	if (!window.some((m) => m.flags.isSummary)) return { transcript, notes: [] };
	let dropped = 0;
	const shaped = new Map<Message, Message | undefined>();
	for (const message of window) {
		if (!message.parts.some((p) => p.kind === 'thinking')) continue;
		const parts = message.parts.filter((p) => p.kind !== 'thinking');
		dropped += message.parts.length - parts.length;
		shaped.set(message, parts.length > 0 ? { ...message, parts } : undefined);
	}
	if (dropped === 0) return { transcript, notes: [] };
	const messages = transcript.messages.flatMap((m) => {
		if (!shaped.has(m)) return [m];
		const kept = shaped.get(m);
		return kept !== undefined ? [kept] : [];
	});
	return {
		transcript: { ...transcript, messages },
		notes: [
			`${dropped} reasoning item${dropped === 1 ? ' is' : 's are'} left out: a compacted Codex history never carries reasoning.`,
		],
	};
}

function parseDate(now: string | undefined): Date {
	const date = now === undefined ? new Date() : new Date(now);
	return Number.isNaN(date.getTime()) ? new Date() : date;
}

/** `YYYY-MM-DDThh-mm-ss` as Codex names files: the clock digits of `now` when given, else local time. */
function fileStamp(now: string | undefined, date: Date): string {
	const given = now === undefined ? null : /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(now);
	if (given !== null) return `${given[1]}T${given[2]}-${given[3]}-${given[4]}`;
	const pad = (n: number): string => String(n).padStart(2, '0');
	return (
		`${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
		`T${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`
	);
}

function sessionMetaRecord(transcript: Transcript, sessionId: string, now: string): JsonObject {
	const original = transcript.passthrough.find((p) => isEnvelope(p.record, 'session_meta'))?.record;
	if (isObject(original) && isObject(original['payload'])) {
		const payload = original['payload'];
		// model_provider is copied unchanged: Codex refuses to resume a rollout from another provider (§8).
		const next: JsonObject = { ...payload, id: sessionId, timestamp: now };
		if ('session_id' in payload) next['session_id'] = sessionId;
		if (typeof payload['id'] === 'string') next['forked_from_id'] = payload['id'];
		return { ...withoutOrdinal(original), timestamp: now, payload: next };
	}
	const { meta } = transcript;
	return {
		timestamp: now,
		type: 'session_meta',
		payload: {
			id: sessionId,
			timestamp: now,
			cwd: meta.cwd ?? '',
			originator: 'context_lens',
			cli_version: '0.0.0',
			source: 'cli',
			// Files without a session_meta (legacy rollouts, other formats) name no provider; Codex's default is openai.
			model_provider: 'openai',
			...(meta.systemText !== undefined ? { base_instructions: { text: meta.systemText } } : {}),
			...(meta.sessionId !== undefined ? { forked_from_id: meta.sessionId } : {}),
		},
	};
}

function firstRequestText(messages: readonly Message[]): string | undefined {
	const request =
		messages.find(isRealUserMessage) ??
		messages.find((m) => m.role === 'user' && !m.flags.isMeta && !m.flags.isSummary);
	const text = request === undefined ? '' : textOf(request);
	return text === '' ? undefined : text;
}

/** Any user text of the window, the summary included: a preview for a transcript that has no request left. */
function firstUserText(messages: readonly Message[]): string | undefined {
	const text = messages
		.filter((m) => m.role === 'user')
		.map(textOf)
		.find((t) => t !== '');
	return text === undefined ? undefined : text.slice(0, previewChars);
}

function lastTurnContext(transcript: Transcript): JsonObject | undefined {
	for (let i = transcript.passthrough.length - 1; i >= 0; i--) {
		const record = transcript.passthrough[i]?.record;
		if (isEnvelope(record, 'turn_context') && isObject(record)) return record;
	}
	return undefined;
}

function isEnvelope(record: unknown, kind: string): boolean {
	return isObject(record) && record['type'] === kind && isObject(record['payload']);
}

/**
 * Newer builds number lines with `ordinal`; a new file starts its own sequence, so copied lines drop theirs
 * rather than carry numbers that no longer follow each other.
 */
function withoutOrdinal(record: JsonObject): JsonObject {
	if (!('ordinal' in record)) return record;
	const { ordinal: _ordinal, ...rest } = record;
	return rest;
}

function restamp(record: JsonObject, now: string): JsonObject {
	return { ...withoutOrdinal(record), timestamp: now };
}

/**
 * A token_count event for recorded usage (a compaction restates it for the new window), with the model's window,
 * so the rollout reads back with the same figures and window and Codex resumes with counts of the window it holds.
 */
function tokenCountRecord(
	timestamp: string,
	usage: RecordedUsage,
	fallbackWindow: number | undefined,
): JsonObject {
	const counts: JsonObject = {
		input_tokens: usage.inputTokens,
		cached_input_tokens: 0,
		output_tokens: usage.outputTokens,
		reasoning_output_tokens: 0,
		total_tokens: usage.inputTokens + usage.outputTokens,
	};
	const window = usage.contextWindow ?? fallbackWindow;
	return eventRecord(timestamp, {
		type: 'token_count',
		info: {
			total_token_usage: counts,
			last_token_usage: counts,
			...(window !== undefined ? { model_context_window: window } : {}),
		},
		rate_limits: null,
	});
}

function eventRecord(now: string, payload: JsonObject): JsonObject {
	return { timestamp: now, type: 'event_msg', payload };
}

function itemRecord(timestamp: string, item: unknown): JsonObject {
	return { timestamp, type: 'response_item', payload: item };
}

/** The ResponseItem a message came from, when reading it again gives exactly the message's parts. */
function unchangedItem(message: Message): JsonObject | undefined {
	if (message.raw.length !== 1) return undefined;
	const item = itemOfRecord(message.raw[0]);
	if (item === undefined) return undefined;
	const reading = readResponseItem(item);
	if (reading.kind !== 'message' || reading.item.role !== message.role) return undefined;
	const parts = reading.item.parts;
	if (parts.length !== message.parts.length) return undefined;
	return parts.every((part, i) => {
		const other = message.parts[i];
		return other !== undefined && samePart(part, other);
	})
		? item
		: undefined;
}

function plainRecords(message: Message, now: string): JsonObject[] {
	const item = unchangedItem(message);
	const source = message.raw[0];
	if (item !== undefined) {
		if (isEnvelope(source, 'response_item') && isObject(source)) {
			const record = withoutOrdinal(source);
			return [typeof record['timestamp'] === 'string' ? record : { ...record, timestamp: now }];
		}
		return [itemRecord(message.timestamp ?? now, item)];
	}
	return messageItems(message, plainMode).map((i) => itemRecord(message.timestamp ?? now, i));
}

/** The compacted line: every window message in order, reasoning dropped, only calls whose result is also kept. */
function compactedRecord(window: readonly Message[], summaryAt: number, now: string): JsonObject {
	const answered = new Set(pairToolCalls(window).pairs.map((p) => p.callId));
	const mode: ItemMode = { keepsReasoning: false, keepsCall: (callId) => answered.has(callId) };
	const history: unknown[] = [];
	let summaryText = '';
	window.forEach((message, index) => {
		if (index !== summaryAt) {
			history.push(...messageItems(message, mode));
			return;
		}
		const summary = summaryItem(message);
		history.push(summary.item);
		summaryText = summary.text;
	});
	return {
		timestamp: now,
		type: 'compacted',
		payload: { message: summaryText, replacement_history: history },
	};
}

function summaryItem(message: Message): { item: unknown; text: string } {
	const only = message.parts.length === 1 ? message.parts[0] : undefined;
	if (only?.kind === 'opaque' && only.label === 'compaction' && isObject(only.raw)) {
		// A server-side compaction keeps its encrypted item; Codex pairs it with an empty message.
		return { item: only.raw, text: '' };
	}
	const text = message.parts
		.filter((p) => p.kind === 'text' || p.kind === 'opaque')
		.map((p) => (p.kind === 'text' || p.kind === 'opaque' ? p.text : ''))
		.join('\n');
	const full =
		text.startsWith(codexSummaryPrefix) || isSourceSummary(message, text)
			? text
			: `${codexSummaryPrefix}\n${text}`;
	return {
		item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: full }] },
		text: full,
	};
}

/** True when the summary is still the text Codex itself wrote (it then already carries Codex's own prefix). */
function isSourceSummary(message: Message, text: string): boolean {
	if (unchangedItem(message) !== undefined) return true;
	const source = message.raw[0];
	return (
		isEnvelope(source, 'compacted') &&
		isObject(source) &&
		isObject(source['payload']) &&
		source['payload']['message'] === text
	);
}

/**
 * The ResponseItems of one message. Unchanged non-message items are copied; message items are rebuilt from the
 * parts so every content is a list of typed parts (Codex drops a compacted line whose history has a string content).
 */
function messageItems(message: Message, mode: ItemMode): unknown[] {
	const item = unchangedItem(message);
	if (item !== undefined && item['type'] !== 'message') return keepsItem(item, message, mode) ? [item] : [];
	const role = message.role === 'tool' ? 'user' : message.role;
	const textType = role === 'assistant' ? 'output_text' : 'input_text';
	const items: unknown[] = [];
	let content: unknown[] = [];
	const flush = (): void => {
		if (content.length === 0) return;
		items.push({ type: 'message', role, content });
		content = [];
	};
	for (const part of message.parts) {
		const piece = contentOf(part, textType);
		if (piece === null) continue;
		if (piece !== undefined) {
			content.push(piece);
			continue;
		}
		const standalone = standaloneItem(part, mode);
		if (standalone === undefined) continue;
		flush();
		items.push(standalone);
	}
	flush();
	return items;
}

function keepsItem(item: JsonObject, message: Message, mode: ItemMode): boolean {
	if (item['type'] === 'reasoning') return mode.keepsReasoning;
	return message.parts.every((p) =>
		p.kind === 'toolCall' || p.kind === 'toolResult' ? mode.keepsCall(p.callId) : true,
	);
}

/** A part as a content entry of a message; undefined for parts that are items of their own, null for parts left out. */
function contentOf(part: Part, textType: string): unknown {
	switch (part.kind) {
		case 'text':
			return isObject(part.raw) && part.raw['type'] === textType && part.raw['text'] === part.text
				? part.raw
				: { type: textType, text: part.text };
		case 'image':
			return imageContent(part.raw);
		case 'opaque':
			if (isObject(part.raw) && isStandaloneType(part.raw['type'])) return undefined;
			// Encrypted blobs are bound to the item that carried them; as text they would mean nothing.
			return part.label === 'encrypted_content' ? null : { type: textType, text: part.text };
		default:
			return undefined;
	}
}

function isStandaloneType(type: unknown): boolean {
	return (
		type === 'web_search_call' ||
		type === 'image_generation_call' ||
		type === 'compaction' ||
		type === 'compaction_summary'
	);
}

function imageContent(raw: unknown): unknown {
	if (isObject(raw) && raw['type'] === 'input_image') return raw;
	if (typeof raw === 'string' && raw.startsWith('data:')) return { type: 'input_image', image_url: raw };
	return null;
}

function standaloneItem(part: Part, mode: ItemMode): unknown {
	switch (part.kind) {
		case 'toolCall':
			return mode.keepsCall(part.callId) ? toolCallItem(part) : undefined;
		case 'toolResult':
			return mode.keepsCall(part.callId) ? toolResultItem(part) : undefined;
		case 'thinking':
			// Only the original reasoning item can go back: its encrypted content is bound to the original context.
			return mode.keepsReasoning && isObject(part.raw) && part.raw['type'] === 'reasoning'
				? part.raw
				: undefined;
		case 'opaque':
			return isObject(part.raw) && isStandaloneType(part.raw['type']) ? part.raw : undefined;
		default:
			return undefined;
	}
}

function toolCallItem(part: ToolCallPart): JsonObject {
	const raw = isObject(part.raw) ? part.raw : {};
	switch (raw['type']) {
		case 'custom_tool_call':
			return { ...raw, call_id: part.callId, name: part.name, input: same(raw['input'], part.argumentsText) };
		case 'local_shell_call':
		case 'tool_search_call': {
			const key = raw['type'] === 'local_shell_call' ? 'action' : 'arguments';
			if (jsonText(raw[key]) === part.argumentsText) return raw;
			const parsed = parseJson(part.argumentsText);
			if (isObject(parsed)) return { ...raw, [key]: parsed };
			break;
		}
		case 'function_call':
			return {
				...raw,
				call_id: part.callId,
				name: part.name,
				arguments: same(raw['arguments'], part.argumentsText),
			};
	}
	return { type: 'function_call', name: part.name, arguments: part.argumentsText, call_id: part.callId };
}

function toolResultItem(part: ToolResultPart): JsonObject {
	const raw = isObject(part.raw) ? part.raw : {};
	const type = raw['type'];
	if (type === 'tool_search_output' && jsonText(raw['tools']) === part.text) return raw;
	const output = toolOutput(part, raw['output']);
	if (type === 'function_call_output' || type === 'custom_tool_call_output')
		return { ...raw, call_id: part.callId, output };
	return { type: 'function_call_output', call_id: part.callId, output };
}

/** The output value for a result: the original when it still reads the same, else a string or a typed list with images. */
function toolOutput(part: ToolResultPart, original: unknown): unknown {
	if (original !== undefined) {
		const before = readOutput(original);
		const unchanged =
			before.text === part.text &&
			before.isError === part.isError &&
			before.images.length === part.images.length &&
			before.images.every((image, i) => {
				const other = part.images[i];
				return other !== undefined && samePart(image, other);
			});
		if (unchanged) return original;
	}
	const images = part.images.map((image) => imageContent(image.raw)).filter((c) => c !== null);
	// The older `{content, success}` shape is the only one that records a failure; keep it where the source used it.
	if (isObject(original) && typeof original['content'] === 'string' && images.length === 0) {
		return { ...original, content: part.text, success: !part.isError };
	}
	if (images.length === 0) return part.text;
	return [{ type: 'input_text', text: part.text }, ...images];
}

function same(original: unknown, text: string): unknown {
	return jsonText(original) === text ? original : text;
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
	for (let i = items.length - 1; i >= 0; i--) {
		const item = items[i];
		if (item !== undefined && test(item)) return i;
	}
	return -1;
}
