import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import cl100kApi from 'gpt-tokenizer/encoding/cl100k_base';
import o200kApi from 'gpt-tokenizer/encoding/o200k_base';
import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { AsciiVocabulary } from '../../../src/core/tokens/asciiVocabulary';
import type { EncodingName } from '../../../src/core/tokens/encoding';
import { encodings, oracleCount } from './oracle';

interface Core {
	readonly bytePairStringRankEncoder: Map<string, number>;
	bytePairEncode(piece: string): readonly number[];
}

const cores: Record<EncodingName, Core> = {
	o200k_base: (o200kApi as unknown as { bytePairEncodingCoreProcessor: Core }).bytePairEncodingCoreProcessor,
	cl100k_base: (cl100kApi as unknown as { bytePairEncodingCoreProcessor: Core })
		.bytePairEncodingCoreProcessor,
};
const splits: Record<EncodingName, RegExp> = {
	o200k_base: new RegExp(O200K_TOKEN_SPLIT_REGEX.source, 'gu'),
	cl100k_base: new RegExp(CL100K_TOKEN_SPLIT_REGEX.source, 'gu'),
};
const vocabularies = Object.fromEntries(
	encodings.map((encoding) => [
		encoding,
		AsciiVocabulary.fromRanks(cores[encoding].bytePairStringRankEncoder),
	]),
) as Record<EncodingName, AsciiVocabulary>;

const asciiChars = fc.constantFrom(
	...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\t\r{}()[];:.,=+-*/<>!&|"\'`_$#@\\~%^?',
);
const asciiText = fc.oneof(
	fc.array(asciiChars, { maxLength: 200 }).map((chars) => chars.join('')),
	fc.string({
		maxLength: 200,
		unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)),
	}),
	fc
		.array(
			fc.constantFrom(
				'function',
				' const',
				'Error',
				' the',
				'tokenizer',
				'://',
				'    ',
				'\n\n',
				'0x1f',
				"'ll",
			),
			{
				maxLength: 40,
			},
		)
		.map((words) => words.join('')),
);

describe('AsciiVocabulary', () => {
	it('knows every ASCII token of both vocabularies and nothing else', () => {
		for (const encoding of encodings) {
			const ranks = cores[encoding].bytePairStringRankEncoder;
			const vocabulary = vocabularies[encoding];
			let ascii = 0;
			for (const token of ranks.keys()) {
				if ([...token].some((char) => char.charCodeAt(0) >= 0x80)) continue;
				ascii++;
				const padded = `~${token}~`;
				assert.equal(vocabulary.isToken(padded, 1, padded.length - 1), true, `${encoding}: ${token}`);
			}
			assert.ok(ascii > 50_000, `${encoding} has ${ascii} ASCII tokens`);
		}
		fc.assert(
			fc.property(asciiText, fc.nat(), fc.nat(), fc.constantFrom(...encodings), (text, a, b, encoding) => {
				const start = text.length === 0 ? 0 : a % text.length;
				const end = start + (text.length === start ? 0 : b % (text.length - start + 1));
				const expected = end > start && cores[encoding].bytePairStringRankEncoder.has(text.slice(start, end));
				assert.equal(vocabularies[encoding].isToken(text, start, end), expected);
			}),
			{ numRuns: 3000 },
		);
	});

	it('merges any ASCII string to as many tokens as the library does', () => {
		fc.assert(
			fc.property(asciiText, fc.constantFrom(...encodings), (text, encoding) => {
				assert.equal(vocabularies[encoding].count(text), cores[encoding].bytePairEncode(text).length);
			}),
			{ numRuns: 3000 },
		);
	});

	it('counts pre-tokenised ASCII text exactly as js-tiktoken does', () => {
		fc.assert(
			fc.property(asciiText, fc.constantFrom(...encodings), (text, encoding) => {
				let total = 0;
				for (const [piece] of text.matchAll(splits[encoding])) total += vocabularies[encoding].count(piece);
				assert.equal(total, oracleCount(text, encoding));
			}),
			{ numRuns: 2000 },
		);
	});

	it('merges pieces longer than its scratch space and counts short ones directly', () => {
		const long = `${'abcdefghij'.repeat(100)}`;
		for (const encoding of encodings) {
			assert.equal(vocabularies[encoding].count(''), 0);
			assert.equal(vocabularies[encoding].count('x'), 1);
			assert.equal(vocabularies[encoding].count(long), cores[encoding].bytePairEncode(long).length);
		}
	});
});
