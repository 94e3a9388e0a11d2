import type { Message, Part } from '../transcript/model';
import type { SummaryRequest } from './summarizer';
import { redactTexts } from '../redaction/redactSecrets';
import type { RedactionFinding } from '../redaction/redactSecrets';

/** A summary request whose every text (messages, previous summary, focus, preserved values, active task) is redacted. */
export interface RedactedSummaryRequest {
	readonly request: SummaryRequest;
	readonly findings: readonly RedactionFinding[];
}

/** Texts of a part that reach the prompt, in a fixed order `rebuildPart` reads back. */
function partTexts(part: Part): string[] {
	switch (part.kind) {
		case 'text':
		case 'opaque':
			return [part.text];
		case 'thinking':
			// Prompts never show thinking (serializeForSummary), so it is emptied instead of redacted.
			return [];
		case 'toolCall':
			return [part.name, part.argumentsText];
		case 'toolResult':
			return [part.text];
		case 'image':
			return [];
	}
}

function rebuildPart(part: Part, next: () => string): Part {
	switch (part.kind) {
		case 'text':
			return { kind: 'text', text: next() };
		case 'thinking':
			return { kind: 'thinking', text: '', isRedacted: part.isRedacted };
		case 'opaque':
			return { kind: 'opaque', label: part.label, text: next() };
		case 'toolCall':
			return { kind: 'toolCall', callId: part.callId, name: next(), argumentsText: next() };
		case 'toolResult':
			return {
				kind: 'toolResult',
				callId: part.callId,
				text: next(),
				isError: part.isError,
				images: part.images,
			};
		case 'image':
			return part;
	}
}

/**
 * R7: the request with every text a prompt can show redacted in one secretlint pass over all of them. Messages lose
 * their `raw` records (the prompt never reads them, and they hold the unredacted source).
 */
export async function redactSummaryRequest(request: SummaryRequest): Promise<RedactedSummaryRequest> {
	const texts: string[] = [];
	for (const message of request.messages) for (const part of message.parts) texts.push(...partTexts(part));
	const preserved = Object.entries(request.preservedValues ?? {});
	for (const [key, value] of preserved) texts.push(key, value);
	const optional = [request.previousSummary, request.focus, request.activeTask];
	for (const text of optional) if (text !== undefined) texts.push(text);

	const redacted = await redactTexts(texts);
	let at = 0;
	const next = (): string => redacted.texts[at++] ?? '';
	const messages: Message[] = request.messages.map((message) => ({
		...message,
		parts: message.parts.map((part) => rebuildPart(part, next)),
		raw: [],
	}));
	const preservedValues: Record<string, string> = {};
	for (let i = 0; i < preserved.length; i += 1) {
		const key = next();
		preservedValues[key] = next();
	}
	const [previousSummary, focus, activeTask] = optional.map((text) =>
		text === undefined ? undefined : next(),
	);
	return {
		request: {
			messages,
			budgetTokens: request.budgetTokens,
			countTokens: request.countTokens,
			...(request.preservedValues !== undefined ? { preservedValues } : {}),
			...(previousSummary !== undefined ? { previousSummary } : {}),
			...(focus !== undefined ? { focus } : {}),
			...(activeTask !== undefined ? { activeTask } : {}),
			...(request.activeTaskLooksDone !== undefined
				? { activeTaskLooksDone: request.activeTaskLooksDone }
				: {}),
		},
		findings: redacted.findings,
	};
}
