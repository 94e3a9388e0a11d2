import type { FormatId, Message, Part, ToolCallPart } from '../transcript/model';
import { partChars } from './messageParts';
import type { ResolvedCompactionOptions } from './options';
import type { TokenCounting } from './tokenCounting';

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
	readonly calls: ReadonlyMap<string, CallSite>;
	/** Tokens of one part: its message's count shared out by characters (exact for one-part messages). */
	partTokens(message: number, part: number): number;
	/** Tokens of a part created by compaction, counted with the counter. */
	newPartTokens(part: Part | null): number;
}

/** Builds the planning context; O(parts). */
export function createPlanContext(
	messages: readonly Message[],
	tokens: readonly number[],
	options: ResolvedCompactionOptions,
	counter: TokenCounting,
	format: FormatId,
): PlanContext {
	const calls = new Map<string, CallSite>();
	messages.forEach((message, index) => {
		for (const part of message.parts) {
			if (part.kind === 'toolCall') {
				calls.set(part.callId, { part, message: index, resultMessage: undefined });
			} else if (part.kind === 'toolResult') {
				const site = calls.get(part.callId);
				if (site !== undefined && site.resultMessage === undefined) {
					calls.set(part.callId, { ...site, resultMessage: index });
				}
			}
		}
	});
	const messageChars: (number | undefined)[] = [];
	const charsOf = (index: number): number => {
		let chars = messageChars[index];
		if (chars === undefined) {
			chars = 0;
			for (const part of messages[index]?.parts ?? []) chars += partChars(part);
			messageChars[index] = chars;
		}
		return chars;
	};
	return {
		messages,
		tokens,
		options,
		counter,
		format,
		calls,
		partTokens(message, part) {
			const p = messages[message]?.parts[part];
			const total = charsOf(message);
			if (p === undefined || total === 0) return 0;
			return Math.round(((tokens[message] ?? 0) * partChars(p)) / total);
		},
		newPartTokens(part) {
			if (part === null) return 0;
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
