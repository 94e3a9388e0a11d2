import type { Message, Part, Transcript } from '../src/core/transcript/model';
import { parseTranscript } from '../src/core/transcript/readTranscript';
import { generateClaudeSession } from './generateClaudeSession';

/** Bytes of each generated session stitched into a planning input: small, so bodies are short and varied. */
export const planningSessionBytes = 30_000;

function renamePart(part: Part, prefix: string): Part {
	if (part.kind === 'toolCall' || part.kind === 'toolResult')
		return { ...part, callId: `${prefix}${part.callId}` };
	return part;
}

/**
 * A Claude Code transcript of exactly `messageCount` messages for timing the planner: consecutive seeded sessions
 * (seeds `seed`, `seed + 1`, ...) of {@link planningSessionBytes} parsed and concatenated, ids and tool-call ids
 * prefixed per session so they stay unique. Deterministic; each session's messages are distinct objects.
 */
export function buildPlanningTranscript(messageCount: number, seed: number): Transcript {
	const messages: Message[] = [];
	let first: Transcript | undefined;
	let lineOffset = 0;
	for (let session = 0; messages.length < messageCount; session++) {
		const text = generateClaudeSession({ seed: seed + session, targetBytes: planningSessionBytes });
		const read = parseTranscript(Buffer.from(text), `generated-${seed + session}.jsonl`);
		if (!read.ok) throw new Error(`the generator wrote an unreadable session: ${read.failure.message}`);
		first ??= read.transcript;
		const prefix = `s${session}-`;
		for (const message of read.transcript.messages) {
			if (messages.length >= messageCount) break;
			messages.push({
				...message,
				id: `${prefix}${message.id}`,
				parts: message.parts.map((p) => renamePart(p, prefix)),
				lines: { from: message.lines.from + lineOffset, to: message.lines.to + lineOffset },
			});
		}
		lineOffset += read.transcript.lineCount;
	}
	if (first === undefined) throw new Error('no session was generated');
	return { ...first, messages, passthrough: [], diagnostics: [], lineCount: lineOffset };
}
