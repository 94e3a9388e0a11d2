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
				assert.equal(vocabulary.countRange(padded, 1, padded.length - 1), 1, `${encoding}: ${token}`);
			}
			assert.ok(ascii > 50_000, `${encoding} has ${ascii} ASCII tokens`);
		}
		fc.assert(
			fc.property(asciiText, fc.nat(), fc.nat(), fc.constantFrom(...encodings), (text, a, b, encoding) => {
				const start = text.length === 0 ? 0 : a % text.length;
				const end = start + (text.length === start ? 0 : b % (text.length - start + 1));
				// A piece is one token exactly when it is in the vocabulary (else merging leaves two parts or more).
				const isToken = end > start && cores[encoding].bytePairStringRankEncoder.has(text.slice(start, end));
				assert.equal(vocabularies[encoding].countRange(text, start, end) === 1, isToken);
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

	it('counts a piece in place the same the first time, when remembered and after forgetting', () => {
		fc.assert(
			fc.property(asciiText, fc.constantFrom(...encodings), (text, encoding) => {
				const vocabulary = vocabularies[encoding];
				const pieces = [...text.matchAll(splits[encoding])].map((m) => [m.index, m.index + m[0].length]);
				const expected = oracleCount(text, encoding);
				const total = () =>
					pieces.reduce((sum, [a = 0, b = 0]) => sum + vocabulary.countRange(text, a, b), 0);
				assert.equal(total(), expected, 'first');
				assert.equal(total(), expected, 'remembered');
				vocabulary.forget();
				assert.equal(total(), expected, 'after forgetting');
			}),
			{ numRuns: 1000 },
		);
	});

	it('tells apart remembered pieces whose hashes collide', () => {
		// Thue-Morse words over two letters and their complements have equal polynomial hashes modulo 2^32 at
		// length 128 for any odd base; with "a" and "d" they also merge to different counts in both encodings.
		const thueMorse = (first: string, second: string) =>
			Array.from({ length: 128 }, (_, i) => {
				let parity = 0;
				for (let k = i; k > 0; k >>= 1) parity ^= k & 1;
				return parity === 0 ? first : second;
			}).join('');
		for (const encoding of encodings) {
			const vocabulary = vocabularies[encoding];
			vocabulary.forget();
			for (const word of [thueMorse('a', 'd'), thueMorse('d', 'a')]) {
				const expected = cores[encoding].bytePairEncode(word).length;
				assert.equal(vocabulary.countRange(word, 0, word.length), expected, `${encoding} first`);
				assert.equal(vocabulary.countRange(word, 0, word.length), expected, `${encoding} remembered`);
			}
		}
	});

	it('stays exact when more pieces are remembered than it keeps and it starts afresh', () => {
		const vocabulary = vocabularies.o200k_base;
		const core = cores.o200k_base;
		vocabulary.forget();
		let seed = 7;
		const next = () => {
			seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
			return seed;
		};
		// 120k distinct lowercase and digit pieces of 9 to 16 characters: most are several tokens.
		const pieces = Array.from({ length: 120_000 }, () => {
			const length = 9 + (next() % 8);
			let piece = '';
			for (let i = 0; i < length; i++) piece += 'qxzjkvwbpf0123456789'[next() % 20] ?? 'q';
			return piece;
		});
		for (const round of [0, 1]) {
			for (const [i, piece] of pieces.entries()) {
				const padded = `[${piece}]`;
				const counted = vocabulary.countRange(padded, 1, padded.length - 1);
				if (i % 97 === round) assert.equal(counted, core.bytePairEncode(piece).length, piece);
			}
		}
	});

	it('refuses a vocabulary whose tokens it cannot hold, saying why', () => {
		assert.throws(() => AsciiVocabulary.fromRanks(new Map([['x'.repeat(300), 7]])), /300 bytes/);
		assert.equal(
			AsciiVocabulary.fromRanks(new Map([['x'.repeat(255), 7]])).countRange('x'.repeat(255), 0, 255),
			1,
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
