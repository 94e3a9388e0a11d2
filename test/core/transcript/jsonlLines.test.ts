import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { JsonlLineSplitter, parseJsonlLine } from '../../../src/core/transcript/jsonlLines';

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
