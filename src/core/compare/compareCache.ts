import type { Transcript } from '../transcript/model';
import {
	compareStrategies,
	type CompareOptions,
	type CompareProgress,
	type StrategyComparison,
} from './compareStrategies';

/**
 * A key that changes whenever a transcript's content can have: its format, lines read, message count and the last
 * message's id and lines (a live file only grows; a rewritten one changes its line count or its last message).
 * Callers that hold a file fingerprint may add it.
 */
export function transcriptVersionKey(transcript: Transcript): string {
	const last = transcript.messages[transcript.messages.length - 1];
	return [
		transcript.format,
		transcript.meta.sessionId ?? '',
		transcript.lineCount,
		transcript.messages.length,
		last?.id ?? '',
		last?.lines.to ?? 0,
		transcript.diagnostics.length,
	].join('|');
}

/** The options of a comparison as a key: every option but the counter (the caller's version key names the model). */
export function compareOptionsKey(options: CompareOptions): string {
	const { counter: _counter, ...rest } = options;
	return JSON.stringify(
		Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
	);
}

/** Comparisons kept unless the caller says otherwise (each is a few kilobytes). */
export const defaultCompareCacheEntries = 16;

/**
 * Finished comparisons by transcript version and options, newest kept: asking again for the same version and
 * options costs nothing. Cancelled comparisons are never stored.
 */
export class CompareCache {
	private readonly entries = new Map<string, StrategyComparison>();

	constructor(private readonly maxEntries = defaultCompareCacheEntries) {}

	/** The stored comparison, undefined when there is none. */
	get(versionKey: string, options: CompareOptions): StrategyComparison | undefined {
		const key = `${versionKey}\u0000${compareOptionsKey(options)}`;
		const found = this.entries.get(key);
		if (found !== undefined) {
			this.entries.delete(key);
			this.entries.set(key, found);
		}
		return found;
	}

	/** Stores a finished comparison, dropping the oldest beyond the limit. */
	set(versionKey: string, options: CompareOptions, comparison: StrategyComparison): void {
		const key = `${versionKey}\u0000${compareOptionsKey(options)}`;
		this.entries.delete(key);
		this.entries.set(key, comparison);
		while (this.entries.size > this.maxEntries) {
			const oldest = this.entries.keys().next().value;
			if (oldest === undefined) break;
			this.entries.delete(oldest);
		}
	}

	/** Number of stored comparisons. */
	get size(): number {
		return this.entries.size;
	}
}

/**
 * A comparison of `transcript` (whose version is `versionKey`) from the cache, or computed and stored; `isCached`
 * says which. Cancelling leaves the cache as it was.
 */
export async function compareWithCache(
	cache: CompareCache,
	versionKey: string,
	transcript: Transcript,
	options: CompareOptions,
	signal: AbortSignal,
	onProgress?: (progress: CompareProgress) => void,
): Promise<
	{ ok: true; comparison: StrategyComparison; isCached: boolean } | { ok: false; reason: 'cancelled' }
> {
	const cached = cache.get(versionKey, options);
	if (cached !== undefined) return { ok: true, comparison: cached, isCached: true };
	const outcome = await compareStrategies(transcript, options, signal, onProgress);
	if (!outcome.ok) return outcome;
	cache.set(versionKey, options, outcome.comparison);
	return { ok: true, comparison: outcome.comparison, isCached: false };
}
