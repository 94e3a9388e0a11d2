import type { Message, Part } from '../transcript/model';
import { withoutRaw } from './messageParts';
import type { PartEdit } from './plan';

/** The edits of a plan grouped by window message index. */
export function editsByMessage(edits: readonly PartEdit[]): Map<number, PartEdit[]> {
	const byMessage = new Map<number, PartEdit[]>();
	for (const edit of edits) {
		const list = byMessage.get(edit.message) ?? [];
		list.push(edit);
		byMessage.set(edit.message, list);
	}
	return byMessage;
}

/** A message's parts with its edits applied: replacements in place, removed parts gone; unchanged parts are the same objects. */
export function applyPartEdits(parts: readonly Part[], edits: readonly PartEdit[] | undefined): Part[] {
	if (edits === undefined || edits.length === 0) return [...parts];
	const byPart = new Map(edits.map((e) => [e.part, e]));
	const out: Part[] = [];
	parts.forEach((part, index) => {
		const edit = byPart.get(index);
		if (edit === undefined) out.push(part);
		else if (edit.replacement !== null) out.push(edit.replacement);
	});
	return out;
}

/** The `raw` of every detached message: none (shared, frozen). */
const noRaw: readonly unknown[] = Object.freeze([]);

/** A message as plain data for the summariser: edits applied, no `raw` anywhere. */
export function detachedMessage(message: Message, edits: readonly PartEdit[] | undefined): Message {
	const parts =
		edits === undefined || edits.length === 0 ? message.parts : applyPartEdits(message.parts, edits);
	const detached: { -readonly [K in keyof Message]: Message[K] } = {
		id: message.id,
		role: message.role,
		parts: parts.map(withoutRaw),
		flags: message.flags,
		lines: message.lines,
		raw: noRaw,
	};
	if (message.timestamp !== undefined) detached.timestamp = message.timestamp;
	if (message.model !== undefined) detached.model = message.model;
	if (message.phaseId !== undefined) detached.phaseId = message.phaseId;
	return detached;
}

// Detached copies of whole messages by message object: readers reuse unchanged Message objects across re-reads, so
// re-planning a growing transcript copies each summarised message once. Held weakly, so they go with the transcript.
const detachedWhole = new WeakMap<Message, Message>();

/** `detachedMessage(message, undefined)`, one shared copy per message object (plans treat it as read-only). */
export function detachedWholeMessage(message: Message): Message {
	let detached = detachedWhole.get(message);
	if (detached === undefined) {
		detached = detachedMessage(message, undefined);
		detachedWhole.set(message, detached);
	}
	return detached;
}
