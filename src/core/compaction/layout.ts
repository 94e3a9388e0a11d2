import type { Role } from '../transcript/model';
import { hasToolParts, isSystemRole, needsAlternation, toolResultRole } from './messageParts';
import type { InterruptedCall, LayoutSlot, MessageFate, PartEdit } from './plan';
import type { PlanContext } from './planContext';
import { toolPartFlag } from './windowIndex';

/** Marks a message kept together with every message holding the other half of its tool pairs; returns what changed. */
export function keepWithToolPartners(context: PlanContext, fates: MessageFate[], index: number): number[] {
	const added: number[] = [];
	const stack = [index];
	while (stack.length > 0) {
		const k = stack.pop();
		if (k === undefined || fates[k] === 'kept') continue;
		fates[k] = 'kept';
		added.push(k);
		for (const part of context.messages[k]?.parts ?? []) {
			if (part.kind === 'toolCall') {
				const result = context.calls.get(part.callId)?.resultMessage;
				if (result !== undefined && fates[result] !== 'kept') stack.push(result);
			} else if (part.kind === 'toolResult') {
				const call = context.calls.get(part.callId)?.message;
				if (call !== undefined && fates[call] !== 'kept') stack.push(call);
			}
		}
	}
	return added;
}

function isTurnRole(role: Role): boolean {
	return role === 'user' || role === 'assistant';
}

/** True when no message but system ones lies strictly between `from` and `to`. */
function isNextTo(messages: PlanContext['messages'], from: number, to: number): boolean {
	for (let k = from + 1; k < to; k++) if (!isSystemRole(messages[k]?.role ?? 'system')) return false;
	return true;
}

/**
 * True when keeping message `k` with its direct tool partners between the kept messages `prev` and `j` (which
 * share a role) leaves no two neighbours of one role: the group starts on the other role or right after `prev`,
 * and ends on the other role or right before `j`.
 */
function fitsBetween(context: PlanContext, k: number, prev: number, j: number): boolean {
	const { messages } = context;
	let lo = k;
	let hi = k;
	for (const part of messages[k]?.parts ?? []) {
		const partner =
			part.kind === 'toolCall'
				? context.calls.get(part.callId)?.resultMessage
				: part.kind === 'toolResult'
					? context.calls.get(part.callId)?.message
					: undefined;
		if (partner === undefined) continue;
		lo = Math.min(lo, partner);
		hi = Math.max(hi, partner);
	}
	if (lo <= prev || hi >= j) return false;
	const role = messages[prev]?.role;
	const opens = messages[lo]?.role !== role || isNextTo(messages, prev, lo);
	const closes = messages[hi]?.role !== role || isNextTo(messages, hi, j);
	return opens && closes;
}

/**
 * R13: in formats that need alternating roles, removing messages must not leave two user or two assistant messages
 * side by side. For every seam after `from` (the synthetic message's own seam is handled by its role choice) where
 * that happens, one removed message of the other role is kept (with its tool partners). Returns the messages kept.
 */
export function repairAlternation(context: PlanContext, fates: MessageFate[], from: number): number[] {
	if (!needsAlternation(context.format)) return [];
	const { messages } = context;
	const repaired: number[] = [];
	let prev: number | undefined;
	for (let j = from; j < messages.length; j++) {
		const message = messages[j];
		if (message === undefined || fates[j] !== 'kept' || isSystemRole(message.role)) continue;
		const prevMessage = prev !== undefined ? messages[prev] : undefined;
		if (
			prev !== undefined &&
			prevMessage !== undefined &&
			isTurnRole(message.role) &&
			prevMessage.role === message.role
		) {
			let plain: number | undefined;
			let any: number | undefined;
			let fitting: number | undefined;
			for (let k = prev + 1; k < j; k++) {
				const between = messages[k];
				if (between === undefined || fates[k] === 'kept' || isSystemRole(between.role)) continue;
				if (between.role === message.role) continue;
				any ??= k;
				if (!hasToolParts(between)) {
					plain = k;
					break;
				}
				if (fitting === undefined && fitsBetween(context, k, prev, j)) fitting = k;
			}
			// A message with tool parts comes with its partners; one whose group opens and closes on the other role
			// (or next to the kept neighbours) leaves no new seam to repair, so repairs do not cascade through a span.
			const pick = plain ?? fitting ?? any;
			if (pick !== undefined) {
				repaired.push(...keepWithToolPartners(context, fates, pick));
				j = prev;
				continue;
			}
		}
		prev = j;
	}
	return repaired;
}

/** What R14/H8 sanitising finds in the messages that stay. */
export interface ToolPairRepairs {
	readonly orphanEdits: readonly PartEdit[];
	readonly interrupted: readonly InterruptedCall[];
	/** Messages left with no parts once orphans are removed. */
	readonly emptied: readonly number[];
}

/**
 * R14/H8: walks the kept messages in order; a result whose call is not earlier in the output (or that answers a call
 * twice) is removed, and every call left without a result is listed to get an "interrupted" error result.
 */
export function sanitiseToolPairs(
	context: PlanContext,
	fates: readonly MessageFate[],
	edits: readonly PartEdit[],
): ToolPairRepairs {
	// Parts the edits remove, by message (a list of part indexes).
	const removed = new Map<number, number[]>();
	for (const e of edits) {
		if (e.replacement !== null) continue;
		const parts = removed.get(e.message);
		if (parts === undefined) removed.set(e.message, [e.part]);
		else parts.push(e.part);
	}
	const { messages, index } = context;
	const { toolMessage, toolPart, toolFlags, toolCallNumber } = index;
	// By call id (as the index numbers them): the tool part where a kept call was first seen, whether a kept result
	// answered it, and the ids in order of first sight.
	const firstSeen = new Int32Array(index.callIdCount).fill(-1);
	const isAnswered = new Uint8Array(index.callIdCount);
	const seenOrder: number[] = [];
	const orphanEdits: PartEdit[] = [];
	// Only messages that lose a part can be left empty.
	const losing = new Set<number>();
	for (let k = 0; k < toolMessage.length; k++) {
		const i = toolMessage[k] ?? 0;
		if (fates[i] !== 'kept') continue;
		const p = toolPart[k] ?? 0;
		const removedParts = removed.get(i);
		if (removedParts !== undefined && removedParts.includes(p)) continue;
		const call = toolCallNumber[k] ?? 0;
		if (((toolFlags[k] ?? 0) & toolPartFlag.isResult) === 0) {
			if ((firstSeen[call] ?? -1) < 0) {
				firstSeen[call] = k;
				seenOrder.push(call);
			}
			continue;
		}
		if ((firstSeen[call] ?? -1) < 0 || isAnswered[call] === 1) {
			orphanEdits.push({
				message: i,
				part: p,
				kind: 'orphanResult',
				tokensBefore: context.partTokens(i, p),
				tokensAfter: 0,
				replacement: null,
			});
			losing.add(i);
			continue;
		}
		isAnswered[call] = 1;
	}
	for (const i of removed.keys()) if (fates[i] === 'kept') losing.add(i);
	const orphansOf = new Map<number, number>();
	for (const e of orphanEdits) orphansOf.set(e.message, (orphansOf.get(e.message) ?? 0) + 1);
	const emptied: number[] = [];
	for (const i of [...losing].sort((a, b) => a - b)) {
		const parts = messages[i]?.parts ?? [];
		const gone = new Set(
			(removed.get(i) ?? []).filter((p) => p >= 0 && p < parts.length && parts[p] !== undefined),
		);
		let present = 0;
		for (const part of parts) if (part !== undefined) present++;
		const remaining = present - gone.size - (orphansOf.get(i) ?? 0);
		if (parts.length > 0 && remaining === 0) emptied.push(i);
	}
	const interrupted: InterruptedCall[] = [];
	for (const call of seenOrder) {
		if (isAnswered[call] === 1) continue;
		const k = firstSeen[call] ?? 0;
		const message = toolMessage[k] ?? 0;
		const part = messages[message]?.parts[toolPart[k] ?? 0];
		if (part?.kind === 'toolCall') interrupted.push({ message, callId: part.callId, name: part.name });
	}
	return { orphanEdits, interrupted, emptied };
}

/** The compacted window's order and the synthetic message's role (R13/G3). */
export interface LayoutPlan {
	readonly layout: readonly LayoutSlot[];
	readonly syntheticRole: Role | undefined;
}

/**
 * Lays out the compacted window: kept messages in order, the synthetic message before window index `syntheticAt`,
 * interrupted-call results right after their calls (R14; merged into the next message when tool results travel in
 * user messages and that message is a user message). The synthetic message takes the role that differs from both
 * neighbours where the format needs alternation, else it is merged into the next message (R13); in other formats it
 * is a user message (G3).
 */
export function buildLayout(
	context: PlanContext,
	fates: readonly MessageFate[],
	interrupted: readonly InterruptedCall[],
	syntheticAt: number | undefined,
): LayoutPlan {
	const { messages } = context;
	const n = messages.length;
	const resultRole = toolResultRole(messages, context.format);
	const keptAfter = (i: number): number | undefined => {
		for (let k = i + 1; k < n; k++) if (fates[k] === 'kept') return k;
		return undefined;
	};
	const isSyntheticBetween = (i: number, j: number): boolean =>
		syntheticAt !== undefined && i < syntheticAt && syntheticAt <= j;

	const byMessage = new Map<number, InterruptedCall[]>();
	for (const call of interrupted) {
		const list = byMessage.get(call.message) ?? [];
		list.push(call);
		byMessage.set(call.message, list);
	}
	const mergedStubs = new Map<number, InterruptedCall[]>();
	const slotsAfter = new Map<number, LayoutSlot[]>();
	for (const [i, calls] of byMessage) {
		let anchor = i;
		let next = keptAfter(i);
		if (resultRole === 'tool') {
			// Tool-role results follow their call directly; stubs go after the results that exist.
			while (next !== undefined && messages[next]?.role === 'tool' && !isSyntheticBetween(anchor, next)) {
				anchor = next;
				next = keptAfter(next);
			}
		} else if (next !== undefined && !isSyntheticBetween(i, next) && messages[next]?.role === resultRole) {
			mergedStubs.set(next, [...(mergedStubs.get(next) ?? []), ...calls]);
			continue;
		}
		slotsAfter.set(anchor, [...(slotsAfter.get(anchor) ?? []), { kind: 'stubs', calls, role: resultRole }]);
	}

	const layout: LayoutSlot[] = [];
	for (let i = 0; i < n; i++) {
		if (syntheticAt === i) layout.push({ kind: 'synthetic' });
		if (fates[i] === 'kept') {
			const stubs = mergedStubs.get(i);
			layout.push(
				stubs !== undefined ? { kind: 'message', message: i, stubs } : { kind: 'message', message: i },
			);
		}
		const after = slotsAfter.get(i);
		if (after !== undefined) layout.push(...after);
	}
	if (syntheticAt !== undefined && syntheticAt >= n) layout.push({ kind: 'synthetic' });
	if (syntheticAt === undefined) return { layout, syntheticRole: undefined };

	const at = layout.findIndex((s) => s.kind === 'synthetic');
	const roleOf = (slot: LayoutSlot | undefined): Role | undefined =>
		slot === undefined
			? undefined
			: slot.kind === 'message'
				? messages[slot.message]?.role
				: slot.kind === 'stubs'
					? slot.role
					: undefined;
	const neighbour = (step: 1 | -1): number | undefined => {
		for (let k = at + step; k >= 0 && k < layout.length; k += step) {
			const role = roleOf(layout[k]);
			if (role !== undefined && !isSystemRole(role)) return k;
		}
		return undefined;
	};
	if (!needsAlternation(context.format)) return { layout, syntheticRole: 'user' };
	const prevIndex = neighbour(-1);
	const nextIndex = neighbour(1);
	// The conversation must open with a user message, so "nothing before" counts as an assistant turn.
	const prevRole = prevIndex !== undefined ? roleOf(layout[prevIndex]) : 'assistant';
	const nextRole = nextIndex !== undefined ? roleOf(layout[nextIndex]) : undefined;
	let role: Role = prevRole === 'assistant' || prevRole === 'tool' ? 'user' : 'assistant';
	if (role !== nextRole) return { layout, syntheticRole: role };
	const flipped: Role = role === 'user' ? 'assistant' : 'user';
	if (flipped !== prevRole) return { layout, syntheticRole: flipped };
	// R13: neither role fits between its neighbours: merge into the next message behind a separator.
	role = nextRole;
	const target = nextIndex !== undefined ? layout[nextIndex] : undefined;
	if (target === undefined || target.kind === 'synthetic') return { layout, syntheticRole: role };
	const merged = [...layout];
	merged[nextIndex ?? 0] = { ...target, hasSynthetic: true };
	merged.splice(at, 1);
	return { layout: merged, syntheticRole: role };
}
