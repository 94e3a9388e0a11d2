import type { AccumulatedTranscript, RecordAccumulator } from '../../format';
import {
	makeFlags,
	type Diagnostic,
	type EventRequest,
	type Message,
	type MessageFlags,
	type Part,
	type PassthroughRecord,
	type RecordedUsage,
	type TranscriptMeta,
} from '../../model';
import { imagePartFromUrl } from './images';
import { isObject, readResponseItem, type JsonObject, type ParsedItem } from './items';
import { codexSummaryPrefix } from './summaryPrefix';

/** Line kinds of the current rollout envelope `{timestamp, type, payload}` that this reader interprets. */
export const envelopeKinds: ReadonlySet<string> = new Set([
	'session_meta',
	'response_item',
	'compacted',
	'turn_context',
	'event_msg',
]);

/**
 * Tokens of prior real user messages kept when a `compacted` line has no replacement_history, as Codex does;
 * measured here as characters / 4 so the reader needs no tokenizer.
 */
export const keptUserMessageTokens = 20_000;
const charsPerToken = 4;

type MutableMeta = { -readonly [K in keyof TranscriptMeta]?: TranscriptMeta[K] };

interface MessageSource {
	readonly line: number;
	readonly fallbackId: string;
	readonly raw: unknown;
	readonly timestamp: string | undefined;
	/** Replacement-history items keep only their own turn id, not the turn of the line that carried them. */
	readonly inheritsTurn: boolean;
}

/** The ResponseItem a message was read from: the payload of a `response_item` line, or a bare item. */
export function itemOfRecord(record: unknown): JsonObject | undefined {
	if (!isObject(record)) return undefined;
	if (record['type'] === 'response_item') return isObject(record['payload']) ? record['payload'] : undefined;
	if (envelopeKinds.has(String(record['type']))) return undefined;
	return typeof record['type'] === 'string' ? record : undefined;
}

/** Joined text of a message's text parts. */
export function textOf(message: Message): string {
	return message.parts
		.filter((p) => p.kind === 'text')
		.map((p) => p.text)
		.join('\n');
}

/**
 * Reads Codex rollout records in order (current envelope and the legacy bare-item layout).
 * Every record is handled once; `build` copies the lists, so a snapshot costs O(messages + records).
 */
export class CodexAccumulator implements RecordAccumulator {
	private readonly messages: Message[] = [];
	/** Messages rebuilt from UI echo events, used only when the file has no response items at all. */
	private readonly echoes: Message[] = [];
	/** user_message events, with the id of the last model message before each (see TranscriptMeta.eventRequests). */
	private readonly userEvents: EventRequest[] = [];
	private readonly passthrough: PassthroughRecord[] = [];
	private readonly diagnostics: Diagnostic[] = [];
	private readonly meta: MutableMeta = {};
	private readonly usedIds = new Set<string>();
	private itemMessages = 0;
	private compactedUpTo = 0;
	private echoesCompactedUpTo = 0;
	private model: string | undefined;
	private turnId: string | undefined;
	private sawSessionMeta = false;

	/** Takes one parsed record from 1-based `line`. */
	addRecord(record: unknown, line: number): void {
		if (!isObject(record)) {
			this.warn(
				line,
				`expected a JSON object, found ${Array.isArray(record) ? 'an array' : typeof record}; kept as is`,
			);
			this.keep(record, line);
			return;
		}
		const type = record['type'];
		if (typeof type === 'string' && envelopeKinds.has(type)) {
			const payload = record['payload'];
			if (!isObject(payload)) {
				this.warn(line, `a \`${type}\` line without a payload object; kept as is`);
				this.keep(record, line);
				return;
			}
			this.readEnvelope(type, payload, record, line);
			return;
		}
		if (isObject(record['payload']) || 'record_type' in record) {
			// Newer envelope kinds (world_state, …) and legacy `{record_type: "state"}` lines carry no messages.
			this.keep(record, line);
			return;
		}
		if (type === undefined && typeof record['id'] === 'string') {
			this.readLegacyHeader(record);
			this.keep(record, line);
			return;
		}
		if (typeof type === 'string') {
			this.readItem(record, record, line, stringField(record, 'timestamp'));
			return;
		}
		this.warn(line, 'a line with neither a `type` nor a `payload`; kept as is');
		this.keep(record, line);
	}

	/** Snapshot of what was read so far. */
	build(): AccumulatedTranscript {
		const messages = this.itemMessages === 0 && this.echoes.length > 0 ? this.echoes : this.messages;
		const eventRequests = messages === this.messages ? this.requestsOnlyInEvents() : [];
		return {
			messages: messages.slice(),
			passthrough: this.passthrough.slice(),
			meta: { ...this.meta, ...(eventRequests.length > 0 ? { eventRequests } : {}) },
			diagnostics: this.diagnostics.slice(),
		};
	}

	/** user_message events whose text no user message item carries: Codex Desktop records some requests only so. */
	private requestsOnlyInEvents(): EventRequest[] {
		if (this.userEvents.length === 0) return [];
		const said = new Set<string>();
		for (const m of this.messages) {
			if (m.role !== 'user') continue;
			for (const p of m.parts) if (p.kind === 'text') said.add(p.text.trim());
		}
		return this.userEvents.filter((e) => !said.has(e.text.trim()));
	}

	private readEnvelope(type: string, payload: JsonObject, record: JsonObject, line: number): void {
		const timestamp = stringField(record, 'timestamp');
		switch (type) {
			case 'session_meta':
				this.readSessionMeta(payload);
				this.keep(record, line);
				return;
			case 'turn_context':
				this.readTurnContext(payload);
				this.keep(record, line);
				return;
			case 'response_item':
				this.readItem(payload, record, line, timestamp);
				return;
			case 'compacted':
				this.keep(record, line);
				this.readCompacted(payload, record, line, timestamp);
				return;
			case 'event_msg':
				this.keep(record, line);
				this.readEvent(payload, record, line, timestamp);
				return;
		}
	}

	private readSessionMeta(payload: JsonObject): void {
		// A file can hold several session_meta lines (forks, subagents); the first one is this session's.
		if (this.sawSessionMeta) return;
		this.sawSessionMeta = true;
		const id = stringField(payload, 'id');
		if (id !== undefined) this.meta.sessionId = id;
		const cwd = stringField(payload, 'cwd');
		if (cwd !== undefined) this.meta.cwd = cwd;
		const instructions = payload['base_instructions'];
		const systemText = isObject(instructions)
			? stringField(instructions, 'text')
			: stringOrUndefined(instructions);
		if (systemText !== undefined) this.meta.systemText = systemText;
		const window = positiveNumber(payload['context_window']);
		if (window !== undefined) this.meta.contextWindow = window;
	}

	private readLegacyHeader(record: JsonObject): void {
		if (this.meta.sessionId !== undefined) return;
		const id = stringField(record, 'id');
		if (id !== undefined) this.meta.sessionId = id;
		const instructions = stringField(record, 'instructions');
		if (instructions !== undefined && instructions !== '') this.meta.systemText = instructions;
	}

	private readTurnContext(payload: JsonObject): void {
		const model = stringField(payload, 'model');
		if (model !== undefined && model !== '') {
			this.model = model;
			this.meta.model = model;
		}
		const turnId = stringField(payload, 'turn_id');
		if (turnId !== undefined) this.turnId = turnId;
	}

	private readItem(item: JsonObject, record: JsonObject, line: number, timestamp: string | undefined): void {
		if (typeof item['type'] !== 'string') {
			this.warn(line, 'a response item without a `type`; kept as is');
			this.keep(record, line);
			return;
		}
		const reading = readResponseItem(item);
		if (reading.kind === 'other') {
			if (reading.problem !== undefined) this.warn(line, reading.problem);
			this.keep(record, line);
			return;
		}
		this.messages.push(
			this.toMessage(reading.item, {
				line,
				fallbackId: `codex-L${line}`,
				raw: record,
				timestamp,
				inheritsTurn: true,
			}),
		);
		this.itemMessages++;
	}

	private toMessage(parsed: ParsedItem, source: MessageSource): Message {
		// Codex's turn id is the phase id of H1/H7: one person request and everything the agent did for it.
		const phaseId = parsed.turnId ?? (source.inheritsTurn ? this.turnId : undefined);
		return {
			id: this.claimId(parsed.sourceId, source.fallbackId),
			role: parsed.role,
			parts: parsed.parts,
			flags: makeFlags({ isMeta: parsed.isMeta, isSummary: parsed.isSummary, isError: parsed.isError }),
			lines: { from: source.line, to: source.line },
			raw: [source.raw],
			...(source.timestamp !== undefined ? { timestamp: source.timestamp } : {}),
			...(parsed.role === 'assistant' && this.model !== undefined ? { model: this.model } : {}),
			...(phaseId !== undefined ? { phaseId } : {}),
		};
	}

	/** The source's own id when no earlier message took it, else the positional fallback (unique by line). */
	private claimId(sourceId: string | undefined, fallbackId: string): string {
		const id = sourceId !== undefined && !this.usedIds.has(sourceId) ? sourceId : fallbackId;
		this.usedIds.add(id);
		return id;
	}

	private readCompacted(
		payload: JsonObject,
		record: JsonObject,
		line: number,
		timestamp: string | undefined,
	): void {
		const summaryText = stringField(payload, 'message');
		const history = payload['replacement_history'];
		if (Array.isArray(history)) {
			this.replaceHistory(history, summaryText ?? '', line, timestamp);
			return;
		}
		if (history !== undefined && history !== null) {
			this.warn(line, '`replacement_history` is not a list; the compaction is read from its message alone');
		}
		if (summaryText === undefined) this.warn(line, 'a `compacted` line without message text');
		this.expandCompaction(summaryText ?? '', record, line, timestamp);
	}

	/** Codex resumes from the newest replacement_history: everything before it becomes history. */
	private replaceHistory(
		history: readonly unknown[],
		summaryText: string,
		line: number,
		timestamp: string | undefined,
	): void {
		this.markCompacted();
		const start = this.messages.length;
		history.forEach((entry, index) => {
			if (!isObject(entry)) {
				this.warn(line, `replacement_history entry ${index + 1} is not an object; skipped`);
				return;
			}
			const reading = readResponseItem(entry);
			if (reading.kind === 'other') {
				if (reading.problem !== undefined)
					this.warn(line, `replacement_history entry ${index + 1}: ${reading.problem}`);
				return;
			}
			const source = {
				line,
				fallbackId: `codex-L${line}.${index + 1}`,
				raw: entry,
				timestamp,
				inheritsTurn: false,
			};
			this.messages.push(this.toMessage(reading.item, source));
			this.itemMessages++;
		});
		const wanted = summaryText.trim();
		for (let i = this.messages.length - 1; i >= start; i--) {
			const message = this.messages[i];
			if (message === undefined || message.role !== 'user' || message.flags.isMeta) continue;
			const text = textOf(message).trim();
			if ((wanted !== '' && text === wanted) || text.startsWith(codexSummaryPrefix)) {
				this.messages[i] = withFlags(message, { isSummary: true });
				break;
			}
		}
	}

	/**
	 * A `compacted` line without replacement_history (older builds) is rebuilt as Codex rebuilds it: the window's
	 * initial context, then prior real user messages that fit the cap (newest first, kept whole), then the summary.
	 */
	private expandCompaction(
		summaryText: string,
		record: JsonObject,
		line: number,
		timestamp: string | undefined,
	): void {
		const live = this.messages.slice(this.compactedUpTo);
		const firstRequest = live.findIndex(isRealUserMessage);
		const context = (firstRequest === -1 ? live : live.slice(0, firstRequest)).filter(
			(m) => m.flags.isMeta && !m.flags.isSummary,
		);
		const requests: Message[] = [];
		let chars = 0;
		for (let i = live.length - 1; i >= 0; i--) {
			const message = live[i];
			if (message === undefined || !isRealUserMessage(message)) continue;
			const size = textOf(message).length;
			if (chars + size > keptUserMessageTokens * charsPerToken) break;
			chars += size;
			requests.push(message);
		}
		requests.reverse();
		this.markCompacted();
		for (const message of [...context, ...requests]) {
			this.messages.push({
				...message,
				id: this.claimId(undefined, `${message.id}@L${line}`),
				flags: message.flags,
			});
		}
		const summaryPart: Part = { kind: 'text', text: summaryText, raw: summaryText };
		this.messages.push({
			id: this.claimId(undefined, `codex-L${line}`),
			role: 'user',
			parts: [summaryPart],
			flags: makeFlags({ isSummary: true }),
			lines: { from: line, to: line },
			raw: [record],
			...(timestamp !== undefined ? { timestamp } : {}),
		});
		this.itemMessages++;
	}

	/** Flags every message read so far as history; each message is flagged once over the whole read. */
	private markCompacted(): void {
		for (let i = this.compactedUpTo; i < this.messages.length; i++) {
			const message = this.messages[i];
			if (message !== undefined) this.messages[i] = withFlags(message, { isCompacted: true });
		}
		this.compactedUpTo = this.messages.length;
		for (let i = this.echoesCompactedUpTo; i < this.echoes.length; i++) {
			const message = this.echoes[i];
			if (message !== undefined) this.echoes[i] = withFlags(message, { isCompacted: true });
		}
		this.echoesCompactedUpTo = this.echoes.length;
	}

	private readEvent(
		payload: JsonObject,
		record: JsonObject,
		line: number,
		timestamp: string | undefined,
	): void {
		switch (payload['type']) {
			case 'token_count':
				this.readTokenCount(payload, line);
				return;
			case 'task_started': {
				const turnId = stringField(payload, 'turn_id');
				if (turnId !== undefined) this.turnId = turnId;
				const window = positiveNumber(payload['model_context_window']);
				if (window !== undefined) this.meta.contextWindow = window;
				return;
			}
			case 'thread_name_updated': {
				const title = stringField(payload, 'thread_name');
				if (title !== undefined && title !== '') this.meta.title = title;
				return;
			}
			case 'user_message': {
				const parts: Part[] = [{ kind: 'text', text: stringField(payload, 'message') ?? '', raw: payload }];
				const images = payload['images'];
				if (Array.isArray(images)) for (const url of images) parts.push(imagePartFromUrl(url, url));
				this.pushEcho('user', parts, record, line, timestamp);
				const text = stringField(payload, 'message') ?? '';
				const before = this.messages[this.messages.length - 1]?.id;
				if (text.trim() !== '')
					this.userEvents.push({ text, ...(before !== undefined ? { afterMessageId: before } : {}) });
				return;
			}
			case 'agent_message':
				this.pushEcho(
					'assistant',
					[{ kind: 'text', text: stringField(payload, 'message') ?? '', raw: payload }],
					record,
					line,
					timestamp,
				);
				return;
			case 'agent_reasoning':
				this.pushEcho(
					'assistant',
					[{ kind: 'thinking', text: stringField(payload, 'text') ?? '', isRedacted: false, raw: payload }],
					record,
					line,
					timestamp,
				);
				return;
		}
	}

	/** user_message/agent_message/agent_reasoning echo response items for the UI; they become messages only in files without items. */
	private pushEcho(
		role: 'user' | 'assistant',
		parts: Part[],
		record: JsonObject,
		line: number,
		timestamp: string | undefined,
	): void {
		this.echoes.push({
			id: `codex-echo-L${line}`,
			role,
			parts,
			flags: makeFlags(),
			lines: { from: line, to: line },
			raw: [record],
			...(timestamp !== undefined ? { timestamp } : {}),
			...(role === 'assistant' && this.model !== undefined ? { model: this.model } : {}),
			...(this.turnId !== undefined ? { phaseId: this.turnId } : {}),
		});
	}

	private readTokenCount(payload: JsonObject, line: number): void {
		let info = payload['info'];
		if (info === null) return;
		// The earliest builds put the counts on the event itself.
		if (info === undefined && 'input_tokens' in payload) info = { last_token_usage: payload };
		if (!isObject(info)) {
			if (info !== undefined) this.warn(line, '`token_count` whose `info` is not an object; ignored');
			return;
		}
		const window = positiveNumber(info['model_context_window']);
		if (window !== undefined) this.meta.contextWindow = window;
		const last = info['last_token_usage'];
		if (!isObject(last)) return;
		const inputTokens = tokenCount(last['input_tokens']);
		const outputTokens = tokenCount(last['output_tokens']);
		if (inputTokens === undefined || outputTokens === undefined) {
			this.warn(line, '`token_count` without numeric input_tokens and output_tokens; ignored');
			return;
		}
		const usage: RecordedUsage = {
			inputTokens,
			outputTokens,
			contextTokens: inputTokens + outputTokens,
			...(window !== undefined ? { contextWindow: window } : {}),
		};
		attachUsage(this.messages, usage);
		attachUsage(this.echoes, usage);
	}

	private keep(record: unknown, line: number): void {
		this.passthrough.push({ line, record });
	}

	private warn(line: number, message: string): void {
		this.diagnostics.push({ severity: 'warning', line, message });
	}
}

/** A real request typed by the person: a user `message` item that is not injected context or a summary. */
export function isRealUserMessage(message: Message): boolean {
	if (message.role !== 'user' || message.flags.isMeta || message.flags.isSummary) return false;
	const item = itemOfRecord(message.raw[0]);
	return item !== undefined && item['type'] === 'message' && message.parts.some((p) => p.kind === 'text');
}

function attachUsage(messages: Message[], usage: RecordedUsage): void {
	const last = messages.length - 1;
	const message = messages[last];
	if (message !== undefined) messages[last] = { ...message, usage };
}

function withFlags(message: Message, overrides: Partial<MessageFlags>): Message {
	return { ...message, flags: { ...message.flags, ...overrides } };
}

function stringField(object: JsonObject, key: string): string | undefined {
	return stringOrUndefined(object[key]);
}

function stringOrUndefined(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

function positiveNumber(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function tokenCount(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
