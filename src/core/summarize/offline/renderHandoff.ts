import { createKeptTest } from '../../facts/reportLostFacts';
import { numbersInText } from '../../facts/extractArtifacts';
import type { ArtifactKind } from '../../facts/extractArtifacts';
import { itemGroups } from './composeHandoff';
import { errorPatternKey } from './digestSession';
import type { ActionItem, FactItem, HandoffItem, HandoffModel, ItemGroup } from './composeHandoff';

/** Level of detail per group, each in [0, 1]: 1 renders everything in full, 0 keeps only counts. */
export type DetailScales = Readonly<Record<ItemGroup, number>>;

/** Full detail for every group. */
export const fullDetail: DetailScales = Object.freeze({ focus: 1, carried: 1, other: 1 });

/** Most characters a clip may run past its length to finish a code span (a command is at most 200). */
const maxSpanOverrun = 200;

/**
 * A text shortened to about `max` characters at a word boundary, with `…` marking the cut. A cut never falls inside a
 * `code span` (a half command or path is a wrong one): it moves past the span when the span ends soon enough
 * (within `max` and `maxSpanOverrun` more characters), else before it.
 */
export function clip(text: string, max: number): string {
	if (text.length <= max) return text;
	if (max <= 1) return '…';
	const space = text.lastIndexOf(' ', max - 1);
	let cut = space > max * 0.6 ? space : max - 1;
	let ticks = 0;
	for (let i = text.indexOf('`'); i >= 0 && i < cut; i = text.indexOf('`', i + 1)) ticks++;
	if (ticks % 2 === 1) {
		const open = text.lastIndexOf('`', cut - 1);
		const close = text.indexOf('`', cut);
		if (close >= 0 && close + 1 - cut <= Math.min(max, maxSpanOverrun)) cut = close + 1;
		else cut = open;
		if (cut >= text.length) return text;
	}
	const kept = text.slice(0, cut).trimEnd();
	return kept === '' ? '…' : `${kept}…`;
}

/** Characters kept of one prose item (a decision, a constraint) at a scale. */
function proseChars(scale: number): number {
	return Math.round(60 + 340 * scale);
}

/** Scale below which fact items start to thin out; above it only prose shrinks, so facts outlast prose. */
export const factFloor = 0.4;

/** How many prose items of a group are kept at a scale: they go first, all gone at `factFloor`. */
function proseCount(n: number, scale: number): number {
	return scale >= 1 ? n : Math.ceil(n * Math.max(0, (scale - factFloor) / (1 - factFloor)));
}

/** A count of fact items that only thins out below `floor`, reaching none at scale 0; a floor of 0 never thins. */
function thinBelow(floor: number): (n: number, scale: number) => number {
	return (n, scale) => (floor <= 0 || scale >= floor ? n : Math.ceil((n * scale) / floor));
}

/**
 * Scale below which each kind of fact thins out, once all prose is gone: paths first (a search finds them again),
 * then names, figures and commands, errors last; URLs never (they cannot be found again by reading the workspace).
 */
const kindFloors: Readonly<Record<Exclude<ArtifactKind, 'activeTask'>, number>> = {
	filePath: factFloor,
	identifier: 0.3,
	number: 0.25,
	command: 0.2,
	errorLine: 0.1,
	url: 0,
};

/**
 * R10: facts that match the focus thin only at this share of their kind's scale: the focus's paths, names and
 * commands are kept before its action lines and prose (a fact is a few words; an action line is a sentence).
 */
const focusFactFloorShare = 0.25;

/** Files the session touched through tools: kept a little longer than paths merely seen in outputs. */
const touchedFileCount = thinBelow(0.3);

/** Unresolved errors: the last facts to thin. */
const errorCount = thinBelow(kindFloors.errorLine);

/** Preserved values (H5) and fact lines carried from the previous summary: kept almost to the end. */
const criticalCount = thinBelow(0.15);

/** How many Completed Actions of a group are written out: each carries its command or path, so they thin evenly. */
function actionCount(n: number, scale: number): number {
	return scale >= 1 ? n : Math.ceil(n * scale);
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

/**
 * Bullet lines of the items that fit. What was left out is said, never as a bullet of its own: prose that does not
 * fit is simply not written (it holds no fact), and for facts (`noun` given) the last line says how many more
 * there were (`… (+3 more files not listed)`).
 */
function listLines(
	items: readonly HandoffItem[],
	scales: DetailScales,
	count: (n: number, scale: number) => number,
	keep: 'first' | 'last',
	only: ReadonlySet<ItemGroup> | undefined,
	minChars: number,
	noun?: string,
): string[] {
	const { shown, omitted } = pick(items, scales, count, keep, only);
	const lines = shown.map(
		(i) => `- ${clip(i.text.replace(/\s*\n\s*/g, ' '), Math.max(minChars, proseChars(scales[i.group])))}`,
	);
	if (omitted > 0 && noun !== undefined) {
		const note = `${omitted} more ${noun} not listed`;
		const last = lines.length - 1;
		if (last >= 0) lines[last] = `${lines[last] ?? ''} (+${note})`;
		else lines.push(`- ${note.charAt(0).toUpperCase()}${note.slice(1)}.`);
	}
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
	return section(
		title,
		listLines(items, scales, touchedFileCount, 'first', only, Number.POSITIVE_INFINITY, 'files'),
	);
}

/** Findings outlast other prose: they thin only once facts start to. */
const findingCount = thinBelow(0.3);

function actionLine(item: ActionItem, scale: number): string {
	if (item.action === undefined) {
		if (item.isTally === true) return carriedTally(item.text ?? '', scale);
		const label = item.lastNumber !== undefined ? `${item.number}–${item.lastNumber}` : `${item.number}`;
		return `${label}. ${clip(item.text ?? '', proseChars(scale) + 100)}`;
	}
	const a = item.action;
	// The target is a command or a path: written whole at every scale, only the outcome shrinks.
	const shownTarget = a.isCommand ? `\`${a.target}\`` : a.target;
	const outcomeChars = scale < 0.15 ? 0 : Math.round(40 + 200 * scale);
	const outcome = outcomeChars > 0 && a.outcome !== '' ? ` — ${clip(a.outcome, outcomeChars)}` : '';
	return `${item.number}. ${a.verb} ${shownTarget}${outcome} (${a.tool})`;
}

/**
 * Action lines in order, consecutive ones that read the same (same action on the same target, outcome not shown or
 * identical) merged into one numbered range: `60–64. EDIT a.md (Edit)`.
 */
function mergeRepeats(items: readonly ActionItem[], scales: DetailScales): string[] {
	const out: string[] = [];
	let run: { first: number; last: number; body: string } | undefined;
	const flush = (): void => {
		if (run === undefined) return;
		out.push(`${run.first === run.last ? run.first : `${run.first}–${run.last}`}. ${run.body}`);
		run = undefined;
	};
	for (const item of items) {
		const line = actionLine(item, scales[item.group]);
		const body = line.slice(line.indexOf('. ') + 2);
		if (item.action !== undefined && run !== undefined && run.body === body && run.last + 1 === item.number) {
			run.last = item.number;
			continue;
		}
		flush();
		if (item.action === undefined) out.push(line);
		else run = { first: item.number, last: item.number, body };
	}
	flush();
	return out;
}

/** Most figures written next to one condensed command. */
const maxInlineFigures = 3;

/** Figures each action's output printed, by action number, in the order first seen. */
function figuresByAction(facts: readonly FactItem[]): Map<number, string[]> {
	const out = new Map<number, string[]>();
	for (const f of facts) {
		if (f.artifact.kind !== 'number' || f.originNumber === undefined) continue;
		const list = out.get(f.originNumber);
		if (list === undefined) out.set(f.originNumber, [f.artifact.value]);
		else list.push(f.artifact.value);
	}
	return out;
}

/** Commands of condensed actions thin like command facts; other targets (searches, delegations) a little earlier. */
const condensedCommandCount = thinBelow(kindFloors.command);
const condensedTargetCount = thinBelow(0.3);

/**
 * A tally of condensed actions carried from the previous summary (R9): its line as written, then the commands and
 * targets listed under it verbatim, the newest kept when they must thin.
 */
function carriedTally(text: string, scale: number): string {
	const [head = '', ...rest] = text.split('\n');
	const listed = rest.map((l) => l.trim()).filter((l) => l !== '');
	const n = Math.min(listed.length, condensedCommandCount(listed.length, scale));
	const lines = [`- ${withUnlisted(head.trim(), listed.length - n, 'entries')}`];
	for (const line of listed.slice(listed.length - n))
		lines.push(`  ${line.startsWith('- ') ? line : `- ${line}`}`);
	return lines.join('\n');
}

/** A tally line `(… condensed: …)` that also says how many of what it holds are not listed under it. */
function withUnlisted(tally: string, unlisted: number, noun: string): string {
	if (unlisted <= 0) return tally;
	return tally.endsWith(')')
		? `${tally.slice(0, -1)}; ${unlisted} ${noun} not listed)`
		: `${tally} (${unlisted} ${noun} not listed)`;
}

/** The verbs and counts of a carried tally line: `(9 actions 1–9 condensed: READ ×3, RAN ×6)`. */
function tallyCounts(head: string): { total: number; verbs: [string, number][] } {
	const total = Number(/^\((\d+) /.exec(head)?.[1] ?? 1);
	const verbs: [string, number][] = [];
	for (const part of (/condensed: ([^;)]*)/.exec(head)?.[1] ?? '').split(', ')) {
		const m = /^(.+) ×(\d+)$/.exec(part.trim());
		if (m !== null) verbs.push([m[1] ?? 'ACTION', Number(m[2])]);
	}
	const counted = verbs.reduce((sum, [, n]) => sum + n, 0);
	if (counted < total) verbs.push(['ACTION', total - counted]);
	return { total, verbs };
}

/** Verb of a carried action line (`RAN`, `DONE`, `RESOLVED`), `ACTION` when it has none. */
function carriedVerb(text: string): string {
	return /^([A-Z][A-Z_]+)\b/.exec(text)?.[1] ?? 'ACTION';
}

/** The tally line of condensed actions: how many, which numbers, and how many of each verb. */
function tallyLine(older: readonly ActionItem[], group: ItemGroup): string {
	const verbs = new Map<string, number>();
	const add = (verb: string, n: number): void => void verbs.set(verb, (verbs.get(verb) ?? 0) + n);
	let total = 0;
	for (const item of older) {
		if (item.action !== undefined) {
			add(item.action.verb, 1);
			total++;
		} else if (item.isTally === true) {
			const counts = tallyCounts((item.text ?? '').split('\n')[0] ?? '');
			for (const [verb, n] of counts.verbs) add(verb, n);
			total += counts.total;
		} else {
			const n = item.lastNumber !== undefined ? item.lastNumber - item.number + 1 : 1;
			add(carriedVerb(item.text ?? ''), n);
			total += n;
		}
	}
	const first = older[0]?.number ?? 0;
	const lastItem = older[older.length - 1];
	const last = lastItem?.lastNumber ?? lastItem?.number ?? 0;
	const tally = [...verbs].map(([verb, count]) => `${verb} ×${count}`).join(', ');
	const what = `${group === 'focus' ? 'focus ' : ''}action${total === 1 ? '' : 's'}`;
	return `- (${total} ${what} ${first === last ? first : `${first}–${last}`} condensed: ${tally})`;
}

/**
 * What condensed actions did, under their tally: every distinct command verbatim (with how often it ran, whether
 * its last run failed and the figures it printed) and the other targets by verb; commands a carried tally listed
 * are kept as written. Reads, edits and writes are left out: Relevant Files lists each file with what was done to
 * it. Commands of unresolved failures are left to Blocked.
 */
function condensedTargets(
	older: readonly ActionItem[],
	scale: number,
	context: {
		readonly blocked: ReadonlySet<string>;
		readonly figures: ReadonlyMap<number, readonly string[]>;
		readonly dropped: Set<string>;
		/** Counts of what the tally holds but does not list, said on the tally line. */
		readonly unlisted: { commands: number; targets: number };
	},
): string[] {
	const { blocked, dropped } = context;
	// Keyed by command, in the order of each command's last run; `line` is the entry as written.
	const commands = new Map<string, { runs: number; line: string; isFresh: boolean }>();
	const put = (command: string, line: string, isFresh: boolean): void => {
		const runs = (commands.get(command)?.runs ?? 0) + 1;
		commands.delete(command);
		commands.set(command, { runs, line, isFresh });
	};
	const carriedOther: string[] = [];
	const byVerb = new Map<string, string[]>();
	for (const item of older) {
		const a = item.action;
		if (a === undefined) {
			const [head = '', ...rest] = (item.text ?? '').split('\n');
			if (item.isTally === true) {
				for (const raw of rest) {
					const line = raw.trim().replace(/^- /, '');
					const command = /^`([^`]+)`/.exec(line)?.[1];
					if (command !== undefined) put(command, line, false);
					else if (line !== '' && !/^\(\+\d+ more/.test(line)) carriedOther.push(line);
				}
			} else {
				const ran = /^RAN `([^`]+)`(.*)$/.exec(head);
				const command = ran?.[1];
				if (command !== undefined) {
					// The figures of its outcome (`Done in 2.70s`) stay next to it.
					const figures = numbersInText(ran?.[2] ?? '').slice(0, maxInlineFigures);
					put(command, `\`${command}\`${figures.length > 0 ? ` — ${figures.join(', ')}` : ''}`, false);
				}
			}
			continue;
		}
		if (a.isCommand) {
			if (blocked.has(a.target)) continue;
			// A command run more than once is shown as its last run: whether it failed, what it printed.
			const shown = (context.figures.get(a.number) ?? []).slice(0, maxInlineFigures);
			const failed = a.hasResult && !a.ok;
			const notes = [...(failed ? ['failed'] : []), ...(shown.length > 0 ? [shown.join(', ')] : [])];
			put(a.target, `${notes.length > 0 ? ` — ${notes.join('; ')}` : ''}`, true);
		} else if (a.kind !== 'read' && a.kind !== 'edit' && a.kind !== 'write' && a.kind !== 'todo') {
			const list = byVerb.get(a.verb) ?? [];
			if (!list.includes(a.target)) list.push(a.target);
			byVerb.set(a.verb, list);
		}
	}
	const lines: string[] = [];
	const all = [...commands];
	const n = Math.min(all.length, condensedCommandCount(all.length, scale));
	context.unlisted.commands += all.length - n;
	for (const [command] of all.slice(0, all.length - n)) dropped.add(command);
	for (const [command, { runs, line, isFresh }] of all.slice(all.length - n))
		lines.push(isFresh ? `  - \`${command}\`${runs > 1 ? ` ×${runs}` : ''}${line}` : `  - ${line}`);
	const others = carriedOther.slice(carriedOther.length - condensedTargetCount(carriedOther.length, scale));
	for (const line of others) lines.push(`  - ${line}`);
	for (const [verb, targets] of byVerb) {
		const keep =
			verb.startsWith('FETCH') || verb.startsWith('SEARCH WEB')
				? targets.length
				: condensedTargetCount(targets.length, scale);
		const shown = targets.slice(targets.length - Math.min(targets.length, keep));
		context.unlisted.targets += targets.length - shown.length;
		if (shown.length > 0) lines.push(`  - ${verb}: ${shown.join('; ')}`);
	}
	return lines;
}

function actionsSection(
	model: HandoffModel,
	scales: DetailScales,
	only: ReadonlySet<ItemGroup> | undefined,
	dropped: Set<string>,
): string[] {
	// Each group decides how many of its latest actions are written in full; the rest of every group is condensed
	// into one tally. Both lists are in the session's order, whatever group an action is in.
	const detailed: ActionItem[] = [];
	const older: ActionItem[] = [];
	let allowance = model.maxDetailedActions ?? Number.POSITIVE_INFINITY;
	for (const group of itemGroups) {
		if (only !== undefined && !only.has(group)) continue;
		const inGroup = model.actions.filter((a) => a.group === group);
		const n = Math.min(allowance, actionCount(inGroup.length, scales[group]));
		allowance -= n;
		older.push(...inGroup.slice(0, inGroup.length - n));
		detailed.push(...inGroup.slice(inGroup.length - n));
	}
	const byNumber = (a: ActionItem, b: ActionItem): number => a.number - b.number;
	// The tally holds one unbroken run from the start: an action after the first one written in full is written in
	// full too, so the numbers read in order.
	const firstDetailed = Math.min(...detailed.map((a) => a.number));
	for (let i = older.length - 1; i >= 0; i--) {
		const item = older[i];
		if (item !== undefined && item.number > firstDetailed) {
			detailed.push(item);
			older.splice(i, 1);
		}
	}
	older.sort(byNumber);
	detailed.sort(byNumber);
	const lines: string[] = [];
	if (older.length > 0) {
		// The tally thins at the scale of the group most of its actions belong to.
		const counts = new Map<ItemGroup, number>();
		for (const item of older) counts.set(item.group, (counts.get(item.group) ?? 0) + 1);
		const group = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'other';
		const unlisted = { commands: 0, targets: 0 };
		// R10: the focus's condensed commands and targets are facts of the focus, kept like its other facts.
		const factScale = group === 'focus' ? Math.min(1, scales.focus / focusFactFloorShare) : scales[group];
		const targets = condensedTargets(older, factScale, {
			blocked: model.blockedCommands ?? new Set(),
			figures: figuresByAction(model.facts),
			dropped,
			unlisted,
		});
		let tally = tallyLine(
			older,
			only !== undefined && only.size === 1 && only.has('focus') ? 'focus' : 'other',
		);
		tally = withUnlisted(tally, unlisted.commands, unlisted.commands === 1 ? 'command' : 'commands');
		tally = withUnlisted(tally, unlisted.targets, unlisted.targets === 1 ? 'other target' : 'other targets');
		lines.push(tally, ...targets);
	}
	lines.push(...mergeRepeats(detailed, scales));
	return lines.length === 0 ? [] : ['## Completed Actions', ...lines];
}

const factLabels: Readonly<Record<Exclude<ArtifactKind, 'activeTask'>, string>> = {
	errorLine: 'Other error lines',
	command: 'Commands run',
	filePath: 'Paths',
	url: 'URLs',
	identifier: 'Names',
	number: 'Figures',
};

/**
 * Like `pick`, for listed facts: when a group's facts must thin, the ones the person or the assistant named or a tool
 * call acted on are kept before those only seen in a tool's output, then the shorter before the longer (as many facts as the room holds);
 * the kept ones stay in the order they were first seen.
 */
function pickFacts(
	items: readonly FactItem[],
	scales: DetailScales,
	count: (n: number, scale: number) => number,
	focusCount: (n: number, scale: number) => number,
	only: ReadonlySet<ItemGroup> | undefined,
): Picked<FactItem> {
	const shown: FactItem[] = [];
	let omitted = 0;
	const isTalk = (f: FactItem): boolean =>
		f.artifact.source === 'user' || f.artifact.source === 'assistant' || f.isActedOn === true;
	for (const group of itemGroups) {
		if (only !== undefined && !only.has(group)) continue;
		const inGroup = items.filter((i) => i.group === group);
		const n = Math.min(
			inGroup.length,
			(group === 'focus' ? focusCount : count)(inGroup.length, scales[group]),
		);
		if (n === inGroup.length) shown.push(...inGroup);
		else {
			const ranked = inGroup
				.map((item, at) => ({ item, at }))
				.sort(
					(x, y) =>
						Number(isTalk(y.item)) - Number(isTalk(x.item)) ||
						x.item.artifact.value.length - y.item.artifact.value.length ||
						x.at - y.at,
				);
			const kept = new Set(ranked.slice(0, n).map((r) => r.at));
			shown.push(...inGroup.filter((_, at) => kept.has(at)));
		}
		omitted += inGroup.length - n;
	}
	return { shown, omitted };
}

function factLines(
	facts: readonly FactItem[],
	keptText: string,
	scales: DetailScales,
	only: ReadonlySet<ItemGroup> | undefined,
	condensedAway: ReadonlySet<string>,
	patterns: ReadonlySet<string>,
): string[] {
	const isKept = createKeptTest(keptText);
	// A command counts as written only as a whole code span: `make test` inside `make test-all` is another command.
	const isWritten = (f: FactItem): boolean =>
		f.artifact.kind === 'command' ? keptText.includes(`\`${f.artifact.value}\``) : isKept(f.artifact);
	// Commands the condensed actions already count (`N commands not listed`) are not listed a second time; error
	// lines of a pattern the error listing holds are that pattern; a figure is written only with what it measures.
	const missing = facts.filter(
		(f) =>
			!isWritten(f) &&
			!(f.artifact.kind === 'command' && condensedAway.has(f.artifact.value)) &&
			!(f.artifact.kind === 'errorLine' && patterns.has(errorPatternKey(f.artifact.value))) &&
			!(f.artifact.kind === 'number' && (f.context === undefined || f.context === f.artifact.value)),
	);
	const lines: string[] = [];
	for (const kind of Object.keys(factLabels) as (keyof typeof factLabels)[]) {
		const { shown, omitted } = pickFacts(
			missing.filter((f) => f.artifact.kind === kind),
			scales,
			thinBelow(kindFloors[kind]),
			thinBelow(kindFloors[kind] * focusFactFloorShare),
			only,
		);
		if (shown.length === 0 && omitted === 0) continue;
		const more = omitted > 0 ? ` (+${omitted} more not listed)` : '';
		const label = factLabels[kind];
		if (kind === 'errorLine' || kind === 'command') {
			// What is not listed is said on the label line, not as a placeholder bullet.
			lines.push(`- ${label}:${more}`);
			for (const f of shown)
				lines.push(kind === 'command' ? `  - \`${f.artifact.value}\`` : `  - ${f.artifact.value}`);
		} else if (kind === 'number') {
			// Each figure with the phrase that says what it measures, each phrase once; a tool's figure also says
			// which action printed it.
			const phrases: string[] = [];
			for (const f of shown) {
				const phrase = `"${f.context ?? f.artifact.value}"${f.origin !== undefined ? ` (${f.origin})` : ''}`;
				if (!phrases.includes(phrase)) phrases.push(phrase);
			}
			if (phrases.length > 0) lines.push(`- ${label}: ${phrases.join('; ')}${more}`);
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
	const condensedAway = new Set<string>();
	blocks.push(actionsSection(model, scales, only, condensedAway));
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
		section('Blocked', listLines(model.blocked, scales, errorCount, 'last', only, Number.POSITIVE_INFINITY)),
	);
	blocks.push(section('Findings', listLines(model.findings, scales, findingCount, 'last', only, 160)));
	blocks.push(proseSection('Key Decisions', model.decisions, scales, 'last', only));
	blocks.push(proseSection('Resolved Questions', model.resolved, scales, 'last', only));
	blocks.push(proseSection('Pending User Asks', model.pending, scales, 'last', only));
	blocks.push(factSection('Relevant Files', model.files, scales, only));
	blocks.push(proseSection('Remaining Work', model.remaining, scales, 'first', only));
	const body = blocks.filter((b) => b.length > 0).map((b) => b.join('\n'));
	const errors = listLines(
		model.errorPatterns,
		scales,
		errorCount,
		'last',
		only,
		Number.POSITIVE_INFINITY,
		'error patterns',
	);
	const critical = [
		...listLines(model.critical, scales, criticalCount, 'first', only, Number.POSITIVE_INFINITY, 'values'),
		// One line per pattern (lines that differ only in numbers or quoted words), with its count and actions.
		...(errors.length > 0 ? ['- Errors seen:', ...errors.map((e) => `  ${e}`)] : []),
		...listLines(model.notes, scales, proseCount, 'last', only, 0),
	];
	const keptSoFar = [...body, ...critical].join('\n');
	const patterns = new Set(model.errorPatterns.flatMap((p) => p.keys));
	if (keptSoFar.length <= maxChars)
		critical.push(...factLines(model.facts, keptSoFar, scales, only, condensedAway, patterns));
	if (critical.length > 0) body.push(section('Critical Context', critical).join('\n'));
	return body.join('\n\n');
}
