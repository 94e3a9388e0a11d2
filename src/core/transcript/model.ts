/** Who speaks a message, normalised across formats. */
export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/** Identifier of a transcript format this project reads (and maybe writes). */
export type FormatId =
	'claude-code' | 'openai-chat' | 'anthropic-messages' | 'codex' | 'copilot-chat' | 'gemini-cli';

/** Fields every part has: `raw` is the source block, which writers emit verbatim while the part is unchanged. */
export interface PartSource {
	readonly raw?: unknown;
}

/** Plain text the model sees. */
export interface TextPart extends PartSource {
	readonly kind: 'text';
	readonly text: string;
}

/** Model reasoning; `isRedacted` when only an opaque blob is stored (its text is then empty). */
export interface ThinkingPart extends PartSource {
	readonly kind: 'thinking';
	readonly text: string;
	readonly isRedacted: boolean;
}

/** A tool invocation; `argumentsText` is the arguments as the model wrote them (JSON text, possibly invalid). */
export interface ToolCallPart extends PartSource {
	readonly kind: 'toolCall';
	readonly callId: string;
	readonly name: string;
	readonly argumentsText: string;
}

/** The answer to a tool call, joined to it by `callId`; `text` is what the model reads. */
export interface ToolResultPart extends PartSource {
	readonly kind: 'toolResult';
	readonly callId: string;
	readonly text: string;
	readonly isError: boolean;
	/** Images returned inside the result (screenshots, image reads). */
	readonly images: readonly ImagePart[];
}

/** An image; dimensions in pixels when they can be read from the data, `byteLength` of the decoded data. */
export interface ImagePart extends PartSource {
	readonly kind: 'image';
	readonly mediaType: string;
	readonly byteLength: number;
	readonly widthPx?: number;
	readonly heightPx?: number;
}

/** Content we keep but do not interpret (documents, server tool blocks, unknown block types); `text` is what we count. */
export interface OpaquePart extends PartSource {
	readonly kind: 'opaque';
	readonly label: string;
	readonly text: string;
}

/** One ordered piece of a message. */
export type Part = TextPart | ThinkingPart | ToolCallPart | ToolResultPart | ImagePart | OpaquePart;

/** A part whose token figure comes from its text: text, thinking, opaque or a tool result. */
export type TextBearingPart = Extract<Part, { readonly text: string }>;

/** Kind tag of a part. */
export type PartKind = Part['kind'];

/** Boolean facts about a message; all default to false. */
export interface MessageFlags {
	/** A compaction summary (Claude `isCompactSummary`, Codex `compacted`, our own summaries). */
	readonly isSummary: boolean;
	/** Older than the newest compaction boundary: shown as history, not counted toward the window. */
	readonly isCompacted: boolean;
	/** A subagent's message (Claude `isSidechain`). */
	readonly isSidechain: boolean;
	/** Injected or meta content not typed by the user (Claude `isMeta`, environment context). */
	readonly isMeta: boolean;
	/** An error message or a message carrying an error result. */
	readonly isError: boolean;
	/** Never pruned or summarised (skill content, user-pinned). */
	readonly isPinned: boolean;
}

/** Token usage the agent recorded for the request that produced (or included) a message. */
export interface RecordedUsage {
	/** Tokens the model read as input for that request (including cached input). */
	readonly inputTokens: number;
	/** Tokens the model wrote. */
	readonly outputTokens: number;
	/** Tokens of the context after the request: input plus output, as the next request would see them. */
	readonly contextTokens: number;
	/** The model's window as recorded, when the file records it (Codex `model_context_window`). */
	readonly contextWindow?: number;
}

/** 1-based inclusive range of source lines a message came from (JSON files: the line of its first record). */
export interface LineRange {
	readonly from: number;
	readonly to: number;
}

/** One message of a transcript. */
export interface Message {
	/** Stable within a file across re-reads: the source's own id when it has one, else a positional id. */
	readonly id: string;
	readonly role: Role;
	readonly parts: readonly Part[];
	readonly flags: MessageFlags;
	readonly lines: LineRange;
	/** The source records this message was built from, unchanged, so writers reproduce what they do not change. */
	readonly raw: readonly unknown[];
	readonly timestamp?: string;
	readonly model?: string;
	readonly usage?: RecordedUsage;
	/** Phase or turn id when the format has one (H1, H7). */
	readonly phaseId?: string;
}

/** A problem found while reading; `line` is 1-based, `column` 1-based when known. */
export interface Diagnostic {
	readonly severity: 'error' | 'warning';
	readonly line: number;
	readonly column?: number;
	readonly message: string;
}

/** A source record that is not a message (bookkeeping, metadata), kept so writers can copy it. */
export interface PassthroughRecord {
	readonly line: number;
	readonly record: unknown;
}

/** Facts about the session as a whole. */
export interface TranscriptMeta {
	readonly sessionId?: string;
	readonly title?: string;
	readonly cwd?: string;
	/** The model that answered most recently. */
	readonly model?: string;
	/** The window the file records for the model, in tokens. */
	readonly contextWindow?: number;
	/** Text counted toward the window but not stored as messages (system prompt, tool schemas), when the file has it. */
	readonly systemText?: string;
	/**
	 * Requests the person typed that the file records only as UI events (Codex Desktop's `user_message` with no
	 * matching model message): not model-visible, so not messages, but they are what the person asked for.
	 */
	readonly eventRequests?: readonly EventRequest[];
}

/** A request recorded only as a UI event, and the id of the last message before it (undefined: before all). */
export interface EventRequest {
	readonly text: string;
	readonly afterMessageId?: string;
}

/** How a format was chosen. */
export interface Detection {
	readonly format: FormatId;
	readonly reason: string;
}

/** A parsed transcript: messages in order, plus what the writer needs to reproduce the rest. */
export interface Transcript {
	readonly format: FormatId;
	readonly detection: Detection;
	readonly messages: readonly Message[];
	readonly passthrough: readonly PassthroughRecord[];
	readonly meta: TranscriptMeta;
	readonly diagnostics: readonly Diagnostic[];
	/** Number of source lines read (JSONL) or 1 for a single JSON document. */
	readonly lineCount: number;
}

/** Flags with every value false. */
export const noFlags: MessageFlags = Object.freeze({
	isSummary: false,
	isCompacted: false,
	isSidechain: false,
	isMeta: false,
	isError: false,
	isPinned: false,
});

/** Builds a flags object from the defaults and the given overrides. */
export function makeFlags(overrides: Partial<MessageFlags> = {}): MessageFlags {
	return { ...noFlags, ...overrides };
}

/** Messages that count toward the model's window: not compacted away, not a subagent's (unless the file is a subagent's own). */
export function messagesInWindow(transcript: Transcript): readonly Message[] {
	const keepsSidechain = isSidechainFile(transcript);
	return transcript.messages.filter((m) => !m.flags.isCompacted && (keepsSidechain || !m.flags.isSidechain));
}

/** True when every message of the transcript is a subagent's: the file is a sidechain file read on its own. */
export function isSidechainFile(transcript: Transcript): boolean {
	return transcript.messages.length > 0 && transcript.messages.every((m) => m.flags.isSidechain);
}
