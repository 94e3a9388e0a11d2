import { userRequestText } from '../facts/extractArtifacts';
import type { FormatId, ImagePart, Message, Part, Role } from '../transcript/model';

/** True for roles that carry instructions rather than conversation (system prompt, developer message). */
export function isSystemRole(role: Role): boolean {
	return role === 'system' || role === 'developer';
}

/** True for a message the person typed: a user message that is not meta, a summary or tool results, with text or an image. */
export function isUserPrompt(message: Message): boolean {
	if (message.role !== 'user' || message.flags.isMeta || message.flags.isSummary) return false;
	if (message.parts.some((p) => p.kind === 'toolResult')) return false;
	return userRequestText(message) !== undefined || message.parts.some((p) => p.kind === 'image');
}

/** True for a message holding at least one tool call or tool result part. */
export function hasToolParts(message: Message): boolean {
	return message.parts.some((p) => p.kind === 'toolCall' || p.kind === 'toolResult');
}

/** The text parts of a message joined by blank lines ('' when there are none). */
export function textOf(message: Message): string {
	const texts: string[] = [];
	for (const part of message.parts) if (part.kind === 'text') texts.push(part.text);
	return texts.join('\n\n');
}

/** Characters a part contributes to the window (tool calls count name and arguments; images count nothing). */
export function partChars(part: Part): number {
	switch (part.kind) {
		case 'text':
		case 'thinking':
		case 'opaque':
			return part.text.length;
		case 'toolCall':
			return part.name.length + part.argumentsText.length;
		case 'toolResult':
			return part.text.length;
		case 'image':
			return 0;
	}
}

/** The images of a copied result that has none (shared, frozen). */
const noImages: readonly ImagePart[] = Object.freeze([]);

/** A copy of a part without its source `raw` (writers must re-render it); nested result images too. */
export function withoutRaw(part: Part): Part {
	switch (part.kind) {
		case 'text':
			return { kind: 'text', text: part.text };
		case 'thinking':
			return { kind: 'thinking', text: part.text, isRedacted: part.isRedacted };
		case 'opaque':
			return { kind: 'opaque', label: part.label, text: part.text };
		case 'toolCall':
			return { kind: 'toolCall', callId: part.callId, name: part.name, argumentsText: part.argumentsText };
		case 'toolResult':
			return {
				kind: 'toolResult',
				callId: part.callId,
				text: part.text,
				isError: part.isError,
				images:
					part.images.length === 0 ? noImages : part.images.map((image) => withoutRaw(image) as typeof image),
			};
		case 'image': {
			const { raw: _raw, ...rest } = part;
			return rest;
		}
	}
}

/** Formats whose API wants user and assistant turns to alternate (R13); the others take a plain user message (G3). */
export function needsAlternation(format: FormatId): boolean {
	return format === 'claude-code' || format === 'anthropic-messages';
}

/** The role tool results travel in: whatever the transcript already uses, else the format's convention. */
export function toolResultRole(messages: readonly Message[], format: FormatId): Role {
	for (const message of messages) {
		if (message.parts.some((p) => p.kind === 'toolResult')) return message.role;
	}
	return needsAlternation(format) ? 'user' : 'tool';
}

/** Readable text of a part for spill files and plain-text exports; images become a one-line note. */
export function renderPart(part: Part): string {
	switch (part.kind) {
		case 'text':
			return part.text;
		case 'thinking':
			return part.isRedacted ? '[redacted thinking]' : `[thinking]\n${part.text}`;
		case 'opaque':
			return `[${part.label}]\n${part.text}`;
		case 'image':
			return `[image ${part.mediaType}, ${part.byteLength} bytes]`;
		case 'toolCall':
			return `[tool call ${part.name} ${part.callId}]\n${part.argumentsText}`;
		case 'toolResult': {
			const images = part.images.length > 0 ? ` (+${part.images.length} image(s))` : '';
			return `[tool result ${part.callId}${part.isError ? ', error' : ''}${images}]\n${part.text}`;
		}
	}
}
