import {
	notThisFormat,
	readSingleRecord,
	type AccumulatedTranscript,
	type DetectionSample,
	type DetectionVerdict,
	type TranscriptFormat,
} from '../format';
import { isChatSession, readChatSession } from './copilot/chatSession';
import { shapeCopilotExport, writeCopilotExport } from './copilot/exportWriter';
import { arrayItemLines } from './copilot/jsonArrayLines';
import { isRecord } from './copilot/jsonValues';
import { ChatMutationLog, MutationKind } from './copilot/mutationLog';

const structuralScore = 90;
const headOnlyScore = 80;
const weakScore = 40;
const pathHintBonus = 5;

const pathHint = /[\\/](?:chatSessions|emptyWindowChatSessions)[\\/]/;
// A kind-0 line holds the whole session and often outgrows the 64 KiB detection head, so its start is matched as text.
const initialLineStart = /^\s*\{\s*"kind"\s*:\s*0\s*,\s*"v"\s*:\s*\{/;

/** GitHub Copilot Chat (VS Code) sessions: storage JSON v3, the export JSON, and the JSONL mutation log. */
export const copilotChatFormat: TranscriptFormat = {
	id: 'copilot-chat',
	label: 'Copilot Chat session',
	isJsonl: true,
	detect: detectCopilotChat,
	createAccumulator: () => new ChatMutationLog(),
	readDocument: readCopilotDocument,
	write: writeCopilotExport,
	shapeForWrite: shapeCopilotExport,
};

function detectCopilotChat(sample: DetectionSample): DetectionVerdict | undefined {
	const bonus = pathHint.test(sample.path) ? pathHintBonus : 0;
	const document = sample.document;
	if (isChatSession(document) && ('responderUsername' in document || 'initialLocation' in document)) {
		const stored = 'version' in document && 'sessionId' in document;
		return {
			score: structuralScore + bonus,
			reason: stored
				? 'a Copilot Chat session (JSON with requests, version and sessionId)'
				: 'a Copilot Chat export (JSON with requests and responderUsername/initialLocation)',
		};
	}
	if (isInitialEntry(document)) {
		return {
			score: structuralScore + bonus,
			reason: 'a Copilot Chat session log holding only its initial state',
		};
	}
	const first = sample.firstRecords[0];
	if (isInitialEntry(first)) {
		return {
			score: structuralScore + bonus,
			reason: 'a Copilot Chat session log (kind 0 line with requests)',
		};
	}
	if (first === undefined && initialLineStart.test(sample.head)) {
		const score = headOnlyScore + (sample.head.includes('"requests"') ? pathHintBonus : 0) + bonus;
		return { score, reason: 'a Copilot Chat session log (starts with a kind 0 initial state)' };
	}
	if (bonus > 0 && isRecord(first) && typeof first['kind'] === 'number' && Array.isArray(first['k'])) {
		return { score: weakScore + bonus, reason: 'a chatSessions/ file of {kind, k} mutations' };
	}
	return undefined;
}

function isInitialEntry(value: unknown): boolean {
	return isRecord(value) && value['kind'] === MutationKind.initial && isChatSession(value['v']);
}

function readCopilotDocument(document: unknown, context: { readonly text: string }): AccumulatedTranscript {
	if (isChatSession(document)) {
		const lines = arrayItemLines(context.text, 'requests');
		return readChatSession(document, (index) => {
			const line = lines[index] ?? 1;
			return { from: line, to: line };
		});
	}
	if (isRecord(document) && typeof document['kind'] === 'number') {
		// A log with a single line parses as one JSON document: replay it as the log it is.
		return readSingleRecord(new ChatMutationLog(), document);
	}
	return notThisFormat(
		'not a Copilot Chat session: expected an object with a "requests" array (or a {"kind": 0, "v": …} log line).',
	);
}
