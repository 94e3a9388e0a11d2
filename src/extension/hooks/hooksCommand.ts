import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import {
	agentLabel,
	hookAgents,
	hookSettingsFile,
	processEnvironment,
	type HookAgent,
	type HookScope,
} from '../../core/hooks/agents';
import { launcherPath, writeLauncher } from '../../core/hooks/hookPaths';
import { HookSettingsError, installHooks, uninstallHooks } from '../../core/hooks/hookSettings';
import { editSettingsFile, type SettingsFileOutcome } from '../../core/hooks/settingsFile';
import { UserFacingError } from '../commands/guard';
import type { CompactionGate } from './compactionGate';

/** Arguments that skip the pickers (host tests): `scope` is 'user' or a folder; `settings` names the file itself. */
export interface HooksCommandArguments {
	readonly action?: 'install' | 'uninstall';
	readonly agent?: HookAgent;
	readonly scope?: string;
	readonly settings?: string;
	/** The Node executable the hook command starts (default: `node` on PATH). */
	readonly node?: string;
}

/**
 * `contextLens.manageHooks`: installs or removes the agents' compaction hooks (docs/hooks.md), picking the action, the
 * agent and whose settings (the person's, or a workspace folder's). Returns what was done (a test hook).
 */
export async function manageHooksCommand(
	gate: CompactionGate,
	arg: unknown,
): Promise<SettingsFileOutcome | undefined> {
	const given = (typeof arg === 'object' && arg !== null ? arg : {}) as HooksCommandArguments;
	const action = given.action ?? (await pickAction());
	if (action === undefined) return undefined;
	const agent = given.agent ?? (await pickAgent());
	if (agent === undefined) return undefined;
	const file = given.settings ?? (await pickFile(agent, given.scope));
	if (file === undefined) return undefined;
	try {
		if (action === 'uninstall') {
			const outcome = await editSettingsFile(file, (root) => uninstallHooks(root, file));
			void vscode.window.showInformationMessage(
				outcome.changed
					? vscode.l10n.t(
							'Removed the Context Lens compaction hooks for {0} from {1}.',
							agentLabel(agent),
							file,
						)
					: vscode.l10n.t('{0} holds no Context Lens hooks for {1}.', file, agentLabel(agent)),
			);
			return outcome;
		}
		const node = given.node ?? findNode();
		await writeLauncher(gate.home, gate.cliPath);
		const spec = { node, launcher: launcherPath(gate.home) };
		const outcome = await editSettingsFile(file, (root) => installHooks(root, file, spec, agent));
		await gate.start();
		void showInstalled(agent, outcome);
		return outcome;
	} catch (error) {
		if (error instanceof HookSettingsError) throw new UserFacingError(error.message);
		throw error;
	}
}

async function showInstalled(agent: HookAgent, outcome: SettingsFileOutcome): Promise<void> {
	const open = vscode.l10n.t('Open the File');
	const text = outcome.changed
		? vscode.l10n.t(
				'{0} now asks Context Lens before it compacts on its own ({1}).',
				agentLabel(agent),
				outcome.file,
			)
		: vscode.l10n.t('The Context Lens hooks for {0} are already in {1}.', agentLabel(agent), outcome.file);
	const trust =
		agent === 'codex' ? ` ${vscode.l10n.t('Codex runs them once you trust them in its /hooks view.')}` : '';
	const choice = await vscode.window.showInformationMessage(text + trust, open);
	if (choice === open) await vscode.window.showTextDocument(vscode.Uri.file(outcome.file));
}

async function pickAction(): Promise<'install' | 'uninstall' | undefined> {
	const picked = await vscode.window.showQuickPick(
		[
			{
				label: vscode.l10n.t('Install'),
				detail: vscode.l10n.t(
					'Before the agent compacts on its own, ask here: review it in Context Lens, or let it compact.',
				),
				action: 'install' as const,
			},
			{
				label: vscode.l10n.t('Uninstall'),
				detail: vscode.l10n.t('Remove the Context Lens hooks.'),
				action: 'uninstall' as const,
			},
		],
		{ title: vscode.l10n.t('Agent compaction hooks') },
	);
	return picked?.action;
}

async function pickAgent(): Promise<HookAgent | undefined> {
	const picked = await vscode.window.showQuickPick(
		hookAgents.map((agent) => ({ label: agentLabel(agent), agent })),
		{ title: vscode.l10n.t('Which agent?') },
	);
	return picked?.agent;
}

async function pickFile(agent: HookAgent, scope: string | undefined): Promise<string | undefined> {
	const environment = processEnvironment();
	const fileOf = (s: HookScope): string => hookSettingsFile(agent, s, environment);
	if (scope !== undefined)
		return fileOf(scope === 'user' ? { kind: 'user' } : { kind: 'project', folder: scope });
	const items = [
		{ label: vscode.l10n.t('Your settings'), detail: fileOf({ kind: 'user' }) },
		...(vscode.workspace.workspaceFolders ?? [])
			.filter((f) => f.uri.scheme === 'file')
			.map((f) => ({
				label: vscode.l10n.t('Workspace folder {0}', f.name),
				detail: fileOf({ kind: 'project', folder: f.uri.fsPath }),
			})),
	];
	const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Whose settings?') });
	return picked?.detail;
}

/** `node` on PATH: the hook commands start the launcher with it (the agents do not ship one that hooks may use). */
function findNode(): string {
	const names = process.platform === 'win32' ? ['node.exe'] : ['node'];
	for (const dir of (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== ''))
		for (const name of names) {
			const candidate = join(dir, name);
			if (existsSync(candidate)) return candidate;
		}
	throw new UserFacingError(
		vscode.l10n.t('The hooks need Node.js on your PATH to run; install Node.js 20 or later and try again.'),
	);
}
