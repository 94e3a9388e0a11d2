import { compactTranscript, type CompactionResult } from '../compaction/compactTranscript';
import type { CompactionOptions } from '../compaction/options';
import { compactionStrategies, type StrategyName } from '../compaction/strategies';

export type { CompareLostFact, CompareProgress, CompareRow, StrategyComparison } from './compareTypes';
import { rankLostFacts } from '../audit/rankLostFacts';
import type { CompareProgress, CompareRow, StrategyComparison } from './compareTypes';
import { createOfflineSummarizer } from '../summarize/offline/offlineSummarizer';
import { measureWindow, percentOfWindow } from '../tokens/measureWindow';
import { messagesInWindow, type Transcript } from '../transcript/model';

/** What a comparison is planned with; every strategy gets the same options. */
export type CompareOptions = Omit<CompactionOptions, 'strategy'> & {
	/** Strategies to compare, in this order (default: every strategy, in menu order). */
	readonly strategies?: readonly StrategyName[];
	/** Lost facts listed per row (default 5). */
	readonly lostFactItems?: number;
};

/** Lost facts listed per row unless the caller says otherwise. */
export const defaultLostFactItems = 5;

function rowOf(result: CompactionResult, timeMs: number, items: number): CompareRow {
	const lost = result.lostFacts;
	return {
		strategy: result.strategy,
		ok: result.success,
		...(result.error !== undefined ? { reason: result.error } : {}),
		tokensAfter: result.tokensAfter,
		percentAfter: result.percentAfter,
		messagesAfter: result.messagesAfter,
		lostFacts: {
			kept: lost?.kept.length ?? 0,
			count: lost?.lost.length ?? 0,
			items: rankLostFacts(lost?.lost ?? [], items).map((a) => ({
				kind: a.kind,
				value: a.value,
				messageIndex: a.messageIndex,
				source: a.source,
			})),
		},
		timeMs,
	};
}

/** Gives the event loop a turn, so a caller's cancel or progress message gets through between strategies. */
function yieldTurn(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Plans and applies every strategy on the same transcript with the same options (nothing is written): the
 * summarising ones with the offline summariser, so no network is used and the figures are repeatable. Pure apart
 * from the clock; cancelled through `signal` between and inside strategies (rows so far are dropped: a comparison
 * is all or nothing). Each row reports what `compact` would: tokens and messages after, facts kept and lost.
 */
export async function compareStrategies(
	transcript: Transcript,
	options: CompareOptions,
	signal: AbortSignal,
	onProgress?: (progress: CompareProgress) => void,
): Promise<{ ok: true; comparison: StrategyComparison } | { ok: false; reason: 'cancelled' }> {
	const { strategies, lostFactItems, ...planOptions } = options;
	const names = strategies ?? compactionStrategies.map((s) => s.name);
	const summarizer = createOfflineSummarizer();
	const usesSummarizer = new Set(compactionStrategies.filter((s) => s.usesSummarizer).map((s) => s.name));
	const rows: CompareRow[] = [];
	let first: CompactionResult | undefined;
	for (const [done, strategy] of names.entries()) {
		onProgress?.({ done, total: names.length, strategy });
		await yieldTurn();
		if (signal.aborted) return { ok: false, reason: 'cancelled' };
		const started = performance.now();
		const result = await compactTranscript(
			transcript,
			{ ...planOptions, strategy },
			usesSummarizer.has(strategy) ? summarizer : undefined,
			signal,
		);
		if (signal.aborted) return { ok: false, reason: 'cancelled' };
		first ??= result;
		rows.push(rowOf(result, performance.now() - started, lostFactItems ?? defaultLostFactItems));
	}
	onProgress?.({ done: names.length, total: names.length });
	// Every result measured the same input: the first one's figures are the comparison's "before".
	const tokensBefore = first?.tokensBefore ?? measureWindow(transcript, options.counter).total;
	return {
		ok: true,
		comparison: {
			tokensBefore,
			percentBefore: percentOfWindow(tokensBefore, options.contextWindow),
			messagesBefore: first?.messagesBefore ?? messagesInWindow(transcript).length,
			contextWindow: options.contextWindow,
			focus: options.focus?.trim() ?? '',
			rows,
		},
	};
}
