/** The first `chars` characters of a text, one fewer when that would split a surrogate pair. */
export function headOf(text: string, chars: number): string {
	if (text.length <= chars) return text;
	let end = Math.max(0, chars);
	const code = text.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end -= 1;
	return text.slice(0, end);
}

/** The last `chars` characters of a text, one fewer when that would split a surrogate pair. */
export function tailOf(text: string, chars: number): string {
	if (chars <= 0) return '';
	if (text.length <= chars) return text;
	let start = text.length - chars;
	const code = text.charCodeAt(start);
	if (code >= 0xdc00 && code <= 0xdfff) start += 1;
	return text.slice(start);
}

/** Number of lines of a text ('' has none). */
export function lineCount(text: string): number {
	if (text.trim() === '') return 0;
	let lines = 1;
	for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
	return text.endsWith('\n') ? lines - 1 : lines;
}

/** A count with thousands separators, as the person reads it. */
export function formatCount(value: number): string {
	return Math.round(value).toLocaleString('en-US');
}

/** One line of at most `chars` characters: newlines become spaces, an ellipsis marks a cut. */
export function oneLine(text: string, chars: number): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length <= chars ? flat : `${headOf(flat, Math.max(0, chars - 1))}…`;
}

/**
 * Z1: a tool result cut to about `capChars` characters: the first four fifths and the last fifth stay, with a note
 * in between saying how much was cut. Unchanged when it already fits.
 */
export function capToolResultText(text: string, capChars: number): string {
	if (text.length <= capChars) return text;
	const tailChars = Math.floor(capChars / 5);
	const head = headOf(text, capChars - tailChars);
	const tail = tailOf(text, tailChars);
	const cut = text.length - head.length - tail.length;
	return `${head}\n[… ${formatCount(cut)} characters cut by the tool-result size cap (Z1) …]\n${tail}`;
}
