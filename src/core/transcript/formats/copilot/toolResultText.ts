import { arrayField, isRecord } from './jsonValues';

// VS Code marshalling ids ($mid) of the language-model parts a stored tool result holds.
const textPartId = 21;
const thinkingPartId = 22;
const promptTsxPartId = 23;

// prompt-tsx JSON node kinds and the piece constructor that stands for an image.
const pieceNode = 1;
const textNode = 2;
const opaqueNode = 3;
const imagePieceCtor = 3;

/** Placeholder for an image inside a prompt-tsx result: its pixels are not stored, so only this is counted. */
export const imagePlaceholder = '<image>';

/**
 * The text the model read from a stored Copilot tool result (`result.metadata.toolCallResults[id]`): text parts
 * as they are, prompt-tsx trees flattened to their text nodes in order. Iterative, so deep trees cannot overflow.
 */
export function toolResultText(result: unknown): string {
	const parts = Array.isArray(result) ? result : (arrayField(result, 'content') ?? []);
	const out = new TextCollector();
	for (const part of parts) {
		if (typeof part === 'string') {
			out.block(part);
			continue;
		}
		if (!isRecord(part) || part['$mid'] === thinkingPartId) continue;
		const value = part['value'];
		if (typeof value === 'string' && (part['$mid'] === undefined || part['$mid'] === textPartId)) {
			out.block(value);
		} else if (isRecord(value) && 'node' in value && (part['$mid'] ?? promptTsxPartId) === promptTsxPartId) {
			out.lineBreak();
			walkPromptTsx(value['node'], out);
		} else if (typeof part['text'] === 'string') {
			out.block(part['text']);
		}
	}
	return out.toString();
}

function walkPromptTsx(root: unknown, out: TextCollector): void {
	const stack: unknown[] = [root];
	while (stack.length > 0) {
		const node = stack.pop();
		if (!isRecord(node)) continue;
		const type = node['type'];
		if (type === textNode) {
			if (node['lineBreakBefore'] === true) out.lineBreak();
			if (typeof node['text'] === 'string') out.append(node['text']);
		} else if (type === pieceNode) {
			if (node['ctor'] === imagePieceCtor) {
				out.append(imagePlaceholder);
				continue;
			}
			const children = node['children'];
			if (Array.isArray(children)) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
		} else if (type === opaqueNode) {
			const value = node['value'];
			if (typeof value === 'string') out.append(value);
			else if (value !== undefined && value !== null) out.append(JSON.stringify(value));
		}
	}
}

/** Joins text pieces, tracking the last character so line breaks are only added where one is missing. */
class TextCollector {
	private readonly pieces: string[] = [];
	private lastChar = '';

	append(text: string): void {
		if (text === '') return;
		this.pieces.push(text);
		this.lastChar = text[text.length - 1] ?? '';
	}

	lineBreak(): void {
		if (this.pieces.length > 0 && this.lastChar !== '\n') this.append('\n');
	}

	/** A result part of its own: starts on a new line. */
	block(text: string): void {
		this.lineBreak();
		this.append(text);
	}

	toString(): string {
		return this.pieces.join('');
	}
}
