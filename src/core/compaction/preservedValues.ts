import type { Message } from '../transcript/model';

// Embedded-JSON search gives up after this many candidate objects or this many characters, keeping it linear.
const maxJsonCandidates = 32;
const maxScannedChars = 200_000;

function valueText(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}

function keyOfObject(parsed: unknown, key: string): string | undefined {
	if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.hasOwn(parsed, key)) {
		return valueText((parsed as Record<string, unknown>)[key]);
	}
	return undefined;
}

/** Balanced `{...}` spans at the top level of a text, string-aware, in order; bounded by the limits above. */
function* jsonObjectSpans(text: string): Generator<string> {
	const limit = Math.min(text.length, maxScannedChars);
	let yielded = 0;
	let start = -1;
	let depth = 0;
	let inString = false;
	for (let i = 0; i < limit && yielded < maxJsonCandidates; i++) {
		const ch = text[i];
		if (depth === 0) {
			if (ch === '{') {
				start = i;
				depth = 1;
				inString = false;
			}
			continue;
		}
		if (inString) {
			if (ch === '\\') i++;
			else if (ch === '"') inString = false;
			continue;
		}
		if (ch === '"') inString = true;
		else if (ch === '{') depth++;
		else if (ch === '}' && --depth === 0) {
			yielded++;
			yield text.slice(start, i + 1);
		}
	}
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** H5: a key's value in a text, tried as whole JSON, embedded JSON, `key: value`, then `key = value`. */
export function findKeyValue(text: string, key: string): string | undefined {
	const trimmed = text.trim();
	if (trimmed.startsWith('{')) {
		try {
			const whole = keyOfObject(JSON.parse(trimmed), key);
			if (whole !== undefined) return whole;
		} catch {
			// not whole JSON: try the other forms
		}
	}
	for (const span of jsonObjectSpans(text)) {
		try {
			const found = keyOfObject(JSON.parse(span), key);
			if (found !== undefined) return found;
		} catch {
			// a brace run that is not JSON
		}
	}
	const escaped = escapeRegExp(key);
	const colon = new RegExp(`(?<![\\w-])${escaped}\\s*:\\s*(.+)`).exec(text)?.[1]?.trim();
	if (colon !== undefined && colon !== '') return colon;
	const equals = new RegExp(`(?<![\\w-])${escaped}\\s*=\\s*(.+)`).exec(text)?.[1]?.trim();
	return equals !== undefined && equals !== '' ? equals : undefined;
}

/**
 * H5: values of the declared output keys found in the assistant messages being discarded, newest first (the
 * latest value of a key wins). Looks at text parts, then tool-call arguments.
 */
export function findPreservedValues(
	messages: readonly Message[],
	discarded: readonly number[],
	outputKeys: readonly string[],
): Record<string, string> {
	const found: Record<string, string> = {};
	const remaining = new Set(outputKeys);
	for (let k = discarded.length - 1; k >= 0 && remaining.size > 0; k--) {
		const message = messages[discarded[k] ?? -1];
		if (message === undefined || message.role !== 'assistant') continue;
		for (const part of message.parts) {
			const text =
				part.kind === 'text' ? part.text : part.kind === 'toolCall' ? part.argumentsText : undefined;
			if (text === undefined) continue;
			for (const key of [...remaining]) {
				const value = findKeyValue(text, key);
				if (value !== undefined) {
					found[key] = value;
					remaining.delete(key);
				}
			}
		}
	}
	return found;
}
