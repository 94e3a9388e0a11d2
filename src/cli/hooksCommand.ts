import { spawn } from 'node:child_process';
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
import { defaultMaxWaitSeconds, runCompactHook } from '../core/hooks/gateRun';
import { contextLensHome, launcherPath, launcherTarget, writeLauncher } from '../core/hooks/hookPaths';
import {
	HookSettingsError,
	installedCommands,
	installHooks,
	uninstallHooks,
	type HookCommandSpec,
} from '../core/hooks/hookSettings';
import { editSettingsFile, readSettingsFile } from '../core/hooks/settingsFile';
import { parseStamp, settleArguments, settleRecord, type SettleRequest } from '../core/hooks/settleRecord';
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
	if (verb === 'gate' || verb === 'record') return runHook(values.agent, values['max-wait'], home, io, deps);
	if (verb === 'settle') return runSettle(values, home, io);
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

/** The hook itself: never fails the agent (exit 0 unless it holds the compaction with its reply). */
async function runHook(
	agentName: string | undefined,
	maxWait: string | undefined,
	home: string,
	io: CliIo,
	deps: HooksDeps,
): Promise<number> {
	const note = (line: string): void => io.err(line);
	if (!isHookAgent(agentName)) {
		note(
			`Context Lens: the hook names no known agent (--agent ${hookAgents.join('|')}); the compaction runs as usual.`,
		);
		return ExitCode.ok;
	}
	const seconds = maxWait === undefined ? defaultMaxWaitSeconds : Number(maxWait);
	const maxWaitMs = (Number.isFinite(seconds) && seconds > 0 ? seconds : defaultMaxWaitSeconds) * 1000;
	try {
		const input = await (deps.readStdin ?? readAllStdin)();
		const reply = await runCompactHook(agentName, input, {
			home,
			maxWaitMs,
			note,
			settleLater: deps.settleLater ?? settleInBackground,
		});
		if (reply.stdout !== '') io.out(reply.stdout);
		return reply.exitCode;
	} catch (error) {
		note(
			`Context Lens: the hook failed (${error instanceof Error ? error.message : String(error)}); the compaction runs as usual.`,
		);
		return ExitCode.ok;
	}
}

/**
 * Starts `hooks settle` detached from the agent (which writes the compacted session only once its hooks returned), so
 * the hook itself returns at once.
 */
function settleInBackground(request: SettleRequest): void {
	spawn(process.execPath, [ownScript(), 'hooks', ...settleArguments(request)], {
		detached: true,
		stdio: 'ignore',
	}).unref();
}

/** `hooks settle`: finishes a compaction's record once the agent wrote the session (see settleRecord). */
async function runSettle(
	values: { agent?: string; session?: string; transcript?: string; trigger?: string; since?: string },
	home: string,
	io: CliIo,
): Promise<number> {
	const since = parseStamp(values.since);
	const { agent, session, transcript, trigger } = values;
	if (!isHookAgent(agent) || session === undefined || transcript === undefined || since === undefined)
		throw new UsageError('settle needs --agent, --session, --transcript, --trigger and --since SIZE:MTIME.');
	if (trigger !== 'manual' && trigger !== 'auto') throw new UsageError('--trigger is manual or auto.');
	await settleRecord(home, { agent, sessionId: session, transcriptPath: transcript, trigger, since });
	io.out(`Recorded the compaction of ${session}.`);
	return ExitCode.ok;
}

/** Longest the hook waits for the agent's event on stdin, in ms. */
const stdinTimeoutMs = 10_000;

function readAllStdin(): Promise<string> {
	return new Promise((resolveRead, reject) => {
		if (process.stdin.isTTY) {
			reject(new Error("the hook reads the agent's event on stdin; it is run by the agent, not by hand"));
			return;
		}
		const chunks: Buffer[] = [];
		const timer = setTimeout(() => reject(new Error('no event arrived on stdin')), stdinTimeoutMs);
		process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
		process.stdin.on('end', () => {
			clearTimeout(timer);
			resolveRead(Buffer.concat(chunks).toString('utf8'));
		});
		process.stdin.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
	});
}
