import type { Message } from '../transcript/model';
import { windowIndexOf } from './windowIndex';

/**
 * Cut points that would split a tool call from its result: entry `c` (0..n) is 1 when cutting before message `c`
 * leaves a call on one side and its result on the other. O(messages + parts).
 */
export function unsafeCuts(messages: readonly Message[]): Uint8Array {
	const n = messages.length;
	// The window index keeps the deltas of pairToolCalls' pairs, extended as messages are appended.
	const delta = windowIndexOf(messages).unsafeDelta;
	const unsafe = new Uint8Array(n + 1);
	let open = 0;
	for (let c = 0; c <= n; c++) {
		open += delta[c] ?? 0;
		unsafe[c] = open > 0 ? 1 : 0;
	}
	return unsafe;
}

/** Moves a cut earlier until it splits no tool group, stopping at `floor`. */
export function alignCutBackward(unsafe: Uint8Array, cut: number, floor: number): number {
	let c = cut;
	while (c > floor && unsafe[c] === 1) c--;
	return c;
}

/** Moves a cut later until it splits no tool group, stopping at `ceiling`. */
export function alignCutForward(unsafe: Uint8Array, cut: number, ceiling: number): number {
	let c = cut;
	while (c < ceiling && unsafe[c] === 1) c++;
	return c;
}
