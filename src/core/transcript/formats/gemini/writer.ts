import { createHash, randomUUID } from 'node:crypto';
import type { ShapedForWrite, WriteOptions, WrittenTranscript } from '../../format';
import {
	messagesInWindow,
	type Message,
	type Part,
	type RecordedUsage,
	type ThinkingPart,
	type ToolCallPart,
	type ToolResultPart,
	type Transcript,
} from '../../model';
import { sameModelView } from '../../partEquality';
import { pairToolCalls } from '../../toolPairs';
import { isRecord, numberField, stringField, type JsonObject } from '../copilot/jsonValues';
import {
	isSummaryText,
	partOf,
	recordedUsage,
	thoughtText,
	toolCallPart,
	toolResult,
} from './messageRecords';
import { GeminiSessionLog } from './sessionLog';

/** Gemini CLI's compression puts its summary in a user turn wrapped in this tag; the reader flags it as a summary. */
const snapshotOpen = '<state_snapshot>';
const snapshotClose = '</state_snapshot>';

/** Keys of a message record the writer sets from the message's parts; everything else is copied as it was. */
const rebuiltKeys = ['content', 'parts', 'displayContent', 'thoughts', 'toolCalls', 'tokens'] as const;

/** A session laid out for writing: its metadata, its message records, and whether it is one JSON document. */
interface SessionLayout {
	readonly header: JsonObject;
	readonly records: readonly JsonObject[];
	readonly isDocument: boolean;
	readonly droppedCalls: number;
	readonly droppedResults: number;
	/** Second copies of a result already written with its call (Gemini CLI 0.61 also records responses as a user turn). */
	readonly repeatedResults: number;
}

/**
 * Writes a transcript as a Gemini CLI session that `gemini --session-file <absolute path>` loads (FORMATS.md §6
 * and §8): the JSONL log (a metadata line, then one line per message) when the input was one, else the JSON
 * document. Every kept call is written with its result inside its `gemini` record (`toolCalls`), calls without a
 * result and results without a call are left out; thoughts stay as thought summaries; recorded usage is written
 * as `tokens`. A summary becomes a user message, as Gemini CLI's compression writes it: Context Lens' own summaries
 * as they are (the reader knows their opening), any other in Gemini's `<state_snapshot>` wrapper so it still reads
 * as a summary. Display-only records (info, warning, error) are not copied: Gemini CLI never sends them.
 */
export function writeGeminiSession(transcript: Transcript, options: WriteOptions): WrittenTranscript {
	const sessionId = options.sessionId ?? randomUUID();
	const now = validTime(options.now) ?? new Date().toISOString();
	const layout = layOutSession(transcript, sessionId, now);
	const text = layout.isDocument
		? `${JSON.stringify({ ...layout.header, messages: layout.records }, null, 2)}\n`
		: `${[layout.header, ...layout.records].map((r) => JSON.stringify(r)).join('\n')}\n`;
	return {
		text,
		sessionId,
		// Gemini CLI loads a session by its path (relative paths fail, FORMATS.md §8), so the hint needs the path.
		...(options.path !== undefined
			? { resumeHint: `gemini --session-file ${shellQuote(options.path)}` }
			: {}),
	};
}

/**
 * The window as writeGeminiSession lays it out, read back by the reader the file will meet: what is measured is
 * what will be read. Messages that read back unchanged are the input's own objects (so counts are reused).
 */
export function shapeGeminiSession(transcript: Transcript): ShapedForWrite {
	const layout = layOutSession(transcript, 'shape', new Date().toISOString());
	const log = new GeminiSessionLog();
	if (layout.isDocument) log.keepDocumentShell(layout.header);
	else log.addRecord(layout.header, 1);
	layout.records.forEach((record, i) => log.addMessage(record, String(record['id']), i + 2));
	const original = new Map(messagesInWindow(transcript).map((m) => [m.id, m]));
	const messages = log.build().messages.map((read) => {
		const before = original.get(read.id);
		return before !== undefined && sameMessage(before, read) ? before : read;
	});
	const notes: string[] = [];
	if (layout.droppedCalls > 0)
		notes.push(
			`${layout.droppedCalls} tool call${layout.droppedCalls === 1 ? ' has' : 's have'} no result and ${layout.droppedCalls === 1 ? 'is' : 'are'} left out: Gemini CLI sends every call with its result.`,
		);
	if (layout.droppedResults > 0)
		notes.push(
			`${layout.droppedResults} tool result${layout.droppedResults === 1 ? ' answers a call that is' : 's answer calls that are'} not kept, so ${layout.droppedResults === 1 ? 'it is' : 'they are'} left out.`,
		);
	if (layout.repeatedResults > 0)
		notes.push(
			`${layout.repeatedResults} repeated tool result${layout.repeatedResults === 1 ? ' is' : 's are'} written once, with ${layout.repeatedResults === 1 ? 'its call' : 'their calls'}: Gemini CLI records each result twice and would send both.`,
		);
	return { transcript: { ...transcript, messages }, notes };
}

function layOutSession(transcript: Transcript, sessionId: string, now: string): SessionLayout {
	const window = messagesInWindow(transcript);
	const pairing = pairToolCalls(window);
	const resultFor = new Map<string, ToolResultPart>();
	for (const pair of pairing.pairs) {
		const message = pair.resultMessage === undefined ? undefined : window[pair.resultMessage];
		const result = message?.parts.find(
			(p): p is ToolResultPart => p.kind === 'toolResult' && p.callId === pair.callId,
		);
		if (result !== undefined) resultFor.set(pair.callId, result);
	}
	const writer = new RecordWriter(resultFor, now, transcript.meta.model);
	const records = window.flatMap((message) => writer.recordsOf(message));
	const { header, isDocument } = sessionHeader(transcript, sessionId, now);
	const repeatedResults = pairing.orphanResults.filter((o) => resultFor.has(o.callId)).length;
	return {
		header,
		records,
		isDocument,
		droppedCalls: pairing.unansweredCalls.length,
		droppedResults: pairing.orphanResults.length - repeatedResults,
		repeatedResults,
	};
}

/** The session's metadata line: the original's fields with a new id and times; JSON when the input was a document. */
function sessionHeader(
	transcript: Transcript,
	sessionId: string,
	now: string,
): { header: JsonObject; isDocument: boolean } {
	const records = transcript.passthrough.map((p) => p.record);
	const shell = records.find(isDocumentShell);
	const line = records.find(isHeaderLine);
	const { messages: _messages, ...fields } = shell ?? line ?? {};
	// Gemini CLI needs a projectHash to load a JSONL session; its own is the SHA-256 of the project root.
	const projectHash =
		stringField(fields, 'projectHash') ??
		createHash('sha256')
			.update(transcript.meta.cwd ?? sessionId)
			.digest('hex');
	return {
		header: { ...fields, sessionId, projectHash, startTime: now, lastUpdated: now },
		isDocument: shell !== undefined,
	};
}

/** The reader's record of a JSON session document: its own fields with an empty `messages` list. */
function isDocumentShell(record: unknown): record is JsonObject {
	return isRecord(record) && Array.isArray(record['messages']);
}

function isHeaderLine(record: unknown): record is JsonObject {
	return (
		isRecord(record) &&
		typeof record['sessionId'] === 'string' &&
		typeof record['projectHash'] === 'string' &&
		!('$set' in record) &&
		!('id' in record) &&
		!('type' in record)
	);
}

/** Turns window messages into message records, each call with its result, ids kept unique. */
class RecordWriter {
	private readonly usedIds = new Set<string>();
	private readonly writtenCalls = new Set<string>();

	constructor(
		private readonly resultFor: ReadonlyMap<string, ToolResultPart>,
		private readonly now: string,
		private readonly model: string | undefined,
	) {}

	recordsOf(message: Message): JsonObject[] {
		const record = message.role === 'assistant' ? this.modelRecord(message) : this.userRecord(message);
		return record === undefined ? [] : [record];
	}

	/** A `gemini` record: thoughts, content, and the calls whose result is kept, each carrying it. */
	private modelRecord(message: Message): JsonObject | undefined {
		const base = sourceRecord(message);
		const thoughts: unknown[] = [];
		const content: unknown[] = [];
		const toolCalls: JsonObject[] = [];
		for (const part of message.parts) {
			if (part.kind === 'thinking') thoughts.push(this.thought(part));
			else if (part.kind === 'toolCall') {
				const result = this.resultFor.get(part.callId);
				if (result === undefined || this.writtenCalls.has(part.callId)) continue;
				this.writtenCalls.add(part.callId);
				toolCalls.push(this.toolCallRecord(part, result));
			} else if (part.kind !== 'toolResult') {
				const item = contentItem(part);
				if (item !== undefined) content.push(item);
			}
		}
		if (thoughts.length + content.length + toolCalls.length === 0) return undefined;
		const tokens = tokensRecord(message.usage, base?.['tokens']);
		const model = stringField(base, 'model') ?? message.model ?? this.model;
		return {
			...withoutRebuilt(base),
			id: this.idFor(message, base),
			timestamp: stringField(base, 'timestamp') ?? message.timestamp ?? this.now,
			type: 'gemini',
			content: contentValue(content, base, ''),
			thoughts,
			...(toolCalls.length > 0 ? { toolCalls } : {}),
			...(tokens !== undefined ? { tokens } : {}),
			...(model !== undefined ? { model } : {}),
		};
	}

	/** A `user` record: text, images and other content; results travel with their calls, a summary in its wrapper. */
	private userRecord(message: Message): JsonObject | undefined {
		const base = sourceRecord(message);
		const content: unknown[] = [];
		if (message.flags.isSummary && !isMarkedSummary(message)) {
			const text = message.parts.map((p) => ('text' in p ? p.text : '')).join('\n');
			content.push({ text: wrapSnapshot(text) });
		} else {
			for (const part of message.parts) {
				if (part.kind === 'toolCall' || part.kind === 'toolResult') continue;
				const item = part.kind === 'thinking' ? thoughtItem(part) : contentItem(part);
				if (item !== undefined) content.push(item);
			}
		}
		if (content.length === 0) return undefined;
		const value = contentValue(content, base, undefined);
		const keepsDisplay = base !== undefined && value === (base['content'] ?? base['parts']);
		return {
			...withoutRebuilt(base),
			id: this.idFor(message, base),
			timestamp: stringField(base, 'timestamp') ?? message.timestamp ?? this.now,
			type: 'user',
			content: value,
			...(keepsDisplay && base['displayContent'] !== undefined
				? { displayContent: base['displayContent'] }
				: {}),
		};
	}

	/** A thought summary: the original entry while it reads the same, else one holding the text. */
	private thought(part: ThinkingPart): unknown {
		if (isRecord(part.raw) && !('thought' in part.raw) && thoughtText(part.raw) === part.text)
			return part.raw;
		return { subject: '', description: part.text, timestamp: this.now };
	}

	/** A `toolCalls` entry with the result the model received; the original entry while call and result read the same. */
	private toolCallRecord(call: ToolCallPart, result: ToolResultPart): JsonObject {
		const raw = isRecord(call.raw) && !('functionCall' in call.raw) ? call.raw : undefined;
		const isSameCall =
			raw !== undefined && sameModelView(toolCallPart(raw, call.callId), { ...call, raw: undefined });
		const stored = raw === undefined ? undefined : toolResult(raw, call.callId);
		// Gemini CLI sends a result only from a non-empty `result`; one shown only in `resultDisplay` is rebuilt.
		const isSameResult =
			raw !== undefined && isSent(raw['result']) && stored !== undefined && sameModelView(stored, result);
		const entry: JsonObject = {
			...(raw ?? {}),
			id: call.callId,
			name: call.name,
			args: isSameCall ? raw['args'] : parseArguments(call.argumentsText),
			result: isSameResult ? raw['result'] : resultParts(call, result),
			status: isSameResult ? (raw['status'] ?? 'success') : result.isError ? 'error' : 'success',
			timestamp: stringField(raw, 'timestamp') ?? this.now,
		};
		// What the UI showed of a result that changed would contradict it.
		if (!isSameResult) delete entry['resultDisplay'];
		return entry;
	}

	private idFor(message: Message, base: JsonObject | undefined): string {
		const preferred = stringField(base, 'id') ?? message.id;
		let id = preferred;
		for (let n = 2; this.usedIds.has(id); n++) id = `${preferred}-${n}`;
		this.usedIds.add(id);
		return id;
	}
}

/** The message record a message was read from, if any (a logs.json prompt entry is not one: it has no content). */
function sourceRecord(message: Message): JsonObject | undefined {
	const raw = message.raw[0];
	return isRecord(raw) &&
		typeof raw['type'] === 'string' &&
		('content' in raw || 'parts' in raw || 'toolCalls' in raw)
		? raw
		: undefined;
}

/** A summary whose text the reader already takes for one (Gemini's snapshot, or Context Lens' own opening). */
function isMarkedSummary(message: Message): boolean {
	const first = message.parts[0];
	return first?.kind === 'text' && isSummaryText(first.text);
}

function withoutRebuilt(base: JsonObject | undefined): JsonObject {
	const copy: JsonObject = { ...(base ?? {}) };
	for (const key of rebuiltKeys) delete copy[key];
	return copy;
}

function wrapSnapshot(text: string): string {
	return `${snapshotOpen}\n${text}\n${snapshotClose}`;
}

/** A content part as a Gemini part: the original item while it reads the same, else a new one; undefined when empty. */
function contentItem(part: Part): unknown {
	if (part.raw !== undefined) {
		const again = partOf(part.raw, '');
		if (again !== undefined && sameModelView(again, part)) return part.raw;
	}
	switch (part.kind) {
		case 'text':
			return part.text === '' ? undefined : { text: part.text };
		case 'opaque':
			return part.text === '' ? undefined : { text: part.text };
		case 'thinking':
			return thoughtItem(part);
		default:
			// An image without its inline data cannot be written back.
			return undefined;
	}
}

function thoughtItem(part: ThinkingPart): unknown {
	if (isRecord(part.raw) && part.raw['thought'] === true && part.raw['text'] === part.text) return part.raw;
	return part.text === '' ? undefined : { text: part.text, thought: true };
}

/** The content value: the original one when every item is its own, in order; else the list (or `empty`). */
function contentValue(items: readonly unknown[], base: JsonObject | undefined, empty: unknown): unknown {
	const original = base?.['content'] ?? base?.['parts'];
	const originalItems =
		typeof original === 'string'
			? [original]
			: Array.isArray(original)
				? original
				: original
					? [original]
					: [];
	if (
		original !== undefined &&
		originalItems.length === items.length &&
		items.every((item, i) => item === originalItems[i])
	)
		return original;
	if (items.length === 0) return empty ?? [];
	return items;
}

/** The `result` parts of a rebuilt call: one functionResponse (output, or error), then any images it returned. */
function resultParts(call: ToolCallPart, result: ToolResultPart): unknown[] {
	const response = result.isError ? { error: result.text } : { output: result.text };
	const images = result.images
		.map((image) => image.raw)
		.filter((raw) => isRecord(raw) && 'inlineData' in raw);
	return [{ functionResponse: { id: call.callId, name: call.name, response } }, ...images];
}

/** Whether Gemini CLI sends a stored `result` (it skips an empty one). */
function isSent(result: unknown): boolean {
	if (Array.isArray(result)) return result.length > 0;
	return result !== undefined && result !== null && result !== '';
}

/** Arguments as Gemini stores them: an object when the text is a JSON object, else the text itself. */
function parseArguments(text: string): unknown {
	try {
		const value = JSON.parse(text) as unknown;
		return isRecord(value) ? value : text;
	} catch {
		return text;
	}
}

/**
 * Usage as a `tokens` record the reader turns back into the same figures: the original while it does, else input
 * and output as given, with the original's thought tokens kept apart inside the output (Gemini does not send
 * thoughts back, so they are not context).
 */
function tokensRecord(usage: RecordedUsage | undefined, original: unknown): JsonObject | undefined {
	if (usage === undefined) return undefined;
	const was = recordedUsage(original);
	if (
		isRecord(original) &&
		was !== undefined &&
		was.inputTokens === usage.inputTokens &&
		was.outputTokens === usage.outputTokens &&
		was.contextTokens === usage.contextTokens
	)
		return original;
	const thoughts = Math.min(Math.max(0, numberField(original, 'thoughts') ?? 0), usage.outputTokens);
	return {
		input: usage.inputTokens,
		output: usage.outputTokens - thoughts,
		cached: 0,
		thoughts,
		tool: 0,
		total: usage.inputTokens + usage.outputTokens,
	};
}

/** True when two messages read the same: role, flags, parts as the model sees them, usage, model and time. */
function sameMessage(a: Message, b: Message): boolean {
	const flags = ['isSummary', 'isCompacted', 'isSidechain', 'isMeta', 'isError', 'isPinned'] as const;
	return (
		a.role === b.role &&
		a.model === b.model &&
		a.timestamp === b.timestamp &&
		flags.every((f) => a.flags[f] === b.flags[f]) &&
		a.parts.length === b.parts.length &&
		a.parts.every((part, i) => {
			const other = b.parts[i];
			return other !== undefined && sameModelView(part, other);
		}) &&
		a.usage?.inputTokens === b.usage?.inputTokens &&
		a.usage?.outputTokens === b.usage?.outputTokens &&
		a.usage?.contextTokens === b.usage?.contextTokens
	);
}

function validTime(value: string | undefined): string | undefined {
	return value !== undefined && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}

/** A path as one shell word: as it is when it needs no quoting, else in single quotes. */
function shellQuote(path: string): string {
	return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
