import { isJsonObject as isObject, type JsonObject } from '../../json';
import { sameModelView as samePart } from '../../partEquality';
import type { ImagePart, OpaquePart, Part, Role, TextPart, ToolCallPart, ToolResultPart } from '../../model';
import { imagePartFromUrl } from './images';

export { isObject, samePart, type JsonObject };

/** What one Codex ResponseItem means as a message: role, parts and the facts that become flags. */
export interface ParsedItem {
	readonly role: Role;
	readonly parts: readonly Part[];
	readonly isMeta: boolean;
	readonly isSummary: boolean;
	readonly isError: boolean;
	/** The item's own `id`, when it has one. */
	readonly sourceId?: string;
	/** The turn the item says it belongs to (`metadata.turn_id`), when it says. */
	readonly turnId?: string;
}

/** Outcome of reading one ResponseItem: a message, or not a message (kept as passthrough) with an optional warning. */
export type ItemReading =
	| { readonly kind: 'message'; readonly item: ParsedItem }
	| { readonly kind: 'other'; readonly problem?: string };

/** ResponseItem `type`s this reader knows; a bare legacy line with one of these is an item, not metadata. */
export const knownItemTypes: ReadonlySet<string> = new Set([
	'message',
	'reasoning',
	'function_call',
	'function_call_output',
	'custom_tool_call',
	'custom_tool_call_output',
	'local_shell_call',
	'web_search_call',
	'image_generation_call',
	'tool_search_call',
	'tool_search_output',
	'agent_message',
	'compaction',
	'compaction_summary',
	'ghost_snapshot',
]);

/** Starts of the text of context messages Codex injects (environment, AGENTS.md, permissions, user instructions). */
export const contextMessagePrefixes: readonly string[] = [
	'<environment_context>',
	'# AGENTS.md instructions',
	'<permissions instructions>',
	'<user_instructions>',
];

const roles: ReadonlySet<string> = new Set(['user', 'assistant', 'developer', 'system']);

/** Reads one ResponseItem (the `payload` of a `response_item` line, a legacy bare line, or a replacement_history entry). */
export function readResponseItem(item: JsonObject): ItemReading {
	const type = item['type'];
	switch (type) {
		case 'message':
			return readMessage(item);
		case 'reasoning':
			return message(item, 'assistant', [readReasoning(item)]);
		case 'function_call':
		case 'custom_tool_call':
		case 'local_shell_call':
		case 'tool_search_call':
			return readToolCall(item, type);
		case 'function_call_output':
		case 'custom_tool_call_output':
		case 'tool_search_output':
			return readToolOutput(item, type);
		case 'web_search_call':
			// Modelled as an opaque assistant part rather than a tool call: Codex never writes a result item
			// for it, so a call would stay unanswered and look like a broken pair to pairToolCalls.
			return message(item, 'assistant', [opaque(item, 'web_search_call', describeWebSearch(item['action']))]);
		case 'image_generation_call':
			return message(item, 'assistant', [
				opaque(item, 'image_generation_call', stringOr(item['revised_prompt'], '')),
			]);
		case 'agent_message':
			// Another agent's message delivered to this one; its parts are model input, so it reads as a user turn.
			return message(item, 'user', readContent(item['content']));
		case 'compaction':
		case 'compaction_summary':
			return message(item, 'user', [opaque(item, 'compaction', stringOr(item['encrypted_content'], ''))], {
				isSummary: true,
			});
		default:
			return { kind: 'other' };
	}
}

function message(
	item: JsonObject,
	role: Role,
	parts: readonly Part[],
	facts: { isMeta?: boolean; isSummary?: boolean; isError?: boolean } = {},
): ItemReading {
	const sourceId = item['id'];
	const turnId = turnIdOf(item);
	const parsed: ParsedItem = {
		role,
		parts,
		isMeta: facts.isMeta ?? false,
		isSummary: facts.isSummary ?? false,
		isError: facts.isError ?? false,
		...(typeof sourceId === 'string' && sourceId !== '' ? { sourceId } : {}),
		...(turnId !== undefined ? { turnId } : {}),
	};
	return { kind: 'message', item: parsed };
}

function turnIdOf(item: JsonObject): string | undefined {
	for (const key of ['metadata', 'internal_chat_message_metadata_passthrough']) {
		const holder = item[key];
		if (isObject(holder) && typeof holder['turn_id'] === 'string') return holder['turn_id'];
	}
	return undefined;
}

function readMessage(item: JsonObject): ItemReading {
	const role = item['role'];
	if (typeof role !== 'string' || !roles.has(role)) {
		return {
			kind: 'other',
			problem: `message item with role ${JSON.stringify(role)} is not user, assistant, developer or system; kept as is`,
		};
	}
	const content = item['content'];
	if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) {
		return {
			kind: 'other',
			problem: 'message item whose content is neither text nor a list of parts; kept as is',
		};
	}
	const parts = readContent(content);
	const isMeta = role === 'developer' || role === 'system' || (role === 'user' && isContextText(parts));
	return message(item, role as Role, parts, { isMeta });
}

/** True when the message's first text starts like a context message Codex injects. */
function isContextText(parts: readonly Part[]): boolean {
	const first = parts.find((p): p is TextPart => p.kind === 'text');
	if (first === undefined) return false;
	const text = first.text.trimStart();
	return contextMessagePrefixes.some((prefix) => text.startsWith(prefix));
}

/** Parts of a message's `content`: a plain string or a list of typed content items. */
function readContent(content: unknown): Part[] {
	if (typeof content === 'string') return [{ kind: 'text', text: content, raw: content }];
	if (!Array.isArray(content)) return [];
	const parts: Part[] = [];
	for (const entry of content) {
		const part = readContentItem(entry);
		if (part !== undefined) parts.push(part);
	}
	return parts;
}

function readContentItem(entry: unknown): Part | undefined {
	if (typeof entry === 'string') return { kind: 'text', text: entry, raw: entry };
	if (!isObject(entry)) return undefined;
	const type = entry['type'];
	switch (type) {
		case 'input_text':
		case 'output_text':
		case 'text':
		case 'summary_text':
		case 'reasoning_text':
			return { kind: 'text', text: stringOr(entry['text'], ''), raw: entry };
		case 'refusal':
			return { kind: 'text', text: stringOr(entry['refusal'], ''), raw: entry };
		case 'input_image':
		case 'image':
			return imagePartFromUrl(entry['image_url'], entry);
		case 'encrypted_content':
			return opaque(entry, 'encrypted_content', stringOr(entry['encrypted_content'], ''));
		default:
			return opaque(
				entry,
				typeof type === 'string' ? type : 'content',
				typeof entry['text'] === 'string' ? entry['text'] : JSON.stringify(entry),
			);
	}
}

function readReasoning(item: JsonObject): Part {
	const texts: string[] = [];
	for (const source of [item['summary'], item['content']]) {
		if (texts.length > 0 || !Array.isArray(source)) continue;
		for (const entry of source) {
			if (isObject(entry) && typeof entry['text'] === 'string') texts.push(entry['text']);
			else if (typeof entry === 'string') texts.push(entry);
		}
	}
	const encrypted = item['encrypted_content'];
	const isRedacted = texts.length === 0 && typeof encrypted === 'string' && encrypted !== '';
	return { kind: 'thinking', text: texts.join('\n\n'), isRedacted, raw: item };
}

function readToolCall(item: JsonObject, type: string): ItemReading {
	const callId = callIdOf(item);
	if (callId === undefined) return { kind: 'other', problem: `${type} without a call_id; kept as is` };
	let name: string;
	let argumentsText: string;
	if (type === 'local_shell_call') {
		name = stringOr(item['name'], 'local_shell');
		argumentsText = jsonText(item['action']);
	} else if (type === 'tool_search_call') {
		name = stringOr(item['name'], 'tool_search');
		argumentsText = jsonText(item['arguments']);
	} else if (type === 'custom_tool_call') {
		name = stringOr(item['name'], '');
		argumentsText = jsonText(item['input']);
	} else {
		name = stringOr(item['name'], '');
		argumentsText = jsonText(item['arguments']);
	}
	const part: ToolCallPart = { kind: 'toolCall', callId, name, argumentsText, raw: item };
	return message(item, 'assistant', [part]);
}

function readToolOutput(item: JsonObject, type: string): ItemReading {
	const callId = callIdOf(item);
	if (callId === undefined) return { kind: 'other', problem: `${type} without a call_id; kept as is` };
	const output =
		type === 'tool_search_output'
			? { text: jsonText(item['tools']), isError: false, images: [] }
			: readOutput(item['output']);
	const part: ToolResultPart = {
		kind: 'toolResult',
		callId,
		text: output.text,
		isError: output.isError,
		images: output.images,
		raw: item,
	};
	return message(item, 'tool', [part], { isError: output.isError });
}

function callIdOf(item: JsonObject): string | undefined {
	const callId = item['call_id'];
	if (typeof callId === 'string' && callId !== '') return callId;
	// local_shell_call items of some builds carry only `id`.
	const id = item['id'];
	return item['type'] === 'local_shell_call' && typeof id === 'string' && id !== '' ? id : undefined;
}

/** Text, error state and images of a tool output: a string, a list of content items, or the older `{content, success}`. */
export function readOutput(output: unknown): { text: string; isError: boolean; images: ImagePart[] } {
	if (typeof output === 'string') return { text: output, isError: false, images: [] };
	if (output === null || output === undefined) return { text: '', isError: false, images: [] };
	if (Array.isArray(output)) return readOutputItems(output);
	if (isObject(output)) {
		if ('content' in output || 'content_items' in output) {
			const body =
				Array.isArray(output['content_items']) && typeof output['content'] !== 'string'
					? output['content_items']
					: output['content'];
			const inner = readOutput(body);
			return { ...inner, isError: output['success'] === false };
		}
		if (typeof output['type'] === 'string') return readOutputItems([output]);
		return { text: JSON.stringify(output), isError: false, images: [] };
	}
	return { text: String(output), isError: false, images: [] };
}

function readOutputItems(items: readonly unknown[]): { text: string; isError: boolean; images: ImagePart[] } {
	const texts: string[] = [];
	const images: ImagePart[] = [];
	for (const entry of items) {
		const part = readContentItem(entry);
		if (part === undefined) continue;
		if (part.kind === 'image') images.push(part);
		else if (part.kind === 'text' || part.kind === 'opaque') texts.push(part.text);
	}
	return { text: texts.join('\n'), isError: false, images };
}

function describeWebSearch(action: unknown): string {
	if (!isObject(action)) return '';
	if (Array.isArray(action['queries']) && action['queries'].length > 0) {
		return action['queries'].filter((q): q is string => typeof q === 'string').join('\n');
	}
	for (const key of ['query', 'url', 'pattern']) {
		if (typeof action[key] === 'string') return action[key];
	}
	return '';
}

function opaque(raw: unknown, label: string, text: string): OpaquePart {
	return { kind: 'opaque', label, text, raw };
}

function stringOr(value: unknown, fallback: string): string {
	return typeof value === 'string' ? value : fallback;
}

/** A value as the model saw it: strings unchanged, absent or null as empty, anything else as JSON. */
export function jsonText(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value === undefined || value === null) return '';
	return JSON.stringify(value);
}
