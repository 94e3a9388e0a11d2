import type { SummaryInputCaps } from './summaryInputCaps';
import { headOf, tailOf } from '../../text/textCuts';
import type { Message, Part, Role } from '../../transcript/model';

/** The marker between the head and tail of a capped message (R7); says how many characters were left out. */
export function truncationMarker(omittedChars: number): string {
	return `\n...[${omittedChars} characters truncated]...\n`;
}

/** R7: `text` unchanged when it fits `headChars + tailChars`, else its head, a truncation marker and its tail. */
export function capHeadTail(text: string, headChars: number, tailChars: number): string {
	if (text.length <= headChars + tailChars) return text;
	const head = headOf(text, headChars);
	const tail = tailOf(text, tailChars);
	return `${head}${truncationMarker(text.length - head.length - tail.length)}${tail}`;
}

/** R7: tool-call arguments cut to `chars` characters, with a note saying how many were left out. */
export function capArguments(argumentsText: string, chars: number): string {
	if (argumentsText.length <= chars) return argumentsText;
	const head = headOf(argumentsText, chars);
	return `${head}...[${argumentsText.length - head.length} characters truncated]`;
}

/** G6: `text` cut to at most `maxBytes` UTF-8 bytes on a code point boundary, with `...` when cut. */
export function capUtf8Bytes(text: string, maxBytes: number): string {
	let bytes = 0;
	let at = 0;
	while (at < text.length) {
		const code = text.codePointAt(at) ?? 0;
		const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
		if (bytes + size > maxBytes) return `${text.slice(0, at)}...`;
		bytes += size;
		at += code >= 0x10000 ? 2 : 1;
	}
	return text;
}

const roleLabels: Readonly<Record<Role, string>> = {
	system: 'SYSTEM',
	developer: 'DEVELOPER',
	user: 'USER',
	assistant: 'ASSISTANT',
	tool: 'TOOL',
};

function toolNames(messages: readonly Message[]): Map<string, string> {
	const names = new Map<string, string>();
	for (const message of messages) {
		for (const part of message.parts) if (part.kind === 'toolCall') names.set(part.callId, part.name);
	}
	return names;
}

function imageLabel(part: Extract<Part, { kind: 'image' }>, imageTokens: number): string {
	const size =
		part.widthPx !== undefined && part.heightPx !== undefined ? ` ${part.widthPx}x${part.heightPx}` : '';
	return `[image ${part.mediaType}${size}, about ${imageTokens} tokens]`;
}

/**
 * R7: the messages as labelled text for the structured and self prompts: `[USER]:`/`[ASSISTANT]:` bodies capped to
 * head + tail characters, tool calls as `name(arguments)` with arguments capped, tool results as
 * `[TOOL RESULT name #id]:` capped like bodies. Thinking is left out: it is the model's scratch work, often larger
 * than the answer, and what it decided shows in the text and calls that follow.
 */
export function serializeLabelled(messages: readonly Message[], caps: SummaryInputCaps): string {
	const names = toolNames(messages);
	const cap = (text: string): string => capHeadTail(text, caps.messageHeadChars, caps.messageTailChars);
	const blocks: string[] = [];
	for (const message of messages) {
		const label = message.flags.isSummary ? 'EARLIER SUMMARY' : roleLabels[message.role];
		const body: string[] = [];
		const calls: string[] = [];
		const results: string[] = [];
		for (const part of message.parts) {
			switch (part.kind) {
				case 'text':
					if (part.text.trim() !== '') body.push(part.text);
					break;
				case 'opaque':
					if (part.text.trim() !== '') body.push(`[${part.label}] ${part.text}`);
					break;
				case 'image':
					body.push(imageLabel(part, caps.imageTokens));
					break;
				case 'thinking':
					break;
				case 'toolCall':
					calls.push(`  ${part.name}(${capArguments(part.argumentsText, caps.toolArgumentsChars)})`);
					break;
				case 'toolResult': {
					const name = names.get(part.callId) ?? 'unknown tool';
					const kind = part.isError ? 'TOOL ERROR' : 'TOOL RESULT';
					const images = part.images.map((image) => ` ${imageLabel(image, caps.imageTokens)}`).join('');
					results.push(`[${kind} ${name} #${part.callId}]: ${cap(part.text)}${images}`);
					break;
				}
			}
		}
		const text = body.join('\n\n');
		if (text !== '' || calls.length > 0) {
			const callBlock =
				calls.length > 0 ? `${text === '' ? '' : '\n'}[Tool calls:\n${calls.join('\n')}\n]` : '';
			blocks.push(`[${label}]: ${cap(text)}${callBlock}`);
		}
		blocks.push(...results);
	}
	return blocks.join('\n\n');
}

/**
 * G6: the messages as the brief (one-paragraph) prompt shows them: numbered, each body, tool call and tool result
 * capped to `messageCapBytes` UTF-8 bytes, images as a flat token cost.
 */
export function serializeCompact(messages: readonly Message[], caps: SummaryInputCaps): string {
	const names = toolNames(messages);
	const cap = (text: string): string => capUtf8Bytes(text, caps.messageCapBytes);
	const out: string[] = [];
	messages.forEach((message, index) => {
		out.push(`---\n[${index + 1}] role=${message.role}`);
		const text = message.parts
			.map((p) => (p.kind === 'text' || p.kind === 'opaque' ? p.text : ''))
			.filter((t) => t.trim() !== '')
			.join('\n');
		if (text !== '') out.push(cap(text));
		for (const part of message.parts) {
			if (part.kind === 'toolCall') out.push(`tool_call name=${part.name} args=${cap(part.argumentsText)}`);
			else if (part.kind === 'toolResult') {
				const name = names.get(part.callId) ?? 'unknown';
				out.push(`tool_result name=${name}${part.isError ? ' error=true' : ''} body=${cap(part.text)}`);
				for (const image of part.images) out.push(imageLabel(image, caps.imageTokens));
			} else if (part.kind === 'image') out.push(imageLabel(part, caps.imageTokens));
		}
	});
	return out.join('\n');
}
