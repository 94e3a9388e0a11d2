import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import fc from 'fast-check';
import {
	classifyTool,
	extractArtifacts,
	findActiveTask,
	identifierInBackticks,
	maxListedPaths,
	normalisePathToken,
	numberKey,
	userRequestText,
} from '../../../src/core/facts/extractArtifacts';
import type { Artifact, ArtifactKind } from '../../../src/core/facts/extractArtifacts';
import { describeCorpus } from '../../support/corpus';
import { readClaudeCodeMessages } from '../summarize/corpusMessages';
import { assistant, call, message, result, user } from '../summarize/offlineFixtures';

function values(artifacts: readonly Artifact[], kind: ArtifactKind): string[] {
	return artifacts.filter((a) => a.kind === kind).map((a) => a.value);
}

describe('extractArtifacts', () => {
	describe('file paths', () => {
		it('takes paths from tool arguments and path-like tokens in text and results', () => {
			const got = extractArtifacts([
				user('The bug is in src/billing/export.ts:45 and maybe ./lib/csv.js, see @docs/PLAN.md too.'),
				assistant(
					'Reading it.',
					call('a', 'Read', { file_path: '/repo/src/billing/export.ts' }),
					call('b', 'MultiRead', { paths: ['README', 'config/app.yaml'] }),
					call('c', 'Bash', { command: 'ls' }),
				),
				result('c', 'wrote /tmp/out/report.csv and ~/notes/todo.md'),
			]);
			assert.deepEqual(values(got, 'filePath'), [
				'src/billing/export.ts',
				'./lib/csv.js',
				'docs/PLAN.md',
				'/repo/src/billing/export.ts',
				'README',
				'config/app.yaml',
				'/tmp/out/report.csv',
				'~/notes/todo.md',
			]);
		});

		it('keeps the first of the same path written with and without ./', () => {
			const got = extractArtifacts([
				user('Open ./src/a.ts'),
				assistant('Done with src/a.ts and package.json.'),
			]);
			assert.deepEqual(values(got, 'filePath'), ['./src/a.ts', 'package.json']);
		});

		it('rejects URLs, versions, prose slashes, product names, globs and method calls', () => {
			const got = extractArtifacts([
				assistant(
					'See https://example.com/docs/guide.md and http://localhost:3000/api/v1/users. ' +
						'We bumped to v2.0.76 (was 1.2.3), read/write and and/or paths, 3/50 failed on 2024/01/02, ' +
						'Node.js and Next.js are fine, res.json(data) returns, e.g. this, grades A/B/C/D/F, glob src/**/*.ts, ' +
						'template {project-root}/docs, example.com, a ratio 16/9.',
				),
			]);
			assert.deepEqual(values(got, 'filePath'), []);
			assert.deepEqual(values(got, 'url'), [
				'https://example.com/docs/guide.md',
				'http://localhost:3000/api/v1/users',
			]);
		});

		it('accepts dotfiles, known bare files and folders with a trailing slash', () => {
			for (const token of [
				'.env',
				'Dockerfile',
				'.github/workflows/ci.yml',
				'src/components/',
				'src/lib/core',
			])
				assert.equal(normalisePathToken(token), token, token);
			for (const token of ['and/or', 'A/B', '1.2.3', 'v1.2.3', 'Node.js', 'x', '.ts', 'foo.bar', 'a:b/c.ts'])
				assert.equal(normalisePathToken(token), undefined, token);
			assert.equal(normalisePathToken('(src/a.ts:12:3),'), 'src/a.ts');
		});

		it('does not mine file contents returned by read, edit, list and search tools', () => {
			const listing = Array.from({ length: 5 }, (_, i) => `src/read/file${i}.ts`).join('\n');
			const got = extractArtifacts([
				assistant('', call('r', 'Read', { file_path: 'src/main.ts' }), call('g', 'Grep', { pattern: 'x' })),
				result('r', "import { a } from './helpers/a.ts';\nconst port = 'localhost:9000';"),
				result('g', listing),
			]);
			assert.deepEqual(values(got, 'filePath'), ['src/main.ts']);
			assert.deepEqual(values(got, 'number'), []);
		});

		it(`treats a shell output naming more than ${maxListedPaths} paths as a listing`, () => {
			const short = Array.from({ length: maxListedPaths }, (_, i) => `src/a${i}.ts`).join('\n');
			const long = Array.from({ length: maxListedPaths + 1 }, (_, i) => `lib/b${i}.ts`).join('\n');
			const got = extractArtifacts([
				assistant(
					'',
					call('s', 'Bash', { command: 'git status' }),
					call('l', 'Bash', { command: 'find lib' }),
				),
				result('s', short),
				result('l', long),
				assistant('lib/b3.ts is the one to change.'),
			]);
			const paths = values(got, 'filePath');
			assert.equal(paths.filter((p) => p.startsWith('src/')).length, maxListedPaths);
			assert.deepEqual(
				paths.filter((p) => p.startsWith('lib/')),
				['lib/b3.ts'],
			);
		});
	});

	describe('commands', () => {
		it('takes shell commands from arguments (whole, whitespace collapsed), argv arrays and $ lines', () => {
			const got = extractArtifacts([
				user('Run this:\n$ npm run build -- --watch\nthen tell me.'),
				assistant(
					'',
					call('a', 'Bash', { command: 'cat <<EOF > a.txt\nhello\nEOF', description: 'write' }),
					call('b', 'shell', { command: ['bash', '-lc', 'pytest -q tests/'] }),
					call('c', 'exec_command', { cmd: 'git status --short' }),
					call('d', 'Read', { command: 'not a shell' }),
				),
			]);
			assert.deepEqual(values(got, 'command'), [
				'npm run build -- --watch',
				// A here-document is the command too: its first line alone would be another command.
				'cat <<EOF > a.txt hello EOF',
				'pytest -q tests/',
				'git status --short',
			]);
			assert.deepEqual(
				got.filter((a) => a.kind === 'command').map((a) => a.source),
				['user', 'Bash', 'shell', 'exec_command'],
			);
		});
	});

	describe('error lines', () => {
		it('takes the first line of error results and error-looking lines anywhere', () => {
			const got = extractArtifacts([
				assistant('', call('a', 'Bash', { command: 'npm test' }), call('b', 'Read', { file_path: 'x.ts' })),
				result(
					'a',
					'Exit code 1\nsrc/a.ts(3,5): error TS2345: Argument of type string\n  FAILED tests/test_api.py::test_get\nthread main panicked at src/main.rs:4',
					true,
				),
				result('b', '<tool_use_error>File does not exist.</tool_use_error>', true),
				assistant('Traceback (most recent call last): shown above; TypeError: x is undefined.'),
				assistant('No errors here, everything is fine.'),
			]);
			assert.deepEqual(values(got, 'errorLine'), [
				'Exit code 1',
				'src/a.ts(3,5): error TS2345: Argument of type string',
				'FAILED tests/test_api.py::test_get',
				'thread main panicked at src/main.rs:4',
				'File does not exist.',
				'Traceback (most recent call last): shown above; TypeError: x is undefined.',
			]);
		});

		it('clips very long error lines to 200 characters', () => {
			const got = extractArtifacts([assistant(`Error: ${'x'.repeat(500)}`)]);
			assert.equal(values(got, 'errorLine')[0]?.length, 200);
		});
	});

	describe('URLs', () => {
		it('trims sentence punctuation and unbalanced brackets, dedupes', () => {
			const got = extractArtifacts([
				assistant(
					'Docs (see https://a.example/x_(y)) and https://b.example/path?q=1. Also https://b.example/path?q=1, again.',
				),
				assistant('', call('w', 'WebFetch', { url: 'https://c.example/page' })),
			]);
			assert.deepEqual(values(got, 'url'), [
				'https://a.example/x_(y)',
				'https://b.example/path?q=1',
				'https://c.example/page',
			]);
		});
	});

	describe('identifiers', () => {
		it('takes code names in backticks, not plain words or paths', () => {
			assert.equal(identifierInBackticks('parseTranscript'), 'parseTranscript');
			assert.equal(identifierInBackticks('Foo.bar()'), 'Foo.bar()');
			assert.equal(identifierInBackticks('MAX_TOKENS'), 'MAX_TOKENS');
			assert.equal(identifierInBackticks('Message'), 'Message');
			for (const span of ['npm', 'true', 'src/a.ts', 'package.json', 'npm test', 'JSON', 'Foo', '42'])
				assert.equal(identifierInBackticks(span), undefined, span);
		});

		it('counts camelCase/snake_case names only when two places use them, ignoring written file contents', () => {
			const got = extractArtifacts([
				assistant('The planCompaction step calls estimate_tokens once.'),
				assistant(
					'Now planCompaction again.',
					call('w', 'Write', { file_path: 'a.ts', content: 'function writtenOnly() {}\nwrittenOnly();' }),
					call('e', 'Edit', { file_path: 'a.ts', old_string: 'writtenOnly()', new_string: 'writtenOnly(1)' }),
				),
				assistant('', call('g', 'Grep', { pattern: 'estimate_tokens' })),
				assistant('I mention JavaScript and JavaScript twice but that is prose.'),
			]);
			assert.deepEqual(values(got, 'identifier'), ['planCompaction', 'estimate_tokens']);
		});
	});

	describe('numbers with units', () => {
		it('finds durations, sizes, percentages, token counts and ports, keyed by digits and unit', () => {
			const got = extractArtifacts([
				assistant(
					'Build took 42 ms, bundle is 3.2 MB (85% smaller), 1,024 tokens, 3.6x faster, 2 failing, served on localhost:8080 and 127.0.0.1:3000.',
				),
				assistant('Again 1024 tokens and 42 ms.'),
			]);
			assert.deepEqual(values(got, 'number'), [
				'42 ms',
				'3.2 MB',
				'85%',
				'1,024 tokens',
				'3.6x',
				'2 failing',
				'localhost:8080',
				'127.0.0.1:3000',
			]);
			assert.equal(numberKey('1,024 tokens'), numberKey('1024tokens'));
		});

		it('ignores bare numbers, versions, dates, ids and numbers glued to words', () => {
			const got = extractArtifacts([
				assistant(
					'Version v1.2.3 on 2024-01-02, issue #42, abc123ms, sha 9f8e7d, plain 42 and 7 apples, x86 and 12:30, case 3 failed.',
				),
			]);
			assert.deepEqual(values(got, 'number'), []);
		});
	});

	describe('active task', () => {
		it('is the latest real user request, verbatim, skipping meta, tool results and command noise', () => {
			const messages = [
				user('First: build the export.'),
				assistant('', call('a', 'Bash', { command: 'ls' })),
				result('a', 'out'),
				user('Now make the CSV export stream rows\n  instead of buffering them.'),
				user('Caveat: The messages below were generated by the user while running local commands.', {
					isMeta: true,
				}),
				user(
					'<command-name>/clear</command-name>\n<command-message>clear</command-message>\n<command-args></command-args>',
				),
				user('<local-command-stdout></local-command-stdout>'),
				assistant(
					'Working on it.',
					call('b', 'Edit', { file_path: 'a.ts', old_string: 'a', new_string: 'b' }),
				),
				result('b', 'ok'),
			];
			const task = findActiveTask(messages);
			assert.equal(task?.text, 'Now make the CSV export stream rows\n  instead of buffering them.');
			assert.equal(task?.messageIndex, 3);
			assert.equal(task?.looksFulfilled, false);
			const artifact = extractArtifacts(messages).find((a) => a.kind === 'activeTask');
			assert.deepEqual(artifact, {
				kind: 'activeTask',
				value: task?.text,
				messageId: messages[3]?.id,
				messageIndex: 3,
				source: 'user',
			});
		});

		it('takes slash-command arguments as the request and keeps short replies as follow-ups', () => {
			const messages = [
				user(
					'<command-message>fix</command-message>\n<command-name>/fix</command-name>\n<command-args>the flaky login test</command-args>',
				),
				assistant('Shall I also update snapshots?'),
				user('yes'),
				user('go ahead'),
			];
			const task = findActiveTask(messages);
			assert.equal(task?.text, 'the flaky login test');
			assert.deepEqual(task?.followUps, ['yes', 'go ahead']);
		});

		it('is left out when the assistant reported the request done', () => {
			const messages = [
				user('Rename foo to bar.'),
				assistant('Done: renamed foo to bar in 3 files, all tests pass.'),
			];
			assert.equal(findActiveTask(messages)?.looksFulfilled, true);
			assert.equal(
				extractArtifacts(messages).some((a) => a.kind === 'activeTask'),
				false,
			);
		});

		it("prefers the main thread's request over a subagent's prompt", () => {
			const messages = [
				user('Update the README for the new CLI.'),
				user('Examine package.json and report scripts.', { isSidechain: true }),
				message('assistant', [{ kind: 'text', text: 'Scripts: build, test.' }], { isSidechain: true }),
			];
			assert.equal(findActiveTask(messages)?.text, 'Update the README for the new CLI.');
			assert.equal(userRequestText(messages[1] ?? user('')), 'Examine package.json and report scripts.');
		});
	});

	it('records the tool name as the source of call and result artifacts and the role otherwise', () => {
		const got = extractArtifacts([
			user('Look at https://x.example/a'),
			assistant('', call('a', 'Bash', { command: 'curl https://y.example/b' })),
			result('a', 'fetched https://y.example/b/data.json in 120 ms'),
		]);
		assert.deepEqual(
			got.filter((a) => a.kind !== 'activeTask').map((a) => [a.kind, a.value, a.source, a.messageIndex]),
			[
				['url', 'https://x.example/a', 'user', 0],
				['command', 'curl https://y.example/b', 'Bash', 1],
				['url', 'https://y.example/b/data.json', 'Bash', 2],
				['number', '120 ms', 'Bash', 2],
			],
		);
	});

	it('classifies tool names into families', () => {
		const cases: [string, string][] = [
			['Bash', 'shell'],
			['run_shell_command', 'shell'],
			['TodoWrite', 'todo'],
			['Read', 'read'],
			['read_file', 'read'],
			['Edit', 'edit'],
			['MultiEdit', 'edit'],
			['Write', 'write'],
			['Grep', 'search'],
			['Glob', 'list'],
			['WebFetch', 'web'],
			['Task', 'task'],
			['Skill', 'other'],
		];
		for (const [name, kind] of cases) assert.equal(classifyTool(name), kind, name);
	});

	it('stays linear on 5 MB adversarial strings (no catastrophic backtracking)', function () {
		this.timeout(60_000);
		const size = 5_000_000;
		const inputs = [
			'a'.repeat(size),
			'1'.repeat(size),
			'1,000'.repeat(size / 5),
			'a/'.repeat(size / 2),
			'aB'.repeat(size / 2),
			'`a'.repeat(size / 2),
			'http://'.repeat(size / 7),
			'Error: x\n'.repeat(size / 9),
			'localhost:'.repeat(size / 10),
			'1 '.repeat(size / 2),
			'src/a.ts 42 ms https://x.io/a `fooBar` Error: y\n'.repeat(size / 50),
		];
		for (const text of inputs) {
			const started = performance.now();
			const got = extractArtifacts([
				assistant(text, call('x', 'Bash', { command: text.slice(0, 1000), description: text })),
				result('x', text, true),
			]);
			const elapsedMs = performance.now() - started;
			assert.ok(got.length >= 1);
			assert.ok(elapsedMs < 5_000, `${text.slice(0, 12)}… took ${elapsedMs.toFixed(0)} ms`);
		}
	});

	describe('properties', () => {
		const word = fc.constantFrom(
			'src/a.ts',
			'./lib/b.js',
			'https://x.example/p',
			'42 ms',
			'85%',
			'`parseThing`',
			'Error: boom',
			'fooBar',
			'and/or',
			'v1.2.3',
			'hello',
			'\n',
			'$ npm test\n',
			'localhost:8080',
		);
		const text = fc.array(word, { maxLength: 30 }).map((w) => w.join(' '));
		const messages = fc.array(
			fc.oneof(
				text.map((t) => user(t)),
				text.map((t) => assistant(t)),
			),
			{ maxLength: 12 },
		);

		it('gives unique values per kind, valid positions, and values found verbatim in their message', () => {
			fc.assert(
				fc.property(messages, (list) => {
					const got = extractArtifacts(list);
					const keys = got.map((a) => `${a.kind}\u0000${a.kind === 'number' ? numberKey(a.value) : a.value}`);
					assert.equal(new Set(keys).size, keys.length);
					for (const a of got) {
						const m = list[a.messageIndex];
						assert.ok(m !== undefined);
						assert.equal(a.messageId, m.id);
						const body = m.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('\n');
						assert.ok(body.includes(a.value), `${a.kind} ${a.value}`);
					}
				}),
				{ numRuns: 300 },
			);
		});

		it('never loses an earlier artifact when later messages are appended', () => {
			fc.assert(
				fc.property(messages, messages, (first, more) => {
					const before = extractArtifacts(first).filter(
						(a) => a.kind !== 'activeTask' && a.kind !== 'identifier',
					);
					const after = new Set(
						extractArtifacts([...first, ...more]).map((a) => `${a.kind}\u0000${a.value}`),
					);
					for (const a of before) assert.ok(after.has(`${a.kind}\u0000${a.value}`), a.value);
				}),
				{ numRuns: 200 },
			);
		});
	});

	describe('on the real corpus', () => {
		describeCorpus('claude-code', (file) => {
			it(`extracts consistent artifacts from ${basename(file)}`, () => {
				const messages = readClaudeCodeMessages(file);
				const started = performance.now();
				const got = extractArtifacts(messages);
				const elapsedMs = performance.now() - started;
				assert.ok(elapsedMs < 5_000, `took ${elapsedMs.toFixed(0)} ms`);
				const keys = new Set<string>();
				for (const a of got) {
					assert.ok(a.messageIndex >= 0 && a.messageIndex < messages.length);
					assert.equal(a.messageId, messages[a.messageIndex]?.id);
					assert.ok(a.value === a.value.trim() && a.value !== '');
					if (a.kind === 'filePath') assert.ok(!a.value.includes('://'), a.value);
					if (a.kind === 'url') assert.match(a.value, /^https?:\/\/\S+$/);
					const key = `${a.kind}\u0000${a.value}`;
					assert.ok(!keys.has(key), `duplicate ${key}`);
					keys.add(key);
				}
				const task = got.find((a) => a.kind === 'activeTask');
				if (task !== undefined) {
					const source = messages[task.messageIndex];
					assert.equal(source?.role, 'user');
					assert.equal(source?.flags.isMeta, false);
				}
			});
		});
	});
});
