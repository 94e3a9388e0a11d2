import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HookAgent, HookEnvironment } from './agents';
import { replaceFileAtomic } from '../io/atomicReplace';

/** The file name of the launcher every installed hook runs; it also identifies our entries in the agents' settings. */
export const launcherFileName = 'context-lens-hook.cjs';

/**
 * Context Lens's own per-person folder for the hooks: the launcher the installed hooks run, the running windows'
 * gate channels (`gates/`) and the compaction records (`compactions/`). `$CONTEXT_LENS_HOME`, else
 * `%LOCALAPPDATA%\context-lens` on Windows, else `~/.context-lens`. Created readable by its owner only (0700).
 */
export function contextLensHome(environment: HookEnvironment, platform = process.platform): string {
	const set = environment.env['CONTEXT_LENS_HOME'];
	if (set !== undefined && set.trim() !== '') return set;
	const local = environment.env['LOCALAPPDATA'];
	if (platform === 'win32' && local !== undefined && local !== '') return join(local, 'context-lens');
	return join(environment.home, '.context-lens');
}

/** The launcher every installed hook command runs (its path never changes across Context Lens versions). */
export function launcherPath(home: string): string {
	return join(home, launcherFileName);
}

/** The folder where each running VS Code window announces its gate channel. */
export function gatesDir(home: string): string {
	return join(home, 'gates');
}

/** Where the records of one session's compactions are kept. */
export function compactionLogPath(home: string, agent: HookAgent, sessionId: string): string {
	const safe = sessionId
		.replace(/[^A-Za-z0-9_.-]/g, '_')
		.replace(/^\.+/, '_')
		.slice(0, 120);
	return join(home, 'compactions', agent, `${safe}.json`);
}

/**
 * The local channel a window listens on: a Unix socket in the 0700 gates folder, or on Windows a named pipe whose
 * name is derived from the home folder (pipes live in their own namespace; the per-user folder keeps the announcement).
 */
export function gateSocketPath(home: string, id: string, platform = process.platform): string {
	if (platform === 'win32') {
		const key = createHash('sha256').update(home).digest('hex').slice(0, 16);
		return `\\\\.\\pipe\\context-lens-gate-${key}-${id}`;
	}
	return join(gatesDir(home), `${id}.sock`);
}

/** Creates a folder (and its parents) and narrows it to its owner (0700). */
export async function ensurePrivateDir(dir: string): Promise<void> {
	await mkdir(dir, { recursive: true, mode: 0o700 });
	if (process.platform !== 'win32') await chmod(dir, 0o700);
}

/** The launcher's text: it runs `node <cli> hooks <args>`, and lets the compaction run when the CLI is gone. */
export function launcherText(cliPath: string): string {
	return `#!/usr/bin/env node
// Written by Context Lens (docs/hooks.md): the agents' compaction hooks run this file. It runs the Context Lens
// command-line tool below; Context Lens rewrites this path when its hooks are installed again or the extension
// starts, so the hook commands in the agents' settings never change across versions.
'use strict';
const cli = ${JSON.stringify(cliPath)};
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
if (!existsSync(cli)) {
	process.stderr.write('Context Lens: ' + cli + ' is gone, so the compaction runs as usual. Install Context Lens again, or remove its hooks with "context-lens hooks uninstall".\\n');
	process.exit(0);
}
const run = spawnSync(process.execPath, [cli, 'hooks', ...process.argv.slice(2)], { stdio: 'inherit' });
// Exit 2 would make Claude Code block the compaction: any failure of the tool lets it run instead.
process.exit(run.status === 0 || run.status === null ? 0 : 1);
`;
}

/** The CLI path a launcher runs, or undefined when there is no launcher (or it is not one of ours). */
export async function launcherTarget(home: string): Promise<string | undefined> {
	try {
		const text = await readFile(launcherPath(home), 'utf8');
		const match = /^const cli = (".*");$/m.exec(text);
		return match?.[1] !== undefined ? (JSON.parse(match[1]) as string) : undefined;
	} catch {
		return undefined;
	}
}

/** Writes the launcher for `cliPath` (atomically), unless it already runs that path; true when it wrote. */
export async function writeLauncher(home: string, cliPath: string): Promise<boolean> {
	if ((await launcherTarget(home)) === cliPath) return false;
	await ensurePrivateDir(home);
	const path = launcherPath(home);
	await replaceFileAtomic(path, launcherText(cliPath), 0o755);
	return true;
}
