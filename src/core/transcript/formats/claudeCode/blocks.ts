import { isJsonObject, type JsonObject } from '../../json';
import { sameModelView } from '../../partEquality';
import type { ImagePart, OpaquePart, Part, TextPart, ToolCallPart, ToolResultPart } from '../../model';
import { decodedLength, readImageInfo } from '../imageHeader';

export { isJsonObject, type JsonObject };

/** Parts made from a message's content, plus the problems found on the way (each a short sentence). */
export interface ContentParts {
	readonly parts: Part[];
	readonly problems: string[];
}

/** Turns message content (a string or a list of Anthropic content blocks) into parts; each part keeps its block as `raw`. */
export function partsFromContent(content: string | readonly unknown[]): ContentParts {
	if (typeof content === 'string') return { parts: [textFromString(content)], problems: [] };
	let parts: Part[] = [];
	const problems: string[] = [];
	content.forEach((block, index) => {
		if (isJsonObject(block)) parts.push(partFromBlock(block));
		else
			problems.push(`content block ${index + 1} is ${describeValue(block)}, not an object; it was skipped`);
	});
	// Arrays grown by push keep spare room; the transcript keeps this one, so it is copied to its exact size.
	if (parts.length > 0) parts = parts.slice();
	return { parts, problems };
}

/** The text part for string content; its `raw` is the string itself. */
export function textFromString(text: string): TextPart {
	return { kind: 'text', text, raw: text };
}

/** Turns one content block into a part (unknown block types become opaque parts carrying their JSON). */
export function partFromBlock(block: JsonObject): Part {
	switch (block['type']) {
		case 'text':
			return { kind: 'text', text: stringOr(block['text'], ''), raw: block };
		case 'thinking':
			return { kind: 'thinking', text: stringOr(block['thinking'], ''), isRedacted: false, raw: block };
		case 'redacted_thinking':
			return { kind: 'thinking', text: '', isRedacted: true, raw: block };
		case 'tool_use':
			return toolCallFromBlock(block);
		case 'tool_result':
			return toolResultFromBlock(block);
		case 'image':
			return imageFromBlock(block);
		case 'document':
			return documentFromBlock(block);
		default:
			return opaqueFromBlock(block);
	}
}

/** Rebuilds the part a stored `raw` came from; undefined when `raw` is not a block or string content. */
export function partFromRaw(raw: unknown): Part | undefined {
	if (typeof raw === 'string') return textFromString(raw);
	return isJsonObject(raw) ? partFromBlock(raw) : undefined;
}

function toolCallFromBlock(block: JsonObject): ToolCallPart {
	const input = block['input'];
	return {
		kind: 'toolCall',
		callId: stringOr(block['id'], ''),
		name: stringOr(block['name'], ''),
		argumentsText: input === undefined ? '{}' : JSON.stringify(input),
		raw: block,
	};
}

function toolResultFromBlock(block: JsonObject): ToolResultPart {
	const content = block['content'];
	const images: ImagePart[] = [];
	let text: string;
	if (typeof content === 'string') text = content;
	else if (content === undefined || content === null) text = '';
	else if (Array.isArray(content)) {
		const texts: string[] = [];
		for (const item of content) {
			if (isJsonObject(item) && item['type'] === 'text') texts.push(stringOr(item['text'], ''));
			else if (isJsonObject(item) && item['type'] === 'image') images.push(imageFromBlock(item));
			else texts.push(JSON.stringify(item) ?? '');
		}
		text = texts.join('\n');
	} else text = JSON.stringify(content) ?? '';
	return {
		kind: 'toolResult',
		callId: stringOr(block['tool_use_id'], ''),
		text,
		isError: block['is_error'] === true,
		images,
		raw: block,
	};
}

function imageFromBlock(block: JsonObject): ImagePart {
	const source = isJsonObject(block['source']) ? block['source'] : {};
	const mediaType = stringOr(source['media_type'], 'application/octet-stream');
	const data = source['type'] === 'base64' && typeof source['data'] === 'string' ? source['data'] : undefined;
	if (data === undefined) return { kind: 'image', mediaType, byteLength: 0, raw: block };
	const info = readImageInfo(data);
	return {
		kind: 'image',
		mediaType,
		byteLength: info.byteLength,
		...(info.widthPx !== undefined && info.heightPx !== undefined
			? { widthPx: info.widthPx, heightPx: info.heightPx }
			: {}),
		raw: block,
	};
}

function documentFromBlock(block: JsonObject): OpaquePart {
	const source = isJsonObject(block['source']) ? block['source'] : {};
	const data = source['data'];
	// Plain-text documents are read as their text; encoded ones (PDF) are counted by a short placeholder.
	const text =
		source['type'] === 'text' && typeof data === 'string'
			? data
			: `[document ${stringOr(source['media_type'], 'unknown type')}, ${typeof data === 'string' ? decodedLength(data) : 0} bytes]`;
	return { kind: 'opaque', label: 'document', text, raw: block };
}

function opaqueFromBlock(block: JsonObject): OpaquePart {
	const type = block['type'];
	return {
		kind: 'opaque',
		label: typeof type === 'string' && type !== '' ? type : 'unknown block',
		text: JSON.stringify(block),
		raw: block,
	};
}

function stringOr(value: unknown, fallback: string): string {
	return typeof value === 'string' ? value : fallback;
}

/** A short description of a JSON value's type for diagnostics. */
export function describeValue(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') return 'a string';
	if (typeof value === 'undefined') return 'missing';
	return `a ${typeof value}`;
}

/** True when a part still shows exactly what its stored `raw` block shows, so the block can be written as it was. */
export function partMatchesRaw(part: Part): boolean {
	const again = partFromRaw(part.raw);
	return again !== undefined && sameModelView(part, again);
}
