import * as vscode from 'vscode';
import { providerKeySecretIds } from '../adapters/lmSummarizer';
import { settingsSection, type SummarizerProvider } from '../adapters/settings';
import type { ExtensionServices } from './extensionServices';
import { UserFacingError } from './guard';

const providers: readonly { provider: SummarizerProvider; label: string; detail: string }[] = [
	{ provider: 'offline', label: 'Offline', detail: 'Built-in extractive summary; no network, no model.' },
	{
		provider: 'vscode-lm',
		label: 'VS Code language model',
		detail: 'A chat model VS Code makes available (asks for consent).',
	},
	{
		provider: 'openai',
		label: 'OpenAI-compatible',
		detail: 'Chat completions at the configured base URL (OpenAI, Ollama, LM Studio…).',
	},
	{ provider: 'anthropic', label: 'Anthropic', detail: 'The Anthropic Messages API.' },
];

function isProvider(value: unknown): value is SummarizerProvider {
	return providers.some((p) => p.provider === value);
}

/** `contextLens.selectSummarizer`: picks the summariser provider (and model) and stores it in user settings; returns it. */
export async function selectSummarizerCommand(
	services: ExtensionServices,
	arg: unknown,
): Promise<SummarizerProvider | undefined> {
	if (!vscode.workspace.isTrusted)
		throw new UserFacingError(
			vscode.l10n.t('Restricted mode: summarisers are disabled. Trust the workspace first.'),
		);
	let provider: SummarizerProvider | undefined = isProvider(arg) ? arg : undefined;
	if (provider === undefined) {
		const current = services.settings().summarizerProvider;
		const picked = await vscode.window.showQuickPick(
			providers.map((p) => ({
				label: p.label,
				detail: p.detail,
				description: p.provider === current ? vscode.l10n.t('current') : '',
				provider: p.provider,
			})),
			{ title: vscode.l10n.t('Who writes compaction summaries?') },
		);
		provider = picked?.provider;
	}
	if (provider === undefined) return undefined;
	const config = vscode.workspace.getConfiguration(settingsSection);
	await config.update('summarizer.provider', provider, vscode.ConfigurationTarget.Global);
	if (provider === 'vscode-lm' && !isProvider(arg)) {
		const models = await vscode.lm.selectChatModels();
		if (models.length > 0) {
			const model = await vscode.window.showQuickPick(
				models.map((m) => ({
					label: m.name,
					description: `${m.vendor}/${m.family}`,
					detail: vscode.l10n.t('{0} input tokens', m.maxInputTokens),
					value: `${m.vendor}/${m.family}`,
				})),
				{ title: vscode.l10n.t('Which model?') },
			);
			if (model !== undefined)
				await config.update('summarizer.model', model.value, vscode.ConfigurationTarget.Global);
		}
	}
	if ((provider === 'openai' || provider === 'anthropic') && !isProvider(arg)) {
		const set = vscode.l10n.t('Set API Key');
		const choice = await vscode.window.showInformationMessage(
			vscode.l10n.t('Summaries will use {0}. Store its API key now?', provider),
			set,
		);
		if (choice === set) await vscode.commands.executeCommand('contextLens.setApiKey', provider);
	}
	services.log.info(`summariser provider set to ${provider}`);
	return provider;
}

/** `contextLens.setApiKey`: stores a provider's API key in SecretStorage (never in settings); returns the provider. */
export async function setApiKeyCommand(
	services: ExtensionServices,
	providerArg: unknown,
	keyArg: unknown,
): Promise<string | undefined> {
	if (!vscode.workspace.isTrusted)
		throw new UserFacingError(
			vscode.l10n.t('Restricted mode: summarisers are disabled. Trust the workspace first.'),
		);
	let provider: 'openai' | 'anthropic' | undefined =
		providerArg === 'openai' || providerArg === 'anthropic' ? providerArg : undefined;
	if (provider === undefined) {
		const picked = await vscode.window.showQuickPick(
			[
				{ label: 'OpenAI-compatible', provider: 'openai' as const },
				{ label: 'Anthropic', provider: 'anthropic' as const },
			],
			{ title: vscode.l10n.t('API key for which provider?') },
		);
		provider = picked?.provider;
	}
	if (provider === undefined) return undefined;
	const key =
		typeof keyArg === 'string'
			? keyArg
			: await vscode.window.showInputBox({
					title: vscode.l10n.t('{0} API key', provider),
					prompt: vscode.l10n.t('Stored in VS Code secret storage; leave empty to remove the stored key.'),
					password: true,
					ignoreFocusOut: true,
				});
	if (key === undefined) return undefined;
	if (key.trim() === '') {
		await services.context.secrets.delete(providerKeySecretIds[provider]);
		services.log.info(`${provider} API key removed`);
	} else {
		await services.context.secrets.store(providerKeySecretIds[provider], key.trim());
		services.log.info(`${provider} API key stored`);
	}
	return provider;
}
