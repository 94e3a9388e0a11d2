import { findActiveTask } from '../facts/extractArtifacts';
import type { EventRequest, Message, ToolResultPart, Transcript } from '../transcript/model';
import { makeFlags, messagesInWindow } from '../transcript/model';
import { planCheapPass } from './cheapPass';
import type { CheapPassPlan } from './cheapPass';
import { planLruEviction, planWindowEviction } from './eviction';
import {
	evictionMarkerText,
	handoffPrefix,
	interruptedResultText,
	preservedValuesBlock,
	stripHandoffPrefix,
	structureReferenceText,
	systemPromptNote,
} from './handoff';
import { buildLayout, keepWithToolPartners, repairAlternation, sanitiseToolPairs } from './layout';
import { isSystemRole, isUserPrompt, textOf } from './messageParts';
import type { CompactionOptions, ResolvedCompactionOptions } from './options';
import { resolveCompactionOptions, summaryBudgetFor, triggerTokensFor } from './options';
import { detachedMessage, detachedWholeMessage } from './partEdits';
import type {
	CompactionPlan,
	EvictionStats,
	InterruptedCall,
	MessageFate,
	PartEdit,
	Preflight,
	PruneCandidates,
	SpillPlan,
	SyntheticKind,
	SyntheticMessagePlan,
} from './plan';
import { isPinnedAt, pinnedFiguresOf, sparePinnedFromEviction } from './pins';
import { createPlanContext } from './planContext';
import type { PlanContext } from './planContext';
import { findFoldedSummary, makeSpan, planRegions } from './planRegions';
import type { RegionSpan } from './planRegions';
import { findPreservedValues } from './preservedValues';
import { decideStructureFates, planStructureEdits } from './structure';
import { capToolResultText, formatCount } from '../text/textCuts';

/**
 * FNV-1a in two 32-bit lanes over a sequence of texts joined by newlines, fed piece by piece so the joined text is
 * never built: 16 hex digits, stable across runs.
 */
class JoinedTextHash {
	private a = 0x811c9dc5;
	private b = 0x01000193;
	private isFirst = true;

	add(text: string): void {
		let a = this.a;
		let b = this.b;
		if (!this.isFirst) {
			a = Math.imul(a ^ 10, 0x01000193);
			b = Math.imul(b ^ 10, 0x5bd1e995) ^ (b >>> 15);
		}
		this.isFirst = false;
		for (let i = 0; i < text.length; i++) {
			const c = text.charCodeAt(i);
			a = Math.imul(a ^ c, 0x01000193);
			b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
		}
		this.a = a;
		this.b = b;
	}

	/** Adds `${id}:${count}` as one text, without building it. */
	addIdAndCount(id: string, count: number): void {
		if (!Number.isSafeInteger(count) || count < 0) {
			this.add(`${id}:${count}`);
			return;
		}
		this.add(id);
		let a = this.a;
		let b = this.b;
		a = Math.imul(a ^ 58, 0x01000193);
		b = Math.imul(b ^ 58, 0x5bd1e995) ^ (b >>> 15);
		let unit = 1;
		while (unit * 10 <= count) unit *= 10;
		for (let rest = count; unit >= 1; unit /= 10) {
			const digit = Math.floor(rest / unit);
			rest -= digit * unit;
			const c = 48 + digit;
			a = Math.imul(a ^ c, 0x01000193);
			b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
		}
		this.a = a;
		this.b = b;
	}

	digest(): string {
		return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
	}
}

/** The plan id: a hash of the resolved options and every window message's id and token count, one per line. */
function planIdOf(
	options: ResolvedCompactionOptions,
	window: readonly Message[],
	tokens: readonly number[],
): string {
	const hash = new JoinedTextHash();
	hash.add(JSON.stringify(options));
	for (let i = 0; i < window.length; i++) hash.addIdAndCount(window[i]?.id ?? 'undefined', tokens[i] ?? 0);
	return `plan-${hash.digest()}`;
}

function spillFileNameFor(sessionId: string | undefined, planId: string): string {
	const session = (sessionId ?? 'session').replace(/[^\w.-]+/g, '-').slice(0, 64);
	return `context-lens-spill-${session}-${planId.slice(5, 13)}.md`;
}

/**
 * R8: the latest request: the newest found in the messages, unless the person asked for something newer that the
 * file records only as a UI event (Codex Desktop); `message` is then the last window message before that request.
 */
function latestRequest(
	window: readonly Message[],
	task: ReturnType<typeof findActiveTask>,
	eventRequests: readonly EventRequest[] | undefined,
): CompactionPlan['activeTask'] {
	const found =
		task !== undefined
			? { text: task.text, message: task.messageIndex, looksFulfilled: task.looksFulfilled }
			: undefined;
	const newest = eventRequests?.[eventRequests.length - 1];
	if (newest === undefined) return found;
	const after =
		newest.afterMessageId === undefined ? -1 : window.findIndex((m) => m.id === newest.afterMessageId);
	if (found !== undefined && after < found.message) return found;
	return { text: newest.text, message: Math.max(0, after), looksFulfilled: false };
}

function fill<T>(fates: T[], from: number, to: number, value: T): void {
	for (let i = from; i < to; i++) fates[i] = value;
}

/** Token overhead of one message beyond its text, as the counter charges it. */
function messageOverhead(context: PlanContext): number {
	const probe: Message = {
		id: 'probe',
		role: 'user',
		parts: [{ kind: 'text', text: 'x' }],
		flags: makeFlags(),
		lines: { from: 0, to: 0 },
		raw: [],
	};
	return Math.max(0, context.counter.countMessage(probe).total - context.counter.countText('x'));
}

interface StrategyOutcome {
	readonly regions: { head: RegionSpan; middle: RegionSpan; tail: RegionSpan };
	readonly syntheticAt: number | undefined;
	readonly syntheticKind: SyntheticKind | undefined;
	readonly syntheticText?: (preserved: Readonly<Record<string, string>>) => string;
	readonly edits: readonly PartEdit[];
	readonly cheap: CheapPassPlan;
	readonly folded: number | undefined;
	readonly spill?: SpillPlan;
	readonly eviction?: EvictionStats;
	readonly phases: { readonly phaseIds: readonly string[]; readonly protectedPhaseIds: readonly string[] };
}

function currentPhaseOf(phaseIds: readonly string[]): string | undefined {
	// H4: "current phase" only means something when the window has more than one.
	return phaseIds.length >= 2 ? phaseIds[phaseIds.length - 1] : undefined;
}

/**
 * True for a middle message that is never summarised or edited: pinned (skill content, user pins, and their tool
 * partners) or the last request the person typed, which stays verbatim however long the autonomous turn after it ran.
 */
function isKeptInMiddle(context: PlanContext, i: number, lastUserPrompt: number | undefined): boolean {
	return isPinnedAt(context, i) || i === lastUserPrompt;
}

/** Marks the middle for summarising, keeps pinned messages and the last request with their tool partners, and repairs alternation. */
function planSummaryStyle(
	context: PlanContext,
	fates: MessageFate[],
	middle: RegionSpan,
	folded: number | undefined,
	currentPhaseId: string | undefined,
	lastUserPrompt: number | undefined,
): CheapPassPlan {
	fill(fates, middle.from, middle.to, 'summarized');
	for (let i = middle.from; i < middle.to; i++) {
		if (isKeptInMiddle(context, i, lastUserPrompt) && i !== folded) keepWithToolPartners(context, fates, i);
	}
	repairAlternation(context, fates, middle.from);
	return planCheapPass(context, {
		from: middle.from,
		to: middle.to,
		isUntouchable: (i) => fates[i] === 'kept' || i === folded,
		currentPhaseId,
	});
}

/** What every strategy family reads: the planned regions, the phases, and who in the middle is folded or kept. */
interface StrategyScope {
	readonly regions: { head: RegionSpan; middle: RegionSpan; tail: RegionSpan };
	readonly phases: StrategyOutcome['phases'];
	readonly currentPhaseId: string | undefined;
	/** The previous compaction's summary, when it lies in the middle (G4: folded into the new one). */
	readonly foldedInMiddle: number | undefined;
	readonly lastUserPrompt: number | undefined;
}

/** Plans the regions (R4/R5/H7/G4) and phases (H4) the strategies start from. */
function planStrategyScope(context: PlanContext): StrategyScope {
	const { messages, tokens, options } = context;
	const regionPlan = planRegions(messages, tokens, options);
	const middle = regionPlan.middle;
	return {
		regions: { head: regionPlan.head, middle, tail: regionPlan.tail },
		phases: {
			phaseIds: regionPlan.phases.phaseIds,
			protectedPhaseIds: regionPlan.phases.protectedPhaseIds,
		},
		currentPhaseId: currentPhaseOf(regionPlan.phases.phaseIds),
		foldedInMiddle:
			regionPlan.foldedSummary !== undefined &&
			regionPlan.foldedSummary >= middle.from &&
			regionPlan.foldedSummary < middle.to &&
			!isPinnedAt(context, regionPlan.foldedSummary) // a pinned summary stays as it is
				? regionPlan.foldedSummary
				: undefined,
		lastUserPrompt: regionPlan.lastUserPrompt,
	};
}

/** Decides what each window message becomes under the chosen strategy, and where the synthetic message goes. */
function planStrategy(
	context: PlanContext,
	fates: MessageFate[],
	transcript: Transcript,
	planId: () => string,
): StrategyOutcome {
	const scope = planStrategyScope(context);
	switch (context.options.strategy) {
		case 'summarize':
			return planSummarizeStrategy(context, fates, scope);
		case 'rotate':
			return planRotateStrategy(context, fates, scope);
		case 'prune':
			return planPruneStrategy(context, scope);
		case 'structure':
		case 'structure-aggressive':
			return planStructureStrategy(
				context,
				fates,
				scope,
				spillFileNameFor(transcript.meta.sessionId, planId()),
			);
		case 'lru':
		case 'window':
			return planEvictionStrategy(context, fates, scope, context.options.strategy);
		case 'tc-cap':
			return planToolResultCapStrategy(context, scope);
	}
}

/** The cheap pass over the whole middle, pins untouched: what the strategies that summarise nothing prune. */
function planCheapPassOverMiddle(context: PlanContext, scope: StrategyScope): CheapPassPlan {
	return planCheapPass(context, {
		from: scope.regions.middle.from,
		to: scope.regions.middle.to,
		isUntouchable: (i) => isPinnedAt(context, i),
		currentPhaseId: scope.currentPhaseId,
	});
}

/** The middle becomes one summary at its start, with the pinned messages and the last request kept. */
function planSummarizeStrategy(
	context: PlanContext,
	fates: MessageFate[],
	scope: StrategyScope,
): StrategyOutcome {
	const cheap = planSummaryStyle(
		context,
		fates,
		scope.regions.middle,
		scope.foldedInMiddle,
		scope.currentPhaseId,
		scope.lastUserPrompt,
	);
	return {
		regions: scope.regions,
		phases: scope.phases,
		syntheticAt: scope.regions.middle.from,
		syntheticKind: 'summary',
		edits: cheap.edits,
		cheap,
		folded: scope.foldedInMiddle,
	};
}

/** C4: a fresh session: everything after the leading system messages becomes the handoff. */
function planRotateStrategy(
	context: PlanContext,
	fates: MessageFate[],
	scope: StrategyScope,
): StrategyOutcome {
	const { messages, tokens } = context;
	const n = messages.length;
	// C4: the fresh session keeps only the leading system messages; everything else is carried by the summary.
	const opening = findFoldedSummary(messages);
	const folded = opening !== undefined && !isPinnedAt(context, opening) ? opening : undefined;
	let headEnd = 0;
	while (headEnd < n && isSystemRole(messages[headEnd]?.role ?? 'user')) headEnd++;
	if (folded !== undefined) headEnd = Math.min(headEnd, folded);
	const rotated = {
		head: makeSpan(tokens, 0, headEnd),
		middle: makeSpan(tokens, headEnd, n),
		tail: makeSpan(tokens, n, n),
	};
	// C4: the fresh session holds only the handoff, which carries the request as its active task.
	const cheap = planSummaryStyle(context, fates, rotated.middle, folded, scope.currentPhaseId, undefined);
	return {
		regions: rotated,
		phases: scope.phases,
		syntheticAt: headEnd,
		syntheticKind: 'rotation',
		edits: cheap.edits,
		cheap,
		folded,
	};
}

/** R3/H4: only the cheap pass's edits, no synthetic message. */
function planPruneStrategy(context: PlanContext, scope: StrategyScope): StrategyOutcome {
	const cheap = planCheapPassOverMiddle(context, scope);
	return {
		regions: scope.regions,
		phases: scope.phases,
		syntheticAt: undefined,
		syntheticKind: undefined,
		edits: cheap.edits,
		cheap,
		folded: undefined,
	};
}

/**
 * H6: the middle's free text (and, aggressive, the calls that set no output and did not fail) moves to the spill
 * file `fileName`; a reference message at the middle's start says where.
 */
function planStructureStrategy(
	context: PlanContext,
	fates: MessageFate[],
	scope: StrategyScope,
	fileName: string,
): StrategyOutcome {
	const isAggressive = context.options.strategy === 'structure-aggressive';
	const middle = scope.regions.middle;
	const pinned: MessageFate[] = [...fates];
	fill(pinned, middle.from, middle.to, 'summarized');
	for (let i = middle.from; i < middle.to; i++) {
		if (isKeptInMiddle(context, i, scope.lastUserPrompt) || i === scope.foldedInMiddle)
			keepWithToolPartners(context, pinned, i);
	}
	const isPinnedGroup = (i: number): boolean => i >= middle.from && i < middle.to && pinned[i] === 'kept';
	const keptCallIds = decideStructureFates(context, middle, fates, isPinnedGroup, isAggressive);
	const repaired = new Set(repairAlternation(context, fates, middle.from));
	const isVerbatim = (i: number): boolean => isPinnedGroup(i) || repaired.has(i);
	const cheap = planCheapPass(context, {
		from: middle.from,
		to: middle.to,
		isUntouchable: isVerbatim,
		currentPhaseId: scope.currentPhaseId,
	});
	const structure = planStructureEdits(
		context,
		middle,
		fates,
		isVerbatim,
		cheap.edits,
		keptCallIds,
		isAggressive,
		fileName,
	);
	const moved = fates.filter((f) => f === 'dropped').length;
	return {
		regions: scope.regions,
		phases: scope.phases,
		syntheticAt: middle.from,
		syntheticKind: 'structure',
		syntheticText: (preserved) =>
			structureReferenceText(moved, fileName, structure.spill.entries.length, structure.digest, preserved),
		edits: structure.edits,
		cheap,
		folded: undefined,
		spill: structure.spill,
	};
}

/**
 * LRU (the last `maxMessages` stay) or window (the last `maxTurns` turns stay) eviction: the oldest messages go, and
 * a marker says how many.
 */
function planEvictionStrategy(
	context: PlanContext,
	fates: MessageFate[],
	scope: StrategyScope,
	strategy: 'lru' | 'window',
): StrategyOutcome {
	const { messages, tokens, options } = context;
	const n = messages.length;
	const evicted = sparePinnedFromEviction(
		context,
		strategy === 'lru'
			? planLruEviction(messages, tokens, options.maxMessages)
			: planWindowEviction(messages, tokens, options.maxTurns),
	);
	evicted.fates.forEach((fate, i) => {
		fates[i] = fate;
	});
	const evictedRegions = {
		head: makeSpan(tokens, 0, evicted.from),
		middle: makeSpan(tokens, evicted.from, evicted.to),
		tail: makeSpan(tokens, evicted.to, n),
	};
	const turns = countTurns(messages, fates);
	const limit = strategy === 'lru' ? options.maxMessages : options.maxTurns;
	return {
		regions: evictedRegions,
		phases: scope.phases,
		syntheticAt: evicted.to,
		syntheticKind: 'eviction',
		syntheticText: () =>
			evictionMarkerText(strategy, evicted.stats.messagesEvicted, turns, evicted.stats.tokensEvicted, limit),
		edits: [],
		cheap: planCheapPassOverMiddle(context, scope),
		folded: undefined,
		eviction: evicted.stats,
	};
}

/** Z1: every tool result after the head longer than `toolResultCapChars` is cut as an ingest-time cap would cut it. */
function planToolResultCapStrategy(context: PlanContext, scope: StrategyScope): StrategyOutcome {
	const { messages, options } = context;
	const n = messages.length;
	const edits: PartEdit[] = [];
	for (let i = scope.regions.head.to; i < n; i++) {
		if (isPinnedAt(context, i)) continue;
		messages[i]?.parts.forEach((part, p) => {
			if (part.kind !== 'toolResult' || part.text.length <= options.toolResultCapChars) return;
			// Z1: the same cut an ingest-time cap would have made.
			const replacement: ToolResultPart = {
				kind: 'toolResult',
				callId: part.callId,
				text: capToolResultText(part.text, options.toolResultCapChars),
				isError: part.isError,
				images: part.images,
			};
			edits.push({
				message: i,
				part: p,
				kind: 'toolResultCap',
				tokensBefore: context.partTokens(i, p),
				tokensAfter: context.newPartTokens(replacement),
				replacement,
			});
		});
	}
	return {
		regions: scope.regions,
		phases: scope.phases,
		syntheticAt: undefined,
		syntheticKind: undefined,
		edits,
		cheap: planCheapPassOverMiddle(context, scope),
		folded: undefined,
	};
}

function countTurns(messages: readonly Message[], fates: readonly MessageFate[]): number {
	let turns = 0;
	messages.forEach((m, i) => {
		if (fates[i] !== 'kept' && isUserPrompt(m)) turns++;
	});
	return turns;
}

function nothingToCompactMessage(
	options: ResolvedCompactionOptions,
	regions: { head: RegionSpan; middle: RegionSpan; tail: RegionSpan },
	cheap: CheapPassPlan,
	messages: number,
	tokens: number,
): string {
	switch (options.strategy) {
		case 'prune':
			return cheap.candidates.isBelowMinimum
				? `Nothing to prune: the cheap pass would free ${formatCount(cheap.candidates.tokens)} tokens, below the minimum of ${formatCount(options.minPruneTokens)}.`
				: 'Nothing to prune: no old tool output or long arguments outside the protected head and tail.';
		case 'lru':
			return `Nothing to evict: ${formatCount(messages)} messages, and up to ${formatCount(options.maxMessages)} are kept.`;
		case 'window':
			return `Nothing to evict: the conversation fits in ${formatCount(options.maxTurns)} turns.`;
		case 'tc-cap':
			return `Nothing to cap: no tool result after the head is longer than ${formatCount(options.toolResultCapChars)} characters.`;
		default: {
			const head = regions.head.to - regions.head.from;
			const tail = regions.tail.to - regions.tail.from;
			return (
				`Nothing to compact: all ${formatCount(messages)} messages (${formatCount(tokens)} tokens) are in the ` +
				`protected head (${head}) and tail (${tail}) or pinned. Lower the head count or the tail share, or wait until the conversation grows.`
			);
		}
	}
}

/** What every plan starts from: resolved options, the window, its counts, the planning context and the plan id. */
interface PlanSetup {
	readonly resolved: ResolvedCompactionOptions;
	readonly counter: CompactionOptions['counter'];
	readonly window: readonly Message[];
	readonly n: number;
	readonly tokens: readonly number[];
	readonly tokensBefore: number;
	readonly context: PlanContext;
	/** The plan id, worked out on first use. */
	readonly id: () => string;
}

/** `messageTokens`, when given, must be `counter.countMessage(m).total` of every window message, in order. */
function setUpPlan(
	transcript: Transcript,
	options: CompactionOptions,
	messageTokens?: readonly number[],
	isCountOnly = false,
): PlanSetup {
	const resolved = resolveCompactionOptions(options);
	const counter = options.counter;
	const window = messagesInWindow(transcript);
	const n = window.length;
	const tokens =
		messageTokens !== undefined && messageTokens.length === n
			? messageTokens
			: window.map((m) => counter.countMessage(m).total);
	let tokensBefore = 0;
	for (const t of tokens) tokensBefore += t;
	const context = createPlanContext(window, tokens, resolved, counter, transcript.format, isCountOnly);
	let id: string | undefined;
	return {
		resolved,
		counter,
		window,
		n,
		tokens,
		tokensBefore,
		context,
		id: () => (id ??= planIdOf(resolved, window, tokens)),
	};
}

/** Edits in window order (message, then part); the list itself when it already is. */
function sortedByPosition(edits: PartEdit[]): PartEdit[] {
	const isBefore = (a: PartEdit, b: PartEdit): boolean =>
		a.message < b.message || (a.message === b.message && a.part < b.part);
	for (let k = 1; k < edits.length; k++) {
		const previous = edits[k - 1] as PartEdit;
		const edit = edits[k] as PartEdit;
		if (isBefore(edit, previous)) return edits.sort((a, b) => a.message - b.message || a.part - b.part);
	}
	return edits;
}

/** The regions and prune candidates of a plan: exactly `planCompaction`'s `regions` and `pruneCandidates`. */
export interface RegionsAndCandidates {
	readonly regions: CompactionPlan['regions'];
	readonly pruneCandidates: PruneCandidates;
}

/**
 * The part of {@link planCompaction} the budget report shows: the strategy's regions and the cheap pass's prune
 * candidates, without the layout, tool-pair repairs, summary input and estimates a full plan also works out.
 * Same inputs, same code path, same figures as `planCompaction(transcript, options)`. `messageTokens` saves
 * counting again: `options.counter.countMessage(m).total` of every window message, in window order.
 */
export function planRegionsAndCandidates(
	transcript: Transcript,
	options: CompactionOptions,
	messageTokens?: readonly number[],
): RegionsAndCandidates {
	const { n, context, id } = setUpPlan(transcript, options, messageTokens, true);
	const fates: MessageFate[] = new Array<MessageFate>(n).fill('kept');
	const outcome = planStrategy(context, fates, transcript, id);
	return { regions: outcome.regions, pruneCandidates: outcome.cheap.candidates };
}

/** The strategy's edits once tool pairs are repaired (R14/H8), in window order, and the calls left without a result. */
interface RepairedEdits {
	readonly edits: PartEdit[];
	readonly interruptedCalls: readonly InterruptedCall[];
}

/**
 * R14/H8: drops the edits of dropped messages, repairs the tool pairs the fates and edits broke (a message they
 * empty is dropped too), and lists the kept calls that are left without a result.
 */
function repairToolPairEdits(
	context: PlanContext,
	fates: MessageFate[],
	outcome: StrategyOutcome,
): RepairedEdits {
	const strategyEdits = outcome.edits.filter((e) => fates[e.message] !== 'dropped');
	const repairs = sanitiseToolPairs(context, fates, strategyEdits);
	for (const i of repairs.emptied) fates[i] = 'dropped';
	const edits = sortedByPosition(
		[...strategyEdits, ...repairs.orphanEdits].filter((e) => fates[e.message] !== 'dropped'),
	);
	return { edits, interruptedCalls: repairs.interrupted.filter((c) => fates[c.message] === 'kept') };
}

/** Which messages the summariser reads and their token figures, without the copies (made on first read). */
interface SummaryInputIndex {
	/** Window indexes of the summarised messages the summariser reads (the folded summary is not among them). */
	readonly messages: readonly number[];
	/** Per input message, the `[first, end)` run of `edits` its copy applies (empty unless R3's pruned input). */
	readonly edits: readonly number[];
	readonly tokens: number;
	/** Tokens of every summarised message after its edits: what the summary replaces (R6 budgets from it). */
	readonly replacedTokens: number;
}

/**
 * The summary input's messages and edits and its token figures, in one pass over the fates. The summariser's input
 * (detached copies of the summarised messages) is made when it is first read: plans for display (budget report,
 * inspect, the review's figures) never read it. Here only which messages and edits.
 */
function indexSummaryInput(
	context: PlanContext,
	fates: readonly MessageFate[],
	edits: readonly PartEdit[],
	folded: number | undefined,
): SummaryInputIndex {
	const { messages: window, tokens, options } = context;
	const inputMessages: number[] = [];
	const inputEdits: number[] = [];
	let summaryInputTokens = 0;
	let replacedTokens = 0;
	// R3: the summariser reads the cheap pass's edits only when asked to (see defaultSummaryInputSource).
	const isPruned = options.summaryInputSource === 'pruned';
	// `edits` is in window order, so each message's edits are the run at `nextEdit`.
	let nextEdit = 0;
	for (let i = 0; i < window.length; i++) {
		if (fates[i] !== 'summarized') continue;
		const message = window[i];
		if (message === undefined) continue;
		while (nextEdit < edits.length && (edits[nextEdit]?.message ?? i) < i) nextEdit++;
		let editsEnd = nextEdit;
		let freed = 0;
		for (let e = edits[editsEnd]; e !== undefined && e.message === i; e = edits[++editsEnd])
			freed += e.tokensBefore - e.tokensAfter;
		replacedTokens += (tokens[i] ?? 0) - freed;
		if (i === folded) continue;
		inputMessages.push(i);
		inputEdits.push(isPruned ? nextEdit : 0, isPruned ? editsEnd : 0);
		summaryInputTokens += (tokens[i] ?? 0) - (isPruned ? freed : 0);
	}
	return { messages: inputMessages, edits: inputEdits, tokens: summaryInputTokens, replacedTokens };
}

/**
 * The summary input, made on first read: detached copies of the input messages (with their edits when the input
 * is pruned). What the copies are made from is let go once they are made (the window's messages hold their raw
 * records).
 */
function lazySummaryInput(
	window: readonly Message[],
	edits: readonly PartEdit[],
	index: SummaryInputIndex,
): () => readonly Message[] {
	let summaryInput: readonly Message[] | undefined;
	let inputSource: { readonly window: readonly Message[]; readonly edits: readonly PartEdit[] } | undefined =
		{
			window,
			edits,
		};
	return () => {
		if (summaryInput === undefined) {
			const from = inputSource as NonNullable<typeof inputSource>;
			summaryInput = index.messages.map((i, k) => {
				const message = from.window[i] as Message;
				const first = index.edits[2 * k] ?? 0;
				const end = index.edits[2 * k + 1] ?? 0;
				return end > first
					? detachedMessage(message, from.edits.slice(first, end))
					: detachedWholeMessage(message);
			});
			inputSource = undefined;
		}
		return summaryInput;
	};
}

/** R9: the summary being extended: the one given in the options, else the folded summary's text without its prefix. */
function previousSummaryOf(
	options: ResolvedCompactionOptions,
	window: readonly Message[],
	folded: number | undefined,
): string | undefined {
	const foldedMessage = folded !== undefined ? window[folded] : undefined;
	return (
		options.previousSummary ??
		(foldedMessage !== undefined ? stripHandoffPrefix(textOf(foldedMessage)) : undefined)
	);
}

/**
 * R13: the synthetic message that stands for the removed messages: its kind, role, text, what it replaces and the
 * lines it spans.
 */
function planSyntheticMessage(
	context: PlanContext,
	fates: readonly MessageFate[],
	removed: readonly number[],
	kind: SyntheticKind,
	syntheticText: StrategyOutcome['syntheticText'],
	role: SyntheticMessagePlan['role'] | undefined,
	preservedValues: Readonly<Record<string, string>>,
): SyntheticMessagePlan {
	const { messages: window, tokens } = context;
	const first = window[removed[0] ?? 0];
	const last = window[removed[removed.length - 1] ?? 0];
	const text = syntheticText?.(preservedValues);
	return {
		kind,
		role: role ?? 'user',
		...(text !== undefined ? { text } : {}),
		replaces: {
			messages: removed.length,
			turns: countTurns(window, fates),
			tokens: removed.reduce((sum, i) => sum + (tokens[i] ?? 0), 0),
		},
		lines: { from: first?.lines.from ?? 0, to: last?.lines.to ?? 0 },
	};
}

/** Index of the system prompt that gets a note that earlier context was compacted, when the options ask for one. */
function decideSystemNote(
	options: ResolvedCompactionOptions,
	window: readonly Message[],
	fates: readonly MessageFate[],
	hasSynthetic: boolean,
): number | undefined {
	const firstMessage = window[0];
	return hasSynthetic &&
		options.shouldNoteSystemPrompt &&
		firstMessage !== undefined &&
		isSystemRole(firstMessage.role) &&
		fates[0] === 'kept' &&
		!textOf(firstMessage).includes(systemPromptNote)
		? 0
		: undefined;
}

/** What besides the kept messages and edits the compacted window holds. */
interface AddedContent {
	readonly synthetic: SyntheticMessagePlan | undefined;
	readonly summaryBudgetTokens: number;
	readonly preservedValues: Readonly<Record<string, string>>;
	readonly activeTask: CompactionPlan['activeTask'];
	readonly interruptedCalls: number;
	readonly systemNote: number | undefined;
}

/**
 * Estimate of the compacted window: kept messages after edits, the synthetic message (a summary at its full
 * budget), stubs for interrupted calls and the system note. May be negative when edits overshoot; callers clamp.
 */
function estimateTokensAfter(
	context: PlanContext,
	fates: readonly MessageFate[],
	edits: readonly PartEdit[],
	added: AddedContent,
): number {
	const { tokens, counter } = context;
	const { synthetic, activeTask } = added;
	const overhead = messageOverhead(context);
	let estimatedTokensAfter = 0;
	fates.forEach((fate, i) => {
		if (fate === 'kept') estimatedTokensAfter += tokens[i] ?? 0;
	});
	for (const e of edits)
		if (fates[e.message] === 'kept') estimatedTokensAfter -= e.tokensBefore - e.tokensAfter;
	if (synthetic !== undefined) {
		const isWritten = synthetic.kind === 'summary' || synthetic.kind === 'rotation';
		estimatedTokensAfter +=
			overhead +
			(isWritten
				? counter.countText(handoffPrefix) +
					added.summaryBudgetTokens +
					counter.countText(preservedValuesBlock(added.preservedValues)) +
					(synthetic.kind === 'rotation' && activeTask !== undefined && !activeTask.looksFulfilled
						? counter.countText(activeTask.text)
						: 0)
				: counter.countText(synthetic.text ?? ''));
	}
	if (added.interruptedCalls > 0) {
		estimatedTokensAfter += added.interruptedCalls * (overhead + counter.countText(interruptedResultText));
	}
	if (added.systemNote !== undefined) estimatedTokensAfter += counter.countText(systemPromptNote);
	return estimatedTokensAfter;
}

/** The figures the preflight weighs. */
interface PreflightFigures {
	readonly removed: number;
	readonly inputCount: number;
	readonly tokensBefore: number;
	readonly estimatedTokensAfter: number;
	readonly summaryBudgetTokens: number;
}

/**
 * Whether the plan is worth running: refused, with a message saying why, when it changes nothing, leaves a summary
 * nothing new to read, or would not free tokens.
 */
function decidePreflight(
	options: ResolvedCompactionOptions,
	outcome: StrategyOutcome,
	edits: readonly PartEdit[],
	figures: PreflightFigures,
	messages: number,
): Preflight {
	const { inputCount, tokensBefore, estimatedTokensAfter } = figures;
	let changed = figures.removed;
	for (const e of edits) if (e.kind !== 'orphanResult') changed++;
	const isSummaryStyle = options.strategy === 'summarize' || options.strategy === 'rotate';
	if (changed === 0 || (isSummaryStyle && inputCount === 0)) {
		return {
			ok: false,
			reason: 'nothingToCompact',
			message:
				isSummaryStyle && outcome.folded !== undefined && inputCount === 0
					? 'Nothing to compact: nothing new has happened outside the protected tail since the last compaction.'
					: nothingToCompactMessage(options, outcome.regions, outcome.cheap, messages, tokensBefore),
		};
	}
	if (estimatedTokensAfter >= tokensBefore) {
		return {
			ok: false,
			reason: 'nothingToCompact',
			message:
				`Compacting would not free tokens: the window holds ${formatCount(tokensBefore)} tokens and the result would take ` +
				`about ${formatCount(estimatedTokensAfter)}${isSummaryStyle ? ` with a summary of up to ${formatCount(figures.summaryBudgetTokens)} tokens` : ''}.`,
		};
	}
	return { ok: true };
}

/** How many messages are kept, summarised and dropped, and how many kept ones are edited. */
function countFates(fates: readonly MessageFate[], edits: readonly PartEdit[]): CompactionPlan['counts'] {
	// `edits` is in window order, so each edited kept message is counted at its first edit.
	let editedMessages = 0;
	for (let k = 0; k < edits.length; k++) {
		const e = edits[k] as PartEdit;
		if (fates[e.message] === 'kept' && edits[k - 1]?.message !== e.message) editedMessages++;
	}
	const fateCounts = { kept: 0, summarized: 0, dropped: 0 };
	for (const fate of fates) fateCounts[fate]++;
	return { ...fateCounts, edited: editedMessages };
}

/** C4: the rotation figures of a rotate plan: the old session, how full its window is and whether rotating is due. */
function rotationOf(
	options: ResolvedCompactionOptions,
	transcript: Transcript,
	tokensBefore: number,
): NonNullable<CompactionPlan['rotation']> {
	const percentOfWindow = options.contextWindow > 0 ? (tokensBefore / options.contextWindow) * 100 : 0;
	return {
		...(transcript.meta.sessionId !== undefined ? { oldSessionId: transcript.meta.sessionId } : {}),
		contextTokens: tokensBefore,
		percentOfWindow,
		isDue: options.contextWindow > 0 && tokensBefore >= options.contextWindow * options.rotationRatio,
	};
}

/**
 * Plans a compaction of the transcript's window: pure, no I/O and no model call. Regions (R4/R5/H7/G4), the cheap
 * pass (R3/H4), what each message becomes, tool-pair repairs (R14/H8), the synthetic message's role (R13) and the
 * summary budget (R6) are all decided here, so the review UI can show them before anything runs. O(messages + parts)
 * plus one token count per message.
 */
export function planCompaction(transcript: Transcript, options: CompactionOptions): CompactionPlan {
	const setup = setUpPlan(transcript, options);
	const { resolved, window, n, tokens, tokensBefore, context } = setup;
	const id = setup.id();
	const triggerTokens = triggerTokensFor(
		resolved.contextWindow,
		resolved.triggerRatio,
		resolved.triggerFloorTokens,
	);

	const fates: MessageFate[] = new Array<MessageFate>(n).fill('kept');
	const outcome = planStrategy(context, fates, transcript, setup.id);
	const { edits, interruptedCalls } = repairToolPairEdits(context, fates, outcome);

	const removed: number[] = [];
	fates.forEach((fate, i) => {
		if (fate !== 'kept') removed.push(i);
	});
	const hasSynthetic = outcome.syntheticKind !== undefined && removed.length > 0;
	const layoutPlan = buildLayout(
		context,
		fates,
		interruptedCalls,
		hasSynthetic ? outcome.syntheticAt : undefined,
	);

	const input = indexSummaryInput(context, fates, edits, outcome.folded);
	const summaryBudgetTokens = summaryBudgetFor(
		input.replacedTokens,
		resolved.contextWindow,
		resolved.summaryRatio,
	);
	const previousSummary = previousSummaryOf(resolved, window, outcome.folded);
	const activeTask = latestRequest(window, findActiveTask(window), transcript.meta.eventRequests);
	const preservedValues = findPreservedValues(window, removed, resolved.outputKeys);

	const synthetic =
		hasSynthetic && outcome.syntheticKind !== undefined
			? planSyntheticMessage(
					context,
					fates,
					removed,
					outcome.syntheticKind,
					outcome.syntheticText,
					layoutPlan.syntheticRole,
					preservedValues,
				)
			: undefined;
	const systemNote = decideSystemNote(resolved, window, fates, synthetic !== undefined);
	const estimatedTokensAfter = estimateTokensAfter(context, fates, edits, {
		synthetic,
		summaryBudgetTokens,
		preservedValues,
		activeTask,
		interruptedCalls: interruptedCalls.length,
		systemNote,
	});
	const summaryInputOf = lazySummaryInput(window, edits, input);
	const inputCount = input.messages.length;
	const isSummaryStyle = resolved.strategy === 'summarize' || resolved.strategy === 'rotate';
	const pinned = pinnedFiguresOf(context);
	const preflight = decidePreflight(
		resolved,
		outcome,
		edits,
		{ removed: removed.length, inputCount, tokensBefore, estimatedTokensAfter, summaryBudgetTokens },
		n,
	);

	return {
		version: 1,
		id,
		strategy: resolved.strategy,
		options: resolved,
		source: {
			format: transcript.format,
			...(transcript.meta.sessionId !== undefined ? { sessionId: transcript.meta.sessionId } : {}),
		},
		messageIds: window.map((m) => m.id),
		messageTokens: tokens,
		tokensBefore,
		triggerTokens,
		regions: outcome.regions,
		fates,
		counts: countFates(fates, edits),
		pruneCandidates: outcome.cheap.candidates,
		edits,
		interruptedCalls,
		...(synthetic !== undefined ? { synthetic } : {}),
		layout: layoutPlan.layout,
		...(systemNote !== undefined ? { systemNote } : {}),
		get summaryInput() {
			return summaryInputOf();
		},
		summaryInputTokens: input.tokens,
		summaryBudgetTokens,
		...(previousSummary !== undefined && previousSummary !== '' ? { previousSummary } : {}),
		...(outcome.folded !== undefined ? { foldedSummary: outcome.folded } : {}),
		...(activeTask !== undefined ? { activeTask } : {}),
		preservedValues,
		phases: outcome.phases,
		...(outcome.spill !== undefined ? { spill: outcome.spill } : {}),
		...(outcome.eviction !== undefined ? { eviction: outcome.eviction } : {}),
		...(resolved.strategy === 'rotate' ? { rotation: rotationOf(resolved, transcript, tokensBefore) } : {}),
		...(pinned !== undefined ? { pinned } : {}),
		estimatedTokensAfter: Math.max(0, estimatedTokensAfter),
		preflight,
		needsSummary: preflight.ok && isSummaryStyle && inputCount > 0,
	};
}
