import { artifactKinds, maxArtifactLineChars, numberKey, numbersInText } from './extractArtifacts';
import type { Artifact, ArtifactKind } from './extractArtifacts';

/** Which artifacts a text kept and lost; `retention` is kept/total in [0, 1] (1 when there is nothing to keep). */
export interface LostFactsReport {
	readonly kept: readonly Artifact[];
	readonly lost: readonly Artifact[];
	readonly retention: number;
	readonly byKind: Readonly<Record<ArtifactKind, { kept: number; total: number }>>;
}

/** Tests whether one artifact survives in a text. */
export type KeptTest = (artifact: Artifact) => boolean;

const pathChar = /[\w.-]/;
const pathTailChar = /[\w/-]/;
const nameChar = /[\w$]/;
const noChar = /(?!)/;
const digitChar = /\d/;
const commandTailChar = /\w/;

function isWordChar(ch: string | undefined, pattern: RegExp): boolean {
	return ch !== undefined && pattern.test(ch);
}

/**
 * True when `value` occurs in `text` with no `before`-class character just before it and no `after`-class one just
 * after; with `dotContinues`, a following `.` then a word character also continues it (`a.ts.bak`).
 */
function occursBounded(
	text: string,
	value: string,
	before: RegExp,
	after: RegExp,
	dotContinues = true,
): boolean {
	if (value === '') return false;
	for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
		const prev = at > 0 ? text[at - 1] : undefined;
		const next = text[at + value.length];
		const continues =
			isWordChar(next, after) ||
			(dotContinues && next === '.' && isWordChar(text[at + value.length + 1], /\w/));
		if (!isWordChar(prev, before) && !continues) return true;
	}
	return false;
}

const pathRun = /[\w.@+~/\-[\]]+/g;
const simplePath = /^[\w.@+~/\-[\]]+$/;
const nameRun = /[\w$]+/g;
const simpleName = /^[\w$]+$/;
const startsAfter = new Set(['@', '+', '~', '/', '[', ']']);
const endsAt = new Set(['@', '+', '~', '[', ']']);

/**
 * Every substring of `text` that `occursBounded(text, v, pathChar, pathTailChar)` accepts, for values made only of
 * path characters: inside each maximal run of such characters, the pieces that start at the run start or after
 * `/@+~[]` and end at the run end or before `@+~[]` or a `.` not followed by a word character. Linear in the text
 * for ordinary paths; `isComplete` is false when a run had too many pieces to list (the caller then searches).
 */
function pathPieces(text: string): { readonly pieces: Set<string>; readonly isComplete: boolean } {
	const pieces = new Set<string>();
	let isComplete = true;
	for (const match of text.matchAll(pathRun)) {
		const run = match[0];
		const starts = [0];
		const ends = [run.length];
		for (let k = 1; k < run.length; k++) {
			if (startsAfter.has(run[k - 1] ?? '')) starts.push(k);
			const ch = run[k] ?? '';
			if (endsAt.has(ch) || (ch === '.' && !/\w/.test(run[k + 1] ?? ''))) ends.push(k);
		}
		if (starts.length * ends.length > 256) {
			isComplete = false;
			continue;
		}
		for (const from of starts) for (const to of ends) if (to > from) pieces.add(run.slice(from, to));
	}
	return { pieces, isComplete };
}

/**
 * Builds the matcher used by `reportLostFacts` for one text, indexing the text once so each test is cheap. Rules:
 * paths match as whole path tokens (not inside a longer name: `a.ts` is not in `data.ts` nor `a.tsx`), also with a
 * leading `./` removed on either side; identifiers as whole words; numbers by the same digits (thousands separators
 * ignored) and unit; the active task after collapsing whitespace; URLs, commands and error lines as exact
 * substrings (a URL must not continue into a longer path, a command not into a longer word).
 */
export function createKeptTest(keptText: string): KeptTest {
	let numberKeys: Set<string> | undefined;
	let squashed: string | undefined;
	let paths: ReturnType<typeof pathPieces> | undefined;
	let names: Set<string> | undefined;
	const hasPath = (value: string): boolean => {
		if (!simplePath.test(value)) return occursBounded(keptText, value, pathChar, pathTailChar);
		paths ??= pathPieces(keptText);
		return (
			paths.pieces.has(value) || (!paths.isComplete && occursBounded(keptText, value, pathChar, pathTailChar))
		);
	};
	return (artifact) => {
		const value = artifact.value;
		switch (artifact.kind) {
			case 'filePath': {
				if (hasPath(value)) return true;
				const bare = value.replace(/^\.\//, '');
				return bare !== value && hasPath(bare);
			}
			case 'identifier':
				if (!simpleName.test(value)) return occursBounded(keptText, value, nameChar, nameChar, false);
				names ??= new Set(keptText.match(nameRun) ?? []);
				return names.has(value);
			case 'number': {
				const key = numberKey(value);
				if (key === undefined) return occursBounded(keptText, value, pathChar, digitChar, false);
				numberKeys ??= new Set(numbersInText(keptText).map((n) => numberKey(n) ?? n));
				return numberKeys.has(key);
			}
			case 'activeTask':
				squashed ??= keptText.replace(/\s+/g, ' ');
				return squashed.includes(value.replace(/\s+/g, ' ').trim());
			case 'url':
				return occursBounded(keptText, value, noChar, pathTailChar);
			case 'command':
				// A command is kept whole, whitespace aside, and must not run on into a longer one (`--shard 1` is not
				// kept by `--shard 10`); a prompt line clipped at the artifact length may, since the text can carry the rest.
				squashed ??= keptText.replace(/\s+/g, ' ');
				return value.length >= maxArtifactLineChars
					? squashed.includes(value.replace(/\s+/g, ' '))
					: occursBounded(squashed, value.replace(/\s+/g, ' '), noChar, commandTailChar);
			case 'errorLine':
				return keptText.includes(value);
		}
	};
}

/** Splits artifacts into those `keptText` still carries and those it lost, with per-kind counts; O(text + artifacts) for paths, names and numbers. */
export function reportLostFacts(artifacts: readonly Artifact[], keptText: string): LostFactsReport {
	const isKept = createKeptTest(keptText);
	const kept: Artifact[] = [];
	const lost: Artifact[] = [];
	const byKind = Object.fromEntries(artifactKinds.map((k) => [k, { kept: 0, total: 0 }])) as Record<
		ArtifactKind,
		{ kept: number; total: number }
	>;
	for (const artifact of artifacts) {
		const counts = byKind[artifact.kind];
		counts.total++;
		if (isKept(artifact)) {
			kept.push(artifact);
			counts.kept++;
		} else lost.push(artifact);
	}
	const total = artifacts.length;
	return { kept, lost, retention: total === 0 ? 1 : kept.length / total, byKind };
}
