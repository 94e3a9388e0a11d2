import * as vscode from 'vscode';
import { makeFlags, type Message } from '../../core/transcript/model';

/** Text of one response turn: its markdown parts joined (other parts, such as buttons and file trees, are not context). */
export function responseText(turn: vscode.ChatResponseTurn): string {
	return turn.response
		.map((part) => (part instanceof vscode.ChatResponseMarkdownPart ? part.value.value : ''))
		.filter((t) => t !== '')
		.join('\n');
}

/** Text of one request turn as the model saw it: the command (if any) and the prompt. */
export function requestText(turn: vscode.ChatRequestTurn): string {
	return turn.command !== undefined ? `/${turn.command} ${turn.prompt}` : turn.prompt;
}

/** Result metadata `command` of @context's help answer (a request with no command it knows). */
export const helpAnswerCommand = 'help';

function isHelpAnswer(turn: vscode.ChatResponseTurn): boolean {
	const metadata: unknown = turn.result.metadata;
	return (
		typeof metadata === 'object' &&
		metadata !== null &&
		'command' in metadata &&
		metadata.command === helpAnswerCommand
	);
}

/**
 * The participant's conversation history as transcript messages (user prompts and assistant responses, in order), so
 * core's summarisers can read it. Ids are positional (`chat-<n>`); empty turns are skipped.
 */
export function historyToMessages(history: vscode.ChatContext['history']): Message[] {
	const out: Message[] = [];
	history.forEach((turn, index) => {
		const isRequest = turn instanceof vscode.ChatRequestTurn;
		// @context's canned help answer says nothing about the conversation: it is not summarised.
		if (turn instanceof vscode.ChatResponseTurn && isHelpAnswer(turn)) return;
		const text = isRequest
			? requestText(turn)
			: turn instanceof vscode.ChatResponseTurn
				? responseText(turn)
				: '';
		if (text.trim() === '') return;
		out.push({
			id: `chat-${index}`,
			role: isRequest ? 'user' : 'assistant',
			parts: [{ kind: 'text', text }],
			flags: makeFlags(),
			lines: { from: index + 1, to: index + 1 },
			raw: [],
		});
	});
	return out;
}
