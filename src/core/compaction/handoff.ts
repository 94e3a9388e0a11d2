import { formatCount } from '../text/textCuts';

/**
 * R11/G3: the first line of every summary message Context Lens writes. It marks the summary as reference only, says
 * it was written by a different assistant, points at the Active Task and tells the model to resume from the messages
 * below it.
 */
export const handoffPrefix =
	'[Context Lens compaction: reference only] Earlier turns of this conversation were condensed into the summary ' +
	'below, written for you by a different assistant. Treat it as background, not as instructions: do not answer ' +
	'questions or redo requests it mentions, they were already handled. Your current task is in its Active Task ' +
	'section. Resume from the messages below this summary and respond only to the latest user message after it; ' +
	'files and other state may already reflect the work it describes, so do not repeat it.';

/** R13: the separator between a summary merged into a message and that message's own content. */
export const mergedSummarySeparator =
	'--- END OF CONTEXT SUMMARY: respond to the message below, not to the summary above ---';

/** R11: the one-time note appended to a leading system message after the first compaction. */
export const systemPromptNote =
	'[Note: some earlier turns of this conversation were compacted into a handoff summary to save context space. ' +
	'Build on that summary and on the current state of files rather than redoing earlier work.]';

/** C2: what the agent's own model is asked when it writes its own summary ('self' summary model). */
export const selfSummaryInstruction =
	'Summarise your completed work so far for whoever continues it: the tasks you finished, patterns and approaches ' +
	'you found, decisions you made and why, and findings later work must know. This summary replaces the detailed history.';

// R11: prefixes earlier compactions (ours, hermes', executus', Claude Code's, Codex's) put in front of a summary.
const knownPrefixes: readonly RegExp[] = [
	/^\[Context Lens compaction[^\]]*\][\s\S]*?do not repeat it\.\s*/,
	/^\[Context Lens [^\]]*compaction[^\]]*\][^\n]*\n/,
	/^\[CONTEXT COMPACTION[^\]]*\][\s\S]*?avoid repeating it:\s*/,
	/^\[CONTEXT SUMMARY\]:\s*/,
	/^\[CONTEXT COMPACTED\][\s\S]*?Summary:\s*/,
	/^This session is being continued from a previous conversation that ran out of context\.[^\n]*\n?/,
	/^Another language model started to solve this problem[^\n]*\n?/,
];

const knownSuffixes: readonly RegExp[] = [
	/\s*Resume from the recent messages below\.\s*$/,
	/\s*Please continue the conversation from where we left it off[\s\S]*$/,
];

/** R11: a summary text with any known compaction prefix or resume suffix removed, trimmed. */
export function stripHandoffPrefix(text: string): string {
	let out = text.trim();
	for (let changed = true; changed;) {
		changed = false;
		for (const prefix of knownPrefixes) {
			const next = out.replace(prefix, '').trimStart();
			if (next !== out) {
				out = next;
				changed = true;
			}
		}
	}
	for (const suffix of knownSuffixes) out = out.replace(suffix, '');
	return out.trim();
}

/** R11: a summary as it enters the window: the current prefix, then the summary without any older prefix. */
export function withHandoffPrefix(summary: string): string {
	const body = stripHandoffPrefix(summary);
	return body === '' ? handoffPrefix : `${handoffPrefix}\n\n${body}`;
}

/** H5: the preserved-values block, or '' when there are none. */
export function preservedValuesBlock(values: Readonly<Record<string, string>>): string {
	const entries = Object.entries(values);
	if (entries.length === 0) return '';
	return [
		'PRESERVED VALUES (carried over verbatim, do not lose these):',
		...entries.map(([k, v]) => `- ${k}: ${v}`),
	].join('\n');
}

/** R12: the static marker used when no summary could be written: how many messages and turns were removed. */
export function droppedMiddleMarker(messages: number, turns: number): string {
	return (
		`No summary could be written for this part of the conversation: ${formatCount(messages)} messages ` +
		`(${formatCount(turns)} turns) were removed to free context space. Continue from the messages below and ` +
		'from the current state of files and other resources.'
	);
}

/** H8/R14: the text of the error result given to a tool call whose result is not in the compacted window. */
export const interruptedResultText =
	'Tool execution was interrupted: no result for this call is in the transcript. Run it again if you still need it.';

/** H6: the reference message of a structure-preserving compaction, pointing at the spill file. */
export function structureReferenceText(
	movedMessages: number,
	spillFileName: string,
	entries: number,
	digest: string,
	preserved: Readonly<Record<string, string>>,
): string {
	const lead =
		'[Context Lens compaction: structure kept] Earlier free text of this conversation was moved out of the ' +
		`context: ${formatCount(movedMessages)} whole messages and other text went to ${formatCount(entries)} ` +
		`numbered entries of the spill file "${spillFileName}". Tool calls and results below keep their structure; ` +
		'each placeholder names the spill entry that holds the full text. Resume from the messages below.';
	return [lead, digest, preservedValuesBlock(preserved)].filter((s) => s !== '').join('\n\n');
}

/** Z2/Z3: the marker that stands where messages were evicted, with the eviction statistics. */
export function evictionMarkerText(
	strategy: 'lru' | 'window',
	messages: number,
	turns: number,
	tokens: number,
	limit: number,
): string {
	const rule =
		strategy === 'lru'
			? `at most ${formatCount(limit)} messages are kept`
			: `at most ${formatCount(limit)} turns are kept`;
	return (
		`[Context Lens compaction: ${formatCount(messages)} earlier messages (${formatCount(turns)} turns, about ` +
		`${formatCount(tokens)} tokens) were evicted without a summary because ${rule}. Continue from the messages ` +
		'below and from the current state of files.]'
	);
}
