import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import {
	defaultHeadMessages,
	defaultRotationRatio,
	defaultStrategy,
	defaultTailRatio,
	defaultTriggerRatio,
} from '../../core/compaction/options';
import { isStrategyName, type StrategyName } from '../../core/compaction/strategies';
import {
	defaultProviderConnectTimeoutMs,
	defaultProviderTimeoutMs,
} from '../../core/summarize/providers/providerHttp';
import {
	defaultSessionRoots,
	expandHome,
	sessionTools,
	type SessionRoots,
} from '../sessions/sessionLocations';

/** Who writes compaction summaries. */
export type SummarizerProvider = 'offline' | 'vscode-lm' | 'openai' | 'anthropic';

/** What happens when a live session crosses the compaction threshold. */
export type AutoCompactionMode = 'off' | 'notify' | 'openReview';

/** Every `contextLens.*` setting, validated: ratios in (0, 1], counts >= 0, unknown names replaced by defaults. */
export interface ExtensionSettings {
	readonly compactionRatio: number;
	readonly rotationRatio: number;
	readonly headMessages: number;
	readonly tailRatio: number;
	readonly defaultStrategy: StrategyName;
	readonly summarizerProvider: SummarizerProvider;
	readonly summarizerModel: string;
	readonly summarizerBaseUrl: string;
	/** Whole-request limit for a summary request, in milliseconds. */
	readonly summarizerTimeoutMs: number;
	/** Limit until the summary endpoint answers at all, in milliseconds. */
	readonly summarizerConnectTimeoutMs: number;
	readonly sessionRoots: SessionRoots;
	/** Window in tokens per model id pattern. */
	readonly contextWindows: Readonly<Record<string, number>>;
	readonly autoCompactionMode: AutoCompactionMode;
}

/** The section every setting lives under. */
export const settingsSection = 'contextLens';

function ratio(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 1 ? value : fallback;
}

/** A positive number of seconds as milliseconds, else the fallback (already in milliseconds). */
function seconds(value: unknown, fallbackMs: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value * 1000 : fallbackMs;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
	return typeof value === 'string' && (allowed as readonly string[]).includes(value)
		? (value as T)
		: fallback;
}

/** VS Code's workspaceStorage folder, derived from this extension's global storage (`<User>/globalStorage/<id>`). */
export function workspaceStorageRoot(context: vscode.ExtensionContext): string {
	return join(dirname(dirname(context.globalStorageUri.fsPath)), 'workspaceStorage');
}

/** Reads and validates the settings. */
export function readSettings(context: vscode.ExtensionContext): ExtensionSettings {
	const config = vscode.workspace.getConfiguration(settingsSection);
	const compactionRatio = ratio(config.get('thresholds.compaction'), defaultTriggerRatio);
	const rotationRatio = Math.max(
		compactionRatio,
		ratio(config.get('thresholds.rotation'), defaultRotationRatio),
	);
	const head = config.get<unknown>('compaction.headMessages');
	const strategy = config.get<unknown>('compaction.defaultStrategy');
	const home = homedir();
	const defaults = defaultSessionRoots(home, process.env['CODEX_HOME'], workspaceStorageRoot(context));
	const configured = config.get<Record<string, unknown>>('sessions.roots') ?? {};
	const roots = Object.fromEntries(
		sessionTools.map((tool) => {
			const value = configured[tool];
			return [
				tool,
				typeof value === 'string' && value.trim() !== '' ? expandHome(value.trim(), home) : defaults[tool],
			];
		}),
	) as unknown as SessionRoots;
	const windows = Object.fromEntries(
		Object.entries(config.get<Record<string, unknown>>('models.contextWindows') ?? {}).filter(
			(entry): entry is [string, number] =>
				typeof entry[1] === 'number' && Number.isInteger(entry[1]) && entry[1] > 0,
		),
	);
	return {
		compactionRatio,
		rotationRatio,
		headMessages:
			typeof head === 'number' && Number.isInteger(head) && head >= 0 ? head : defaultHeadMessages,
		tailRatio: ratio(config.get('compaction.tailRatio'), defaultTailRatio),
		defaultStrategy: typeof strategy === 'string' && isStrategyName(strategy) ? strategy : defaultStrategy,
		summarizerProvider: oneOf(
			config.get('summarizer.provider'),
			['offline', 'vscode-lm', 'openai', 'anthropic'],
			'offline',
		),
		summarizerModel: String(config.get('summarizer.model') ?? ''),
		summarizerBaseUrl: String(config.get('summarizer.baseUrl') ?? ''),
		summarizerTimeoutMs: seconds(config.get('summarizer.timeoutSeconds'), defaultProviderTimeoutMs),
		summarizerConnectTimeoutMs: seconds(
			config.get('summarizer.connectTimeoutSeconds'),
			defaultProviderConnectTimeoutMs,
		),
		sessionRoots: roots,
		contextWindows: windows,
		autoCompactionMode: oneOf(config.get('autoCompaction.mode'), ['off', 'notify', 'openReview'], 'notify'),
	};
}
