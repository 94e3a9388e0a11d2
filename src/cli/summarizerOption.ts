import { createSummarizer } from '../core/summarize/providers/createSummarizer';
import type { CreateSummarizerOptions } from '../core/summarize/providers/createSummarizer';
import { anthropicBaseUrl } from '../core/summarize/providers/anthropic';
import { ollamaBaseUrl, openAiBaseUrl } from '../core/summarize/providers/openaiCompatible';
import type { Summarizer } from '../core/compaction/summarizer';

/** Summariser names `--summarizer` accepts. */
export const cliSummarizerNames = ['offline', 'openai', 'anthropic'] as const;

/** One `--summarizer` name. */
export type CliSummarizerName = (typeof cliSummarizerNames)[number];

/** The summariser the flags and environment describe, or one line saying which flag or variable to set. */
export type CliSummarizerResult = { ok: true; summarizer: Summarizer } | { ok: false; message: string };

function env(vars: NodeJS.ProcessEnv, name: string): string | undefined {
	const value = vars[name]?.trim();
	return value === undefined || value === '' ? undefined : value;
}

function invalidUrl(name: string, value: string): string | undefined {
	try {
		const url = new URL(value);
		return url.protocol === 'http:' || url.protocol === 'https:'
			? undefined
			: `${name} must be an http(s) URL (got ${value}).`;
	} catch {
		return `${name} is not a valid URL (got ${value}).`;
	}
}

/**
 * The summariser for `context-lens compact --summarizer <name> [--model <m>]`. Keys come only from the environment.
 * `openai`: CONTEXT_LENS_OPENAI_BASE_URL, else OpenAI's public URL when CONTEXT_LENS_OPENAI_API_KEY is set, else
 * Ollama on 127.0.0.1:11434 (a local model needs no key; LM Studio: set the base URL to http://127.0.0.1:1234/v1).
 * `anthropic`: ANTHROPIC_API_KEY, CONTEXT_LENS_ANTHROPIC_BASE_URL (default api.anthropic.com). Both need `--model`.
 */
export function summarizerFromCli(
	name: CliSummarizerName,
	model: string | undefined,
	vars: NodeJS.ProcessEnv,
	options: CreateSummarizerOptions = {},
): CliSummarizerResult {
	const chosen = model?.trim();
	switch (name) {
		case 'offline':
			return { ok: true, summarizer: createSummarizer({ kind: 'offline' }, options) };
		case 'openai': {
			const apiKey = env(vars, 'CONTEXT_LENS_OPENAI_API_KEY');
			const baseUrl =
				env(vars, 'CONTEXT_LENS_OPENAI_BASE_URL') ?? (apiKey !== undefined ? openAiBaseUrl : ollamaBaseUrl);
			const bad = invalidUrl('CONTEXT_LENS_OPENAI_BASE_URL', baseUrl);
			if (bad !== undefined) return { ok: false, message: bad };
			if (chosen === undefined || chosen === '') {
				return {
					ok: false,
					message: `--summarizer openai needs --model <name> (e.g. gpt-4o-mini, or a model served at ${baseUrl}).`,
				};
			}
			if (apiKey === undefined && /\/\/api\.openai\.com(?:[:/]|$)/.test(baseUrl)) {
				return {
					ok: false,
					message: `--summarizer openai with ${baseUrl} needs CONTEXT_LENS_OPENAI_API_KEY.`,
				};
			}
			return {
				ok: true,
				summarizer: createSummarizer(
					{ kind: 'openai', baseUrl, model: chosen, ...(apiKey !== undefined ? { apiKey } : {}) },
					options,
				),
			};
		}
		case 'anthropic': {
			const apiKey = env(vars, 'ANTHROPIC_API_KEY');
			const baseUrl = env(vars, 'CONTEXT_LENS_ANTHROPIC_BASE_URL') ?? anthropicBaseUrl;
			const bad = invalidUrl('CONTEXT_LENS_ANTHROPIC_BASE_URL', baseUrl);
			if (bad !== undefined) return { ok: false, message: bad };
			if (apiKey === undefined)
				return { ok: false, message: '--summarizer anthropic needs ANTHROPIC_API_KEY in the environment.' };
			if (chosen === undefined || chosen === '') {
				return { ok: false, message: '--summarizer anthropic needs --model <name> (e.g. claude-haiku-4-5).' };
			}
			return {
				ok: true,
				summarizer: createSummarizer({ kind: 'anthropic', apiKey, baseUrl, model: chosen }, options),
			};
		}
	}
}
