import {
	notThisFormat,
	readSingleRecord,
	type AccumulatedTranscript,
	type DetectionSample,
	type DetectionVerdict,
	type TranscriptFormat,
} from '../format';
import type { Message } from '../model';
import { noFlags } from '../model';
import { arrayItemLines } from './copilot/jsonArrayLines';
import { isRecord, makeMessage, stringField, type JsonObject } from './copilot/jsonValues';
import { GeminiSessionLog } from './gemini/sessionLog';
import { shapeGeminiSession, writeGeminiSession } from './gemini/writer';

const structuralScore = 90;
const headerOnlyScore = 80;
const looseHeaderScore = 70;
// logs.json holds only prompts: claim it below any real transcript format.
const promptLogScore = 20;
const pathHintBonus = 5;

const pathHint = /[\\/]\.gemini[\\/]tmp[\\/]/;
const conversationTypes: ReadonlySet<unknown> = new Set(['user', 'gemini', 'model']);

/** Warning attached to a logs.json read: it is not the session. */
export const promptLogWarning =
	"this is Gemini CLI's logs.json: it keeps only the prompts you typed, not the replies or tool calls. Open the session file under ~/.gemini/tmp/<project>/chats/ for the whole conversation.";

/**
 * Gemini CLI chat recordings: the JSON session document and the newer JSONL log. Written back in the input's
 * shape as a session `gemini --session-file <absolute path>` loads.
 */
export const geminiCliFormat: TranscriptFormat = {
	id: 'gemini-cli',
	label: 'Gemini CLI session',
	isJsonl: true,
	detect: detectGeminiCli,
	createAccumulator: () => new GeminiSessionLog(),
	readDocument: readGeminiDocument,
	write: writeGeminiSession,
	shapeForWrite: shapeGeminiSession,
};

function detectGeminiCli(sample: DetectionSample): DetectionVerdict | undefined {
	const bonus = pathHint.test(sample.path) ? pathHintBonus : 0;
	const document = sample.document;
	if (isRecord(document) && typeof document['sessionId'] === 'string') {
		const messages = document['messages'];
		if (Array.isArray(messages)) {
			const typed = messages.some((m) => isRecord(m) && conversationTypes.has(m['type']));
			if (typeof document['projectHash'] === 'string' || typed) {
				return {
					score: structuralScore + bonus,
					reason: 'a Gemini CLI session (JSON with sessionId and messages)',
				};
			}
		} else if (isHeader(document)) {
			return { score: headerOnlyScore + bonus, reason: 'a Gemini CLI session log holding only its header' };
		}
	}
	if (isPromptLog(document)) {
		return { score: promptLogScore + bonus, reason: "Gemini CLI's logs.json (user prompts only)" };
	}
	const [first, ...rest] = sample.firstRecords;
	if (isHeader(first)) {
		return {
			score: structuralScore + bonus,
			reason: 'a Gemini CLI session log (JSONL header with projectHash)',
		};
	}
	if (
		isRecord(first) &&
		typeof first['sessionId'] === 'string' &&
		typeof first['startTime'] === 'string' &&
		rest.some((r) => isRecord(r) && 'id' in r && conversationTypes.has(r['type']))
	) {
		return { score: looseHeaderScore + bonus, reason: 'a Gemini CLI session log (header and message lines)' };
	}
	return undefined;
}

function isHeader(value: unknown): boolean {
	return (
		isRecord(value) &&
		typeof value['sessionId'] === 'string' &&
		typeof value['projectHash'] === 'string' &&
		typeof value['startTime'] === 'string'
	);
}

function isPromptLog(value: unknown): value is JsonObject[] {
	return (
		Array.isArray(value) &&
		value.length > 0 &&
		value.every(
			(v) => isRecord(v) && typeof v['sessionId'] === 'string' && v['type'] === 'user' && 'message' in v,
		)
	);
}

function readGeminiDocument(document: unknown, context: { readonly text: string }): AccumulatedTranscript {
	if (isPromptLog(document)) return readPromptLog(document, context.text);
	if (isRecord(document) && Array.isArray(document['messages'])) {
		const { messages, ...header } = document;
		const log = new GeminiSessionLog();
		log.keepDocumentShell(header);
		const lines = arrayItemLines(context.text, 'messages');
		(messages as unknown[]).forEach((record, index) => {
			const line = lines[index] ?? 1;
			if (!isRecord(record)) {
				log.addRecord(record, line);
				return;
			}
			const id = record['id'];
			log.addMessage(
				record,
				typeof id === 'string' || typeof id === 'number' ? String(id) : `message-${index}`,
				line,
			);
		});
		return log.build();
	}
	if (isRecord(document)) {
		// A JSONL log with a single line parses as one JSON document.
		const single = readSingleRecord(new GeminiSessionLog(), document);
		if (single.messages.length > 0 || 'type' in document || 'id' in document) return single;
		const keys = Object.keys(document).slice(0, 8).join(', ');
		const message = `no "messages" list: a Gemini CLI session keeps its messages there (this one has: ${keys}); nothing was read.`;
		return { ...single, diagnostics: [...single.diagnostics, { severity: 'error', line: 1, message }] };
	}
	return notThisFormat('not a Gemini CLI session: expected an object with sessionId and a "messages" array.');
}

/** logs.json read as what it is: the user's prompts, each a user message, with a warning that replies are missing. */
function readPromptLog(entries: readonly JsonObject[], text: string): AccumulatedTranscript {
	const lines = rootArrayItemLines(text);
	const messages: Message[] = entries.map((entry, index) => {
		const line = lines[index] ?? 1;
		const message = entry['message'];
		const prompt = typeof message === 'string' ? message : JSON.stringify(message);
		const messageId = entry['messageId'];
		return makeMessage({
			id: `${stringField(entry, 'sessionId') ?? 'session'}:${typeof messageId === 'number' || typeof messageId === 'string' ? messageId : index}`,
			role: 'user',
			parts: prompt === '' ? [] : [{ kind: 'text', text: prompt, raw: message }],
			flags: noFlags,
			lines: { from: line, to: line },
			raw: [entry],
			timestamp: stringField(entry, 'timestamp'),
		});
	});
	const sessionId = stringField(entries[entries.length - 1], 'sessionId');
	// The shell of the session document a writer makes of it: a session of these prompts, as JSON like the input.
	const shell = { ...(sessionId !== undefined ? { sessionId } : {}), messages: [] };
	return {
		messages,
		passthrough: [{ line: 1, record: shell }],
		meta: sessionId !== undefined ? { sessionId } : {},
		diagnostics: [{ severity: 'warning', line: 1, message: promptLogWarning }],
	};
}

/** Lines where the items of a root array start: the same scan as for an object key, on a wrapped view. */
function rootArrayItemLines(text: string): number[] {
	return arrayItemLines(`{"items":${text}}`, 'items');
}
