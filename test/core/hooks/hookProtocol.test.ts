import { strict as assert } from 'node:assert';
import {
	allowReply,
	blockReply,
	HookInputError,
	parseCompactHookEvent,
} from '../../../src/core/hooks/hookProtocol';

// The events as Claude Code 2.1.332 sent them to a hook in an offline run (paths shortened), and as Codex's
// pre-compact.command.input schema defines them (session_id, turn_id, transcript_path nullable, cwd, model, trigger).
const claudePre =
	'{"session_id":"8960d923-ee36-4130-9509-889a8db2f7bd","transcript_path":"/h/.claude/projects/-wd/8960d923-ee36-4130-9509-889a8db2f7bd.jsonl","cwd":"/wd","prompt_id":"7565a8a0","hook_event_name":"PreCompact","trigger":"manual","custom_instructions":null}';
const claudePost =
	'{"session_id":"8960d923","transcript_path":"/t.jsonl","cwd":"/wd","prompt_id":"7565a8a0","hook_event_name":"PostCompact","trigger":"auto","compact_summary":"<summary>FAKE SUMMARY</summary>"}';
const codexPre =
	'{"session_id":"019e1625-aaaa","turn_id":"t-1","transcript_path":null,"cwd":"/wd","hook_event_name":"PreCompact","model":"gpt-5","trigger":"auto"}';

describe('compaction hook protocol', () => {
	it("reads Claude Code's PreCompact event", () => {
		assert.deepEqual(parseCompactHookEvent(claudePre), {
			event: 'PreCompact',
			sessionId: '8960d923-ee36-4130-9509-889a8db2f7bd',
			transcriptPath: '/h/.claude/projects/-wd/8960d923-ee36-4130-9509-889a8db2f7bd.jsonl',
			cwd: '/wd',
			trigger: 'manual',
		});
	});

	it("reads Claude Code's PostCompact event with the summary", () => {
		const event = parseCompactHookEvent(claudePost);
		assert.equal(event.event, 'PostCompact');
		assert.equal(event.trigger, 'auto');
		assert.equal(event.compactSummary, '<summary>FAKE SUMMARY</summary>');
	});

	it("reads Codex's PreCompact event, whose transcript path may be null", () => {
		const event = parseCompactHookEvent(codexPre);
		assert.equal(event.sessionId, '019e1625-aaaa');
		assert.equal(event.transcriptPath, undefined);
		assert.equal(event.trigger, 'auto');
	});

	it('says what is wrong with an unusable event', () => {
		const wrong = (text: string, message: RegExp): void =>
			assert.throws(
				() => parseCompactHookEvent(text),
				(e: unknown) => e instanceof HookInputError && message.test(e.message),
			);
		wrong('', /not JSON/);
		wrong('[]', /not a JSON object/);
		wrong('{"hook_event_name":"Stop","session_id":"s","trigger":"auto"}', /names the event "Stop"/);
		wrong('{"hook_event_name":"PreCompact","trigger":"auto"}', /no session_id/);
		wrong('{"hook_event_name":"PreCompact","session_id":"s","trigger":"later"}', /trigger is "later"/);
	});

	it("holds a compaction in each agent's own words, and lets it run with nothing on stdout", () => {
		assert.deepEqual(JSON.parse(blockReply('claude-code', 'why').stdout), {
			decision: 'block',
			reason: 'why',
		});
		assert.deepEqual(JSON.parse(blockReply('codex', 'why').stdout), { continue: false, stopReason: 'why' });
		assert.equal(blockReply('codex', 'why').exitCode, 0);
		assert.deepEqual(allowReply, { stdout: '', exitCode: 0 });
	});
});
