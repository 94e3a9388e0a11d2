import type { AccumulatedTranscript, RecordAccumulator } from '../../format';
import type {
	Diagnostic,
	Message,
	MessageFlags,
	Part,
	PassthroughRecord,
	RecordedUsage,
	TranscriptMeta,
} from '../../model';
import { StringPool, compactStrings, derivedText, type DerivedText } from '../../compactJson';
import { makeFlags } from '../../model';
import { describeValue, isJsonObject, partsFromContent, type JsonObject } from './blocks';
import { LiveBranch, type ChainNode } from './liveBranch';

/** Model name Claude Code gives messages it makes up itself (API errors, interruptions). */
export const syntheticModel = '<synthetic>';

/** One message being built: a user record, or the assistant records of one API response (`message.id`). */
interface Entry {
	/** Position in the entries list (and in the built messages). */
	readonly index: number;
	readonly id: string;
	readonly role: 'user' | 'assistant';
	readonly isSidechain: boolean;
	/** Replaced, never changed in place, when a split record joins: built messages share these arrays. */
	records: readonly unknown[];
	parts: readonly Part[];
	readonly nodes: number[];
	readonly from: number;
	to: number;
	readonly isMeta: boolean;
	readonly isSummary: boolean;
	isError: boolean;
	/** A user record whose blocks are all tool results: it answers calls rather than starting a turn. */
	readonly answersOnly: boolean;
	readonly callIds: readonly string[];
	/** Entry of the message record this one hangs off (see `callerOf`); -2 until known. */
	caller: number;
	readonly timestamp: string | undefined;
	model: string | undefined;
	usage: RecordedUsage | undefined;
	/** The Message last built from this entry, reused while nothing about it changes. */
	built: Message | undefined;
	builtCompacted: boolean;
}

interface SummaryTitle {
	readonly leafUuid: string;
	readonly text: string;
}

/** Reads Claude Code session records in file order; `build` is cheap to call again after more records arrive. */
export class ClaudeCodeAccumulator implements RecordAccumulator {
	private readonly entries: Entry[] = [];
	private readonly usedIds = new Set<string>();
	/** Assistant entries still open for more split records, by `message.id`; a new user prompt closes them. */
	private readonly openGroups = new Map<string, Entry>();
	private readonly nodes: ChainNode[] = [];
	private readonly uuidIndex = new Map<string, number>();
	private readonly branch = new LiveBranch(this.nodes, this.uuidIndex);
	private readonly passthrough: PassthroughRecord[] = [];
	private readonly diagnostics: Diagnostic[] = [];
	/** Entries count at the newest compact boundary, per side (index 0 main, 1 sidechain). */
	private readonly boundaryAt = [0, 0];
	private lastMainLeaf = -1;
	private lastSideLeaf = -1;
	private readonly summaries: SummaryTitle[] = [];
	private customTitle: string | undefined;
	private aiTitle: string | undefined;
	private sessionId: string | undefined;
	private cwd: string | undefined;
	private model: string | undefined;
	/** Entries answering each tool call id, to tell a parallel result from a second answer to the same call. */
	private readonly answers = new Map<string, number[]>();
	private lastBuild: AccumulatedTranscript | undefined;
	/** `uuid` of the last record that had one. */
	private lastUuid: string | undefined;
	/** One string for each value the envelope keys repeat, instead of one per record. */
	private readonly pool = new StringPool();
	private snapshotPassthrough: readonly PassthroughRecord[] = [];
	private snapshotDiagnostics: readonly Diagnostic[] = [];

	addRecord(record: unknown, line: number): void {
		this.lastBuild = undefined;
		if (!isJsonObject(record)) {
			this.warn(line, `record is ${describeValue(record)}, not a JSON object; kept as it is`);
			this.passthrough.push({ line, record });
			return;
		}
		const type = record['type'];
		if (typeof type !== 'string') {
			this.warn(line, 'record has no "type"; kept as it is');
			this.passthrough.push({ line, record });
			return;
		}
		this.addTyped(compactRecord(record, type, this.pool), type, line);
	}

	private addTyped(record: JsonObject, type: string, line: number): void {
		this.noteSessionFacts(record, type);
		const node = this.addNode(record, type);
		if (type === 'user' && this.addUser(record, line, node)) return;
		if (type === 'assistant' && this.addAssistant(record, line, node)) return;
		if (type === 'system' && record['subtype'] === 'compact_boundary') {
			this.boundaryAt[record['isSidechain'] === true ? 1 : 0] = this.entries.length;
		} else if (type === 'summary') this.noteSummary(record);
		else if (type === 'custom-title' && typeof record['customTitle'] === 'string')
			this.customTitle = record['customTitle'];
		else if (type === 'ai-title' && typeof record['aiTitle'] === 'string') this.aiTitle = record['aiTitle'];
		this.passthrough.push({ line, record });
	}

	build(): AccumulatedTranscript {
		if (this.lastBuild !== undefined) return this.lastBuild;
		const leafIsSidechain = this.lastMainLeaf < 0;
		this.branch.update(leafIsSidechain ? this.lastSideLeaf : this.lastMainLeaf);
		const live = this.liveEntries(leafIsSidechain);
		const messages: Message[] = new Array<Message>(this.entries.length);
		this.entries.forEach((entry, index) => {
			const beforeBoundary = index < this.boundaryAt[entry.isSidechain ? 1 : 0]!;
			// Off the live branch (an abandoned retry or edit): not sent on the next request, so not counted.
			const offBranch = entry.isSidechain === leafIsSidechain && !live[index];
			messages[index] = this.messageOf(entry, beforeBoundary || offBranch);
		});
		if (this.snapshotPassthrough.length !== this.passthrough.length)
			this.snapshotPassthrough = this.passthrough.slice();
		if (this.snapshotDiagnostics.length !== this.diagnostics.length)
			this.snapshotDiagnostics = this.diagnostics.slice();
		this.lastBuild = {
			messages,
			passthrough: this.snapshotPassthrough,
			meta: this.meta(),
			diagnostics: this.snapshotDiagnostics,
		};
		return this.lastBuild;
	}

	private warn(line: number, message: string): void {
		this.diagnostics.push({ severity: 'warning', line, message });
	}

	private noteSessionFacts(record: JsonObject, type: string): void {
		if (type !== 'user' && type !== 'assistant' && type !== 'system') return;
		if (this.sessionId === undefined && typeof record['sessionId'] === 'string')
			this.sessionId = record['sessionId'];
		if (typeof record['cwd'] === 'string') this.cwd = record['cwd'];
	}

	private noteSummary(record: JsonObject): void {
		const leafUuid = record['leafUuid'];
		const text = record['summary'];
		if (typeof leafUuid === 'string' && typeof text === 'string') this.summaries.push({ leafUuid, text });
	}

	/** Adds a chain node for records that take part in the parentUuid chain; -1 for those that do not. */
	private addNode(record: JsonObject, type: string): number {
		const uuid = typeof record['uuid'] === 'string' ? record['uuid'] : undefined;
		// Most records hang off the record before them: one string for that uuid instead of two.
		if (this.lastUuid !== undefined && record['parentUuid'] === this.lastUuid)
			record['parentUuid'] = this.lastUuid;
		if (uuid !== undefined) this.lastUuid = uuid;
		const hasParentKey = 'parentUuid' in record;
		if (uuid === undefined && !hasParentKey && type !== 'user' && type !== 'assistant') return -1;
		const parentValue = record['parentUuid'];
		const logical = record['logicalParentUuid'];
		const index = this.nodes.length;
		this.nodes.push({
			parent: typeof parentValue === 'string' || parentValue === null ? parentValue : undefined,
			logicalParent: typeof logical === 'string' ? logical : undefined,
			previous: index - 1,
			entry: -1,
		});
		// The first record with a uuid keeps it, so links resolved once never change as the file grows.
		if (uuid !== undefined && !this.uuidIndex.has(uuid)) this.uuidIndex.set(uuid, index);
		return index;
	}

	private addUser(record: JsonObject, line: number, node: number): boolean {
		const content = this.contentOf(record, line, 'user');
		if (content === undefined) return false;
		const { parts, problems } = partsFromContent(content);
		for (const problem of problems) this.warn(line, problem);
		const answersOnly = parts.length > 0 && parts.every((p) => p.kind === 'toolResult');
		if (!answersOnly) this.openGroups.clear();
		const callIds: string[] = [];
		let isError = false;
		for (const part of parts) {
			if (part.kind !== 'toolResult') continue;
			callIds.push(part.callId);
			if (part.isError) isError = true;
		}
		const uuid = record['uuid'];
		this.pushEntry(
			{
				index: this.entries.length,
				id: this.uniqueId(typeof uuid === 'string' && uuid !== '' ? uuid : `line-${line}`, line),
				role: 'user',
				isSidechain: record['isSidechain'] === true,
				records: [record],
				parts,
				nodes: [node],
				from: line,
				to: line,
				isMeta: record['isMeta'] === true,
				isSummary: record['isCompactSummary'] === true,
				isError,
				answersOnly,
				callIds,
				caller: -2,
				timestamp: typeof record['timestamp'] === 'string' ? record['timestamp'] : undefined,
				model: undefined,
				usage: undefined,
				built: undefined,
				builtCompacted: false,
			},
			node,
		);
		return true;
	}

	private addAssistant(record: JsonObject, line: number, node: number): boolean {
		const content = this.contentOf(record, line, 'assistant');
		if (content === undefined) return false;
		const message = record['message'] as JsonObject;
		const { parts, problems } = partsFromContent(content);
		for (const problem of problems) this.warn(line, problem);
		const model = typeof message['model'] === 'string' ? message['model'] : undefined;
		const isSidechain = record['isSidechain'] === true;
		const apiId = typeof message['id'] === 'string' && message['id'] !== '' ? message['id'] : undefined;
		const groupKey = apiId === undefined ? undefined : `${isSidechain ? 's' : 'm'}:${apiId}`;
		const isError =
			record['isApiErrorMessage'] === true ||
			(model === syntheticModel && (record['error'] !== undefined || startsWithApiError(parts)));
		const usage = model === syntheticModel ? undefined : usageOf(message['usage']);
		if (model !== undefined && model !== syntheticModel) this.model = model;
		const open = groupKey === undefined ? undefined : this.openGroups.get(groupKey);
		if (open !== undefined) {
			// A later record of a split response: its parts follow, and its usage is the final one.
			const first = open.records[0] as JsonObject;
			const requestId = first['requestId'];
			if (typeof requestId === 'string' && record['requestId'] === requestId) record['requestId'] = requestId;
			message['id'] = (first['message'] as JsonObject)['id'];
			// concat makes exact-size arrays; spreading grows them like push, with room to spare.
			open.records = open.records.concat([record]);
			open.parts = open.parts.concat(parts);
			open.nodes.push(node);
			open.to = line;
			if (isError) open.isError = true;
			if (model !== undefined) open.model = model;
			if (usage !== undefined) open.usage = usage;
			open.built = undefined;
			this.nodes[node]!.entry = open.index;
			this.noteLeaf(node, isSidechain);
			return true;
		}
		const uuid = record['uuid'];
		const entry: Entry = {
			index: this.entries.length,
			id: this.uniqueId(apiId ?? (typeof uuid === 'string' && uuid !== '' ? uuid : `line-${line}`), line),
			role: 'assistant',
			isSidechain,
			records: [record],
			parts,
			nodes: [node],
			from: line,
			to: line,
			isMeta: record['isMeta'] === true,
			isSummary: false,
			isError,
			answersOnly: false,
			callIds: [],
			caller: -2,
			timestamp: typeof record['timestamp'] === 'string' ? record['timestamp'] : undefined,
			model,
			usage,
			built: undefined,
			builtCompacted: false,
		};
		if (groupKey !== undefined) this.openGroups.set(groupKey, entry);
		this.pushEntry(entry, node);
		return true;
	}

	/** The message content of a user or assistant record, or undefined (with a warning) when it is unusable. */
	private contentOf(
		record: JsonObject,
		line: number,
		role: 'user' | 'assistant',
	): string | readonly unknown[] | undefined {
		const message = record['message'];
		if (!isJsonObject(message)) {
			this.warn(line, `${role} record has no message (found ${describeValue(message)}); kept as it is`);
			return undefined;
		}
		const content = message['content'];
		if (typeof content === 'string' || Array.isArray(content)) return content;
		this.warn(
			line,
			`${role} message content is ${describeValue(content)}, not text or a list of blocks; kept as it is`,
		);
		return undefined;
	}

	private pushEntry(entry: Entry, node: number): void {
		this.nodes[node]!.entry = entry.index;
		for (const id of entry.callIds) {
			const list = this.answers.get(id);
			if (list === undefined) this.answers.set(id, [entry.index]);
			else list.push(entry.index);
		}
		this.entries.push(entry);
		this.noteLeaf(node, entry.isSidechain);
	}

	private noteLeaf(node: number, isSidechain: boolean): void {
		if (isSidechain) this.lastSideLeaf = node;
		else this.lastMainLeaf = node;
	}

	private uniqueId(id: string, line: number): string {
		const unique = this.usedIds.has(id) ? `${id}@${line}` : id;
		this.usedIds.add(unique);
		return unique;
	}

	/** Which entries the model sees on the live branch: on the parentUuid path, or answering a call made on it. */
	private liveEntries(leafIsSidechain: boolean): Uint8Array {
		const entries = this.entries;
		const live = new Uint8Array(entries.length);
		for (let i = 0; i < entries.length; i++) {
			const entry = entries[i]!;
			if (entry.isSidechain !== leafIsSidechain) continue;
			for (const node of entry.nodes) {
				if (this.branch.isLive(node)) {
					live[i] = 1;
					break;
				}
			}
		}
		// Parallel tool results hang off their own tool_use record, beside the path the next turn continues
		// from; they are live when the response that made the call is live and nothing live answered it yet.
		for (let i = 0; i < entries.length; i++) {
			const entry = entries[i]!;
			if (live[i] === 1 || !entry.answersOnly || entry.isSidechain !== leafIsSidechain) continue;
			const caller = this.callerOf(entry);
			if (caller < 0 || live[caller] !== 1 || entries[caller]!.role !== 'assistant') continue;
			if (entry.callIds.some((id) => this.answers.get(id)!.some((other) => other !== i && live[other] === 1)))
				continue;
			live[i] = 1;
		}
		return live;
	}

	/** The entry of the nearest message record above an entry's first record, skipping bookkeeping (progress, attachments). */
	private callerOf(entry: Entry): number {
		if (entry.caller !== -2) return entry.caller;
		let dangling = false;
		let caller = -1;
		let at = this.branch.parentOf(entry.nodes[0]!);
		for (let steps = 0; at >= 0 && steps < 64; steps++) {
			dangling ||= this.branch.followedDanglingLink;
			const found = this.nodes[at]!.entry;
			if (found >= 0) {
				caller = found;
				break;
			}
			at = this.branch.parentOf(at);
		}
		dangling ||= this.branch.followedDanglingLink;
		// A link to a record not yet written may resolve later, so only a walk over real links is kept.
		if (!dangling) entry.caller = caller;
		return caller;
	}

	private messageOf(entry: Entry, isCompacted: boolean): Message {
		if (entry.built !== undefined && entry.builtCompacted === isCompacted) return entry.built;
		const message: Message = {
			id: entry.id,
			role: entry.role,
			parts: entry.parts,
			flags: sharedFlags(entry.isSummary, isCompacted, entry.isSidechain, entry.isMeta, entry.isError),
			lines: { from: entry.from, to: entry.to },
			raw: entry.records,
			...(entry.timestamp !== undefined ? { timestamp: entry.timestamp } : {}),
			...(entry.model !== undefined ? { model: entry.model } : {}),
			...(entry.usage !== undefined ? { usage: entry.usage } : {}),
		};
		entry.built = message;
		entry.builtCompacted = isCompacted;
		return message;
	}

	private meta(): TranscriptMeta {
		const title = this.customTitle ?? this.aiTitle ?? this.summaryTitle();
		return {
			...(this.sessionId !== undefined ? { sessionId: this.sessionId } : {}),
			...(title !== undefined ? { title } : {}),
			...(this.cwd !== undefined ? { cwd: this.cwd } : {}),
			...(this.model !== undefined ? { model: this.model } : {}),
		};
	}

	/** `summary` records are often copied from other sessions, so only one naming a leaf of this file counts. */
	private summaryTitle(): string | undefined {
		for (let i = this.summaries.length - 1; i >= 0; i--) {
			const summary = this.summaries[i]!;
			if (this.uuidIndex.has(summary.leafUuid)) return summary.text;
		}
		return undefined;
	}
}

/**
 * A record with its bulky strings stored compactly where nothing reads them while counting: the structured tool
 * result (`toolUseResult`, often most of the file, and for shell runs a copy of the result the model read) and
 * bookkeeping records. Message content stays as it is: parts hold its strings and blocks.
 */
function compactRecord(record: JsonObject, type: string, pool: StringPool): JsonObject {
	for (let slot = 0; slot < repeatedKeys.length; slot++) {
		const key = repeatedKeys[slot]!;
		const value = record[key];
		if (typeof value === 'string') record[key] = pool.internAt(slot, value);
	}
	if (type !== 'user' && type !== 'assistant') return compactStrings(record);
	if (type === 'assistant') {
		const message = record['message'];
		if (isJsonObject(message) && typeof message['model'] === 'string')
			message['model'] = pool.intern(message['model']);
		return compactStrings(record, { skip: 'message' });
	}
	const shared = resultTexts(record);
	return compactStrings(record, { skip: 'message', shared, derivable: () => readFileContents(shared) });
}

/**
 * The file text a Read result shows with numbered lines (`toolUseResult.file.content` holds exactly that):
 * the leading lines of the form `<spaces><digits>→<text>` (or a tab for the arrow) without their numbers;
 * empty when the text does not start with one.
 */
export function withoutLineNumbers(text: string): string {
	const lines: string[] = [];
	let start = 0;
	while (start <= text.length) {
		const body = numberedLineBody(text, start);
		if (body < 0) break;
		let end = text.indexOf('\n', body);
		if (end < 0) end = text.length;
		lines.push(text.slice(body, end));
		start = end + 1;
	}
	return lines.join('\n');
}

const space = 0x20;
const digitZero = 0x30;
const digitNine = 0x39;
const tab = 0x09;
const arrow = 0x2192;

/** Where the text of a numbered line starting at `start` begins, or -1 when the line is not numbered. */
function numberedLineBody(text: string, start: number): number {
	let at = start;
	while (text.charCodeAt(at) === space) at++;
	const digits = at;
	for (let c = text.charCodeAt(at); c >= digitZero && c <= digitNine; c = text.charCodeAt(at)) at++;
	if (at === digits) return -1;
	const c = text.charCodeAt(at);
	return c === arrow || c === tab ? at + 1 : -1;
}

/**
 * True when `text` is `withoutLineNumbers(numbered)` and not empty, found by comparing it line by line with the
 * numbered text's line bodies instead of building that text (a copy of the whole file) only to compare it.
 */
export function isWithoutLineNumbers(numbered: string, text: string): boolean {
	let at = 0;
	let lines = 0;
	for (let start = 0; start <= numbered.length; lines++) {
		const body = numberedLineBody(numbered, start);
		if (body < 0) break;
		let end = numbered.indexOf('\n', body);
		if (end < 0) end = numbered.length;
		if (lines > 0) {
			if (text.charCodeAt(at) !== newlineCode) return false;
			at++;
		}
		const length = end - body;
		// Two substrings compared with === (a block compare) cost a third of `startsWith` with a slice, which
		// walks the two-byte text (the arrow makes it one) character by character.
		if (length > 0) {
			if (at + length > text.length) return false;
			if (numbered.substring(body, end) !== text.substring(at, at + length)) return false;
		}
		at += length;
		start = end + 1;
	}
	return lines > 0 && at === text.length && text.length > 0;
}

const newlineCode = 0x0a;

/** What the file contents of Read results in a record would be, to keep them as computed from the results. */
function readFileContents(results: readonly string[]): DerivedText[] {
	const derived: DerivedText[] = [];
	for (const result of results) {
		if (numberedLineBody(result, 0) < 0) continue;
		derived.push(derivedText(result, withoutLineNumbers, (text) => isWithoutLineNumbers(result, text)));
	}
	return derived;
}

/** Frozen flags by combination: most messages share one of a few, so one object each instead of one per message. */
const flagSets = new Map<number, MessageFlags>();

function sharedFlags(
	isSummary: boolean,
	isCompacted: boolean,
	isSidechain: boolean,
	isMeta: boolean,
	isError: boolean,
): MessageFlags {
	const key = +isSummary | (+isCompacted << 1) | (+isSidechain << 2) | (+isMeta << 3) | (+isError << 4);
	let flags = flagSets.get(key);
	if (flags === undefined) {
		flags = Object.freeze(makeFlags({ isSummary, isCompacted, isSidechain, isMeta, isError }));
		flagSets.set(key, flags);
	}
	return flags;
}

/** Envelope keys whose values are the same on most records of a session (FORMATS.md section 1). */
const repeatedKeys = ['sessionId', 'cwd', 'gitBranch', 'version', 'userType', 'slug', 'entrypoint'] as const;

/** The texts of the tool results in a user record's content: what a `toolUseResult` most often repeats. */
function resultTexts(record: JsonObject): string[] {
	const message = record['message'];
	const content = isJsonObject(message) ? message['content'] : undefined;
	const texts: string[] = [];
	if (!Array.isArray(content)) return texts;
	for (const block of content) {
		if (!isJsonObject(block) || block['type'] !== 'tool_result') continue;
		const result = block['content'];
		if (typeof result === 'string') texts.push(result);
		else if (Array.isArray(result))
			for (const item of result)
				if (isJsonObject(item) && typeof item['text'] === 'string') texts.push(item['text']);
	}
	return texts;
}

/** Usage of one API response: input counts cached input too; undefined when the record carries none. */
export function usageOf(value: unknown): RecordedUsage | undefined {
	if (!isJsonObject(value)) return undefined;
	const input = count(value['input_tokens']);
	const output = count(value['output_tokens']);
	if (input === undefined || output === undefined) return undefined;
	const inputTokens =
		input +
		(count(value['cache_creation_input_tokens']) ?? 0) +
		(count(value['cache_read_input_tokens']) ?? 0);
	return { inputTokens, outputTokens: output, contextTokens: inputTokens + output };
}

function count(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function startsWithApiError(parts: readonly Part[]): boolean {
	const first = parts[0];
	return first !== undefined && first.kind === 'text' && first.text.startsWith('API Error');
}
