import type { Summarizer } from './summarizer';

/**
 * R12: a summariser that uses `primary` (a separate cheap summary model) until it reports `modelNotFound`, then
 * switches once and for good to `fallback` (the agent's main model), retrying that request immediately.
 */
export function withFallbackSummarizer(primary: Summarizer, fallback: Summarizer): Summarizer {
	let current = primary;
	return {
		get id() {
			return current.id;
		},
		async summarize(request, signal) {
			const outcome = await current.summarize(request, signal);
			if (outcome.ok || outcome.reason !== 'modelNotFound' || current === fallback) return outcome;
			current = fallback;
			return fallback.summarize(request, signal);
		},
	};
}
