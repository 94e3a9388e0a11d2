// Entry of `npm run test:host`: runs the bundled suite (test/host/suite) in a real extension host by handing
// codeShim.sh to @vscode/test-electron as the VS Code executable. Builds nothing: dist/ and the suite bundle must
// exist. Without the cached toolchain it skips on a developer machine and fails when CI=true (docs/testing.md).
// usage: node --import tsx test/host/runHostTests.ts [--screenshot PNG] [--timeout SECONDS] [--disable-extensions]
//        [--verbose] [--keep-scratch]
import { TestRunFailedError } from '@vscode/test-electron';
import {
	accessSync,
	chmodSync,
	constants,
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readHostToolchain } from './hostToolchain';
import { runTestsQuietly } from './quietRunTests';

const repoRoot = resolve(__dirname, '..', '..');
const suiteIndex = join(repoRoot, '.test-output', 'host', 'suite', 'index.js');
const extensionBundle = join(repoRoot, 'dist', 'extension.js');
const shim = join(__dirname, 'codeShim.sh');
const defaultScreenshot = join(repoRoot, '.test-output', 'host', 'workbench.png');

/** Flags passed on to the runner as `--name=value`; the screenshot defaults to .test-output/host/workbench.png. */
function runnerFlags(argv: readonly string[]): string[] {
	const flags = new Map<string, string>([['screenshot', defaultScreenshot]]);
	const switches: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] ?? '';
		const name = arg.replace(/^--/, '').replace(/=.*$/, '');
		if (name === 'screenshot' || name === 'timeout') {
			const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
			if (value === undefined) throw new Error(`${arg} needs a value`);
			flags.set(name, name === 'screenshot' ? resolve(value) : value);
		} else if (['verbose', 'keep-scratch', 'disable-extensions'].includes(name)) switches.push(`--${name}`);
		else
			throw new Error(
				`unknown argument ${arg}; usage: runHostTests [--screenshot PNG] [--timeout S] [--disable-extensions] [--verbose]`,
			);
	}
	return [...[...flags].map(([name, value]) => `--${name}=${value}`), ...switches];
}

async function main(): Promise<number> {
	for (const [file, build] of [
		[extensionBundle, 'node esbuild.mjs'],
		[suiteIndex, 'node test/host/buildSuite.mjs'],
	] as const) {
		if (!existsSync(file)) {
			console.error(`host tests: ${file} is missing; run \`${build}\` first`);
			return 1;
		}
	}
	const found = readHostToolchain();
	if (!found.ok) {
		if (process.env['CI'] === 'true') {
			console.error(`host tests: FAILED, the extension host toolchain is required in CI: ${found.reason}`);
			return 1;
		}
		console.log(`host tests: SKIPPED, no extension host toolchain on this machine: ${found.reason}`);
		return 0;
	}
	try {
		accessSync(shim, constants.X_OK);
	} catch {
		// runTests spawns the shim directly, so it must be executable even if a checkout dropped the mode bit.
		chmodSync(shim, 0o755);
	}
	const flags = runnerFlags(process.argv.slice(2));
	const screenshot = flags.find((flag) => flag.startsWith('--screenshot='))?.slice('--screenshot='.length);
	if (screenshot !== undefined) mkdirSync(dirname(screenshot), { recursive: true });
	// A fresh copy per run: tests may write into the workspace without touching the repository.
	const workspace = join(mkdtempSync(join(tmpdir(), 'context-lens-workspace-')), 'workspace');
	cpSync(join(__dirname, 'workspace'), workspace, { recursive: true });
	try {
		return await runTestsQuietly({
			vscodeExecutablePath: shim,
			extensionDevelopmentPath: repoRoot,
			extensionTestsPath: suiteIndex,
			launchArgs: [workspace, ...flags],
		});
	} catch (error) {
		if (error instanceof TestRunFailedError) return error.code ?? 1;
		throw error;
	} finally {
		rmSync(dirname(workspace), { recursive: true, force: true });
	}
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		console.error(`host tests: ${error instanceof Error ? error.message : String(error)}`);
		process.exitCode = 1;
	},
);
