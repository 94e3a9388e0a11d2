import type { SummaryOutcome, SummaryRequest, Summarizer } from '../../../src/core/compaction/summarizer';
import type { Message, Part, Transcript } from '../../../src/core/transcript/model';
import { messagesInWindow } from '../../../src/core/transcript/model';

/** A summariser for tests: records each request and answers with `answer(request)` (a short summary by default). */
export class RecordingSummarizer implements Summarizer {
	readonly id = 'test:recording';
	readonly requests: SummaryRequest[] = [];

	constructor(
		private readonly answer: (request: SummaryRequest) => SummaryOutcome | Promise<SummaryOutcome> = (
			request,
		) => ({
			ok: true,
			text: `## Active Task\n${request.activeTask ?? 'None.'}\n\n## Completed Actions\n1. Summarised ${request.messages.length} messages.`,
		}),
	) {}

	summarize(request: SummaryRequest, _signal: AbortSignal): Promise<SummaryOutcome> {
		this.requests.push(request);
		return Promise.resolve(this.answer(request));
	}
}

/** Roles of the user/assistant messages of a window, in order (system, developer and tool roles skipped). */
export function turnRoles(messages: readonly Message[]): string[] {
	return messages.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => m.role);
}

/** Index of the first place two neighbouring turn roles are equal, or -1 when they alternate. */
export function firstRepeatedRole(messages: readonly Message[]): number {
	const roles = turnRoles(messages);
	for (let i = 1; i < roles.length; i++) if (roles[i] === roles[i - 1]) return i;
	return -1;
}

/** Problems with tool pairing in a window: results without an earlier call, calls without a later result. */
export function toolPairProblems(messages: readonly Message[]): string[] {
	const problems: string[] = [];
	const open = new Map<string, number>();
	const answered = new Set<string>();
	messages.forEach((m, i) => {
		for (const part of m.parts) {
			if (part.kind === 'toolCall') open.set(part.callId, i);
			else if (part.kind === 'toolResult') {
				if (!open.has(part.callId))
					problems.push(`result ${part.callId} in message ${i} has no earlier call`);
				else if (answered.has(part.callId)) problems.push(`call ${part.callId} answered twice`);
				answered.add(part.callId);
			}
		}
	});
	for (const [callId, i] of open)
		if (!answered.has(callId)) problems.push(`call ${callId} in message ${i} has no result`);
	return problems;
}

/**
 * True when `original` survives in `output` verbatim: the same object, or a message with its id whose parts include
 * every original part (the same objects, in order, side by side), as merging the summary or stubs allows.
 */
export function survivesVerbatim(original: Message, output: readonly Message[]): boolean {
	if (output.includes(original)) return true;
	const found = output.find((m) => m.id === original.id);
	if (found === undefined) return false;
	const first = original.parts[0];
	if (first === undefined) return found.parts.length === 0;
	const start = found.parts.indexOf(first);
	if (start < 0) return false;
	return original.parts.every((p: Part, k: number) => found.parts[start + k] === p);
}

/** The window of a transcript. */
export function windowOf(transcript: Transcript): readonly Message[] {
	return messagesInWindow(transcript);
}

/** True when a text parses as JSON. */
export function isJson(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}
