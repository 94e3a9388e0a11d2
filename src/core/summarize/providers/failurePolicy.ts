import { withFallbackSummarizer } from '../../compaction/fallbackSummarizer';
import type { Summarizer, SummaryOutcome, SummaryRequest } from '../../compaction/summarizer';

/** Time as the failure policy sees it; tests inject a fake one. */
export interface PolicyClock {
	/** Milliseconds since some fixed origin. */
	now(): number;
	/** Waits `ms` milliseconds; resolves false early when `signal` aborts. */
	sleep(ms: number, signal: AbortSignal): Promise<boolean>;
}

/** The real clock: `Date.now` and `setTimeout`. */
export const systemClock: PolicyClock = {
	now: () => Date.now(),
	sleep: (ms, signal) =>
		new Promise<boolean>((resolve) => {
			if (signal.aborted) {
				resolve(false);
				return;
			}
			const onAbort = (): void => {
				clearTimeout(timer);
				resolve(false);
			};
			const timer = setTimeout(() => {
				signal.removeEventListener('abort', onAbort);
				resolve(true);
			}, ms);
			signal.addEventListener('abort', onAbort, { once: true });
		}),
};

/** R12/G5 failure handling around a model summariser; every duration in milliseconds. */
export interface FailurePolicyOptions {
	/** Retries after a transient failure (timeout, 429, 5xx, connection reset); 0 disables retrying. */
	readonly maxRetries: number;
	/** First retry delay when the server gives no `retry-after`; doubles on each retry. */
	readonly retryBaseDelayMs: number;
	/** Longest wait before a retry; a longer `retry-after` ends the retries and becomes the cooldown. */
	readonly maxRetryDelayMs: number;
	/** R12: pause after transient failures (hermes: 60 s). */
	readonly shortCooldownMs: number;
	/** R12: pause when no provider is configured (hermes: 600 s). */
	readonly longCooldownMs: number;
	readonly clock: PolicyClock;
	/** R12: used when no provider is configured (the offline summariser); absent, the failure goes to the caller. */
	readonly whenNotConfigured?: Summarizer;
	/** R12: the main model, tried once when a separate summary model is missing (`modelNotFound`). */
	readonly fallback?: Summarizer;
}

/** Defaults: two retries from 1 s, at most 30 s apart; R12's 60 s and 600 s cooldowns. */
export const defaultFailurePolicy: FailurePolicyOptions = Object.freeze({
	maxRetries: 2,
	retryBaseDelayMs: 1_000,
	maxRetryDelayMs: 30_000,
	shortCooldownMs: 60_000,
	longCooldownMs: 600_000,
	clock: systemClock,
});

/** A summariser under a failure policy, with its cooldown visible and resettable (a person's explicit retry). */
export interface PolicySummarizer extends Summarizer {
	/** When the current cooldown ends (clock milliseconds), or undefined when none is running. */
	readonly cooldownUntilMs: number | undefined;
	resetCooldown(): void;
}

type Failure = Extract<SummaryOutcome, { ok: false }>;

function seconds(ms: number): string {
	return `${Math.ceil(ms / 1000)} s`;
}

/**
 * Wraps a model summariser with R12/G5's failure policy: transient failures are retried a bounded number of times
 * (honouring `retry-after`), then summaries pause for a short cooldown; "not configured" pauses for a long cooldown
 * and uses `whenNotConfigured` if given; a missing summary model falls back once to `fallback`. Never throws; during
 * a cooldown no request is sent.
 */
export function withFailurePolicy(
	inner: Summarizer,
	options: Partial<FailurePolicyOptions> = {},
): PolicySummarizer {
	const policy: FailurePolicyOptions = { ...defaultFailurePolicy, ...options };
	const target = policy.fallback !== undefined ? withFallbackSummarizer(inner, policy.fallback) : inner;
	let cooldown: { untilMs: number; failure: Failure } | undefined;

	const startCooldown = (failure: Failure, ms: number): Failure => {
		const untilMs = policy.clock.now() + ms;
		cooldown = { untilMs, failure };
		return {
			...failure,
			message: `${failure.message} Summaries are paused for ${seconds(ms)}.`,
			retryAfterMs: ms,
		};
	};

	const notConfigured = async (
		failure: Failure,
		request: SummaryRequest,
		signal: AbortSignal,
	): Promise<SummaryOutcome> => {
		if (policy.whenNotConfigured !== undefined) return policy.whenNotConfigured.summarize(request, signal);
		return failure;
	};

	return {
		get id() {
			return target.id;
		},
		get cooldownUntilMs() {
			return cooldown !== undefined && policy.clock.now() < cooldown.untilMs ? cooldown.untilMs : undefined;
		},
		resetCooldown() {
			cooldown = undefined;
		},
		async summarize(request: SummaryRequest, signal: AbortSignal): Promise<SummaryOutcome> {
			const now = policy.clock.now();
			if (cooldown !== undefined && now < cooldown.untilMs) {
				const left = cooldown.untilMs - now;
				const paused: Failure = {
					...cooldown.failure,
					message: `${cooldown.failure.message} Summaries are paused for another ${seconds(left)}.`,
					retryAfterMs: left,
				};
				return cooldown.failure.reason === 'notConfigured' ? notConfigured(paused, request, signal) : paused;
			}
			cooldown = undefined;
			for (let attempt = 0; ; attempt += 1) {
				if (signal.aborted) return { ok: false, reason: 'cancelled', message: 'The summary was cancelled.' };
				const outcome = await target.summarize(request, signal);
				if (outcome.ok || outcome.reason === 'cancelled') return outcome;
				switch (outcome.reason) {
					case 'notConfigured':
						return notConfigured(startCooldown(outcome, policy.longCooldownMs), request, signal);
					case 'modelNotFound':
						return startCooldown(outcome, policy.shortCooldownMs);
					case 'transient': {
						const asked = outcome.retryAfterMs;
						if (asked !== undefined && asked > policy.maxRetryDelayMs) {
							return startCooldown(outcome, Math.max(asked, policy.shortCooldownMs));
						}
						if (attempt >= policy.maxRetries) {
							const tries = attempt + 1;
							const tried = {
								...outcome,
								message: `${outcome.message} (${tries} attempt${tries === 1 ? '' : 's'})`,
							};
							return startCooldown(tried, policy.shortCooldownMs);
						}
						const delay = asked ?? Math.min(policy.maxRetryDelayMs, policy.retryBaseDelayMs * 2 ** attempt);
						if (!(await policy.clock.sleep(delay, signal))) {
							return {
								ok: false,
								reason: 'cancelled',
								message: 'The summary was cancelled while waiting to retry.',
							};
						}
						break;
					}
					default:
						// Refused, malformed or empty answers and other failures: retrying the same request will not help.
						return outcome;
				}
			}
		},
	};
}

/** A summariser that always answers "not configured" with `message` (R12: no provider was set up). */
export function notConfiguredSummarizer(id: string, message: string): Summarizer {
	return {
		id,
		summarize: () => Promise.resolve({ ok: false, reason: 'notConfigured', message }),
	};
}
