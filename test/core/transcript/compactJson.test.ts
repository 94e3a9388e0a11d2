import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StringPool, compactStrings, derivedText } from '../../../src/core/transcript/compactJson';

type Json = Record<string, unknown>;

/** Long enough to be compacted, with a character past U+00FF (Claude Code's Read output has `→` on every line). */
const wide = (seed: string) => `${seed}\n${'     1→const total = net * (1 + rate);\n'.repeat(10)}`;

function parsedCopy(value: unknown): Json {
	return JSON.parse(JSON.stringify(value)) as Json;
}

function isAccessor(object: object, key: string): boolean {
	const descriptor = Object.getOwnPropertyDescriptor(object, key);
	return descriptor !== undefined && !('value' in descriptor);
}

function hasAccessor(value: unknown): boolean {
	if (typeof value !== 'object' || value === null) return false;
	return Object.keys(value).some((key) => {
		const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
		return !('value' in descriptor) || hasAccessor(descriptor.value);
	});
}

describe('compactStrings', () => {
	it('reads, spreads, compares and serialises exactly like the parsed value', () => {
		const text: fc.Arbitrary<string> = fc.oneof(
			fc.string(),
			fc.string({ unit: 'binary', minLength: 256, maxLength: 400 }),
			fc.string({ unit: 'grapheme', minLength: 256, maxLength: 300 }),
			fc.string({ minLength: 300, maxLength: 400 }).map(wide),
		);
		const { value } = fc.letrec((tie) => ({
			value: fc.oneof(
				{ depthSize: 'small' },
				text,
				fc.integer(),
				fc.boolean(),
				fc.constant(null),
				fc.array(tie('value'), { maxLength: 4 }),
				fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'stdout', '0')), tie('value'), {
					maxKeys: 5,
				}),
			),
		}));
		let compactedRuns = 0;
		fc.assert(
			fc.property(fc.dictionary(fc.string(), value, { maxKeys: 6 }), (object) => {
				const original = parsedCopy(object);
				const expected = JSON.stringify(original);
				const compacted = compactStrings(parsedCopy(object));
				assert.equal(JSON.stringify(compacted), expected);
				assert.equal(JSON.stringify({ ...compacted }), expected);
				assert.deepEqual(Object.keys(compacted), Object.keys(original));
				assert.deepStrictEqual(compacted, original);
				assert.deepStrictEqual(structuredClone(compacted), original);
				if (hasAccessor(compacted)) compactedRuns++;
			}),
			{ numRuns: 500 },
		);
		assert.ok(compactedRuns > 50, `only ${compactedRuns} runs compacted anything`);
	});

	it('keeps a long string with wide characters as bytes behind an accessor, in its place among the keys', () => {
		const record = parsedCopy({ a: 1, output: { stdout: wide('run'), stderr: '' }, z: 'end' });
		const compacted = compactStrings(record);
		const output = compacted['output'] as Json;
		assert.ok(isAccessor(output, 'stdout'));
		assert.equal(output['stdout'], wide('run'));
		assert.deepEqual(Object.keys(output), ['stdout', 'stderr']);
		assert.deepEqual(Object.keys(compacted), ['a', 'output', 'z']);
		output['stdout'] = 'replaced';
		assert.equal(output['stdout'], 'replaced');
		assert.ok(!isAccessor(output, 'stdout'));
		assert.equal(JSON.stringify(output), '{"stdout":"replaced","stderr":""}');
		delete output['stderr'];
		assert.deepEqual(Object.keys(output), ['stdout']);
	});

	it('leaves short, ASCII and Latin-1 strings, array items and the skipped key as they are', () => {
		const latin = `${'café '.repeat(80)}`;
		const record = parsedCopy({
			short: '→ short',
			ascii: 'x'.repeat(1000),
			latin,
			list: [wide('item'), { inner: wide('nested') }],
			message: { content: wide('model text') },
		});
		const compacted = compactStrings(record, { skip: 'message' });
		assert.equal(compacted, record, 'no own key changed: the same object');
		for (const key of ['short', 'ascii', 'latin', 'list', 'message']) assert.ok(!isAccessor(compacted, key));
		assert.ok(!isAccessor((compacted['message'] as Json) ?? {}, 'content'));
		const list = compacted['list'] as unknown[];
		assert.equal(typeof Object.getOwnPropertyDescriptor(list, '0')?.value, 'string');
		assert.ok(isAccessor(list[1] as Json, 'inner'), 'objects inside arrays are searched');
	});

	it('leaves text with a lone surrogate a string (UTF-8 cannot hold it)', () => {
		const broken = `${wide('cut')}\ud83d`;
		const record = JSON.parse(`{"stdout":${JSON.stringify(broken)}}`) as Json;
		const compacted = compactStrings(record);
		assert.ok(!isAccessor(compacted, 'stdout'));
		assert.equal(compacted['stdout'], broken);
	});

	it('makes strings equal to a shared one plain values, not accessors', () => {
		const result = wide('tests passed');
		const compacted = compactStrings(parsedCopy({ toolUseResult: { stdout: result, other: wide('x') } }), {
			shared: [result],
		});
		const inner = compacted['toolUseResult'] as Json;
		assert.ok(!isAccessor(inner, 'stdout'));
		assert.equal(inner['stdout'], result);
		assert.ok(isAccessor(inner, 'other'));
	});

	it('keeps a string computable from a kept one as that computation, asking for candidates once', () => {
		const shown = 'x'.repeat(300);
		const bare = shown.toUpperCase();
		let asked = 0;
		const derivable = () => {
			asked++;
			return [derivedText(shown, (from) => from.toUpperCase())];
		};
		const original = { a: { file: bare, other: `${bare.slice(1)}!` }, b: bare, c: 'short' };
		const compacted = compactStrings(parsedCopy(original), { derivable });
		const inner = compacted['a'] as Json;
		assert.ok(isAccessor(inner, 'file'));
		assert.ok(isAccessor(compacted, 'b'));
		assert.ok(!isAccessor(inner, 'other'), 'a string that is not exactly the computation stays');
		assert.equal(inner['file'], bare);
		assert.equal(JSON.stringify(compacted), JSON.stringify(original));
		assert.deepStrictEqual(compacted, original);
		assert.equal(asked, 1);
		compactStrings(parsedCopy({ c: 'short', d: shown }), { shared: [shown], derivable });
		assert.equal(asked, 1, 'not asked when every long string is shared');
	});

	it('keeps an own __proto__ key an own property', () => {
		const record = JSON.parse(`{"__proto__":{"polluted":true},"text":${JSON.stringify(wide('p'))}}`) as Json;
		const compacted = compactStrings(record);
		assert.ok(Object.prototype.hasOwnProperty.call(compacted, '__proto__'));
		assert.equal(Object.getPrototypeOf(compacted), Object.prototype);
		assert.equal(JSON.stringify(compacted), JSON.stringify(JSON.parse(JSON.stringify(record))));
	});
});

describe('StringPool', () => {
	it('returns equal strings for equal input', () => {
		const pool = new StringPool();
		const a = pool.intern(['/home', 'dev'].join('/'));
		assert.equal(pool.intern('/home/dev'), a);
		assert.equal(pool.intern('other'), 'other');
	});
});
