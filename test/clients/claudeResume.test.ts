// The real Claude Code CLI resumes what `compact` writes (`claude -p --resume <id>`): installed by
// test/clients/setup.sh into a version-keyed cache, the session put where Claude Code looks for it
// (cc-install-session.js), run offline in a loopback-only network namespace against the fake Anthropic endpoint of
// ../shared/tools/real-clients, which records every request. The recorded request is checked, never the exit code.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { corpusFiles, hasCorpus } from '../support/corpus';
import {
	assertNothingRemovedSent,
	describeResumes,
	lastUserRequest,
	readWithCore,
	runRealClient,
	stringLeaves,
	summaryFirstLine,
	type CompactedCase,
	type RecordedRequest,
	type ResumeCase,
} from './resumeHarness';
import { clientBinary, realClientTools } from './toolchain';

interface AnthropicMessage {
	readonly role: string;
	readonly content: string | readonly Record<string, unknown>[];
}

/** The conversation request of the resumed session: the Messages call with the most history. */
function conversation(requests: readonly RecordedRequest[]): readonly AnthropicMessage[] {
	const calls = requests
		.filter((r) => r.method === 'POST' && /\/v1\/messages(\?|$)/.test(r.url))
		.map((r) => (r.body as { messages?: AnthropicMessage[] } | null)?.messages ?? []);
	const longest = calls.reduce<readonly AnthropicMessage[]>((a, b) => (b.length > a.length ? b : a), []);
	assert.ok(longest.length > 0, 'Claude Code sent a Messages request');
	return longest;
}

/** Ids of the tool_use blocks and of the tool_result blocks in the request's history. */
function toolIds(messages: readonly AnthropicMessage[]): { uses: string[]; results: string[] } {
	const uses: string[] = [];
	const results: string[] = [];
	for (const message of messages) {
		if (typeof message.content === 'string') continue;
		for (const block of message.content) {
			if (block['type'] === 'tool_use') uses.push(String(block['id']));
			if (block['type'] === 'tool_result') results.push(String(block['tool_use_id']));
		}
	}
	return { uses: uses.sort(), results: results.sort() };
}

async function resumeAndCheck({ source, out, result, dir }: CompactedCase): Promise<void> {
	assert.match(result.resumeHint ?? '', /^claude --resume [0-9a-f-]{36}$/, 'compact says how to resume');
	const original = await readWithCore(source);
	const compacted = await readWithCore(out);
	const run = join(dir, 'run');
	const install = spawnSync(
		process.execPath,
		[join(realClientTools, 'cc-install-session.js'), out, join(run, 'home'), join(dir, 'wd')],
		{ encoding: 'utf8' },
	);
	assert.equal(install.status, 0, install.stderr);
	const id = install.stdout.trim();
	const requests = runRealClient(
		'run-claude.sh',
		run,
		join(dir, 'wd'),
		['-p', '--resume', id, '--no-session-persistence', 'continue'],
		{ CLAUDE_BIN: clientBinary('claude-code') },
	);
	const messages = conversation(requests);
	const text = stringLeaves(messages).join('\n');
	assert.ok(text.includes(summaryFirstLine(result.summary)), 'the summary reaches the model');
	assert.ok(text.includes(lastUserRequest(original)), 'the last request reaches the model word for word');
	const ids = toolIds(messages);
	assert.deepEqual(ids.uses, ids.results, 'every tool_use is answered by its tool_result');
	assertNothingRemovedSent(original, compacted, text);
}

const cases: ResumeCase[] = (hasCorpus() ? corpusFiles('claude-code') : []).map((file) => ({
	title: `${basename(file)}: sends the summary, the last request and paired tool calls, nothing removed`,
	source: () => file,
	outName: 'compacted.jsonl',
}));

describeResumes(
	'the real Claude Code resumes a compacted session with --resume',
	'claude-code',
	['run-claude.sh', 'fake-anthropic.js', 'cc-install-session.js'],
	cases,
	5,
	resumeAndCheck,
);
