import type { TokenCounting } from '../compaction/tokenCounting';
import { formatCount } from '../text/textCuts';
import type { WindowCounting } from '../tokens/measureWindow';
import { messagesInWindow, type Transcript } from '../transcript/model';
import type { AgentCompaction, CompactionTrigger } from './agentCompactions';
import type { AuditView, CompactionEntry } from './auditTypes';

export type { AuditLostFact, AuditView, CompactionEntry } from './auditTypes';
import { findAgentCompactions } from './agentCompactions';
import { rankLostFacts } from './rankLostFacts';
import { buildWindowTimeline } from './windowTimeline';

/** Most lost facts an entry lists; the counts cover the rest. */
export const maxListedLostFacts = 200;

const triggerWords: Readonly<Record<CompactionTrigger, string>> = {
	auto: 'automatic',
	manual: 'manual',
	unknown: '',
};

/** `2026-01-07 20:58 UTC` from an ISO time. */
function formatWhen(at: string | undefined): string | undefined {
	if (at === undefined) return undefined;
	const date = new Date(at);
	if (Number.isNaN(date.getTime())) return undefined;
	return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * One line per compaction, for `inspect` and the palette: `automatic compaction by the agent · line 158 ·
 * 2026-01-07 20:58 UTC · 155,979 tokens before (recorded) → summary 3,294 tokens · facts kept 39 of 126, lost 87`.
 */
export function describeCompaction(compaction: AgentCompaction): string {
	const how = triggerWords[compaction.trigger];
	const who = compaction.by === 'agent' ? 'by the agent' : 'by Context Lens';
	const parts = [`${how === '' ? 'compaction' : `${how} compaction`} ${who}`, `line ${compaction.line}`];
	const when = formatWhen(compaction.at);
	if (when !== undefined) parts.push(when);
	const before =
		compaction.preTokens !== undefined
			? `${formatCount(compaction.preTokens)} tokens before (${compaction.preTokensSource === 'recorded' ? 'recorded' : 'last recorded usage'})`
			: 'tokens before not recorded';
	parts.push(`${before} → summary ${formatCount(compaction.summaryTokens)} tokens`);
	const facts = compaction.lostFacts;
	if (facts === undefined) parts.push('the history it replaced is not in this file');
	else {
		const total = facts.kept.length + facts.lost.length;
		parts.push(
			`facts kept ${formatCount(facts.kept.length)} of ${formatCount(total)}, lost ${formatCount(facts.lost.length)}`,
		);
	}
	return parts.join(' · ');
}

/** A compaction as an entry of the editor's list. */
export function compactionEntry(
	transcript: Transcript,
	compaction: AgentCompaction,
	summaryRow: number | undefined,
	hasRestoreTarget: boolean,
): CompactionEntry {
	const facts = compaction.lostFacts;
	return {
		index: compaction.index,
		by: compaction.by,
		trigger: compaction.trigger,
		...(compaction.at !== undefined ? { at: compaction.at } : {}),
		line: compaction.line,
		...(compaction.preTokens !== undefined ? { preTokens: compaction.preTokens } : {}),
		...(compaction.preTokensSource !== undefined ? { preTokensSource: compaction.preTokensSource } : {}),
		summaryTokens: compaction.summaryTokens,
		...(summaryRow !== undefined ? { summaryRow } : {}),
		replacedMessages: compaction.replacedMessages,
		...(facts !== undefined
			? { facts: { kept: facts.kept.length, lost: facts.lost.length, retention: facts.retention } }
			: {}),
		lostFacts: rankLostFacts(facts?.lost ?? [], maxListedLostFacts).map((a) => ({
			kind: a.kind,
			value: a.value,
			messageIndex: a.messageIndex,
			messageId: a.messageId,
			source: a.source,
			line: transcript.messages[a.messageIndex]?.lines.from ?? 0,
		})),
		description: describeCompaction(compaction),
		canRestore: hasRestoreTarget && (facts?.lost.length ?? 0) > 0,
	};
}

/**
 * Everything the editor's audit shows for a transcript: each compaction as an entry, and the timeline of the window
 * with the model's window and the two thresholds as rules. A restore goes into the summary that opens today's
 * window, so it is offered only while the newest compaction's summary is still there.
 */
export function buildAuditView(
	transcript: Transcript,
	counter: TokenCounting & WindowCounting,
	rules: {
		readonly contextWindow: number;
		readonly compactionTokens: number;
		readonly rotationTokens: number;
	},
): AuditView {
	const compactions = findAgentCompactions(transcript, counter);
	const rowOf = new Map(messagesInWindow(transcript).map((m, i) => [m, i]));
	const newest = compactions[compactions.length - 1];
	const newestSummary = newest !== undefined ? transcript.messages[newest.span.summary] : undefined;
	const hasRestoreTarget = newestSummary !== undefined && rowOf.has(newestSummary);
	return {
		compactions: compactions.map((c) => {
			const summary = transcript.messages[c.span.summary];
			return compactionEntry(
				transcript,
				c,
				summary !== undefined ? rowOf.get(summary) : undefined,
				hasRestoreTarget,
			);
		}),
		timeline: buildWindowTimeline(transcript, counter, compactions),
		...rules,
	};
}
