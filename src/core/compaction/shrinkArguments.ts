import { formatCount, headOf } from '../text/textCuts';

function shrinkValue(value: unknown, maxStringChars: number): unknown {
	if (typeof value === 'string') {
		if (value.length <= maxStringChars) return value;
		return `${headOf(value, maxStringChars)}…[${formatCount(value.length - maxStringChars)} chars cut]`;
	}
	if (Array.isArray(value)) return value.map((v) => shrinkValue(v, maxStringChars));
	if (typeof value === 'object' && value !== null) {
		const out: Record<string, unknown> = {};
		for (const [key, v] of Object.entries(value)) out[key] = shrinkValue(v, maxStringChars);
		return out;
	}
	return value;
}

/**
 * R3/H6: tool-call arguments with every long string value shortened inside the parsed JSON, so the result is still
 * valid JSON with the same keys, numbers and booleans. Undefined when the text is not JSON (left as the model wrote
 * it) or when shrinking would not make it shorter.
 */
export function shrinkJsonArguments(argumentsText: string, maxStringChars: number): string | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(argumentsText);
	} catch {
		return undefined;
	}
	const shrunk = JSON.stringify(shrinkValue(parsed, maxStringChars));
	return shrunk.length < argumentsText.length ? shrunk : undefined;
}
