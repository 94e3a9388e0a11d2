import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { findExtraSecrets } from './secretRules';
import type { SecretRange } from './secretRules';

/** How many secrets of one kind were replaced. */
export interface RedactionFinding {
	readonly kind: string;
	readonly count: number;
}

/** A text with every secret found replaced by `[REDACTED:kind]`; `findings` is sorted by kind. */
export interface Redaction {
	readonly text: string;
	readonly findings: readonly RedactionFinding[];
}

/** Several texts redacted together; `texts[i]` is the redacted `input[i]`. */
export interface RedactionOfTexts {
	readonly texts: readonly string[];
	readonly findings: readonly RedactionFinding[];
}

/** The marker that stands where a secret of `kind` was. */
export function redactionMarker(kind: string): string {
	return `[REDACTED:${kind}]`;
}

// Typed through lintSource so @secretlint/types need not be a direct dependency.
const secretlintConfig: Parameters<typeof lintSource>[0]['options']['config'] = {
	rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }],
};

// A NUL line between texts: no secret pattern spans it, so one lint call serves every text.
const separator = '\n\u0000\n';

function kindOfRule(ruleId: string): string {
	const last = ruleId.slice(ruleId.lastIndexOf('/') + 1);
	return last.replace(/^secretlint-rule-/, '') || 'secret';
}

async function secretlintRanges(text: string): Promise<SecretRange[]> {
	const result = await lintSource({
		source: { content: text, filePath: '/context-lens/summary-input.txt', contentType: 'text' },
		options: { config: secretlintConfig, noPhysicFilePath: true },
	});
	const ranges: SecretRange[] = [];
	for (const message of result.messages) {
		if (message.type !== 'message') continue;
		const [start, end] = message.range;
		if (end > start) ranges.push({ start, end, kind: kindOfRule(message.ruleId) });
	}
	return ranges;
}

const markerPattern = /\[REDACTED(?::[A-Za-z0-9_.-]*)?\]/g;

/** Ranges that touch no `[REDACTED:…]` marker already in the text, so redacting twice changes nothing. */
function outsideMarkers(text: string, ranges: readonly SecretRange[]): SecretRange[] {
	const markers = [...text.matchAll(markerPattern)].map((m) => [m.index, m.index + m[0].length] as const);
	if (markers.length === 0) return [...ranges];
	return ranges.filter((range) => {
		let low = 0;
		let high = markers.length;
		// First marker ending after the range starts; it overlaps when it also starts before the range ends.
		while (low < high) {
			const mid = (low + high) >> 1;
			if ((markers[mid]?.[1] ?? 0) <= range.start) low = mid + 1;
			else high = mid;
		}
		const marker = markers[low];
		return marker === undefined || marker[0] >= range.end;
	});
}

/** Sorted, non-overlapping ranges; where two overlap the longer one names the kind. */
function mergeRanges(ranges: readonly SecretRange[]): SecretRange[] {
	const sorted = [...ranges].sort((a, b) => a.start - b.start || b.end - a.end);
	const merged: SecretRange[] = [];
	for (const range of sorted) {
		const last = merged[merged.length - 1];
		if (last !== undefined && range.start < last.end) {
			if (range.end > last.end) {
				const kind = range.end - range.start > last.end - last.start ? range.kind : last.kind;
				merged[merged.length - 1] = { start: last.start, end: range.end, kind };
			}
			continue;
		}
		merged.push(range);
	}
	return merged;
}

function countFindings(ranges: readonly SecretRange[]): RedactionFinding[] {
	const counts = new Map<string, number>();
	for (const range of ranges) counts.set(range.kind, (counts.get(range.kind) ?? 0) + 1);
	return [...counts.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([kind, count]) => ({ kind, count }));
}

/** `text` with the given sorted, disjoint ranges (offsets relative to `offset`) replaced by their markers. */
function applyRanges(text: string, offset: number, ranges: readonly SecretRange[]): string {
	if (ranges.length === 0) return text;
	const out: string[] = [];
	let at = 0;
	for (const range of ranges) {
		const start = Math.max(0, range.start - offset);
		const end = Math.min(text.length, range.end - offset);
		if (end <= start) continue;
		out.push(text.slice(at, start), redactionMarker(range.kind));
		at = end;
	}
	out.push(text.slice(at));
	return out.join('');
}

/**
 * R7/R12: redacts secrets in several texts with one secretlint call over their joined text (recommended preset plus
 * our own rules), then maps each range back to the texts it covers; a range that crosses texts is redacted in each.
 */
export async function redactTexts(texts: readonly string[]): Promise<RedactionOfTexts> {
	const joined = texts.join(separator);
	const found = [...(await secretlintRanges(joined)), ...findExtraSecrets(joined)];
	const ranges = mergeRanges(outsideMarkers(joined, found));
	if (ranges.length === 0) return { texts: [...texts], findings: [] };
	const out: string[] = [];
	let offset = 0;
	let first = 0;
	for (const text of texts) {
		const end = offset + text.length;
		while (first < ranges.length && (ranges[first]?.end ?? 0) <= offset) first += 1;
		const mine: SecretRange[] = [];
		for (let i = first; i < ranges.length; i += 1) {
			const range = ranges[i];
			if (range === undefined || range.start >= end) break;
			mine.push(range);
		}
		out.push(applyRanges(text, offset, mine));
		offset = end + separator.length;
	}
	return { texts: out, findings: countFindings(ranges) };
}

/** R7/R12: `text` with every secret found replaced by `[REDACTED:kind]`, and how many of each kind. */
export async function redactSecrets(text: string): Promise<Redaction> {
	const result = await redactTexts([text]);
	return { text: result.texts[0] ?? '', findings: result.findings };
}
