import { extractArtifacts } from '../../facts/extractArtifacts';
import type { Artifact } from '../../facts/extractArtifacts';
import { makeFlags } from '../../transcript/model';
import type { Message } from '../../transcript/model';
import type { Summarizer, SummaryOutcome, SummaryRequest } from '../../compaction/summarizer';
import { focusTermsOf } from '../../text/focusTerms';
import { composeHandoff, previousSummaryId } from './composeHandoff';
import type { HandoffModel } from './composeHandoff';
import { digestSession } from './digestSession';
import { fitHandoff } from './fitHandoff';
import { parseHandoff } from './handoffSections';

/** Options of the offline summariser. */
export interface OfflineSummarizerOptions {
	/**
	 * At most this many Completed Actions are written out in full; older ones collapse into a tally that still
	 * lists their commands (default: no limit).
	 */
	readonly maxCompletedActions?: number;
}

function summaryText(message: Message): string {
	return message.parts
		.map((p) => (p.kind === 'text' ? p.text : ''))
		.join('\n')
		.trim();
}

function previousSummaryMessage(text: string): Message {
	return {
		id: previousSummaryId,
		role: 'assistant',
		parts: [{ kind: 'text', text }],
		flags: makeFlags({ isSummary: true }),
		lines: { from: 0, to: 0 },
		raw: [],
	};
}

function mergeArtifacts(first: readonly Artifact[], second: readonly Artifact[]): Artifact[] {
	const seen = new Set(first.map((a) => `${a.kind}\u0000${a.value}`));
	return [...first, ...second.filter((a) => !seen.has(`${a.kind}\u0000${a.value}`))];
}

function limitActions(model: HandoffModel, max: number | undefined): HandoffModel {
	return max === undefined ? model : { ...model, maxDetailedActions: Math.max(0, Math.floor(max)) };
}

/**
 * Summarises the messages without a model (R8 template filled from the messages themselves): deterministic, within
 * `request.budgetTokens` as counted by `request.countTokens`, updating `request.previousSummary` (R9, G4), giving the
 * focus terms most of the budget (R10) and carrying preserved values verbatim (H5).
 */
export function summarizeOffline(
	request: SummaryRequest,
	options: OfflineSummarizerOptions = {},
): SummaryOutcome {
	if (!(request.budgetTokens >= 1)) {
		return {
			ok: false,
			reason: 'failed',
			message: `The summary budget must be at least 1 token (got ${request.budgetTokens}).`,
		};
	}
	let messages = request.messages;
	let previous = request.previousSummary;
	if (previous === undefined) {
		// A summary already in the transcript is the fold so far (G4): update it instead of re-reading what it replaced.
		let at = -1;
		messages.forEach((m, i) => {
			if (m.flags.isSummary) at = i;
		});
		const earlier = at >= 0 ? messages[at] : undefined;
		if (earlier !== undefined) {
			previous = summaryText(earlier);
			messages = messages.slice(at + 1);
		}
	}
	const hasPrevious = previous !== undefined && previous.trim() !== '';
	const artifacts = mergeArtifacts(
		hasPrevious ? extractArtifacts([previousSummaryMessage(previous ?? '')]) : [],
		extractArtifacts(messages),
	);
	const digest = digestSession(
		messages,
		artifacts.filter((a) => a.messageId !== previousSummaryId),
	);
	const model = composeHandoff({
		digest,
		artifacts,
		...(hasPrevious ? { previous: parseHandoff(previous ?? '') } : {}),
		...(request.activeTask !== undefined
			? { activeTask: request.activeTask, activeTaskLooksDone: request.activeTaskLooksDone === true }
			: {}),
		focusTerms: focusTermsOf(request.focus),
		...(request.preservedValues !== undefined ? { preservedValues: request.preservedValues } : {}),
	});
	const fitted = fitHandoff(
		limitActions(model, options.maxCompletedActions),
		request.budgetTokens,
		request.countTokens,
	);
	if (fitted === undefined) {
		return {
			ok: false,
			reason: 'failed',
			message: `A budget of ${request.budgetTokens} tokens cannot hold even the Active Task heading; raise the summary budget.`,
		};
	}
	return { ok: true, text: fitted.text, model: 'offline' };
}

/** The offline summariser (id `offline`): no network, no model, the same request always gives the same text. */
export function createOfflineSummarizer(options: OfflineSummarizerOptions = {}): Summarizer {
	return {
		id: 'offline',
		summarize(request: SummaryRequest, signal: AbortSignal): Promise<SummaryOutcome> {
			if (signal.aborted)
				return Promise.resolve({ ok: false, reason: 'cancelled', message: 'The summary was cancelled.' });
			return Promise.resolve(summarizeOffline(request, options));
		},
	};
}
