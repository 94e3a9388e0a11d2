import { classifyTool, parseToolArguments } from '../facts/extractArtifacts';
import type { Message, Part } from '../transcript/model';
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
 * The running state of one structure compaction: its inputs, the spill entries and edits so far, the digest's
 * inputs and the cursors over the window index.
 */
interface StructureWalk {
	readonly context: PlanContext;
	readonly middle: IndexRange;
	readonly keptCallIds: ReadonlySet<string>;
	readonly isAggressive: boolean;
	readonly fileName: string;
	readonly cheapAt: (message: number, part: number) => PartEdit | undefined;
	readonly entries: SpillEntry[];
	readonly edits: PartEdit[];
	// One message's edits: its free-text edits and its tool-part edits, each in part order, merged when the message
	// is done so `edits` stays in window order without a sort.
	readonly textEdits: PartEdit[];
	readonly toolEdits: PartEdit[];
	readonly collapsed: CollapsedCall[];
	readonly outputsSet: string[];
	readonly errors: string[];
	readonly outputToolOf: Map<string, boolean>;
	// H6/H4: the references name the entry; their counts are shared by entries whose numbers have as many digits.
	readonly textReferences: NumberedTextCounts;
	readonly numbersCountByLength: boolean;
	// The reference to the first entry with as many digits, one string per count of digits.
	readonly likeByDigits: string[];
	/** The next tool part of the index the digest walk reads; the end of the index when there is no digest. */
	nextTool: number;
	/** The cursor of {@link siteOfPart} over the index's tool parts. */
	siteCursor: number;
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
	const { messages } = context;
	const { toolMessage } = context.index;
	const start = lowerBound(toolMessage, middle.from);
	const walk: StructureWalk = {
		context,
		middle,
		keptCallIds,
		isAggressive,
		fileName,
		cheapAt: cheapEditFinder(cheapEdits),
		entries: [],
		edits: [],
		textEdits: [],
		toolEdits: [],
		collapsed: [],
		outputsSet: [],
		errors: [],
		outputToolOf: new Map<string, boolean>(),
		textReferences: new NumberedTextCounts(context, ` in ${fileName}]`),
		numbersCountByLength: countsNumbersByLength(context.counter),
		likeByDigits: [],
		// Errors and outputs set come from the tool parts only: the window index lists them in order. Only the
		// aggressive digest shows them, so the standard mode skips the walk.
		nextTool: isAggressive ? start : toolMessage.length,
		siteCursor: start,
	};
	for (let i = middle.from; i < middle.to; i++) {
		const message = messages[i];
		if (message === undefined) continue;
		collectDigestFacts(walk, i, message.parts);
		if (fates[i] === 'dropped') {
			spillDroppedMessage(walk, i, message);
			continue;
		}
		if (fates[i] !== 'kept' || isVerbatim(i)) continue;
		spillFreeText(walk, i, message);
		editToolParts(walk, i, message.parts);
		flushMessageEdits(walk);
	}
	return {
		edits: walk.edits,
		spill: { fileName, entries: walk.entries },
		digest: isAggressive ? toolHistoryDigest(walk.collapsed, walk.outputsSet, walk.errors) : '',
	};
}

/** Whether a tool is one that sets an output, remembered per name. */
function isOutputCall(walk: StructureWalk, name: string): boolean {
	let isOutput = walk.outputToolOf.get(name);
	if (isOutput === undefined) {
		isOutput = isOutputTool(name, walk.context.options.outputToolNames);
		walk.outputToolOf.set(name, isOutput);
	}
	return isOutput;
}

/** Adds a spill entry holding `parts` of `message`; returns its number. */
function addSpillEntry(walk: StructureWalk, message: number, parts: number[], label: string): number {
	const messageParts = walk.context.messages[message]?.parts;
	let chars = 0;
	for (const p of parts) {
		const part = messageParts?.[p];
		if (part !== undefined) chars += partChars(part);
	}
	const number = walk.entries.length + 1;
	walk.entries.push({ number, message, parts, label, chars });
	return number;
}

/** H4: what a pruned result's placeholder gains: the entry holding the full output ('#' and ' ' set the number off). */
function resultReference(fileName: string, entry: number): string {
	return ` (full output: spill entry #${entry} in ${fileName})`;
}

/** The reference to the first entry with `digits` digits, made once per count of digits. */
function referenceLike(walk: StructureWalk, digits: number): string {
	return (walk.likeByDigits[digits] ??= resultReference(walk.fileName, 10 ** (digits - 1)));
}

/** Adds an edit of one part to `list` (the message's text or tool edits), tied to spill entry `spill`. */
function pushEdit(
	walk: StructureWalk,
	list: PartEdit[],
	message: number,
	part: number,
	kind: PartEdit['kind'],
	replacement: Part | null,
	spill: number,
	tokensAfter?: number,
): void {
	list.push({
		message,
		part,
		kind,
		tokensBefore: walk.context.partTokens(message, part),
		tokensAfter: tokensAfter ?? walk.context.newPartTokens(replacement),
		replacement,
		spillEntry: spill,
	});
}

/** Merges the message's text and tool edits into `edits` in part order, and empties them for the next message. */
function flushMessageEdits(walk: StructureWalk): void {
	const { textEdits, toolEdits, edits } = walk;
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
}

/** H6: whether an aggressive compaction collapses this call: it was made in the middle and is not one that stays. */
function isCollapsedCall(walk: StructureWalk, callId: string, site: CallSite | undefined): boolean {
	if (!walk.isAggressive) return false;
	return (
		site !== undefined &&
		site.message >= walk.middle.from &&
		site.message < walk.middle.to &&
		!walk.keptCallIds.has(callId)
	);
}

/**
 * The call site of tool part `p` of message `i`, asked in window order: a cursor over the index's tool parts (the
 * latest call with the part's id, as `context.calls` gives it, without a lookup by id).
 */
function siteOfPart(walk: StructureWalk, i: number, p: number): CallSite | undefined {
	const { toolMessage, toolPart } = walk.context.index;
	let cursor = walk.siteCursor;
	while (
		cursor < toolMessage.length &&
		((toolMessage[cursor] ?? 0) < i || (toolMessage[cursor] === i && (toolPart[cursor] ?? 0) < p))
	)
		cursor++;
	walk.siteCursor = cursor;
	return toolMessage[cursor] === i && toolPart[cursor] === p
		? walk.context.index.callSiteOfToolPart(cursor)
		: undefined;
}

/** The aggressive digest's errors and outputs set among message `i`'s tool parts, read off the window index. */
function collectDigestFacts(walk: StructureWalk, i: number, parts: readonly Part[]): void {
	const { toolMessage, toolPart, toolFlags } = walk.context.index;
	let nextTool = walk.nextTool;
	for (; nextTool < toolMessage.length && (toolMessage[nextTool] ?? 0) <= i; nextTool++) {
		if (toolMessage[nextTool] !== i) continue;
		const flags = toolFlags[nextTool] ?? 0;
		const isResult = (flags & toolPartFlag.isResult) !== 0;
		if (isResult && (flags & toolPartFlag.isError) === 0) continue;
		const part = parts[toolPart[nextTool] ?? 0];
		if (part?.kind === 'toolResult') walk.errors.push(oneLine(part.text, 120));
		else if (part?.kind === 'toolCall' && isOutputCall(walk, part.name)) {
			const key = parseToolArguments(part.argumentsText)?.['key'];
			if (typeof key === 'string') walk.outputsSet.push(key);
		}
	}
	walk.nextTool = nextTool;
}

/** H6: a removed message goes whole into one entry, labelled with its role and the tools it called. */
function spillDroppedMessage(walk: StructureWalk, i: number, message: Message): void {
	const parts = message.parts;
	const all: number[] = [];
	let calls: string | undefined;
	for (let p = 0; p < parts.length; p++) {
		all.push(p);
		const part = parts[p];
		if (part?.kind !== 'toolCall') continue;
		walk.collapsed.push({ name: part.name, argumentsText: part.argumentsText });
		calls = calls === undefined ? part.name : `${calls}, ${part.name}`;
	}
	addSpillEntry(walk, i, all, calls !== undefined ? `${message.role}, tool calls ${calls}` : message.role);
}

/**
 * H6: free text of a kept message goes to one entry; the first text part becomes the reference. Reasoning stays:
 * providers bind it to a signature or encrypted content, so an edited copy is refused or dropped.
 */
function spillFreeText(walk: StructureWalk, i: number, message: Message): void {
	const { context } = walk;
	const parts = message.parts;
	let freeParts: number[] | undefined;
	for (let p = 0; p < parts.length; p++) {
		const kind = parts[p]?.kind;
		if (kind !== 'toolCall' && kind !== 'toolResult' && kind !== 'thinking') (freeParts ??= []).push(p);
	}
	if (freeParts === undefined) return;
	// The reference names the entry the text would get; text that takes no more tokens than its reference
	// stays where it is (moving it would grow the window).
	const reference = walk.textReferences.part(textReferenceHead, walk.entries.length + 1);
	let textTokens = 0;
	for (const p of freeParts) textTokens += context.partTokens(i, p);
	if (reference.tokens >= textTokens) return;
	const entry = addSpillEntry(walk, i, freeParts, `${message.role} text`);
	pushEdit(
		walk,
		walk.textEdits,
		i,
		freeParts[0] ?? 0,
		'spilledText',
		reference.part,
		entry,
		reference.tokens,
	);
	for (let n = 1; n < freeParts.length; n++)
		pushEdit(walk, walk.textEdits, i, freeParts[n] ?? 0, 'spilledText', null, entry);
}

/**
 * H6/H4: the tool parts of a kept message: collapsed calls and their results move out whole, long arguments are
 * shrunk, and results the cheap pass pruned get a placeholder naming the entry with the full output.
 */
function editToolParts(walk: StructureWalk, i: number, parts: readonly Part[]): void {
	const { context, toolEdits } = walk;
	const options = context.options;
	for (let p = 0; p < parts.length; p++) {
		const part = parts[p];
		if (part?.kind === 'toolCall') {
			if (isCollapsedCall(walk, part.callId, siteOfPart(walk, i, p))) {
				walk.collapsed.push({ name: part.name, argumentsText: part.argumentsText });
				pushEdit(
					walk,
					toolEdits,
					i,
					p,
					'collapsed',
					null,
					addSpillEntry(walk, i, [p], `tool call ${part.name}`),
				);
				continue;
			}
			if (part.argumentsText.length <= options.structureArgumentsChars) continue;
			// H6: arguments shrunk to valid JSON; the full text stays in the spill file.
			const shrunk = shrunkCall(part, options.structureValueChars, context);
			if (shrunk.shrunk === undefined) continue;
			const entry = addSpillEntry(walk, i, [p], `arguments of ${part.name}`);
			pushEdit(
				walk,
				toolEdits,
				i,
				p,
				'arguments',
				{ kind: 'toolCall', callId: part.callId, name: part.name, argumentsText: shrunk.shrunk },
				entry,
				shrunk.tokens,
			);
		} else if (part?.kind === 'toolResult') {
			const site = siteOfPart(walk, i, p);
			if (isCollapsedCall(walk, part.callId, site)) {
				pushEdit(walk, toolEdits, i, p, 'collapsed', null, addSpillEntry(walk, i, [p], resultLabel(site)));
				continue;
			}
			const cheap = walk.cheapAt(i, p);
			if (cheap === undefined || cheap.replacement?.kind !== 'toolResult') continue;
			// H4: the placeholder keeps a reference to where the full data is.
			const entry = addSpillEntry(walk, i, [p], resultLabel(site));
			// The reference is counted as a suffix of the cheap edit's replacement (counted before), and, where
			// numbers count by their digits, as the reference to the first entry with as many digits.
			const suffix = resultReference(walk.fileName, entry);
			const placeholder = { ...cheap.replacement, text: `${cheap.replacement.text}${suffix}` };
			const like = walk.numbersCountByLength ? referenceLike(walk, String(entry).length) : suffix;
			const tokens = context.newPartTokensWithSuffix(cheap.replacement, suffix, like);
			pushEdit(walk, toolEdits, i, p, cheap.kind, placeholder, entry, tokens);
		}
	}
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
