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

/** What adding one message changed, so it can be undone: sizes before, and each map entry's value before. */
interface AddedMessage {
	readonly toolParts: number;
	readonly pairedCount: number;
	readonly orphanResultCount: number;
	readonly newTexts: string[];
	readonly newCallIds: string[];
	readonly calls: [string, IndexedCallSite | undefined][];
	readonly answered: IndexedCallSite[];
	readonly openCalls: [string, OpenCall | undefined][];
	readonly pairedNames: [string, string | undefined][];
	readonly deltas: number[];
}

interface OpenCall {
	readonly message: number;
	readonly name: string;
}

/**
 * Facts about a window that every plan reads and that only grow when messages are appended: the tool-call
 * index, characters per message, the tool-call pairing (as `pairToolCalls` pairs), and every tool call and
 * result part in window order with its size and (results) a group number shared by identical texts. Each fact
 * is a left-to-right fold over the messages, so extending the index by the appended messages gives exactly
 * what building it over the whole window gives; the newest messages can also be taken out again (a reader
 * rebuilds the last message when a later record extends it).
 */
export class WindowIndex {
	/** The messages indexed so far (the window's prefix the index describes). */
	readonly messages: Message[] = [];
	/** Tool calls by id: the latest call with that id, and the first result after it. */
	readonly calls = new Map<string, IndexedCallSite>();
	/** Characters of each message's parts (see `partChars`). */
	readonly chars: number[] = [];
	/** Cut-point deltas of answered calls whose result comes in a later message (see `unsafeCuts`). */
	readonly unsafeDelta: number[] = [0, 0];
	/** `pairToolCalls` figures: pairs made, results that answered no open call, names by call id. */
	pairedCount = 0;
	orphanResultCount = 0;
	readonly pairedNames = new Map<string, string>();
	/** Tool call and result parts in window order: message, part, size (result text or call arguments), flags, group. */
	readonly toolMessage: number[] = [];
	readonly toolPart: number[] = [];
	readonly toolLength: number[] = [];
	readonly toolFlags: number[] = [];
	/** Results: the group of their text (identical texts share one); calls: -1. */
	readonly toolGroup: number[] = [];
	/** The call id of each tool part as a number (one per distinct id, in order of first appearance). */
	readonly toolCallNumber: number[] = [];
	private readonly openCalls = new Map<string, OpenCall>();
	private readonly groupOfText = new Map<string, number>();
	private readonly numberOfCallId = new Map<string, number>();
	/** Undo records of the newest messages (at most `undoableMessages`), oldest first. */
	private readonly added: AddedMessage[] = [];

	/** Calls still waiting for a result. */
	get unansweredCount(): number {
		return this.openCalls.size;
	}

	/** Number of distinct call ids. */
	get callIdCount(): number {
		return this.numberOfCallId.size;
	}

	/** Number of distinct result texts. */
	get groupCount(): number {
		return this.groupOfText.size;
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
			for (let k = undo.pairedNames.length - 1; k >= 0; k--) {
				const [callId, name] = undo.pairedNames[k] as [string, string | undefined];
				if (name === undefined) this.pairedNames.delete(callId);
				else this.pairedNames.set(callId, name);
			}
			for (let k = undo.openCalls.length - 1; k >= 0; k--) {
				const [callId, call] = undo.openCalls[k] as [string, OpenCall | undefined];
				if (call === undefined) this.openCalls.delete(callId);
				else this.openCalls.set(callId, call);
			}
			for (const site of undo.answered) site.resultMessage = undefined;
			for (let k = undo.calls.length - 1; k >= 0; k--) {
				const [callId, site] = undo.calls[k] as [string, IndexedCallSite | undefined];
				if (site === undefined) this.calls.delete(callId);
				else this.calls.set(callId, site);
			}
			for (const text of undo.newTexts) this.groupOfText.delete(text);
			for (const callId of undo.newCallIds) this.numberOfCallId.delete(callId);
			this.pairedCount = undo.pairedCount;
			this.orphanResultCount = undo.orphanResultCount;
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
					pairedCount: this.pairedCount,
					orphanResultCount: this.orphanResultCount,
					newTexts: [],
					newCallIds: [],
					calls: [],
					answered: [],
					openCalls: [],
					pairedNames: [],
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
				undo?.calls.push([part.callId, this.calls.get(part.callId)]);
				this.calls.set(part.callId, { part, message: index, resultMessage: undefined });
				undo?.openCalls.push([part.callId, this.openCalls.get(part.callId)]);
				this.openCalls.set(part.callId, { message: index, name: part.name });
				this.pushToolPart(index, p, part.argumentsText.length, 0, -1, part.callId, undo);
			} else if (part.kind === 'toolResult') {
				const site = this.calls.get(part.callId);
				if (site !== undefined && site.resultMessage === undefined) {
					site.resultMessage = index;
					undo?.answered.push(site);
				}
				const call = this.openCalls.get(part.callId);
				if (call === undefined) this.orphanResultCount++;
				else {
					undo?.openCalls.push([part.callId, call]);
					this.openCalls.delete(part.callId);
					this.pairedCount++;
					undo?.pairedNames.push([part.callId, this.pairedNames.get(part.callId)]);
					this.pairedNames.set(part.callId, call.name);
					if (index > call.message) {
						this.unsafeDelta[call.message + 1] = (this.unsafeDelta[call.message + 1] ?? 0) + 1;
						this.unsafeDelta[index + 1] = (this.unsafeDelta[index + 1] ?? 0) - 1;
						undo?.deltas.push(call.message + 1, 1, index + 1, -1);
					}
				}
				let group = this.groupOfText.get(part.text);
				if (group === undefined) {
					group = this.groupOfText.size;
					this.groupOfText.set(part.text, group);
					undo?.newTexts.push(part.text);
				}
				const flags =
					toolPartFlag.isResult |
					(part.isError ? toolPartFlag.isError : 0) |
					(part.images.length > 0 ? toolPartFlag.hasImages : 0);
				this.pushToolPart(index, p, part.text.length, flags, group, part.callId, undo);
			}
		}
		this.chars.push(chars);
	}

	private pushToolPart(
		message: number,
		part: number,
		length: number,
		flags: number,
		group: number,
		callId: string,
		undo: AddedMessage | undefined,
	): void {
		let callNumber = this.numberOfCallId.get(callId);
		if (callNumber === undefined) {
			callNumber = this.numberOfCallId.size;
			this.numberOfCallId.set(callId, callNumber);
			undo?.newCallIds.push(callId);
		}
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
	readonly names: ReadonlyMap<string, string>;
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
