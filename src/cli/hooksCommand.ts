import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
	agentLabel,
	hookAgents,
	hookSettingsFile,
	isHookAgent,
	processEnvironment,
	type HookAgent,
	type HookEnvironment,
	type HookScope,
} from '../core/hooks/agents';
import { contextLensHome, launcherPath, launcherTarget, writeLauncher } from '../core/hooks/hookPaths';
import {
	HookSettingsError,
	installedCommands,
	installHooks,
	uninstallHooks,
	type HookCommandSpec,
} from '../core/hooks/hookSettings';
import { editSettingsFile, readSettingsFile } from '../core/hooks/settingsFile';
import type { SettleRequest } from '../core/hooks/settleRecord';
import { measureTranscript } from '../core/hooks/measureTranscript';
import { hookVerbs, runHookVerb } from './hookRunner';
import { ExitCode, UsageError, type CliIo } from './cliIo';

/** What `hooks` takes from outside; tests pass their own. */
export interface HooksDeps {
	readonly environment?: HookEnvironment;
	/** The Context Lens CLI the launcher runs (default: this script). */
	readonly cliPath?: string;
	/** The Node executable the hook commands start (default: the one running this). */
	readonly nodePath?: string;
	/** The agent's event (default: all of stdin). */
	readonly readStdin?: () => Promise<string>;
	/** Starts the process that finishes a record after a compaction (default: a detached `hooks settle`). */
	readonly settleLater?: (request: SettleRequest) => void;
}

const options = {
	settings: { type: 'string' },
	project: { type: 'string' },
	agent: { type: 'string' },
	'max-wait': { type: 'string' },
	node: { type: 'string' },
	cli: { type: 'string' },
	session: { type: 'string' },
	transcript: { type: 'string' },
	trigger: { type: 'string' },
	since: { type: 'string' },
} as const;

/**
 * `context-lens hooks install|uninstall|status <agent>` edits the agent's hook settings; `hooks gate|record` is what
 * the installed hooks run (docs/hooks.md).
 */
export async function runHooks(args: readonly string[], io: CliIo, deps: HooksDeps = {}): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message : String(error));
	}
	const [verb, agentName, ...extra] = parsed.positionals;
	const { values } = parsed;
	const environment = deps.environment ?? processEnvironment();
	const home = contextLensHome(environment);
	if (hookVerbs.has(verb ?? ''))
		return runHookVerb(verb ?? '', values, io, {
			home,
			measure: async (path) => {
				const measured = await measureTranscript(path);
				return measured.ok ? measured.figures : undefined;
			},
			...(deps.readStdin !== undefined ? { readStdin: deps.readStdin } : {}),
			...(deps.settleLater !== undefined ? { settleLater: deps.settleLater } : {}),
		});
	if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ''}'.`);
	if (values.settings !== undefined && values.project !== undefined)
		throw new UsageError('give --settings FILE or --project DIR, not both.');
	const fileFor = (agent: HookAgent): string =>
		values.settings !== undefined
			? resolve(values.settings)
			: hookSettingsFile(agent, scopeOf(values.project), environment);
	try {
		switch (verb) {
			case 'install': {
				const agent = agentOf(agentName);
				const cli = values.cli ?? deps.cliPath ?? ownScript();
				return await install(
					agent,
					fileFor(agent),
					home,
					{
						node: values.node ?? deps.nodePath ?? process.execPath,
						cli: resolve(cli),
					},
					io,
				);
			}
			case 'uninstall': {
				const agent = agentOf(agentName);
				const outcome = await editSettingsFile(fileFor(agent), (root) =>
					uninstallHooks(root, fileFor(agent)),
				);
				io.out(
					outcome.changed
						? `Removed the Context Lens compaction hooks for ${agentLabel(agent)} from ${outcome.file} (the previous file is kept as ${outcome.backup ?? 'nothing'}).`
						: `${outcome.file} holds no Context Lens hooks for ${agentLabel(agent)}; nothing was changed.`,
				);
				return ExitCode.ok;
			}
			case 'status':
				return await status(agentName === undefined ? hookAgents : [agentOf(agentName)], fileFor, home, io);
			default:
				throw new UsageError(
					verb === undefined
						? 'hooks needs a command: install, uninstall or status.'
						: `unknown hooks command '${verb}'.`,
				);
		}
	} catch (error) {
		if (!(error instanceof HookSettingsError)) throw error;
		io.err(`context-lens: ${error.message}`);
		return ExitCode.badInput;
	}
}

function scopeOf(project: string | undefined): HookScope {
	return project === undefined ? { kind: 'user' } : { kind: 'project', folder: resolve(project) };
}

function agentOf(name: string | undefined): HookAgent {
	if (isHookAgent(name)) return name;
	throw new UsageError(
		name === undefined
			? `name the agent: ${hookAgents.join(' or ')}.`
			: `unknown agent '${name}'; use ${hookAgents.join(' or ')}.`,
	);
}

/** This CLI's own file, links resolved (an npm bin link points into the package). */
function ownScript(): string {
	const script = process.argv[1];
	if (script === undefined) throw new UsageError('cannot tell where this CLI is; pass --cli PATH.');
	return realpathSync(script);
}

async function install(
	agent: HookAgent,
	file: string,
	home: string,
	paths: { node: string; cli: string },
	io: CliIo,
): Promise<number> {
	const wrote = await writeLauncher(home, paths.cli);
	const spec: HookCommandSpec = { node: paths.node, launcher: launcherPath(home) };
	const outcome = await editSettingsFile(file, (root) => installHooks(root, file, spec, agent));
	io.out(
		outcome.changed
			? `Installed the Context Lens compaction hooks for ${agentLabel(agent)} in ${outcome.file}${outcome.backup !== undefined ? ` (the previous file is kept as ${outcome.backup})` : ''}.`
			: `The Context Lens compaction hooks for ${agentLabel(agent)} are already in ${outcome.file}; nothing was changed.`,
	);
	if (wrote) io.out(`The hooks run ${paths.cli} through ${launcherPath(home)}.`);
	if (agent === 'codex')
		io.out(
			'Codex runs a new hook only once you trust it: open Codex, review the two Context Lens hooks in /hooks and trust them.',
		);
	return ExitCode.ok;
}

async function status(
	agents: readonly HookAgent[],
	fileFor: (agent: HookAgent) => string,
	home: string,
	io: CliIo,
): Promise<number> {
	for (const agent of agents) {
		const file = fileFor(agent);
		const found = installedCommands((await readSettingsFile(file)).root, file);
		const events = Object.keys(found);
		io.out(
			events.length === 0
				? `${agentLabel(agent)}: no Context Lens hooks in ${file}.`
				: `${agentLabel(agent)}: hooks on ${events.join(' and ')} in ${file}.`,
		);
	}
	const target = await launcherTarget(home);
	io.out(
		target === undefined
			? `No launcher at ${launcherPath(home)}.`
			: `The launcher ${launcherPath(home)} runs ${target}.`,
	);
	return ExitCode.ok;
}
