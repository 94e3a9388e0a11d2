// Scores a compacted output against the independent extractor's facts: which facts of the reference middle a
// continuing agent can still find in what it will read. Imports nothing from the product's extractor or summarisers.
import type { Message } from '../../src/core/transcript/model';
import { errorPatternOf, extractFacts, factClasses, squash, type Fact, type FactClass } from './extract';

/** Kept and total facts of one class. */
export interface ClassCount {
	readonly kept: number;
	readonly total: number;
}

/** How an output fared: per class, and a few lost facts of each to read. */
export interface IndependentScore {
	readonly byClass: Readonly<Record<FactClass, ClassCount>>;
	readonly lost: Readonly<Record<FactClass, readonly string[]>>;
}

/** A tool call's arguments as the values they hold (JSON decoded, so a quoted command reads as written), else as sent. */
function argumentsAsText(argumentsText: string): string {
	let parsed: unknown;
	try {
		parsed = JSON.parse(argumentsText);
	} catch {
		return argumentsText;
	}
	const values: string[] = [];
	const walk = (value: unknown): void => {
		if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
			values.push(String(value));
		else if (Array.isArray(value)) value.forEach(walk);
		else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
	};
	walk(parsed);
	return `${argumentsText}\n${values.join('\n')}`;
}

/**
 * Everything a continuing agent reads of a compacted window: every part's text, tool calls as their name, their
 * arguments as sent and the values those hold.
 */
export function outputTextOf(messages: readonly Message[], spill?: string): string {
	const parts: string[] = [];
	for (const message of messages)
		for (const part of message.parts) {
			if (part.kind === 'toolCall') parts.push(`${part.name} ${argumentsAsText(part.argumentsText)}`);
			else if (part.kind !== 'image') parts.push(part.text);
		}
	if (spill !== undefined) parts.push(spill);
	return parts.join('\n');
}

/** True when `value` occurs in `text` with no character of `before` just before it and none of `after` just after. */
function occursBounded(text: string, value: string, before: RegExp, after: RegExp): boolean {
	if (value === '') return false;
	for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
		const prev = text[at - 1] ?? '';
		const next = text[at + value.length] ?? '';
		const nextNext = text[at + value.length + 1] ?? '';
		const continues = after.test(next) || (next === '.' && /\w/.test(nextNext));
		if (!before.test(prev) && !continues) return true;
	}
	return false;
}

/**
 * A kept test for one output. A path is kept when it occurs as a whole path (not inside a longer name: `a.ts` is
 * not in `data.ts` nor `a.tsx`; after a `/` it may be, so `src/a.ts` is in `/repo/src/a.ts`); a command when the
 * whole command occurs with whitespace collapsed and does not run on into a longer word; a URL when it occurs and
 * does not run on into a longer one; an identifier as a whole word; an error pattern when a line of the output has
 * the pattern (numbers and quoted words aside) or the output holds one of its lines as written; the active task
 * when its first 200 characters occur with whitespace collapsed.
 */
export function createIndependentKeptTest(output: string): (fact: Fact) => boolean {
	let squashed: string | undefined;
	let patterns: string | undefined;
	return (fact) => {
		switch (fact.kind) {
			case 'path':
			case 'outputPath':
				return occursBounded(output, fact.value, /[\w.@+~-]/, /[\w/-]/);
			case 'url':
				return occursBounded(output, fact.value, /(?!)/, /[\w/-]/);
			case 'identifier':
				return occursBounded(output, fact.value, /[\w$]/, /[\w$]/);
			case 'command':
				squashed ??= squash(output);
				return occursBounded(squashed, fact.value, /(?!)/, /[\w-]/);
			case 'activeTask':
				squashed ??= squash(output);
				return squashed.includes(fact.value);
			case 'errorPattern': {
				squashed ??= squash(output);
				if ((fact.examples ?? []).some((line) => squashed?.includes(squash(line)))) return true;
				patterns ??= output.split('\n').map(errorPatternOf).join('\n');
				return patterns.includes(fact.value);
			}
		}
	};
}

/** The facts the independent extractor finds first in the window's messages [from, to), the reference middle. */
export function middleFacts(window: readonly Message[], from: number, to: number): Fact[] {
	return extractFacts(window).filter(
		(f) => f.kind !== 'activeTask' && f.firstIndex >= from && f.firstIndex < to,
	);
}

/** The window's active task as a fact, wherever it sits (it is checked in every output, not only for the middle). */
export function activeTaskFact(window: readonly Message[]): Fact | undefined {
	return extractFacts(window).find((f) => f.kind === 'activeTask');
}

/** Scores an output text: per class, facts kept of `facts`, and up to five lost values of each class. */
export function scoreOutput(facts: readonly Fact[], output: string): IndependentScore {
	const isKept = createIndependentKeptTest(output);
	const byClass = Object.fromEntries(factClasses.map((k) => [k, { kept: 0, total: 0 }])) as Record<
		FactClass,
		{ kept: number; total: number }
	>;
	const lost = Object.fromEntries(factClasses.map((k) => [k, [] as string[]])) as Record<FactClass, string[]>;
	for (const fact of facts) {
		const counts = byClass[fact.kind];
		counts.total++;
		if (isKept(fact)) counts.kept++;
		else if (lost[fact.kind].length < 5)
			lost[fact.kind].push((fact.examples?.[0] ?? fact.value).slice(0, 160));
	}
	return { byClass, lost };
}
