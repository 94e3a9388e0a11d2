import {
	messagesInWindow,
	type Message,
	type RecordedUsage,
	type Role,
	type Transcript,
} from '../transcript/model';
import { startsUserTurn } from './calibration';
import { tokenCategories, type MessageTokens, type TokenCategory } from './tokenCounter';

/**
 * Categories a window's tokens are reported in: the counted kinds of what the file shows, and `hidden`, what the
 * agent sends that the file does not store (system prompt, tool definitions), estimated from recorded usage.
 */
export type BudgetCategory = TokenCategory | 'hidden';

/** Token usage the agent recorded, beside our count of the same request. */
export interface RecordedComparison {
	/** Input tokens the agent recorded for its latest request that still describes the window. */
	readonly tokens: number;
	/** Our figure for the same request: the hidden part plus our count of the messages before it. */
	readonly ourTokens: number;
	/** (ours - recorded) / recorded, in percent. */
	readonly errorPct: number;
	/** Tokens the agent sends but the file does not store (system prompt, tool schemas), measured from the first recorded request. */
	readonly hiddenPrefixTokens: number;
	/** Index of the window message whose usage was used. */
	readonly atMessage: number;
}

/** Share of the window in percent (0 when the window is unknown). */
export function percentOfWindow(tokens: number, contextWindow: number): number {
	return contextWindow > 0 ? (tokens / contextWindow) * 100 : 0;
}

/** A message's count; `byCategory` when the counter splits it (a counter that does not counts it to its role). */
export interface CountedMessage {
	readonly total: number;
	readonly byCategory?: MessageTokens['byCategory'];
}

/** What measuring needs of a counter: a message's count and a plain text's count, in the model's tokens. */
export interface WindowCounting {
	countMessage(message: Message): CountedMessage;
	countText(text: string): number;
}

const roleCategory: Readonly<Record<Role, BudgetCategory>> = {
	system: 'system',
	developer: 'system',
	user: 'user',
	assistant: 'assistant',
	tool: 'toolResults',
};

/**
 * The one budget of a window, which every surface renders: `total` = `visible` + `hidden`, and the `byKind`
 * rows (the hidden part is a row of its own) add up to `total` exactly.
 */
export interface WindowMeasure {
	/** The headline: what the next request would read, in the model's tokens. */
	readonly total: number;
	/** Our count of what the file shows: the window's messages and the stored system text, less earlier turns' reasoning. */
	readonly visible: number;
	/**
	 * What the agent sends that the file does not store (system prompt, tool definitions), estimated from the
	 * first recorded usage that still describes the window: its input less our count of what preceded it. 0 without one.
	 */
	readonly hidden: number;
	/** The part of `total` no compaction can change: `hidden` plus the stored system text. */
	readonly fixed: number;
	readonly byKind: Readonly<Record<BudgetCategory, number>>;
	/** The visible part by role (the hidden part has no role). */
	readonly byRole: Readonly<Record<Role, number>>;
	/** Reasoning of turns before the current one: not sent again, so not in `total`. */
	readonly earlierThinking: number;
	/** The agent's latest recorded input beside our count of the same messages, when a usable record exists. */
	readonly recorded: RecordedComparison | undefined;
	/** Our count per window message, in order (reasoning included). */
	readonly messageTokens: readonly number[];
	/**
	 * Entry i: our count of what a request made at window message i reads (the stored system text, the messages
	 * before i, less the reasoning of turns that ended before i); the last entry is `visible`.
	 */
	readonly sentBefore: readonly number[];
	/** Window index from which recorded usage describes the window: the newest compaction summary's index + 1, else 0. */
	readonly usageFrom: number;
}

const roles: readonly Role[] = ['system', 'developer', 'user', 'assistant', 'tool'];

/** Every budget category in report order: the counted kinds, then what the file does not show. */
export const budgetCategories: readonly BudgetCategory[] = [...tokenCategories, 'hidden'];

/**
 * Index from which recorded usage still describes the window. Usage recorded before a compaction summary
 * (the agent's or ours) measured the history the summary replaced, so it never drives the headline.
 */
export function firstCurrentUsageIndex(window: readonly Message[]): number {
	for (let i = window.length - 1; i >= 0; i--) if (window[i]?.flags.isSummary === true) return i + 1;
	return 0;
}

/** Usage that can be compared with our count: recorded after the newest summary, with a positive input. */
function currentUsage(message: Message | undefined, index: number, from: number): RecordedUsage | undefined {
	const usage = message?.usage;
	// Zero usage marks counts that no longer apply (written by a compaction), not an empty request.
	return index >= from && usage !== undefined && usage.inputTokens > 0 ? usage : undefined;
}

/**
 * Measures a transcript's window: every message counted with `counter` (or taken from `counted`, one entry per
 * window message), the hidden part estimated from recorded usage, and the newest usable record compared with our
 * count of the same messages.
 */
export function measureWindow(
	transcript: Transcript,
	counter: WindowCounting,
	counted?: readonly CountedMessage[],
): WindowMeasure {
	const window = messagesInWindow(transcript);
	const counts = counted ?? window.map((m) => counter.countMessage(m));
	const systemTextTokens =
		transcript.meta.systemText !== undefined ? counter.countText(transcript.meta.systemText) : 0;

	const byKind = Object.fromEntries(budgetCategories.map((k) => [k, 0])) as Record<BudgetCategory, number>;
	const byRole = Object.fromEntries(roles.map((r) => [r, 0])) as Record<Role, number>;
	const messageTokens: number[] = new Array<number>(window.length);
	const sentBefore: number[] = new Array<number>(window.length + 1);
	let sum = systemTextTokens;
	let thinking = 0;
	let droppedThinking = 0;
	let lastTurnStart = -1;
	for (let i = 0; i < window.length; i++) {
		const message = window[i] as Message;
		const c = counts[i] as CountedMessage;
		// A new user turn: the provider stops re-reading the reasoning of the turns before it.
		if (startsUserTurn(message)) {
			droppedThinking = thinking;
			lastTurnStart = i;
		}
		sentBefore[i] = sum - droppedThinking;
		sum += c.total;
		messageTokens[i] = c.total;
		if (c.byCategory !== undefined) {
			thinking += c.byCategory.thinking;
			for (const k of tokenCategories) byKind[k] += c.byCategory[k];
		} else {
			byKind[roleCategory[message.role]] += c.total;
		}
		byRole[message.role] += c.total;
	}
	sentBefore[window.length] = sum - droppedThinking;
	const visible = sum - droppedThinking;
	let earlierThinking = 0;
	for (let i = 0; i < lastTurnStart; i++) {
		const message = window[i] as Message;
		const reasoning = (counts[i] as CountedMessage).byCategory?.thinking ?? 0;
		earlierThinking += reasoning;
		byRole[message.role] -= reasoning;
	}
	byKind.thinking -= earlierThinking;
	byKind.system += systemTextTokens;
	byRole.system += systemTextTokens;

	const usageFrom = firstCurrentUsageIndex(window);
	let first = -1;
	let latest = -1;
	for (let i = usageFrom; i < window.length; i++) {
		if (currentUsage(window[i], i, usageFrom) === undefined) continue;
		if (first === -1) first = i;
		latest = i;
	}
	const firstInput = first === -1 ? 0 : (window[first]?.usage?.inputTokens ?? 0);
	const hidden = first === -1 ? 0 : Math.max(0, firstInput - (sentBefore[first] ?? 0));
	byKind.hidden = hidden;
	let recorded: RecordedComparison | undefined;
	if (latest !== -1) {
		const tokens = window[latest]?.usage?.inputTokens ?? 0;
		const ourTokens = hidden + (sentBefore[latest] ?? 0);
		recorded = {
			tokens,
			ourTokens,
			errorPct: tokens > 0 ? ((ourTokens - tokens) / tokens) * 100 : 0,
			hiddenPrefixTokens: hidden,
			atMessage: latest,
		};
	}
	return {
		total: visible + hidden,
		visible,
		hidden,
		fixed: hidden + systemTextTokens,
		byKind,
		byRole,
		earlierThinking,
		recorded,
		messageTokens,
		sentBefore,
		usageFrom,
	};
}

/**
 * A copy of a compacted transcript whose recorded usage describes its own window: every window message that
 * carries usage (and, when none after the newest summary does, the last assistant message) records an input of
 * `hidden` plus our count of what precedes it, so the agent resuming the file, and any reader, sees the compacted
 * size with the same hidden part as before; usage copied from the original never survives. `measure` is
 * `measureWindow` of `transcript`.
 */
export function restateUsage(transcript: Transcript, measure: WindowMeasure, hidden: number): Transcript {
	const window = messagesInWindow(transcript);
	const restate = new Set<number>();
	window.forEach((m, i) => {
		if (m.usage !== undefined) restate.add(i);
	});
	const carriesCurrent = [...restate].some((i) => i >= measure.usageFrom);
	if (!carriesCurrent && hidden > 0) {
		const last = window.findLastIndex((m) => m.role === 'assistant');
		if (last >= measure.usageFrom) restate.add(last);
	}
	if (restate.size === 0) return transcript;
	// Formats that record usage apart from messages (Codex's token_count) write the newest figure after the window.
	if (window.length > 0) restate.add(window.length - 1);
	const replaced = new Map<Message, Message>();
	for (const i of restate) {
		const message = window[i] as Message;
		const inputTokens = hidden + (measure.sentBefore[i] ?? 0);
		const outputTokens = message.usage?.outputTokens ?? 0;
		const usage: RecordedUsage = {
			inputTokens,
			outputTokens,
			contextTokens: inputTokens + outputTokens,
			...(message.usage?.contextWindow !== undefined ? { contextWindow: message.usage.contextWindow } : {}),
		};
		replaced.set(message, { ...message, usage });
	}
	return { ...transcript, messages: transcript.messages.map((m) => replaced.get(m) ?? m) };
}
