import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { formatWindowPercent } from '../../core/budget/formatFigures';
import { agentLabel, processEnvironment } from '../../core/hooks/agents';
import {
	GateServer,
	type GateAnswer,
	type GateRequest,
	type WindowFigures,
} from '../../core/hooks/gateChannel';
import { contextLensHome, launcherTarget, writeLauncher } from '../../core/hooks/hookPaths';
import type { ExtensionServices } from '../commands/extensionServices';
import { GatePrompts } from './gatePrompts';

/** The `contextLens.hooks.*` settings, validated. */
export interface HookSettings {
	/** How long the question waits for an answer before the compaction runs, in ms. */
	readonly answerTimeoutMs: number;
	/** Ask before a compaction the person started (/compact) too. */
	readonly gateManual: boolean;
}

/** Default and bounds of `contextLens.hooks.answerTimeoutSeconds` (the hook itself waits 110 s at most). */
export const answerTimeoutSeconds = { default: 60, min: 5, max: 100 } as const;

export function readHookSettings(): HookSettings {
	const config = vscode.workspace.getConfiguration('contextLens.hooks');
	const seconds = config.get<unknown>('answerTimeoutSeconds');
	const valid =
		typeof seconds === 'number' && Number.isFinite(seconds)
			? Math.min(answerTimeoutSeconds.max, Math.max(answerTimeoutSeconds.min, seconds))
			: answerTimeoutSeconds.default;
	return { answerTimeoutMs: valid * 1000, gateManual: config.get<unknown>('gateManualCompaction') === true };
}

/** Something the gate did, for the output channel and the host tests. */
export interface GateEvent {
	readonly request: GateRequest;
	readonly answer: GateAnswer;
}

/**
 * This window's end of the compaction gate (docs/hooks.md): while the agents' hooks are installed (the launcher
 * exists), listens on a per-user local channel, asks the person before an agent compacts, and opens the review when
 * they choose it. Keeps the launcher pointed at this extension's CLI, so installed hooks survive updates.
 */
export class CompactionGate implements vscode.Disposable {
	readonly prompts = new GatePrompts();
	readonly events: GateEvent[] = [];
	readonly home = contextLensHome(processEnvironment());
	private server: GateServer | undefined;
	private starting: Promise<void> | undefined;
	private readonly subscriptions: vscode.Disposable[] = [];

	constructor(private readonly services: ExtensionServices) {
		this.subscriptions.push(
			vscode.workspace.onDidChangeWorkspaceFolders(() => void this.server?.setFolders(folders())),
			vscode.window.onDidChangeWindowState((state) => {
				if (state.focused) void this.server?.focused().catch(() => undefined);
			}),
		);
	}

	/** The hook program this extension ships (dist/hook.js, see src/cli/hookMain.ts), which the launcher runs. */
	get cliPath(): string {
		return vscode.Uri.joinPath(this.services.context.extensionUri, 'dist', 'hook.js').fsPath;
	}

	/** The channel this window listens on, when it does. */
	get socket(): string | undefined {
		return this.server?.socket;
	}

	/** Starts listening when hooks are installed (a launcher exists), pointing the launcher here first. */
	async startIfInstalled(): Promise<void> {
		if ((await launcherTarget(this.home)) === undefined) return;
		await this.start();
	}

	/** Points the launcher at this extension's CLI and listens (once). */
	start(): Promise<void> {
		this.starting ??= this.listen().catch((error: unknown) => {
			this.starting = undefined;
			this.services.log.warn(
				`compaction gate: cannot listen (${String(error)}); agents compact without asking`,
			);
		});
		return this.starting;
	}

	private async listen(): Promise<void> {
		if (existsSync(this.cliPath) && (await writeLauncher(this.home, this.cliPath)))
			this.services.log.info(`compaction hooks now run ${this.cliPath}`);
		this.server = await GateServer.start(
			this.home,
			folders(),
			{ precompact: (request) => this.answer(request), measure: (path) => this.measure(path) },
			(message) => this.services.log.warn(message),
		);
		this.services.log.info(`compaction gate listening on ${this.server.socket}`);
	}

	/** Our measure of a transcript, with the person's window settings (read and counted in the analysis worker). */
	private async measure(path: string): Promise<WindowFigures | undefined> {
		const measured = await this.services.analysis
			.call('file.measure', { path, windows: this.services.settings().contextWindows })
			.catch(() => undefined);
		if (measured?.ok !== true) return undefined;
		const { tokens, contextWindow, percentUsed } = measured.report;
		return { tokens: tokens.total, contextWindow, percent: percentUsed };
	}

	private async answer(request: GateRequest): Promise<GateAnswer> {
		const settings = readHookSettings();
		const measured =
			request.transcriptPath !== undefined ? await this.measure(request.transcriptPath) : undefined;
		const figures = measured !== undefined ? { figures: measured } : {};
		const reply = (answer: GateAnswer): GateAnswer => {
			this.events.push({ request, answer });
			this.services.log.info(
				`${agentLabel(request.agent)} compaction of ${request.sessionId} (${request.trigger}): ${answer.decision} (${answer.by})`,
			);
			return answer;
		};
		if (request.trigger === 'manual' && !settings.gateManual)
			return reply({ decision: 'compact', by: 'manual', ...figures });
		const path = request.transcriptPath;
		if (path === undefined) return reply({ decision: 'compact', by: 'dismissed', ...figures });
		const result = await this.prompts.ask(
			this.message(request, measured?.percent),
			settings.answerTimeoutMs,
			vscode.l10n.t('Too late: {0} has compacted the session already.', agentLabel(request.agent)),
		);
		if (result !== 'review')
			return reply({ decision: 'compact', by: result === 'compact' ? 'person' : result, ...figures });
		void vscode.commands.executeCommand('contextLens.compress', { file: path });
		return reply({ decision: 'review', by: 'person', ...figures });
	}

	private message(request: GateRequest, percent: number | undefined): string {
		const session = `${request.sessionId.slice(0, 8)}${request.cwd !== undefined ? ` (${basename(request.cwd)})` : ''}`;
		return percent === undefined
			? vscode.l10n.t('{0} is about to compact session {1}.', agentLabel(request.agent), session)
			: vscode.l10n.t(
					'{0} is about to compact session {1} at {2}.',
					agentLabel(request.agent),
					session,
					formatWindowPercent(percent),
				);
	}

	dispose(): void {
		for (const subscription of this.subscriptions) subscription.dispose();
		void this.server?.close();
		this.server = undefined;
	}
}

function folders(): string[] {
	return (vscode.workspace.workspaceFolders ?? [])
		.filter((f) => f.uri.scheme === 'file')
		.map((f) => f.uri.fsPath);
}
