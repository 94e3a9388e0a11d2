import type * as vscode from 'vscode';
import { createSummarizer, type SummarizerConfig } from '../../core/summarize/providers/createSummarizer';
import type { Summarizer } from '../../core/compaction/summarizer';
import type { SummarizerChoice } from '../../worker/protocol';
import { createLmSummarizer, lmSelectorFromSetting, providerKeyFromSecrets } from './lmSummarizer';
import type { ExtensionSettings } from './settings';

/** OpenAI's endpoint, used when the base URL setting is empty. */
export const defaultOpenAiBaseUrl = 'https://api.openai.com/v1';

/** Model used for OpenAI-compatible summaries when the model setting is empty. */
export const defaultOpenAiModel = 'gpt-4o-mini';

/** Model used for Anthropic summaries when the model setting is empty. */
export const defaultAnthropicModel = 'claude-haiku-4-5';

/**
 * The summariser the settings name. In an untrusted workspace no provider is ever called (the offline summariser
 * runs locally); a provider without its API key falls back to the offline summariser and says so (R12). `choice`
 * is how the analysis worker builds the same summariser itself; absent for vscode.lm, which only the host has.
 */
export async function resolveSummarizer(
	settings: ExtensionSettings,
	secrets: vscode.SecretStorage,
	isTrusted: boolean,
): Promise<{ summarizer: Summarizer; choice?: SummarizerChoice; note?: string }> {
	if (!isTrusted || settings.summarizerProvider === 'offline') {
		return {
			summarizer: createSummarizer({ kind: 'offline' }),
			choice: { where: 'worker', config: { kind: 'offline' } },
			...(!isTrusted && settings.summarizerProvider !== 'offline'
				? { note: 'Restricted mode: the offline summariser is used; trust the workspace to call a model.' }
				: {}),
		};
	}
	if (settings.summarizerProvider === 'vscode-lm') {
		return { summarizer: createLmSummarizer({ selector: lmSelectorFromSetting(settings.summarizerModel) }) };
	}
	const provider = settings.summarizerProvider;
	const apiKey = await providerKeyFromSecrets(secrets, provider);
	let config: SummarizerConfig;
	if (provider === 'openai') {
		const baseUrl = settings.summarizerBaseUrl !== '' ? settings.summarizerBaseUrl : defaultOpenAiBaseUrl;
		// A local OpenAI-compatible server (Ollama, LM Studio) needs no key; the public endpoint does.
		if (apiKey === undefined && baseUrl === defaultOpenAiBaseUrl) {
			config = {
				kind: 'none',
				whenUnavailable: 'offline',
				message: 'No OpenAI API key is stored; run "Context Lens: Set Summariser API Key".',
			};
		} else {
			config = {
				kind: 'openai',
				baseUrl,
				model: settings.summarizerModel !== '' ? settings.summarizerModel : defaultOpenAiModel,
				...(apiKey !== undefined ? { apiKey } : {}),
			};
		}
	} else if (apiKey === undefined) {
		config = {
			kind: 'none',
			whenUnavailable: 'offline',
			message: 'No Anthropic API key is stored; run "Context Lens: Set Summariser API Key".',
		};
	} else {
		config = {
			kind: 'anthropic',
			apiKey,
			model: settings.summarizerModel !== '' ? settings.summarizerModel : defaultAnthropicModel,
			...(settings.summarizerBaseUrl !== '' ? { baseUrl: settings.summarizerBaseUrl } : {}),
		};
	}
	const transport = {
		timeoutMs: settings.summarizerTimeoutMs,
		connectTimeoutMs: settings.summarizerConnectTimeoutMs,
	};
	return {
		summarizer: createSummarizer(config, { transport }),
		choice: { where: 'worker', config, ...transport },
		...(config.kind === 'none' && config.message !== undefined
			? { note: `${config.message} The offline summariser stands in.` }
			: {}),
	};
}
