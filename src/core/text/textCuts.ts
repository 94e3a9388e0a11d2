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

/**
 * A count with thousands separators, as the person reads it: `toLocaleString('en-US')` of the rounded value. Safe
 * integers are grouped here, which is many times faster (descriptions of pruned results carry two counts each).
 */
export function formatCount(value: number): string {
	// + 0 turns -0 into 0: a count is never shown as '-0'.
	const rounded = Math.round(value) + 0;
	if (!Number.isSafeInteger(rounded)) return rounded.toLocaleString('en-US');
	const digits = String(Math.abs(rounded));
	if (digits.length <= 3) return rounded < 0 ? `-${digits}` : digits;
	const head = digits.length % 3 || 3;
	let out = digits.slice(0, head);
	for (let at = head; at < digits.length; at += 3) out += `,${digits.slice(at, at + 3)}`;
	return rounded < 0 ? `-${out}` : out;
}

/** JavaScript's `\s` (and what `trim` removes): ASCII blanks, NBSP, the Unicode space separators, line terminators, BOM. */
export function isWhitespace(code: number): boolean {
	if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
	if (code < 0xa0) return false;
	return (
		code === 0xa0 ||
		code === 0x1680 ||
		(code >= 0x2000 && code <= 0x200a) ||
		code === 0x2028 ||
		code === 0x2029 ||
		code === 0x202f ||
		code === 0x205f ||
		code === 0x3000 ||
		code === 0xfeff
	);
}

/**
 * The first `limit` characters of `text.replace(/\s+/g, ' ').trim()` (all of it when shorter), reading only as
 * much of the text as they need.
 */
export function flatPrefix(text: string, limit: number): string {
	let out = '';
	let produced = 0;
	let i = 0;
	while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
	// `out` holds the flattened text up to `runStart`; the characters from there to `i` are a run without whitespace.
	let runStart = i;
	let isSpacePending = false;
	while (i < text.length && produced < limit) {
		if (isWhitespace(text.charCodeAt(i))) {
			if (!isSpacePending) {
				out += text.slice(runStart, i);
				isSpacePending = true;
			}
		} else {
			if (isSpacePending) {
				// A whitespace run between two words becomes one space (a trailing run is dropped, as trim does).
				out += ' ';
				produced++;
				isSpacePending = false;
				runStart = i;
				if (produced >= limit) break;
			}
			produced++;
		}
		i++;
	}
	if (!isSpacePending) out += text.slice(runStart, i);
	return out.length > limit ? out.slice(0, limit) : out;
}

/** One line of at most `chars` characters: newlines become spaces, an ellipsis marks a cut. */
export function oneLine(text: string, chars: number): string {
	// Only the first chars + 1 characters of the flattened text decide the result.
	const flat = flatPrefix(text, chars + 1);
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
	return `${head}\n[… ${formatCount(cut)} characters cut by the tool-result size cap …]\n${tail}`;
}
