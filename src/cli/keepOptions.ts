import type { ParseArgsConfig } from 'node:util';
import { formatMessageNumber, formatPinned } from '../core/budget/formatFigures';
import type { PinnedFigures } from '../core/compaction/plan';
import { resolvePinRequests } from '../core/compaction/pinTargets';
import type { Message } from '../core/transcript/model';
import { UsageError } from './cliIo';

/** `--keep` and `--keep-matching`, for every command that plans (both repeatable). */
export const keepOptions = {
	keep: { type: 'string', multiple: true },
	'keep-matching': { type: 'string', multiple: true },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The parsed values of `keepOptions`. */
export interface KeepValues {
	readonly keep?: readonly string[] | undefined;
	readonly 'keep-matching'?: readonly string[] | undefined;
}

/** Message numbers from `--keep` values: `12`, `#12`, or several separated by commas; a usage error otherwise. */
export function parseKeepNumbers(values: readonly string[] | undefined): number[] {
	const numbers: number[] = [];
	for (const value of values ?? []) {
		for (const item of value.split(',')) {
			const match = /^\s*#?(\d+)\s*$/.exec(item);
			if (match?.[1] === undefined) {
				throw new UsageError(
					`--keep takes message numbers as inspect shows them (e.g. 12, #12 or 3,7); got '${value}'.`,
				);
			}
			numbers.push(Number(match[1]));
		}
	}
	return numbers;
}

/** The pinned window indexes `--keep` and `--keep-matching` ask for, or the message saying why they cannot be. */
export type KeepResolution =
	| { readonly ok: true; readonly pinned: ReadonlySet<number> | undefined }
	| { readonly ok: false; readonly message: string };

/**
 * Resolves the keep options against the window of `file`: undefined when none were given; a number outside the window
 * or a text no message contains is refused with the file, what was asked and what is valid.
 */
export function resolveKeepOptions(
	values: KeepValues,
	window: readonly Message[],
	file: string,
): KeepResolution {
	const numbers = parseKeepNumbers(values.keep);
	const matching = values['keep-matching'] ?? [];
	if (numbers.length === 0 && matching.length === 0) return { ok: true, pinned: undefined };
	const resolved = resolvePinRequests(window, { numbers, matching }, file);
	if (resolved.ok) return { ok: true, pinned: resolved.pinned };
	const problem = resolved.problem;
	const option =
		problem.kind === 'numberOutOfRange'
			? `--keep ${problem.number}`
			: problem.kind === 'noMatch'
				? `--keep-matching ${JSON.stringify(problem.text)}`
				: '--keep-matching';
	return { ok: false, message: `${option}: ${problem.message}` };
}

/** How many pinned message numbers a report lists before `…`. */
const listedPins = 12;

/** `3 messages (+1 tool partner), 4.2k tokens (#4, #12, #30)`: what is pinned and which messages. */
export function describePinnedMessages(pinned: PinnedFigures): string {
	const numbers = pinned.messages.slice(0, listedPins).map(formatMessageNumber);
	if (pinned.messages.length > listedPins) numbers.push('…');
	return `${formatPinned({
		messages: pinned.messages.length,
		partners: pinned.partners.length,
		tokens: pinned.tokens,
	})} (${numbers.join(', ')})`;
}
