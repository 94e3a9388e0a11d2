/** Where the parts of a JSON document start: 1-based lines, found in one pass without building values. */
export interface DocumentLines {
	/** Line of each element start of the located array, in order (empty when the array is absent). */
	readonly elementLines: readonly number[];
	/** Line of each key of the top-level object (first occurrence; empty for a top-level array). */
	readonly keyLines: ReadonlyMap<string, number>;
}

const quote = 0x22;
const backslash = 0x5c;
const newline = 0x0a;

/**
 * Finds the line of each element of a document's message array: the top-level array when `arrayKey` is
 * undefined, else the array under that key of the top-level object. O(text length); strings are skipped
 * with `indexOf` since valid JSON strings hold no raw newline.
 */
export function locateDocumentLines(text: string, arrayKey?: string): DocumentLines {
	const elementLines: number[] = [];
	const keyLines = new Map<string, number>();
	let line = 1;
	let depth = 0;
	let rootIsObject = false;
	let expectKey = false;
	let currentKey: string | undefined;
	let targetDepth = -1;
	let expectElement = false;
	const length = text.length;
	let i = 0;
	while (i < length) {
		const c = text.charCodeAt(i);
		if (c === newline) {
			line++;
			i++;
			continue;
		}
		if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x3a) {
			i++;
			continue;
		}
		if (c === quote) {
			const end = stringEnd(text, i + 1);
			if (depth === 1 && rootIsObject && expectKey) {
				currentKey = keyText(text.slice(i + 1, end));
				if (!keyLines.has(currentKey)) keyLines.set(currentKey, line);
				expectKey = false;
			} else if (targetDepth > 0 && depth === targetDepth && expectElement) {
				elementLines.push(line);
				expectElement = false;
			}
			i = end + 1;
			continue;
		}
		if (c === 0x7b || c === 0x5b) {
			if (targetDepth > 0 && depth === targetDepth && expectElement) {
				elementLines.push(line);
				expectElement = false;
			}
			depth++;
			if (depth === 1 && c === 0x7b) {
				rootIsObject = true;
				expectKey = true;
			}
			const isTarget =
				c === 0x5b &&
				targetDepth === -1 &&
				(arrayKey === undefined ? depth === 1 : depth === 2 && rootIsObject && currentKey === arrayKey);
			if (isTarget) {
				targetDepth = depth;
				expectElement = true;
			}
			i++;
			continue;
		}
		if (c === 0x7d || c === 0x5d) {
			if (targetDepth > 0 && depth === targetDepth) {
				expectElement = false;
				targetDepth = -2;
				if (arrayKey === undefined) break;
			}
			depth--;
			i++;
			continue;
		}
		if (c === 0x2c) {
			if (targetDepth > 0 && depth === targetDepth) expectElement = true;
			if (depth === 1 && rootIsObject) expectKey = true;
			i++;
			continue;
		}
		if (targetDepth > 0 && depth === targetDepth && expectElement) {
			elementLines.push(line);
			expectElement = false;
		}
		i++;
	}
	return { elementLines, keyLines };
}

function stringEnd(text: string, from: number): number {
	let at = from;
	for (;;) {
		const close = text.indexOf('"', at);
		if (close === -1) return text.length;
		let slashes = 0;
		for (let k = close - 1; k >= from && text.charCodeAt(k) === backslash; k--) slashes++;
		if (slashes % 2 === 0) return close;
		at = close + 1;
	}
}

function keyText(raw: string): string {
	if (!raw.includes('\\')) return raw;
	try {
		const decoded: unknown = JSON.parse(`"${raw}"`);
		return typeof decoded === 'string' ? decoded : raw;
	} catch {
		return raw;
	}
}
