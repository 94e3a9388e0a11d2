const quote = 0x22;
const backslash = 0x5c;
const newline = 0x0a;
const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;

/**
 * 1-based line where each item of the root object's array `key` starts, in item order (objects and arrays
 * only; scalar items get no entry). One pass over valid JSON text, skipping strings with indexOf; O(length).
 */
export function arrayItemLines(text: string, key: string): number[] {
	const lines: number[] = [];
	let line = 1;
	let depth = 0;
	let lastStringIsKey = false;
	let inTarget = false;
	let i = 0;
	while (i < text.length) {
		const c = text.charCodeAt(i);
		if (c === quote) {
			const end = stringEnd(text, i);
			if (depth === 1) lastStringIsKey = end - i - 1 === key.length && text.startsWith(key, i + 1);
			i = end + 1;
			continue;
		}
		if (c === openBrace || c === openBracket) {
			if (inTarget && depth === 2) lines.push(line);
			if (c === openBracket && depth === 1 && lastStringIsKey) inTarget = true;
			depth++;
		} else if (c === closeBrace || c === closeBracket) {
			depth--;
			if (depth === 1) inTarget = false;
		} else if (c === newline) {
			line++;
		}
		i++;
	}
	return lines;
}

/** Index of the quote closing the string that opens at `start` (text.length - 1 when unterminated). */
function stringEnd(text: string, start: number): number {
	let at = start + 1;
	for (;;) {
		const end = text.indexOf('"', at);
		if (end === -1) return text.length - 1;
		let slashes = 0;
		for (let j = end - 1; j > start && text.charCodeAt(j) === backslash; j--) slashes++;
		if (slashes % 2 === 0) return end;
		at = end + 1;
	}
}
