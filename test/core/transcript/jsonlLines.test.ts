import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
	JsonlLineSplitter,
	findExcessiveNesting,
	nestsDeeperThan,
	parseJsonlLine,
} from '../../../src/core/transcript/jsonlLines';

describe('JsonlLineSplitter', () => {
	it('holds a partial last line until its newline arrives', () => {
		const splitter = new JsonlLineSplitter();
		assert.deepEqual(
			splitter.push(Buffer.from('{"a":1}\n{"b"')).map((l) => l.text),
			['{"a":1}'],
		);
		assert.equal(splitter.offset, 8);
		assert.equal(splitter.pendingBytes, 4);
		const next = splitter.push(Buffer.from(':2}\r\n'));
		assert.deepEqual(next, [{ line: 2, text: '{"b":2}', endOffset: 17 }]);
		assert.equal(splitter.flush(), undefined);
	});

	it('gives the same lines however the bytes are chunked', () => {
		fc.assert(
			fc.property(
				fc.array(fc.string(), { maxLength: 20 }),
				fc.array(fc.nat(40), { maxLength: 10 }),
				(lines, cuts) => {
					const text = lines.map((l) => l.replace(/[\r\n]/g, '')).join('\n') + '\n';
					const bytes = Buffer.from(text);
					const splitter = new JsonlLineSplitter();
					const got: string[] = [];
					let at = 0;
					for (const cut of [...cuts, bytes.length]) {
						const end = Math.min(bytes.length, at + cut);
						got.push(...splitter.push(bytes.subarray(at, end)).map((l) => l.text));
						at = end;
					}
					got.push(...splitter.push(bytes.subarray(at)).map((l) => l.text));
					assert.deepEqual(got, text.split('\n').slice(0, -1));
					assert.equal(splitter.offset, bytes.length);
				},
			),
			{ numRuns: 500 },
		);
	});

	it('gives the same lines from decoded text as from the bytes, carriage returns and byte order marks alike', () => {
		const piece = fc.constantFrom('a', 'é', '語', '😀', '\r', '\ufeff', ' ', '{}');
		fc.assert(
			fc.property(
				fc.array(fc.array(piece, { maxLength: 6 }), { maxLength: 12 }),
				fc.boolean(),
				(lines, cut) => {
					// A file start without its byte order mark, as a file's head text is; the last line is left unfinished.
					const text = lines.map((l) => l.join('')).join('\n') + (cut ? '' : '\n');
					const plain = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
					const bytes = Buffer.from(text);
					const fromBytes = new JsonlLineSplitter();
					const expected = fromBytes.push(bytes).map((l) => [l.text, l.line]);
					const fromText = new JsonlLineSplitter();
					const got: [string, number][] = [];
					const complete = bytes.lastIndexOf(0x0a) + 1;
					fromText.forEachTextLine(plain, complete, (t, line) => got.push([t, line]));
					assert.deepEqual(got, expected);
					assert.equal(fromText.offset, fromBytes.offset);
					assert.equal(fromText.lineNumber, fromBytes.lineNumber);
				},
			),
			{ numRuns: 500 },
		);
	});

	it('resumes from a byte offset with absolute offsets', () => {
		const splitter = new JsonlLineSplitter(100, 7);
		const [line] = splitter.push(Buffer.from('{}\n'));
		assert.deepEqual(line, { line: 7, text: '{}', endOffset: 103 });
	});
});

describe('parseJsonlLine', () => {
	it('reports line, column and reason for malformed JSON', () => {
		const parsed = parseJsonlLine('{"a": tru}', 12);
		assert.equal(parsed.kind, 'invalid');
		if (parsed.kind !== 'invalid') return;
		assert.equal(parsed.diagnostic.line, 12);
		assert.equal(parsed.diagnostic.column, 7);
		assert.match(parsed.diagnostic.message, /invalid JSON/);
	});

	it('treats blank lines as nothing', () => {
		assert.deepEqual(parseJsonlLine('   ', 1), { kind: 'blank' });
	});
});

describe('nestsDeeperThan', () => {
	it('finds in a parsed value exactly the nesting its text scan finds', () => {
		const limit = 4;
		const { value } = fc.letrec((tie) => ({
			value: fc.oneof(
				{ depthSize: 'small', withCrossShrink: true },
				fc.constantFrom(null, 1, 'a', '[{', '"]}'),
				fc.array(tie('value'), { maxLength: 3 }),
				fc.dictionary(fc.constantFrom('a', 'b', '__proto__'), tie('value'), { maxKeys: 2 }),
			),
		}));
		fc.assert(
			fc.property(value, (v) => {
				const text = JSON.stringify(v);
				const parsed = JSON.parse(text) as unknown;
				assert.equal(nestsDeeperThan(parsed, limit), findExcessiveNesting(text, limit) !== -1, text);
			}),
			{ numRuns: 2000 },
		);
	});

	it('refuses a line nested past the limit, and only such a line, with the column where it goes too deep', () => {
		const deep = `${'['.repeat(1001)}${']'.repeat(1001)}`;
		const parsed = parseJsonlLine(deep, 3);
		assert.equal(parsed.kind, 'invalid');
		if (parsed.kind === 'invalid') assert.equal(parsed.diagnostic.column, 1001);
		const atLimit = `${'['.repeat(1000)}${' '.repeat(500)}${']'.repeat(1000)}`;
		assert.equal(parseJsonlLine(atLimit, 3).kind, 'record');
		const wide = `[${Array.from({ length: 3000 }, () => '[{"a":[]}]').join(',')}]`;
		assert.equal(parseJsonlLine(wide, 3).kind, 'record');
	});
});
