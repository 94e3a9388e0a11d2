import type { SummaryOutcome, SummaryRequest, Summarizer } from '../summarize/summarizer';
import type { CompactionPlan } from './plan';
import type { TokenCounting } from './tokenCounting';

/** The request a plan sends to the summariser: the middle after the cheap passes and everything the plan decided. */
export function buildSummaryRequest(plan: CompactionPlan, counter: TokenCounting): SummaryRequest {
	const focus = plan.options.focus;
	return {
		messages: plan.summaryInput,
		budgetTokens: plan.summaryBudgetTokens,
		countTokens: (text) => counter.countText(text),
		...(plan.previousSummary !== undefined ? { previousSummary: plan.previousSummary } : {}),
		...(focus !== undefined ? { focus } : {}),
		...(Object.keys(plan.preservedValues).length > 0 ? { preservedValues: plan.preservedValues } : {}),
		...(plan.activeTask !== undefined ? { activeTask: plan.activeTask.text } : {}),
	};
}

function cancelled(): SummaryOutcome {
	return {
		ok: false,
		reason: 'cancelled',
		message: 'The compaction was cancelled before the summary was written.',
	};
}

/**
 * Runs the plan's summary through the summariser port. Never throws: a plan with nothing to summarise, a summariser
 * that throws, an empty answer or cancellation come back as failures (G5: the caller keeps the input). Returns as
 * soon as `signal` aborts, even when the summariser ignores it.
 */
export async function summarizePlan(
	plan: CompactionPlan,
	summarizer: Summarizer,
	signal: AbortSignal,
	counter: TokenCounting,
): Promise<SummaryOutcome> {
	if (signal.aborted) return cancelled();
	if (!plan.needsSummary) {
		return {
			ok: false,
			reason: 'failed',
			message: plan.preflight.ok
				? `The ${plan.strategy} plan has nothing for a summariser to write.`
				: plan.preflight.message,
		};
	}
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<SummaryOutcome>((resolve) => {
		onAbort = () => resolve(cancelled());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		const outcome = await Promise.race([
			summarizer.summarize(buildSummaryRequest(plan, counter), signal),
			aborted,
		]);
		if (signal.aborted) return cancelled();
		if (outcome.ok && outcome.text.trim() === '') {
			return {
				ok: false,
				reason: 'emptyResponse',
				message: `The summariser ${summarizer.id} returned an empty summary.`,
			};
		}
		return outcome;
	} catch (error) {
		if (signal.aborted) return cancelled();
		const detail = error instanceof Error ? error.message : String(error);
		return { ok: false, reason: 'failed', message: `The summariser ${summarizer.id} failed: ${detail}` };
	} finally {
		if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
	}
}
