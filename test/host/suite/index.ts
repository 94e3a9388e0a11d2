import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hostTestFilesEnvName } from '../runnerOptions';

// This file and each *.test.ts beside it are bundled by test/host/buildSuite.mjs into .test-output/host/suite/;
// __dirname is that folder at run time, and the repository root is three levels up.
const repoRoot = resolve(__dirname, '..', '..', '..');

/** Mocha timeout for one host test in milliseconds: activation and commands cross the server round trip. */
export const hostTestTimeoutMs = 30_000;

/** Installed-VSIX tests (runInstalledVsixTest.ts) fail against a development folder, so run only when chosen. */
const installedOnlyFiles = new Set(['installed.test.js']);

/**
 * The bundled tests to run, in name order: those the comma-separated `*` patterns of CONTEXT_LENS_HOST_TEST_FILES
 * match, or, when it is unset or empty, every test but the installed-VSIX ones.
 */
export function selectTestFiles(names: readonly string[], selection: string | undefined): string[] {
	const tests = names.filter((name) => name.endsWith('.test.js')).sort();
	const patterns = (selection ?? '')
		.split(',')
		.map((pattern) => pattern.trim())
		.filter((pattern) => pattern !== '');
	if (patterns.length === 0) return tests.filter((name) => !installedOnlyFiles.has(name));
	const escape = (part: string): string => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
	const matchers = patterns.map((pattern) => new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`));
	return tests.filter((name) => matchers.some((matcher) => matcher.test(name)));
}

/**
 * The extension host calls this once the workbench is up (extensionTestsPath); it runs the selected host tests and
 * rejects when any fails, which the workbench turns into a non-zero exit for the runner.
 */
export function run(): Promise<void> {
	const mocha = new Mocha({
		ui: 'bdd',
		color: false,
		timeout: hostTestTimeoutMs,
		// The unit tests' reporter, so CI reads the same closing 'N passed, N failed' line from both layers.
		reporter: join(repoRoot, 'test', 'support', 'summaryReporter.cjs'),
	});
	const selection = process.env[hostTestFilesEnvName];
	const files = selectTestFiles(readdirSync(__dirname), selection);
	if (files.length === 0) {
		const which = selection === undefined ? '*.test.js' : `${hostTestFilesEnvName}="${selection}"`;
		return Promise.reject(new Error(`no host tests match ${which} in ${__dirname}`));
	}
	for (const name of files) mocha.addFile(join(__dirname, name));
	return new Promise((resolveRun, rejectRun) => {
		mocha.run((failures) => {
			if (failures > 0) rejectRun(new Error(`${failures} host test(s) failed`));
			else resolveRun();
		});
	});
}
