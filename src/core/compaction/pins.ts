import type { Message } from '../transcript/model';
import type { EvictionPlan } from './eviction';
import { evictionPlanOf } from './eviction';
import { repairAlternation } from './layout';
import { isSystemRole } from './messageParts';
import type { MessageFate, PinnedFigures } from './plan';
import type { PlanContext } from './planContext';
import { windowIndexOf } from './windowIndex';

/**
 * Pins: messages kept verbatim at their place whatever the strategy. A pinned message is never pruned, structured,
 * summarised, capped or evicted, and neither is a message holding the other half of one of its tool pairs (a pinned
 * call keeps its result, a pinned result its call). The planner asks `isPinnedAt`; this generalises the way it
 * already keeps the last request verbatim (`isKeptInMiddle` in planCompaction.ts).
 */

/** What a window message is to the pins: 0 neither, 1 pinned, 2 a tool partner of a pinned message. */
export type PinMark = 0 | 1 | 2;

/**
 * The pin mark of every window message: pinned when its index is in `pinned` or it carries the pinned flag (H1:
 * skill content), a partner when it holds the other half of a pinned message's tool pairs (followed transitively).
 * O(messages + parts of the pinned group).
 */
export function markPinned(messages: readonly Message[], pinned: readonly number[] | undefined): Uint8Array {
	const n = messages.length;
	const marks = new Uint8Array(n);
	const stack: number[] = [];
	for (const i of pinned ?? []) {
		if (i < n && marks[i] === 0) {
			marks[i] = 1;
			stack.push(i);
		}
	}
	for (let i = 0; i < n; i++) {
		if (marks[i] === 0 && messages[i]?.flags.isPinned === true) {
			marks[i] = 1;
			stack.push(i);
		}
	}
	if (stack.length === 0) return marks;
	const calls = windowIndexOf(messages).calls;
	const visit = (k: number | undefined): void => {
		if (k === undefined || marks[k] !== 0) return;
		marks[k] = 2;
		stack.push(k);
	};
	for (let k = stack.pop(); k !== undefined; k = stack.pop()) {
		for (const part of messages[k]?.parts ?? []) {
			if (part.kind === 'toolCall') visit(calls.get(part.callId)?.resultMessage);
			else if (part.kind === 'toolResult') visit(calls.get(part.callId)?.message);
		}
	}
	return marks;
}

// One set of marks per planning context (a plan asks for them once per strategy step).
const marksByContext = new WeakMap<PlanContext, Uint8Array>();

function marksOf(context: PlanContext): Uint8Array {
	let marks = marksByContext.get(context);
	if (marks === undefined) {
		marks = markPinned(context.messages, context.options.pinned);
		marksByContext.set(context, marks);
	}
	return marks;
}

/** True when window message `i` stays verbatim because it is pinned or a pinned message's tool partner. */
export function isPinnedAt(context: PlanContext, i: number): boolean {
	return (marksOf(context)[i] ?? 0) !== 0;
}

/**
 * An eviction (Z2/Z3) that spares the pinned messages and their partners: they stay at their place, and where
 * keeping them breaks the role alternation a format needs (R13), an evicted message of the other role stays too.
 * The plan itself when it evicts nothing pinned.
 */
export function sparePinnedFromEviction(context: PlanContext, plan: EvictionPlan): EvictionPlan {
	const marks = marksOf(context);
	if (!plan.fates.some((fate, i) => fate === 'dropped' && marks[i] !== 0)) return plan;
	const fates: MessageFate[] = plan.fates.map((fate, i) => (marks[i] !== 0 ? 'kept' : fate));
	// The seam before the first spared message counts too: the marker stands at the end of the evicted span, not here.
	let from = plan.from;
	for (let k = plan.from - 1; k >= 0; k--) {
		const role = context.messages[k]?.role;
		if (role !== undefined && !isSystemRole(role)) {
			from = k;
			break;
		}
	}
	repairAlternation(context, fates, from);
	const evicted: number[] = [];
	fates.forEach((fate, i) => {
		if (fate !== 'kept') evicted.push(i);
	});
	return evictionPlanOf(context.messages, context.tokens, evicted);
}

/** The pinned messages, their partners and their tokens; undefined when nothing is pinned. */
export function pinnedFiguresOf(context: PlanContext): PinnedFigures | undefined {
	return pinnedFigures(marksOf(context), context.tokens);
}

/** `pinnedFiguresOf` from marks (see `markPinned`) and the window's token counts. */
export function pinnedFigures(marks: Uint8Array, tokens: readonly number[]): PinnedFigures | undefined {
	const messages: number[] = [];
	const partners: number[] = [];
	let total = 0;
	marks.forEach((mark, i) => {
		if (mark === 0) return;
		(mark === 1 ? messages : partners).push(i);
		total += tokens[i] ?? 0;
	});
	return messages.length > 0 ? { messages, partners, tokens: total } : undefined;
}
