import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
	artifactKinds,
	extractArtifacts,
	maxArtifactLineChars,
} from '../../../src/core/facts/extractArtifacts';
import type { Artifact, ArtifactKind } from '../../../src/core/facts/extractArtifacts';
import { createKeptTest, reportLostFacts } from '../../../src/core/facts/reportLostFacts';
import { assistant, call, result, user } from '../summarize/offlineFixtures';

function artifact(kind: ArtifactKind, value: string): Artifact {
	return { kind, value, messageId: 'm', messageIndex: 0, source: 'user' };
}

function kept(kind: ArtifactKind, value: string, text: string): boolean {
	return createKeptTest(text)(artifact(kind, value));
}

describe('reportLostFacts', () => {
	it('matches paths as whole tokens, with ./ stripped on either side', () => {
		assert.ok(kept('filePath', 'src/a.ts', 'edited src/a.ts, then tests'));
		assert.ok(kept('filePath', './src/a.ts', 'edited src/a.ts.'));
		assert.ok(kept('filePath', 'src/a.ts', 'edited ./src/a.ts'));
		assert.ok(kept('filePath', 'src/a.ts', 'see src/a.ts:45'));
		assert.ok(!kept('filePath', 'a.ts', 'edited data.ts'));
		assert.ok(!kept('filePath', 'src/a.ts', 'edited src/a.tsx'));
		assert.ok(!kept('filePath', 'src/a.ts', 'edited src/a.ts.bak'));
		assert.ok(!kept('filePath', 'src/a', 'in src/a/b.ts'));
	});

	it('matches identifiers as whole words', () => {
		assert.ok(kept('identifier', 'parse', 'call `parse()` here'));
		assert.ok(kept('identifier', 'Foo', 'Foo.bar is set'));
		assert.ok(!kept('identifier', 'parse', 'parseAll runs'));
		assert.ok(!kept('identifier', 'parse', 'reparse runs'));
	});

	it('matches numbers by digits and unit, ignoring thousands separators and the space', () => {
		assert.ok(kept('number', '1,024 tokens', 'used 1024 tokens'));
		assert.ok(kept('number', '42 ms', 'took 42ms'));
		assert.ok(kept('number', '85%', 'down 85% overall'));
		assert.ok(kept('number', 'localhost:8080', 'open http://localhost:8080/x'));
		assert.ok(!kept('number', '42 ms', 'took 42 s'));
		assert.ok(!kept('number', '42 ms', 'took 142 ms'));
		assert.ok(!kept('number', '3.2 MB', 'size 3 MB'));
	});

	it('matches the active task after collapsing whitespace', () => {
		assert.ok(
			kept('activeTask', 'Make the export\n  stream rows.', 'User asked: "Make the export stream rows."'),
		);
		assert.ok(!kept('activeTask', 'Make the export stream rows.', 'Make the export stream'));
	});

	it('matches URLs, commands and error lines as exact substrings (URLs and commands not continued)', () => {
		assert.ok(kept('url', 'https://a.example/x', 'see https://a.example/x, then'));
		assert.ok(!kept('url', 'https://a.example/x', 'see https://a.example/xy'));
		assert.ok(!kept('url', 'https://a.example/x', 'see https://a.example/x/y'));
		assert.ok(kept('command', 'npm test -- --grep a', 'ran `npm test -- --grep a`'));
		assert.ok(!kept('command', 'npm test -- --grep a', 'ran npm test'));
		assert.ok(
			!kept('command', 'jest --shard 1', 'ran `jest --shard 10`'),
			'a longer command does not keep it',
		);
		assert.ok(kept('command', 'jest --shard 1', 'ran `jest --shard 10` and `jest --shard 1`'));
		assert.ok(kept('command', 'make', 'make && make install'));
		const clipped = 'x'.repeat(maxArtifactLineChars);
		assert.ok(
			kept('command', clipped, `ran ${clipped}yz`),
			'a command clipped at the artifact length may go on',
		);
		assert.ok(kept('errorLine', 'Error: boom', '- Error: boom'));
		assert.ok(!kept('errorLine', 'Error: boom', 'error: boom'));
	});

	it('splits kept and lost, counts per kind, and gives retention', () => {
		const artifacts = [
			artifact('filePath', 'src/a.ts'),
			artifact('filePath', 'src/b.ts'),
			artifact('command', 'npm test'),
			artifact('url', 'https://x.example'),
		];
		const report = reportLostFacts(artifacts, 'ran `npm test` on src/a.ts');
		assert.deepEqual(
			report.kept.map((a) => a.value),
			['src/a.ts', 'npm test'],
		);
		assert.deepEqual(
			report.lost.map((a) => a.value),
			['src/b.ts', 'https://x.example'],
		);
		assert.equal(report.retention, 0.5);
		assert.deepEqual(report.byKind.filePath, { kept: 1, total: 2 });
		assert.deepEqual(report.byKind.identifier, { kept: 0, total: 0 });
		assert.deepEqual(Object.keys(report.byKind).sort(), [...artifactKinds].sort());
	});

	it('gives retention 1 when there is nothing to keep', () => {
		const report = reportLostFacts([], '');
		assert.equal(report.retention, 1);
		assert.equal(report.lost.length, 0);
	});

	it('keeps everything when the kept text is the transcript itself', () => {
		const messages = [
			user('Fix src/billing/export.ts; it fails with 2 failed in 42 ms. See https://x.example/issue/1'),
			assistant('I will call `streamRows` instead.', call('a', 'Bash', { command: 'npm test' })),
			result('a', 'Error: expected 1 to equal 2', true),
		];
		const artifacts = extractArtifacts(messages);
		const text = messages
			.flatMap((m) =>
				m.parts.map((p) =>
					p.kind === 'text' || p.kind === 'toolResult' ? p.text : p.kind === 'toolCall' ? 'npm test' : '',
				),
			)
			.join('\n');
		const report = reportLostFacts(artifacts, text);
		assert.equal(report.retention, 1, JSON.stringify(report.lost));
		assert.ok(artifacts.length >= 7);
	});

	it('agrees with a plain search for bounded occurrences of paths and names (property)', () => {
		const isIn = (ch: string | undefined, pattern: RegExp): boolean => ch !== undefined && pattern.test(ch);
		const naive = (text: string, value: string, before: RegExp, after: RegExp, dot: boolean): boolean => {
			if (value === '') return false;
			for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
				const next = text[at + value.length];
				const continues =
					isIn(next, after) || (dot && next === '.' && isIn(text[at + value.length + 1], /\w/));
				if (!isIn(text[at - 1], before) && !continues) return true;
			}
			return false;
		};
		const piece = fc.constantFrom('a', 'b', '.', '/', '-', '_', '@', '[', ']', ' ', ':', 'ts', './', '~');
		const str = (max: number) => fc.array(piece, { minLength: 1, maxLength: max }).map((p) => p.join(''));
		fc.assert(
			fc.property(str(40), str(8), (text, value) => {
				const v = value.trim();
				if (v === '') return;
				const path = kept('filePath', v, text);
				const bare = v.replace(/^\.\//, '');
				const expected =
					naive(text, v, /[\w.-]/, /[\w/-]/, true) ||
					(bare !== v && naive(text, bare, /[\w.-]/, /[\w/-]/, true));
				assert.equal(path, expected, `${JSON.stringify(v)} in ${JSON.stringify(text)}`);
				assert.equal(kept('identifier', v, text), naive(text, v, /[\w$]/, /[\w$]/, false));
			}),
			{ numRuns: 3000 },
		);
	});

	it('never counts more kept than total, and retention is kept/total (property)', () => {
		const kinds = fc.constantFrom<ArtifactKind>(...artifactKinds);
		fc.assert(
			fc.property(
				fc.array(fc.tuple(kinds, fc.string({ minLength: 1, maxLength: 12 })), { maxLength: 30 }),
				fc.string({ maxLength: 200 }),
				(pairs, text) => {
					const artifacts = pairs.map(([k, v]) => artifact(k, v));
					const report = reportLostFacts(artifacts, text);
					assert.equal(report.kept.length + report.lost.length, artifacts.length);
					let total = 0;
					for (const kind of artifactKinds) {
						const counts = report.byKind[kind];
						assert.ok(counts.kept <= counts.total);
						total += counts.total;
					}
					assert.equal(total, artifacts.length);
					assert.equal(report.retention, artifacts.length === 0 ? 1 : report.kept.length / artifacts.length);
					for (const a of report.kept)
						if (a.kind !== 'number' && a.kind !== 'activeTask')
							assert.ok(text.includes(a.value.replace(/^\.\//, '')));
				},
			),
			{ numRuns: 400 },
		);
	});
});
