import { classifyTool, parseToolArguments } from '../facts/extractArtifacts';
import type { Part } from '../transcript/model';
import { hasToolParts, partChars } from './messageParts';
import type { MessageFate, PartEdit, SpillEntry, SpillPlan } from './plan';
import type { PlanContext } from './planContext';
import { shrinkJsonArguments } from './shrinkArguments';
import { oneLine } from './textCuts';
import { keyInputOf } from './toolDescriptions';

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
	const cheapByPart = new Map(cheapEdits.map((e) => [`${e.message}:${e.part}`, e]));
	const entries: SpillEntry[] = [];
	const edits: PartEdit[] = [];
	const collapsed: CollapsedCall[] = [];
	const outputsSet: string[] = [];
	const errors: string[] = [];
	const addEntry = (message: number, parts: number[], label: string): number => {
		const chars = parts.reduce((sum, p) => {
			const part = messages[message]?.parts[p];
			return sum + (part !== undefined ? partChars(part) : 0);
		}, 0);
		const number = entries.length + 1;
		entries.push({ number, message, parts, label, chars });
		return number;
	};
	const edit = (
		message: number,
		part: number,
		kind: PartEdit['kind'],
		replacement: Part | null,
		spill: number,
	): void => {
		edits.push({
			message,
			part,
			kind,
			tokensBefore: context.partTokens(message, part),
			tokensAfter: context.newPartTokens(replacement),
			replacement,
			spillEntry: spill,
		});
	};
	const isCollapsedCall = (callId: string): boolean => {
		const site = context.calls.get(callId);
		return (
			isAggressive &&
			site !== undefined &&
			site.message >= middle.from &&
			site.message < middle.to &&
			!keptCallIds.has(callId)
		);
	};

	for (let i = middle.from; i < middle.to; i++) {
		const message = messages[i];
		if (message === undefined) continue;
		for (const part of message.parts) {
			if (part.kind === 'toolResult' && part.isError) errors.push(oneLine(part.text, 120));
			if (part.kind === 'toolCall' && isOutputTool(part.name, options.outputToolNames)) {
				const key = parseToolArguments(part.argumentsText)?.['key'];
				if (typeof key === 'string') outputsSet.push(key);
			}
		}
		if (fates[i] === 'dropped') {
			for (const part of message.parts) {
				if (part.kind === 'toolCall') collapsed.push({ name: part.name, argumentsText: part.argumentsText });
			}
			const calls = message.parts.filter((p) => p.kind === 'toolCall').map((p) => p.name);
			const label = calls.length > 0 ? `${message.role}, tool calls ${calls.join(', ')}` : message.role;
			addEntry(
				i,
				message.parts.map((_, p) => p),
				label,
			);
			continue;
		}
		if (fates[i] !== 'kept' || isVerbatim(i)) continue;

		// H6: free text of a kept message goes to one entry; the first text part becomes the reference.
		const freeParts = message.parts.flatMap((p, index) =>
			p.kind === 'toolCall' || p.kind === 'toolResult' ? [] : [index],
		);
		if (freeParts.length > 0) {
			const entry = addEntry(i, freeParts, `${message.role} text`);
			freeParts.forEach((p, n) => {
				const replacement: Part | null =
					n === 0 ? { kind: 'text', text: `[Text moved to spill entry #${entry} in ${fileName}]` } : null;
				edit(i, p, 'spilledText', replacement, entry);
			});
		}
		message.parts.forEach((part, p) => {
			if (part.kind === 'toolCall') {
				if (isCollapsedCall(part.callId)) {
					collapsed.push({ name: part.name, argumentsText: part.argumentsText });
					edit(i, p, 'collapsed', null, addEntry(i, [p], `tool call ${part.name}`));
					return;
				}
				if (part.argumentsText.length <= options.structureArgumentsChars) return;
				// H6: arguments shrunk to valid JSON; the full text stays in the spill file.
				const shrunk = shrinkJsonArguments(part.argumentsText, options.structureValueChars);
				if (shrunk === undefined) return;
				const entry = addEntry(i, [p], `arguments of ${part.name}`);
				edit(
					i,
					p,
					'arguments',
					{ kind: 'toolCall', callId: part.callId, name: part.name, argumentsText: shrunk },
					entry,
				);
			} else if (part.kind === 'toolResult') {
				const name = context.calls.get(part.callId)?.part.name ?? 'tool';
				if (isCollapsedCall(part.callId)) {
					edit(i, p, 'collapsed', null, addEntry(i, [p], `result of ${name}`));
					return;
				}
				const cheap = cheapByPart.get(`${i}:${p}`);
				if (cheap === undefined || cheap.replacement?.kind !== 'toolResult') return;
				// H4: the placeholder keeps a reference to where the full data is.
				const entry = addEntry(i, [p], `result of ${name}`);
				const replacement = {
					...cheap.replacement,
					text: `${cheap.replacement.text}; full output: spill entry #${entry} in ${fileName}`,
				};
				edit(i, p, cheap.kind, replacement, entry);
			}
		});
	}
	edits.sort((a, b) => a.message - b.message || a.part - b.part);
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
