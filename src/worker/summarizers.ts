import { minSummaryTokens } from '../core/compaction/options';
import type { Summarizer } from '../core/compaction/summarizer';
import { createSummarizer } from '../core/summarize/providers/createSummarizer';
import { resolveModel } from '../core/tokens/modelRegistry';
import { TokenCounter } from '../core/tokens/tokenCounter';
import type { ParamsOf, ResultOf, SummarizerChoice, Windows } from './protocol';
import type { WorkContext } from './workContext';

/** The summariser a call names: built here from its config, or one that asks the extension host. */
export function summarizerFor(
	choice: SummarizerChoice,
	context: WorkContext,
	model: string | undefined,
	windows: Windows,
): Summarizer {
	if (choice.where === 'worker') {
		const transport = {
			...(choice.timeoutMs !== undefined ? { timeoutMs: choice.timeoutMs } : {}),
			...(choice.connectTimeoutMs !== undefined ? { connectTimeoutMs: choice.connectTimeoutMs } : {}),
		};
		return createSummarizer(choice.config, { transport });
	}
	const ask = context.summarizeOnHost;
	return {
		id: choice.id,
		summarize: async (request, signal) => {
			if (ask === undefined)
				return { ok: false, reason: 'notConfigured', message: 'The host summariser is not reachable.' };
			const { countTokens: _countTokens, ...rest } = request;
			return ask({ ...rest, model, windows }, signal);
		},
	};
}

/**
 * Summarises loose messages (the `@context /compress` chat history): their tokens before, the summary's after, with
 * the default model's encoding, and a budget of a fifth of what they hold (at least {@link minSummaryTokens}).
 */
export async function summarizeMessages(
	params: ParamsOf<'messages.summarize'>,
	context: WorkContext,
): Promise<ResultOf<'messages.summarize'>> {
	const counter = new TokenCounter(resolveModel(undefined));
	const tokensBefore = params.messages.reduce((sum, m) => sum + counter.countMessage(m).total, 0);
	const summarizer = summarizerFor(params.summarizer, context, undefined, {});
	const outcome = await summarizer.summarize(
		{
			messages: params.messages,
			budgetTokens: Math.max(minSummaryTokens, Math.round(tokensBefore * 0.2)),
			countTokens: (text) => counter.countText(text),
			...(params.focus !== undefined ? { focus: params.focus } : {}),
		},
		context.signal,
	);
	return {
		ok: true,
		tokensBefore,
		outcome,
		...(outcome.ok ? { tokensAfter: counter.countText(outcome.text) } : {}),
	};
}
