import type { AccumulatedTranscript } from '../../format';
import type { Diagnostic, LineRange, Message, PassthroughRecord, TranscriptMeta } from '../../model';
import { arrayField, isRecord, recordField, stringField, type JsonObject } from './jsonValues';
import { messagesOfRequest, renderedText, requestModel } from './requestMessages';

/** The session object without its requests, as the one passthrough record writers copy the header from. */
export function sessionHeader(session: JsonObject): PassthroughRecord {
	const { requests: _requests, ...header } = session;
	return { line: 1, record: header };
}

/** Session facts: id, title, the model of the newest request, and the global context Copilot sends first. */
export function sessionMeta(session: JsonObject): TranscriptMeta {
	const requests = arrayField(session, 'requests') ?? [];
	let model: string | undefined;
	for (let i = requests.length - 1; i >= 0 && model === undefined; i--) model = requestModel(requests[i]);
	let systemText: string | undefined;
	for (let i = 0; i < requests.length && systemText === undefined; i++) {
		const metadata = recordField(recordField(requests[i], 'result'), 'metadata');
		systemText = renderedText(metadata?.['renderedGlobalContext']);
	}
	const sessionId = stringField(session, 'sessionId');
	const title = stringField(session, 'customTitle');
	return {
		...(sessionId !== undefined ? { sessionId } : {}),
		...(title !== undefined ? { title } : {}),
		...(model !== undefined ? { model } : {}),
		...(systemText !== undefined && systemText.trim() !== '' ? { systemText } : {}),
	};
}

/** True when a value has the shape of a chat session: an object with a `requests` array. */
export function isChatSession(value: unknown): value is JsonObject {
	return isRecord(value) && Array.isArray(value['requests']);
}

/** Reads a whole session object; `lineOf` gives the source line of request `index`. */
export function readChatSession(
	session: JsonObject,
	lineOf: (index: number) => LineRange,
): AccumulatedTranscript {
	const requests = arrayField(session, 'requests') ?? [];
	const messages: Message[] = [];
	const diagnostics: Diagnostic[] = [];
	requests.forEach((request, index) => {
		const lines = lineOf(index);
		const problem = requestProblem(request, index);
		if (problem !== undefined) diagnostics.push({ severity: 'warning', line: lines.from, message: problem });
		for (const message of messagesOfRequest(request, index, lines)) messages.push(message);
	});
	return { messages, passthrough: [sessionHeader(session)], meta: sessionMeta(session), diagnostics };
}

/** Why a request yields nothing readable, or undefined when it is fine. */
export function requestProblem(request: unknown, index: number): string | undefined {
	if (!isRecord(request)) return `request ${index + 1} is not an object; it was skipped.`;
	const response = request['response'];
	if (response !== undefined && response !== null && !Array.isArray(response)) {
		return `request ${index + 1}: "response" is ${describeJsonType(response)}, not the list of response parts expected; its reply (text and tool calls) was skipped.`;
	}
	if (Array.isArray(response)) {
		const odd = response.filter((item) => typeof item !== 'string' && !isRecord(item)).length;
		if (odd > 0) {
			return `request ${index + 1}: ${odd} of its ${response.length} response parts are neither text nor objects; they were skipped.`;
		}
	}
	const message = request['message'];
	if ((message === undefined || message === null) && response === undefined) {
		return `request ${index + 1} has neither a "message" nor a "response"; nothing was read from it.`;
	}
	return undefined;
}

function describeJsonType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
