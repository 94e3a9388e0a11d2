/**
 * Characters a terminal or a text view acts on instead of showing: ASCII control characters (U+0000 to U+001F) except tab and line feed (ESC starts
 * the sequences that set window titles, write the clipboard through OSC 52 or clear the screen; CR rewrites a line),
 * DEL, C1 controls (0x9B is a one-byte CSI on some terminals), and the bidirectional marks that reorder shown text.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this module's purpose
const controlChars = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** True when text holds a character {@link escapeControlChars} would escape. */
export function hasControlChars(text: string): boolean {
	controlChars.lastIndex = 0;
	const found = controlChars.test(text);
	controlChars.lastIndex = 0;
	return found;
}

/**
 * Text safe to print to a terminal: each control character becomes a visible `\uXXXX` escape; tab and line feed
 * stay. Inside a JSON string such an escape decodes to the same character, so JSON output stays exact.
 */
export function escapeControlChars(text: string): string {
	if (!hasControlChars(text)) return text;
	return text.replace(controlChars, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text for a one-line preview: ASCII control characters and DEL as their Unicode control pictures (␛, ␇, ␍), the rest as U+FFFD. */
export function showControlChars(text: string): string {
	if (!hasControlChars(text)) return text;
	return text.replace(controlChars, (c) => {
		const code = c.charCodeAt(0);
		if (code < 0x20) return String.fromCharCode(0x2400 + code);
		return code === 0x7f ? '\u2421' : '\ufffd';
	});
}
