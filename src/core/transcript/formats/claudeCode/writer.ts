import { randomBytes, randomUUID } from 'node:crypto';
import type { WriteOptions, WrittenTranscript } from '../../format';
import type { Message, Part, RecordedUsage, Transcript } from '../../model';
import { messagesInWindow } from '../../model';
import { usageOf } from './accumulator';
import { isJsonObject, partMatchesRaw, type JsonObject } from './blocks';

/** Opening Claude Code puts before a compaction summary (FORMATS.md section 1, real v2.0.76 files). */
export const summaryPrefix =
	'This session is being continued from a previous conversation that ran out of context. The conversation is summarized below:\n';

/** Closing Claude Code puts after a compaction summary. */
export const summarySuffix =
	'\nPlease continue the conversation from where we left it off without asking the user any further questions. Continue with the last task that you were asked to work on.';

/** The first sentence of the wrapper: text starting with it is already wrapped (manual /compact omits the suffix). */
const wrapperStart = summaryPrefix.slice(0, summaryPrefix.indexOf('.') + 1);

/** Wraps summary text the way Claude Code stores it, leaving text that already carries the wrapper alone. */
export function wrapSummary(summary: string): string {
	return summary.startsWith(wrapperStart) ? summary : summaryPrefix + summary + summarySuffix;
}

/** Envelope fields copied onto records the writer makes: the project's cwd and the CLI's version and branch. */
interface SessionContext {
	readonly cwd?: string;
	readonly version?: string;
	readonly gitBranch?: string;
}

/** Keys that point at uuids of the original file and lose their meaning in the new one. */
const staleLinkKeys = ['logicalParentUuid', 'leafUuid', 'agentId'] as const;

/**
 * Writes the in-window messages of a transcript as a new, resumable Claude Code session
 * (FORMATS.md section 1 "Rules for writing", verified against the real CLI in section 8).
 */
export function writeClaudeSession(transcript: Transcript, options: WriteOptions): WrittenTranscript {
	const sessionId = options.sessionId ?? randomUUID();
	const fallbackTime = validTime(options.now) ?? new Date().toISOString();
	const chain = startChain(transcript, sessionId, fallbackTime);
	const preTokens = tokensBeforeEachMessage(transcript);
	const window = messagesInWindow(transcript);
	const times = writtenTimes(window, fallbackTime);
	window.forEach((message, index) => {
		const timestamp = times[index]!;
		if (message.flags.isSummary) writeSummary(chain, message, timestamp, preTokens.get(message));
		else if (isVerbatim(message)) {
			const restated = restatedUsage(message);
			for (const raw of message.raw) chain.emit(chain.copyEnvelope(raw as JsonObject, restated));
		} else writeRebuilt(chain, message, timestamp, transcript.meta.model);
	});

	return {
		text: chain.lines.length === 0 ? '' : `${chain.lines.join('\n')}\n`,
		fileName: `${sessionId}.jsonl`,
		sessionId,
		resumeHint: `claude --resume ${sessionId}`,
	};
}

/** The records written so far, each linked to the one before it (parentUuid), and the envelopes they carry. */
interface RecordChain {
	/** The JSON lines written so far, one per record. */
	readonly lines: string[];
	/** Appends a record; the next one's parentUuid points at it. */
	readonly emit: (record: JsonObject) => void;
	/** A fresh envelope for a record the writer makes, linked to the last record emitted. */
	readonly envelope: () => JsonObject;
	/**
	 * A read record's envelope moved into the new session: new uuid, linked to the last record emitted, links into
	 * the original file dropped or renamed, its usage restated (or zeroed after a compaction).
	 */
	readonly copyEnvelope: (raw: JsonObject, usage: RecordedUsage | undefined) => JsonObject;
}

/** An empty chain for a new session: records carry the transcript's cwd, version and branch and the new session id. */
function startChain(transcript: Transcript, sessionId: string, fallbackTime: string): RecordChain {
	const context = sessionContext(transcript);
	const lines: string[] = [];
	const renamed = new Map<string, string>();
	let parent: string | null = null;
	const emit = (record: JsonObject): void => {
		lines.push(JSON.stringify(record));
		parent = record['uuid'] as string;
	};
	const envelope = (): JsonObject => ({
		parentUuid: parent,
		isSidechain: false,
		userType: 'external',
		...(context.cwd !== undefined ? { cwd: context.cwd } : {}),
		sessionId,
		...(context.version !== undefined ? { version: context.version } : {}),
		...(context.gitBranch !== undefined ? { gitBranch: context.gitBranch } : {}),
	});
	// Usage copied from before a compaction describes the old, larger context: zeroed so no reader trusts it.
	const isCompaction = messagesInWindow(transcript).some((m) => m.flags.isSummary);
	const copyEnvelope = (raw: JsonObject, usage: RecordedUsage | undefined): JsonObject => {
		const record: JsonObject = {
			...(usage !== undefined ? withUsage(raw, usage) : isCompaction ? withoutStaleUsage(raw) : raw),
			parentUuid: parent,
			isSidechain: false,
			userType: 'external',
			sessionId,
			uuid: randomUUID(),
			timestamp: validTime(raw['timestamp']) ?? fallbackTime,
		};
		if (record['cwd'] === undefined && context.cwd !== undefined) record['cwd'] = context.cwd;
		for (const key of staleLinkKeys) delete record[key];
		const source = record['sourceToolAssistantUUID'];
		if (typeof source === 'string') {
			const now = renamed.get(source);
			if (now === undefined) delete record['sourceToolAssistantUUID'];
			else record['sourceToolAssistantUUID'] = now;
		}
		if (typeof raw['uuid'] === 'string') renamed.set(raw['uuid'], record['uuid'] as string);
		return record;
	};
	return { lines, emit, envelope, copyEnvelope };
}

/** A summary message: the compact boundary (only when it leads the file), then the wrapped summary. */
function writeSummary(
	chain: RecordChain,
	message: Message,
	timestamp: string,
	preTokens: number | undefined,
): void {
	// A boundary resets the chain, so it only leads the file: mid-file it would cut off the kept head.
	if (chain.lines.length === 0) {
		chain.emit({
			...chain.envelope(),
			type: 'system',
			subtype: 'compact_boundary',
			content: 'Conversation compacted',
			isMeta: false,
			timestamp,
			uuid: randomUUID(),
			level: 'info',
			compactMetadata: { trigger: 'manual', ...(preTokens !== undefined ? { preTokens } : {}) },
		});
	}
	chain.emit({
		...chain.envelope(),
		type: 'user',
		message: { role: 'user', content: wrapSummary(summaryText(message)) },
		isVisibleInTranscriptOnly: true,
		isCompactSummary: true,
		uuid: randomUUID(),
		timestamp,
	});
}

/** A changed message: one record rebuilt from its parts on its last read record's envelope (or a fresh one). */
function writeRebuilt(
	chain: RecordChain,
	message: Message,
	timestamp: string,
	model: string | undefined,
): void {
	const content = contentFromParts(message.parts);
	if (content.length === 0) return;
	const base = lastClaudeRecord(message);
	if (message.role === 'assistant') {
		const baseMessage = base !== undefined && isJsonObject(base['message']) ? base['message'] : undefined;
		const apiMessage: JsonObject =
			baseMessage !== undefined
				? { ...baseMessage, content, ...(message.usage !== undefined ? usageField(message.usage) : {}) }
				: synthesizedAssistant(message, model, content);
		const record = base !== undefined ? chain.copyEnvelope(base, undefined) : chain.envelope();
		delete record['toolUseResult'];
		chain.emit({
			...record,
			type: 'assistant',
			message: apiMessage,
			uuid: record['uuid'] ?? randomUUID(),
			timestamp: record['timestamp'] ?? timestamp,
		});
		return;
	}
	const userContent = content.length === 1 && isPlainText(message.parts) ? message.parts[0]!.text : content;
	const record = base !== undefined ? chain.copyEnvelope(base, restatedUsage(message)) : chain.envelope();
	// The structured tool result shadows the model-visible one and would undo a compaction: not on rebuilt records.
	delete record['toolUseResult'];
	chain.emit({
		...record,
		type: 'user',
		message: { role: 'user', content: userContent },
		uuid: record['uuid'] ?? randomUUID(),
		timestamp: record['timestamp'] ?? timestamp,
	});
}

/** The record with its API message's usage counts set to 0 (the shape Claude Code gives its synthetic messages). */
function withoutStaleUsage(raw: JsonObject): JsonObject {
	const message = raw['message'];
	if (!isJsonObject(message) || !isJsonObject(message['usage'])) return raw;
	const usage: JsonObject = { ...message['usage'] };
	for (const key of [
		'input_tokens',
		'output_tokens',
		'cache_creation_input_tokens',
		'cache_read_input_tokens',
	]) {
		if (typeof usage[key] === 'number') usage[key] = 0;
	}
	return { ...raw, message: { ...message, usage } };
}

/** True when the message is exactly what was read: every content block of its records is one of its parts, unchanged. */
function isVerbatim(message: Message): boolean {
	if (message.raw.length === 0) return false;
	let next = 0;
	for (const raw of message.raw) {
		if (!isJsonObject(raw) || (raw['type'] !== 'user' && raw['type'] !== 'assistant')) return false;
		if ((raw['type'] === 'assistant') !== (message.role === 'assistant')) return false;
		const apiMessage = raw['message'];
		if (!isJsonObject(apiMessage)) return false;
		const content = apiMessage['content'];
		const blocks = typeof content === 'string' ? [content] : Array.isArray(content) ? content : undefined;
		if (blocks === undefined) return false;
		for (const block of blocks) {
			const part = message.parts[next++];
			if (part === undefined || part.raw !== block || !partMatchesRaw(part)) return false;
		}
	}
	return next === message.parts.length;
}

/** Content blocks for parts: unchanged parts as their stored block, changed ones rebuilt, unforgeable ones dropped. */
function contentFromParts(parts: readonly Part[]): JsonObject[] {
	const blocks: JsonObject[] = [];
	for (const part of parts) {
		if (isJsonObject(part.raw) && partMatchesRaw(part)) {
			blocks.push(part.raw);
			continue;
		}
		switch (part.kind) {
			case 'text':
				// The API rejects empty text blocks.
				if (part.text !== '') blocks.push({ type: 'text', text: part.text });
				break;
			case 'toolCall':
				blocks.push({
					type: 'tool_use',
					id: part.callId,
					name: part.name,
					input: parseArguments(part.argumentsText),
				});
				break;
			case 'toolResult': {
				const images = part.images.filter((image) => isJsonObject(image.raw)).map((image) => image.raw);
				blocks.push({
					type: 'tool_result',
					tool_use_id: part.callId,
					content: images.length === 0 ? part.text : [{ type: 'text', text: part.text }, ...images],
					...(part.isError ? { is_error: true } : {}),
				});
				break;
			}
			// Thinking without its signed block cannot be forged; images and opaque blocks without their source have no data.
			case 'thinking':
			case 'image':
			case 'opaque':
				break;
		}
	}
	return blocks;
}

function isPlainText(parts: readonly Part[]): parts is readonly [Part & { kind: 'text' }] {
	const only = parts[0];
	return parts.length === 1 && only !== undefined && only.kind === 'text' && !isJsonObject(only.raw);
}

function parseArguments(text: string): unknown {
	try {
		const value = JSON.parse(text) as unknown;
		return isJsonObject(value) ? value : {};
	} catch {
		return {};
	}
}

function summaryText(message: Message): string {
	return message.parts
		.filter((part) => part.kind === 'text')
		.map((part) => part.text)
		.join('\n');
}

/** The newest Claude Code user or assistant record a message came from; records of other formats do not count. */
function lastClaudeRecord(message: Message): JsonObject | undefined {
	for (let i = message.raw.length - 1; i >= 0; i--) {
		const raw = message.raw[i];
		if (
			isJsonObject(raw) &&
			(raw['type'] === 'user' || raw['type'] === 'assistant') &&
			isJsonObject(raw['message'])
		)
			return raw;
	}
	return undefined;
}

/**
 * Timestamps for records the writer makes, per message: its own when valid, else the next message's, else
 * `fallback` (now), so a made-up record never looks newer than the copied records after it.
 */
function writtenTimes(messages: readonly Message[], fallback: string): string[] {
	const times = new Array<string>(messages.length);
	let next = fallback;
	for (let i = messages.length - 1; i >= 0; i--) {
		next = validTime(messages[i]!.timestamp) ?? next;
		times[i] = next;
	}
	return times;
}

/** An API response for a message that has no Claude record to start from; usage kept when known. */
function synthesizedAssistant(
	message: Message,
	fallbackModel: string | undefined,
	content: JsonObject[],
): JsonObject {
	const model = message.model ?? fallbackModel;
	return {
		id: `msg_${randomBytes(12).toString('hex')}`,
		type: 'message',
		role: 'assistant',
		...(model !== undefined ? { model } : {}),
		content,
		stop_reason: null,
		stop_sequence: null,
		...(message.usage !== undefined ? usageField(message.usage) : {}),
	};
}

/** An API message's `usage` for recorded usage: the whole input as uncached input, so readers add up the same. */
function usageField(usage: RecordedUsage): { usage: JsonObject } {
	return {
		usage: {
			input_tokens: usage.inputTokens,
			cache_creation_input_tokens: 0,
			cache_read_input_tokens: 0,
			output_tokens: usage.outputTokens,
		},
	};
}

/**
 * The message's usage when it is not what its records say (a compaction restated it); undefined when the records
 * already say it, so they are copied as they are (a split response's records carry their own partial counts).
 */
function restatedUsage(message: Message): RecordedUsage | undefined {
	const usage = message.usage;
	if (usage === undefined) return undefined;
	let recorded: RecordedUsage | undefined;
	for (const raw of message.raw) {
		const api = isJsonObject(raw) ? raw['message'] : undefined;
		recorded = (isJsonObject(api) ? usageOf(api['usage']) : undefined) ?? recorded;
	}
	return recorded?.inputTokens === usage.inputTokens && recorded.outputTokens === usage.outputTokens
		? undefined
		: usage;
}

/**
 * The record with its API message's usage replaced by `usage` (a compaction restates usage for the new window),
 * the other fields of its usage kept.
 */
function withUsage(raw: JsonObject, usage: RecordedUsage): JsonObject {
	const message = raw['message'];
	if (!isJsonObject(message) || !isJsonObject(message['usage'])) return raw;
	// The cache breakdown described the old request's input: it goes with the counts it broke down.
	const { cache_creation: _breakdown, ...kept } = message['usage'];
	return { ...raw, message: { ...message, usage: { ...kept, ...usageField(usage).usage } } };
}

/** cwd, version and git branch from the newest record that has them, falling back to the transcript's cwd. */
function sessionContext(transcript: Transcript): SessionContext {
	let cwd: string | undefined;
	let version: string | undefined;
	let gitBranch: string | undefined;
	for (let i = transcript.messages.length - 1; i >= 0; i--) {
		const raw = lastClaudeRecord(transcript.messages[i]!);
		if (raw === undefined) continue;
		if (cwd === undefined && typeof raw['cwd'] === 'string') cwd = raw['cwd'];
		if (version === undefined && typeof raw['version'] === 'string') version = raw['version'];
		if (gitBranch === undefined && typeof raw['gitBranch'] === 'string') gitBranch = raw['gitBranch'];
		if (cwd !== undefined && version !== undefined && gitBranch !== undefined) break;
	}
	cwd ??= transcript.meta.cwd;
	return {
		...(cwd !== undefined ? { cwd } : {}),
		...(version !== undefined ? { version } : {}),
		...(gitBranch !== undefined ? { gitBranch } : {}),
	};
}

/** For each summary message: the context size the newest earlier usage recorded (the boundary's `preTokens`). */
function tokensBeforeEachMessage(transcript: Transcript): Map<Message, number> {
	const before = new Map<Message, number>();
	let latest: number | undefined;
	for (const message of transcript.messages) {
		if (message.flags.isSummary && latest !== undefined) before.set(message, latest);
		if (message.usage !== undefined) latest = message.usage.contextTokens;
	}
	return before;
}

function validTime(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' && !Number.isNaN(Date.parse(value)) ? value : undefined;
}
