import { strict as assert } from 'node:assert';
import { countTextTokens } from '../../../src/core/tokens/encoding';
import { encodings, oracleCount, oracleTokens } from './oracle';

/** Tokens whose bytes are not UTF-8 on their own (parts of a multi-byte character): no text holds them alone. */
const expectedUndecodable: Record<(typeof encodings)[number], number> = {
	o200k_base: 1562,
	cl100k_base: 773,
};

describe('every vocabulary token, decoded as text', () => {
	for (const encoding of encodings) {
		it(`${encoding}: counts each token's text as js-tiktoken does`, () => {
			const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
			let checked = 0;
			let undecodable = 0;
			const wrong: string[] = [];
			for (const [rank, bytes] of oracleTokens(encoding)) {
				let text: string;
				try {
					text = decoder.decode(bytes);
				} catch {
					undecodable++;
					continue;
				}
				checked++;
				const ours = countTextTokens(text, encoding);
				const theirs = oracleCount(text, encoding);
				if (ours !== theirs)
					wrong.push(`rank ${rank} ${JSON.stringify(text)}: ${ours}, js-tiktoken ${theirs}`);
			}
			assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} of ${checked} tokens counted differently`);
			// A change in these numbers means the vocabulary changed, and the skip needs a fresh look.
			assert.equal(undecodable, expectedUndecodable[encoding], 'tokens skipped as not UTF-8 on their own');
			assert.ok(checked > (encoding === 'o200k_base' ? 198_000 : 99_000), `checked ${checked}`);
		});
	}

	it('counts a byte order mark as one token, alone and at the start of a C# file', () => {
		const texts = [
			'\ufeff',
			'\ufeffusing System;\n',
			'\ufeffnamespace Demo\n{\n}\n',
			'\ufeff// header\n',
			'\ufeff\ufeff',
			'x\ufeffy',
			' \ufeff',
			'\ufeff\n\n',
		];
		for (const encoding of encodings)
			for (const text of texts)
				assert.equal(
					countTextTokens(text, encoding),
					oracleCount(text, encoding),
					`${encoding} ${JSON.stringify(text)}`,
				);
		assert.equal(countTextTokens('\ufeff', 'o200k_base'), 1);
		assert.equal(countTextTokens('\ufeffusing', 'o200k_base'), 1);
	});
});
