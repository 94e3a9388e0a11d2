// Where test/clients/setup.sh puts the real agent CLIs, for every suite that runs one: the pinned version comes from
// versions.env, the binary from the version-keyed cache folder. A suite asks `clientMissing` first and skips with its
// answer; in CI (CI=true) a missing piece throws instead, so a broken toolchain fails the run rather than hiding.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The real agent CLIs setup.sh installs, by the name of their cache folder. */
export type ClientName = 'codex' | 'claude-code' | 'gemini-cli';

const versionKeys: Record<ClientName, string> = {
	codex: 'CODEX_VERSION',
	'claude-code': 'CLAUDE_CODE_VERSION',
	'gemini-cli': 'GEMINI_CLI_VERSION',
};
const binaryNames: Record<ClientName, string> = {
	codex: 'codex',
	'claude-code': 'claude',
	'gemini-cli': 'gemini',
};

/** The reference scripts (fake model endpoints, run and install scripts), beside the repository. */
export const realClientTools = resolve(__dirname, '..', '..', '..', 'shared', 'tools', 'real-clients');

/** Root of the clients cache: CONTEXT_LENS_CLIENTS_CACHE, else ~/.cache/context-lens-clients. */
export function clientsCacheRoot(): string {
	return process.env['CONTEXT_LENS_CLIENTS_CACHE'] ?? join(homedir(), '.cache', 'context-lens-clients');
}

/** The pinned version of a CLI, read from versions.env. */
export function clientVersion(name: ClientName): string {
	const key = versionKeys[name];
	const version = new RegExp(`^${key}=(\\S+)$`, 'm').exec(
		readFileSync(join(__dirname, 'versions.env'), 'utf8'),
	)?.[1];
	if (version === undefined) throw new Error(`test/clients/versions.env has no ${key}=<version> line`);
	return version;
}

/** Absolute path of a CLI's executable in the cache (it may not exist: see `clientMissing`). */
export function clientBinary(name: ClientName): string {
	return join(
		clientsCacheRoot(),
		`${name}-${clientVersion(name)}`,
		'node_modules',
		'.bin',
		binaryNames[name],
	);
}

/**
 * Why a suite running `name` cannot run here, or undefined when it can: the CLI is not installed, a reference
 * script is absent, or (with `needsNamespace`) the loopback-only network namespace cannot be made without root.
 * In CI the reason is thrown instead of returned.
 */
export function clientMissing(
	name: ClientName,
	options: { readonly scripts?: readonly string[]; readonly needsNamespace?: boolean } = {},
): string | undefined {
	const binary = clientBinary(name);
	const absentScript = (options.scripts ?? []).find((script) => !existsSync(join(realClientTools, script)));
	const why = !existsSync(binary)
		? `${name} ${clientVersion(name)} is not installed at ${binary} (run: bash test/clients/setup.sh)`
		: absentScript !== undefined
			? `${join(realClientTools, absentScript)} is absent`
			: options.needsNamespace === true && process.getuid?.() !== 0
				? 'the loopback-only network namespace (unshare -n) needs root'
				: undefined;
	if (why !== undefined && process.env['CI'] === 'true') throw new Error(`real-client suite: ${why}`);
	return why;
}
