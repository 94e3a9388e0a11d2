import { countTextTokens } from '../../../src/core/tokens/encoding';
import { readRecords } from './corpusStrings';

/** One interval between consecutive Claude API responses inside a tool loop. */
export interface GrowthInterval {
	/** Recorded context growth minus the earlier response's output: what the provider counted for the added text. */
	readonly recordedTokens: number;
	/** Our o200k count of the tool results and user text added in the interval. */
	readonly ourTokens: number;
	/** Content blocks added (each carries framing the file does not store). */
	readonly blocks: number;
}

interface Response {
	readonly id: string;
	readonly contextTokens: number;
	outputTokens: number;
	endsWithToolUse: boolean;
}

/**
 * Measures a Claude Code file the way the registry's Claude factor was derived (see modelRegistry.ts): for
 * each pair of consecutive responses in one chain (main or one subagent), where the earlier ended in
 * tool_use and only text was added between them, recorded growth against our count of the added text.
 */
export function claudeGrowthIntervals(file: string): GrowthInterval[] {
	const chains = new Map<string, Record<string, unknown>[]>();
	for (const record of readRecords(file)) {
		if (!isObject(record)) continue;
		const key = `${String(record['isSidechain'] ?? false)}:${String(record['agentId'] ?? '')}`;
		const chain = chains.get(key) ?? [];
		chain.push(record);
		chains.set(key, chain);
	}
	return [...chains.values()].flatMap(chainIntervals);
}

function chainIntervals(records: readonly Record<string, unknown>[]): GrowthInterval[] {
	const intervals: GrowthInterval[] = [];
	let previous: Response | undefined;
	let added: string[] = [];
	let blocks = 0;
	let isUsable = true;
	for (const record of records) {
		if (record['type'] === 'system' && record['subtype'] === 'compact_boundary') {
			previous = undefined;
			continue;
		}
		const message = record['message'];
		if (record['type'] === 'assistant' && isObject(message)) {
			const usage = message['usage'];
			const content = Array.isArray(message['content']) ? (message['content'] as unknown[]) : [];
			const last = content[content.length - 1];
			const endsWithToolUse = isObject(last) && last['type'] === 'tool_use';
			if (!isObject(usage) || message['model'] === '<synthetic>') {
				isUsable = false;
				continue;
			}
			if (previous && previous.id === message['id']) {
				// Split records of one response repeat its usage; the last one carries the real output count.
				previous.outputTokens = numberOf(usage['output_tokens']);
				previous.endsWithToolUse = endsWithToolUse;
				continue;
			}
			const contextTokens =
				numberOf(usage['input_tokens']) +
				numberOf(usage['cache_creation_input_tokens']) +
				numberOf(usage['cache_read_input_tokens']);
			if (previous && previous.endsWithToolUse && isUsable && added.length > 0) {
				intervals.push({
					recordedTokens: contextTokens - previous.contextTokens - previous.outputTokens,
					ourTokens: added.reduce((sum, text) => sum + countTextTokens(text, 'o200k_base'), 0),
					blocks,
				});
			}
			previous = {
				id: String(message['id']),
				contextTokens,
				outputTokens: numberOf(usage['output_tokens']),
				endsWithToolUse,
			};
			added = [];
			blocks = 0;
			isUsable = true;
		} else if (record['type'] === 'user' && isObject(message) && previous) {
			const content = message['content'];
			if (typeof content === 'string') {
				added.push(content);
				blocks++;
			} else if (Array.isArray(content)) {
				for (const block of content) {
					blocks++;
					const texts = blockTexts(block);
					if (texts === undefined) isUsable = false;
					else added.push(...texts);
				}
			}
		}
	}
	return intervals;
}

// Text a user block adds, or undefined for blocks we cannot count as text (images, documents).
function blockTexts(block: unknown): string[] | undefined {
	if (!isObject(block)) return undefined;
	if (block['type'] === 'text' && typeof block['text'] === 'string') return [block['text']];
	if (block['type'] !== 'tool_result') return undefined;
	const content = block['content'];
	if (typeof content === 'string') return [content];
	if (!Array.isArray(content)) return [];
	const texts: string[] = [];
	for (const item of content) {
		if (!isObject(item) || item['type'] !== 'text' || typeof item['text'] !== 'string') return undefined;
		texts.push(item['text']);
	}
	return texts;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOf(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
