import type {
	ImagePart,
	LineRange,
	Message,
	Part,
	RecordedUsage,
	ToolCallPart,
	ToolResultPart,
} from '../../model';
import { makeFlags } from '../../model';
import {
	arrayField,
	isRecord,
	makeMessage,
	numberField,
	recordField,
	stringField,
	type JsonObject,
} from '../copilot/jsonValues';

/** Where a record sits and what holds for every message built from it. */
export interface RecordContext {
	readonly id: string;
	readonly lines: LineRange;
	/** Dropped from the model's context by a later `$set.messages` checkpoint (compression). */
	readonly isCompacted: boolean;
	/** The file is a subagent's recording (`kind: "subagent"`). */
	readonly isSidechain: boolean;
}

// Gemini CLI's compression replaces history with a user turn holding this snapshot.
const stateSnapshotTag = '<state_snapshot>';
// Every summary or marker Context Lens writes opens with this (R11, core/compaction/handoff.ts; the transcript layer
// cannot import it), so the written file keeps the summary text exactly as reviewed and still reads as a summary.
const ownSummaryStart = '[Context Lens compaction';

/** True when a user turn's text is a compaction summary: Gemini CLI's state snapshot, or one Context Lens wrote. */
export function isSummaryText(text: string): boolean {
	const start = text.trimStart();
	return start.startsWith(stateSnapshotTag) || start.startsWith(ownSummaryStart);
}

/**
 * Messages one Gemini CLI message record turns into: `user` -> a user message; `gemini` (or `model`) -> an
 * assistant message (thoughts, content, tool calls) followed by a role 'tool' message with the results.
 * Undefined for records the model never sees: `info`, `warning` and `error` are shown by the CLI but never sent, so
 * they stay passthrough records rather than error-flagged messages (they would count toward the window).
 */
export function messagesOfRecord(record: JsonObject, context: RecordContext): Message[] | undefined {
	const type = record['type'];
	if (type === 'user') return userMessages(record, context);
	if (type === 'gemini' || type === 'model') return assistantMessages(record, context);
	return undefined;
}

function userMessages(record: JsonObject, context: RecordContext): Message[] {
	const parts = contentParts(record['content'] ?? record['parts'], context.id);
	if (parts.length === 0) return [];
	const first = parts[0];
	const isSummary = first?.kind === 'text' && isSummaryText(first.text);
	return [
		makeMessage({
			id: context.id,
			role: 'user',
			parts,
			flags: makeFlags({ isSummary, isCompacted: context.isCompacted, isSidechain: context.isSidechain }),
			lines: context.lines,
			raw: [record],
			timestamp: stringField(record, 'timestamp'),
		}),
	];
}

function assistantMessages(record: JsonObject, context: RecordContext): Message[] {
	const content = contentParts(record['content'] ?? record['parts'], context.id);
	// Gemini CLI rebuilds a turn from its content alone when the content holds calls or thoughts (records it
	// rewrote after a compression): the `thoughts` summaries and the calls listed in `toolCalls` are then not sent,
	// only their results are.
	const isContentWhole = content.some((p) => p.kind === 'toolCall' || p.kind === 'thinking');
	const parts: Part[] = [];
	if (!isContentWhole) {
		for (const thought of arrayField(record, 'thoughts') ?? []) {
			const text = thoughtText(thought);
			if (text !== '') parts.push({ kind: 'thinking', text, isRedacted: false, raw: thought });
		}
	}
	for (const part of content) parts.push(part);
	const results: ToolResultPart[] = [];
	(arrayField(record, 'toolCalls') ?? []).forEach((call, k) => {
		if (!isRecord(call)) return;
		const callId = stringField(call, 'id') ?? `${context.id}:call:${k}`;
		if (!isContentWhole) parts.push(toolCallPart(call, callId));
		const result = toolResult(call, callId);
		if (result !== undefined) results.push(result);
	});
	if (parts.length === 0) return [];
	const timestamp = stringField(record, 'timestamp');
	const base = { lines: context.lines, raw: [record], timestamp };
	const hasError = results.some((r) => r.isError);
	const messages = [
		makeMessage({
			...base,
			id: context.id,
			role: 'assistant',
			parts,
			flags: makeFlags({ isCompacted: context.isCompacted, isSidechain: context.isSidechain }),
			model: stringField(record, 'model'),
			usage: recordedUsage(record['tokens']),
		}),
	];
	if (results.length > 0) {
		messages.push(
			makeMessage({
				...base,
				id: `${context.id}:results`,
				role: 'tool',
				parts: results,
				flags: makeFlags({
					isError: hasError,
					isCompacted: context.isCompacted,
					isSidechain: context.isSidechain,
				}),
			}),
		);
	}
	return messages;
}

/** The text a thought summary stands for: its subject and description, one per line. */
export function thoughtText(thought: unknown): string {
	return [stringField(thought, 'subject'), stringField(thought, 'description')]
		.filter((t): t is string => t !== undefined && t !== '')
		.join('\n');
}

/** A `toolCalls` entry as a call part: arguments as JSON text (a string is kept as it was written). */
export function toolCallPart(call: JsonObject, callId: string): ToolCallPart {
	const args = call['args'];
	return {
		kind: 'toolCall',
		callId,
		name: stringField(call, 'name') ?? 'tool',
		argumentsText: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
		raw: call,
	};
}

/**
 * Usage of the request that produced a message. Measured on the corpus: `total` = input + output + thoughts
 * (+ tool), `cached` is part of `input`, and the next request's input grows by `output` but not by `thoughts`
 * (thought text is not sent back). So the context after the request is input + tool + output.
 */
export function recordedUsage(tokens: unknown): RecordedUsage | undefined {
	const input = numberField(tokens, 'input');
	const output = numberField(tokens, 'output');
	if (input === undefined || output === undefined) return undefined;
	const tool = numberField(tokens, 'tool') ?? 0;
	const thoughts = numberField(tokens, 'thoughts') ?? 0;
	return { inputTokens: input + tool, outputTokens: output + thoughts, contextTokens: input + tool + output };
}

const finishedStatuses: ReadonlySet<string> = new Set(['success', 'error', 'cancelled']);
const failedStatuses: ReadonlySet<string> = new Set(['error', 'cancelled']);

/** The result the model received for a call: its functionResponse parts, else what the UI showed. */
export function toolResult(call: JsonObject, callId: string): ToolResultPart | undefined {
	const stored = call['result'];
	const entries = Array.isArray(stored) ? stored : stored === undefined || stored === null ? [] : [stored];
	const status = stringField(call, 'status');
	const texts: string[] = [];
	const images: ImagePart[] = [];
	let isError = status !== undefined && failedStatuses.has(status);
	for (const entry of entries) {
		if (typeof entry === 'string') {
			texts.push(entry);
			continue;
		}
		const response = recordField(recordField(entry, 'functionResponse'), 'response');
		if (response !== undefined) {
			const output = response['output'];
			const error = response['error'];
			if (typeof output === 'string') texts.push(output);
			else if (typeof error === 'string') texts.push(error);
			else texts.push(JSON.stringify(response));
			if (error !== undefined && error !== null) isError = true;
			continue;
		}
		const image = imageOf(entry);
		if (image !== undefined) images.push(image);
		else if (stringField(entry, 'text') !== undefined) texts.push(stringField(entry, 'text') ?? '');
	}
	if (entries.length === 0) {
		const display = stringField(call, 'resultDisplay');
		if (display !== undefined) texts.push(display);
		else if (status === undefined || !finishedStatuses.has(status)) return undefined;
	}
	return { kind: 'toolResult', callId, text: texts.join('\n'), isError, images, raw: stored };
}

/** Parts of a Gemini `PartListUnion`: a string, one part, or an array of strings and parts. */
export function contentParts(content: unknown, messageId: string): Part[] {
	if (typeof content === 'string')
		return content === '' ? [] : [{ kind: 'text', text: content, raw: content }];
	const items = Array.isArray(content) ? content : content === undefined || content === null ? [] : [content];
	const parts: Part[] = [];
	items.forEach((item, k) => {
		const part = partOf(item, `${messageId}:part:${k}`);
		if (part !== undefined) parts.push(part);
	});
	return parts;
}

export function partOf(item: unknown, fallbackId: string): Part | undefined {
	if (typeof item === 'string') return item === '' ? undefined : { kind: 'text', text: item, raw: item };
	if (!isRecord(item)) return undefined;
	const text = item['text'];
	if (typeof text === 'string') {
		if (item['thought'] === true) return { kind: 'thinking', text, isRedacted: false, raw: item };
		return text === '' ? undefined : { kind: 'text', text, raw: item };
	}
	const call = recordField(item, 'functionCall');
	if (call !== undefined) {
		return {
			kind: 'toolCall',
			callId: stringField(call, 'id') ?? fallbackId,
			name: stringField(call, 'name') ?? 'tool',
			argumentsText: JSON.stringify(call['args'] ?? {}),
			raw: item,
		};
	}
	const response = recordField(item, 'functionResponse');
	if (response !== undefined) {
		const body = recordField(response, 'response');
		const output = stringField(body, 'output') ?? stringField(body, 'error');
		return {
			kind: 'toolResult',
			callId: stringField(response, 'id') ?? fallbackId,
			text: output ?? JSON.stringify(body ?? {}),
			isError: body?.['error'] !== undefined,
			images: [],
			raw: item,
		};
	}
	const image = imageOf(item);
	if (image !== undefined) return image;
	const file = recordField(item, 'fileData');
	if (file !== undefined)
		return { kind: 'opaque', label: 'file', text: stringField(file, 'fileUri') ?? '', raw: item };
	const code = stringField(recordField(item, 'executableCode'), 'code');
	if (code !== undefined) return { kind: 'opaque', label: 'executable code', text: code, raw: item };
	const outcome = stringField(recordField(item, 'codeExecutionResult'), 'output');
	if (outcome !== undefined) return { kind: 'opaque', label: 'code result', text: outcome, raw: item };
	return { kind: 'opaque', label: 'gemini part', text: '', raw: item };
}

function imageOf(item: unknown): ImagePart | undefined {
	const inline = recordField(item, 'inlineData');
	if (inline === undefined) return undefined;
	const mediaType = stringField(inline, 'mimeType') ?? 'application/octet-stream';
	const data = stringField(inline, 'data') ?? '';
	return { kind: 'image', mediaType, byteLength: base64Bytes(data), raw: item };
}

function base64Bytes(data: string): number {
	let padding = 0;
	if (data.endsWith('==')) padding = 2;
	else if (data.endsWith('=')) padding = 1;
	return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}
