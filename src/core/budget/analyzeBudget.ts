import { planRegionsAndCandidates } from '../compaction/planCompaction';
import { markPinned, pinnedFigures } from '../compaction/pins';
import { flatPrefix } from '../text/textCuts';
import { toolPairCounts } from '../compaction/windowIndex';
import type { NameLookup } from '../compaction/windowIndex';
import { resolveModel, type ModelOverrides, type ModelProfile } from '../tokens/modelRegistry';
import { TokenCounter } from '../tokens/tokenCounter';
import { messagesInWindow, type Message, type Transcript } from '../transcript/model';
import type { BudgetReport, LargestMessage } from './budgetReport';
import { measureWindow, percentOfWindow } from '../tokens/measureWindow';
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
	/** Window indexes the person pinned (see CompactionOptions.pinned): the regions and candidates leave them be. */
	readonly pinned?: ReadonlySet<number>;
	/** Reuse counts across analyses of a growing transcript (live files); must match the resolved model. */
	readonly cache?: MessageTokenCache;
}

/** How many of the largest messages a report lists. */
export const largestMessageCount = 5;

/**
 * How full a transcript's context window is and where the tokens go: the window's measure (see measureWindow:
 * every message counted with the model's encoding, plus what the file does not show, estimated from recorded
 * usage), the default plan's regions and prune candidates, and the largest messages.
 */
export function analyzeBudget(transcript: Transcript, options: BudgetOptions): BudgetReport {
	const { modelId, profile, contextWindow, contextWindowSource } = resolveCounting(transcript, options);
	const cache =
		options.cache !== undefined && options.cache.counter.profile.id === profile.id
			? options.cache
			: new MessageTokenCache(new TokenCounter(profile));
	const window = messagesInWindow(transcript);
	const measure = measureWindow(transcript, cache);
	const { messageTokens } = measure;

	// Only the regions and prune candidates of the default plan are shown: the same figures planCompaction gives.
	const pinned = options.pinned;
	const plan = planRegionsAndCandidates(
		transcript,
		{ counter: cache, contextWindow, ...(pinned !== undefined ? { pinned } : {}) },
		messageTokens,
	);
	const pinnedKept = pinnedFigures(
		markPinned(window, pinned !== undefined ? [...pinned] : undefined),
		messageTokens,
	);
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
		tokens: {
			total: measure.total,
			visible: measure.visible,
			hidden: measure.hidden,
			fixed: measure.fixed,
			byRole: measure.byRole,
			byKind: measure.byKind,
			recorded: measure.recorded,
			earlierThinking: measure.earlierThinking,
		},
		percentUsed: percentOfWindow(measure.total, contextWindow),
		regions: plan.regions,
		pruneCandidates: { messages: plan.pruneCandidates.messages, tokens: plan.pruneCandidates.tokens },
		...(pinnedKept !== undefined ? { pinned: pinnedKept } : {}),
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
