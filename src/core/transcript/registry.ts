import type { TranscriptFormat } from './format';
import { claudeCodeFormat } from './formats/claudeCode';
import { codexFormat } from './formats/codex';
import { copilotChatFormat } from './formats/copilotChat';
import { geminiCliFormat } from './formats/geminiCli';
import { anthropicMessagesFormat } from './formats/anthropicMessages';
import { openaiChatFormat } from './formats/openaiChat';
import type { FormatId } from './model';

/** Every format Context Lens reads, in detection order (ties go to the earlier one). */
export const transcriptFormats: readonly TranscriptFormat[] = [
	claudeCodeFormat,
	codexFormat,
	copilotChatFormat,
	geminiCliFormat,
	openaiChatFormat,
	anthropicMessagesFormat,
];

/** The format module for an id; throws on an id that is not registered (a bug, ids are a closed union). */
export function findFormat(id: FormatId): TranscriptFormat {
	const format = transcriptFormats.find((f) => f.id === id);
	if (format === undefined) throw new Error(`no reader registered for format ${id}`);
	return format;
}

/** Parses a `--format` value; undefined when it names no known format. */
export function parseFormatId(value: string): FormatId | undefined {
	return transcriptFormats.find((f) => f.id === value)?.id;
}
