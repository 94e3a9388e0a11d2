import type {
	LineRange,
	Message,
	MessageFlags,
	OpaquePart,
	Part,
	RecordedUsage,
	TextPart,
	ThinkingPart,
	ToolCallPart,
	ToolResultPart,
} from '../../model';
import { makeFlags, noFlags } from '../../model';
import {
	arrayField,
	epochMsToIso,
	isRecord,
	makeMessage,
	numberField,
	recordField,
	stringField,
	type JsonObject,
} from './jsonValues';
import { toolResultText } from './toolResultText';

/** Request id prefix of the summary requests our writer creates; reading one back sets `isSummary`. */
export const summaryRequestIdPrefix = 'request_context-lens-summary-';

/** Label of the opaque part holding what Copilot rendered around the typed prompt (context tags, reminders). */
export const renderedContextLabel = 'copilot context';

/** Label prefix of the opaque part for one attached variable (file, selection, prompt file). */
export const attachmentLabelPrefix = 'attachment: ';

/**
 * Response kinds the model never reads: progress and UI decorations, edits already carried by the tool call
 * arguments, confirmations and buttons. They stay in the raw request and produce no part.
 */
const uiOnlyKinds: ReadonlySet<string> = new Set([
	'codeblockUri',
	'textEditGroup',
	'notebookEditGroup',
	'progressMessage',
	'progressTask',
	'progressTaskSerialized',
	'mcpServersStarting',
	'undoStop',
	'prepareToolInvocation',
	'confirmation',
	'command',
	'warning',
	'treeData',
	'multiDiffData',
	'extensions',
	'pullRequest',
	'elicitation',
	'elicitationSerialized',
	'codeCitation',
	'reference',
	'agentDetection',
	'move',
	'clearToPreviousToolInvocation',
]);

// Variables that switch tools on rather than attach content.
const nonContentVariableKinds: ReadonlySet<string> = new Set(['tool', 'toolset']);

const failedModelState = 3;

/** Model id a request was answered by: `modelId` as stored (vendor prefixes kept), else the resolved model. */
export function requestModel(request: unknown): string | undefined {
	return (
		stringField(request, 'modelId') ??
		stringField(recordField(recordField(request, 'result'), 'metadata'), 'resolvedModel')
	);
}

/** The request's id, or a positional one when the file has none. */
function requestIdOf(request: unknown, index: number): string {
	return stringField(request, 'requestId') ?? `request-${index}`;
}

/**
 * Messages of one Copilot Chat request: the user turn, then the response split into assistant messages at each
 * batch of tool calls, each batch followed by a role 'tool' message with its results. Never throws.
 */
export function messagesOfRequest(request: unknown, index: number, lines: LineRange): Message[] {
	if (!isRecord(request)) return [];
	const requestId = requestIdOf(request, index);
	const timestamp = epochMsToIso(request['timestamp']);
	const raw = [request];
	const messages: Message[] = [];
	const user = userParts(request);
	if (user.length > 0) {
		messages.push(
			makeMessage({
				id: requestId,
				role: 'user',
				parts: user,
				flags: requestId.startsWith(summaryRequestIdPrefix) ? makeFlags({ isSummary: true }) : noFlags,
				lines,
				raw,
				timestamp,
			}),
		);
	}
	const result = recordField(request, 'result');
	const isError =
		recordField(result, 'errorDetails') !== undefined ||
		numberField(recordField(request, 'modelState'), 'value') === failedModelState;
	const flags: MessageFlags = isError ? makeFlags({ isError: true }) : noFlags;
	const model = requestModel(request);
	const responseId = stringField(request, 'responseId') ?? `${requestId}:response`;
	const segments = new ResponseWalker(request).segments();
	if (segments.length === 0 && isError) {
		const errorPart: OpaquePart = {
			kind: 'opaque',
			label: 'copilot error',
			text: '',
			raw: recordField(result, 'errorDetails'),
		};
		segments.push({ parts: [errorPart], results: [], hasCalls: false });
	}
	const usage = requestUsage(request);
	segments.forEach((segment, k) => {
		const isLast = k === segments.length - 1;
		messages.push(
			makeMessage({
				id: k === 0 ? responseId : `${responseId}:${k}`,
				role: 'assistant',
				parts: segment.parts,
				flags,
				lines,
				raw,
				timestamp,
				model,
				usage: isLast ? usage : undefined,
			}),
		);
		if (segment.results.length > 0) {
			messages.push(
				makeMessage({
					id: `${responseId}:tools:${k}`,
					role: 'tool',
					parts: segment.results,
					flags: segment.results.some((r) => r.isError) ? makeFlags({ isError: true }) : noFlags,
					lines,
					raw,
					timestamp,
				}),
			);
		}
	});
	return messages;
}

function requestUsage(request: JsonObject): RecordedUsage | undefined {
	// Newer session logs record the last round's prompt and completion tokens on the request.
	const input = numberField(request, 'promptTokens');
	const output = numberField(request, 'completionTokens');
	if (input === undefined || output === undefined) return undefined;
	return { inputTokens: input, outputTokens: output, contextTokens: input + output };
}

/** The typed prompt, one part per attached variable, and the rest of what Copilot rendered for the model. */
function userParts(request: JsonObject): Part[] {
	const message = request['message'];
	const typed = typeof message === 'string' ? message : (stringField(message, 'text') ?? '');
	const metadata = recordField(recordField(request, 'result'), 'metadata');
	let rendered = renderedText(metadata?.['renderedUserMessage']);
	const parts: Part[] = [];
	if (typed !== '') parts.push({ kind: 'text', text: typed, raw: message });
	for (const variable of arrayField(recordField(request, 'variableData'), 'variables') ?? []) {
		if (!isRecord(variable)) continue;
		const kind = stringField(variable, 'kind');
		if (kind !== undefined && nonContentVariableKinds.has(kind)) continue;
		const name = stringField(variable, 'name') ?? stringField(variable, 'id') ?? 'variable';
		let text: string;
		if (rendered === undefined) {
			text = variableStandIn(variable, name);
		} else {
			const block = attachmentBlock(rendered, name);
			text = block === undefined ? '' : rendered.slice(block.start, block.end);
			if (block !== undefined) rendered = rendered.slice(0, block.start) + rendered.slice(block.end);
		}
		parts.push({ kind: 'opaque', label: `${attachmentLabelPrefix}${name}`, text, raw: variable });
	}
	if (rendered !== undefined) {
		const at = typed === '' ? -1 : rendered.lastIndexOf(typed);
		const context = (at === -1 ? rendered : rendered.slice(0, at) + rendered.slice(at + typed.length)).trim();
		if (context !== '') {
			parts.push({
				kind: 'opaque',
				label: renderedContextLabel,
				text: context,
				raw: metadata?.['renderedUserMessage'],
			});
		}
	}
	return parts;
}

/** Text of a rendered prompt message: its text entries joined; undefined when there is none. */
export function renderedText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (!Array.isArray(value)) return undefined;
	const texts: string[] = [];
	for (const entry of value) {
		const text = typeof entry === 'string' ? entry : stringField(entry, 'text');
		if (text !== undefined) texts.push(text);
	}
	return texts.length === 0 ? undefined : texts.join('');
}

/** Where `<attachment id="name" …>…</attachment>` sits in the rendered prompt. */
function attachmentBlock(rendered: string, name: string): { start: number; end: number } | undefined {
	const start = rendered.indexOf(`<attachment id="${name}"`);
	if (start === -1) return undefined;
	const closing = '</attachment>';
	const close = rendered.indexOf(closing, start);
	return close === -1 ? undefined : { start, end: close + closing.length };
}

/** What we know of an attachment whose rendered content was not stored: its name and location. */
function variableStandIn(variable: JsonObject, name: string): string {
	const value = variable['value'];
	if (typeof value === 'string') return `${name}\n${value}`;
	const path = uriPath(value) ?? uriPath(recordField(value, 'uri'));
	return path === undefined ? name : `${name} ${path}`;
}

function uriPath(value: unknown): string | undefined {
	return stringField(value, 'fsPath') ?? stringField(value, 'path');
}

/** Display name of an inline reference: its own name, else the last segment of its file path. */
function inlineReferenceName(item: JsonObject): string {
	const named = stringField(item, 'name');
	if (named !== undefined) return named;
	const target = item['inlineReference'];
	const symbolName = stringField(target, 'name');
	if (symbolName !== undefined) return symbolName;
	const path =
		uriPath(target) ??
		uriPath(recordField(target, 'uri')) ??
		uriPath(recordField(recordField(target, 'location'), 'uri'));
	if (path === undefined) return '';
	return path.slice(path.lastIndexOf('/') + 1);
}

/** One assistant message of a response: its parts and the results of the tool calls it ends with. */
interface ResponseSegment {
	readonly parts: Part[];
	readonly results: ToolResultPart[];
	hasCalls: boolean;
}

interface RoundCall {
	readonly id: string | undefined;
	readonly name: string | undefined;
	readonly argumentsText: string | undefined;
	claimed: boolean;
}

/** Walks a response in order, merging adjacent text chunks and cutting a new segment after each tool batch. */
class ResponseWalker {
	private readonly roundCalls: RoundCall[] = [];
	private readonly roundCallsById = new Map<string, RoundCall>();
	private readonly roundThinking: string[] = [];
	private readonly roundTexts: (string | undefined)[] = [];
	private readonly toolResults: JsonObject | undefined;
	private readonly segmentList: ResponseSegment[] = [];
	private current: ResponseSegment = { parts: [], results: [], hasCalls: false };
	private pendingText: string[] = [];
	private pendingRaw: unknown[] = [];
	private invocationCount = 0;
	private hasThinking = false;

	constructor(private readonly request: JsonObject) {
		const metadata = recordField(recordField(request, 'result'), 'metadata');
		this.toolResults = recordField(metadata, 'toolCallResults');
		for (const round of arrayField(metadata, 'toolCallRounds') ?? []) {
			this.roundThinking.push(thinkingText(recordField(round, 'thinking')?.['text']) ?? '');
			this.roundTexts.push(stringField(round, 'response'));
			for (const call of arrayField(round, 'toolCalls') ?? []) {
				const args = isRecord(call) ? call['arguments'] : undefined;
				const entry: RoundCall = {
					id: stringField(call, 'id'),
					name: stringField(call, 'name'),
					argumentsText:
						typeof args === 'string' ? args : args === undefined ? undefined : JSON.stringify(args),
					claimed: false,
				};
				this.roundCalls.push(entry);
				if (entry.id !== undefined) this.roundCallsById.set(entry.id, entry);
			}
		}
	}

	segments(): ResponseSegment[] {
		const response = this.request['response'];
		if (Array.isArray(response)) for (const item of response) this.take(item);
		this.cut();
		if (this.roundTexts.length === this.segmentList.length) this.useRoundTexts();
		if (!this.hasThinking) this.addRoundThinking();
		return this.segmentList;
	}

	/**
	 * The response shows file mentions as inline references (a bare name); the round keeps the words the model
	 * wrote. When rounds and segments line up, the round's text is what the model sees on the next request.
	 */
	private useRoundTexts(): void {
		this.segmentList.forEach((segment, k) => {
			const said = this.roundTexts[k];
			if (said === undefined || said === '') return;
			const texts = segment.parts.filter((p) => p.kind === 'text');
			if (texts.length > 1) return;
			const only = texts[0];
			if (only !== undefined) {
				segment.parts[segment.parts.indexOf(only)] = { kind: 'text', text: said, raw: only.raw };
				return;
			}
			let at = 0;
			while (segment.parts[at]?.kind === 'thinking') at++;
			segment.parts.splice(at, 0, { kind: 'text', text: said });
		});
	}

	private take(item: unknown): void {
		if (typeof item === 'string') return this.addText(item, item);
		if (!isRecord(item)) return;
		const kind = item['kind'];
		if (kind === undefined || kind === null || kind === 'markdownContent' || kind === 'markdownVuln') {
			const text = markdownText(item);
			if (text !== undefined) this.addText(text, item);
			return;
		}
		if (typeof kind !== 'string') return;
		if (kind === 'inlineReference') return this.addText(inlineReferenceName(item), item);
		if (kind === 'thinking') {
			const text = thinkingText(item['value']) ?? '';
			if (text === '') return;
			this.hasThinking = true;
			const part: ThinkingPart = { kind: 'thinking', text, isRedacted: false, raw: item };
			return this.addPart(part);
		}
		if (kind === 'toolInvocationSerialized' || kind === 'toolInvocation') return this.addInvocation(item);
		if (uiOnlyKinds.has(kind)) return;
		const text = markdownText(item) ?? '';
		const part: OpaquePart = { kind: 'opaque', label: `copilot ${kind}`, text, raw: item };
		this.addPart(part);
	}

	private addText(text: string, raw: unknown): void {
		if (this.current.hasCalls) this.cut();
		this.pendingText.push(text);
		this.pendingRaw.push(raw);
	}

	private addPart(part: Part): void {
		this.flushText();
		if (this.current.hasCalls) this.cut();
		this.current.parts.push(part);
	}

	private flushText(): void {
		if (this.pendingText.length === 0) return;
		const text = this.pendingText.join('');
		const raw = this.pendingRaw.length === 1 ? this.pendingRaw[0] : this.pendingRaw;
		this.pendingText = [];
		this.pendingRaw = [];
		if (text === '') return;
		const part: TextPart = { kind: 'text', text, raw };
		this.current.parts.push(part);
	}

	private cut(): void {
		this.flushText();
		if (this.current.parts.length > 0) this.segmentList.push(this.current);
		this.current = { parts: [], results: [], hasCalls: false };
	}

	private addInvocation(item: JsonObject): void {
		this.flushText();
		const position = this.invocationCount++;
		const ownId = stringField(item, 'toolCallId');
		// Rounds name calls by the model's tool_use id while the invocation has its own id: match by id, else by order.
		let round = ownId === undefined ? undefined : this.roundCallsById.get(ownId);
		if (round === undefined || round.claimed) {
			const byOrder = this.roundCalls[position];
			round = byOrder !== undefined && !byOrder.claimed ? byOrder : undefined;
		}
		if (round !== undefined) round.claimed = true;
		const callId =
			round?.id ?? ownId ?? `${stringField(this.request, 'requestId') ?? 'request'}:call:${position}`;
		const call: ToolCallPart = {
			kind: 'toolCall',
			callId,
			name: round?.name ?? stringField(item, 'toolId') ?? 'tool',
			argumentsText: round?.argumentsText ?? markdownText(item['invocationMessage']) ?? '',
			raw: item,
		};
		this.current.parts.push(call);
		this.current.hasCalls = true;
		const result = this.resultFor(item, callId, ownId);
		if (result !== undefined) this.current.results.push(result);
	}

	private resultFor(item: JsonObject, callId: string, ownId: string | undefined): ToolResultPart | undefined {
		const stored =
			this.toolResults?.[callId] ?? (ownId === undefined ? undefined : this.toolResults?.[ownId]);
		const details = item['resultDetails'];
		const isError = isRecord(details) && details['isError'] === true;
		if (stored !== undefined) {
			return { kind: 'toolResult', callId, text: toolResultText(stored), isError, images: [], raw: stored };
		}
		const fromDetails = detailsText(details);
		if (fromDetails === undefined && item['isComplete'] === false) return undefined;
		return { kind: 'toolResult', callId, text: fromDetails ?? '', isError, images: [], raw: details };
	}

	private addRoundThinking(): void {
		this.segmentList.forEach((segment, k) => {
			const text = this.roundThinking[k];
			if (text === undefined || text === '') return;
			segment.parts.unshift({ kind: 'thinking', text, isRedacted: false });
		});
	}
}

/** Markdown of a chunk: `value` as a string or as an IMarkdownString, or `content.value`. */
function markdownText(item: unknown): string | undefined {
	if (typeof item === 'string') return item;
	if (!isRecord(item)) return undefined;
	const value = item['value'];
	if (typeof value === 'string') return value;
	return stringField(value, 'value') ?? stringField(item['content'], 'value');
}

function thinkingText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').join('');
	return undefined;
}

/** Text of an input/output result detail (MCP-style tools): its text outputs joined. */
function detailsText(details: unknown): string | undefined {
	const output = arrayField(details, 'output');
	if (output === undefined) return undefined;
	const texts: string[] = [];
	for (const entry of output) {
		if (isRecord(entry) && entry['isText'] === true && typeof entry['value'] === 'string')
			texts.push(entry['value']);
	}
	return texts.join('\n');
}
