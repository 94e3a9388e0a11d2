// R10: the words of a `/compress <focus>` text and the test of whether a text is about them. One definition for the
// summariser (which groups what it writes by it) and the review (which reports what the focus kept).

const focusStopWords = new Set(
	'the and for with about from into onto that this these those what when where which while keep focus only all any are was were its our your their how why who'.split(
		' ',
	),
);

/** Lower-cased focus terms of a `/compress <focus>` text (R10): words of 3+ characters, stop words dropped. */
export function focusTermsOf(focus: string | undefined): string[] {
	if (focus === undefined) return [];
	const terms = new Set<string>();
	for (const word of focus.toLowerCase().split(/[^\p{L}\p{N}_./-]+/u)) {
		const term = word.replace(/^[./-]+|[./-]+$/g, '');
		if (term.length >= 3 && !focusStopWords.has(term)) terms.add(term);
	}
	return [...terms];
}

/** True when `text` contains any of the focus terms (case-insensitive); false without terms. */
export function mentionsFocus(text: string, terms: readonly string[]): boolean {
	if (terms.length === 0) return false;
	const lower = text.toLowerCase();
	return terms.some((t) => lower.includes(t));
}
