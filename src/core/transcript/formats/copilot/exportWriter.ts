import type { ShapedForWrite, WriteOptions, WrittenTranscript } from '../../format';
import {
	messagesInWindow,
	type Message,
	type Part,
	type ToolCallPart,
	type ToolResultPart,
	type Transcript,
} from '../../model';
import { isRecord, recordField, stringField, type JsonObject } from './jsonValues';
import {
	attachmentLabelPrefix,
	messagesOfRequest,
	renderedContextLabel,
	summaryRequestIdPrefix,
} from './requestMessages';

/** Opening of a summary request: tells the model the text after it replaces the earlier turns. */
export const summaryLeadIn =
	'Context Lens compacted the earlier part of this conversation. The summary below stands in for those turns; carry on from it.\n\n';

/** The response our summary request carries, so the imported chat reads as a finished turn. */
export const summaryAcknowledgement =
	'Understood. I have the summary of the earlier conversation and will continue from there.';

/** How "Chat: Import Chat…" loads the written file. */
export const importHint = 'In VS Code run "Chat: Import Chat..." and choose this file.';

// Marshalling ids VS Code revives stored tool results with.
const toolResultId = 20;
const textPartId = 21;

/** Messages that came from one request (or make up one new request), in order. */
interface RequestGroup {
	readonly base: JsonObject | undefined;
	readonly isSummary: boolean;
	readonly messages: Message[];
}

/**
 * Writes a transcript as a Copilot Chat export (FORMATS.md 5c): requests whose messages are unchanged are copied
 * verbatim from the source, changed ones are rebuilt from their parts, and a summary becomes one request.
 */
export function writeCopilotExport(transcript: Transcript, options: WriteOptions): WrittenTranscript {
	const header = exportHeader(transcript);
	const template = transcript.messages.map((m) => requestOf(transcript, m)).find((r) => r !== undefined);
	const now = parseTime(options.now);
	const usedIds = new Set<string>();
	const requests: unknown[] = [];
	let summaries = 0;
	for (const group of groupMessages(transcript)) {
		if (group.isSummary) {
			requests.push(summaryRequest(group.messages, summaries++, template, now, usedIds));
			continue;
		}
		const base = group.base;
		if (base !== undefined && isUnchanged(group.messages, base, requests.length)) {
			const id = stringField(base, 'requestId');
			if (id === undefined || !usedIds.has(id)) {
				if (id !== undefined) usedIds.add(id);
				requests.push(base);
				continue;
			}
		}
		requests.push(rebuildRequest(group, now, usedIds, requests.length));
	}
	return { text: `${JSON.stringify({ ...header, requests }, null, 2)}\n`, resumeHint: importHint };
}

/**
 * The window as writeCopilotExport lays it out: a summary becomes a request of its own whose response is the
 * acknowledgement, which a reader finds as an assistant message after it.
 */
export function shapeCopilotExport(transcript: Transcript): ShapedForWrite {
	const window = new Set(messagesInWindow(transcript));
	let added = 0;
	const messages = transcript.messages.flatMap((m) => {
		if (!window.has(m) || !m.flags.isSummary) return [m];
		added++;
		const reply: Message = {
			id: `${m.id}:acknowledgement`,
			role: 'assistant',
			parts: [{ kind: 'text', text: summaryAcknowledgement }],
			flags: { ...m.flags, isSummary: false },
			lines: m.lines,
			raw: [],
		};
		return [m, reply];
	});
	return added === 0 ? { transcript, notes: [] } : { transcript: { ...transcript, messages }, notes: [] };
}

/** The export's own fields, taken from the source session's header when there is one. */
function exportHeader(transcript: Transcript): JsonObject {
	const source = transcript.passthrough
		.map((p) => p.record)
		.find((r): r is JsonObject => isRecord(r) && ('responderUsername' in r || 'requesterUsername' in r));
	const header: JsonObject = {
		requesterUsername: stringField(source, 'requesterUsername') ?? 'user',
		responderUsername: stringField(source, 'responderUsername') ?? 'GitHub Copilot',
		initialLocation: stringField(source, 'initialLocation') ?? 'panel',
	};
	for (const key of ['requesterAvatarIconUri', 'responderAvatarIconUri']) {
		if (source?.[key] !== undefined) header[key] = source[key];
	}
	return header;
}

function requestOf(transcript: Transcript, message: Message): JsonObject | undefined {
	if (transcript.format !== 'copilot-chat' || message.raw.length !== 1) return undefined;
	const raw = message.raw[0];
	return isRecord(raw) ? raw : undefined;
}

function isOwnSummary(request: JsonObject | undefined): boolean {
	return stringField(request, 'requestId')?.startsWith(summaryRequestIdPrefix) === true;
}

function groupMessages(transcript: Transcript): RequestGroup[] {
	const groups: RequestGroup[] = [];
	let current: RequestGroup | undefined;
	for (const message of transcript.messages) {
		// The summary request's response is written with it; the message shapeCopilotExport adds for it is that response.
		if (current?.isSummary === true && isAcknowledgement(message)) continue;
		const base = requestOf(transcript, message);
		if (message.flags.isSummary && !isOwnSummary(base)) {
			current = { base: undefined, isSummary: true, messages: [message] };
			groups.push(current);
			continue;
		}
		const startsNew =
			current === undefined ||
			current.isSummary ||
			current.base !== base ||
			(base === undefined && message.role === 'user' && current.messages.some((m) => m.role !== 'user'));
		if (startsNew || current === undefined) {
			current = { base, isSummary: false, messages: [] };
			groups.push(current);
		}
		current.messages.push(message);
	}
	return groups;
}

function isAcknowledgement(message: Message): boolean {
	const only = message.parts.length === 1 ? message.parts[0] : undefined;
	return message.role === 'assistant' && only?.kind === 'text' && only.text === summaryAcknowledgement;
}

/** True when the messages are exactly what the source request reads as (model-visible parts only). */
function isUnchanged(messages: readonly Message[], base: JsonObject, index: number): boolean {
	const fresh = messagesOfRequest(base, index, { from: 1, to: 1 });
	if (fresh.length !== messages.length) return false;
	return fresh.every((m, i) => {
		const other = messages[i];
		return other !== undefined && other.role === m.role && sameParts(m.parts, other.parts);
	});
}

/** Equality of what the model sees in two part lists (raw sources are ignored). */
function sameParts(a: readonly Part[], b: readonly Part[]): boolean {
	return a.length === b.length && a.every((part, i) => partKey(part) === partKey(b[i]));
}

function partKey(part: Part | undefined): string {
	if (part === undefined) return '';
	switch (part.kind) {
		case 'text':
			return JSON.stringify(['text', part.text]);
		case 'thinking':
			return JSON.stringify(['thinking', part.text, part.isRedacted]);
		case 'toolCall':
			return JSON.stringify(['toolCall', part.callId, part.name, part.argumentsText]);
		case 'toolResult':
			return JSON.stringify(['toolResult', part.callId, part.text, part.isError, part.images.length]);
		case 'image':
			return JSON.stringify(['image', part.mediaType, part.byteLength]);
		case 'opaque':
			return JSON.stringify(['opaque', part.label, part.text]);
	}
}

function textOf(message: Message): string {
	const texts: string[] = [];
	for (const part of message.parts) {
		if (part.kind === 'text' || part.kind === 'opaque' || part.kind === 'toolResult') texts.push(part.text);
	}
	return texts.join('\n\n');
}

function summaryRequest(
	messages: readonly Message[],
	ordinal: number,
	template: JsonObject | undefined,
	now: number | undefined,
	usedIds: Set<string>,
): JsonObject {
	const summary = messages.map(textOf).join('\n\n');
	const requestId = uniqueId(`${summaryRequestIdPrefix}${ordinal + 1}`, usedIds);
	const timestamp = now ?? parseTime(messages[0]?.timestamp) ?? Date.now();
	const request: JsonObject = {
		requestId,
		message: parsedMessage(`${summaryLeadIn}${summary}`),
		variableData: { variables: [] },
		response: [markdownChunk(summaryAcknowledgement)],
		responseId: `response_${requestId.slice('request_'.length)}`,
		result: { metadata: {} },
		followups: [],
		isCanceled: false,
		contentReferences: [],
		codeCitations: [],
		timestamp,
	};
	copyField(template, request, 'agent');
	copyField(template, request, 'modelId');
	return request;
}

function copyField(from: JsonObject | undefined, to: JsonObject, key: string): void {
	if (from?.[key] !== undefined) to[key] = from[key];
}

/** A tool invocation written into the response, completed when its result is met. */
interface WrittenCall {
	readonly invocation: JsonObject;
	readonly argumentsText: string;
}

/** Request parts of the user side: typed text, attachments by variable, the rendered context. */
interface UserSide {
	typed: string[];
	attachments: { text: string; variable: JsonObject }[];
	context: string | undefined;
}

function rebuildRequest(
	group: RequestGroup,
	now: number | undefined,
	usedIds: Set<string>,
	index: number,
): JsonObject {
	const base = group.base;
	const requestId = uniqueId(stringField(base, 'requestId') ?? `request_context-lens-${index + 1}`, usedIds);
	const responseId = stringField(base, 'responseId') ?? `response_${requestId.replace(/^request_/, '')}`;
	const user: UserSide = { typed: [], attachments: [], context: undefined };
	const response: unknown[] = [];
	const rounds: JsonObject[] = [];
	const results: JsonObject = {};
	const calls = new Map<string, WrittenCall>();
	let isError = false;
	for (const message of group.messages) {
		if (message.role === 'assistant') {
			if (message.flags.isError) isError = true;
			rounds.push(assistantSide(message, response, calls, `${responseId}:round:${rounds.length}`));
			continue;
		}
		for (const part of message.parts) {
			if (part.kind === 'toolResult') addResult(part, results, calls);
			else if (part.kind === 'text') user.typed.push(part.text);
			else if (part.kind === 'opaque') addUserOpaque(part.label, part.text, part.raw, user);
		}
	}
	const typed = user.typed.join('\n\n');
	const baseResult = recordField(base, 'result') ?? {};
	const {
		renderedUserMessage: _rendered,
		toolCallRounds: _rounds,
		toolCallResults: _results,
		...keptMetadata
	} = recordField(baseResult, 'metadata') ?? {};
	const metadata: JsonObject = { ...keptMetadata };
	if (rounds.length > 0) {
		metadata['toolCallRounds'] = rounds;
		metadata['toolCallResults'] = results;
	}
	const hadRendered =
		recordField(recordField(base, 'result'), 'metadata')?.['renderedUserMessage'] !== undefined;
	if (user.context !== undefined || hadRendered) {
		const blocks = user.attachments.map((a) => a.text).join('');
		metadata['renderedUserMessage'] = [{ type: 1, text: `${blocks}${user.context ?? ''}\n${typed}` }];
	}
	const { errorDetails, ...keptResult } = baseResult;
	const result: JsonObject = { ...keptResult, metadata };
	if (isError)
		result['errorDetails'] = isRecord(errorDetails) ? errorDetails : { message: 'The request failed.' };
	const timestamp = base?.['timestamp'] ?? now ?? parseTime(group.messages[0]?.timestamp) ?? Date.now();
	return {
		...(base ?? { followups: [], isCanceled: false, contentReferences: [], codeCitations: [] }),
		requestId,
		message: parsedMessage(typed),
		variableData: { variables: user.attachments.map((a) => a.variable) },
		response,
		responseId,
		result,
		timestamp,
	};
}

function addUserOpaque(label: string, text: string, raw: unknown, user: UserSide): void {
	if (label === renderedContextLabel) {
		user.context = user.context === undefined ? text : `${user.context}\n${text}`;
	} else if (label.startsWith(attachmentLabelPrefix) && isRecord(raw)) {
		user.attachments.push({ text, variable: raw });
	} else if (text !== '') {
		user.typed.push(text);
	}
}

/** Appends an assistant message's response items and returns its tool-call round. */
function assistantSide(
	message: Message,
	response: unknown[],
	calls: Map<string, WrittenCall>,
	roundId: string,
): JsonObject {
	const texts: string[] = [];
	const thinking: string[] = [];
	const toolCalls: JsonObject[] = [];
	for (const part of message.parts) {
		if (part.kind === 'text') {
			texts.push(part.text);
			response.push(markdownChunk(part.text));
		} else if (part.kind === 'thinking') {
			if (part.text === '') continue;
			thinking.push(part.text);
			response.push({ kind: 'thinking', value: part.text });
		} else if (part.kind === 'toolCall') {
			const invocation = toolInvocation(part);
			calls.set(part.callId, { invocation, argumentsText: part.argumentsText });
			response.push(invocation);
			toolCalls.push({ name: part.name, arguments: part.argumentsText, id: part.callId });
		} else if (part.kind === 'toolResult') {
			// Results inside an assistant message (foreign formats) still answer their calls.
			continue;
		} else if (part.kind === 'opaque') {
			if (isRecord(part.raw) && typeof part.raw['kind'] === 'string') response.push(part.raw);
			else if (part.text !== '') response.push(markdownChunk(part.text));
		}
	}
	const round: JsonObject = { response: texts.join(''), toolCalls, toolInputRetry: 0, id: roundId };
	if (thinking.length > 0) round['thinking'] = { id: `${roundId}:thinking`, text: thinking.join('\n') };
	return round;
}

function addResult(part: ToolResultPart, results: JsonObject, calls: Map<string, WrittenCall>): void {
	results[part.callId] = { $mid: toolResultId, content: [{ $mid: textPartId, value: part.text }] };
	const call = calls.get(part.callId);
	if (call === undefined) return;
	const invocation = call.invocation;
	invocation['isComplete'] = true;
	if (part.isError) {
		invocation['resultDetails'] = {
			input: call.argumentsText,
			output: [{ type: 'embed', isText: true, value: part.text }],
			isError: true,
		};
	}
}

function toolInvocation(part: ToolCallPart): JsonObject {
	const message = { value: `Ran \`${part.name}\``, supportThemeIcons: false, supportHtml: false };
	return {
		kind: 'toolInvocationSerialized',
		invocationMessage: message,
		pastTenseMessage: message,
		isConfirmed: { type: 1 },
		isComplete: false,
		source: { type: 'internal', label: 'Built-In' },
		toolCallId: part.callId,
		toolId: part.name,
	};
}

function markdownChunk(text: string): JsonObject {
	return { value: text, supportThemeIcons: false, supportHtml: false };
}

/** A parsed request message with one text part spanning the whole prompt, as VS Code stores it. */
function parsedMessage(text: string): JsonObject {
	if (text === '') return { text, parts: [] };
	const lines = text.split('\n');
	const lastLine = lines[lines.length - 1] ?? '';
	return {
		text,
		parts: [
			{
				range: { start: 0, endExclusive: text.length },
				editorRange: {
					startLineNumber: 1,
					startColumn: 1,
					endLineNumber: lines.length,
					endColumn: lastLine.length + 1,
				},
				text,
				kind: 'text',
			},
		],
	};
}

function uniqueId(wanted: string, used: Set<string>): string {
	let id = wanted;
	for (let n = 2; used.has(id); n++) id = `${wanted}-${n}`;
	used.add(id);
	return id;
}

function parseTime(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? undefined : ms;
}
