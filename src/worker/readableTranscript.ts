import { renderPart } from '../core/compaction/messageParts';
import { headOf, tailOf } from '../core/text/textCuts';
import { messagesInWindow, type Message, type Transcript } from '../core/transcript/model';

/** Characters of one part shown in a readable rendering before its middle is elided. */
export const readablePartChars = 2_000;

function flagsOf(message: Message): string {
	const flags = Object.entries(message.flags)
		.filter(([, on]) => on)
		.map(([name]) => name.replace(/^is/, '').toLowerCase());
	return flags.length > 0 ? ` [${flags.join(', ')}]` : '';
}

function cut(text: string): string {
	if (text.length <= readablePartChars) return text;
	const keep = Math.floor(readablePartChars / 2);
	const elided = text.length - 2 * keep;
	return `${headOf(text, keep)}\n… ${elided} characters not shown …\n${tailOf(text, keep)}`;
}

/**
 * A readable rendering of the messages in a transcript's window for the review diff: one header per message (role,
 * flags, id, source line) and its parts as text, long parts elided in the middle. Messages that compaction kept
 * render identically on both sides, so the diff shows only what changed.
 */
export function renderReadableTranscript(transcript: Transcript): string {
	const out: string[] = [];
	for (const message of messagesInWindow(transcript)) {
		const line = message.lines.from > 0 ? ` · line ${message.lines.from}` : ' · new';
		out.push(`── ${message.role}${flagsOf(message)} · ${message.id}${line} ──`);
		for (const part of message.parts) out.push(cut(renderPart(part)));
		out.push('');
	}
	return out.join('\n');
}
