import type { Message } from '../transcript/model';
import { isSystemRole, isUserPrompt } from './messageParts';
import type { EvictionStats, MessageFate } from './plan';
import { findLastUserPrompt } from './planRegions';
import { alignCutBackward, alignCutForward, unsafeCuts } from './toolGroups';

/** Which messages an eviction strategy removes: fates, the evicted span and the statistics. */
export interface EvictionPlan {
	readonly fates: MessageFate[];
	/** First and one-past-last evicted message; equal when nothing is evicted. */
	readonly from: number;
	readonly to: number;
	readonly stats: EvictionStats;
}

/** The eviction plan that removes exactly `evicted` (window indexes, ascending). */
export function evictionPlanOf(
	messages: readonly Message[],
	tokens: readonly number[],
	evicted: readonly number[],
): EvictionPlan {
	const fates: MessageFate[] = messages.map(() => 'kept');
	let tokensEvicted = 0;
	for (const i of evicted) {
		fates[i] = 'dropped';
		tokensEvicted += tokens[i] ?? 0;
	}
	const from = evicted[0] ?? messages.length;
	const to = evicted.length > 0 ? (evicted[evicted.length - 1] ?? 0) + 1 : from;
	return {
		fates,
		from,
		to: Math.max(from, to),
		stats: {
			messagesBefore: messages.length,
			messagesAfter: messages.length - evicted.length,
			messagesEvicted: evicted.length,
			tokensEvicted,
			isTriggered: evicted.length > 0,
		},
	};
}

/**
 * Z2: keeps at most `maxMessages`: system messages and the first user prompt always stay, then the newest of the
 * rest, in their original order. Unlike zwarm, the last user prompt and whole tool groups also stay (R5), so the
 * count may be exceeded by those.
 */
export function planLruEviction(
	messages: readonly Message[],
	tokens: readonly number[],
	maxMessages: number,
): EvictionPlan {
	const n = messages.length;
	if (n <= maxMessages) return evictionPlanOf(messages, tokens, []);
	const firstUser = messages.findIndex(isUserPrompt);
	const isPreserved = (i: number): boolean => isSystemRole(messages[i]?.role ?? 'user') || i === firstUser;
	const evictable: number[] = [];
	for (let i = 0; i < n; i++) if (!isPreserved(i)) evictable.push(i);
	const keep = Math.max(0, maxMessages - (n - evictable.length));
	if (evictable.length <= keep) return evictionPlanOf(messages, tokens, []);
	let cut = keep > 0 ? (evictable[evictable.length - keep] ?? n) : n;
	const lastUser = findLastUserPrompt(messages);
	if (lastUser !== undefined) cut = Math.min(cut, lastUser);
	cut = alignCutBackward(unsafeCuts(messages), cut, evictable[0] ?? 0);
	return evictionPlanOf(
		messages,
		tokens,
		evictable.filter((i) => i < cut),
	);
}

/** Z3: a turn is a user prompt and everything up to the next one (messages before the first prompt join the first turn). */
export function splitTurns(messages: readonly Message[]): number[][] {
	const turns: number[][] = [];
	let current: number[] = [];
	messages.forEach((message, i) => {
		if (isSystemRole(message.role)) return;
		if (isUserPrompt(message) && current.length > 0) {
			turns.push(current);
			current = [];
		}
		current.push(i);
	});
	if (current.length > 0) turns.push(current);
	return turns;
}

/**
 * Z3: keeps system messages, the first turn and the last `maxTurns - 1` turns (at least one, so the latest request
 * stays); tool groups are never split, keeping a little more when a group crosses a boundary.
 */
export function planWindowEviction(
	messages: readonly Message[],
	tokens: readonly number[],
	maxTurns: number,
): EvictionPlan {
	const turns = splitTurns(messages);
	const recent = Math.max(1, maxTurns - 1);
	if (turns.length <= 1 + recent) return evictionPlanOf(messages, tokens, []);
	const firstTurn = turns[0] ?? [];
	const firstKeptLater = turns[turns.length - recent] ?? [];
	const unsafe = unsafeCuts(messages);
	const start = alignCutForward(unsafe, (firstTurn[firstTurn.length - 1] ?? -1) + 1, messages.length);
	const end = alignCutBackward(unsafe, firstKeptLater[0] ?? messages.length, start);
	const evicted: number[] = [];
	for (let i = start; i < end; i++) if (!isSystemRole(messages[i]?.role ?? 'user')) evicted.push(i);
	return evictionPlanOf(messages, tokens, evicted);
}
