import type { Message, Part, Transcript } from '../transcript/model';
import { makeFlags, messagesInWindow } from '../transcript/model';
import {
	droppedMiddleMarker,
	handoffPrefix,
	interruptedResultText,
	mergedSummarySeparator,
	preservedValuesBlock,
	systemPromptNote,
	withHandoffPrefix,
} from './handoff';
import { renderPart } from './messageParts';
import { applyPartEdits, editsByMessage } from './partEdits';
import type { CompactionPlan, InterruptedCall } from './plan';

/** Whether a plan still fits a transcript: same format and the window still starts with the planned messages. */
export type PlanFit = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Checks that `plan` was made for this transcript; messages appended since planning are allowed (they stay, after the tail). */
export function checkPlanFits(plan: CompactionPlan, transcript: Transcript): PlanFit {
	if (plan.source.format !== transcript.format) {
		return {
			ok: false,
			message: `the plan is for a ${plan.source.format} transcript, not ${transcript.format}`,
		};
	}
	const window = messagesInWindow(transcript);
	if (window.length < plan.messageIds.length) {
		return {
			ok: false,
			message: `the transcript now has ${window.length} messages in its window, the plan was made for ${plan.messageIds.length}; plan again`,
		};
	}
	for (let i = 0; i < plan.messageIds.length; i++) {
		if (window[i]?.id !== plan.messageIds[i]) {
			return {
				ok: false,
				message: `window message ${i} changed since the plan was made (line ${window[i]?.lines.from ?? '?'}); plan again`,
			};
		}
	}
	return { ok: true };
}

/**
 * The text of the message that stands for what left the window: the summary behind the handoff prefix (R11, G3),
 * or R12's static marker when there is no summary; preserved values (H5) and, for a rotation, the active task (C4)
 * are added when the summary does not already carry them. Deterministic strategies use the plan's own text.
 */
export function syntheticText(plan: CompactionPlan, summary: string | undefined): string {
	const synthetic = plan.synthetic;
	if (synthetic === undefined) return '';
	if (synthetic.text !== undefined) return synthetic.text;
	const hasSummary = summary !== undefined && summary.trim() !== '';
	const sections = [
		hasSummary
			? withHandoffPrefix(summary)
			: `${handoffPrefix}\n\n${droppedMiddleMarker(synthetic.replaces.messages, synthetic.replaces.turns)}`,
	];
	const missing = Object.fromEntries(
		Object.entries(plan.preservedValues).filter(([k, v]) => !(hasSummary && summary.includes(`${k}: ${v}`))),
	);
	const block = preservedValuesBlock(missing);
	if (block !== '') sections.push(block);
	const task = plan.activeTask;
	if (
		synthetic.kind === 'rotation' &&
		task !== undefined &&
		!task.looksFulfilled &&
		!(hasSummary && summary.includes(task.text))
	) {
		sections.push(`## Active Task (verbatim, the request to continue with)\n${task.text}`);
	}
	return sections.join('\n\n');
}

function stubPart(call: InterruptedCall): Part {
	return { kind: 'toolResult', callId: call.callId, text: interruptedResultText, isError: true, images: [] };
}

/** Inserts a text part after any leading tool results and thinking (the Anthropic API wants those first). */
function insertAfterResults(parts: Part[], text: string): Part[] {
	let at = 0;
	while (at < parts.length && (parts[at]?.kind === 'toolResult' || parts[at]?.kind === 'thinking')) at++;
	return [...parts.slice(0, at), { kind: 'text', text }, ...parts.slice(at)];
}

/**
 * Assembles the compacted transcript from a plan: head and tail verbatim, kept middle messages with their edits,
 * the summary (or marker or reference) as a message flagged `isSummary` or merged into its neighbour (R13),
 * interrupted-call results (R14/H8), and the one-time system note (R11). Unchanged messages and parts are the
 * same objects (with `raw`); changed parts are new objects without `raw`; created messages get ids derived from the
 * plan id. Format, meta and passthrough records stay; only window messages are kept. Messages appended after
 * planning follow the tail. Throws when the plan does not fit the transcript (check with `checkPlanFits` first).
 */
export function applyPlan(
	transcript: Transcript,
	plan: CompactionPlan,
	summary: string | undefined,
): Transcript {
	const fit = checkPlanFits(plan, transcript);
	if (!fit.ok) throw new Error(`applyPlan: ${fit.message}`);
	const window = messagesInWindow(transcript);
	const edits = editsByMessage(plan.edits);
	const text = syntheticText(plan, summary);
	const merged = `${text}\n\n${mergedSummarySeparator}`;
	const removedAt = plan.fates.findIndex((f) => f !== 'kept');
	const lastRemoved = plan.fates.findLastIndex((f) => f !== 'kept');
	const timestamp = window[lastRemoved]?.timestamp ?? window[removedAt]?.timestamp;
	const out: Message[] = [];
	for (const slot of plan.layout) {
		if (slot.kind === 'synthetic') {
			out.push({
				id: `${plan.id}-summary`,
				role: plan.synthetic?.role ?? 'user',
				parts: [{ kind: 'text', text }],
				flags: makeFlags({ isSummary: true }),
				lines: plan.synthetic?.lines ?? { from: 0, to: 0 },
				raw: [],
				...(timestamp !== undefined ? { timestamp } : {}),
			});
			continue;
		}
		if (slot.kind === 'stubs') {
			const call = window[slot.calls[0]?.message ?? 0];
			let parts = slot.calls.map(stubPart);
			if (slot.hasSynthetic === true) parts = insertAfterResults(parts, merged);
			out.push({
				id: `${plan.id}-interrupted-${slot.calls.map((c) => c.callId).join('-')}`,
				role: slot.role,
				parts,
				flags: makeFlags({ isError: true }),
				lines: call?.lines ?? { from: 0, to: 0 },
				raw: [],
				...(call?.timestamp !== undefined ? { timestamp: call.timestamp } : {}),
			});
			continue;
		}
		const base = window[slot.message];
		if (base === undefined) continue;
		const messageEdits = edits.get(slot.message);
		const isNoted = plan.systemNote === slot.message;
		if (messageEdits === undefined && slot.stubs === undefined && slot.hasSynthetic !== true && !isNoted) {
			out.push(base);
			continue;
		}
		let parts = applyPartEdits(base.parts, messageEdits);
		if (isNoted) parts.push({ kind: 'text', text: systemPromptNote });
		if (slot.hasSynthetic === true) parts = insertAfterResults(parts, merged);
		if (slot.stubs !== undefined) parts = [...slot.stubs.map(stubPart), ...parts];
		out.push({ ...base, parts });
	}
	out.push(...window.slice(plan.messageIds.length));
	return { ...transcript, messages: out };
}

/**
 * H6: the spill file of a structure compaction: numbered entries holding everything the plan moved out of the
 * window, in window order; undefined when the plan spills nothing. Throws when the plan does not fit the transcript.
 */
export function renderSpill(
	plan: CompactionPlan,
	transcript: Transcript,
): { fileName: string; text: string } | undefined {
	const spill = plan.spill;
	if (spill === undefined || spill.entries.length === 0) return undefined;
	const fit = checkPlanFits(plan, transcript);
	if (!fit.ok) throw new Error(`renderSpill: ${fit.message}`);
	const window = messagesInWindow(transcript);
	const blocks = [
		`# Context Lens spill file\n\nSession ${plan.source.sessionId ?? '(unknown)'} · plan ${plan.id} · ` +
			`${spill.entries.length} entries moved out of the context by a ${plan.strategy} compaction.`,
	];
	for (const entry of spill.entries) {
		const message = window[entry.message];
		const body = entry.parts
			.map((p) => message?.parts[p])
			.filter((p): p is Part => p !== undefined)
			.map(renderPart)
			.join('\n\n');
		const where = message !== undefined ? `line ${message.lines.from}` : 'unknown line';
		blocks.push(`## #${entry.number} · message ${entry.message} · ${entry.label} · ${where}\n\n${body}`);
	}
	return { fileName: spill.fileName, text: `${blocks.join('\n\n')}\n` };
}
