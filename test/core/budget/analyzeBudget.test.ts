import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { analyzeBudget } from '../../../src/core/budget/analyzeBudget';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { TokenCounter, messageOverheadTokens } from '../../../src/core/tokens/tokenCounter';
import { messagesInWindow, type Message, type Transcript } from '../../../src/core/transcript/model';
import { message } from '../summarize/offlineFixtures';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';
import { corpusFiles, hasCorpus } from '../../support/corpus';

function read(path: string, bytes: Buffer = readFileSync(path)): Transcript {
	const result = parseTranscript(bytes, path);
	assert.ok(result.ok, JSON.stringify(!result.ok && result.failure));
	return result.transcript;
}

const samplePath = join(__dirname, '..', '..', 'fixtures', 'sample-claude-session.jsonl');

describe('analyzeBudget', () => {
	it('splits the window into head, middle and tail that cover it exactly, with tokens that add up', () => {
		const transcript = read(samplePath);
		const report = analyzeBudget(transcript, { file: samplePath });
		const { head, middle, tail } = report.regions;
		assert.equal(head.from, 0);
		assert.equal(head.to, middle.from);
		assert.equal(middle.to, tail.from);
		assert.equal(tail.to, report.messages);
		const sum = (from: number, to: number) => report.messageTokens.slice(from, to).reduce((a, b) => a + b, 0);
		assert.equal(head.tokens, sum(head.from, head.to));
		assert.equal(middle.tokens, sum(middle.from, middle.to));
		assert.equal(tail.tokens, sum(tail.from, tail.to));
		assert.ok(middle.to > middle.from, 'a 40-message session has a middle');
	});

	it('makes the headline our count of the file plus the hidden part, and compares the recorded figure on the same base', () => {
		const transcript = read(samplePath);
		const report = analyzeBudget(transcript, { file: samplePath });
		const recorded = report.tokens.recorded;
		assert.ok(recorded !== undefined);
		const window = messagesInWindow(transcript);
		const last = window.at(-1);
		assert.equal(recorded.tokens, last?.usage?.inputTokens, 'the input of the latest recorded request');
		assert.equal(recorded.atMessage, window.length - 1);
		assert.ok(Math.abs(recorded.errorPct) < 10, `our count is within 10% (${recorded.errorPct})`);
		const { tokens } = report;
		assert.equal(tokens.total, tokens.visible + tokens.hidden);
		const lastTokens = report.messageTokens.at(-1) ?? 0;
		// The recorded request read everything before the last message: ours for it is the headline less that message.
		assert.equal(recorded.ourTokens, tokens.total - lastTokens);
		assert.ok(tokens.hidden > 0, 'the first recorded input is larger than the messages before it');
		assert.equal(recorded.hiddenPrefixTokens, tokens.hidden);
		assert.equal(tokens.byKind.hidden, tokens.hidden);
		assert.equal(tokens.fixed, tokens.hidden, 'the sample stores no system text');
		const byKindSum = Object.values(tokens.byKind).reduce((a, b) => a + b, 0);
		assert.equal(byKindSum, tokens.total, 'the rows add up to the headline');
		assert.equal(report.percentUsed, (tokens.total / report.contextWindow) * 100);
		assert.equal(report.source, 'calibrated');
		assert.equal(report.contextWindow, 200_000);
	});

	it('ignores usage recorded before the newest compaction summary', () => {
		const transcript = read(samplePath);
		const window = messagesInWindow(transcript);
		const summary: Message = {
			...message('user', [
				{ kind: 'text', text: 'Summary of the conversation so far: the totals round once.' },
			]),
			flags: { ...message('user', []).flags, isSummary: true },
		};
		const tail = window.slice(-2).map((m) => ({ ...m }));
		const compacted: Transcript = { ...transcript, messages: [summary, ...tail] };
		const report = analyzeBudget(compacted, { file: 'compacted.jsonl' });
		// Every usage in the tail is the original's, recorded after the summary: it still counts.
		assert.ok(report.tokens.recorded !== undefined);
		const stale: Transcript = { ...transcript, messages: [...tail, summary] };
		const staleReport = analyzeBudget(stale, { file: 'stale.jsonl' });
		assert.equal(
			staleReport.tokens.recorded,
			undefined,
			'usage before the summary never drives the headline',
		);
		assert.equal(staleReport.tokens.hidden, 0);
		assert.equal(staleReport.tokens.total, staleReport.tokens.visible);
	});

	it('leaves out the thinking of earlier turns, which providers do not send again', () => {
		const thinking = (id: string, text: string): Message =>
			message('assistant', [
				{ kind: 'thinking', text, isRedacted: false },
				{ kind: 'text', text: `answer ${id}` },
			]);
		const user = (id: string): Message => message('user', [{ kind: 'text', text: `ask ${id}` }]);
		const long = 'weighing the options carefully before answering '.repeat(20);
		const counter = new TokenCounter(resolveModel('claude-sonnet-4-5'));
		const thinkingTokens = counter.countText(long);
		const build = (messages: Message[]): Transcript => ({ ...read(samplePath), messages, passthrough: [] });
		// Two turns: the first turn's thinking is no longer sent; the current turn's is.
		const twoTurns = build([user('u1'), thinking('a1', long), user('u2'), thinking('a2', long)]);
		const report = analyzeBudget(twoTurns, { file: 'two-turns.jsonl' });
		const all = report.messageTokens.reduce((a, b) => a + b, 0);
		assert.equal(report.tokens.recorded, undefined);
		assert.equal(report.tokens.earlierThinking, thinkingTokens, 'the first turn only');
		assert.equal(report.tokens.total, all - thinkingTokens);
		const byKindSum = Object.values(report.tokens.byKind).reduce((a, b) => a + b, 0);
		assert.equal(byKindSum, report.tokens.total);
		assert.equal(
			report.tokens.byKind.thinking,
			thinkingTokens,
			'the current turn is read again with each result',
		);
		// One turn in a tool loop: nothing is dropped.
		const oneTurn = build([user('u1'), thinking('a1', long), thinking('a2', long)]);
		const single = analyzeBudget(oneTurn, { file: 'one-turn.jsonl' });
		assert.equal(single.tokens.earlierThinking, 0);
		assert.equal(
			single.tokens.total,
			single.messageTokens.reduce((a, b) => a + b, 0),
		);
	});

	it("does not add an ended turn's thinking to the headline projected from recorded usage", () => {
		const sample = read(samplePath);
		const withThinking = (text: string): Message =>
			message('assistant', [
				...(text === '' ? [] : [{ kind: 'thinking' as const, text, isRedacted: false }]),
				{ kind: 'text', text: 'Done: the totals now round once.' },
			]);
		const ask = (text: string): Message => message('user', [{ kind: 'text', text }]);
		const grown = (text: string): Transcript => ({
			...sample,
			messages: [
				...sample.messages,
				ask('Now fix the CSV export.'),
				withThinking(text),
				ask('And the docs.'),
			],
		});
		const long = 'checking which rounding mode the export uses before changing it '.repeat(30);
		const thought = analyzeBudget(grown(long), { file: samplePath });
		const plain = analyzeBudget(grown(''), { file: samplePath });
		assert.ok(thought.tokens.recorded !== undefined && plain.tokens.recorded !== undefined);
		assert.ok(
			thought.tokens.recorded.atMessage < thought.messages - 1,
			'a new turn started after the latest usage',
		);
		assert.ok(
			thought.tokens.earlierThinking - plain.tokens.earlierThinking > 300,
			"the ended turn's thinking",
		);
		assert.ok(
			Math.abs(thought.tokens.total - plain.tokens.total) <= 1,
			`${thought.tokens.total} ${plain.tokens.total}`,
		);
	});

	it('counts OpenAI-encoded text exactly as js-tiktoken does', () => {
		const oracle = new Tiktoken(o200k);
		const text =
			'Fix the flaky test in src/app.test.ts — it times out after 5000 ms. <|endoftext|> stays text.';
		const doc = [
			{ role: 'system', content: 'You are terse.' },
			{ role: 'user', content: text },
			{
				role: 'assistant',
				content: null,
				tool_calls: [
					{
						id: 'c1',
						type: 'function',
						function: { name: 'read_file', arguments: '{"path":"src/app.test.ts"}' },
					},
				],
			},
			{ role: 'tool', tool_call_id: 'c1', content: 'it("works", async () => { await wait(6000) })' },
		];
		const transcript = read('chat.json', Buffer.from(JSON.stringify({ model: 'gpt-4o', messages: doc })));
		const report = analyzeBudget(transcript, { file: 'chat.json' });
		const count = (s: string) => oracle.encode(s, [], []).length;
		const expected =
			count('You are terse.') +
			count(text) +
			count('read_file') +
			count('{"path":"src/app.test.ts"}') +
			count('it("works", async () => { await wait(6000) })') +
			4 * messageOverheadTokens;
		assert.equal(report.source, 'exact');
		assert.equal(report.encoding, 'o200k_base');
		assert.equal(report.tokens.total, expected);
		assert.equal(report.tokens.byKind.toolCalls, count('read_file') + count('{"path":"src/app.test.ts"}'));
		assert.equal(report.contextWindow, resolveModel('gpt-4o').contextWindow);
	});

	it('honours a window override and a model override', () => {
		const transcript = read(samplePath);
		const report = analyzeBudget(transcript, { file: samplePath, contextWindow: 50_000, model: 'gpt-4.1' });
		assert.equal(report.contextWindow, 50_000);
		assert.equal(report.contextWindowSource, 'override');
		assert.equal(report.model, 'gpt-4.1');
		assert.equal(report.source, 'exact');
	});

	it('re-counts only new messages when given the same cache', () => {
		const lines = readFileSync(samplePath, 'utf8').split('\n').filter(Boolean);
		const cache = new MessageTokenCache(new TokenCounter(resolveModel('claude-sonnet-4-5')));
		const first = read(samplePath, Buffer.from(lines.join('\n') + '\n'));
		analyzeBudget(first, { file: samplePath, cache });
		const missesAfterFirst = cache.counter.cacheMisses;
		const messageCountsBefore = first.messages.map((m) => cache.countMessage(m));
		analyzeBudget(first, { file: samplePath, cache });
		assert.ok(missesAfterFirst > 0);
		assert.equal(cache.counter.cacheMisses, missesAfterFirst, 'no text is encoded twice');
		assert.deepEqual(
			first.messages.map((m) => cache.countMessage(m)),
			messageCountsBefore,
		);
		assert.ok(
			first.messages.every((m, i) => cache.countMessage(m) === messageCountsBefore[i]),
			'counts are reused by identity',
		);
	});

	it('lists the largest messages, largest first, with the tool they came from', () => {
		const report = analyzeBudget(read(samplePath), { file: samplePath });
		assert.equal(report.largest.length, 5);
		for (let i = 1; i < report.largest.length; i++) {
			assert.ok((report.largest[i - 1]?.tokens ?? 0) >= (report.largest[i]?.tokens ?? 0));
		}
		assert.match(report.largest[0]?.label ?? '', /^tool result (Bash|Read|Grep|Edit|Write)/);
	});

	describe('on every corpus transcript', () => {
		if (!hasCorpus()) {
			it.skip('../shared/corpus is absent on this machine', () => undefined);
			return;
		}
		const folders = [
			'claude-code',
			'codex',
			'openai-chat',
			'anthropic-messages',
			'copilot-chat',
			'other/gemini-cli',
		];
		const errors: number[] = [];
		for (const folder of folders) {
			for (const file of corpusFiles(folder)) {
				it(`${folder}/${file.split('/').pop()}: a consistent report`, () => {
					const transcript = read(file);
					const report = analyzeBudget(transcript, { file });
					const byKindSum = Object.values(report.tokens.byKind).reduce((a, b) => a + b, 0);
					assert.equal(report.messageTokens.length, report.messages);
					assert.ok(report.tokens.total >= 0 && Number.isFinite(report.percentUsed));
					if (report.tokens.recorded === undefined) assert.equal(byKindSum, report.tokens.total);
					assert.equal(report.regions.tail.to, report.messages);
					assert.equal(report.toolPairs.orphanResults, 0, 'every tool result has its call');
					if (report.tokens.recorded !== undefined && report.tokens.recorded.tokens > 1000) {
						errors.push(Math.abs(report.tokens.recorded.errorPct));
						assert.ok(
							Math.abs(report.tokens.recorded.errorPct) < 35,
							`${report.tokens.recorded.errorPct}% off the recorded usage`,
						);
					}
				});
			}
		}
		it('our count is within 10% of the recorded usage on the median file', () => {
			const sorted = [...errors].sort((a, b) => a - b);
			assert.ok(sorted.length >= 15, `${sorted.length} files record usage`);
			assert.ok((sorted[Math.floor(sorted.length / 2)] ?? 100) < 10);
		});
	});
});
