import { redactSummaryRequest } from './redactRequest';
import { redactSecrets } from '../redaction/redactSecrets';
import type { SummaryOutcome, SummaryRequest, Summarizer } from './summarizer';
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
		...(plan.activeTask !== undefined
			? { activeTask: plan.activeTask.text, activeTaskLooksDone: plan.activeTask.looksFulfilled }
			: {}),
	};
}

function cancelled(): SummaryOutcome {
	return {
		ok: false,
		reason: 'cancelled',
		message: 'The compaction was cancelled before the summary was written.',
	};
}

/** R7/R12: an outcome whose text (a summary or a failure message) is redacted before anyone reads or writes it. */
async function redactOutcome(outcome: SummaryOutcome): Promise<SummaryOutcome> {
	if (outcome.ok) return { ...outcome, text: (await redactSecrets(outcome.text)).text };
	return { ...outcome, message: (await redactSecrets(outcome.message)).text };
}

/**
 * Runs the plan's summary through the summariser port. Every summariser (offline or over the network) gets the
 * request redacted (R7) and its answer is redacted again (R12): the one choke point for what is sent and what the
 * summary writes. Never throws: a plan with nothing to summarise, a summariser that throws, an empty answer or
 * cancellation come back as failures (G5: the caller keeps the input). Returns as soon as `signal` aborts, even when
 * the summariser ignores it.
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
		const sent = await Promise.race([redactSummaryRequest(buildSummaryRequest(plan, counter)), aborted]);
		if ('ok' in sent) return sent;
		const outcome = await Promise.race([
			summarizer.summarize(sent.request, signal).then(redactOutcome),
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
		return redactOutcome({
			ok: false,
			reason: 'failed',
			message: `The summariser ${summarizer.id} failed: ${detail}`,
		});
	} finally {
		if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
	}
}
