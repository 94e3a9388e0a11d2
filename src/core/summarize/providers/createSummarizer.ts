import { createOfflineSummarizer } from '../offline/offlineSummarizer';
import { defaultSummaryPromptOptions } from '../prompts/buildSummaryPrompt';
import type { SummaryPromptOptions } from '../prompts/buildSummaryPrompt';
import type { Summarizer } from '../../compaction/summarizer';
import { createAnthropicSummarizer } from './anthropic';
import { notConfiguredSummarizer, withFailurePolicy } from './failurePolicy';
import type { FailurePolicyOptions } from './failurePolicy';
import { createOpenAiCompatibleSummarizer } from './openaiCompatible';
import type { MaxTokensField } from './openaiCompatible';
import type { ProviderTransport } from './providerHttp';

/** Which summariser to build; keys come from the environment (CLI) or SecretStorage (extension), never settings. */
export type SummarizerConfig =
	| { readonly kind: 'offline' }
	/** R12: no provider set up; `whenUnavailable` says whether the offline summariser stands in or the caller gets the failure (static marker). */
	| { readonly kind: 'none'; readonly whenUnavailable: 'offline' | 'marker'; readonly message?: string }
	| {
			readonly kind: 'openai';
			readonly baseUrl: string;
			readonly apiKey?: string;
			/** The agent's main model; also the R12 fallback when `summaryModel` is missing. */
			readonly model: string;
			/** G2: a separate fast, cheap model for summaries. */
			readonly summaryModel?: string;
			readonly maxTokensField?: MaxTokensField;
	  }
	| {
			readonly kind: 'anthropic';
			readonly apiKey: string;
			readonly model: string;
			readonly summaryModel?: string;
			readonly baseUrl?: string;
	  };

/** What every built summariser shares: the prompt options (from the plan), transport and failure policy. */
export interface CreateSummarizerOptions {
	readonly prompt?: SummaryPromptOptions;
	readonly transport?: ProviderTransport;
	readonly policy?: Partial<Omit<FailurePolicyOptions, 'fallback' | 'whenNotConfigured'>>;
}

/** The message a 'none' config reports. */
export const noProviderMessage =
	'No summary model is configured: choose one (OpenAI-compatible, Anthropic or VS Code language model) or use the offline summariser.';

/**
 * Builds the summariser a config names, under the R12/G5 failure policy. A separate summary model (G2 'fast') falls
 * back once to the main model; the 'self' prompt style (C2) always uses the main model.
 */
export function createSummarizer(
	config: SummarizerConfig,
	options: CreateSummarizerOptions = {},
): Summarizer {
	const prompt = options.prompt ?? defaultSummaryPromptOptions;
	const transport = options.transport ?? {};
	switch (config.kind) {
		case 'offline':
			return createOfflineSummarizer();
		case 'none':
			return withFailurePolicy(notConfiguredSummarizer('none', config.message ?? noProviderMessage), {
				...options.policy,
				...(config.whenUnavailable === 'offline' ? { whenNotConfigured: createOfflineSummarizer() } : {}),
			});
		case 'openai':
		case 'anthropic': {
			const build = (model: string): Summarizer =>
				config.kind === 'openai'
					? createOpenAiCompatibleSummarizer({
							...transport,
							baseUrl: config.baseUrl,
							model,
							prompt,
							...(config.apiKey !== undefined ? { apiKey: config.apiKey } : {}),
							...(config.maxTokensField !== undefined ? { maxTokensField: config.maxTokensField } : {}),
						})
					: createAnthropicSummarizer({
							...transport,
							apiKey: config.apiKey,
							model,
							prompt,
							...(config.baseUrl !== undefined ? { baseUrl: config.baseUrl } : {}),
						});
			const separate =
				prompt.style !== 'self' && config.summaryModel !== undefined && config.summaryModel !== config.model
					? config.summaryModel
					: undefined;
			if (separate === undefined) return withFailurePolicy(build(config.model), options.policy);
			return withFailurePolicy(build(separate), { ...options.policy, fallback: build(config.model) });
		}
	}
}
