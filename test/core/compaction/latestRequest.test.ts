import { strict as assert } from 'node:assert';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { compactTranscript } from '../../../src/core/compaction/compactTranscript';
import { createOfflineSummarizer } from '../../../src/core/summarize/offline/offlineSummarizer';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import { messagesInWindow } from '../../../src/core/transcript/model';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';

const at = (n: number): string => new Date(Date.UTC(2026, 4, 11, 8, 0, n)).toISOString();
const item = (n: number, payload: object): string =>
	JSON.stringify({ timestamp: at(n), type: 'response_item', payload });
const event = (n: number, payload: object): string =>
	JSON.stringify({ timestamp: at(n), type: 'event_msg', payload });

/** A rollout of one long autonomous turn; `lastRequestOnlyAsEvent` records a later request only as a UI event. */
function rollout(lastRequestOnlyAsEvent: boolean): string {
	const lines = [
		JSON.stringify({
			timestamp: at(0),
			type: 'session_meta',
			payload: {
				id: 's1',
				timestamp: at(0),
				cwd: '/repo',
				originator: 'codex_cli_rs',
				cli_version: '0.1',
				model_provider: 'openai',
			},
		}),
		item(1, {
			type: 'message',
			role: 'user',
			content: [{ type: 'input_text', text: 'Make the export stream rows instead of buffering them.' }],
		}),
	];
	for (let i = 0; i < 40; i++) {
		lines.push(
			item(2 + i * 2, {
				type: 'function_call',
				call_id: `c${i}`,
				name: 'exec_command',
				arguments: JSON.stringify({ cmd: `sed -n '${i * 50},${i * 50 + 50}p' src/export/stream${i}.ts` }),
			}),
			item(3 + i * 2, {
				type: 'function_call_output',
				call_id: `c${i}`,
				output: `line of source ${i} `.repeat(120),
			}),
		);
	}
	lines.push(
		item(90, {
			type: 'message',
			role: 'assistant',
			content: [{ type: 'output_text', text: 'Reading done.' }],
		}),
	);
	if (lastRequestOnlyAsEvent)
		lines.push(
			event(91, {
				type: 'user_message',
				message: 'Now add a progress bar to the export dialog.',
				images: [],
			}),
		);
	return `${lines.join('\n')}\n`;
}

describe('the active task', () => {
	for (const onlyAsEvent of [false, true]) {
		it(`is the latest request${onlyAsEvent ? ', even one recorded only as a UI event' : ''}, never "None"`, async () => {
			const read = parseTranscript(Buffer.from(rollout(onlyAsEvent)), 'rollout.jsonl');
			assert.ok(read.ok);
			const transcript = read.transcript;
			assert.equal(transcript.format, 'codex');
			const window = messagesInWindow(transcript);
			assert.ok(
				!window.some((m) => m.parts.some((p) => p.kind === 'text' && p.text.includes('progress bar'))),
				'a request seen only as a UI event is not turned into a model-visible message',
			);
			const counter = new MessageTokenCache(new TokenCounter(resolveModel('gpt-5')));
			const result = await compactTranscript(
				transcript,
				{ counter, contextWindow: 20_000, strategy: 'summarize' },
				createOfflineSummarizer(),
				new AbortController().signal,
			);
			assert.ok(result.success, result.error);
			const active = /## Active Task\n([^\n]+)/.exec(result.summary ?? '')?.[1] ?? '';
			assert.doesNotMatch(active, /^None\.?$/);
			assert.match(
				active,
				onlyAsEvent ? /Now add a progress bar to the export dialog\./ : /Make the export stream rows/,
			);
		});
	}
});
