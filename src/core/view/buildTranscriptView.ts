import type { BudgetCategory, BudgetReport } from '../budget/budgetReport';
import type { CompactionPlan, PartEdit } from '../compaction/plan';
import type { Message, Part, PartKind, Transcript } from '../transcript/model';
import { messagesInWindow } from '../transcript/model';
import type {
	GaugeView,
	MessageDetails,
	MessageRow,
	PartDetail,
	PinnedReviewView,
	PlanView,
	PruneMark,
	TranscriptView,
} from './viewModel';
import { maxDetailChars, maxPreviewChars, regionOf } from './viewModel';
import { showControlChars } from './visibleText';

/** Gauge categories in legend order: what the file does not show first, as the request sends it first. */
export const gaugeCategoryOrder: readonly BudgetCategory[] = Object.freeze([
	'hidden',
	'system',
	'user',
	'assistant',
	'thinking',
	'toolCalls',
	'toolResults',
	'images',
]);

// Only this much of a part is looked at for a preview, so a 1 MB tool result costs no more than a short one.
const previewScanChars = maxPreviewChars * 4;

/**
 * Collapses whitespace to single spaces, shows control characters as visible symbols and clips to `maxChars`
 * (ending in … when cut); never contains a line break or a control character.
 */
export function oneLine(text: string, maxChars: number = maxPreviewChars): string {
	const scanLimit = maxChars * 4;
	const isCut = text.length > scanLimit;
	const flat = showControlChars((isCut ? text.slice(0, scanLimit) : text).replace(/\s+/g, ' ').trim());
	if (flat.length > maxChars || (isCut && flat.length === maxChars)) return `${flat.slice(0, maxChars - 1)}…`;
	return isCut ? `${flat}…` : flat;
}

function partPreview(part: Part, toolNames: ReadonlyMap<string, string>): string {
	switch (part.kind) {
		case 'text':
		case 'thinking':
		case 'opaque':
			return part.text.slice(0, previewScanChars);
		case 'toolCall':
			return `${part.name} ${part.argumentsText.slice(0, previewScanChars)}`;
		case 'toolResult':
			return `${toolNames.get(part.callId) ?? 'result'}${part.isError ? ' (error)' : ''}: ${part.text.slice(0, previewScanChars)}`;
		case 'image':
			return `[image ${part.mediaType}${part.widthPx !== undefined && part.heightPx !== undefined ? ` ${part.widthPx}×${part.heightPx}` : ''}]`;
	}
}

/** The one-line preview of a message: its first text part, else its first part of any kind; at most `maxPreviewChars`. */
export function previewMessage(message: Message, toolNames: ReadonlyMap<string, string>): string {
	const text = message.parts.find((p) => p.kind === 'text' && p.text.trim() !== '');
	const first = text ?? message.parts.find((p) => p.kind !== 'thinking' || p.text !== '') ?? message.parts[0];
	return first === undefined ? '' : oneLine(partPreview(first, toolNames));
}

/** Tool name of every call id in `messages`, for labelling results. */
export function toolNamesByCallId(messages: readonly Message[]): Map<string, string> {
	const names = new Map<string, string>();
	for (const m of messages) for (const p of m.parts) if (p.kind === 'toolCall') names.set(p.callId, p.name);
	return names;
}

function firstToolName(message: Message, toolNames: ReadonlyMap<string, string>): string | undefined {
	for (const p of message.parts) {
		if (p.kind === 'toolCall') return p.name;
		if (p.kind === 'toolResult') {
			const name = toolNames.get(p.callId);
			if (name !== undefined) return name;
		}
	}
	return undefined;
}

function distinctKinds(message: Message): PartKind[] {
	const kinds: PartKind[] = [];
	for (const p of message.parts) if (!kinds.includes(p.kind)) kinds.push(p.kind);
	return kinds;
}

function pruneMarkOf(kind: PartEdit['kind']): PruneMark | undefined {
	// R3/H4: only the cheap pre-pass's edits are prune candidates; structure/cap edits belong to other strategies.
	if (kind === 'dedup') return 'dedup';
	if (kind === 'toolOutput' || kind === 'arguments') return 'prune';
	return undefined;
}

const noPins = Object.freeze({ messages: [], partners: [], tokens: 0 });

/** The pinned messages of a plan as the review lists them, with previews from the window they index. */
export function buildPinnedReviewView(
	pinned: CompactionPlan['pinned'],
	window: readonly Message[],
	messageTokens: readonly number[],
): PinnedReviewView {
	if (pinned === undefined) return { messages: [], partners: 0, tokens: 0 };
	const toolNames = toolNamesByCallId(window);
	return {
		messages: pinned.messages.flatMap((index) => {
			const message = window[index];
			if (message === undefined) return [];
			return [
				{
					index,
					role: message.role,
					tokens: messageTokens[index] ?? 0,
					preview: previewMessage(message, toolNames),
					line: message.lines.from,
				},
			];
		}),
		partners: pinned.partners.length,
		tokens: pinned.tokens,
	};
}

/** The region map's view of a plan: bands, one fate per row, prune marks; small enough to re-send on every what-if. */
export function buildPlanView(plan: CompactionPlan): PlanView {
	const prune: Record<number, PruneMark> = {};
	for (const edit of plan.edits) {
		const mark = pruneMarkOf(edit.kind);
		// A dedup mark wins over a shrink mark on the same message: the whole result is a repeat.
		if (mark !== undefined && prune[edit.message] !== 'dedup') prune[edit.message] = mark;
	}
	const { options } = plan;
	const candidates = plan.pruneCandidates;
	return {
		planId: plan.id,
		strategy: plan.strategy,
		whatIf: {
			strategy: plan.strategy,
			focus: options.focus ?? '',
			headMessages: options.headMessages,
			tailRatio: options.tailRatio,
			triggerRatio: options.triggerRatio,
		},
		regions: { head: plan.regions.head, middle: plan.regions.middle, tail: plan.regions.tail },
		fates: plan.fates,
		prune,
		pruneTokens: {
			total: candidates.tokens,
			dedup: candidates.byKind.dedup,
			toolOutput: candidates.byKind.toolOutput,
			arguments: candidates.byKind.arguments,
		},
		counts: plan.counts,
		tokensBefore: plan.tokensBefore,
		estimatedTokensAfter: plan.estimatedTokensAfter,
		compactionTokens: plan.triggerTokens,
		summaryBudgetTokens: plan.summaryBudgetTokens,
		pinned: plan.pinned ?? noPins,
		...(plan.preflight.ok ? {} : { nothingToCompact: plan.preflight.message }),
	};
}

/** The gauge's numbers from a budget report and the plan's thresholds. */
export function buildGaugeView(report: BudgetReport, plan: CompactionPlan): GaugeView {
	const recorded = report.tokens.recorded;
	return {
		tokens: report.tokens.total,
		contextWindow: report.contextWindow,
		percentUsed: report.percentUsed,
		source: report.source,
		sourceErrorPct: report.sourceErrorPct,
		encoding: report.encoding,
		visibleTokens: report.tokens.visible,
		hiddenTokens: report.tokens.hidden,
		fixedTokens: report.tokens.fixed,
		...(recorded !== undefined ? { recorded } : {}),
		compactionTokens: plan.triggerTokens,
		rotationTokens: Math.round(plan.options.rotationRatio * report.contextWindow),
		summaryBudgetTokens: plan.summaryBudgetTokens,
		categories: gaugeCategoryOrder.map((category) => ({ category, tokens: report.tokens.byKind[category] })),
	};
}

/**
 * Everything the gauge, region map and message list show: one row per window message (the index the report and plan
 * use), previews clipped to `maxPreviewChars`, no full texts. Linear in the transcript's parts.
 */
export function buildTranscriptView(
	transcript: Transcript,
	report: BudgetReport,
	plan: CompactionPlan,
): TranscriptView {
	const window = messagesInWindow(transcript);
	const toolNames = toolNamesByCallId(window);
	const planView = buildPlanView(plan);
	const rows: MessageRow[] = window.map((message, index) => {
		const toolName = firstToolName(message, toolNames);
		const prune = planView.prune[index];
		return {
			index,
			id: message.id,
			role: message.role,
			tokens: report.messageTokens[index] ?? plan.messageTokens[index] ?? 0,
			kinds: distinctKinds(message),
			...(toolName !== undefined ? { toolName } : {}),
			preview: previewMessage(message, toolNames),
			region: regionOf(planView, index),
			fate: plan.fates[index] ?? 'kept',
			...(prune !== undefined ? { prune } : {}),
			isPruneCandidate: prune !== undefined,
			isError: message.flags.isError || message.parts.some((p) => p.kind === 'toolResult' && p.isError),
			line: message.lines.from,
		};
	});
	const meta = transcript.meta;
	return {
		header: {
			format: transcript.format,
			...(report.model !== undefined ? { model: report.model } : {}),
			...(meta.sessionId !== undefined ? { sessionId: meta.sessionId } : {}),
			...(meta.title !== undefined ? { title: meta.title } : {}),
			file: report.file,
			messagesInFile: report.messagesInFile,
		},
		gauge: buildGaugeView(report, plan),
		plan: planView,
		rows,
		largest: report.largest.map((l) => l.index),
	};
}

function clip(text: string): { text: string; isClipped: boolean } {
	return text.length > maxDetailChars
		? { text: text.slice(0, maxDetailChars), isClipped: true }
		: { text, isClipped: false };
}

function partDetail(part: Part, toolNames: ReadonlyMap<string, string>): PartDetail {
	switch (part.kind) {
		case 'text':
			return { kind: part.kind, label: 'text', ...clip(part.text) };
		case 'thinking':
			return {
				kind: part.kind,
				label: part.isRedacted ? 'thinking (redacted)' : 'thinking',
				...clip(part.text),
			};
		case 'toolCall':
			return { kind: part.kind, label: `call ${part.name} · ${part.callId}`, ...clip(part.argumentsText) };
		case 'toolResult': {
			const name = toolNames.get(part.callId) ?? 'tool';
			const images = part.images.length > 0 ? ` · ${part.images.length} image(s)` : '';
			return {
				kind: part.kind,
				label: `result of ${name}${part.isError ? ' (error)' : ''}${images} · ${part.callId}`,
				...clip(part.text),
			};
		}
		case 'image': {
			const size =
				part.widthPx !== undefined && part.heightPx !== undefined ? ` ${part.widthPx}×${part.heightPx}` : '';
			return {
				kind: part.kind,
				label: `image ${part.mediaType}${size}`,
				text: `${part.byteLength} bytes`,
				isClipped: false,
			};
		}
		case 'opaque':
			return { kind: part.kind, label: part.label, ...clip(part.text) };
	}
}

/** The details of window message `index` (part texts clipped to `maxDetailChars`), or undefined when out of range. */
export function buildMessageDetails(
	transcript: Transcript,
	index: number,
	tokens: number,
	window: readonly Message[] = messagesInWindow(transcript),
): MessageDetails | undefined {
	const message = window[index];
	if (message === undefined) return undefined;
	const toolNames = toolNamesByCallId(window);
	return {
		index,
		id: message.id,
		role: message.role,
		tokens,
		line: message.lines.from,
		...(message.timestamp !== undefined ? { timestamp: message.timestamp } : {}),
		parts: message.parts.map((p) => partDetail(p, toolNames)),
	};
}
