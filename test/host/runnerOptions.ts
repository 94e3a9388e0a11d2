import { isAbsolute, resolve } from 'node:path';

/**
 * What one host run needs: absolute paths, a whole-run timeout in milliseconds, and diagnostics switches. Exactly
 * one of extensionDevelopmentPath and installVsix is set: with installVsix the runner installs that package into
 * the scratch extensions folder and runs the suite against the installed extension instead of a development folder.
 */
export interface RunnerOptions {
	readonly extensionDevelopmentPath: string | undefined;
	readonly installVsix?: string;
	readonly extensionTestsPath: string;
	readonly workspace: string | undefined;
	readonly screenshot: string | undefined;
	readonly timeoutMs: number;
	readonly isVerbose: boolean;
	readonly shouldKeepScratch: boolean;
	readonly shouldDisableOtherExtensions: boolean;
}

/** Parsed options, or the usage problem to print (exit code 2). */
export type RunnerOptionsResult = { ok: true; options: RunnerOptions } | { ok: false; reason: string };

/** Environment variable naming the server's logs folder, set for the extension host and read by host tests. */
export const hostLogsEnvName = 'CONTEXT_LENS_HOST_LOGS_DIR';

/** Environment variable naming the scratch extensions folder the VSIX was installed into (--install-vsix only). */
export const installedExtensionsDirEnvName = 'CONTEXT_LENS_INSTALLED_EXTENSIONS_DIR';

/**
 * Environment variable selecting which bundled host tests the suite runs: comma-separated file names of
 * .test-output/host/suite/, `*` matching any characters (e.g. `installed.test.js`). Unset: every development test.
 */
export const hostTestFilesEnvName = 'CONTEXT_LENS_HOST_TEST_FILES';

/** Default whole-run limit: server start, workbench load and the suite together. */
export const defaultTimeoutMs = 180_000;

const usage =
	'usage: runVscodeTests (--extensionDevelopmentPath=DIR | --install-vsix=VSIX) --extensionTestsPath=FILE' +
	' [WORKSPACE] [--screenshot=PNG] [--timeout=SECONDS] [--disable-extensions] [--verbose] [--keep-scratch]';

const valueFlags = new Set([
	'extensionDevelopmentPath',
	'extensionTestsPath',
	'install-vsix',
	'screenshot',
	'timeout',
]);

/**
 * Reads the Electron-style command line that @vscode/test-electron's runTests builds (flags as `--name=value`,
 * the workspace as the first bare argument) plus our own flags; other VS Code flags are accepted and ignored.
 */
export function parseRunnerArgs(argv: readonly string[], cwd: string = process.cwd()): RunnerOptionsResult {
	const values = new Map<string, string>();
	const switches = new Set<string>();
	const positionals: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] ?? '';
		if (!arg.startsWith('--')) {
			positionals.push(arg);
			continue;
		}
		const eq = arg.indexOf('=');
		const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
		if (eq >= 0) values.set(name, arg.slice(eq + 1));
		else if (valueFlags.has(name)) {
			// Our own value flags also take the next argument, so `--screenshot out.png` works by hand.
			const next = argv[i + 1];
			if (next === undefined || next.startsWith('--'))
				return { ok: false, reason: `--${name} needs a value; ${usage}` };
			values.set(name, next);
			i++;
		} else switches.add(name);
	}
	const devPath = values.get('extensionDevelopmentPath');
	const testsPath = values.get('extensionTestsPath');
	const vsix = values.get('install-vsix');
	if (vsix !== undefined) {
		if (vsix === '') return { ok: false, reason: `--install-vsix needs a value; ${usage}` };
		// A development folder of the same id would shadow the installed copy; --disable-extensions would turn it off.
		if (devPath !== undefined)
			return {
				ok: false,
				reason: `--install-vsix runs the installed extension; drop --extensionDevelopmentPath`,
			};
		if (switches.has('disable-extensions'))
			return { ok: false, reason: '--install-vsix cannot be combined with --disable-extensions' };
	} else if (devPath === undefined || devPath === '')
		return { ok: false, reason: `missing --extensionDevelopmentPath; ${usage}` };
	if (testsPath === undefined || testsPath === '')
		return { ok: false, reason: `missing --extensionTestsPath; ${usage}` };
	let timeoutMs = defaultTimeoutMs;
	const timeout = values.get('timeout');
	if (timeout !== undefined) {
		const seconds = Number(timeout);
		if (!Number.isFinite(seconds) || seconds <= 0)
			return { ok: false, reason: `--timeout must be a positive number of seconds, got "${timeout}"` };
		timeoutMs = seconds * 1000;
	}
	const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(cwd, path));
	const workspace = positionals[0];
	const screenshot = values.get('screenshot');
	return {
		ok: true,
		options: {
			extensionDevelopmentPath: devPath === undefined ? undefined : absolute(devPath),
			...(vsix === undefined ? {} : { installVsix: absolute(vsix) }),
			extensionTestsPath: absolute(testsPath),
			workspace: workspace === undefined ? undefined : absolute(workspace),
			screenshot: screenshot === undefined ? undefined : absolute(screenshot),
			timeoutMs,
			isVerbose: switches.has('verbose'),
			shouldKeepScratch: switches.has('keep-scratch'),
			shouldDisableOtherExtensions: switches.has('disable-extensions'),
		},
	};
}

/** A `vscode-remote://` URI for an absolute server-side path, each segment percent-encoded. */
export function remoteUri(authority: string, absolutePath: string): string {
	return `vscode-remote://${authority}${absolutePath.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The workbench address that opens `workspace` and carries the development/test payload; the payload is a JSON
 * array of [name, value] pairs, the form the workbench reads when the server runs with --enable-smoke-test-driver.
 */
export function workbenchUrl(
	port: number,
	workspace: string,
	options: {
		readonly extensionDevelopmentPath: string;
		readonly extensionTestsPath: string;
		readonly shouldDisableOtherExtensions: boolean;
	},
): string {
	const authority = `127.0.0.1:${port}`;
	const payload: [string, string][] = [
		['extensionDevelopmentPath', remoteUri(authority, options.extensionDevelopmentPath)],
		['extensionTestsPath', remoteUri(authority, options.extensionTestsPath)],
		['skipWelcome', 'true'],
	];
	// VS Code's --disable-extensions: only the extension under development runs.
	if (options.shouldDisableOtherExtensions) payload.push(['disableExtensions', 'true']);
	const query = `folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
	return `http://${authority}/?${query}`;
}
