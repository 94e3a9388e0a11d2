import { resolveCounting } from '../budget/analyzeBudget';
import { MessageTokenCache } from '../budget/messageTokenCache';
import { readTranscriptFile } from '../io/readTranscriptFile';
import type { ModelOverrides } from '../tokens/modelRegistry';
import { measureWindow, percentOfWindow } from '../tokens/measureWindow';
import { TokenCounter } from '../tokens/tokenCounter';
import { formatReadFailure } from '../transcript/readTranscript';
import type { WindowFigures } from './gateChannel';

/** Figures, or why there are none. */
export type MeasureResult =
	{ readonly ok: true; readonly figures: WindowFigures } | { readonly ok: false; readonly message: string };

/**
 * How full a transcript's window is by our own measure (the one every surface shows: see measureWindow), against the
 * model's window (the per-model `windows` settings included).
 */
export async function measureTranscript(
	path: string,
	windows?: ModelOverrides['windows'],
): Promise<MeasureResult> {
	const read = await readTranscriptFile(path);
	if (!read.ok) return { ok: false, message: formatReadFailure(read.failure) };
	const { profile, contextWindow } = resolveCounting(
		read.transcript,
		windows !== undefined ? { windows } : {},
	);
	const measure = measureWindow(read.transcript, new MessageTokenCache(new TokenCounter(profile)));
	return {
		ok: true,
		figures: {
			tokens: measure.total,
			contextWindow,
			percent: percentOfWindow(measure.total, contextWindow),
		},
	};
}
