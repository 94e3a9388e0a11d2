import { stripHandoffPrefix } from '../compaction/handoff';
import { textOf } from '../compaction/messageParts';
import type { CompactionOptions } from '../compaction/options';
import type { CompactionPlan } from '../compaction/plan';
import { planCompaction } from '../compaction/planCompaction';
import { messagesInWindow, type Message, type Transcript } from '../transcript/model';
import type { AgentCompaction } from './agentCompactions';

/**
 * The plan with its summary where the agent put it, as a message of its own with the original's role: the layout
 * may have merged it into the next turn (R13), which the agent's own file did not do, and a restore changes only
 * the summary's text.
 */
function standaloneSummary(plan: CompactionPlan, original: Message | undefined): CompactionPlan {
	const synthetic = plan.synthetic;
	if (synthetic === undefined || original === undefined) return plan;
	const layout = plan.layout.flatMap((slot) => {
		if (slot.kind !== 'message' || slot.hasSynthetic !== true) return [slot];
		const { hasSynthetic: _merged, ...rest } = slot;
		return [{ kind: 'synthetic' as const }, rest];
	});
	return { ...plan, layout, synthetic: { ...synthetic, role: original.role } };
}

/** A plan that rewrites only the window's summary message, and the summary text it starts from. */
export type SummaryRestorePlan =
	| {
			readonly ok: true;
			/** Every window message kept but the summary, which the review's (edited) summary replaces. */
			readonly plan: CompactionPlan;
			/** The summary the window holds now, without a Context Lens handoff prefix (Apply adds its own). */
			readonly summary: string;
			/** Window index of the summary message. */
			readonly summaryRow: number;
	  }
	| { readonly ok: false; readonly message: string };

/**
 * Plans the rewrite of the summary the newest compaction left in the window, so the person can add back facts a
 * compaction lost and apply it like any compaction (a new session file; the original is untouched): the region
 * planner is asked for a head that ends at the summary and a tail that starts right after it, so the middle is the
 * summary alone, and the plan is checked to change nothing else. Fails with a sentence when the summary is no
 * longer in the window or the window cannot be cut around it.
 */
export function planSummaryRestore(
	transcript: Transcript,
	newest: AgentCompaction,
	options: Pick<CompactionOptions, 'counter' | 'contextWindow'>,
): SummaryRestorePlan {
	const window = messagesInWindow(transcript);
	const summaryMessage = transcript.messages[newest.span.summary];
	const row = summaryMessage === undefined ? -1 : window.indexOf(summaryMessage);
	if (row < 0)
		return {
			ok: false,
			message:
				'The summary of the newest compaction is no longer in the window, so there is nothing to restore into.',
		};
	const plan = planCompaction(transcript, {
		...options,
		strategy: 'summarize',
		headMessages: row,
		keepRecentMessages: window.length - row - 1,
		isPhaseGraduated: false,
		shouldNoteSystemPrompt: false,
	});
	const isSummaryAlone =
		plan.regions.middle.from === row &&
		plan.regions.middle.to === row + 1 &&
		plan.synthetic?.kind === 'summary' &&
		plan.fates.every((fate, i) => (i === row ? fate === 'summarized' : fate === 'kept')) &&
		plan.edits.every((e) => e.kind === 'orphanResult');
	if (!isSummaryAlone)
		return {
			ok: false,
			message: `The summary (message ${row + 1}) cannot be rewritten on its own: the messages around it would change too.`,
		};
	// The preflight weighs whether a compaction frees tokens; a restore adds them on purpose, so it always runs.
	return {
		ok: true,
		plan: standaloneSummary({ ...plan, preflight: { ok: true }, needsSummary: false }, summaryMessage),
		summary: stripHandoffPrefix(textOf(summaryMessage as NonNullable<typeof summaryMessage>)),
		summaryRow: row,
	};
}
