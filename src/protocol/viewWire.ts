/**
 * The transcript view as it travels from the analysis worker through the extension host to a page, in two kinds of
 * message so that no single one is large: VS Code deflates every message to the workbench on the extension host's
 * thread, and a 100 MB session's view as plain JSON is about 6 MB (one task of 60 ms or more, and garbage to match).
 *
 * - The skeleton: everything but the rows' ids and previews, with the rows as columns of numbers (a row's region,
 *   fate and prune mark are the plan's, so they are not sent twice) and the plan's fates as one letter each. About
 *   a fifteenth of the JSON view. The largest rows' texts ride along, so the gauge's list is complete at once.
 * - Row texts: the ids and previews of `rowsPerTextPart` rows each, posted one per turn of the host's loop after the
 *   skeleton; the page fills them in as they come (its rows show an empty preview until then).
 *
 * Decoding gives back exactly the `TranscriptView` that was encoded once every part has been applied.
 */
import type { MessageFate } from '../core/compaction/plan';
import type { PartKind, Role } from '../core/transcript/model';
import { regionOf, type MessageRow, type PlanView, type TranscriptView } from '../core/view/viewModel';

/** Rows whose ids and previews one row-text part carries (about 130 KB of JSON at full previews). */
export const rowsPerTextPart = 1024;

const roles: readonly Role[] = ['system', 'developer', 'user', 'assistant', 'tool'];
const partKinds: readonly PartKind[] = ['text', 'thinking', 'toolCall', 'toolResult', 'image', 'opaque'];
const fates: readonly MessageFate[] = ['kept', 'summarized', 'dropped'];
const fateLetters = 'ksd';
const errorFlag = 1;

/** The rows as columns: entry `i` of every array (or character `i` of `roles`) describes row `i`. */
interface RowColumns {
	readonly count: number;
	readonly tokens: readonly number[];
	/** One digit per row: the index of its role in `roles`. */
	readonly roles: string;
	/** Part kinds in order of first appearance, as indexes into `partKinds` written as one digit each. */
	readonly kinds: readonly string[];
	/** 1 + the index of the row's tool name in `toolNames`, 0 for none. */
	readonly tools: readonly number[];
	readonly toolNames: readonly string[];
	/** `errorFlag` when the row is an error. */
	readonly flags: readonly number[];
	/** Each row's first source line minus the previous row's (the first row's own line). */
	readonly lineSteps: readonly number[];
	/** Ids and previews sent with the skeleton (the largest rows), by row index. */
	readonly texts: Readonly<Record<number, readonly [string, string]>>;
}

/** The skeleton on the wire: the view without `rows`, the plan's fates as letters, the rows as columns. */
interface WireSkeleton extends Omit<TranscriptView, 'rows' | 'plan'> {
	readonly plan: Omit<PlanView, 'fates'> & { readonly fateLetters: string };
	readonly rowColumns: RowColumns;
}

/** One part of row texts: the ids and previews of rows `from` to `from + ids.length`. */
export interface RowTexts {
	readonly from: number;
	readonly ids: readonly string[];
	readonly previews: readonly string[];
}

/** A view split for the wire: the skeleton and its row-text parts, each as UTF-8 JSON. */
export interface EncodedViewParts {
	readonly skeleton: Uint8Array;
	readonly rowTexts: readonly Uint8Array[];
}

function indexIn<T>(list: readonly T[], value: T, what: string): number {
	const index = list.indexOf(value);
	if (index < 0) throw new Error(`The view wire format has no code for ${what} "${String(value)}".`);
	return index;
}

function columnsOf(rows: readonly MessageRow[], largest: readonly number[]): RowColumns {
	const toolNames: string[] = [];
	const toolIndex = new Map<string, number>();
	const texts: Record<number, readonly [string, string]> = {};
	for (const index of largest) {
		const row = rows[index];
		if (row !== undefined) texts[index] = [row.id, row.preview];
	}
	let previousLine = 0;
	let roleDigits = '';
	const columns = {
		tokens: [] as number[],
		kinds: [] as string[],
		tools: [] as number[],
		flags: [] as number[],
		lineSteps: [] as number[],
	};
	for (const row of rows) {
		roleDigits += indexIn(roles, row.role, 'the role');
		columns.tokens.push(row.tokens);
		columns.kinds.push(row.kinds.map((kind) => indexIn(partKinds, kind, 'the part kind')).join(''));
		let tool = 0;
		if (row.toolName !== undefined) {
			let known = toolIndex.get(row.toolName);
			if (known === undefined) {
				known = toolNames.push(row.toolName) - 1;
				toolIndex.set(row.toolName, known);
			}
			tool = known + 1;
		}
		columns.tools.push(tool);
		columns.flags.push(row.isError ? errorFlag : 0);
		columns.lineSteps.push(row.line - previousLine);
		previousLine = row.line;
	}
	return { count: rows.length, ...columns, roles: roleDigits, toolNames, texts };
}

const encoder = new TextEncoder();

/** Splits `view` into its skeleton and row-text parts (see the module comment), each as UTF-8 JSON. */
export function encodeViewParts(
	view: TranscriptView,
	rowsPerPart: number = rowsPerTextPart,
): EncodedViewParts {
	const { rows, plan, ...rest } = view;
	const { fates: planFates, ...planRest } = plan;
	const skeleton: WireSkeleton = {
		...rest,
		plan: {
			...planRest,
			fateLetters: planFates.map((fate) => fateLetters[indexIn(fates, fate, 'the fate')]).join(''),
		},
		rowColumns: columnsOf(rows, view.largest),
	};
	const rowTexts: Uint8Array[] = [];
	for (let from = 0; from < rows.length; from += rowsPerPart) {
		const slice = rows.slice(from, from + rowsPerPart);
		const part: RowTexts = { from, ids: slice.map((r) => r.id), previews: slice.map((r) => r.preview) };
		rowTexts.push(encoder.encode(JSON.stringify(part)));
	}
	return { skeleton: encoder.encode(JSON.stringify(skeleton)), rowTexts };
}

function fatesOf(letters: string): MessageFate[] {
	const out: MessageFate[] = new Array<MessageFate>(letters.length);
	for (let i = 0; i < letters.length; i++) out[i] = fates[fateLetters.indexOf(letters[i] ?? 'k')] ?? 'kept';
	return out;
}

type MutableRow = { -readonly [K in keyof MessageRow]: MessageRow[K] };

function rowsOf(columns: RowColumns, plan: PlanView): MessageRow[] {
	const rows: MessageRow[] = new Array<MessageRow>(columns.count);
	// Few distinct kind lists occur (a message's kinds in order): each is decoded once and shared by its rows.
	const kindLists = new Map<string, readonly PartKind[]>();
	let line = 0;
	for (let index = 0; index < columns.count; index++) {
		line += columns.lineSteps[index] ?? 0;
		const digits = columns.kinds[index] ?? '';
		let kinds = kindLists.get(digits);
		if (kinds === undefined) {
			kinds = Object.freeze([...digits].map((digit) => partKinds[Number(digit)] ?? 'text'));
			kindLists.set(digits, kinds);
		}
		const texts = columns.texts[index];
		const prune = plan.prune[index];
		const row: MutableRow = {
			index,
			id: texts?.[0] ?? '',
			role: roles[Number(columns.roles[index])] ?? 'user',
			tokens: columns.tokens[index] ?? 0,
			kinds,
			preview: texts?.[1] ?? '',
			region: regionOf(plan, index),
			fate: plan.fates[index] ?? 'kept',
			isPruneCandidate: prune !== undefined,
			isError: ((columns.flags[index] ?? 0) & errorFlag) !== 0,
			line,
		};
		const tool = columns.tools[index] ?? 0;
		const toolName = tool > 0 ? columns.toolNames[tool - 1] : undefined;
		if (toolName !== undefined) row.toolName = toolName;
		if (prune !== undefined) row.prune = prune;
		rows[index] = row;
	}
	return rows;
}

const decoder = new TextDecoder();

/** The view a skeleton stands for; rows whose texts are still to come have an empty id and preview. */
export function decodeViewSkeleton(bytes: Uint8Array): TranscriptView {
	const { rowColumns, plan: wirePlan, ...rest } = JSON.parse(decoder.decode(bytes)) as WireSkeleton;
	const { fateLetters: letters, ...planRest } = wirePlan;
	const plan: PlanView = { ...planRest, fates: fatesOf(letters) };
	return { ...rest, plan, rows: rowsOf(rowColumns, plan) };
}

/** One row-text part as sent. */
export function decodeRowTexts(bytes: Uint8Array): RowTexts {
	return JSON.parse(decoder.decode(bytes)) as RowTexts;
}

/** `rows` with the ids and previews of `texts` filled in (a new array; rows outside the part are the same objects). */
export function withRowTexts(rows: readonly MessageRow[], texts: RowTexts): MessageRow[] {
	const out = rows.slice();
	texts.ids.forEach((id, offset) => {
		const index = texts.from + offset;
		const row = out[index];
		if (row !== undefined) out[index] = { ...row, id, preview: texts.previews[offset] ?? '' };
	});
	return out;
}

/** The whole view of a skeleton and all its row-text parts. */
export function decodeViewParts(parts: EncodedViewParts): TranscriptView {
	const view = decodeViewSkeleton(parts.skeleton);
	let rows = view.rows;
	for (const part of parts.rowTexts) rows = withRowTexts(rows, decodeRowTexts(part));
	return { ...view, rows };
}

/**
 * `next`'s rows with the ids and previews of `previous` (an earlier view of the same file) where a row still starts on
 * the same source line and has no text yet: a session that grew keeps showing its previews while the new view's
 * parts arrive, which then replace them (the last message's may have grown).
 */
export function carryRowTexts(previous: readonly MessageRow[], next: readonly MessageRow[]): MessageRow[] {
	return next.map((row, index) => {
		const before = previous[index];
		return before !== undefined && row.id === '' && before.line === row.line && before.id !== ''
			? { ...row, id: before.id, preview: before.preview }
			: row;
	});
}
