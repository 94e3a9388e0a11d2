import type { Message, ToolCallPart, ToolResultPart } from './model';

/** Where one tool call and its result sit: message indexes into the list given to `pairToolCalls`. */
export interface ToolPair {
	readonly callId: string;
	readonly name: string;
	readonly callMessage: number;
	/** Index of the message holding the result, or undefined when the call was never answered. */
	readonly resultMessage: number | undefined;
}

/** Tool calls paired with their results by id, plus what could not be paired. */
export interface ToolPairing {
	readonly pairs: readonly ToolPair[];
	/** Calls with no result anywhere after them. */
	readonly unansweredCalls: readonly ToolPair[];
	/** Results whose call id matches no earlier call: message index and call id. */
	readonly orphanResults: readonly { readonly message: number; readonly callId: string }[];
}

/** Pairs every tool call with the first later result carrying its id; O(parts). */
export function pairToolCalls(messages: readonly Message[]): ToolPairing {
	const open = new Map<string, { part: ToolCallPart; message: number }>();
	const pairs: ToolPair[] = [];
	const orphanResults: { message: number; callId: string }[] = [];
	messages.forEach((message, index) => {
		for (const part of message.parts) {
			if (part.kind === 'toolCall') {
				open.set(part.callId, { part, message: index });
			} else if (part.kind === 'toolResult') {
				const call = open.get(part.callId);
				if (call === undefined) {
					orphanResults.push({ message: index, callId: part.callId });
					continue;
				}
				open.delete(part.callId);
				pairs.push({
					callId: part.callId,
					name: call.part.name,
					callMessage: call.message,
					resultMessage: index,
				});
			}
		}
	});
	const unansweredCalls = [...open.values()].map(({ part, message }): ToolPair => ({
		callId: part.callId,
		name: part.name,
		callMessage: message,
		resultMessage: undefined,
	}));
	return { pairs, unansweredCalls, orphanResults };
}

/** Every tool result part in a message. */
export function toolResultsOf(message: Message): ToolResultPart[] {
	return message.parts.filter((p): p is ToolResultPart => p.kind === 'toolResult');
}

/** Every tool call part in a message. */
export function toolCallsOf(message: Message): ToolCallPart[] {
	return message.parts.filter((p): p is ToolCallPart => p.kind === 'toolCall');
}
