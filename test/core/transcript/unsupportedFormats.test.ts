import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTranscriptFile } from '../../../src/core/io/readTranscriptFile';
import type { ReadResult } from '../../../src/core/transcript/readTranscript';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';

const jsonl = (...records: unknown[]): string => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** Files of formats FORMATS.md describes and no reader takes, each with what the refusal must name. */
const samples: readonly { name: string; file: string; text: string; says: RegExp; advice?: RegExp }[] = [
	{
		name: 'Copilot CLI events',
		file: 'events.jsonl',
		text: jsonl(
			{
				type: 'session.start',
				data: { sessionId: 's1', copilotVersion: '1.0.77' },
				id: 'e1',
				parentId: null,
			},
			{ type: 'user.message', data: { content: 'fix it' }, id: 'e2', parentId: 'e1' },
		),
		says: /a GitHub Copilot CLI session \(events\.jsonl\)/,
	},
	{
		name: 'codex exec --json',
		file: 'exec.jsonl',
		text: jsonl(
			{ type: 'thread.started', thread_id: 't1' },
			{ type: 'turn.started' },
			{ type: 'item.completed', item: { id: 'i0', type: 'agent_message', text: 'done' } },
		),
		says: /the output of `codex exec --json`, not a Codex session/,
		advice: /Open the session itself instead: ~\/\.codex\/sessions\//,
	},
	{
		name: 'claude -p stream-json',
		file: 'stream.jsonl',
		text: jsonl(
			{ type: 'system', subtype: 'init', session_id: 'abc', tools: [], model: 'claude-sonnet-4-5' },
			{ type: 'result', subtype: 'success', total_cost_usd: 0.01, num_turns: 1, session_id: 'abc' },
		),
		says: /the output of `claude -p --output-format stream-json`, not a Claude Code session/,
		advice: /~\/\.claude\/projects\//,
	},
	{
		name: 'claude -p stream-json as Claude Code 2 prints it (with uuid on every line)',
		file: 'run.jsonl',
		text: jsonl(
			{
				type: 'system',
				subtype: 'init',
				cwd: '/tmp/x',
				session_id: '0a1b2c3d-1111-2222-3333-444455556666',
				tools: ['Bash'],
				model: 'claude-sonnet-4-5-20250929',
				uuid: '5d0f7a1e-aaaa-bbbb-cccc-ddddeeeeffff',
			},
			{
				type: 'assistant',
				message: { id: 'msg_01', role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
				parent_tool_use_id: null,
				session_id: '0a1b2c3d-1111-2222-3333-444455556666',
				uuid: '6e1f8b2f-aaaa-bbbb-cccc-ddddeeeeffff',
			},
		),
		says: /the output of `claude -p --output-format stream-json`, not a Claude Code session/,
		advice: /~\/\.claude\/projects\//,
	},
	{
		name: 'an OpenCode part',
		file: '001.json',
		text: `${JSON.stringify({ id: 'p1', sessionID: 's1', messageID: 'm1', type: 'text', text: 'hi' })}\n`,
		says: /one record of an OpenCode session/,
	},
	{
		name: 'an OpenCode session record',
		file: 'ses_1.json',
		text: JSON.stringify({ id: 's1', projectID: 'p', directory: '/tmp/x', time: { created: 1 } }, null, 2),
		says: /one record of an OpenCode session/,
	},
	{
		name: 'Cline ui_messages.json',
		file: 'ui_messages.json',
		text: JSON.stringify([
			{ ts: 1, type: 'say', say: 'task', text: 'fix it' },
			{ ts: 2, type: 'ask', ask: 'tool', text: '{}' },
		]),
		says: /a Cline or Roo ui_messages\.json/,
		advice: /Open api_conversation_history\.json in the same task folder instead/,
	},
	{
		name: 'an Aider history',
		file: '.aider.chat.history.md',
		text: '\n# aider chat started at 2026-12-01 10:00:00\n\n#### fix the bug\n\n> Tokens: 1k sent\n',
		says: /an Aider chat history/,
	},
];

function refusal(result: ReadResult): { message: string; line?: number } {
	assert.equal(result.ok, false, 'the file is refused');
	if (result.ok) throw new Error('unreachable');
	assert.equal(result.failure.reason, 'unrecognised');
	return {
		message: result.failure.message,
		...(result.failure.line !== undefined ? { line: result.failure.line } : {}),
	};
}

describe('files of formats Context Lens does not read', () => {
	let dir: string;
	before(() => {
		dir = mkdtempSync(join(tmpdir(), 'context-lens-unsupported-'));
	});
	after(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	for (const sample of samples) {
		it(`names ${sample.name} and what to do, read whole or from disk`, async () => {
			const path = join(dir, sample.file);
			writeFileSync(path, sample.text);
			for (const result of [
				parseTranscript(Buffer.from(sample.text), path),
				await readTranscriptFile(path),
			]) {
				const { message, line } = refusal(result);
				assert.equal(line, 1);
				assert.match(message, sample.says);
				assert.match(message, /which Context Lens does not read\./);
				if (sample.advice !== undefined) assert.match(message, sample.advice);
				// In words for any surface: no command-line flag (the CLI adds its own hint, where one can help).
				assert.ok(!message.includes('--format'), message);
				assert.match(
					message,
					/It reads: Claude Code session, Codex CLI rollout, .*, Anthropic Messages request\.$/,
				);
			}
		});
	}

	it('a file of no known shape keeps the general refusal, naming what is read', () => {
		const { message } = refusal(parseTranscript(Buffer.from(jsonl({ hello: 'world' }, { n: 1 })), 'x.jsonl'));
		assert.match(message, /^not a transcript format Context Lens knows\. It reads: Claude Code session, /);
		assert.ok(!message.includes('--format'), message);
	});

	it('a format a reader claims is still read, whatever the rules for others would say', () => {
		// Cline's api_conversation_history.json, which the advice for ui_messages.json points to.
		const history = JSON.stringify([
			{ role: 'user', content: [{ type: 'text', text: '<task>fix</task>' }] },
			{
				role: 'assistant',
				content: [{ type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a.ts' } }],
			},
			{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' }] },
		]);
		const read = parseTranscript(Buffer.from(history), 'api_conversation_history.json');
		assert.ok(read.ok, read.ok ? '' : read.failure.message);
		assert.equal(read.transcript.format, 'anthropic-messages');
	});
});
