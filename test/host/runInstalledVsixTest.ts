// Checks the packaged extension the way a user gets it: context-lens.vsix, at most 2 MB, installed into the VS Code
// server with its own --install-extension, then activated and driven by the in-host test suite/installed.test.ts.
// Builds the VSIX (`npm run package`) when it is missing or with --package, and the suite bundle if it is missing.
// Without the cached toolchain it skips on a developer machine and fails when CI=true, like runHostTests.ts.
// usage: node --import tsx test/host/runInstalledVsixTest.ts [--package] [--vsix FILE] [--screenshot PNG]
//        [--timeout SECONDS] [--verbose] [--keep-scratch]
// Exit: 0 passed or skipped, 1 a test failed or the VSIX is too large or could not be built, otherwise the
// runner's code (runVscodeTests.ts: 2 usage or toolchain, 3 server died, 4 timeout, 7 the VSIX did not install).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { readHostToolchain } from './hostToolchain';
import { hostTestFilesEnvName } from './runnerOptions';

const repoRoot = resolve(__dirname, '..', '..');
const suiteDir = join(repoRoot, '.test-output', 'host', 'suite');
const shim = join(__dirname, 'codeShim.sh');

/** The size limit of the packaged extension, in bytes (2 MB, decimal: the stricter reading of the goal). */
export const maxVsixBytes = 2_000_000;

/** The one bundled host test this run selects (suite/index.ts leaves it out of the development run). */
const installedTestFile = 'installed.test.js';

const startedAt = Date.now();
const elapsed = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)}s`;
const say = (message: string): void => console.log(`vsix test: ${message}`);

interface Options {
	readonly vsix: string;
	readonly shouldPackage: boolean;
	readonly runnerFlags: string[];
}

function parseArgs(argv: readonly string[]): Options {
	let vsix = join(repoRoot, 'context-lens.vsix');
	let shouldPackage = false;
	let screenshot = join(repoRoot, '.test-output', 'host', 'installed-vsix.png');
	const runnerFlags: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] ?? '';
		const name = arg.replace(/^--/, '').replace(/=.*$/, '');
		const value = (): string => {
			const given = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
			if (given === undefined || given === '') throw new Error(`${arg} needs a value`);
			return given;
		};
		if (name === 'package') shouldPackage = true;
		else if (name === 'vsix') vsix = resolve(value());
		else if (name === 'screenshot') screenshot = resolve(value());
		else if (name === 'timeout') runnerFlags.push(`--timeout=${value()}`);
		else if (name === 'verbose' || name === 'keep-scratch') runnerFlags.push(`--${name}`);
		else
			throw new Error(
				`unknown argument ${arg}; usage: runInstalledVsixTest [--package] [--vsix FILE] [--screenshot PNG]` +
					' [--timeout S] [--verbose] [--keep-scratch]',
			);
	}
	runnerFlags.push(`--screenshot=${screenshot}`);
	return { vsix, shouldPackage, runnerFlags };
}

/** Runs a build step in the repository with inherited output; true when it exited 0. */
function build(what: string, command: string, args: readonly string[]): boolean {
	const stepStartedAt = Date.now();
	say(`${what}: ${command} ${args.join(' ')}`);
	const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
	const ok = result.status === 0;
	say(
		`${what} ${ok ? 'done' : `FAILED (${result.error?.message ?? result.status ?? result.signal})`}` +
			` in ${elapsed(stepStartedAt)}`,
	);
	return ok;
}

/** Runs suite/installed.test.ts through the runner, which installs the VSIX first; resolves to the exit code. */
function runInstalled(vsix: string, workspace: string, runnerFlags: readonly string[]): Promise<number> {
	const args = [
		`--extensionTestsPath=${join(suiteDir, 'index.js')}`,
		`--install-vsix=${vsix}`,
		workspace,
		...runnerFlags,
	];
	const child = spawn(shim, args, {
		cwd: repoRoot,
		stdio: 'inherit',
		// Reaches the extension host through the server's environment; suite/index.ts reads it.
		env: { ...process.env, [hostTestFilesEnvName]: installedTestFile },
	});
	// The runner ends the server and browser on these; this process waits for its exit code.
	const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
	process.on('SIGINT', forward);
	process.on('SIGTERM', forward);
	return new Promise((resolveCode) => {
		child.once('error', (error) => {
			say(`could not start ${shim}: ${error.message}`);
			resolveCode(6);
		});
		child.once('exit', (code, signal) => resolveCode(code ?? (signal === 'SIGINT' ? 130 : 143)));
	});
}

async function main(): Promise<number> {
	const options = parseArgs(process.argv.slice(2));
	const shown = options.vsix.startsWith(`${repoRoot}${sep}`)
		? relative(repoRoot, options.vsix)
		: options.vsix;
	if (options.shouldPackage || !existsSync(options.vsix)) {
		if (options.vsix !== join(repoRoot, 'context-lens.vsix')) {
			say(`${shown} is missing; \`npm run package\` builds only context-lens.vsix`);
			return 1;
		}
		if (!build('packaging', 'npm', ['run', 'package'])) return 1;
		if (!existsSync(options.vsix)) {
			say(`\`npm run package\` did not write ${shown}`);
			return 1;
		}
	}
	const bytes = statSync(options.vsix).size;
	const size = `${(bytes / 1_000_000).toFixed(2)} MB (${bytes} bytes)`;
	if (bytes > maxVsixBytes) {
		say(`FAILED: ${shown} is ${size}, over the ${maxVsixBytes / 1_000_000} MB limit; see .vscodeignore`);
		return 1;
	}
	say(`${shown} is ${size}, within the ${maxVsixBytes / 1_000_000} MB limit`);

	const found = readHostToolchain();
	if (!found.ok) {
		if (process.env['CI'] === 'true') {
			say(`FAILED, the extension host toolchain is required in CI: ${found.reason}`);
			return 1;
		}
		say(`SKIPPED the install test, no extension host toolchain on this machine: ${found.reason}`);
		return 0;
	}
	if (!existsSync(join(suiteDir, 'index.js')) || !existsSync(join(suiteDir, installedTestFile))) {
		if (!build('bundling the host suite', process.execPath, [join(__dirname, 'buildSuite.mjs')])) return 1;
	}
	const screenshot = options.runnerFlags.find((flag) => flag.startsWith('--screenshot='));
	if (screenshot !== undefined)
		mkdirSync(dirname(screenshot.slice('--screenshot='.length)), { recursive: true });
	// A fresh copy per run, as in runHostTests.ts: the test writes a transcript into the workspace.
	const workspace = join(mkdtempSync(join(tmpdir(), 'context-lens-workspace-')), 'workspace');
	cpSync(join(__dirname, 'workspace'), workspace, { recursive: true });
	const runStartedAt = Date.now();
	try {
		const code = await runInstalled(options.vsix, workspace, options.runnerFlags);
		say(
			`install and host test ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${elapsed(runStartedAt)}`,
		);
		return code;
	} finally {
		rmSync(dirname(workspace), { recursive: true, force: true });
	}
}

main().then(
	(code) => {
		say(`total ${elapsed(startedAt)}`);
		process.exitCode = code;
	},
	(error: unknown) => {
		say(error instanceof Error ? error.message : String(error));
		process.exitCode = 1;
	},
);
