import * as vscode from 'vscode';
import {
	buildSummaryPrompt,
	defaultSummaryPromptOptions,
} from '../../core/summarize/prompts/buildSummaryPrompt';
import type { SummaryPrompt, SummaryPromptOptions } from '../../core/summarize/prompts/buildSummaryPrompt';
import { redactSummaryRequest } from '../../core/compaction/redactRequest';
import { failure, summaryFromModelText } from '../../core/summarize/providers/providerHttp';
import type { Summarizer, SummaryOutcome, SummaryRequest } from '../../core/compaction/summarizer';

/** Which VS Code language model writes summaries, as chosen in settings (`vendor/family`, e.g. `copilot/gpt-4o-mini`). */
export interface LmModelSelector {
	readonly vendor?: string;
	readonly family?: string;
	readonly id?: string;
}

/** The part of `vscode.lm` the adapter uses, so a test can stand in for it. */
export interface LmAccess {
	selectChatModels(selector: vscode.LanguageModelChatSelector): Thenable<readonly vscode.LanguageModelChat[]>;
}

/** Options of the `vscode.lm` summariser. */
export interface LmSummarizerOptions {
	readonly selector: LmModelSelector;
	readonly prompt?: SummaryPromptOptions;
	/** Shown in VS Code's consent dialog: why Context Lens wants the model. */
	readonly justification?: string;
	readonly lm?: LmAccess;
}

/** SecretStorage keys of the provider API keys (never stored in settings files). */
export const providerKeySecretIds = Object.freeze({
	openai: 'contextLens.openai.apiKey',
	anthropic: 'contextLens.anthropic.apiKey',
});

/** The API key of a provider from SecretStorage, or undefined when the person has not stored one. */
export async function providerKeyFromSecrets(
	secrets: vscode.SecretStorage,
	provider: keyof typeof providerKeySecretIds,
): Promise<string | undefined> {
	const value = (await secrets.get(providerKeySecretIds[provider]))?.trim();
	return value === undefined || value === '' ? undefined : value;
}

/** A `vendor/family` setting as a selector; a value without a slash is a family; '' selects any model. */
export function lmSelectorFromSetting(value: string): LmModelSelector {
	const trimmed = value.trim();
	if (trimmed === '') return {};
	const slash = trimmed.indexOf('/');
	if (slash < 0) return { family: trimmed };
	const vendor = trimmed.slice(0, slash).trim();
	const family = trimmed.slice(slash + 1).trim();
	return { ...(vendor !== '' ? { vendor } : {}), ...(family !== '' ? { family } : {}) };
}

/** A CancellationToken that fires when `signal` aborts; call `dispose` when the request ends. */
export function cancellationTokenFromSignal(signal: AbortSignal): {
	token: vscode.CancellationToken;
	dispose: () => void;
} {
	const source = new vscode.CancellationTokenSource();
	const onAbort = (): void => source.cancel();
	if (signal.aborted) source.cancel();
	else signal.addEventListener('abort', onAbort, { once: true });
	return {
		token: source.token,
		dispose: () => {
			signal.removeEventListener('abort', onAbort);
			source.dispose();
		},
	};
}

/** An AbortSignal that aborts when `token` is cancelled (for handlers that receive a token and call core). */
export function abortSignalFromToken(token: vscode.CancellationToken): {
	signal: AbortSignal;
	dispose: () => void;
} {
	const controller = new AbortController();
	if (token.isCancellationRequested) controller.abort();
	const listener = token.onCancellationRequested(() => controller.abort());
	return { signal: controller.signal, dispose: () => listener.dispose() };
}

function describe(selector: LmModelSelector): string {
	const parts = [
		selector.vendor !== undefined ? `vendor "${selector.vendor}"` : '',
		selector.family !== undefined ? `family "${selector.family}"` : '',
		selector.id !== undefined ? `id "${selector.id}"` : '',
	].filter((p) => p !== '');
	return parts.length === 0 ? 'any model' : parts.join(', ');
}

function errorOutcome(error: unknown, model: vscode.LanguageModelChat, signal: AbortSignal): SummaryOutcome {
	if (signal.aborted || error instanceof vscode.CancellationError) {
		return failure('cancelled', 'The summary was cancelled.');
	}
	const name = `${model.name} (${model.vendor}/${model.family})`;
	const detail = error instanceof Error ? error.message : String(error);
	if (error instanceof vscode.LanguageModelError) {
		switch (error.code) {
			case vscode.LanguageModelError.NoPermissions.name:
				return failure(
					'refused',
					`Context Lens is not allowed to use ${name}: accept the access request VS Code shows (or allow it under ` +
						'Accounts > Manage Language Model Access), then compact again.',
				);
			case vscode.LanguageModelError.Blocked.name:
				return failure('refused', `${name} blocked the request (quota or policy): ${detail}`);
			case vscode.LanguageModelError.NotFound.name:
				return failure('modelNotFound', `${name} is no longer available: ${detail}`);
			default:
				break;
		}
	}
	return failure('failed', `${name} failed: ${detail}`);
}

function shrinkCaps(options: SummaryPromptOptions, factor: number): SummaryPromptOptions {
	const caps = options.inputCaps;
	const scale = (n: number): number => Math.max(200, Math.floor(n * factor));
	return {
		...options,
		inputCaps: {
			...caps,
			messageHeadChars: scale(caps.messageHeadChars),
			messageTailChars: scale(caps.messageTailChars),
			toolArgumentsChars: scale(caps.toolArgumentsChars),
			messageCapBytes: scale(caps.messageCapBytes),
		},
	};
}

function promptText(prompt: SummaryPrompt): string {
	// vscode.lm has no system role: the instructions lead the single user message.
	return `${prompt.system}\n\n${prompt.user}`;
}

/**
 * The `vscode.lm` summariser (Copilot and other contributed models): picks the model the selector names, redacts
 * the request (R7), fits the prompt into the model's `maxInputTokens` (counted with its own `countTokens`, shrinking
 * the per-message caps when needed), streams the answer and redacts it (R12). Consent and quota errors are explained.
 */
export function createLmSummarizer(options: LmSummarizerOptions): Summarizer {
	const lm = options.lm ?? vscode.lm;
	const promptOptions = options.prompt ?? defaultSummaryPromptOptions;
	const justification =
		options.justification ??
		'Context Lens summarises the older part of the conversation so the agent can continue.';
	const selectorText = [options.selector.vendor, options.selector.family]
		.filter((s) => s !== undefined)
		.join('/');
	return {
		id: `vscode-lm:${selectorText === '' ? 'any' : selectorText}`,
		async summarize(request: SummaryRequest, signal: AbortSignal): Promise<SummaryOutcome> {
			if (signal.aborted) return failure('cancelled', 'The summary was cancelled.');
			const models = await lm.selectChatModels({ ...options.selector });
			const model = models[0];
			if (model === undefined) {
				return failure(
					'notConfigured',
					`No VS Code language model matches ${describe(options.selector)}: sign in to a model provider such as ` +
						'GitHub Copilot, or choose another model in the Context Lens summary settings.',
				);
			}
			const tokenSource = cancellationTokenFromSignal(signal);
			try {
				const redacted = await redactSummaryRequest(request);
				let current = promptOptions;
				let prompt = buildSummaryPrompt(redacted.request, current);
				let inputTokens = await model.countTokens(promptText(prompt), tokenSource.token);
				for (let tries = 0; inputTokens > model.maxInputTokens && tries < 4; tries += 1) {
					current = shrinkCaps(current, (model.maxInputTokens / inputTokens) * 0.8);
					prompt = buildSummaryPrompt(redacted.request, current);
					inputTokens = await model.countTokens(promptText(prompt), tokenSource.token);
				}
				if (inputTokens > model.maxInputTokens) {
					return failure(
						'failed',
						`The summary input takes ${inputTokens} tokens, more than ${model.name} accepts ` +
							`(${model.maxInputTokens}): compact a smaller part or choose a model with a larger window.`,
					);
				}
				const response = await model.sendRequest(
					[vscode.LanguageModelChatMessage.User(promptText(prompt))],
					{ justification },
					tokenSource.token,
				);
				const pieces: string[] = [];
				for await (const piece of response.text) pieces.push(piece);
				if (signal.aborted) return failure('cancelled', 'The summary was cancelled.');
				return await summaryFromModelText(pieces.join(''), model.name, model.id);
			} catch (error) {
				return errorOutcome(error, model, signal);
			} finally {
				tokenSource.dispose();
			}
		},
	};
}
