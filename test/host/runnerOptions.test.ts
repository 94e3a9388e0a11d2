import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runTestsQuietly } from './quietRunTests';
import { defaultTimeoutMs, parseRunnerArgs, remoteUri, workbenchUrl } from './runnerOptions';

// Path segments as a person might name folders: any characters but the separator and NUL.
const segment = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }).filter((s) => !/[/\0]/.test(s));
const absolutePath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`);

/** Decodes a vscode-remote URI the way the workbench does: authority, then each path segment percent-decoded. */
function decodeRemote(uri: string): { authority: string; path: string } {
	const match = /^vscode-remote:\/\/([^/]+)(\/.*)$/.exec(uri);
	assert.ok(match?.[1] && match[2], `not a vscode-remote URI: ${uri}`);
	return { authority: match[1], path: match[2].split('/').map(decodeURIComponent).join('/') };
}

describe('parseRunnerArgs', () => {
	it('reads the command line @vscode/test-electron really builds for a VS Code executable', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'context-lens-argv-'));
		try {
			// A stand-in executable records its arguments, so the contract is runTests' own output, not a guess.
			const recorder = join(dir, 'recordArgv.cjs');
			const recorded = join(dir, 'argv.json');
			writeFileSync(
				recorder,
				"require('node:fs').writeFileSync(process.env.ARGV_OUT, JSON.stringify(process.argv.slice(2)));\n",
			);
			const code = await runTestsQuietly({
				vscodeExecutablePath: process.execPath,
				extensionDevelopmentPath: '/repo',
				extensionTestsPath: '/repo/.test-output/host/suite/index.js',
				launchArgs: [
					recorder,
					'/tmp/work space',
					'--screenshot=/tmp/shot.png',
					'--timeout=42',
					'--disable-extensions',
				],
				extensionTestsEnv: { ARGV_OUT: recorded },
			});
			assert.equal(code, 0);
			const argv = JSON.parse(readFileSync(recorded, 'utf8')) as string[];
			const parsed = parseRunnerArgs(argv, '/elsewhere');
			assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
			assert.deepEqual(parsed.options, {
				extensionDevelopmentPath: '/repo',
				extensionTestsPath: '/repo/.test-output/host/suite/index.js',
				workspace: '/tmp/work space',
				screenshot: '/tmp/shot.png',
				timeoutMs: 42_000,
				isVerbose: false,
				shouldKeepScratch: false,
				shouldDisableOtherExtensions: true,
			});
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('takes values after a space for its own flags and resolves relative paths against cwd', () => {
		const parsed = parseRunnerArgs(
			[
				'--extensionDevelopmentPath',
				'.',
				'--extensionTestsPath=out/index.js',
				'--screenshot',
				'a.png',
				'--verbose',
			],
			'/home/dev/project',
		);
		assert.ok(parsed.ok);
		assert.equal(parsed.options.extensionDevelopmentPath, '/home/dev/project');
		assert.equal(parsed.options.extensionTestsPath, '/home/dev/project/out/index.js');
		assert.equal(parsed.options.screenshot, '/home/dev/project/a.png');
		assert.equal(parsed.options.workspace, undefined);
		assert.equal(parsed.options.timeoutMs, defaultTimeoutMs);
		assert.equal(parsed.options.isVerbose, true);
	});

	it('reports what is missing or malformed instead of throwing', () => {
		const cases: [string[], RegExp][] = [
			[['--extensionTestsPath=/t.js'], /missing --extensionDevelopmentPath/],
			[['--extensionDevelopmentPath=/d'], /missing --extensionTestsPath/],
			[['--extensionDevelopmentPath=/d', '--extensionTestsPath=/t.js', '--timeout=soon'], /positive number/],
			[['--extensionDevelopmentPath=/d', '--extensionTestsPath=/t.js', '--timeout=0'], /positive number/],
			[['--extensionDevelopmentPath=/d', '--extensionTestsPath=/t.js', '--screenshot'], /needs a value/],
		];
		for (const [argv, reason] of cases) {
			const parsed = parseRunnerArgs(argv, '/');
			assert.equal(parsed.ok, false, argv.join(' '));
			if (!parsed.ok) assert.match(parsed.reason, reason);
		}
	});

	it('gives the same options whatever the order of flags and ignored VS Code switches', () => {
		const ignored = [
			'--no-sandbox',
			'--disable-gpu-sandbox',
			'--skip-welcome',
			'--user-data-dir=/u',
			'--log=trace',
		];
		fc.assert(
			fc.property(
				absolutePath,
				absolutePath,
				absolutePath,
				fc.shuffledSubarray(ignored),
				(dev, tests, ws, noise) => {
					const flags = [`--extensionDevelopmentPath=${dev}`, `--extensionTestsPath=${tests}`, ...noise];
					const reference = parseRunnerArgs([ws, ...flags], '/');
					const reordered = parseRunnerArgs([...flags.reverse(), ws], '/');
					assert.ok(reference.ok && reordered.ok);
					assert.deepEqual(reordered.options, reference.options);
					assert.equal(reference.options.workspace, ws);
					assert.equal(reference.options.extensionDevelopmentPath, dev);
				},
			),
			{ numRuns: 200 },
		);
	});
});

describe('workbenchUrl', () => {
	it('carries the folder and a payload whose remote URIs decode back to the given paths', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 65535 }),
				absolutePath,
				absolutePath,
				absolutePath,
				fc.boolean(),
				(port, ws, dev, tests, shouldDisableOtherExtensions) => {
					const url = new URL(
						workbenchUrl(port, ws, {
							extensionDevelopmentPath: dev,
							extensionTestsPath: tests,
							shouldDisableOtherExtensions,
						}),
					);
					assert.equal(url.origin, `http://127.0.0.1:${port}`);
					assert.equal(url.searchParams.get('folder'), ws);
					const payload = JSON.parse(url.searchParams.get('payload') ?? 'null') as [string, string][];
					const byName = new Map(payload);
					assert.deepEqual(
						[...byName.keys()],
						[
							'extensionDevelopmentPath',
							'extensionTestsPath',
							'skipWelcome',
							...(shouldDisableOtherExtensions ? ['disableExtensions'] : []),
						],
					);
					assert.deepEqual(decodeRemote(byName.get('extensionDevelopmentPath') ?? ''), {
						authority: `127.0.0.1:${port}`,
						path: dev,
					});
					assert.equal(decodeRemote(byName.get('extensionTestsPath') ?? '').path, tests);
					assert.equal(byName.get('skipWelcome'), 'true');
				},
			),
			{ numRuns: 300 },
		);
	});

	it('percent-encodes characters that would otherwise end or split the path', () => {
		assert.equal(
			remoteUri('127.0.0.1:1', '/a b/c#d/e?f/g%h'),
			'vscode-remote://127.0.0.1:1/a%20b/c%23d/e%3Ff/g%25h',
		);
	});
});
