import { planRegionsAndCandidates } from '../compaction/planCompaction';
import { flatPrefix } from '../compaction/textCuts';
import { toolPairCounts } from '../compaction/windowIndex';
import type { NameLookup } from '../compaction/windowIndex';
import { calibrateFromUsage, startsUserTurn } from '../tokens/calibration';
import { resolveModel, type ModelOverrides, type ModelProfile } from '../tokens/modelRegistry';
import { TokenCounter, tokenCategories } from '../tokens/tokenCounter';
import { messagesInWindow, type Message, type Role, type Transcript } from '../transcript/model';
import type { BudgetCategory, BudgetReport, LargestMessage, RecordedComparison } from './budgetReport';
import { MessageTokenCache } from './messageTokenCache';

/** Options for a budget analysis. */
export interface BudgetOptions {
	/** Path shown in the report. */
	readonly file: string;
	/** Model id to count for, overriding the one the transcript names. */
	readonly model?: string;
	/** Window in tokens, overriding the file and the registry. */
	readonly contextWindow?: number;
	/** Per-model window settings. */
	readonly windows?: ModelOverrides['windows'];
	/** Reuse counts across analyses of a growing transcript (live files); must match the resolved model. */
	readonly cache?: MessageTokenCache;
}

/** How many of the largest messages a report lists. */
export const largestMessageCount = 5;

const roles: readonly Role[] = ['system', 'developer', 'user', 'assistant', 'tool'];

/**
 * How full a transcript's context window is and where the tokens go. Counts every message in the window
 * with the model's encoding; when the agent recorded its own usage, the headline is the newest recorded
 * context plus our count of what came after it, and our independent count is reported beside it.
 */
export function analyzeBudget(transcript: Transcript, options: BudgetOptions): BudgetReport {
	const { modelId, profile, contextWindow, contextWindowSource } = resolveCounting(transcript, options);
	const cache =
		options.cache !== undefined && options.cache.counter.profile.id === profile.id
			? options.cache
			: new MessageTokenCache(new TokenCounter(profile));
	const window = messagesInWindow(transcript);
	const counted = window.map((m) => cache.countMessage(m));
	const messageTokens = counted.map((c) => c.total);
	const systemTextTokens =
		transcript.meta.systemText !== undefined ? cache.countText(transcript.meta.systemText) : 0;

	const byKind = Object.fromEntries(tokenCategories.map((k) => [k, 0])) as Record<BudgetCategory, number>;
	const byRole = Object.fromEntries(roles.map((r) => [r, 0])) as Record<Role, number>;
	for (let i = 0; i < counted.length; i++) {
		const c = counted[i];
		if (c === undefined) continue;
		const categories = c.byCategory;
		byKind.system += categories.system;
		byKind.user += categories.user;
		byKind.assistant += categories.assistant;
		byKind.thinking += categories.thinking;
		byKind.toolCalls += categories.toolCalls;
		byKind.toolResults += categories.toolResults;
		byKind.images += categories.images;
		const role = window[i]?.role;
		if (role !== undefined) byRole[role] += c.total;
	}
	byKind.system += systemTextTokens;
	byRole.system += systemTextTokens;
	const ourTotal = messageTokens.reduce((a, b) => a + b, 0) + systemTextTokens;

	// The next request reads the reasoning of the current turn only (see startsUserTurn).
	const currentTurn = window.findLastIndex((m) => startsUserTurn(m));
	const thinkingOf = (from: number, to: number): number => {
		let sum = 0;
		for (let i = Math.max(0, from); i < to; i++) sum += counted[i]?.byCategory.thinking ?? 0;
		return sum;
	};
	const earlierThinking = thinkingOf(0, currentTurn);
	byKind.thinking -= earlierThinking;
	byRole.assistant -= earlierThinking;

	const recorded = compareWithRecorded(window, counted, systemTextTokens);
	let total = ourTotal - earlierThinking;
	if (recorded !== undefined) {
		byKind.system += recorded.comparison.hiddenPrefixTokens;
		byRole.system += recorded.comparison.hiddenPrefixTokens;
		// The latest recorded request read the reasoning of its own turn; a turn started since drops that too,
		// along with the reasoning of the messages after it, which the projection counts.
		const latest = recorded.comparison.atMessage;
		let dropped = 0;
		if (currentTurn > latest) {
			const turnOfLatest = window.slice(0, latest + 1).findLastIndex((m) => startsUserTurn(m));
			dropped = thinkingOf(turnOfLatest, currentTurn);
		}
		total = recorded.projectedTokens - Math.round(dropped * recorded.factor);
	}

	// Only the regions and prune candidates of the default plan are shown: the same figures planCompaction gives.
	const plan = planRegionsAndCandidates(transcript, { counter: cache, contextWindow }, messageTokens);
	// pairToolCalls' figures, kept by the window index (so a grown window only pairs its new messages).
	const pairing = toolPairCounts(window);
	const toolNames = pairing.names;

	return {
		file: options.file,
		format: transcript.format,
		detection: transcript.detection,
		model: modelId,
		encoding: profile.encoding,
		source: profile.exactness,
		sourceErrorPct: profile.calibrationErrorPct,
		contextWindow,
		contextWindowSource,
		messages: window.length,
		messagesInFile: transcript.messages.length,
		tokens: { total, byRole, byKind, recorded: recorded?.comparison, earlierThinking },
		percentUsed: contextWindow > 0 ? (total / contextWindow) * 100 : 0,
		regions: plan.regions,
		pruneCandidates: { messages: plan.pruneCandidates.messages, tokens: plan.pruneCandidates.tokens },
		toolPairs: {
			matched: pairing.matched,
			unanswered: pairing.unanswered,
			orphanResults: pairing.orphanResults,
		},
		largest: largestMessages(window, messageTokens, toolNames),
		messageTokens,
		diagnostics: transcript.diagnostics,
	};
}

/** The model, its profile and the window a transcript is measured against. */
export interface CountingSetup {
	readonly modelId: string | undefined;
	readonly profile: ModelProfile;
	readonly contextWindow: number;
	/** Where the window came from: a --window override, the file, or the model registry (settings included). */
	readonly contextWindowSource: 'file' | 'override' | 'registry';
}

/** Resolves the model (an override, else the transcript's) and the window (override, file, registry). */
export function resolveCounting(
	transcript: Transcript,
	options: Pick<BudgetOptions, 'model' | 'contextWindow' | 'windows'>,
): CountingSetup {
	const modelId = options.model ?? transcript.meta.model;
	const profile = resolveModel(
		modelId,
		options.windows !== undefined ? { windows: options.windows } : undefined,
	);
	const recordedWindow = transcript.meta.contextWindow ?? latestRecordedWindow(messagesInWindow(transcript));
	const contextWindow = options.contextWindow ?? recordedWindow ?? profile.contextWindow;
	const contextWindowSource =
		options.contextWindow !== undefined ? 'override' : recordedWindow !== undefined ? 'file' : 'registry';
	return { modelId, profile: { ...profile, contextWindow }, contextWindow, contextWindowSource };
}

function compareWithRecorded(
	window: readonly Message[],
	counted: readonly { readonly total: number; readonly byCategory: { readonly thinking: number } }[],
	systemTextTokens: number,
): { comparison: RecordedComparison; projectedTokens: number; factor: number } | undefined {
	// The stored system text is sent before the first message, so it belongs to the first message's count here.
	const inputs = window.map((m, i) => ({
		ourTokens: (counted[i]?.total ?? 0) + (i === 0 ? systemTextTokens : 0),
		// Reasoning of earlier turns is not sent again once a new user turn starts.
		thinkingTokens: counted[i]?.byCategory.thinking ?? 0,
		startsTurn: startsUserTurn(m),
		// Zero usage marks counts that no longer apply (written by a compaction), not an empty request.
		...(m.usage !== undefined && m.usage.inputTokens > 0 ? { usage: m.usage } : {}),
	}));
	const calibration = calibrateFromUsage(inputs);
	if (calibration === undefined) return undefined;
	// Compare the input of the latest recorded request: agents store placeholder output counts on streamed
	// records (Claude Code writes output_tokens 1 on a final report thousands of tokens long).
	const latestInput = window[calibration.latestIndex]?.usage?.inputTokens ?? 0;
	const oursBeforeLatest = calibration.ourTokensAtLatest;
	let oursFromLatest = 0;
	for (let i = calibration.latestIndex; i < inputs.length; i++) oursFromLatest += inputs[i]?.ourTokens ?? 0;
	return {
		comparison: {
			tokens: latestInput,
			ourTokens: oursBeforeLatest,
			errorPct: latestInput > 0 ? ((oursBeforeLatest - latestInput) / latestInput) * 100 : 0,
			hiddenPrefixTokens: calibration.hiddenPrefixTokens,
			atMessage: calibration.latestIndex,
		},
		projectedTokens: latestInput + Math.round(oursFromLatest * calibration.factor),
		factor: calibration.factor,
	};
}

function latestRecordedWindow(window: readonly Message[]): number | undefined {
	for (let i = window.length - 1; i >= 0; i--) {
		const recorded = window[i]?.usage?.contextWindow;
		if (recorded !== undefined && recorded > 0) return recorded;
	}
	return undefined;
}

function largestMessages(
	window: readonly Message[],
	messageTokens: readonly number[],
	toolNames: NameLookup,
): LargestMessage[] {
	// The first `largestMessageCount` indexes by tokens (descending), then index: a bounded insertion, O(n).
	const top: number[] = [];
	const isAbove = (a: number, b: number): boolean =>
		(messageTokens[a] ?? 0) > (messageTokens[b] ?? 0) ||
		((messageTokens[a] ?? 0) === (messageTokens[b] ?? 0) && a < b);
	for (let index = 0; index < messageTokens.length; index++) {
		const last = top[top.length - 1];
		if (top.length === largestMessageCount && last !== undefined && !isAbove(index, last)) continue;
		let at = top.length;
		while (at > 0 && isAbove(index, top[at - 1] ?? 0)) at--;
		top.splice(at, 0, index);
		if (top.length > largestMessageCount) top.pop();
	}
	return top.flatMap((index) => {
		const message = window[index];
		const tokens = messageTokens[index] ?? 0;
		if (message === undefined) return [];
		return [
			{
				index,
				id: message.id,
				role: message.role,
				tokens,
				label: describeMessage(message, toolNames),
				line: message.lines.from,
			},
		];
	});
}

/** Longest preview in a message label, in characters. */
const previewChars = 60;

/** A one-line description of a message: the tool and its target for tool traffic, else the role and a preview. */
export function describeMessage(message: Message, toolNames: NameLookup): string {
	for (const part of message.parts) {
		if (part.kind === 'toolResult') {
			return `tool result ${toolNames.get(part.callId) ?? '(unknown tool)'}${part.isError ? ' (error)' : ''}: ${preview(part.text)}`;
		}
	}
	for (const part of message.parts) {
		if (part.kind === 'toolCall') return `tool call ${part.name}: ${preview(part.argumentsText)}`;
	}
	const text = message.parts.find((p) => p.kind === 'text' || p.kind === 'thinking');
	const flags = message.flags.isSummary ? ' (summary)' : '';
	return `${message.role}${flags}: ${text !== undefined && 'text' in text ? preview(text.text) : `${message.parts.length} parts`}`;
}

function preview(text: string): string {
	// `text.replace(/\s+/g, ' ').trim()`, of which only the first previewChars + 1 characters matter.
	const flat = flatPrefix(text, previewChars + 1);
	return flat.length > previewChars ? `${flat.slice(0, previewChars - 1)}…` : flat;
}
