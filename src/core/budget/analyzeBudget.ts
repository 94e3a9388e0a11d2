import { planCompaction } from '../compaction/planCompaction';
import { calibrateFromUsage } from '../tokens/calibration';
import { resolveModel, type ModelOverrides, type ModelProfile } from '../tokens/modelRegistry';
import { TokenCounter, tokenCategories } from '../tokens/tokenCounter';
import { messagesInWindow, type Message, type Role, type Transcript } from '../transcript/model';
import { pairToolCalls } from '../transcript/toolPairs';
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
	counted.forEach((c, i) => {
		for (const k of tokenCategories) byKind[k] += c.byCategory[k];
		const role = window[i]?.role;
		if (role !== undefined) byRole[role] += c.total;
	});
	byKind.system += systemTextTokens;
	byRole.system += systemTextTokens;
	const ourTotal = messageTokens.reduce((a, b) => a + b, 0) + systemTextTokens;

	const recorded = compareWithRecorded(window, messageTokens, systemTextTokens);
	let total = ourTotal;
	if (recorded !== undefined) {
		byKind.system += recorded.comparison.hiddenPrefixTokens;
		byRole.system += recorded.comparison.hiddenPrefixTokens;
		total = recorded.projectedTokens;
	}

	const plan = planCompaction(transcript, { counter: cache, contextWindow });
	const pairing = pairToolCalls(window);
	const toolNames = new Map(pairing.pairs.map((p) => [p.callId, p.name]));

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
		tokens: { total, byRole, byKind, recorded: recorded?.comparison },
		percentUsed: contextWindow > 0 ? (total / contextWindow) * 100 : 0,
		regions: plan.regions,
		pruneCandidates: { messages: plan.pruneCandidates.messages, tokens: plan.pruneCandidates.tokens },
		toolPairs: {
			matched: pairing.pairs.length,
			unanswered: pairing.unansweredCalls.length,
			orphanResults: pairing.orphanResults.length,
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
	messageTokens: readonly number[],
	systemTextTokens: number,
): { comparison: RecordedComparison; projectedTokens: number } | undefined {
	// The stored system text is sent before the first message, so it belongs to the first message's count here.
	const inputs = window.map((m, i) => ({
		ourTokens: (messageTokens[i] ?? 0) + (i === 0 ? systemTextTokens : 0),
		// Zero usage marks counts that no longer apply (written by a compaction), not an empty request.
		...(m.usage !== undefined && m.usage.inputTokens > 0 ? { usage: m.usage } : {}),
	}));
	const calibration = calibrateFromUsage(inputs);
	if (calibration === undefined) return undefined;
	// Compare the input of the latest recorded request: agents store placeholder output counts on streamed
	// records (Claude Code writes output_tokens 1 on a final report thousands of tokens long).
	const latestInput = window[calibration.latestIndex]?.usage?.inputTokens ?? 0;
	let oursBeforeLatest = calibration.hiddenPrefixTokens;
	for (let i = 0; i < calibration.latestIndex; i++) oursBeforeLatest += inputs[i]?.ourTokens ?? 0;
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
	toolNames: ReadonlyMap<string, string>,
): LargestMessage[] {
	return messageTokens
		.map((tokens, index) => ({ tokens, index }))
		.sort((a, b) => b.tokens - a.tokens || a.index - b.index)
		.slice(0, largestMessageCount)
		.flatMap(({ tokens, index }) => {
			const message = window[index];
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
export function describeMessage(message: Message, toolNames: ReadonlyMap<string, string>): string {
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
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > previewChars ? `${flat.slice(0, previewChars - 1)}…` : flat;
}
