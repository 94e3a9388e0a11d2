import type { RegionSpan } from '../src/core/compaction/planRegions';
import type { Message, Part } from '../src/core/transcript/model';

/** A reference compaction from the literature, applied to a window's messages. */
export type BaselineName = 'observation-masking' | 'truncation';

/** Every baseline, in table order. */
export const baselineNames: readonly BaselineName[] = ['observation-masking', 'truncation'];

/** The text that stands for a masked tool output; it names the size so the agent knows to re-run the tool. */
export function maskPlaceholder(chars: number): string {
	return `[tool output omitted: ${chars} characters]`;
}

function maskPart(part: Part): Part {
	if (part.kind !== 'toolResult' || part.text.length <= maskPlaceholder(part.text.length).length) return part;
	return {
		kind: 'toolResult',
		callId: part.callId,
		isError: part.isError,
		images: [],
		text: maskPlaceholder(part.text.length),
	};
}

/**
 * Observation masking (Lindenbauer et al., JetBrains, "The Complexity Trap", 2025): every tool output before
 * `tailFrom` becomes a placeholder; calls, reasoning and the tail stay as they are. Returns new messages only
 * where something changed; the input is not modified.
 */
export function maskObservations(messages: readonly Message[], tailFrom: number): Message[] {
	return messages.map((message, index) => {
		if (index >= tailFrom || !message.parts.some((p) => p.kind === 'toolResult')) return message;
		const parts = message.parts.map(maskPart);
		return parts.every((p, i) => p === message.parts[i]) ? message : { ...message, parts };
	});
}

/** Plain truncation: the messages of `middle` are dropped, head and tail kept as they are. */
export function truncateMiddle(
	messages: readonly Message[],
	middle: Pick<RegionSpan, 'from' | 'to'>,
): Message[] {
	return [...messages.slice(0, middle.from), ...messages.slice(middle.to)];
}
