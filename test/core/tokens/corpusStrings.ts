import { readFileSync } from 'node:fs';
import { corpusFiles, hasCorpus } from '../../support/corpus';

/** Keys whose values hold what a model reads: message text, thinking, tool arguments and tool output. */
const textKeys = new Set(['text', 'content', 'thinking', 'input', 'arguments', 'output', 'message']);

/** Every corpus folder holding transcripts, relative to the corpus root. */
export const corpusFolders = [
	'anthropic-messages',
	'claude-code',
	'codex',
	'copilot-chat',
	'openai-chat',
	'other/copilot-cli',
	'other/gemini-cli',
	'other/opencode',
];

/** Parsed JSON records of a corpus file: one per JSONL line (unparsable lines skipped) or the whole document. */
export function readRecords(file: string): unknown[] {
	const source = readFileSync(file, 'utf8');
	if (file.endsWith('.json')) return [JSON.parse(source) as unknown];
	const records: unknown[] = [];
	for (const line of source.split('\n')) {
		if (line.trim() === '') continue;
		try {
			records.push(JSON.parse(line) as unknown);
		} catch {
			// a truncated last line of a live file is expected; the format readers report it, we skip it
		}
	}
	return records;
}

/**
 * Non-empty strings a model would read in a record, found generically: string values under {@link textKeys},
 * and objects under `input`/`arguments` as their JSON text (tool arguments).
 */
export function modelStrings(value: unknown, out: string[] = [], key = ''): string[] {
	if (typeof value === 'string') {
		if (value.length > 0 && textKeys.has(key)) out.push(value);
	} else if (Array.isArray(value)) {
		for (const item of value) modelStrings(item, out, key);
	} else if (value !== null && typeof value === 'object') {
		if (key === 'input' || key === 'arguments') out.push(JSON.stringify(value));
		for (const [childKey, child] of Object.entries(value)) modelStrings(child, out, childKey);
	}
	return out;
}

/** All corpus transcript files, or none when the corpus is absent. */
export function allCorpusFiles(): string[] {
	return hasCorpus() ? corpusFolders.flatMap((folder) => corpusFiles(folder)) : [];
}

/** Every non-empty string leaf of a value (for records that hold no model-facing text, e.g. titles). */
export function allStrings(value: unknown, out: string[] = []): string[] {
	if (typeof value === 'string') {
		if (value.length > 0) out.push(value);
	} else if (Array.isArray(value)) {
		for (const item of value) allStrings(item, out);
	} else if (value !== null && typeof value === 'object') {
		for (const child of Object.values(value)) allStrings(child, out);
	}
	return out;
}
