import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
	isWithoutLineNumbers,
	withoutLineNumbers,
} from '../../../../src/core/transcript/formats/claudeCode/accumulator';

describe('Claude Code Read results without their line numbers', () => {
	// Lines as a Read result shows them ("<spaces><digits>→<text>" or a tab for the arrow), and some that are not.
	const line = fc.oneof(
		fc
			.tuple(fc.nat(3), fc.nat(999), fc.constantFrom('→', '\t'), fc.string({ maxLength: 8 }))
			.map(([spaces, n, arrow, body]) => `${' '.repeat(spaces)}${n + 1}${arrow}${body.replace(/\n/g, '')}`),
		fc.constantFrom('', 'plain', '  →x', '12x'),
	);
	const numbered = fc.array(line, { maxLength: 8 }).map((lines) => lines.join('\n'));

	it('matches exactly the texts withoutLineNumbers builds (empty ones never)', () => {
		fc.assert(
			fc.property(numbered, fc.string({ maxLength: 6 }), fc.nat(40), (text, edit, at) => {
				const derived = withoutLineNumbers(text);
				assert.equal(isWithoutLineNumbers(text, derived), derived !== '');
				// A text near the derived one: changed, cut or extended somewhere.
				const other = `${derived.slice(0, at)}${edit}${derived.slice(at + (edit.length % 3))}`;
				assert.equal(isWithoutLineNumbers(text, other), other === derived && derived !== '');
				assert.equal(isWithoutLineNumbers(text, `${derived}\n`), false);
			}),
			{ numRuns: 3000 },
		);
	});
});
