import type { Artifact } from '../../facts/extractArtifacts';
import { errorPatternKey, formatOps } from './digestSession';
import type { Action, SessionDigest } from './digestSession';
import type { HandoffSectionTitle, ParsedHandoff } from './handoffSections';
import { mentionsFocus } from '../../text/focusTerms';

/** How an item competes for the budget: focus items first (R10), then facts carried from the previous summary (R9), then the rest. */
export type ItemGroup = 'focus' | 'carried' | 'other';

/** Message id given to the previous summary when its artifacts are extracted alongside the new messages. */
export const previousSummaryId = 'previous-summary';

/** Every group, in the order items are listed within a section. */
export const itemGroups: readonly ItemGroup[] = ['focus', 'carried', 'other'];

/** One line of a section before budgeting: its text (without bullet) and its group. */
export interface HandoffItem {
	readonly text: string;
	readonly group: ItemGroup;
}

/** An error pattern's line, with the pattern keys of the lines it quotes. */
export interface PatternItem extends HandoffItem {
	readonly keys: readonly string[];
}

/** A Completed Actions entry: a fresh action, or a numbered line carried over verbatim. */
export interface ActionItem {
	readonly number: number;
	readonly group: ItemGroup;
	readonly action?: Action;
	/** Carried text without its number. */
	readonly text?: string;
	/** A carried line that stood for a range of actions (`12–14. …`, a tally): the last number of the range. */
	readonly lastNumber?: number;
	/** A carried tally of condensed actions, with the commands listed under it (kept, thinned like commands). */
	readonly isTally?: boolean;
}

/** An artifact to list in Critical Context when no other section already carries it. */
export interface FactItem {
	readonly artifact: Artifact;
	readonly group: ItemGroup;
	/** The phrase around a number, shown when there is room. */
	readonly context?: string;
	/** For a number in a tool's output: the action that printed it (`#20 RAN \`npm test\``), its figures listed together. */
	readonly origin?: string;
	/** For a number in a tool's output: the number of the action that printed it. */
	readonly originNumber?: number;
	/** A tool call acted on it (a path or command in its arguments), so it outranks values only seen in output. */
	readonly isActedOn?: boolean;
}

/** The handoff's content with every item grouped, ready to be rendered at any level of detail. */
export interface HandoffModel {
	/** Lines of the Active Task section, never condensed except to fit a tiny budget. */
	readonly activeTask: readonly string[];
	readonly goal?: HandoffItem;
	readonly constraints: readonly HandoffItem[];
	readonly actions: readonly ActionItem[];
	readonly state: readonly HandoffItem[];
	readonly inProgress: readonly HandoffItem[];
	readonly blocked: readonly HandoffItem[];
	readonly decisions: readonly HandoffItem[];
	readonly resolved: readonly HandoffItem[];
	readonly pending: readonly HandoffItem[];
	readonly files: readonly HandoffItem[];
	readonly remaining: readonly HandoffItem[];
	/** Preserved values (H5) and notes carried from the previous summary. */
	readonly critical: readonly HandoffItem[];
	/** Prose carried from the previous summary that fits no section, condensed like other prose. */
	readonly notes: readonly HandoffItem[];
	/** Conclusions reached (Findings): closing statements, causes, answers; prose, condensed last among prose. */
	readonly findings: readonly HandoffItem[];
	/** Error lines as patterns with counts and where they first and last showed, written in Critical Context. */
	readonly errorPatterns: readonly PatternItem[];
	readonly facts: readonly FactItem[];
	/** Commands of unresolved failures: Blocked writes them out, so condensed actions do not repeat them. */
	readonly blockedCommands?: ReadonlySet<string>;
	/**
	 * At most this many Completed Actions are written in full; older ones collapse into a tally that still lists
	 * their commands.
	 */
	readonly maxDetailedActions?: number;
}

/** What besides the messages shapes the handoff. */
export interface ComposeInput {
	readonly digest: SessionDigest;
	readonly artifacts: readonly Artifact[];
	readonly previous?: ParsedHandoff;
	readonly activeTask?: string;
	readonly activeTaskLooksDone?: boolean;
	readonly focusTerms: readonly string[];
	readonly preservedValues?: Readonly<Record<string, string>>;
}

function stripBullet(item: string): string {
	return item.replace(/^(?:[-*] |\d+[.)] )/, '');
}

function normalised(text: string): string {
	return text
		.toLowerCase()
		.replace(/[`"'*_]/g, '')
		.replace(/\s+/g, ' ')
		.trim();
}

function clipTarget(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length <= 120 ? flat : `${flat.slice(0, 119)}…`;
}

/**
 * A carried Critical Context line that is itself a fact: a listing this summariser wrote (`Paths: …`, `Commands
 * run: …`), an earlier task or request, or a preserved `key: value`. It is kept verbatim, never shortened.
 */
function isFactLine(text: string): boolean {
	if (
		/^(?:Errors seen|Other error lines|Commands run|Paths|URLs|Names|Figures|Earlier task|Earlier request):/.test(
			text,
		)
	)
		return true;
	if (/^(?:Finding|Latest report|Earlier summary):/.test(text)) return false;
	return text.length <= 300 && !text.includes('\n') && /^[\w.$[\]-]{1,60}: \S/.test(text);
}

function quoteTask(text: string): string {
	return `"${text}"`;
}

/**
 * Builds the grouped handoff from the digest, the previous summary (R9, G4: kept, extended, done items moved to
 * Completed Actions, Active Task refreshed), preserved values (H5) and focus terms (R10).
 */
export function composeHandoff(input: ComposeInput): HandoffModel {
	const { digest, previous, focusTerms } = input;
	const carried = (title: HandoffSectionTitle): string[] => [...(previous?.sections.get(title) ?? [])];
	const groupOf = (text: string, fallback: ItemGroup): ItemGroup =>
		mentionsFocus(text, focusTerms) ? 'focus' : fallback;
	const items = (texts: readonly string[], fallback: ItemGroup): HandoffItem[] =>
		texts.map((text) => ({ text, group: groupOf(text, fallback) }));
	const merge = (old: readonly string[], fresh: readonly string[]): HandoffItem[] => {
		const seen = new Set(old.map((t) => normalised(stripBullet(t))));
		return [
			...items(old.map(stripBullet), 'carried'),
			...items(
				fresh.filter((t) => !seen.has(normalised(t))),
				'other',
			),
		];
	};

	const completed = completedActionItems(carried, digest, groupOf);

	const blockedFresh = blockedLines(digest);

	const state = activeStateItems(carried('Active State'), digest.state, groupOf);

	const fileItems = fileLines(carried('Relevant Files'), digest, groupOf);

	const critical: HandoffItem[] = [];
	// Carried prose (findings, reports, another summariser's sections) is condensed like prose; its facts are
	// extracted from the previous summary and listed on their own when the prose no longer holds them.
	const carriedProse: HandoffItem[] = [];
	for (const [key, value] of Object.entries(input.preservedValues ?? {}))
		critical.push({ text: `${key}: ${value}`, group: groupOf(`${key} ${value}`, 'carried') });
	for (const item of items(carried('Critical Context').map(stripBullet), 'carried'))
		(isFactLine(item.text) ? critical : carriedProse).push(item);
	carriedProse.push(...items(previous?.extra ?? [], 'carried'));
	if (previous !== undefined && previous.preamble !== '')
		carriedProse.push({
			text: `Earlier summary: ${previous.preamble}`,
			group: groupOf(previous.preamble, 'carried'),
		});

	const activeTask = activeTaskLines(input, critical, groupOf);

	const previousGoal = carried('Goal')[0];
	const goalText = previousGoal ?? digest.goal;

	const resolvedFresh = digest.questions
		.filter((q) => q.answer !== undefined)
		.map((q) => `Q: ${q.question} — A: ${q.answer ?? ''}`);
	const pendingFresh = digest.questions.filter((q) => q.answer === undefined).map((q) => q.question);

	// Findings a summariser wrote into Critical Context before there was a section for them move to it.
	const carriedFindings = [
		...carried('Findings'),
		...carriedProse
			.filter((c) => /^(?:Finding|Latest report): /.test(c.text))
			.map((c) => c.text.replace(/^(?:Finding|Latest report): /, '')),
	];
	const notes = carriedProse.filter((c) => !/^(?:Finding|Latest report): /.test(c.text));

	return {
		activeTask,
		notes,
		findings: merge(carriedFindings, digest.findings),
		errorPatterns: errorPatternItems(digest, groupOf),
		...(goalText !== undefined
			? {
					goal: {
						text: goalText,
						group: groupOf(goalText, previousGoal !== undefined ? 'carried' : 'other'),
					},
				}
			: {}),
		blockedCommands: new Set(digest.blocked.filter((a) => a.isCommand).map((a) => a.target)),
		constraints: merge(carried('Constraints & Preferences'), digest.constraints),
		actions: completed.actions,
		state,
		inProgress: merge(completed.inProgress, digest.inProgress),
		blocked: merge(completed.blocked, blockedFresh),
		decisions: merge(carried('Key Decisions'), digest.decisions),
		resolved: merge(carried('Resolved Questions'), resolvedFresh),
		pending: merge(carried('Pending User Asks'), pendingFresh),
		files: fileItems,
		remaining: merge(completed.remaining, digest.remaining),
		critical,
		facts: factItems(input, groupOf),
	};
}

function activeTaskLines(
	input: ComposeInput,
	critical: HandoffItem[],
	groupOf: (text: string, fallback: ItemGroup) => ItemGroup,
): string[] {
	const { digest, previous } = input;
	const previousTask = previous?.sections.get('Active Task')?.[0];
	const lines: string[] = [];
	if (input.activeTask !== undefined && input.activeTask.trim() !== '') {
		lines.push(
			input.activeTaskLooksDone === true
				? `None outstanding. The latest request looks done (check before redoing it): ${quoteTask(input.activeTask.trim())}`
				: `User asked: ${quoteTask(input.activeTask.trim())}`,
		);
		const own = digest.task;
		// The planner's task is newer; the request made inside these messages is still context worth keeping.
		if (own !== undefined && own.text.trim() !== input.activeTask.trim())
			critical.push({ text: `Earlier request: ${quoteTask(own.text)}`, group: groupOf(own.text, 'other') });
	} else if (digest.task !== undefined) {
		const task = digest.task;
		lines.push(
			task.looksFulfilled
				? `None outstanding. The latest request looks done (check before redoing it): ${quoteTask(task.text)}`
				: `User asked: ${quoteTask(task.text)}`,
		);
		if (task.followUps.length > 0) lines.push(`Then replied: ${task.followUps.map(quoteTask).join(', ')}`);
	} else if (previousTask !== undefined) {
		return previousTask.split('\n');
	} else {
		lines.push('None.');
	}
	// A superseded task from the previous summary stays on record (R9: its facts must survive).
	if (
		previousTask !== undefined &&
		!/^None\b/.test(previousTask) &&
		!lines.join('\n').includes(stripQuotes(previousTask))
	)
		critical.push({
			text: `Earlier task: ${previousTask.replace(/\n+/g, ' ')}`,
			group: groupOf(previousTask, 'carried'),
		});
	return lines;
}

function stripQuotes(task: string): string {
	const quoted = /"([\s\S]*)"/.exec(task)?.[1];
	return (quoted ?? task).trim();
}

function activeStateItems(
	old: readonly string[],
	fresh: readonly string[],
	groupOf: (text: string, fallback: ItemGroup) => ItemGroup,
): HandoffItem[] {
	const label = (line: string): string => stripBullet(line).split(':')[0]?.trim().toLowerCase() ?? '';
	const freshLabels = new Set(fresh.map(label));
	const kept = old.filter((line) => !freshLabels.has(label(line))).map(stripBullet);
	return [
		...kept.map((text) => ({ text, group: groupOf(text, 'carried') })),
		...fresh.map((text) => ({ text, group: groupOf(text, 'other') })),
	];
}

function fileLines(
	old: readonly string[],
	digest: SessionDigest,
	groupOf: (text: string, fallback: ItemGroup) => ItemGroup,
): HandoffItem[] {
	const fresh = new Map(digest.files.map((f) => [f.path, formatOps(f.ops)]));
	const out: HandoffItem[] = [];
	for (const line of old) {
		const text = stripBullet(line);
		const [path, ops] = text.split(' — ', 2);
		const now = path !== undefined ? fresh.get(path) : undefined;
		if (path !== undefined && now !== undefined) {
			out.push({ text: `${path} — ${ops ?? 'seen'}; then ${now}`, group: groupOf(text, 'carried') });
			fresh.delete(path);
		} else out.push({ text, group: groupOf(text, 'carried') });
	}
	for (const [path, ops] of fresh) out.push({ text: `${path} — ${ops}`, group: groupOf(path, 'other') });
	return out;
}

/** How an item's group is chosen: `focus` when it mentions a focus term (R10), else the fallback. */
type GroupOf = (text: string, fallback: ItemGroup) => ItemGroup;

/** The Completed Actions and the carried open items that are still open. */
interface CompletedActions {
	readonly actions: ActionItem[];
	readonly inProgress: string[];
	readonly remaining: string[];
	readonly blocked: string[];
}

/**
 * G4: numbers the Completed Actions: carried lines keep their numbers (ranges and tallies included), carried open
 * items that these messages finished move here marked DONE or RESOLVED, then the fresh actions follow.
 */
function completedActionItems(
	carried: (title: HandoffSectionTitle) => string[],
	digest: SessionDigest,
	groupOf: GroupOf,
): CompletedActions {
	const successes = digest.actions.filter((a) => a.ok);
	const isDoneNow = (item: string): boolean => {
		const text = normalised(stripBullet(item));
		if (digest.todos.some((t) => t.status === 'completed' && normalised(t.content) === text)) return true;
		return successes.some(
			(a) =>
				(a.kind === 'edit' || a.kind === 'write' || a.kind === 'shell') &&
				[a.target, ...a.paths].some((t) => t.length >= 4 && item.includes(t)),
		);
	};

	const previousActions = carried('Completed Actions');
	let number = 0;
	const actionItems: ActionItem[] = [];
	for (const line of previousActions) {
		// `12. …`, a merged range `12–14. …`, or the tally of condensed actions `- (9 actions 1–9 condensed: …)`.
		const numbered = /^(\d+)(?:–(\d+))?[.)] /.exec(line);
		const tally = /^[-*] \(\d+ (?:focus )?actions? (\d+)(?:–(\d+))? condensed\b/.exec(line);
		const group = groupOf(line, 'carried');
		if (numbered !== null) {
			const first = Number(numbered[1]);
			const last = numbered[2] !== undefined ? Number(numbered[2]) : undefined;
			number = Math.max(number, last ?? first);
			actionItems.push({
				number: first,
				...(last !== undefined ? { lastNumber: last } : {}),
				group,
				text: line.slice(numbered[0].length),
			});
		} else if (tally !== null) {
			const last = Number(tally[2] ?? tally[1]);
			number = Math.max(number, last);
			actionItems.push({
				number: Number(tally[1]),
				lastNumber: last,
				isTally: true,
				group,
				text: stripBullet(line),
			});
		} else {
			number++;
			actionItems.push({ number, group, text: stripBullet(line) });
		}
	}
	const stillInProgress: string[] = [];
	const stillRemaining: string[] = [];
	const stillBlocked: string[] = [];
	const done = (bucket: string[], label: string) => (item: string) => {
		if (isDoneNow(item)) {
			number++;
			actionItems.push({ number, group: groupOf(item, 'carried'), text: `${label} ${stripBullet(item)}` });
		} else bucket.push(item);
	};
	carried('In Progress').forEach(done(stillInProgress, 'DONE'));
	carried('Remaining Work').forEach(done(stillRemaining, 'DONE'));
	carried('Blocked').forEach(done(stillBlocked, 'RESOLVED'));
	for (const action of digest.actions) {
		number++;
		actionItems.push({
			number,
			group: groupOf(`${action.verb} ${action.target} ${action.outcome} ${action.tool}`, 'other'),
			action,
		});
	}
	return {
		actions: actionItems,
		inProgress: stillInProgress,
		remaining: stillRemaining,
		blocked: stillBlocked,
	};
}

/**
 * The fresh Blocked lines. The error lines are written verbatim (the first one the result showed, then the most
 * telling one): an unresolved failure is searched for by its exact text.
 */
function blockedLines(digest: SessionDigest): string[] {
	return digest.blocked.map((a) => {
		// The command or path is written whole: a clipped one cannot be searched for or run again.
		const target = a.target;
		const first = a.firstErrorLine;
		const telltale = a.errorLine;
		const errors =
			first === undefined
				? (telltale ?? a.outcome)
				: telltale === undefined || telltale === first
					? first
					: `${first} · ${telltale}`;
		return `${a.isCommand ? `\`${target}\`` : target} (${a.tool}): ${errors}`;
	});
}

/** Error patterns as lines with their count and the actions they first and last showed in. */
function errorPatternItems(digest: SessionDigest, groupOf: GroupOf): PatternItem[] {
	return digest.errorPatterns.map((p) => {
		const where =
			p.count === 1
				? `action #${p.firstAction}`
				: `×${p.count}, first in action #${p.firstAction}, last in #${p.lastAction}`;
		const last = p.lastExample !== undefined ? `; last: ${p.lastExample}` : '';
		return {
			text: `${p.example} (${where}${last})`,
			group: groupOf(p.example, 'other'),
			keys: [errorPatternKey(p.example)],
		};
	});
}

/**
 * The artifacts Critical Context may list: a number's phrase and the action that printed it, and whether a tool
 * call acted on the value (it then outranks values only seen in output).
 */
function factItems(input: ComposeInput, groupOf: GroupOf): FactItem[] {
	const { digest } = input;
	const actedOn = new Set(digest.actions.flatMap((a) => [...a.paths, a.target]));
	const actedText = digest.actions
		.filter((a) => a.isCommand)
		.map((a) => a.target)
		.join('\n');
	return input.artifacts
		.filter((a) => a.kind !== 'activeTask')
		.map((artifact) => {
			const context = artifact.kind === 'number' ? digest.figureContext.get(artifact.value) : undefined;
			const action =
				artifact.kind === 'number' && artifact.messageId !== previousSummaryId
					? digest.resultOf.get(artifact.messageIndex)
					: undefined;
			const origin =
				action === undefined
					? undefined
					: `#${action.number} ${action.verb} ${action.isCommand ? `\`${action.target}\`` : clipTarget(action.target)}`;
			return {
				...(origin !== undefined && action !== undefined ? { origin, originNumber: action.number } : {}),
				artifact,
				group: groupOf(
					`${artifact.value} ${context ?? ''}`,
					artifact.messageId === previousSummaryId ? 'carried' : 'other',
				),
				...(context !== undefined && context !== artifact.value ? { context } : {}),
				...(actedOn.has(artifact.value) || actedText.includes(artifact.value) ? { isActedOn: true } : {}),
			};
		});
}
