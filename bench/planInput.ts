import type { Message, Part, Transcript } from '../src/core/transcript/model';
import { parseTranscript } from '../src/core/transcript/readTranscript';
import { generateClaudeSession } from './generateClaudeSession';

/** Bytes of each generated session stitched into a planning input: small, so bodies are short and varied. */
export const planningSessionBytes = 30_000;

/** A planning transcript and the size of the JSONL its messages were parsed from. */
export interface PlanningInput {
	readonly transcript: Transcript;
	/**
	 * Bytes of generated JSONL the messages came from: every whole session taken, and of the last session the
	 * bytes up to the end of the last message taken. The size of the file that would hold the same messages.
	 */
	readonly sourceBytes: number;
}

/** `prefix + text` as a flat string, as JSON.parse makes them (a template literal makes a rope). */
function prefixed(prefix: string, text: string): string {
	return JSON.parse(JSON.stringify(`${prefix}${text}`)) as string;
}

function renamePart(part: Part, prefix: string): Part {
	if (part.kind === 'toolCall' || part.kind === 'toolResult')
		return { ...part, callId: prefixed(prefix, part.callId) };
	return part;
}

/** Bytes of `source` through the end of its line `line` (1-based), or all of it when it has fewer lines. */
function bytesThroughLine(source: Buffer, line: number): number {
	let end = 0;
	for (let seen = 0; seen < line; seen++) {
		const newline = source.indexOf(10, end);
		if (newline < 0) return source.length;
		end = newline + 1;
	}
	return end;
}

/**
 * A Claude Code transcript of exactly `messageCount` messages for timing the planner, with the bytes of JSONL
 * it stands for: consecutive seeded sessions (seeds `seed`, `seed + 1`, ...) of {@link planningSessionBytes}
 * parsed and concatenated, ids and tool-call ids prefixed per session so they stay unique. Deterministic; each
 * session's messages are distinct objects. Each session's text and parse are dropped before the next is built.
 */
export function buildPlanningInput(messageCount: number, seed: number): PlanningInput {
	const messages: Message[] = [];
	let first: Transcript | undefined;
	let lineOffset = 0;
	let sourceBytes = 0;
	for (let session = 0; messages.length < messageCount; session++) {
		const source = Buffer.from(
			generateClaudeSession({ seed: seed + session, targetBytes: planningSessionBytes }),
		);
		const read = parseTranscript(source, `generated-${seed + session}.jsonl`);
		if (!read.ok) throw new Error(`the generator wrote an unreadable session: ${read.failure.message}`);
		// Everything but the messages (meta, format, ...) of the first session; its own messages are not kept.
		first ??= { ...read.transcript, messages: [], passthrough: [], diagnostics: [] };
		const prefix = `s${session}-`;
		let lastLine = read.transcript.lineCount;
		for (const [i, message] of read.transcript.messages.entries()) {
			if (messages.length >= messageCount) {
				lastLine = read.transcript.messages[i - 1]?.lines.to ?? 0;
				break;
			}
			messages.push({
				...message,
				id: prefixed(prefix, message.id),
				parts: message.parts.map((p) => renamePart(p, prefix)),
				lines: { from: message.lines.from + lineOffset, to: message.lines.to + lineOffset },
			});
		}
		sourceBytes +=
			lastLine === read.transcript.lineCount ? source.length : bytesThroughLine(source, lastLine);
		lineOffset += read.transcript.lineCount;
	}
	if (first === undefined) throw new Error('no session was generated');
	return {
		transcript: { ...first, messages, passthrough: [], diagnostics: [], lineCount: lineOffset },
		sourceBytes,
	};
}

/** The transcript of {@link buildPlanningInput}, without its size. */
export function buildPlanningTranscript(messageCount: number, seed: number): Transcript {
	return buildPlanningInput(messageCount, seed).transcript;
}
