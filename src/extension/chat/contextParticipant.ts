import {
	describeRecorded,
	formatTokens,
	formatTokensShort,
	formatWindowPercent,
} from '../../core/budget/formatFigures';
import { basename, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { abortSignalFromToken } from '../adapters/lmSummarizer';
import { resolveSummarizer } from '../adapters/summarizers';
import type { ExtensionServices } from '../commands/extensionServices';
import { parseCompressInput } from '../commands/compressInput';
import { percentOfWindow } from '../../core/tokens/measureWindow';
import { helpAnswerCommand, historyToMessages } from './chatHistory';

/** Id of the `@context` chat participant (package.json chatParticipants). */
export const chatParticipantId = 'contextLens.context';

/** Internal command the `/compress` answer's button runs: a fresh chat seeded with the summary (C4). */
export const startFreshChatCommand = 'contextLens.startFreshChat';

/** Result metadata of a `/compress` answer, read by the followup provider. */
interface CompressMetadata {
	readonly command: 'compress';
	readonly summary: string;
}

/** The prompt that seeds a fresh chat with a summary (C4 rotation). */
export function seedPrompt(summary: string): string {
	return `Continue from this summary of an earlier conversation:\n\n${summary}`;
}

async function countHistory(
	model: vscode.LanguageModelChat,
	texts: readonly string[],
	token: vscode.CancellationToken,
): Promise<number> {
	let total = 0;
	for (const text of texts) total += await model.countTokens(text, token);
	return total;
}

async function handleGauge(
	request: vscode.ChatRequest,
	context: vscode.ChatContext,
	stream: vscode.ChatResponseStream,
	token: vscode.CancellationToken,
): Promise<void> {
	const messages = historyToMessages(context.history);
	const model = request.model;
	const tokens = await countHistory(
		model,
		messages.map((m) => (m.parts[0]?.kind === 'text' ? m.parts[0].text : '')),
		token,
	);
	const window = model.maxInputTokens;
	stream.markdown(
		vscode.l10n.t(
			'This conversation with @context holds **{0}** of **{1}** input tokens of {2} (**{3}**, counted by the model over {4} turns).',
			formatTokens(tokens),
			formatTokens(window),
			model.name,
			formatWindowPercent(percentOfWindow(tokens, window)),
			messages.length,
		),
	);
	stream.markdown(
		`\n\n${vscode.l10n.t('No stable API reads the built-in chat’s other sessions; stored Copilot sessions are in the Context Lens Sessions view.')}`,
	);
}

async function handleCompress(
	services: ExtensionServices,
	request: vscode.ChatRequest,
	context: vscode.ChatContext,
	stream: vscode.ChatResponseStream,
	token: vscode.CancellationToken,
): Promise<vscode.ChatResult> {
	const messages = historyToMessages(context.history);
	if (messages.length === 0) {
		stream.markdown(
			vscode.l10n.t('There is nothing to compress yet: this conversation with @context is empty.'),
		);
		return {};
	}
	const { focus } = parseCompressInput(request.prompt);
	const { summarizer, choice, note } = await resolveSummarizer(
		services.settings(),
		services.context.secrets,
		vscode.workspace.isTrusted,
	);
	if (note !== undefined) stream.markdown(`_${note}_\n\n`);
	stream.progress(vscode.l10n.t('Summarising {0} messages with {1}…', messages.length, summarizer.id));
	const abort = abortSignalFromToken(token);
	try {
		// Counted and, unless only this host has the summariser (vscode.lm), summarised in the analysis worker.
		const summarized = await services.analysis.call(
			'messages.summarize',
			{
				messages,
				summarizer: choice ?? { where: 'host', id: summarizer.id },
				...(focus !== undefined ? { focus } : {}),
			},
			{ signal: abort.signal, ...(choice === undefined ? { summarizer } : {}) },
		);
		const { outcome, tokensBefore: before } = summarized;
		if (!outcome.ok) {
			stream.markdown(
				vscode.l10n.t('The summary failed ({0}): {1} Nothing was changed.', outcome.reason, outcome.message),
			);
			return { errorDetails: { message: outcome.message } };
		}
		const after = summarized.tokensAfter ?? 0;
		stream.markdown(
			vscode.l10n.t(
				'Compressed {0} messages from about {1} to {2} tokens{3}:\n\n',
				messages.length,
				formatTokensShort(before),
				formatTokensShort(after),
				focus !== undefined ? vscode.l10n.t(' with the focus "{0}"', focus) : '',
			),
		);
		stream.markdown(`${outcome.text}\n\n`);
		stream.button({
			command: startFreshChatCommand,
			title: vscode.l10n.t('Start a fresh chat with this summary'),
			arguments: [outcome.text],
		});
		const metadata: CompressMetadata = { command: 'compress', summary: outcome.text };
		return { metadata };
	} finally {
		abort.dispose();
	}
}

async function handleInspect(
	services: ExtensionServices,
	request: vscode.ChatRequest,
	stream: vscode.ChatResponseStream,
	token: vscode.CancellationToken,
): Promise<void> {
	const typed = request.prompt.trim().replace(/^(["'])(.*)\1$/, '$2');
	if (typed === '') {
		stream.markdown(vscode.l10n.t('Name a transcript file: `/inspect path/to/session.jsonl`.'));
		return;
	}
	const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
	const path = isAbsolute(typed) || folder === undefined ? typed : join(folder, typed);
	const abort = abortSignalFromToken(token);
	try {
		const measured = await services.analysis.call(
			'file.measure',
			{ path, windows: services.settings().contextWindows },
			{ signal: abort.signal },
		);
		if (!measured.ok) {
			stream.markdown(measured.message);
			return;
		}
		const { report } = measured;
		const lines = [
			`**${basename(path)}** · ${report.format}${report.model !== undefined ? ` · ${report.model}` : ''}`,
			'',
			vscode.l10n.t(
				'{0} of {1} tokens (**{2}**) · {3} · {4} messages in the window',
				formatTokens(report.tokens.total),
				formatTokens(report.contextWindow),
				formatWindowPercent(report.percentUsed),
				report.source === 'exact' ? `exact (${report.encoding})` : `estimated ±${report.sourceErrorPct}%`,
				report.messages,
			),
			...(report.tokens.hidden > 0
				? [
						'',
						vscode.l10n.t(
							'{0} in the file + {1} the file does not show (system prompt, tool definitions, estimated from recorded usage)',
							formatTokens(report.tokens.visible),
							formatTokens(report.tokens.hidden),
						),
					]
				: []),
			...(report.tokens.recorded !== undefined ? ['', describeRecorded(report.tokens.recorded)] : []),
			'',
			...report.largest
				.slice(0, 3)
				.map((m) => `- ${m.label} · ${formatTokensShort(m.tokens)} (line ${m.line})`),
		];
		stream.markdown(lines.join('\n'));
		stream.button({
			command: 'contextLens.openTranscript',
			title: vscode.l10n.t('Open with Context Lens'),
			arguments: [vscode.Uri.file(path)],
		});
	} finally {
		abort.dispose();
	}
}

/** Registers `@context` with `/compress <focus>`, `/gauge` and `/inspect <file>`, and the fresh-chat command. */
export function registerContextParticipant(services: ExtensionServices): vscode.Disposable[] {
	const handler: vscode.ChatRequestHandler = async (request, context, stream, token) => {
		try {
			switch (request.command) {
				case 'compress':
					return await handleCompress(services, request, context, stream, token);
				case 'gauge':
					await handleGauge(request, context, stream, token);
					return {};
				case 'inspect':
					await handleInspect(services, request, stream, token);
					return {};
				default:
					stream.markdown(
						vscode.l10n.t(
							'I measure and compress context. Try `/gauge` (this conversation against the model’s window), `/compress <focus>` (summarise it and start fresh) or `/inspect <file>` (a transcript file).',
						),
					);
					// Marked so a later /compress leaves this canned answer out of what it summarises.
					return { metadata: { command: helpAnswerCommand } };
			}
		} catch (error) {
			services.log.error(
				`@context /${request.command ?? ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
			);
			stream.markdown(
				vscode.l10n.t(
					'Something went wrong ({0}). Open the "Context Lens" output for details and try again.',
					String(error),
				),
			);
			return { errorDetails: { message: String(error) } };
		}
	};
	const participant = vscode.chat.createChatParticipant(chatParticipantId, handler);
	participant.iconPath = vscode.Uri.joinPath(services.context.extensionUri, 'media', 'context-lens.svg');
	participant.followupProvider = {
		provideFollowups(result: vscode.ChatResult): vscode.ChatFollowup[] {
			const metadata = result.metadata as Partial<CompressMetadata> | undefined;
			if (metadata?.command !== 'compress') return [];
			return [{ prompt: '', command: 'gauge', label: vscode.l10n.t('How full is this conversation now?') }];
		},
	};
	const fresh = vscode.commands.registerCommand(startFreshChatCommand, async (summary: unknown) => {
		if (typeof summary !== 'string') return false;
		try {
			await vscode.commands.executeCommand('workbench.action.chat.newChat');
			await vscode.commands.executeCommand('workbench.action.chat.open', {
				query: seedPrompt(summary),
				isPartialQuery: true,
			});
			return true;
		} catch (error) {
			services.log.warn(`fresh chat unavailable: ${String(error)}`);
			await vscode.env.clipboard.writeText(seedPrompt(summary));
			void vscode.window.showInformationMessage(
				vscode.l10n.t('The summary is on the clipboard: paste it into a new chat.'),
			);
			return false;
		}
	});
	return [participant, fresh];
}
