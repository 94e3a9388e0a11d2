import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The agents whose compaction hooks Context Lens installs. Each runs a command before it compacts (PreCompact,
 * trigger `manual` or `auto`) and after (PostCompact), with the event as JSON on stdin (docs/hooks.md).
 */
export type HookAgent = 'claude-code' | 'codex';

export const hookAgents: readonly HookAgent[] = ['claude-code', 'codex'];

/** The agent's name as people know it. */
export function agentLabel(agent: HookAgent): string {
	return agent === 'claude-code' ? 'Claude Code' : 'Codex';
}

/** True when `value` names an agent (as the CLI and the hook command spell it). */
export function isHookAgent(value: unknown): value is HookAgent {
	return value === 'claude-code' || value === 'codex';
}

/** Which of the agent's configuration files: the person's own, or one project's. */
export type HookScope = { readonly kind: 'user' } | { readonly kind: 'project'; readonly folder: string };

/** The environment the default locations read (tests pass their own). */
export interface HookEnvironment {
	readonly home: string;
	readonly env: Readonly<Record<string, string | undefined>>;
}

/** This process's home folder and environment. */
export function processEnvironment(): HookEnvironment {
	return { home: homedir(), env: process.env };
}

/**
 * The file that holds the agent's hooks for a scope. Claude Code: `settings.json` in `$CLAUDE_CONFIG_DIR` (default
 * `~/.claude`), or a project's `.claude/settings.json`. Codex: `hooks.json` beside its config, in `$CODEX_HOME`
 * (default `~/.codex`), or a project's `.codex/hooks.json`.
 */
export function hookSettingsFile(agent: HookAgent, scope: HookScope, environment: HookEnvironment): string {
	if (agent === 'claude-code') {
		if (scope.kind === 'project') return join(scope.folder, '.claude', 'settings.json');
		const dir = nonEmpty(environment.env['CLAUDE_CONFIG_DIR']) ?? join(environment.home, '.claude');
		return join(dir, 'settings.json');
	}
	if (scope.kind === 'project') return join(scope.folder, '.codex', 'hooks.json');
	const dir = nonEmpty(environment.env['CODEX_HOME']) ?? join(environment.home, '.codex');
	return join(dir, 'hooks.json');
}

function nonEmpty(value: string | undefined): string | undefined {
	return value !== undefined && value.trim() !== '' ? value : undefined;
}
