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
