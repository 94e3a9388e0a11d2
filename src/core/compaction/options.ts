import type { StrategyName } from './strategies';
import type { TokenCounting } from './tokenCounting';

/** The strategy used when none is named: an LLM summary of the middle (R8, G2). */
export const defaultStrategy: StrategyName = 'summarize';

/**
 * Start compacting once the transcript uses this share of the model's window. R1 uses 0.5, G1 0.7, C1 and H3 0.8:
 * we count with the model's own tokenizer instead of chars/4, so G1's safety margin is not needed, and 0.5 compacts
 * large windows far too early (R1 needed a floor for that); 0.8 also matches the gauge's compaction mark.
 */
export const defaultTriggerRatio = 0.8;

/** R1 floor: automatic compaction never triggers below this many tokens, however small the ratio (capped at the window). */
export const defaultTriggerFloorTokens = 8_000;

/** C4: at this share of the window compaction is no longer enough and the session rotates to a fresh one. */
export const defaultRotationRatio = 0.95;

/** What the summariser reads of the middle: whole, or after the R3 cheap pass. */
export type SummaryInputSource = 'full' | 'pruned';

/**
 * R3: hermes summarises the middle after its cheap pre-pass, which saves a paid model's tokens but hides the facts
 * the pass shortened. Measured with `npm run eval`, the offline summary kept 76.6% of the middle's artifacts from the
 * pruned middle and 93.5% from the whole one at the same 94% cut; summarisers cap each message themselves (R7, G6),
 * so the whole middle is the default and `pruned` the option.
 */
export const defaultSummaryInputSource: SummaryInputSource = 'full';

/** R4: messages at the start that stay verbatim. */
export const defaultHeadMessages = 3;

/** R5: the protected tail gets this share of the trigger threshold, in tokens. */
export const defaultTailRatio = 0.2;

/**
 * How the R5 tail budget is sized. `session`: the person asked for this compaction (palette, chat, CLI), so the
 * tail is the smaller of its share of the trigger threshold and the same share of what the window holds now, and a
 * half-full session still frees a real share. `window`: R5's rule, a share of the trigger threshold, for automatic
 * compaction at the threshold.
 */
export type TailSizing = 'session' | 'window';

/** Plans are for compactions the person asked for unless the caller says otherwise. */
export const defaultTailSizing: TailSizing = 'session';

/** R5: the tail always holds at least this many messages. */
export const defaultTailMinMessages = 3;

/** R5: the tail may grow to this multiple of its budget so one huge message is not cut off. */
export const defaultTailSoftCeiling = 1.5;

/** G2: executus keeps this many recent messages verbatim (use as `keepRecentMessages` for its count-based tail). */
export const executusKeepRecentMessages = 8;

/** H5: hive's `compact()` keeps this many recent messages (use as `keepRecentMessages`). */
export const hiveKeepRecentMessages = 2;

/** R6: the summary budget is this share of the tokens it replaces. */
export const defaultSummaryRatio = 0.2;

/** R6: the summary budget never goes below this many tokens. */
export const minSummaryTokens = 2_000;

/** R6: the summary budget never goes above this many tokens, whatever the window. */
export const summaryCeilingTokens = 12_000;

/** R6: nor above this share of the model's window. */
export const summaryWindowShare = 0.05;

/** G2: summary length cap in words for the one-paragraph prose style. */
export const defaultSummaryWordCap = 200;

/** R10: share of the summary budget that goes to the focus topic when one is given. */
export const defaultFocusShare = 0.65;

/** H4: the newest tool results within this many tokens are never pruned. */
export const defaultProtectTokens = 5_000;

/** H4: the cheap pass runs only when it frees at least this many tokens. */
export const defaultMinPruneTokens = 2_000;

/** H4: tool results shorter than this (acknowledgements) are never pruned: losing them makes the model retry. */
export const defaultTinyResultChars = 100;

/** R3: tool results longer than this many characters outside the tail become a one-line description. */
export const defaultToolOutputMinChars = 200;

/** R3: tool-call arguments longer than this many characters are shrunk inside their JSON. */
export const defaultArgumentsMaxChars = 500;

/** R3: long string values inside shrunk arguments keep this many characters. */
export const defaultArgumentsKeepChars = 200;

/** H6: structure-preserving compaction shrinks arguments longer than this many characters. */
export const defaultStructureArgumentsChars = 200;

/** H6: string values inside structure-shrunk arguments keep this many characters. */
export const defaultStructureValueChars = 60;

/** Z1: tool results longer than this many characters are cut when they enter the context (`tc-cap`). */
export const defaultToolResultCapChars = 10_000;

/** Z2: the `lru` strategy keeps at most this many messages. */
export const defaultMaxMessages = 50;

/** Z3: the `window` strategy keeps at most this many turns. */
export const defaultMaxTurns = 20;

/** H6: tools whose calls set the agent's outputs; aggressive structure compaction keeps them. */
export const defaultOutputToolNames: readonly string[] = Object.freeze(['set_output']);

/** Which model writes the summary: a fast cheap one (G2) or the agent's own model (C2). */
export type SummaryModelChoice = 'fast' | 'self';

/** What happens when the summariser fails: keep everything (G5) or drop the middle behind a static marker (R12). */
export type SummaryFailurePolicy = 'keepOriginal' | 'dropWithMarker';

/** Everything a plan is computed from; omitted fields take the exported defaults. */
export interface CompactionOptions {
	readonly counter: TokenCounting;
	/** The model's context window, in tokens (Z5: the model registry's, with its default for unknown models). */
	readonly contextWindow: number;
	readonly strategy?: StrategyName;
	/** R10: what the person wants kept in detail. */
	readonly focus?: string;
	/** G4/R9: a summary from an earlier compaction to update; a summary message at the start of the window also provides it. */
	readonly previousSummary?: string;
	/** H5: output keys whose values in discarded messages are carried over verbatim. */
	readonly outputKeys?: readonly string[];
	readonly headMessages?: number;
	readonly tailRatio?: number;
	readonly tailMinMessages?: number;
	readonly tailSoftCeiling?: number;
	/** How the tail budget is sized: to the session (asked for) or to the window (automatic); see TailSizing. */
	readonly tailSizing?: TailSizing;
	/** G2/H5: when set, the tail is this many recent messages instead of R5's token budget. */
	readonly keepRecentMessages?: number;
	readonly triggerRatio?: number;
	readonly triggerFloorTokens?: number;
	readonly rotationRatio?: number;
	readonly summaryRatio?: number;
	readonly summaryWordCap?: number;
	readonly focusShare?: number;
	readonly protectTokens?: number;
	readonly minPruneTokens?: number;
	readonly tinyResultChars?: number;
	readonly toolOutputMinChars?: number;
	readonly argumentsMaxChars?: number;
	readonly argumentsKeepChars?: number;
	readonly structureArgumentsChars?: number;
	readonly structureValueChars?: number;
	readonly toolResultCapChars?: number;
	readonly maxMessages?: number;
	readonly maxTurns?: number;
	readonly outputToolNames?: readonly string[];
	readonly summaryModel?: SummaryModelChoice;
	readonly onSummaryFailure?: SummaryFailurePolicy;
	/** H7: keep the current and previous phase whole when there are three or more. */
	readonly isPhaseGraduated?: boolean;
	/** R3: whether the summariser reads the middle as the cheap pass left it (`pruned`, hermes) or whole (`full`). */
	readonly summaryInputSource?: SummaryInputSource;
	/** R11: append a one-time note about the compaction to a leading system message. */
	readonly shouldNoteSystemPrompt?: boolean;
	/**
	 * Window indexes (`#n` less one) the person pinned: whatever the strategy, each stays verbatim at its place with
	 * its tool partners (see pins.ts). Resolve `--keep`, `--keep-matching` and stored pins first (pinTargets.ts).
	 */
	readonly pinned?: ReadonlySet<number>;
}

/** The options a plan was made with, every default filled in; plain data (no counter) so plans serialise. */
export interface ResolvedCompactionOptions {
	readonly strategy: StrategyName;
	readonly contextWindow: number;
	readonly focus?: string;
	readonly previousSummary?: string;
	readonly outputKeys: readonly string[];
	readonly headMessages: number;
	readonly tailRatio: number;
	readonly tailMinMessages: number;
	readonly tailSoftCeiling: number;
	readonly tailSizing: TailSizing;
	readonly keepRecentMessages?: number;
	readonly triggerRatio: number;
	readonly triggerFloorTokens: number;
	readonly rotationRatio: number;
	readonly summaryRatio: number;
	readonly summaryWordCap: number;
	readonly focusShare: number;
	readonly protectTokens: number;
	readonly minPruneTokens: number;
	readonly tinyResultChars: number;
	readonly toolOutputMinChars: number;
	readonly argumentsMaxChars: number;
	readonly argumentsKeepChars: number;
	readonly structureArgumentsChars: number;
	readonly structureValueChars: number;
	readonly toolResultCapChars: number;
	readonly maxMessages: number;
	readonly maxTurns: number;
	readonly outputToolNames: readonly string[];
	readonly summaryModel: SummaryModelChoice;
	readonly onSummaryFailure: SummaryFailurePolicy;
	readonly isPhaseGraduated: boolean;
	readonly shouldNoteSystemPrompt: boolean;
	readonly summaryInputSource: SummaryInputSource;
	/** The pinned window indexes, ascending; absent when nothing is pinned (so such plans keep their ids). */
	readonly pinned?: readonly number[];
}

function count(value: number | undefined, fallback: number): number {
	return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

function share(value: number | undefined, fallback: number, max = 1): number {
	return value !== undefined && Number.isFinite(value) && value >= 0 && value <= max ? value : fallback;
}

/** Pinned indexes as plain data: whole, non-negative, distinct and ascending. */
function pinnedIndexes(pinned: ReadonlySet<number> | undefined): readonly number[] {
	if (pinned === undefined || pinned.size === 0) return [];
	return [...pinned].filter((i) => Number.isSafeInteger(i) && i >= 0).sort((a, b) => a - b);
}

function text(value: string | undefined): string | undefined {
	return value !== undefined && value.trim() !== '' ? value : undefined;
}

/** Fills every default; values out of range (negative, NaN, ratios above 1) fall back to the default instead of failing. */
export function resolveCompactionOptions(options: CompactionOptions): ResolvedCompactionOptions {
	const focus = text(options.focus);
	const previousSummary = text(options.previousSummary);
	const keepRecent = options.keepRecentMessages;
	const pinned = pinnedIndexes(options.pinned);
	return {
		strategy: options.strategy ?? defaultStrategy,
		contextWindow: count(options.contextWindow, 0),
		...(focus !== undefined ? { focus: focus.trim() } : {}),
		...(previousSummary !== undefined ? { previousSummary } : {}),
		outputKeys: (options.outputKeys ?? []).filter((k) => k.trim() !== ''),
		headMessages: count(options.headMessages, defaultHeadMessages),
		tailRatio: share(options.tailRatio, defaultTailRatio),
		tailMinMessages: count(options.tailMinMessages, defaultTailMinMessages),
		tailSoftCeiling: share(options.tailSoftCeiling, defaultTailSoftCeiling, 10),
		tailSizing: options.tailSizing === 'window' ? 'window' : defaultTailSizing,
		...(keepRecent !== undefined && Number.isFinite(keepRecent) && keepRecent >= 0
			? { keepRecentMessages: Math.floor(keepRecent) }
			: {}),
		triggerRatio: share(options.triggerRatio, defaultTriggerRatio),
		triggerFloorTokens: count(options.triggerFloorTokens, defaultTriggerFloorTokens),
		rotationRatio: share(options.rotationRatio, defaultRotationRatio),
		summaryRatio: share(options.summaryRatio, defaultSummaryRatio),
		summaryWordCap: count(options.summaryWordCap, defaultSummaryWordCap),
		focusShare: share(options.focusShare, defaultFocusShare),
		protectTokens: count(options.protectTokens, defaultProtectTokens),
		minPruneTokens: count(options.minPruneTokens, defaultMinPruneTokens),
		tinyResultChars: count(options.tinyResultChars, defaultTinyResultChars),
		toolOutputMinChars: count(options.toolOutputMinChars, defaultToolOutputMinChars),
		argumentsMaxChars: count(options.argumentsMaxChars, defaultArgumentsMaxChars),
		argumentsKeepChars: count(options.argumentsKeepChars, defaultArgumentsKeepChars),
		structureArgumentsChars: count(options.structureArgumentsChars, defaultStructureArgumentsChars),
		structureValueChars: count(options.structureValueChars, defaultStructureValueChars),
		toolResultCapChars: count(options.toolResultCapChars, defaultToolResultCapChars),
		maxMessages: count(options.maxMessages, defaultMaxMessages),
		maxTurns: Math.max(1, count(options.maxTurns, defaultMaxTurns)),
		outputToolNames: options.outputToolNames ?? defaultOutputToolNames,
		summaryModel: options.summaryModel ?? 'fast',
		onSummaryFailure: options.onSummaryFailure ?? 'keepOriginal',
		isPhaseGraduated: options.isPhaseGraduated ?? true,
		shouldNoteSystemPrompt: options.shouldNoteSystemPrompt ?? true,
		summaryInputSource: options.summaryInputSource ?? defaultSummaryInputSource,
		...(pinned.length > 0 ? { pinned } : {}),
	};
}

/** R1: the token count at which compaction triggers: ratio x window, at least the floor, at most the window; 0 when either is 0 (G1 pass-through). */
export function triggerTokensFor(contextWindow: number, triggerRatio: number, floorTokens: number): number {
	if (contextWindow <= 0 || triggerRatio <= 0) return 0;
	return Math.min(contextWindow, Math.max(Math.floor(contextWindow * triggerRatio), floorTokens));
}

/** R6: tokens the summary may take: `ratio` of what it replaces, clamped to [2000, min(5% of window, 12000)]. */
export function summaryBudgetFor(replacedTokens: number, contextWindow: number, ratio: number): number {
	const ceiling = Math.min(Math.floor(contextWindow * summaryWindowShare), summaryCeilingTokens);
	return Math.max(minSummaryTokens, Math.min(Math.floor(replacedTokens * ratio), ceiling));
}
