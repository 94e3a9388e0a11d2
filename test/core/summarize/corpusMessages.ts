import { readFileSync } from 'node:fs';
import { makeFlags } from '../../../src/core/transcript/model';
import type { ImagePart, Message, Part, Role } from '../../../src/core/transcript/model';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function blockText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.filter(isObject)
		.map((b) => (typeof b['text'] === 'string' ? b['text'] : ''))
		.filter((t) => t !== '')
		.join('\n');
}

function imageOf(block: Json): ImagePart {
	const source = isObject(block['source']) ? block['source'] : {};
	const data = typeof source['data'] === 'string' ? source['data'] : '';
	return {
		kind: 'image',
		mediaType: typeof source['media_type'] === 'string' ? source['media_type'] : 'image/png',
		byteLength: Math.floor((data.length * 3) / 4),
		raw: block,
	};
}

function partsOf(content: unknown): Part[] {
	if (typeof content === 'string') return [{ kind: 'text', text: content }];
	if (!Array.isArray(content)) return [];
	const parts: Part[] = [];
	for (const block of content) {
		if (!isObject(block)) continue;
		switch (block['type']) {
			case 'text':
				parts.push({ kind: 'text', text: String(block['text'] ?? ''), raw: block });
				break;
			case 'thinking':
				parts.push({
					kind: 'thinking',
					text: String(block['thinking'] ?? ''),
					isRedacted: false,
					raw: block,
				});
				break;
			case 'redacted_thinking':
				parts.push({ kind: 'thinking', text: '', isRedacted: true, raw: block });
				break;
			case 'tool_use':
				parts.push({
					kind: 'toolCall',
					callId: String(block['id'] ?? ''),
					name: String(block['name'] ?? ''),
					argumentsText: JSON.stringify(block['input'] ?? {}),
					raw: block,
				});
				break;
			case 'tool_result': {
				const inner = Array.isArray(block['content']) ? block['content'].filter(isObject) : [];
				parts.push({
					kind: 'toolResult',
					callId: String(block['tool_use_id'] ?? ''),
					text: blockText(block['content']),
					isError: block['is_error'] === true,
					images: inner.filter((b) => b['type'] === 'image').map(imageOf),
					raw: block,
				});
				break;
			}
			case 'image':
				parts.push(imageOf(block));
				break;
			default:
				parts.push({ kind: 'opaque', label: String(block['type']), text: JSON.stringify(block), raw: block });
		}
	}
	return parts;
}

/**
 * Test-only stand-in for the Claude Code reader: turns a corpus JSONL file's user/assistant records into Messages
 * (split assistant records of one `message.id` joined, tool results kept on user messages, messages before the newest
 * compaction summary flagged `isCompacted`). The lead switches
 * the tests to the real `claude-code` format reader once it lands.
 */
export function readClaudeCodeMessages(file: string): Message[] {
	const lines = readFileSync(file, 'utf8').split('\n');
	const messages: Message[] = [];
	let lastAssistantId: string | undefined;
	lines.forEach((line, index) => {
		if (line.trim() === '') return;
		let record: unknown;
		try {
			record = JSON.parse(line);
		} catch {
			return;
		}
		if (!isObject(record) || (record['type'] !== 'user' && record['type'] !== 'assistant')) return;
		const body = record['message'];
		if (!isObject(body)) return;
		const role: Role = record['type'] === 'assistant' ? 'assistant' : 'user';
		const parts = partsOf(body['content']);
		const apiId = typeof body['id'] === 'string' ? body['id'] : undefined;
		const previous = messages[messages.length - 1];
		if (role === 'assistant' && apiId !== undefined && apiId === lastAssistantId && previous !== undefined) {
			messages[messages.length - 1] = {
				...previous,
				parts: [...previous.parts, ...parts],
				raw: [...previous.raw, record],
				lines: { from: previous.lines.from, to: index + 1 },
			};
			return;
		}
		lastAssistantId = role === 'assistant' ? apiId : undefined;
		messages.push({
			id: String(record['uuid'] ?? `line-${index + 1}`),
			role,
			parts,
			flags: makeFlags({
				isMeta: record['isMeta'] === true,
				isSidechain: record['isSidechain'] === true,
				isSummary: record['isCompactSummary'] === true,
				isError: parts.some((p) => p.kind === 'toolResult' && p.isError),
			}),
			lines: { from: index + 1, to: index + 1 },
			raw: [record],
			...(typeof record['timestamp'] === 'string' ? { timestamp: record['timestamp'] } : {}),
		});
	});
	// As the real reader does: messages before the newest compaction summary are history, not in the window.
	let lastSummary = -1;
	messages.forEach((m, i) => {
		if (m.flags.isSummary) lastSummary = i;
	});
	return messages.map((m, i) => (i < lastSummary ? { ...m, flags: { ...m.flags, isCompacted: true } } : m));
}
