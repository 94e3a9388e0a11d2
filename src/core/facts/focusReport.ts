import { focusTermsOf, mentionsFocus } from '../text/focusTerms';
import type { Artifact } from './extractArtifacts';
import type { LostFactsReport } from './reportLostFacts';

/** What a `/compress <focus>` kept (R10), for the review and the CLI: facts about the focus and the summary's share. */
export interface FocusReport {
	readonly focus: string;
	/** The words the focus was matched by. */
	readonly terms: readonly string[];
	/** Facts of the compacted messages that mention the focus: how many the output kept, of how many. */
	readonly kept: number;
	readonly total: number;
	/** The kept facts about the focus, most telling first (what was said or acted on before what tools printed). */
	readonly keptExamples: readonly string[];
	/** The facts about the focus the output lost. */
	readonly lost: readonly string[];
	/** Share of the summary's characters on lines that mention the focus, in [0, 1]. */
	readonly summaryShare: number;
}

const exampleCount = 8;

function isTalk(a: Artifact): boolean {
	return a.source === 'user' || a.source === 'assistant';
}

/** Share of `text`'s non-blank characters on lines that mention a focus term. */
export function focusShareOf(text: string, terms: readonly string[]): number {
	let all = 0;
	let about = 0;
	for (const line of text.split('\n')) {
		const size = line.trim().length;
		all += size;
		if (mentionsFocus(line, terms)) about += size;
	}
	return all === 0 ? 0 : about / all;
}

/**
 * The focus report of a compaction: which facts about the focus its output kept and lost (from the same lost-facts
 * report every surface shows) and how much of the summary is about the focus. Undefined without a usable focus.
 */
export function reportFocus(
	focus: string | undefined,
	facts: LostFactsReport | undefined,
	summary: string,
): FocusReport | undefined {
	const terms = focusTermsOf(focus);
	if (focus === undefined || terms.length === 0) return undefined;
	const about = (a: Artifact): boolean => a.kind !== 'activeTask' && mentionsFocus(a.value, terms);
	const kept = (facts?.kept ?? []).filter(about);
	const lost = (facts?.lost ?? []).filter(about);
	const ranked = [...kept].sort(
		(x, y) => Number(isTalk(y)) - Number(isTalk(x)) || x.value.length - y.value.length,
	);
	return {
		focus: focus.trim(),
		terms,
		kept: kept.length,
		total: kept.length + lost.length,
		keptExamples: ranked.slice(0, exampleCount).map((a) => a.value),
		lost: lost.map((a) => a.value),
		summaryShare: focusShareOf(summary, terms),
	};
}

/** The focus report in words, one line: `focus “codex”: kept 40 of 46 facts about it · 64% of the summary is about it`. */
export function describeFocusReport(report: FocusReport): string {
	const facts =
		report.total === 0
			? 'no fact of the compacted messages mentions it'
			: `kept ${report.kept} of ${report.total} ${report.total === 1 ? 'fact' : 'facts'} about it`;
	const share = Math.round(report.summaryShare * 100);
	return `focus “${report.focus}”: ${facts} · ${share}% of the summary is about it`;
}
