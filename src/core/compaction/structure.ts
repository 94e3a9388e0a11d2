import { classifyTool, parseToolArguments } from '../facts/extractArtifacts';
import type { Part } from '../transcript/model';
import { hasToolParts, partChars } from './messageParts';
import type { MessageFate, PartEdit, SpillEntry, SpillPlan } from './plan';
import { NumberedTextCounts, countsNumbersByLength } from './numberedTextCounts';
import type { CallSite, PlanContext } from './planContext';
import { oneLine } from '../text/textCuts';
import { keyInputOf } from './toolDescriptions';
import { shrunkCall } from './cheapPass';
import { lowerBound, toolPartFlag } from './windowIndex';

/** What a kept message's free text becomes: a reference to its spill entry, `#<entry> in <file>]` follows. */
const textReferenceHead = '[Text moved to spill entry #';

/** A window range, `to` exclusive. */
export interface IndexRange {
	readonly from: number;
	readonly to: number;
}

function isOutputTool(name: string, outputToolNames: readonly string[]): boolean {
	const lower = name.toLowerCase();
	return outputToolNames.some((n) => n.toLowerCase() === lower);
}

/**
 * H6: which middle messages stay. Standard mode keeps every message with tool calls or results and moves the rest
 * (free text) out; aggressive mode keeps only calls that set outputs or ended in an error, with their partners.
 * Returns the ids of the calls that stay (aggressive) so edits collapse the others. Sets `fates` for the range.
 */
export function decideStructureFates(
	context: PlanContext,
	middle: IndexRange,
	fates: MessageFate[],
	isPinnedGroup: (message: number) => boolean,
	isAggressive: boolean,
): ReadonlySet<string> {
	const { messages, options } = context;
	const keptCallIds = new Set<string>();
	if (isAggressive) {
		const erroredCalls = new Set<string>();
		for (let i = middle.from; i < middle.to; i++) {
			for (const part of messages[i]?.parts ?? []) {
				if (part.kind === 'toolResult' && part.isError) erroredCalls.add(part.callId);
			}
		}
		for (let i = middle.from; i < middle.to; i++) {
			const calls = (messages[i]?.parts ?? []).filter((p) => p.kind === 'toolCall');
			const isProtected =
				isPinnedGroup(i) ||
				calls.some((c) => isOutputTool(c.name, options.outputToolNames) || erroredCalls.has(c.callId));
			// H6: a message with one protected call stays whole, so none of its other calls loses its result.
			if (isProtected) for (const c of calls) keptCallIds.add(c.callId);
		}
	}
	const isCollapsible = (callId: string): boolean => {
		const site = context.calls.get(callId);
		return (
			site !== undefined &&
			site.message >= middle.from &&
			site.message < middle.to &&
			!keptCallIds.has(callId)
		);
	};
	for (let i = middle.from; i < middle.to; i++) {
		const message = messages[i];
		if (message === undefined) continue;
		if (isPinnedGroup(i)) fates[i] = 'kept';
		else if (!hasToolParts(message)) fates[i] = 'dropped';
		else if (!isAggressive) fates[i] = 'kept';
		else {
			const staysFor = message.parts.some(
				(p) => (p.kind === 'toolCall' || p.kind === 'toolResult') && !isCollapsible(p.callId),
			);
			fates[i] = staysFor ? 'kept' : 'dropped';
		}
	}
	return keptCallIds;
}

/**
 * Finds the edit of a part among `edits` (unique positions), asked in window order: a cursor over the list when it
 * is in window order (the cheap pass's is), else a lookup table.
 */
function cheapEditFinder(
	edits: readonly PartEdit[],
): (message: number, part: number) => PartEdit | undefined {
	const isBefore = (e: PartEdit, message: number, part: number): boolean =>
		e.message < message || (e.message === message && e.part < part);
	let isSorted = true;
	for (let k = 1; k < edits.length && isSorted; k++) {
		const previous = edits[k - 1] as PartEdit;
		const edit = edits[k] as PartEdit;
		if (!isBefore(previous, edit.message, edit.part)) isSorted = false;
	}
	if (!isSorted) {
		const byPart = new Map(edits.map((e) => [`${e.message}:${e.part}`, e]));
		return (message, part) => byPart.get(`${message}:${part}`);
	}
	let next = 0;
	return (message, part) => {
		while (next < edits.length && isBefore(edits[next] as PartEdit, message, part)) next++;
		const edit = edits[next];
		return edit !== undefined && edit.message === message && edit.part === part ? edit : undefined;
	};
}

/** The spill entry label of a tool result: the name of its call. */
function resultLabel(site: CallSite | undefined): string {
	return `result of ${site?.part.name ?? 'tool'}`;
}

/** The edits, spill entries and (aggressive) digest of a structure compaction. */
export interface StructureEdits {
	readonly edits: readonly PartEdit[];
	readonly spill: SpillPlan;
	readonly digest: string;
}

interface CollapsedCall {
	readonly name: string;
	readonly argumentsText: string;
}

/**
 * H6: moves everything the structure compaction takes out of the window into numbered spill entries: removed
 * messages whole, free text of kept messages (replaced by a reference), full arguments of shrunk calls, full text of
 * pruned results (H4: their placeholder names the entry). `cheapEdits` are the R3/H4 pass's edits.
 */
export function planStructureEdits(
	context: PlanContext,
	middle: IndexRange,
	fates: readonly MessageFate[],
	isVerbatim: (message: number) => boolean,
	cheapEdits: readonly PartEdit[],
	keptCallIds: ReadonlySet<string>,
	isAggressive: boolean,
	fileName: string,
): StructureEdits {
	const { messages, options } = context;
	const cheapAt = cheapEditFinder(cheapEdits);
	const entries: SpillEntry[] = [];
	const edits: PartEdit[] = [];
	const collapsed: CollapsedCall[] = [];
	const outputsSet: string[] = [];
	const errors: string[] = [];
	const outputToolOf = new Map<string, boolean>();
	const isOutputCall = (name: string): boolean => {
		let isOutput = outputToolOf.get(name);
		if (isOutput === undefined) {
			isOutput = isOutputTool(name, options.outputToolNames);
			outputToolOf.set(name, isOutput);
		}
		return isOutput;
	};
	const addEntry = (message: number, parts: number[], label: string): number => {
		const messageParts = messages[message]?.parts;
		let chars = 0;
		for (const p of parts) {
			const part = messageParts?.[p];
			if (part !== undefined) chars += partChars(part);
		}
		const number = entries.length + 1;
		entries.push({ number, message, parts, label, chars });
		return number;
	};
	// H6/H4: the references name the entry; their counts are shared by entries whose numbers have as many digits.
	const textReferences = new NumberedTextCounts(context, ` in ${fileName}]`);
	// H4: what a pruned result's placeholder gains: the entry holding the full output ('#' and ' ' set the number off).
	const resultReference = (entry: number): string => ` (full output: spill entry #${entry} in ${fileName})`;
	const numbersCountByLength = countsNumbersByLength(context.counter);
	// The reference to the first entry with as many digits, one string per count of digits.
	const likeByDigits: string[] = [];
	const referenceLike = (digits: number): string =>
		(likeByDigits[digits] ??= resultReference(10 ** (digits - 1)));
	// One message's edits: its free-text edits and its tool-part edits, each in part order, merged when the message
	// is done so `edits` stays in window order without a sort.
	const textEdits: PartEdit[] = [];
	const toolEdits: PartEdit[] = [];
	const edit = (
		list: PartEdit[],
		message: number,
		part: number,
		kind: PartEdit['kind'],
		replacement: Part | null,
		spill: number,
		tokensAfter?: number,
	): void => {
		list.push({
			message,
			part,
			kind,
			tokensBefore: context.partTokens(message, part),
			tokensAfter: tokensAfter ?? context.newPartTokens(replacement),
			replacement,
			spillEntry: spill,
		});
	};
	const flushMessageEdits = (): void => {
		let t = 0;
		let k = 0;
		while (t < textEdits.length || k < toolEdits.length) {
			const text = textEdits[t];
			const tool = toolEdits[k];
			if (tool === undefined || (text !== undefined && text.part < tool.part)) {
				if (text !== undefined) edits.push(text);
				t++;
			} else {
				edits.push(tool);
				k++;
			}
		}
		textEdits.length = 0;
		toolEdits.length = 0;
	};
	const isCollapsedCall = (callId: string, site: CallSite | undefined): boolean => {
		if (!isAggressive) return false;
		return (
			site !== undefined &&
			site.message >= middle.from &&
			site.message < middle.to &&
			!keptCallIds.has(callId)
		);
	};

	// Errors and outputs set come from the tool parts only: the window index lists them in order. Only the
	// aggressive digest shows them, so the standard mode skips the walk.
	const { toolMessage, toolPart, toolFlags } = context.index;
	let nextTool = isAggressive ? lowerBound(toolMessage, middle.from) : toolMessage.length;
	// The call site of tool part `p` of message `i`, asked in window order: a cursor over the index's tool parts
	// (the latest call with the part's id, as `context.calls` gives it, without a lookup by id).
	let siteCursor = lowerBound(toolMessage, middle.from);
	const siteOfPart = (i: number, p: number): CallSite | undefined => {
		while (
			siteCursor < toolMessage.length &&
			((toolMessage[siteCursor] ?? 0) < i ||
				(toolMessage[siteCursor] === i && (toolPart[siteCursor] ?? 0) < p))
		)
			siteCursor++;
		return toolMessage[siteCursor] === i && toolPart[siteCursor] === p
			? context.index.callSiteOfToolPart(siteCursor)
			: undefined;
	};
	for (let i = middle.from; i < middle.to; i++) {
		const message = messages[i];
		if (message === undefined) continue;
		const parts = message.parts;
		for (; nextTool < toolMessage.length && (toolMessage[nextTool] ?? 0) <= i; nextTool++) {
			if (toolMessage[nextTool] !== i) continue;
			const flags = toolFlags[nextTool] ?? 0;
			const isResult = (flags & toolPartFlag.isResult) !== 0;
			if (isResult && (flags & toolPartFlag.isError) === 0) continue;
			const part = parts[toolPart[nextTool] ?? 0];
			if (part?.kind === 'toolResult') errors.push(oneLine(part.text, 120));
			else if (part?.kind === 'toolCall' && isOutputCall(part.name)) {
				const key = parseToolArguments(part.argumentsText)?.['key'];
				if (typeof key === 'string') outputsSet.push(key);
			}
		}
		if (fates[i] === 'dropped') {
			const all: number[] = [];
			let calls: string | undefined;
			for (let p = 0; p < parts.length; p++) {
				all.push(p);
				const part = parts[p];
				if (part?.kind !== 'toolCall') continue;
				collapsed.push({ name: part.name, argumentsText: part.argumentsText });
				calls = calls === undefined ? part.name : `${calls}, ${part.name}`;
			}
			addEntry(i, all, calls !== undefined ? `${message.role}, tool calls ${calls}` : message.role);
			continue;
		}
		if (fates[i] !== 'kept' || isVerbatim(i)) continue;

		// H6: free text of a kept message goes to one entry; the first text part becomes the reference. Reasoning
		// stays: providers bind it to a signature or encrypted content, so an edited copy is refused or dropped.
		let freeParts: number[] | undefined;
		for (let p = 0; p < parts.length; p++) {
			const kind = parts[p]?.kind;
			if (kind !== 'toolCall' && kind !== 'toolResult' && kind !== 'thinking') (freeParts ??= []).push(p);
		}
		if (freeParts !== undefined) {
			// The reference names the entry the text would get; text that takes no more tokens than its reference
			// stays where it is (moving it would grow the window).
			const reference = textReferences.part(textReferenceHead, entries.length + 1);
			let textTokens = 0;
			for (const p of freeParts) textTokens += context.partTokens(i, p);
			if (reference.tokens < textTokens) {
				const entry = addEntry(i, freeParts, `${message.role} text`);
				edit(textEdits, i, freeParts[0] ?? 0, 'spilledText', reference.part, entry, reference.tokens);
				for (let n = 1; n < freeParts.length; n++)
					edit(textEdits, i, freeParts[n] ?? 0, 'spilledText', null, entry);
			}
		}
		for (let p = 0; p < parts.length; p++) {
			const part = parts[p];
			if (part?.kind === 'toolCall') {
				if (isCollapsedCall(part.callId, siteOfPart(i, p))) {
					collapsed.push({ name: part.name, argumentsText: part.argumentsText });
					edit(toolEdits, i, p, 'collapsed', null, addEntry(i, [p], `tool call ${part.name}`));
					continue;
				}
				if (part.argumentsText.length <= options.structureArgumentsChars) continue;
				// H6: arguments shrunk to valid JSON; the full text stays in the spill file.
				const shrunk = shrunkCall(part, options.structureValueChars, context);
				if (shrunk.shrunk === undefined) continue;
				const entry = addEntry(i, [p], `arguments of ${part.name}`);
				edit(
					toolEdits,
					i,
					p,
					'arguments',
					{ kind: 'toolCall', callId: part.callId, name: part.name, argumentsText: shrunk.shrunk },
					entry,
					shrunk.tokens,
				);
			} else if (part?.kind === 'toolResult') {
				const site = siteOfPart(i, p);
				if (isCollapsedCall(part.callId, site)) {
					edit(toolEdits, i, p, 'collapsed', null, addEntry(i, [p], resultLabel(site)));
					continue;
				}
				const cheap = cheapAt(i, p);
				if (cheap === undefined || cheap.replacement?.kind !== 'toolResult') continue;
				// H4: the placeholder keeps a reference to where the full data is.
				const entry = addEntry(i, [p], resultLabel(site));
				// The reference is counted as a suffix of the cheap edit's replacement (counted before), and, where
				// numbers count by their digits, as the reference to the first entry with as many digits.
				const suffix = resultReference(entry);
				const placeholder = { ...cheap.replacement, text: `${cheap.replacement.text}${suffix}` };
				const like = numbersCountByLength ? referenceLike(String(entry).length) : suffix;
				const tokens = context.newPartTokensWithSuffix(cheap.replacement, suffix, like);
				edit(toolEdits, i, p, cheap.kind, placeholder, entry, tokens);
			}
		}
		flushMessageEdits();
	}
	return {
		edits,
		spill: { fileName, entries },
		digest: isAggressive ? toolHistoryDigest(collapsed, outputsSet, errors) : '',
	};
}

const maxDigestTools = 30;
const maxDigestInputs = 8;

/** H6: what the collapsed calls did, so the model does not call them again: tools with counts and key inputs, files written, outputs set, errors. */
export function toolHistoryDigest(
	calls: readonly CollapsedCall[],
	outputsSet: readonly string[],
	errors: readonly string[],
): string {
	const byTool = new Map<string, string[]>();
	const filesWritten: string[] = [];
	for (const call of calls) {
		const input = keyInputOf(call.name, call.argumentsText);
		const inputs = byTool.get(call.name) ?? [];
		inputs.push(input);
		byTool.set(call.name, inputs);
		const kind = classifyTool(call.name);
		if ((kind === 'write' || kind === 'edit') && input !== '') filesWritten.push(input);
	}
	const sections: string[] = [];
	if (byTool.size > 0) {
		const lines = [...byTool.entries()].slice(0, maxDigestTools).map(([name, inputs]) => {
			const shown = [...new Set(inputs.filter((s) => s !== ''))].slice(0, maxDigestInputs);
			const head = `  ${name} (${inputs.length}x)`;
			return shown.length > 0 ? `${head}:\n${shown.map((s) => `    - ${s}`).join('\n')}` : head;
		});
		sections.push(`TOOLS ALREADY CALLED:\n${lines.join('\n')}`);
	}
	if (filesWritten.length > 0) sections.push(`FILES WRITTEN: ${[...new Set(filesWritten)].join(', ')}`);
	if (outputsSet.length > 0) sections.push(`OUTPUTS SET: ${[...new Set(outputsSet)].join(', ')}`);
	if (errors.length > 0) {
		sections.push(
			`ERRORS (do not retry these):\n${errors
				.slice(0, 10)
				.map((e) => `  - ${e}`)
				.join('\n')}`,
		);
	}
	return sections.join('\n\n');
}
