import type { AccumulatedTranscript, RecordAccumulator } from '../../format';
import type { Diagnostic, Message, PassthroughRecord, TranscriptMeta } from '../../model';
import { isRecord, stringField, type JsonObject } from '../copilot/jsonValues';
import { messagesOfRecord } from './messageRecords';

/** One message record as the log last wrote it. */
interface Entry {
	readonly id: string;
	record: JsonObject;
	readonly firstLine: number;
	lastLine: number;
	/** Index in the live order (meaningless once compacted). */
	position: number;
	/** Messages built from `record`; undefined when it changed since. */
	derived: Message[] | undefined;
	/** The record is display-only (info, warning, error): a passthrough record, not a message. */
	isPassthrough: boolean;
	isCompacted: boolean;
}

/**
 * Replays a Gemini CLI chat recording the way Gemini CLI loads it: a metadata header, message records upserted by
 * id (last copy wins, first position kept), `{"$set": …}` patches (a `messages` array is a checkpoint that
 * replaces the context; what it drops stays as compacted history) and `{"$rewindTo": id}` markers (that message
 * and everything after it is removed). A build re-derives only the records from the first changed one on.
 * Passthrough holds bookkeeping lines (header, patches, rewinds) first, then display-only messages.
 */
export class GeminiSessionLog implements RecordAccumulator {
	private header: JsonObject = {};
	private order: Entry[] = [];
	private byId = new Map<string, Entry>();
	private readonly compacted: Entry[] = [];
	private readonly bookkeeping: PassthroughRecord[] = [];
	private readonly diagnostics: Diagnostic[] = [];
	private isSidechain = false;
	/** Per slot (compacted entries, then live ones): where its messages and passthrough start in the last build. */
	private readonly starts: { messages: number; passthrough: number }[] = [];
	private flatMessages: readonly Message[] = [];
	private flatPassthrough: readonly PassthroughRecord[] = [];
	/** Lowest slot whose output must be rebuilt. */
	private minDirty = 0;
	private lastBuild: AccumulatedTranscript | undefined;

	addRecord(record: unknown, line: number): void {
		this.lastBuild = undefined;
		if (!isRecord(record)) {
			this.diagnostics.push({
				severity: 'warning',
				line,
				message: 'not a Gemini CLI session record (a JSON object expected); the line was skipped.',
			});
			return;
		}
		if ('$rewindTo' in record) return this.rewind(record, line);
		if ('$set' in record) return this.patch(record, line);
		const id = record['id'];
		if (typeof id === 'string' || typeof id === 'number') return this.addMessage(record, String(id), line);
		if ('type' in record) return this.addMessage(record, `line-${line}`, line);
		if (typeof record['sessionId'] === 'string') this.mergeHeader(record);
		this.bookkeeping.push({ line, record });
	}

	/** Adds a message record under `id`, replacing an earlier copy in place. */
	addMessage(record: JsonObject, id: string, line: number): void {
		this.lastBuild = undefined;
		const existing = this.byId.get(id);
		if (existing !== undefined) {
			existing.record = record;
			existing.lastLine = line;
			existing.derived = undefined;
			this.markDirty(this.compacted.length + existing.position);
			return;
		}
		this.append({ id, record, firstLine: line, lastLine: line });
	}

	/**
	 * A JSON session document's own fields: merged as the header, and kept as the document with an empty
	 * `messages` list (its shell) at line 1, so a writer knows the session was one JSON document.
	 */
	keepDocumentShell(fields: JsonObject): void {
		this.mergeHeader(fields);
		this.bookkeeping.push({ line: 1, record: { ...fields, messages: [] } });
	}

	/** Merges session metadata (the header line, or a JSON document's own fields). */
	mergeHeader(fields: JsonObject): void {
		this.lastBuild = undefined;
		this.header = { ...this.header, ...fields };
		const isSidechain = this.header['kind'] === 'subagent';
		if (isSidechain !== this.isSidechain) {
			this.isSidechain = isSidechain;
			for (const entry of [...this.compacted, ...this.order]) entry.derived = undefined;
			this.markDirty(0);
		}
	}

	build(): AccumulatedTranscript {
		if (this.lastBuild !== undefined) return this.lastBuild;
		const slots = this.compacted.length + this.order.length;
		const from = Math.min(this.minDirty, this.starts.length, slots);
		const start = this.starts[from];
		const messages = this.flatMessages.slice(0, start?.messages ?? this.flatMessages.length);
		const shown = this.flatPassthrough.slice(0, start?.passthrough ?? this.flatPassthrough.length);
		for (let slot = from; slot < slots; slot++) {
			const entry =
				slot < this.compacted.length ? this.compacted[slot] : this.order[slot - this.compacted.length];
			if (entry === undefined) continue;
			this.starts[slot] = { messages: messages.length, passthrough: shown.length };
			const derived = this.derive(entry);
			if (entry.isPassthrough) shown.push({ line: entry.lastLine, record: entry.record });
			for (const message of derived) messages.push(message);
		}
		this.starts.length = slots;
		this.flatMessages = messages;
		this.flatPassthrough = shown;
		this.minDirty = Number.POSITIVE_INFINITY;
		let model: string | undefined;
		for (let i = messages.length - 1; i >= 0 && model === undefined; i--) model = messages[i]?.model;
		this.lastBuild = {
			messages,
			passthrough: [...this.bookkeeping, ...shown],
			meta: this.meta(model),
			diagnostics: [...this.diagnostics],
		};
		return this.lastBuild;
	}

	private append(fields: Pick<Entry, 'id' | 'record' | 'firstLine' | 'lastLine'>): void {
		const entry: Entry = {
			...fields,
			position: this.order.length,
			derived: undefined,
			isPassthrough: false,
			isCompacted: false,
		};
		this.order.push(entry);
		this.byId.set(entry.id, entry);
		this.markDirty(this.compacted.length + entry.position);
	}

	private markDirty(slot: number): void {
		this.minDirty = Math.min(this.minDirty, slot);
	}

	private derive(entry: Entry): Message[] {
		if (entry.derived !== undefined) return entry.derived;
		const derived = messagesOfRecord(entry.record, {
			id: entry.id,
			lines: { from: entry.firstLine, to: entry.lastLine },
			isCompacted: entry.isCompacted,
			isSidechain: this.isSidechain,
		});
		entry.isPassthrough = derived === undefined;
		entry.derived = derived ?? [];
		return entry.derived;
	}

	private meta(model: string | undefined): TranscriptMeta {
		const sessionId = stringField(this.header, 'sessionId');
		const title = stringField(this.header, 'summary');
		return {
			...(sessionId !== undefined ? { sessionId } : {}),
			...(title !== undefined ? { title } : {}),
			...(model !== undefined ? { model } : {}),
		};
	}

	private patch(record: JsonObject, line: number): void {
		this.bookkeeping.push({ line, record });
		const fields = record['$set'];
		if (!isRecord(fields)) {
			this.diagnostics.push({
				severity: 'warning',
				line,
				message: '"$set" holds no object; nothing was changed.',
			});
			return;
		}
		const { messages, ...rest } = fields;
		if (Object.keys(rest).length > 0) this.mergeHeader(rest);
		if (messages === undefined) return;
		if (!Array.isArray(messages)) {
			this.diagnostics.push({
				severity: 'warning',
				line,
				message: '"$set.messages" is not an array; the checkpoint was ignored.',
			});
			return;
		}
		this.checkpoint(messages, line);
	}

	/** A `$set.messages` checkpoint: the list becomes the context; messages it drops are kept as compacted. */
	private checkpoint(records: readonly unknown[], line: number): void {
		const previous = this.byId;
		const previousOrder = this.order;
		this.markDirty(this.compacted.length);
		this.order = [];
		this.byId = new Map();
		const kept = new Set<Entry>();
		records.forEach((record, k) => {
			if (!isRecord(record)) return;
			const rawId = record['id'];
			const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : `line-${line}-${k}`;
			const existing = this.byId.get(id);
			if (existing !== undefined) {
				existing.record = record;
				return;
			}
			const before = previous.get(id);
			if (before !== undefined) kept.add(before);
			this.append({ id, record, firstLine: before?.firstLine ?? line, lastLine: line });
		});
		for (const dropped of previousOrder) {
			if (kept.has(dropped)) continue;
			dropped.isCompacted = true;
			dropped.derived = undefined;
			this.compacted.push(dropped);
		}
	}

	private rewind(record: JsonObject, line: number): void {
		this.bookkeeping.push({ line, record });
		const target = record['$rewindTo'];
		const id = typeof target === 'string' || typeof target === 'number' ? String(target) : undefined;
		const entry = id === undefined ? undefined : this.byId.get(id);
		const cut = entry?.position ?? 0;
		if (entry === undefined) {
			// Gemini CLI drops every message when the rewind target is unknown; do the same, but say so.
			this.diagnostics.push({
				severity: 'warning',
				line,
				message: `"$rewindTo" names message ${JSON.stringify(target)}, which is not in the session; like Gemini CLI, every message was dropped.`,
			});
		}
		for (const removed of this.order.slice(cut)) this.byId.delete(removed.id);
		this.order.length = cut;
		this.markDirty(this.compacted.length + cut);
	}
}
