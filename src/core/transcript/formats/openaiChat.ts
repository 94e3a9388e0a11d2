import {
	notThisFormat,
	readSingleRecord,
	type AccumulatedTranscript,
	type DetectionSample,
	type DetectionVerdict,
	type DocumentContext,
	type RecordAccumulator,
	type TranscriptFormat,
	type WrittenTranscript,
} from '../format';
import type {
	Diagnostic,
	ImagePart,
	Message,
	OpaquePart,
	Part,
	PassthroughRecord,
	RecordedUsage,
	Role,
	TextPart,
	ThinkingPart,
	ToolCallPart,
	ToolResultPart,
	Transcript,
} from '../model';
import { noFlags } from '../model';
import {
	MessageIds,
	imageDataOf,
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
 * OpenAI Chat Completions messages, as frameworks save them (FORMATS.md section 3).
 *
 * Three layouts are read: a JSON array of messages (mini-swe-agent v1 trajectories), a JSON object with a
 * `messages` array and other keys (`{model, messages, tools, usage}` requests, mini-swe-agent v2
 * `{info, messages, trajectory_format}`), and JSONL with one message per line. The layout and, for the object
 * layout, the whole top-level object are kept as an {@link OpenaiChatLayout} passthrough record at line 0; the
 * writer reproduces the same layout and keeps every other key. Elements that are not messages (no role, an
 * unknown role, not an object) are kept as passthrough records at their line and written back in place.
 *
 * One source message becomes one Message; `function`-role results become role `tool`. Part `raw` values are
 * the source content items and tool calls; parts taken from message fields carry a one-key object naming the
 * field (`{content}`, `{refusal}`, `{reasoning_content}`, `{reasoning}`, `{function_call}`); tool results carry
 * the whole tool message. The writer emits a raw value verbatim while the part still matches it.
 */
export const openaiChatFormat: TranscriptFormat = {
	id: 'openai-chat',
	label: 'OpenAI chat messages',
	isJsonl: true,
	detect: detectOpenaiChat,
	createAccumulator: () => new OpenaiChatAccumulator(),
	readDocument: readOpenaiChatDocument,
	write: writeOpenaiChat,
};

/** How an OpenAI chat file was laid out; the passthrough record at line 0, so the writer reproduces it. */
export interface OpenaiChatLayout {
	readonly openaiChatLayout: 'array' | 'object' | 'jsonl';
	/** The top-level object of the `object` layout (its `messages` are replaced on writing). */
	readonly envelope?: JsonRecord;
}

const knownRoles: ReadonlySet<string> = new Set([
	'system',
	'developer',
	'user',
	'assistant',
	'tool',
	'function',
]);
const textItemTypes: ReadonlySet<string> = new Set(['text', 'input_text', 'output_text']);
const openaiItemTypes: ReadonlySet<string> = new Set(['image_url', 'input_image', 'input_audio', 'file']);
const anthropicBlockTypes: ReadonlySet<string> = new Set([
	'tool_use',
	'tool_result',
	'thinking',
	'redacted_thinking',
]);
const reasoningFields = ['reasoning_content', 'reasoning'] as const;
/** Detection scores (0–100, higher wins): OpenAI-only fields are near-certain, a plain chat likely, Anthropic blocks weak. */
const scores = { openaiFields: 90, plainChat: 60, anthropicLooking: 30 };
/** Messages looked at by detection: enough to see tool use, cheap on huge arrays. */
const detectionMessages = 64;

// ---------------------------------------------------------------------------------------------------------
// Detection

function detectOpenaiChat(sample: DetectionSample): DetectionVerdict | undefined {
	const document = sample.document;
	if (Array.isArray(document)) return rateMessages(document.slice(0, detectionMessages), 'a JSON array');
	if (isRecord(document)) {
		const messages = document['messages'];
		if (!Array.isArray(messages)) return undefined;
		if ('system' in document || 'requests' in document || 'projectHash' in document) return undefined;
		const verdict = rateMessages(messages.slice(0, detectionMessages), 'an object with messages');
		if (verdict === undefined) return undefined;
		const tools = document['tools'];
		const anthropicTools = Array.isArray(tools) && tools.some((t) => isRecord(t) && 'input_schema' in t);
		return anthropicTools ? { ...verdict, score: Math.min(verdict.score, scores.anthropicLooking) } : verdict;
	}
	if (document !== undefined) return undefined;
	const records = sample.firstRecords.filter((r) => r !== undefined);
	if (records.length === 0) return undefined;
	return rateMessages(records, 'JSONL lines');
}

/** Scores a sample of would-be messages: OpenAI-only fields, plain role/content chats, or Anthropic-looking blocks. */
function rateMessages(items: readonly unknown[], container: string): DetectionVerdict | undefined {
	if (items.length === 0) return undefined;
	let openaiSignal = false;
	let anthropicSignal = false;
	let knownRole = false;
	for (const item of items) {
		if (!isRecord(item) || typeof item['role'] !== 'string') return undefined;
		if ('uuid' in item || 'payload' in item || 'parts' in item || item['role'] === 'model') return undefined;
		if (!('content' in item) && !('tool_calls' in item) && !('function_call' in item)) return undefined;
		const role = item['role'];
		if (knownRoles.has(role)) knownRole = true;
		if (
			role === 'tool' ||
			role === 'function' ||
			role === 'developer' ||
			'tool_calls' in item ||
			'tool_call_id' in item ||
			'function_call' in item ||
			'reasoning_content' in item
		) {
			openaiSignal = true;
		}
		const content = item['content'];
		if (Array.isArray(content)) {
			for (const block of content) {
				const type = isRecord(block) ? block['type'] : undefined;
				if (typeof type !== 'string') continue;
				if (openaiItemTypes.has(type)) openaiSignal = true;
				if (anthropicBlockTypes.has(type) || (type === 'image' && 'source' in (block as JsonRecord))) {
					anthropicSignal = true;
				}
			}
		}
	}
	if (!knownRole) return undefined;
	if (openaiSignal)
		return {
			score: scores.openaiFields,
			reason: `${container} of chat messages with OpenAI tool calls or parts`,
		};
	if (anthropicSignal)
		return { score: scores.anthropicLooking, reason: `${container} of role/content messages` };
	return { score: scores.plainChat, reason: `${container} of role/content chat messages` };
}

// ---------------------------------------------------------------------------------------------------------
// Reading

/** Turns message objects, in order, into Messages, passthrough records and diagnostics. */
class OpenaiMessageReader {
	readonly messages: Message[] = [];
	readonly passthrough: PassthroughRecord[] = [];
	readonly diagnostics: Diagnostic[] = [];
	model: string | undefined;
	private readonly ids = new MessageIds();
	private readonly seenCalls = new Set<string>();
	/** Legacy `function_call`s not yet answered, by function name (answered in order). */
	private readonly openFunctionCalls = new Map<string, string[]>();
	private index = 0;

	add(value: unknown, line: number): void {
		const index = this.index++;
		if (!isRecord(value)) {
			this.warn(line, `element ${index + 1} is not a message object (${describeValue(value)}); kept as is`);
			this.passthrough.push({ line, record: value });
			return;
		}
		const role = value['role'];
		if (typeof role !== 'string') {
			this.warn(line, `message ${index + 1} has no role; kept as is and not counted`);
			this.passthrough.push({ line, record: value });
			return;
		}
		if (!knownRoles.has(role)) {
			this.warn(line, `message ${index + 1} has the unknown role ${JSON.stringify(role)}; kept as is`);
			this.passthrough.push({ line, record: value });
			return;
		}
		const id = this.ids.next(value['id'], index);
		const parts =
			role === 'tool' || role === 'function'
				? [this.readToolResult(value, role, line)]
				: this.readParts(value, id);
		const usage = usageOf(value['usage']);
		const model = stringOf(value['model']);
		if (model !== undefined && role === 'assistant') this.model = model;
		const timestamp = timestampOf(value['timestamp']);
		this.messages.push({
			id,
			role: role === 'function' ? 'tool' : (role as Role),
			parts,
			flags: noFlags,
			lines: { from: line, to: line },
			raw: [value],
			...(timestamp !== undefined ? { timestamp } : {}),
			...(model !== undefined ? { model } : {}),
			...(usage !== undefined ? { usage } : {}),
		});
	}

	private readParts(value: JsonRecord, id: string): Part[] {
		const parts: Part[] = [];
		for (const field of reasoningFields) {
			const text = value[field];
			if (typeof text === 'string' && text !== '') {
				parts.push({ kind: 'thinking', text, isRedacted: false, raw: { [field]: text } });
			}
		}
		const content = value['content'];
		if (typeof content === 'string') {
			if (content !== '') parts.push({ kind: 'text', text: content, raw: { content } });
		} else if (Array.isArray(content)) {
			for (const item of content) parts.push(contentItemPart(item));
		} else if (content !== null && content !== undefined) {
			parts.push(opaquePart(content, 'content'));
		}
		const refusal = value['refusal'];
		if (typeof refusal === 'string' && refusal !== '')
			parts.push({ kind: 'text', text: refusal, raw: { refusal } });
		const toolCalls = value['tool_calls'];
		if (Array.isArray(toolCalls)) {
			for (const call of toolCalls) {
				const part = toolCallPart(call);
				if (part.kind === 'toolCall') this.seenCalls.add(part.callId);
				parts.push(part);
			}
		}
		const functionCall = value['function_call'];
		if (isRecord(functionCall)) {
			const name = stringOf(functionCall['name']) ?? '';
			const callId = `${id}/function_call`;
			this.seenCalls.add(callId);
			const open = this.openFunctionCalls.get(name) ?? [];
			open.push(callId);
			this.openFunctionCalls.set(name, open);
			parts.push({
				kind: 'toolCall',
				callId,
				name,
				argumentsText: argumentsTextOf(functionCall['arguments']),
				raw: { function_call: functionCall },
			});
		}
		return parts;
	}

	private readToolResult(value: JsonRecord, role: string, line: number): ToolResultPart {
		const { text, images } = toolResultContent(value['content']);
		let callId: string;
		if (role === 'function') {
			const name = stringOf(value['name']) ?? '';
			const open = this.openFunctionCalls.get(name);
			const answered = open?.shift();
			callId = answered ?? `function:${name}`;
			if (answered === undefined) {
				this.warn(line, `function result ${JSON.stringify(name)} answers no earlier function_call`);
			}
		} else {
			const id = value['tool_call_id'];
			callId = typeof id === 'string' ? id : '';
			if (typeof id !== 'string') this.warn(line, 'tool message without a tool_call_id');
			else if (!this.seenCalls.has(id)) {
				this.warn(
					line,
					`tool message answers call id ${JSON.stringify(id)}, which no earlier assistant message made`,
				);
			}
		}
		return { kind: 'toolResult', callId, text, isError: false, images, raw: value };
	}

	private warn(line: number, message: string): void {
		this.diagnostics.push({ severity: 'warning', line, message });
	}
}

function describeValue(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return `a ${typeof value}`;
}

function contentItemPart(item: unknown): Part {
	if (!isRecord(item)) return opaquePart(item, 'content');
	const type = item['type'];
	const text = stringOf(item['text']);
	if (typeof type === 'string' && textItemTypes.has(type) && text !== undefined)
		return { kind: 'text', text, raw: item };
	const refusal = stringOf(item['refusal']);
	if (type === 'refusal' && refusal !== undefined) return { kind: 'text', text: refusal, raw: item };
	if (type === 'image_url' || type === 'input_image') {
		const source = item['image_url'];
		const url = isRecord(source) ? stringOf(source['url']) : stringOf(source);
		if (url !== undefined) return imageFromUrl(url, item);
	}
	return opaquePart(item, 'content');
}

/** A string field as the reader saw it: anything else reads as ''. */
function textOf(value: unknown): string {
	return stringOf(value) ?? '';
}

/** Arguments as the model wrote them: the string as is; an object some frameworks store is shown as JSON. */
function argumentsTextOf(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value === undefined || value === null) return '';
	return JSON.stringify(value);
}

/** Label of a `tool_calls` entry we cannot read, so the writer puts it back among the tool calls. */
const opaqueToolCallLabel = 'tool_calls[]';

function opaqueToolCall(call: unknown): OpaquePart {
	return { kind: 'opaque', label: opaqueToolCallLabel, text: opaqueJsonText(call), raw: call };
}

function toolCallPart(call: unknown): ToolCallPart | OpaquePart {
	if (!isRecord(call)) return opaqueToolCall(call);
	const callId = stringOf(call['id']) ?? '';
	const fn = call['function'];
	if (isRecord(fn)) {
		return {
			kind: 'toolCall',
			callId,
			name: stringOf(fn['name']) ?? '',
			argumentsText: argumentsTextOf(fn['arguments']),
			raw: call,
		};
	}
	const custom = call['custom'];
	if (isRecord(custom)) {
		return {
			kind: 'toolCall',
			callId,
			name: stringOf(custom['name']) ?? '',
			argumentsText: argumentsTextOf(custom['input']),
			raw: call,
		};
	}
	return opaqueToolCall(call);
}

const resultTexts = new WeakMap<object, string>();

/** What a tool message's content reads as: its text (items joined by newlines) and its images. */
function toolResultContent(content: unknown): { text: string; images: ImagePart[] } {
	if (typeof content === 'string') return { text: content, images: [] };
	if (!Array.isArray(content)) {
		return { text: content === null || content === undefined ? '' : opaqueJsonText(content), images: [] };
	}
	const texts: string[] = [];
	const images: ImagePart[] = [];
	for (const item of content) {
		const part = contentItemPart(item);
		if (part.kind === 'image') images.push(part);
		else if (part.kind === 'text' || part.kind === 'opaque') texts.push(part.text);
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

function usageOf(value: unknown): RecordedUsage | undefined {
	if (!isRecord(value)) return undefined;
	const input = value['prompt_tokens'];
	const output = value['completion_tokens'];
	if (typeof input !== 'number' || typeof output !== 'number') return undefined;
	return { inputTokens: input, outputTokens: output, contextTokens: input + output };
}

function layoutRecord(layout: OpenaiChatLayout): PassthroughRecord {
	return { line: 0, record: layout };
}

/** Reads one message per line (the JSONL layout). */
class OpenaiChatAccumulator implements RecordAccumulator {
	private readonly reader = new OpenaiMessageReader();

	addRecord(record: unknown, line: number): void {
		this.reader.add(record, line);
	}

	build(): AccumulatedTranscript {
		const model = this.reader.model;
		return {
			messages: this.reader.messages.slice(),
			passthrough: [layoutRecord({ openaiChatLayout: 'jsonl' }), ...this.reader.passthrough],
			meta: model !== undefined ? { model } : {},
			diagnostics: this.reader.diagnostics.slice(),
		};
	}
}

function readOpenaiChatDocument(document: unknown, context: DocumentContext): AccumulatedTranscript {
	if (Array.isArray(document)) {
		const reader = readElements(document, locateDocumentLines(context.text).elementLines);
		return {
			messages: reader.messages,
			passthrough: [layoutRecord({ openaiChatLayout: 'array' }), ...reader.passthrough],
			meta: reader.model !== undefined ? { model: reader.model } : {},
			diagnostics: reader.diagnostics,
		};
	}
	if (isRecord(document) && Array.isArray(document['messages'])) {
		const lines = locateDocumentLines(context.text, 'messages');
		const reader = readElements(document['messages'], lines.elementLines);
		const messages = attachTopLevelUsage(reader.messages, usageOf(document['usage']));
		const model = stringOf(document['model']) ?? reader.model;
		const tools = document['tools'];
		const systemText = Array.isArray(tools) && tools.length > 0 ? JSON.stringify(tools) : undefined;
		return {
			messages,
			passthrough: [layoutRecord({ openaiChatLayout: 'object', envelope: document }), ...reader.passthrough],
			meta: {
				...(model !== undefined ? { model } : {}),
				...(systemText !== undefined ? { systemText } : {}),
			},
			diagnostics: reader.diagnostics,
		};
	}
	if (isRecord(document) && 'role' in document) {
		// A JSONL file of one line parses as a single JSON document.
		return readSingleRecord(new OpenaiChatAccumulator(), document);
	}
	return notThisFormat(
		'not OpenAI chat messages: expected a JSON array of {role, content} messages, an object with a messages array, or one message per line',
	);
}

function readElements(elements: readonly unknown[], lines: readonly number[]): OpenaiMessageReader {
	const reader = new OpenaiMessageReader();
	elements.forEach((element, index) => reader.add(element, lines[index] ?? 1));
	return reader;
}

function attachTopLevelUsage(messages: Message[], usage: RecordedUsage | undefined): Message[] {
	const last = messages[messages.length - 1];
	if (usage === undefined || last === undefined) return messages;
	return [...messages.slice(0, -1), { ...last, usage }];
}

// ---------------------------------------------------------------------------------------------------------
// Writing

function writeOpenaiChat(transcript: Transcript): WrittenTranscript {
	const sameFormat = transcript.format === 'openai-chat';
	const layout = sameFormat ? findLayout(transcript.passthrough) : undefined;
	const kept = sameFormat ? transcript.passthrough.filter((p) => p.line > 0) : [];
	const elements: unknown[] = [];
	let next = 0;
	for (const message of transcript.messages) {
		// Elements that were not messages go back before the first later message that came from the file.
		if (message.raw.length > 0) {
			while (next < kept.length && (kept[next]?.line ?? 0) < message.lines.from) {
				elements.push(kept[next]?.record);
				next++;
			}
		}
		elements.push(...writeMessage(message, sameFormat));
	}
	for (; next < kept.length; next++) elements.push(kept[next]?.record);
	const shape = layout?.openaiChatLayout ?? 'array';
	if (shape === 'jsonl') return { text: elements.map((e) => `${JSON.stringify(e)}\n`).join('') };
	if (shape === 'object') {
		const envelope = layout?.envelope ?? {};
		const body = Object.fromEntries([
			...Object.entries(envelope).map(([key, value]) => [key, key === 'messages' ? elements : value]),
			...('messages' in envelope ? [] : [['messages', elements]]),
		]) as JsonRecord;
		return { text: `${JSON.stringify(body, null, 2)}\n` };
	}
	return { text: `${JSON.stringify(elements, null, 2)}\n` };
}

function findLayout(passthrough: readonly PassthroughRecord[]): OpenaiChatLayout | undefined {
	for (const entry of passthrough) {
		if (entry.line === 0 && isRecord(entry.record) && typeof entry.record['openaiChatLayout'] === 'string') {
			return entry.record as unknown as OpenaiChatLayout;
		}
	}
	return undefined;
}

/** The source message object when the message was read from an OpenAI chat file. */
function sourceOf(message: Message, sameFormat: boolean): JsonRecord | undefined {
	const raw = message.raw[0];
	return sameFormat && message.raw.length === 1 && isRecord(raw) && typeof raw['role'] === 'string'
		? raw
		: undefined;
}

/** One Message as OpenAI messages: each tool result is its own `tool` message, other parts follow in one message. */
function writeMessage(message: Message, sameFormat: boolean): JsonRecord[] {
	const source = sourceOf(message, sameFormat);
	const results = message.parts.filter((p): p is ToolResultPart => p.kind === 'toolResult');
	if (results.length === 0) {
		return [buildMessage(message.role === 'tool' ? 'user' : message.role, message.parts, source)];
	}
	const out = results.map((part, i) => buildToolMessage(part, i === 0 ? source : undefined));
	const rest = message.parts.filter((p) => p.kind !== 'toolResult');
	if (rest.length > 0)
		out.push(buildMessage(message.role === 'tool' ? 'user' : message.role, rest, undefined));
	return out;
}

/** Fields the writer rebuilds from parts, when they hold the shape the reader took parts from; others stay as they were. */
function isManagedKey(key: string, value: unknown): boolean {
	switch (key) {
		case 'role':
		case 'content':
			return true;
		case 'refusal':
		case 'reasoning_content':
		case 'reasoning':
			return typeof value === 'string';
		case 'tool_calls':
			return Array.isArray(value);
		case 'function_call':
			return isRecord(value);
		default:
			return false;
	}
}

function buildToolMessage(part: ToolResultPart, source: JsonRecord | undefined): JsonRecord {
	const toolSource = source !== undefined && (source['role'] === 'tool' || source['role'] === 'function');
	const fields = new Map<string, unknown>();
	if (toolSource && source['role'] === 'function') {
		fields.set('role', 'function');
	} else {
		fields.set('role', 'tool');
		// The source's own value stays while it still reads as this id (even a missing or malformed one).
		if (!toolSource || textOf(source['tool_call_id']) !== part.callId)
			fields.set('tool_call_id', part.callId);
	}
	fields.set('content', resultContent(part));
	return mergeWithSource(fields, toolSource ? source : undefined, isManagedKey);
}

function resultContent(part: ToolResultPart): unknown {
	const raw = part.raw;
	if (isRecord(raw) && (raw['role'] === 'tool' || raw['role'] === 'function')) {
		const content = raw['content'];
		if (
			resultTextOf(content) === part.text &&
			toolResultContent(content).images.length === part.images.length
		) {
			return content;
		}
	}
	if (part.images.length === 0) return part.text;
	return [{ type: 'text', text: part.text }, ...part.images.map((image) => imageItem(image))];
}

function buildMessage(role: Role, parts: readonly Part[], source: JsonRecord | undefined): JsonRecord {
	const fromOpenai = source !== undefined;
	const fields = new Map<string, unknown>([['role', role]]);
	const reasoning = new Map<string, string[]>();
	const contentParts: Part[] = [];
	const refusals: string[] = [];
	const toolCalls: unknown[] = [];
	for (const part of parts) {
		if (part.kind === 'thinking') {
			if (part.isRedacted && part.text === '') continue;
			const field = reasoningFieldOf(part, fromOpenai);
			reasoning.set(field, [...(reasoning.get(field) ?? []), part.text]);
		} else if (
			part.kind === 'text' &&
			fromOpenai &&
			isRecord(part.raw) &&
			'refusal' in part.raw &&
			!('type' in part.raw)
		) {
			refusals.push(part.text);
		} else if (part.kind === 'toolCall') {
			const legacy = fromOpenai && isRecord(part.raw) ? part.raw['function_call'] : undefined;
			if (isRecord(legacy) && !fields.has('function_call')) {
				const same =
					textOf(legacy['name']) === part.name && argumentsTextOf(legacy['arguments']) === part.argumentsText;
				fields.set(
					'function_call',
					same ? legacy : { ...legacy, name: part.name, arguments: part.argumentsText },
				);
			} else {
				toolCalls.push(toolCallItem(part, fromOpenai));
			}
		} else if (part.kind === 'opaque' && fromOpenai && part.label === opaqueToolCallLabel) {
			toolCalls.push(part.raw);
		} else if (part.kind !== 'toolResult') {
			contentParts.push(part);
		}
	}
	for (const [field, texts] of reasoning) fields.set(field, texts.join('\n\n'));
	fields.set('content', buildContent(role, contentParts, source, fromOpenai));
	if (refusals.length > 0) fields.set('refusal', refusals.join('\n'));
	if (toolCalls.length > 0) fields.set('tool_calls', toolCalls);
	return mergeWithSource(fields, source, isManagedKey);
}

function reasoningFieldOf(part: ThinkingPart, fromOpenai: boolean): string {
	if (fromOpenai && isRecord(part.raw)) {
		for (const field of reasoningFields) if (field in part.raw) return field;
	}
	return 'reasoning_content';
}

/** `content` of a rebuilt message; undefined means "leave the field out" (the source had none). */
function buildContent(
	role: Role,
	parts: readonly Part[],
	source: JsonRecord | undefined,
	fromOpenai: boolean,
): unknown {
	const sourceContent = source?.['content'];
	const only = parts[0];
	if (only === undefined) {
		if (source !== undefined && !('content' in source)) return undefined;
		if (source !== undefined && isEmptyValue(sourceContent)) return sourceContent;
		return role === 'assistant' ? null : '';
	}
	if (parts.length === 1 && only.kind === 'opaque' && only.raw === sourceContent && fromOpenai)
		return sourceContent;
	if (parts.length === 1 && only.kind === 'text' && !Array.isArray(sourceContent)) return only.text;
	return parts.map((part) => contentItem(part, fromOpenai));
}

function contentItem(part: Part, fromOpenai: boolean): unknown {
	switch (part.kind) {
		case 'text':
			return textItem(part);
		case 'image':
			return imageItem(part);
		case 'opaque':
			return fromOpenai && part.raw !== undefined ? part.raw : { type: 'text', text: part.text };
		default:
			return { type: 'text', text: '' };
	}
}

function textItem(part: TextPart): unknown {
	const raw = part.raw;
	if (isRecord(raw) && typeof raw['type'] === 'string') {
		if (raw['type'] === 'refusal')
			return raw['refusal'] === part.text ? raw : { type: 'text', text: part.text };
		if (textItemTypes.has(raw['type'])) return raw['text'] === part.text ? raw : { ...raw, text: part.text };
	}
	return { type: 'text', text: part.text };
}

function imageItem(part: ImagePart): unknown {
	const raw = part.raw;
	if (isRecord(raw) && (raw['type'] === 'image_url' || raw['type'] === 'input_image')) return raw;
	const data = imageDataOf(raw);
	if (data === undefined)
		return { type: 'text', text: `[image ${part.mediaType}, ${part.byteLength} bytes]` };
	const url = 'url' in data ? data.url : `data:${data.mediaType};base64,${data.base64}`;
	return { type: 'image_url', image_url: { url } };
}

function toolCallItem(part: ToolCallPart, fromOpenai: boolean): unknown {
	const raw = fromOpenai && isRecord(part.raw) ? part.raw : undefined;
	const fn = raw?.['function'];
	if (raw !== undefined && isRecord(fn)) {
		if (
			textOf(raw['id']) === part.callId &&
			textOf(fn['name']) === part.name &&
			argumentsTextOf(fn['arguments']) === part.argumentsText
		)
			return raw;
		return { ...raw, id: part.callId, function: { ...fn, name: part.name, arguments: part.argumentsText } };
	}
	const custom = raw?.['custom'];
	if (raw !== undefined && isRecord(custom)) {
		if (
			textOf(raw['id']) === part.callId &&
			textOf(custom['name']) === part.name &&
			argumentsTextOf(custom['input']) === part.argumentsText
		)
			return raw;
		return { ...raw, id: part.callId, custom: { ...custom, name: part.name, input: part.argumentsText } };
	}
	return { id: part.callId, type: 'function', function: { name: part.name, arguments: part.argumentsText } };
}
