import type { FormatId, Message, Part, TextBearingPart, ToolCallPart } from '../transcript/model';
import { partChars } from './messageParts';
import type { ResolvedCompactionOptions } from './options';
import type { TokenCounting } from './tokenCounting';
import { windowIndexOf, type WindowIndex } from './windowIndex';

/** Where a tool call sits and where its first result sits (window indexes). */
export interface CallSite {
	readonly part: ToolCallPart;
	readonly message: number;
	readonly resultMessage: number | undefined;
}

/** What every planning step reads: the window, its token counts, the options and the tool-call index. */
export interface PlanContext {
	readonly messages: readonly Message[];
	readonly tokens: readonly number[];
	readonly options: ResolvedCompactionOptions;
	readonly counter: TokenCounting;
	readonly format: FormatId;
	/** Tool calls by id (a `Map` will do). */
	readonly calls: { get(callId: string): CallSite | undefined };
	/** The window's tool parts, pairing and sizes (see WindowIndex). */
	readonly index: WindowIndex;
	/** True when only the plan's figures (regions, prune candidates) are wanted: passes may skip building edits. */
	readonly isCountOnly?: boolean;
	/** Tokens of one part: its message's count shared out by characters (exact for one-part messages). */
	partTokens(message: number, part: number): number;
	/** Tokens of a part created by compaction, counted with the counter. */
	newPartTokens(part: Part | null): number;
	/**
	 * `newPartTokens` of `part` with `suffix` appended to its text (the counter may count the two apart);
	 * `sameCountAs` is a text known to have as many tokens as `suffix` (see TokenCounting.countPartWithSuffix).
	 */
	newPartTokensWithSuffix(part: TextBearingPart, suffix: string, sameCountAs?: string): number;
	/** `newPartTokens` of `part`, whose text is `segments` joined (the counter may count them apart). */
	newPartTokensOfSegments(part: TextBearingPart, segments: readonly string[]): number;
}

/** Builds the planning context; O(messages), plus O(parts) of the messages the window index has not seen. */
export function createPlanContext(
	messages: readonly Message[],
	tokens: readonly number[],
	options: ResolvedCompactionOptions,
	counter: TokenCounting,
	format: FormatId,
	isCountOnly = false,
): PlanContext {
	// The tool-call index and characters per message come from the window index: built once per window and
	// extended, not rebuilt, when messages are appended.
	const index = windowIndexOf(messages);
	const charsOf = (message: number): number => index.chars[message] ?? 0;
	return {
		messages,
		tokens,
		options,
		counter,
		format,
		calls: index.calls,
		index,
		isCountOnly,
		partTokens(message, part) {
			const p = messages[message]?.parts[part];
			if (p === undefined) return 0;
			const total = charsOf(message);
			if (total === 0) return 0;
			return Math.round(((tokens[message] ?? 0) * partChars(p)) / total);
		},
		newPartTokensOfSegments(part, segments) {
			if (counter.countPartOfSegments !== undefined) return counter.countPartOfSegments(part, segments);
			return this.newPartTokens(part);
		},
		newPartTokensWithSuffix(part, suffix, sameCountAs) {
			if (counter.countPartWithSuffix !== undefined)
				return counter.countPartWithSuffix(part, suffix, sameCountAs);
			return this.newPartTokens({ ...part, text: `${part.text}${suffix}` });
		},
		newPartTokens(part) {
			if (part === null) return 0;
			// A counter that knows each kind's framing (100 tokens per Claude tool result) counts the new part
			// the way the message it replaces was counted; the share estimate of the old part includes framing.
			if (counter.countPart !== undefined) return part.kind === 'image' ? 0 : counter.countPart(part);
			switch (part.kind) {
				case 'toolCall':
					return counter.countText(part.name) + counter.countText(part.argumentsText);
				case 'image':
					return 0;
				default:
					return counter.countText(part.text);
			}
		},
	};
}
