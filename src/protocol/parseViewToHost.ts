import type { StrategyName } from '../core/compaction/strategies';
import type { WhatIfOptions } from '../core/view/viewModel';
import type { ViewCommand, ViewKind, ViewToHost } from './messages';
import { viewCommands, viewKinds } from './messages';

/** Longest id (transcript or plan) accepted from a webview, in characters. */
export const maxIdChars = 4_096;

/** Longest summary text accepted from a webview, in characters (well above any summary budget). */
export const maxSummaryChars = 2_000_000;

/** Longest focus or log text accepted from a webview, in characters. */
export const maxShortTextChars = 10_000;

/** Largest head count a what-if may ask for. */
export const maxWhatIfHeadMessages = 1_000_000;

const strategyNames: ReadonlySet<string> = new Set<StrategyName>([
	'summarize',
	'structure',
	'structure-aggressive',
	'prune',
	'lru',
	'window',
	'tc-cap',
	'rotate',
]);

type Fields = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Fields {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown, maxChars: number): value is string {
	return typeof value === 'string' && value.length <= maxChars;
}

function isId(value: unknown): value is string {
	return isText(value, maxIdChars) && value !== '';
}

function isIndex(value: unknown): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isRatio(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

function parseWhatIf(value: unknown): WhatIfOptions | undefined {
	if (!isRecord(value)) return undefined;
	const { strategy, focus, headMessages, tailRatio, triggerRatio } = value;
	if (strategy !== undefined && !(typeof strategy === 'string' && strategyNames.has(strategy)))
		return undefined;
	if (focus !== undefined && !isText(focus, maxShortTextChars)) return undefined;
	if (headMessages !== undefined && !(isIndex(headMessages) && headMessages <= maxWhatIfHeadMessages))
		return undefined;
	if (tailRatio !== undefined && !isRatio(tailRatio)) return undefined;
	if (triggerRatio !== undefined && !isRatio(triggerRatio)) return undefined;
	// Rebuilt field by field so nothing the webview added beyond the protocol reaches the host.
	return {
		...(strategy !== undefined ? { strategy: strategy as StrategyName } : {}),
		...(focus !== undefined ? { focus } : {}),
		...(headMessages !== undefined ? { headMessages } : {}),
		...(tailRatio !== undefined ? { tailRatio } : {}),
		...(triggerRatio !== undefined ? { triggerRatio } : {}),
	};
}

/** The host edge's check of a webview message: a clean copy of a valid `ViewToHost`, or undefined for anything else. */
export function parseViewToHost(value: unknown): ViewToHost | undefined {
	if (!isRecord(value) || typeof value.type !== 'string') return undefined;
	const m = value;
	switch (m.type) {
		case 'ready':
			return typeof m.view === 'string' && (viewKinds as readonly string[]).includes(m.view)
				? { type: 'ready', view: m.view as ViewKind }
				: undefined;
		case 'plan/request': {
			if (!isIndex(m.requestId) || !isId(m.transcriptId)) return undefined;
			const whatIf = parseWhatIf(m.whatIf);
			return whatIf
				? { type: 'plan/request', requestId: m.requestId, transcriptId: m.transcriptId, whatIf }
				: undefined;
		}
		case 'message/details':
			return isIndex(m.requestId) && isId(m.transcriptId) && isIndex(m.index)
				? { type: 'message/details', requestId: m.requestId, transcriptId: m.transcriptId, index: m.index }
				: undefined;
		case 'message/pin': {
			if (!isIndex(m.requestId) || !isId(m.transcriptId) || !isIndex(m.index)) return undefined;
			if (typeof m.isPinned !== 'boolean') return undefined;
			const whatIf = parseWhatIf(m.whatIf);
			return whatIf
				? {
						type: 'message/pin',
						requestId: m.requestId,
						transcriptId: m.transcriptId,
						index: m.index,
						isPinned: m.isPinned,
						whatIf,
					}
				: undefined;
		}
		case 'message/reveal':
			return isId(m.transcriptId) && isIndex(m.index)
				? { type: 'message/reveal', transcriptId: m.transcriptId, index: m.index }
				: undefined;
		case 'summary/count':
			return isIndex(m.requestId) && isText(m.text, maxSummaryChars)
				? { type: 'summary/count', requestId: m.requestId, text: m.text }
				: undefined;
		case 'summary/accept':
		case 'summary/openDiff':
			return isId(m.planId) && isText(m.editedSummary, maxSummaryChars)
				? { type: m.type, planId: m.planId, editedSummary: m.editedSummary }
				: undefined;
		case 'summary/discard':
			return isId(m.planId) ? { type: 'summary/discard', planId: m.planId } : undefined;
		case 'summary/rerun':
			return isId(m.planId) && isText(m.focus, maxShortTextChars)
				? { type: 'summary/rerun', planId: m.planId, focus: m.focus }
				: undefined;
		case 'command/run':
			return typeof m.command === 'string' && (viewCommands as readonly string[]).includes(m.command)
				? { type: 'command/run', command: m.command as ViewCommand }
				: undefined;
		case 'log/error':
			return isText(m.message, maxShortTextChars) ? { type: 'log/error', message: m.message } : undefined;
		case 'compare/start':
			return isId(m.transcriptId) && isText(m.focus, maxShortTextChars)
				? { type: 'compare/start', transcriptId: m.transcriptId, focus: m.focus }
				: undefined;
		case 'compare/cancel':
			return isId(m.transcriptId) ? { type: 'compare/cancel', transcriptId: m.transcriptId } : undefined;
		case 'compare/open':
			return isId(m.transcriptId) &&
				typeof m.strategy === 'string' &&
				strategyNames.has(m.strategy) &&
				isText(m.focus, maxShortTextChars)
				? {
						type: 'compare/open',
						transcriptId: m.transcriptId,
						strategy: m.strategy as StrategyName,
						focus: m.focus,
					}
				: undefined;
		case 'audit/request':
			return isIndex(m.requestId) && isId(m.transcriptId)
				? { type: 'audit/request', requestId: m.requestId, transcriptId: m.transcriptId }
				: undefined;
		case 'audit/restore':
			return isId(m.transcriptId) && isIndex(m.compaction)
				? { type: 'audit/restore', transcriptId: m.transcriptId, compaction: m.compaction }
				: undefined;
		case 'source/reveal':
			return isId(m.transcriptId) && isIndex(m.line) && m.line >= 1
				? { type: 'source/reveal', transcriptId: m.transcriptId, line: m.line }
				: undefined;
		default:
			return undefined;
	}
}
