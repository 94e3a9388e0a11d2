import type { HandoffModel, ItemGroup } from './composeHandoff';
import { factFloor, fullDetail, renderHandoff } from './renderHandoff';
import type { DetailScales } from './renderHandoff';

/** Share of the budget the focus items may take before they are condensed too (R10: 60–70%). */
export const focusBudgetShare = 0.65;

/** Largest share of the budget the verbatim Active Task may take before it is clipped. */
const activeTaskShare = 0.35;

/** A handoff text that fits its budget, and how it was made to fit. */
export interface FittedHandoff {
	readonly text: string;
	readonly tokens: number;
	readonly scales: DetailScales;
	/** Lines had to be cut from the end because even the most condensed rendering was too long. */
	readonly wasCut: boolean;
}

/** Largest value in [lo, hi] for which `fits` holds, by bisection (8 steps), or undefined when even `lo` fails. */
function largestFitting(lo: number, hi: number, fits: (value: number) => boolean): number | undefined {
	if (fits(hi)) return hi;
	if (!fits(lo)) return undefined;
	let good = lo;
	let bad = hi;
	for (let step = 0; step < 8; step++) {
		const mid = (good + bad) / 2;
		if (fits(mid)) good = mid;
		else bad = mid;
	}
	return good;
}

/** Longest prefix of `text` (in characters) whose rendering fits, by bisection; 0 when none does. */
function longestPrefix(text: string, fits: (prefix: string) => boolean): number {
	let good = 0;
	let bad = text.length + 1;
	while (bad - good > 1) {
		const mid = Math.floor((good + bad) / 2);
		if (fits(text.slice(0, mid))) good = mid;
		else bad = mid;
	}
	return good;
}

/**
 * Renders the model at the most detail that fits `budgetTokens` as counted by `countTokens`: the lowest-value
 * groups are condensed first (other, then carried facts, then focus), the focus items are held to
 * `focusBudgetShare` of the budget while the rest still has to fit (R10), and as a last resort lines are cut from
 * the end. Undefined when not even the Active Task heading fits.
 */
export function fitHandoff(
	model: HandoffModel,
	budgetTokens: number,
	countTokens: (text: string) => number,
): FittedHandoff | undefined {
	// No tokenizer packs more than ~10 characters per token on prose; longer texts are judged too long unread.
	const charsFor = (limit: number): number => limit * 10 + 16;
	const tokensWithin = (text: string, limit: number): number | undefined => {
		if (text.length > charsFor(limit)) return undefined;
		const tokens = countTokens(text);
		return tokens <= limit ? tokens : undefined;
	};
	const fitted = clipActiveTask(model, budgetTokens, tokensWithin);
	if (fitted === undefined) return undefined;
	const m = fitted;
	const scales: Record<ItemGroup, number> = { ...fullDetail };
	const attempt = (s: DetailScales): { text: string; tokens: number } | undefined => {
		const text = renderHandoff(m, s, undefined, charsFor(budgetTokens));
		const tokens = tokensWithin(text, budgetTokens);
		return tokens === undefined ? undefined : { text, tokens };
	};
	let best = attempt(scales);
	if (best !== undefined) return { ...best, scales, wasCut: false };

	const hasFocus =
		m.actions.some((a) => a.group === 'focus') ||
		[m.constraints, m.decisions, m.files, m.state, m.blocked].some((list) =>
			list.some((i) => i.group === 'focus'),
		) ||
		m.facts.some((f) => f.group === 'focus');
	if (hasFocus) {
		const focusOnly = new Set<ItemGroup>(['focus']);
		const focusLimit = Math.floor(budgetTokens * focusBudgetShare);
		const focusFits = (s: number): boolean =>
			tokensWithin(renderHandoff(m, { ...scales, focus: s }, focusOnly, charsFor(focusLimit)), focusLimit) !==
			undefined;
		scales.focus = largestFitting(0, 1, focusFits) ?? 0;
	}
	// Prose goes before facts, in every group: first each group down to `factFloor` (its prose condensed, its
	// facts all kept), then each group below it (its facts thinned, paths first and errors last).
	condense: for (const floor of [factFloor, 0]) {
		for (const group of ['other', 'carried', 'focus'] as const) {
			best = attempt(scales);
			if (best !== undefined) break condense;
			const lo = Math.min(floor, scales[group]);
			scales[group] =
				largestFitting(lo, scales[group], (s) => attempt({ ...scales, [group]: s }) !== undefined) ?? lo;
		}
	}
	if (hasFocus) {
		// R10: the rest is summarised harder than the focus, never at more detail (when most of the session is about
		// the focus, its share is held at the same scale as the rest, and what the rest leaves goes to the focus).
		scales.other = Math.min(scales.other, scales.focus);
		scales.carried = Math.min(scales.carried, scales.focus);
	}
	best = attempt(scales);
	if (best !== undefined && hasFocus && scales.focus < 1) {
		// Whatever room the condensed rest left goes to the focus.
		scales.focus =
			largestFitting(scales.focus, 1, (s) => attempt({ ...scales, focus: s }) !== undefined) ?? scales.focus;
		best = attempt(scales);
	}
	if (best !== undefined) return { ...best, scales: { ...scales }, wasCut: false };
	return cutLines(
		renderHandoff(m, scales, undefined, charsFor(budgetTokens)),
		m.activeTask.length + 1,
		budgetTokens,
		countTokens,
		scales,
	);
}

function clipActiveTask(
	model: HandoffModel,
	budgetTokens: number,
	tokensWithin: (text: string, limit: number) => number | undefined,
): HandoffModel | undefined {
	const block = (lines: readonly string[]): string => ['## Active Task', ...lines].join('\n');
	if (tokensWithin(block(model.activeTask), Math.floor(budgetTokens * activeTaskShare)) !== undefined)
		return model;
	const whole = model.activeTask.join('\n');
	const limit = Math.max(1, Math.floor(budgetTokens * activeTaskShare));
	const marker = ' […]';
	const keep = longestPrefix(whole, (p) => tokensWithin(block([p + marker]), limit) !== undefined);
	const lines = keep > 0 ? [whole.slice(0, keep).trimEnd() + marker] : ['None.'];
	if (tokensWithin(block(lines), budgetTokens) === undefined) return undefined;
	return { ...model, activeTask: lines };
}

function cutLines(
	text: string,
	minLines: number,
	budgetTokens: number,
	countTokens: (text: string) => number,
	scales: DetailScales,
): FittedHandoff | undefined {
	const lines = text.split('\n');
	let good = 0;
	let bad = lines.length + 1;
	while (bad - good > 1) {
		const mid = Math.floor((good + bad) / 2);
		if (countTokens(lines.slice(0, mid).join('\n')) <= budgetTokens) good = mid;
		else bad = mid;
	}
	if (good < Math.min(minLines, lines.length)) return undefined;
	const kept = lines.slice(0, good).join('\n').trimEnd();
	return { text: kept, tokens: countTokens(kept), scales: { ...scales }, wasCut: true };
}
