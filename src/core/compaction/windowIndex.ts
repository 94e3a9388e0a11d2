import type { Message, ToolCallPart } from '../transcript/model';
import { partChars } from './messageParts';

/** Where a tool call sits and where its first result sits (window indexes); filled in as the index grows. */
export interface IndexedCallSite {
	readonly part: ToolCallPart;
	readonly message: number;
	resultMessage: number | undefined;
}

/** Bits of {@link WindowIndex.toolFlags}. */
export const toolPartFlag = { isResult: 1, isError: 2, hasImages: 4 } as const;

/** How many of the newest messages can be taken back out of an index (see WindowIndex.truncate). */
export const undoableMessages = 16;

/** A call id's state before a message changed it, so the change can be undone. */
interface CallIdState {
	readonly number: number;
	readonly site: IndexedCallSite | undefined;
	readonly openMessage: number;
	readonly openName: string;
	readonly pairedName: string | undefined;
}

/** Units of a text's start and of its end that go into its sample hash. */
const sampledUnits = 64;

/**
 * A 32-bit hash of a text's length and of its first and last {@link sampledUnits} UTF-16 units: cheap on long
 * texts, whose full hash (which a `Map` keyed by the text computes) costs a pass over every character. Texts
 * that share it are told apart by comparing them.
 */
function sampleHash(text: string): number {
	let hash = Math.imul(0x811c9dc5 ^ text.length, 0x01000193);
	const head = Math.min(text.length, sampledUnits);
	for (let i = 0; i < head; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
	for (let i = Math.max(head, text.length - sampledUnits); i < text.length; i++)
		hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
	return hash;
}

/** What adding one message changed, so it can be undone: sizes before, and each changed call id's state before. */
interface AddedMessage {
	readonly toolParts: number;
	readonly callIds: number;
	readonly groups: number;
	readonly pairedCount: number;
	readonly orphanResultCount: number;
	readonly openCount: number;
	/** Sample hashes of the groups this message added, in order. */
	readonly newGroups: number[];
	readonly newCallIds: string[];
	readonly states: CallIdState[];
	readonly answered: IndexedCallSite[];
	readonly deltas: number[];
}

/** Looks a tool call up by its id. */
export interface CallLookup {
	get(callId: string): IndexedCallSite | undefined;
}

/** Looks a paired call's tool name up by the call id. */
export interface NameLookup {
	get(callId: string): string | undefined;
}

/**
 * Facts about a window that every plan reads and that only grow when messages are appended: the tool-call
 * index, characters per message, the tool-call pairing (as `pairToolCalls` pairs), and every tool call and
 * result part in window order with its size and (results) a group number shared by identical texts. Each fact
 * is a left-to-right fold over the messages, so extending the index by the appended messages gives exactly
 * what building it over the whole window gives; the newest messages can also be taken out again (a reader
 * rebuilds the last message when a later record extends it).
 *
 * Each distinct call id gets a number on first sight, and everything known about an id (its latest call, whether
 * that call waits for a result, the tool name of its last pair) is kept in arrays by that number: a tool part
 * costs one map lookup, by its id.
 */
export class WindowIndex {
	/** The messages indexed so far (the window's prefix the index describes). */
	readonly messages: Message[] = [];
	/** Characters of each message's parts (see `partChars`). */
	readonly chars: number[] = [];
	/** Cut-point deltas of answered calls whose result comes in a later message (see `unsafeCuts`). */
	readonly unsafeDelta: number[] = [0, 0];
	/** `pairToolCalls` figures: pairs made, results that answered no open call. */
	pairedCount = 0;
	orphanResultCount = 0;
	/** Tool call and result parts in window order: message, part, size (result text or call arguments), flags, group. */
	readonly toolMessage: number[] = [];
	readonly toolPart: number[] = [];
	readonly toolLength: number[] = [];
	readonly toolFlags: number[] = [];
	/** Results: the group of their text (identical texts share one); calls: -1. */
	readonly toolGroup: number[] = [];
	/** The call id of each tool part as a number (one per distinct id, in order of first appearance). */
	readonly toolCallNumber: number[] = [];
	/** Tool calls by id: the latest call with that id, and the first result after it. */
	readonly calls: CallLookup = { get: (callId) => this.callSite(callId) };
	/** Tool names of paired calls by call id, of the last pair with that id. */
	readonly pairedNames: NameLookup = { get: (callId) => this.pairedNameOf(callId) };
	private readonly numberOfCallId = new Map<string, number>();
	/** By call number: the latest call with that id (undefined for an id only results carried). */
	private readonly siteOf: (IndexedCallSite | undefined)[] = [];
	/** By call number: the message of the call still waiting for a result, or -1; and that call's tool name. */
	private readonly openMessageOf: number[] = [];
	private readonly openNameOf: string[] = [];
	/** By call number: the tool name of the last pair made with that id. */
	private readonly pairedNameByNumber: (string | undefined)[] = [];
	private openCount = 0;
	/** Result text groups by their text's sample hash: one group, or several whose texts share the hash. */
	private readonly groupsBySample = new Map<number, number | number[]>();
	/** The text of each group. */
	private readonly textOfGroup: string[] = [];
	/** Undo records of the newest messages (at most `undoableMessages`), oldest first. */
	private readonly added: AddedMessage[] = [];

	/** Calls still waiting for a result. */
	get unansweredCount(): number {
		return this.openCount;
	}

	/** Number of distinct call ids. */
	get callIdCount(): number {
		return this.numberOfCallId.size;
	}

	/** Number of distinct result texts. */
	get groupCount(): number {
		return this.textOfGroup.length;
	}

	/** The latest call with this id and the first result after it. */
	callSite(callId: string): IndexedCallSite | undefined {
		const number = this.numberOfCallId.get(callId);
		return number === undefined ? undefined : this.siteOf[number];
	}

	/** The latest call with the id of tool part `k` (a call or a result). */
	callSiteOfToolPart(k: number): IndexedCallSite | undefined {
		return this.siteOf[this.toolCallNumber[k] ?? -1];
	}

	/** The tool name of the last pair made with this call id. */
	pairedNameOf(callId: string): string | undefined {
		const number = this.numberOfCallId.get(callId);
		return number === undefined ? undefined : this.pairedNameByNumber[number];
	}

	/** Every call id seen so far, in order of first appearance. */
	callIds(): IterableIterator<string> {
		return this.numberOfCallId.keys();
	}

	/** Indexes `messages` past the ones already indexed (the caller checked that those are a prefix). */
	extend(messages: readonly Message[]): void {
		// Only the last few messages of an extension can be undone later; the others are added without a record.
		const recordFrom = messages.length - undoableMessages;
		for (let index = this.messages.length; index < messages.length; index++)
			this.add(messages[index] as Message, index, index >= recordFrom);
	}

	/** True when the index can be cut back to its first `length` messages. */
	canTruncate(length: number): boolean {
		return length <= this.messages.length && this.messages.length - length <= this.added.length;
	}

	/** Takes the messages from `length` on back out, leaving exactly the index of the first `length` messages. */
	truncate(length: number): void {
		if (!this.canTruncate(length)) throw new Error('the window index cannot be cut back that far');
		while (this.messages.length > length) {
			const undo = this.added.pop() as AddedMessage;
			for (let k = undo.deltas.length - 2; k >= 0; k -= 2) {
				const at = undo.deltas[k] ?? 0;
				this.unsafeDelta[at] = (this.unsafeDelta[at] ?? 0) - (undo.deltas[k + 1] ?? 0);
			}
			for (const site of undo.answered) site.resultMessage = undefined;
			for (let k = undo.states.length - 1; k >= 0; k--) {
				const state = undo.states[k] as CallIdState;
				this.siteOf[state.number] = state.site;
				this.openMessageOf[state.number] = state.openMessage;
				this.openNameOf[state.number] = state.openName;
				this.pairedNameByNumber[state.number] = state.pairedName;
			}
			for (let k = undo.newGroups.length - 1; k >= 0; k--) {
				const key = undo.newGroups[k] as number;
				const groups = this.groupsBySample.get(key);
				if (Array.isArray(groups) && groups.length > 1) groups.pop();
				else this.groupsBySample.delete(key);
			}
			this.textOfGroup.length = undo.groups;
			for (const callId of undo.newCallIds) this.numberOfCallId.delete(callId);
			for (const list of [this.siteOf, this.openMessageOf, this.openNameOf, this.pairedNameByNumber])
				list.length = undo.callIds;
			this.pairedCount = undo.pairedCount;
			this.orphanResultCount = undo.orphanResultCount;
			this.openCount = undo.openCount;
			for (const list of [
				this.toolMessage,
				this.toolPart,
				this.toolLength,
				this.toolFlags,
				this.toolGroup,
				this.toolCallNumber,
			])
				list.length = undo.toolParts;
			this.messages.pop();
			this.chars.pop();
			this.unsafeDelta.pop();
		}
	}

	private add(message: Message, index: number, isUndoable: boolean): void {
		const undo: AddedMessage | undefined = isUndoable
			? {
					toolParts: this.toolMessage.length,
					callIds: this.numberOfCallId.size,
					groups: this.textOfGroup.length,
					pairedCount: this.pairedCount,
					orphanResultCount: this.orphanResultCount,
					openCount: this.openCount,
					newGroups: [],
					newCallIds: [],
					states: [],
					answered: [],
					deltas: [],
				}
			: undefined;
		if (undo !== undefined) {
			this.added.push(undo);
			if (this.added.length > undoableMessages) this.added.shift();
		} else this.added.length = 0;
		this.messages.push(message);
		this.unsafeDelta.push(0);
		let chars = 0;
		const parts = message.parts;
		for (let p = 0; p < parts.length; p++) {
			const part = parts[p];
			if (part === undefined) continue;
			chars += partChars(part);
			if (part.kind === 'toolCall') {
				const number = this.callNumber(part.callId, undo);
				undo?.states.push(this.stateOf(number));
				this.siteOf[number] = { part, message: index, resultMessage: undefined };
				if ((this.openMessageOf[number] ?? -1) < 0) this.openCount++;
				this.openMessageOf[number] = index;
				this.openNameOf[number] = part.name;
				this.pushToolPart(index, p, part.argumentsText.length, 0, -1, number);
			} else if (part.kind === 'toolResult') {
				const number = this.callNumber(part.callId, undo);
				const site = this.siteOf[number];
				if (site !== undefined && site.resultMessage === undefined) {
					site.resultMessage = index;
					undo?.answered.push(site);
				}
				const openMessage = this.openMessageOf[number] ?? -1;
				if (openMessage < 0) this.orphanResultCount++;
				else {
					undo?.states.push(this.stateOf(number));
					this.openMessageOf[number] = -1;
					this.openCount--;
					this.pairedCount++;
					this.pairedNameByNumber[number] = this.openNameOf[number];
					if (index > openMessage) {
						this.unsafeDelta[openMessage + 1] = (this.unsafeDelta[openMessage + 1] ?? 0) + 1;
						this.unsafeDelta[index + 1] = (this.unsafeDelta[index + 1] ?? 0) - 1;
						undo?.deltas.push(openMessage + 1, 1, index + 1, -1);
					}
				}
				const group = this.groupOf(part.text, undo);
				const flags =
					toolPartFlag.isResult |
					(part.isError ? toolPartFlag.isError : 0) |
					(part.images.length > 0 ? toolPartFlag.hasImages : 0);
				this.pushToolPart(index, p, part.text.length, flags, group, number);
			}
		}
		this.chars.push(chars);
	}

	/** The group of a result text: the group of an identical text seen before, else a new one. */
	private groupOf(text: string, undo: AddedMessage | undefined): number {
		const key = sampleHash(text);
		const found = this.groupsBySample.get(key);
		if (typeof found === 'number') {
			if (this.textOfGroup[found] === text) return found;
		} else if (found !== undefined) {
			for (const group of found) if (this.textOfGroup[group] === text) return group;
		}
		const group = this.textOfGroup.length;
		this.textOfGroup.push(text);
		if (found === undefined) this.groupsBySample.set(key, group);
		else if (typeof found === 'number') this.groupsBySample.set(key, [found, group]);
		else found.push(group);
		undo?.newGroups.push(key);
		return group;
	}

	/** The number of a call id, given on first sight. */
	private callNumber(callId: string, undo: AddedMessage | undefined): number {
		let number = this.numberOfCallId.get(callId);
		if (number === undefined) {
			number = this.numberOfCallId.size;
			this.numberOfCallId.set(callId, number);
			this.siteOf.push(undefined);
			this.openMessageOf.push(-1);
			this.openNameOf.push('');
			this.pairedNameByNumber.push(undefined);
			undo?.newCallIds.push(callId);
		}
		return number;
	}

	private stateOf(number: number): CallIdState {
		return {
			number,
			site: this.siteOf[number],
			openMessage: this.openMessageOf[number] ?? -1,
			openName: this.openNameOf[number] ?? '',
			pairedName: this.pairedNameByNumber[number],
		};
	}

	private pushToolPart(
		message: number,
		part: number,
		length: number,
		flags: number,
		group: number,
		callNumber: number,
	): void {
		this.toolCallNumber.push(callNumber);
		this.toolMessage.push(message);
		this.toolPart.push(part);
		this.toolLength.push(length);
		this.toolFlags.push(flags);
		this.toolGroup.push(group);
	}
}

// One index per window, found by the window's first message and checked message by message: readers hand back
// the same Message objects for an unchanged prefix, so a window that grew reuses the index and only the new
// messages are indexed. Held weakly, so an index goes with its transcript.
const indexes = new WeakMap<Message, WindowIndex>();

/**
 * The index of exactly `messages`: the remembered one, extended when the window grew (after taking back the newest
 * messages if they were replaced), else a new one.
 */
export function windowIndexOf(messages: readonly Message[]): WindowIndex {
	const first = messages[0];
	if (first === undefined) return new WindowIndex();
	let index = indexes.get(first);
	const shared = index !== undefined ? sharedPrefix(index.messages, messages) : 0;
	if (index !== undefined && index.canTruncate(shared)) index.truncate(shared);
	else {
		index = new WindowIndex();
		indexes.set(first, index);
	}
	index.extend(messages);
	return index;
}

/** Length of the longest common prefix of two message lists (by object). */
function sharedPrefix(a: readonly Message[], b: readonly Message[]): number {
	const length = Math.min(a.length, b.length);
	for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
	return length;
}

/** `pairToolCalls(messages)` counted: pairs, unanswered calls, orphan results, and each paired call's tool name. */
export interface ToolPairCounts {
	readonly matched: number;
	readonly unanswered: number;
	readonly orphanResults: number;
	/** Tool name by call id, of the last pair with that id. */
	readonly names: NameLookup;
}

/** The counts of `pairToolCalls(messages)`, from the window index (only appended messages cost anything). */
export function toolPairCounts(messages: readonly Message[]): ToolPairCounts {
	const index = windowIndexOf(messages);
	return {
		matched: index.pairedCount,
		unanswered: index.unansweredCount,
		orphanResults: index.orphanResultCount,
		names: index.pairedNames,
	};
}

/** First position of a sorted list holding a value >= `value` (the list's length when there is none). */
export function lowerBound(sorted: readonly number[], value: number): number {
	let low = 0;
	let high = sorted.length;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if ((sorted[mid] ?? 0) < value) low = mid + 1;
		else high = mid;
	}
	return low;
}
