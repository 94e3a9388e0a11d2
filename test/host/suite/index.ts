import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

// This file and each *.test.ts beside it are bundled by test/host/buildSuite.mjs into .test-output/host/suite/;
// __dirname is that folder at run time, and the repository root is three levels up.
const repoRoot = resolve(__dirname, '..', '..', '..');

/** Mocha timeout for one host test in milliseconds: activation and commands cross the server round trip. */
export const hostTestTimeoutMs = 30_000;

/**
 * The extension host calls this once the workbench is up (extensionTestsPath); it runs every bundled host test and
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
	const files = readdirSync(__dirname)
		.filter((name) => name.endsWith('.test.js'))
		.sort();
	if (files.length === 0) return Promise.reject(new Error(`no *.test.js host tests in ${__dirname}`));
	for (const name of files) mocha.addFile(join(__dirname, name));
	return new Promise((resolveRun, rejectRun) => {
		mocha.run((failures) => {
			if (failures > 0) rejectRun(new Error(`${failures} host test(s) failed`));
			else resolveRun();
		});
	});
}
