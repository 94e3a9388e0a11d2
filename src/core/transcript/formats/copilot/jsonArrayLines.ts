const quote = 0x22;
const backslash = 0x5c;
const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;

/**
 * 1-based line where each item of the root object's array `key` starts, in item order (objects and arrays
 * only; scalar items get no entry), in valid JSON text (whose strings hold no raw newline). O(length), with no
 * loop over characters in JavaScript: the next quote and the next of each bracket are found with `indexOf` (a
 * position found once is kept until the scan passes it, so each is searched again only when a string skipped
 * over it), and newlines are counted with `indexOf` only up to where an item starts. A character loop over a
 * pretty-printed document, which is mostly indentation, took longer than parsing it.
 */
export function arrayItemLines(text: string, key: string): number[] {
	const lines: number[] = [];
	let line = 1;
	let counted = 0;
	let depth = 0;
	let lastStringIsKey = false;
	let inTarget = false;
	let nextQuote = text.indexOf('"');
	let nextOpenBrace = text.indexOf('{');
	let nextOpenBracket = text.indexOf('[');
	let nextCloseBrace = text.indexOf('}');
	let nextCloseBracket = text.indexOf(']');
	let i = 0;
	for (;;) {
		if (nextQuote !== -1 && nextQuote < i) nextQuote = text.indexOf('"', i);
		if (nextOpenBrace !== -1 && nextOpenBrace < i) nextOpenBrace = text.indexOf('{', i);
		if (nextOpenBracket !== -1 && nextOpenBracket < i) nextOpenBracket = text.indexOf('[', i);
		if (nextCloseBrace !== -1 && nextCloseBrace < i) nextCloseBrace = text.indexOf('}', i);
		if (nextCloseBracket !== -1 && nextCloseBracket < i) nextCloseBracket = text.indexOf(']', i);
		const at = earliest(
			earliest(nextQuote, nextOpenBrace),
			earliest(earliest(nextOpenBracket, nextCloseBrace), nextCloseBracket),
		);
		if (at === -1) return lines;
		const c = text.charCodeAt(at);
		if (c === quote) {
			const end = stringEnd(text, at);
			if (depth === 1) lastStringIsKey = end - at - 1 === key.length && text.startsWith(key, at + 1);
			i = end + 1;
			continue;
		}
		if (c === openBrace || c === openBracket) {
			if (inTarget && depth === 2) {
				for (let n = text.indexOf('\n', counted); n !== -1 && n < at; n = text.indexOf('\n', n + 1)) {
					line++;
					counted = n + 1;
				}
				lines.push(line);
			}
			if (c === openBracket && depth === 1 && lastStringIsKey) inTarget = true;
			depth++;
		} else if (c === closeBrace || c === closeBracket) {
			depth--;
			if (depth === 1) inTarget = false;
		}
		i = at + 1;
	}
}

/** The smaller of two `indexOf` results, where -1 (not found) is larger than any position. */
function earliest(a: number, b: number): number {
	return a === -1 || (b !== -1 && b < a) ? b : a;
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
