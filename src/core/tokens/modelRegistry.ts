import type { EncodingName } from './encoding';

/** Provider family of a model: decides the image formula and whether our count is exact. */
export type ModelFamily = 'openai' | 'anthropic' | 'google' | 'other';

/** What we know about a model's window and tokenizer; windows in tokens (input plus output). */
export interface ModelProfile {
	/** Canonical registry id (e.g. `claude-sonnet-4-5`, `gpt-5`), `default` for an unknown model. */
	readonly id: string;
	readonly family: ModelFamily;
	/** Tokens the model accepts per request, input and output together. */
	readonly contextWindow: number;
	/** Most tokens one response may hold; the input budget is `contextWindow - maxOutputTokens` at worst. */
	readonly maxOutputTokens: number;
	/** The BPE we count with: the model's own for OpenAI models, o200k_base as a stand-in for the others. */
	readonly encoding: EncodingName;
	/** `exact` when `encoding` is the model's own tokenizer, `calibrated` when it is a scaled stand-in. */
	readonly exactness: 'exact' | 'calibrated';
	/** Multiply our count by this to estimate the provider's count (1 for exact profiles). */
	readonly calibrationFactor: number;
	/** Stated +-percent error of the calibrated estimate (0 for exact profiles). */
	readonly calibrationErrorPct: number;
	/**
	 * Provider tokens each tool result costs beyond its text (already scaled): the framing of a tool call and
	 * its result that transcripts do not store. Measured for Claude; 0 where it is unmeasured or exact.
	 */
	readonly toolResultOverheadTokens: number;
}

/** User settings that replace registry windows: per model id pattern (`*` wildcards), or one for every model. */
export interface ModelOverrides {
	/** Window (tokens) for every model that no pattern in `windows` matches. */
	readonly contextWindow?: number;
	/** Window (tokens) per model id pattern, e.g. `{ "claude-sonnet-4*": 1000000 }`; the longest match wins. */
	readonly windows?: Readonly<Record<string, number>>;
}

/**
 * Claude's tokenizer is not public, so we count with o200k_base and scale. Measured on the 15 Claude Code
 * corpus files (Sonnet 4 and 4.5, Claude Code 1.0.17 to 2.1.7) that record usage, over the 179 intervals
 * between consecutive recorded requests: the growth of the recorded input (input + cache_creation +
 * cache_read) against our o200k count of the messages in between, after dropping the thinking of earlier
 * turns, which the API does not read again once a new user turn starts (calibration.ts; without that drop
 * the new-turn intervals miss by a median of 830 tokens, with it by 110). A robust (Huber) fit of growth =
 * factor x text + overhead x tool results + 3 x messages gives a factor of 1.10 and 98 tokens per tool
 * result, stable when any one file is left out (1.08-1.13, 86-108): the framing of a call and its result
 * that the file does not store. The old single factor of 1.16 had absorbed that overhead. Fitted without
 * each file in turn, the held-out count of what the last recorded request read is within 4% on 13 of the
 * 15 files (median 1.1%), +7.5% on one whose old tool results Claude Code cleared, and -17% on one whose
 * subagent was sent nested CLAUDE.md files; the transcripts store neither. Intervals of >= 2000 tokens have
 * a median ratio of 1.00 (p10-p90 0.95-1.19). Hence 1.10 +-10% for text plus 100 tokens per tool result.
 */
const claudeFactor = 1.1;
const claudeErrorPct = 10;
const claudeToolResultOverheadTokens = 100;

/**
 * Gemini's tokenizer (SentencePiece) is not public either. Measured the same way on the one Gemini CLI
 * corpus session that records usage (gemini-3-pro, 8 tool-result intervals: input of the next message minus
 * input and output of the one that called the tool, against o200k of the results): median 1.06, range
 * 1.03-1.26 without one interval of duplicated results. Hence 1.06 +-10%, a thinner sample than Claude's.
 */
const geminiFactor = 1.06;
const geminiErrorPct = 10;

/** Z5: the profile for a model we do not know: 128k window, o200k_base, uncalibrated (+-25%). */
export const defaultModelProfile: ModelProfile = Object.freeze({
	id: 'default',
	family: 'other',
	contextWindow: 128_000,
	maxOutputTokens: 16_384,
	encoding: 'o200k_base',
	exactness: 'calibrated',
	calibrationFactor: 1,
	calibrationErrorPct: 25,
	toolResultOverheadTokens: 0,
});

interface RegistryEntry {
	readonly pattern: RegExp;
	readonly profile: ModelProfile;
}

function openai(
	id: string,
	contextWindow: number,
	maxOutputTokens: number,
	encoding: EncodingName,
): ModelProfile {
	return Object.freeze({ id, family: 'openai', contextWindow, maxOutputTokens, encoding, ...exact });
}

function anthropic(id: string, maxOutputTokens: number): ModelProfile {
	return Object.freeze({
		id,
		family: 'anthropic',
		contextWindow: 200_000,
		maxOutputTokens,
		encoding: 'o200k_base',
		exactness: 'calibrated',
		calibrationFactor: claudeFactor,
		calibrationErrorPct: claudeErrorPct,
		toolResultOverheadTokens: claudeToolResultOverheadTokens,
	});
}

function google(id: string, contextWindow: number, maxOutputTokens: number): ModelProfile {
	return Object.freeze({
		id,
		family: 'google',
		contextWindow,
		maxOutputTokens,
		encoding: 'o200k_base',
		exactness: 'calibrated',
		calibrationFactor: geminiFactor,
		calibrationErrorPct: geminiErrorPct,
		toolResultOverheadTokens: 0,
	});
}

const exact = {
	exactness: 'exact',
	calibrationFactor: 1,
	calibrationErrorPct: 0,
	toolResultOverheadTokens: 0,
} as const;

// Order matters: the first match wins, so narrower ids come before the family catch-alls. Figures are those
// of gpt-tokenizer 4.0's model metadata (OpenAI's model pages) and of Google's Gemini model overview.
const registry: readonly RegistryEntry[] = [
	// OpenAI: codex variants of gpt-5 share its window; the gpt-5.4 and later flagships have 1.05M.
	{ pattern: /^gpt-5(?:\.\d+)?-chat/, profile: openai('gpt-5-chat', 128_000, 16_384, 'o200k_base') },
	{ pattern: /^gpt-5-pro/, profile: openai('gpt-5-pro', 400_000, 272_000, 'o200k_base') },
	{
		pattern: /^gpt-5\.[4-9](?:-pro)?(?:-\d{4}-\d\d-\d\d)?$/,
		profile: openai('gpt-5.4', 1_050_000, 128_000, 'o200k_base'),
	},
	{ pattern: /^gpt-5\.6-(?:sol|luna|terra)/, profile: openai('gpt-5.6', 1_050_000, 128_000, 'o200k_base') },
	{ pattern: /^gpt-5(?:[.-]|$)/, profile: openai('gpt-5', 400_000, 128_000, 'o200k_base') },
	{ pattern: /^codex-mini/, profile: openai('codex-mini', 200_000, 100_000, 'o200k_base') },
	{ pattern: /^codex-/, profile: openai('gpt-5', 400_000, 128_000, 'o200k_base') },
	{ pattern: /^gpt-4\.1/, profile: openai('gpt-4.1', 1_047_576, 32_768, 'o200k_base') },
	{ pattern: /^gpt-4\.5/, profile: openai('gpt-4.5', 128_000, 16_384, 'o200k_base') },
	{ pattern: /^(?:chatgpt-4o|gpt-4o)/, profile: openai('gpt-4o', 128_000, 16_384, 'o200k_base') },
	{ pattern: /^o1-mini/, profile: openai('o1-mini', 128_000, 65_536, 'o200k_base') },
	{ pattern: /^o1-preview/, profile: openai('o1-preview', 128_000, 32_768, 'o200k_base') },
	{ pattern: /^o[134](?:-|$)/, profile: openai('o-series', 200_000, 100_000, 'o200k_base') },
	{ pattern: /^gpt-oss/, profile: openai('gpt-oss', 131_072, 131_072, 'o200k_base') },
	{
		pattern: /^gpt-4-(?:turbo|\d{4}-preview|vision)/,
		profile: openai('gpt-4-turbo', 128_000, 4_096, 'cl100k_base'),
	},
	{ pattern: /^gpt-4-32k/, profile: openai('gpt-4-32k', 32_768, 8_192, 'cl100k_base') },
	{ pattern: /^gpt-4(?:-\d{4})?$/, profile: openai('gpt-4', 8_192, 8_192, 'cl100k_base') },
	{
		pattern: /^gpt-3\.5-turbo-instruct/,
		profile: openai('gpt-3.5-turbo-instruct', 4_096, 4_096, 'cl100k_base'),
	},
	{ pattern: /^gpt-3\.5/, profile: openai('gpt-3.5-turbo', 16_385, 4_096, 'cl100k_base') },
	// Google: 1.5 Pro had 2M; everything since has 1M (1,048,576) with 8k (1.x, 2.0) or 64k output.
	{ pattern: /gemini-1[.-]5-pro/, profile: google('gemini-1.5-pro', 2_097_152, 8_192) },
	{ pattern: /gemini-(?:1[.-]5|1[.-]0|2[.-]0)/, profile: google('gemini-1.5-2.0', 1_048_576, 8_192) },
	{ pattern: /gemini/, profile: google('gemini', 1_048_576, 65_536) },
];

// Claude ids come as claude-<tier>-<major>[-<minor>][-<date>] (4.x and later), claude-<major>[-<minor>]-<tier>
// (3.x), with '.' for '-' in Copilot (claude-sonnet-4.5), or as Claude Code's bare aliases (sonnet, opus).
// A one-digit minor is a version; eight digits are a date.
const claudeNewStyle = /claude-(opus|sonnet|haiku)-(\d+)(?:[.-](\d)(?!\d))?/;
const claudeOldStyle = /claude-(\d+)(?:[.-](\d))?-(opus|sonnet|haiku)/;
const claudeAnyName = /^(?:claude|opus|sonnet|haiku|opusplan)(?:$|[-.])/;

// Output limits from Anthropic's model overview; every Claude since 3 has a 200k window.
const claudeMaxOutput: Readonly<Record<string, number>> = {
	'3.0': 4_096,
	'3.5': 8_192,
	'3.7': 64_000,
	'opus-4.0': 32_000,
	'opus-4.1': 32_000,
};

function resolveClaude(name: string): ModelProfile | undefined {
	const newStyle = claudeNewStyle.exec(name);
	const oldStyle = newStyle ? undefined : claudeOldStyle.exec(name);
	const tier = newStyle?.[1] ?? oldStyle?.[3];
	const major = newStyle?.[2] ?? oldStyle?.[1];
	if (tier === undefined || major === undefined)
		return claudeAnyName.test(name) ? anthropic('claude', 64_000) : undefined;
	const minor = (newStyle ? newStyle[3] : oldStyle?.[2]) ?? '0';
	const version = `${major}.${minor}`;
	const maxOutput = claudeMaxOutput[`${tier}-${version}`] ?? claudeMaxOutput[version] ?? 64_000;
	return anthropic(minor === '0' ? `claude-${tier}-${major}` : `claude-${tier}-${major}-${minor}`, maxOutput);
}

const oneMillionSuffix = /\[1m\]$/;

/**
 * The profile for a model id as transcripts write it, `defaultModelProfile` (Z5) when unknown. Provider
 * prefixes and suffixes are ignored (`copilot/claude-sonnet-4.5`, `us.anthropic.claude-...-v1:0`,
 * `claude-...@20250929`); a `[1m]` suffix gives a Claude model the 1M window. Overrides replace the window:
 * the longest matching pattern of `windows` first, then `contextWindow`; non-positive values are ignored.
 */
export function resolveModel(modelId: string | undefined, overrides?: ModelOverrides): ModelProfile {
	const raw = (modelId ?? '').trim().toLowerCase();
	const name = normaliseModelId(raw);
	let profile =
		(name === ''
			? undefined
			: (resolveClaude(name) ?? registry.find((e) => e.pattern.test(name))?.profile)) ?? defaultModelProfile;
	if (oneMillionSuffix.test(raw) && profile.family === 'anthropic')
		profile = { ...profile, id: `${profile.id}[1m]`, contextWindow: 1_000_000 };
	const window = overrideWindow(raw, name, overrides);
	return window === undefined ? profile : { ...profile, contextWindow: window };
}

function normaliseModelId(raw: string): string {
	let name = raw.replace(oneMillionSuffix, '');
	// Copilot and routers write vendor/model; Bedrock writes region.vendor.model-v1:0; Vertex model@date.
	name = name.slice(name.lastIndexOf('/') + 1);
	name = name.replace(/^(?:[a-z]{2}\.)?(?:anthropic|openai|google)\./, '');
	name = name.replace(/@.*$/, '').replace(/-v\d+(?::\d+)?$/, '');
	return name;
}

function overrideWindow(
	raw: string,
	name: string,
	overrides: ModelOverrides | undefined,
): number | undefined {
	if (!overrides) return undefined;
	let best: { length: number; window: number } | undefined;
	for (const [pattern, window] of Object.entries(overrides.windows ?? {})) {
		if (!isUsableWindow(window)) continue;
		const matcher = globMatcher(pattern);
		if (!matcher.test(raw) && !matcher.test(name)) continue;
		if (!best || pattern.length > best.length) best = { length: pattern.length, window };
	}
	if (best) return best.window;
	return isUsableWindow(overrides.contextWindow) ? overrides.contextWindow : undefined;
}

function isUsableWindow(value: number | undefined): value is number {
	return value !== undefined && Number.isFinite(value) && value > 0;
}

function globMatcher(pattern: string): RegExp {
	const body = pattern
		.trim()
		.toLowerCase()
		.split('*')
		.map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
		.join('.*');
	return new RegExp(`^${body}$`);
}
