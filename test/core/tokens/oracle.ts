import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import type { EncodingName } from '../../../src/core/tokens/encoding';

const oracles: Record<EncodingName, Tiktoken> = {
	o200k_base: new Tiktoken(o200k),
	cl100k_base: new Tiktoken(cl100k),
};

/** js-tiktoken's count (the test oracle) with no special tokens allowed or disallowed: all text is plain. */
export function oracleCount(text: string, encoding: EncodingName): number {
	return oracles[encoding].encode(text, [], []).length;
}

/** Both encodings we count exactly. */
export const encodings: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

/**
 * Every mergeable token of an encoding as js-tiktoken holds it: rank and bytes, in rank order. Read from the
 * oracle's own table (not public API; the test that uses it fails loudly if a version renames it), because
 * `decode` runs a TextDecoder that drops a leading byte order mark.
 */
export function oracleTokens(encoding: EncodingName): [rank: number, bytes: Uint8Array][] {
	const table = (oracles[encoding] as unknown as { textMap?: unknown }).textMap;
	if (!(table instanceof Map)) throw new Error("js-tiktoken no longer keeps its tokens in 'textMap'");
	const tokens: [number, Uint8Array][] = [];
	for (const [rank, bytes] of table as Map<number, ArrayLike<number>>)
		tokens.push([rank, Uint8Array.from(bytes)]);
	return tokens.sort((a, b) => a[0] - b[0]);
}
