import { createKeptTest } from '../../facts/reportLostFacts';
import type { ArtifactKind } from '../../facts/extractArtifacts';
import { itemGroups } from './composeHandoff';
import type { ActionItem, FactItem, HandoffItem, HandoffModel, ItemGroup } from './composeHandoff';

/** Level of detail per group, each in [0, 1]: 1 renders everything in full, 0 keeps only counts. */
export type DetailScales = Readonly<Record<ItemGroup, number>>;

/** Full detail for every group. */
export const fullDetail: DetailScales = Object.freeze({ focus: 1, carried: 1, other: 1 });

function clip(text: string, max: number): string {
	if (text.length <= max) return text;
	if (max <= 1) return '…';
	const cut = text.lastIndexOf(' ', max - 1);
	return `${text.slice(0, cut > max * 0.6 ? cut : max - 1).trimEnd()}…`;
}

/** Characters kept of one prose item (a decision, a constraint) at a scale. */
function proseChars(scale: number): number {
	return Math.round(60 + 340 * scale);
}

/** Scale below which fact items start to thin out; above it only prose shrinks, so facts outlast prose. */
const factFloor = 0.4;

/** How many prose items of a group are kept at a scale: they go first, all gone at `factFloor`. */
function proseCount(n: number, scale: number): number {
	return scale >= 1 ? n : Math.ceil(n * Math.max(0, (scale - factFloor) / (1 - factFloor)));
}

/** How many fact items (files, preserved values, artifacts) are kept: they only thin out below `factFloor`. */
function factCount(n: number, scale: number): number {
	return scale >= factFloor ? n : Math.ceil((n * scale) / factFloor);
}

/** How many Completed Actions of a group are written out: each carries its command or path, so they thin evenly. */
function actionCount(n: number, scale: number): number {
	return scale >= 1 ? n : Math.ceil(n * scale);
}

/** URLs are few and cannot be found again by reading the workspace: they are never thinned. */
function everyItem(n: number): number {
	return n;
}

interface Picked<T> {
	readonly shown: readonly T[];
	readonly omitted: number;
}

function pick<T extends { readonly group: ItemGroup }>(
	items: readonly T[],
	scales: DetailScales,
	count: (n: number, scale: number) => number,
	keep: 'first' | 'last',
	only?: ReadonlySet<ItemGroup>,
): Picked<T> {
	const shown: T[] = [];
	let omitted = 0;
	for (const group of itemGroups) {
		const inGroup = items.filter((i) => i.group === group);
		if (only !== undefined && !only.has(group)) continue;
		const n = Math.min(inGroup.length, count(inGroup.length, scales[group]));
		shown.push(...(keep === 'first' ? inGroup.slice(0, n) : inGroup.slice(inGroup.length - n)));
		omitted += inGroup.length - n;
	}
	return { shown, omitted };
}

function listLines(
	items: readonly HandoffItem[],
	scales: DetailScales,
	count: (n: number, scale: number) => number,
	keep: 'first' | 'last',
	only: ReadonlySet<ItemGroup> | undefined,
	minChars: number,
): string[] {
	const { shown, omitted } = pick(items, scales, count, keep, only);
	const lines = shown.map(
		(i) => `- ${clip(i.text.replace(/\s*\n\s*/g, ' '), Math.max(minChars, proseChars(scales[i.group])))}`,
	);
	if (omitted > 0) lines.push(`- (+${omitted} more)`);
	return lines;
}

function section(title: string, lines: readonly string[]): string[] {
	return lines.length === 0 ? [] : [`## ${title}`, ...lines];
}

function proseSection(
	title: string,
	items: readonly HandoffItem[],
	scales: DetailScales,
	keep: 'first' | 'last',
	only: ReadonlySet<ItemGroup> | undefined,
	minChars = 0,
): string[] {
	return section(title, listLines(items, scales, proseCount, keep, only, minChars));
}

/** Facts are never clipped: a shortened path or value is a wrong one. */
function factSection(
	title: string,
	items: readonly HandoffItem[],
	scales: DetailScales,
	only: ReadonlySet<ItemGroup> | undefined,
): string[] {
	return section(title, listLines(items, scales, factCount, 'first', only, Number.POSITIVE_INFINITY));
}

function actionLine(item: ActionItem, scale: number): string {
	if (item.action === undefined) return `${item.number}. ${clip(item.text ?? '', proseChars(scale) + 100)}`;
	const a = item.action;
	const target = clip(a.target, Math.round(60 + 280 * scale));
	const shownTarget = a.isCommand ? `\`${target}\`` : target;
	const outcomeChars = scale < 0.15 ? 0 : Math.round(40 + 200 * scale);
	const outcome = outcomeChars > 0 && a.outcome !== '' ? ` — ${clip(a.outcome, outcomeChars)}` : '';
	return `${item.number}. ${a.verb} ${shownTarget}${outcome} (${a.tool})`;
}

function actionsSection(
	model: HandoffModel,
	scales: DetailScales,
	only: ReadonlySet<ItemGroup> | undefined,
): string[] {
	const lines: string[] = [];
	let allowance = model.maxDetailedActions ?? Number.POSITIVE_INFINITY;
	for (const group of itemGroups) {
		if (only !== undefined && !only.has(group)) continue;
		const inGroup = model.actions.filter((a) => a.group === group);
		const n = Math.min(allowance, actionCount(inGroup.length, scales[group]));
		allowance -= n;
		const older = inGroup.slice(0, inGroup.length - n);
		if (older.length > 0) {
			const verbs = new Map<string, number>();
			for (const item of older) {
				const verb = item.action?.verb ?? (item.text ?? '').split(' ')[0] ?? 'ACTION';
				verbs.set(verb, (verbs.get(verb) ?? 0) + 1);
			}
			const first = older[0]?.number ?? 0;
			const last = older[older.length - 1]?.number ?? 0;
			const tally = [...verbs].map(([verb, count]) => `${verb} ×${count}`).join(', ');
			lines.push(
				`- (${older.length} ${group === 'focus' ? 'focus ' : ''}actions ${first}–${last} condensed: ${tally})`,
			);
		}
		for (const item of inGroup.slice(inGroup.length - n)) lines.push(actionLine(item, scales[group]));
	}
	return lines.length === 0 ? [] : ['## Completed Actions', ...lines];
}

const factLabels: Readonly<Record<Exclude<ArtifactKind, 'activeTask'>, string>> = {
	errorLine: 'Errors seen',
	command: 'Commands run',
	filePath: 'Paths',
	url: 'URLs',
	identifier: 'Names',
	number: 'Figures',
};

function factLines(
	facts: readonly FactItem[],
	keptText: string,
	scales: DetailScales,
	only: ReadonlySet<ItemGroup> | undefined,
): string[] {
	const isKept = createKeptTest(keptText);
	const missing = facts.filter((f) => !isKept(f.artifact));
	const lines: string[] = [];
	for (const kind of Object.keys(factLabels) as (keyof typeof factLabels)[]) {
		const { shown, omitted } = pick(
			missing.filter((f) => f.artifact.kind === kind),
			scales,
			kind === 'url' ? everyItem : factCount,
			'first',
			only,
		);
		if (shown.length === 0 && omitted === 0) continue;
		const more = omitted > 0 ? ` (+${omitted} more)` : '';
		const label = factLabels[kind];
		if (kind === 'errorLine' || kind === 'command') {
			lines.push(`- ${label}:${shown.length === 0 ? more : ''}`);
			for (const f of shown)
				lines.push(kind === 'command' ? `  - \`${f.artifact.value}\`` : `  - ${f.artifact.value}`);
			if (shown.length > 0 && more !== '') lines.push(`  - …${more}`);
		} else if (kind === 'number') {
			// Figures a tool printed are listed together under the action that printed them; figures said in the
			// talk keep the phrase around them, each phrase once.
			const values: string[] = [];
			const phrases = new Set<string>();
			const byOrigin = new Map<string, string[]>();
			for (const f of shown) {
				if (f.origin !== undefined) {
					const list = byOrigin.get(f.origin);
					if (list === undefined) byOrigin.set(f.origin, [f.artifact.value]);
					else list.push(f.artifact.value);
				} else if (f.context === undefined || scales[f.group] < 0.6) values.push(f.artifact.value);
				else if (!phrases.has(f.context)) {
					phrases.add(f.context);
					values.push(`"${f.context}"`);
				}
			}
			if (values.length > 0 || byOrigin.size === 0) lines.push(`- ${label}: ${values.join('; ')}${more}`);
			else lines.push(`- ${label}:${more}`);
			for (const [origin, list] of byOrigin) lines.push(`  - in the output of ${origin}: ${list.join(', ')}`);
		} else {
			lines.push(
				`- ${label}: ${shown.map((f) => f.artifact.value).join(kind === 'url' ? ' ' : ', ')}${more}`,
			);
		}
	}
	return lines;
}

/**
 * Renders the handoff at the given detail scales, optionally only some groups (to measure the focus share).
 * Artifacts that no section carries are listed verbatim under Critical Context so they survive compaction; when
 * the other sections alone are longer than `maxChars`, that listing is skipped, since the text is too long anyway.
 */
export function renderHandoff(
	model: HandoffModel,
	scales: DetailScales,
	only?: ReadonlySet<ItemGroup>,
	maxChars = Number.POSITIVE_INFINITY,
): string {
	const blocks: string[][] = [];
	blocks.push(['## Active Task', ...model.activeTask]);
	if (model.goal !== undefined && (only === undefined || only.has(model.goal.group))) {
		const scale = scales[model.goal.group];
		blocks.push(['## Goal', clip(model.goal.text, Math.round(150 + 850 * scale))]);
	}
	blocks.push(proseSection('Constraints & Preferences', model.constraints, scales, 'first', only));
	blocks.push(actionsSection(model, scales, only));
	// A handful of lines, each a different fact: never thinned, only shortened.
	blocks.push(
		section(
			'Active State',
			listLines(model.state, scales, (n) => n, 'last', only, 160),
		),
	);
	blocks.push(proseSection('In Progress', model.inProgress, scales, 'last', only));
	// Unresolved errors are facts: thinned last and never clipped (their lines are quoted verbatim).
	blocks.push(
		section('Blocked', listLines(model.blocked, scales, factCount, 'last', only, Number.POSITIVE_INFINITY)),
	);
	blocks.push(proseSection('Key Decisions', model.decisions, scales, 'last', only));
	blocks.push(proseSection('Resolved Questions', model.resolved, scales, 'last', only));
	blocks.push(proseSection('Pending User Asks', model.pending, scales, 'last', only));
	blocks.push(factSection('Relevant Files', model.files, scales, only));
	blocks.push(proseSection('Remaining Work', model.remaining, scales, 'first', only));
	const body = blocks.filter((b) => b.length > 0).map((b) => b.join('\n'));
	const critical = [
		...listLines(model.critical, scales, factCount, 'first', only, Number.POSITIVE_INFINITY),
		...listLines(model.notes, scales, proseCount, 'last', only, 0),
	];
	const keptSoFar = [...body, ...critical].join('\n');
	if (keptSoFar.length <= maxChars) critical.push(...factLines(model.facts, keptSoFar, scales, only));
	if (critical.length > 0) body.push(section('Critical Context', critical).join('\n'));
	return body.join('\n\n');
}
