import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseCompressInput } from '../../src/extension/commands/compressInput';

describe('parseCompressInput', () => {
	it('accepts /compress <focus> as typed', () => {
		assert.deepEqual(parseCompressInput('/compress parquet export'), { focus: 'parquet export' });
		assert.deepEqual(parseCompressInput('  /Compress   "the scheduler"  '), { focus: 'the scheduler' });
		assert.deepEqual(parseCompressInput('compress billing'), { focus: 'billing' });
		assert.deepEqual(parseCompressInput('billing only'), { focus: 'billing only' });
	});

	it('treats an empty focus as none', () => {
		assert.deepEqual(parseCompressInput('/compress'), {});
		assert.deepEqual(parseCompressInput('/compress   '), {});
		assert.deepEqual(parseCompressInput(''), {});
		assert.deepEqual(parseCompressInput('/compress ""'), {});
	});

	it('reads an inline strategy anywhere in the text', () => {
		assert.deepEqual(parseCompressInput('/compress --strategy prune'), { strategy: 'prune' });
		assert.deepEqual(parseCompressInput('/compress parquet -s structure'), {
			focus: 'parquet',
			strategy: 'structure',
		});
		assert.deepEqual(parseCompressInput('/compress --strategy=lru old logs'), {
			focus: 'old logs',
			strategy: 'lru',
		});
	});

	it('does not take a word that merely starts with "compress" as the command', () => {
		assert.deepEqual(parseCompressInput('compression settings'), { focus: 'compression settings' });
	});

	it('returns any plain focus trimmed, never empty, whatever precedes it', () => {
		fc.assert(
			fc.property(
				fc.constantFrom('', '/compress ', 'compress ', '/COMPRESS  '),
				fc
					.string({ maxLength: 40 })
					.filter((s) => !/(?:^|\s)(?:--strategy|-s)(?:=|\s|$)/i.test(s) && !/^\s*\/?compress\b/i.test(s)),
				(prefix, focus) => {
					const parsed = parseCompressInput(prefix + focus);
					assert.equal(parsed.strategy, undefined);
					if (parsed.focus === undefined) {
						assert.equal(focus.trim().replace(/^(["'])\1$/, ''), '');
					} else {
						assert.notEqual(parsed.focus, '');
						assert.equal(parsed.focus, parsed.focus.trim());
						assert.ok(focus.includes(parsed.focus));
					}
				},
			),
			{ numRuns: 500 },
		);
	});
});
