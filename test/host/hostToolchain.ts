import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The cached tools one host run needs, as setup.sh recorded them in toolchain.json (absolute paths). */
export interface HostToolchain {
	readonly node: string;
	readonly nodeVersion: string;
	readonly codeServerVersion: string;
	readonly vscodeVersion: string;
	readonly serverMain: string;
	readonly chromium: string;
}

/** Either the toolchain, every file of it present, or why it cannot be used and what to run. */
export type HostToolchainResult = { ok: true; toolchain: HostToolchain } | { ok: false; reason: string };

/** Pinned tool versions, parsed from test/host/versions.env (KEY=value lines), the file setup.sh sources too. */
export function readPinnedVersions(): { codeServerVersion: string; nodeMajor: string } {
	const text = readFileSync(join(__dirname, 'versions.env'), 'utf8');
	const values = new Map<string, string>();
	for (const line of text.split('\n')) {
		const match = /^([A-Z_]+)=(\S+)\s*$/.exec(line);
		if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], match[2]);
	}
	const codeServerVersion = values.get('CODE_SERVER_VERSION');
	const nodeMajor = values.get('NODE_MAJOR');
	if (codeServerVersion === undefined || nodeMajor === undefined)
		throw new Error(`${join(__dirname, 'versions.env')} must set CODE_SERVER_VERSION and NODE_MAJOR`);
	return { codeServerVersion, nodeMajor };
}

/** The version-keyed cache folder setup.sh installs into; outside the repository, never committed. */
export function hostCacheDir(env: NodeJS.ProcessEnv = process.env): string {
	const { codeServerVersion, nodeMajor } = readPinnedVersions();
	const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
	const root = env['CONTEXT_LENS_HOST_CACHE'] ?? join(homedir(), '.cache', 'context-lens-host');
	return join(root, `code-server-${codeServerVersion}-node${nodeMajor}-linux-${arch}`);
}

/** Loads the toolchain manifest and checks that each recorded executable and file still exists. */
export function readHostToolchain(env: NodeJS.ProcessEnv = process.env): HostToolchainResult {
	const manifestPath = join(hostCacheDir(env), 'toolchain.json');
	const runSetup = 'run `bash test/host/setup.sh` first';
	if (!existsSync(manifestPath))
		return { ok: false, reason: `no host toolchain at ${manifestPath}; ${runSetup}` };
	let parsed: unknown;
	try {
		parsed = JSON.parse(readFileSync(manifestPath, 'utf8'));
	} catch (error) {
		return { ok: false, reason: `${manifestPath} is not valid JSON (${String(error)}); ${runSetup}` };
	}
	const toolchain = parsed as Partial<Record<keyof HostToolchain, unknown>>;
	const keys: (keyof HostToolchain)[] = [
		'node',
		'nodeVersion',
		'codeServerVersion',
		'vscodeVersion',
		'serverMain',
		'chromium',
	];
	for (const key of keys) {
		if (typeof toolchain[key] !== 'string')
			return { ok: false, reason: `${manifestPath} lacks "${key}"; ${runSetup}` };
	}
	const complete = toolchain as HostToolchain;
	const chromium = env['CHROMIUM'] ?? complete.chromium;
	for (const file of [complete.node, complete.serverMain, chromium]) {
		if (!existsSync(file)) return { ok: false, reason: `${file} is missing; ${runSetup}` };
	}
	return { ok: true, toolchain: { ...complete, chromium } };
}
