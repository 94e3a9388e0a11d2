import type { Message, Part, Transcript } from '../../../src/core/transcript/model';
import { makeFlags } from '../../../src/core/transcript/model';

const tools = ['Read', 'Bash', 'Grep', 'Edit', 'Glob', 'WebFetch'] as const;

function words(seed: number, count: number): string {
	const vocabulary = [
		'parquet',
		'scheduler',
		'invoice',
		'export',
		'schema',
		'writer',
		'test',
		'failing',
		'column',
		'batch',
	];
	const out: string[] = [];
	for (let i = 0; i < count; i++) out.push(vocabulary[(seed * 7 + i * 3) % vocabulary.length] ?? 'x');
	return out.join(' ');
}

/**
 * A Claude-shaped session of `messageCount` window messages in a repeating user / assistant+call / tool result
 * cycle, with sizes varying by position so the region map and the list have something to show.
 */
export function syntheticTranscript(messageCount: number): Transcript {
	const messages: Message[] = [];
	for (let i = 0; i < messageCount; i++) {
		const step = i % 3;
		const tool = tools[Math.floor(i / 3) % tools.length] ?? 'Read';
		const callId = `call-${Math.floor(i / 3)}`;
		let role: Message['role'];
		let parts: Part[];
		if (step === 0) {
			role = 'user';
			parts = [{ kind: 'text', text: `Please look at ${words(i, 12)} in src/billing/export/file${i}.py` }];
		} else if (step === 1) {
			role = 'assistant';
			parts = [
				{ kind: 'text', text: `I will use ${tool} on ${words(i, 8)}.` },
				{
					kind: 'toolCall',
					callId,
					name: tool,
					argumentsText: JSON.stringify({ path: `src/module${i}.py` }),
				},
			];
		} else {
			role = 'user';
			const lines = 5 + ((i * 37) % 120);
			const text = Array.from({ length: lines }, (_, l) => `${l + 1}: ${words(i + l, 9)}`).join('\n');
			parts = [{ kind: 'toolResult', callId, text, isError: i % 97 === 2, images: [] }];
		}
		messages.push({
			id: `m${i}`,
			role,
			parts,
			flags: makeFlags(),
			lines: { from: i + 1, to: i + 1 },
			raw: [],
			timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
		});
	}
	return {
		format: 'claude-code',
		detection: { format: 'claude-code', reason: 'synthetic' },
		messages,
		passthrough: [],
		meta: { sessionId: 'synthetic-10k', model: 'claude-sonnet-4-5' },
		diagnostics: [],
		lineCount: messageCount,
	};
}
