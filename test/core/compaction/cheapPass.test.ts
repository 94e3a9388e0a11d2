import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { applyPlan } from '../../../src/core/compaction/applyPlan';
import { shrinkJsonArguments } from '../../../src/core/compaction/shrinkArguments';
import { describeToolResult, findSpillReference } from '../../../src/core/compaction/toolDescriptions';
import type { Message, Part, ToolCallPart } from '../../../src/core/transcript/model';
import {
	callPart,
	longOutput,
	message,
	resultPart,
	testCounter,
	textPart,
	transcriptOf,
} from './arbitraries';
import { isJson } from './kit';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';

const call = (name: string, args: unknown): ToolCallPart => callPart('c', name, args) as ToolCallPart;

/** A conversation whose middle holds tool traffic and whose tail is a short, recent exchange. */
function workSession(middle: Message[]): Message[] {
	return [
		message('s', 'system', [textPart('You are a coding agent.')]),
		message('u0', 'user', [textPart('Set up the billing export in src/billing/export.ts.')]),
		message('a0', 'assistant', [textPart('I will start by reading the code.')]),
		...middle,
		message('u9', 'user', [textPart('Now add a test for the CSV header in test/export.test.ts.')]),
		message('a9', 'assistant', [textPart('Adding the test now.')]),
		message('u10', 'user', [textPart('Also run the linter on src/billing when you are done.')]),
	];
}

function toolStep(id: string, name: string, args: unknown, result: string, isError = false): Message[] {
	return [
		message(`a-${id}`, 'assistant', [callPart(id, name, args)]),
		message(`t-${id}`, 'tool', [resultPart(id, result, isError)]),
	];
}

function prunePlan(messages: Message[], overrides: Record<string, unknown> = {}) {
	const transcript = transcriptOf(messages);
	return {
		transcript,
		plan: planCompaction(transcript, {
			counter: testCounter,
			contextWindow: 200_000,
			strategy: 'prune',
			keepRecentMessages: 3,
			protectTokens: 0,
			...overrides,
		}),
	};
}

describe('cheap pre-pass (R3, H4)', () => {
	it('R3 deduplicates identical tool results: the newest copy stays, older ones become a back-reference', () => {
		const body = longOutput('src/billing/export.ts', 120);
		const { transcript, plan } = prunePlan(
			workSession([
				...toolStep('r1', 'Read', { file_path: 'src/billing/export.ts' }, body),
				...toolStep('r2', 'Read', { file_path: 'src/billing/export.ts' }, body),
			]),
		);
		const dedup = plan.edits.filter((e) => e.kind === 'dedup');
		assert.equal(dedup.length, 1);
		assert.equal(transcript.messages[dedup[0]?.message ?? -1]?.id, 't-r1');
		const out = applyPlan(transcript, plan, undefined);
		const older = out.messages.find((m) => m.id === 't-r1')?.parts[0];
		assert.equal(
			older?.kind === 'toolResult' && older.text,
			'[Duplicate tool output: identical to the later result of call r2]',
		);
		assert.ok(plan.pruneCandidates.byKind.dedup > 0);
	});

	it('R3 turns old tool output over 200 characters into one informative line per tool kind', () => {
		assert.equal(
			describeToolResult(call('Bash', { command: 'npm test' }), `${'ok\n'.repeat(46)}exit code: 0`),
			'[Bash] ran `npm test` -> exit 0, 47 lines output',
		);
		assert.equal(
			describeToolResult(call('Read', { file_path: 'src/a.ts', offset: 10 }), 'x'.repeat(1200)),
			'[Read] read src/a.ts from line 10 (1,200 chars, 1 lines)',
		);
		assert.equal(
			describeToolResult(call('Grep', { pattern: 'TODO', path: 'src' }), 'a\nb\nc'),
			"[Grep] searched for 'TODO' in src -> 3 lines",
		);
		assert.match(
			describeToolResult(call('WebFetch', { url: 'https://nodejs.org/api' }), 'x'.repeat(300)),
			/^\[WebFetch\] https:\/\/nodejs\.org\/api \(300 chars\)$/,
		);
		assert.match(
			describeToolResult(call('mcp__db__query', { sql: 'select 1', db: 'main' }), 'row'),
			/^\[mcp__db__query\] sql=select 1 db=main/,
		);
		assert.match(describeToolResult(undefined, 'x'), /^\[tool\]/);

		const { transcript, plan } = prunePlan(
			workSession([
				...toolStep(
					'b1',
					'Bash',
					{ command: 'npm test' },
					`${longOutput('test/api.test.ts', 40)}\nexit code: 1`,
				),
				...toolStep('b2', 'Bash', { command: 'git status' }, 'nothing to commit'),
			]),
			{ minPruneTokens: 0 },
		);
		const outputs = plan.edits.filter((e) => e.kind === 'toolOutput');
		assert.equal(outputs.length, 1, 'the short result stays');
		const replacement = outputs[0]?.replacement;
		assert.equal(
			replacement?.kind === 'toolResult' && replacement.text,
			'[Bash] ran `npm test` -> exit 1, 41 lines output',
		);
		assert.equal(replacement !== null && 'raw' in (replacement ?? {}), false);
		assert.ok((outputs[0]?.tokensAfter ?? 0) < (outputs[0]?.tokensBefore ?? 0));
		assert.equal(transcript.messages[outputs[0]?.message ?? -1]?.id, 't-b1');
	});

	it('R3 shrinks long tool-call arguments inside the JSON so it stays valid; non-JSON arguments stay as written', () => {
		const content = 'export const x = 1;\n'.repeat(200);
		const shrunk = shrinkJsonArguments(
			JSON.stringify({ file_path: 'src/a.ts', content, lines: 200, ok: true }),
			200,
		);
		assert.ok(shrunk !== undefined && isJson(shrunk));
		const parsed = JSON.parse(shrunk ?? '{}') as Record<string, unknown>;
		assert.equal(parsed['file_path'], 'src/a.ts');
		assert.equal(parsed['lines'], 200);
		assert.equal(parsed['ok'], true);
		assert.match(String(parsed['content']), /…\[3,800 chars cut\]$/);
		assert.equal(shrinkJsonArguments(`not json ${content}`, 200), undefined);
		assert.equal(shrinkJsonArguments('{"a":"short"}', 200), undefined);

		const { plan } = prunePlan(
			workSession([
				...toolStep('w1', 'Write', { file_path: 'src/a.ts', content }, 'File written.'),
				...toolStep('w2', 'Write', `raw patch ${content}`, 'File written.'),
				...toolStep('w3', 'Write', { file_path: 'src/b.ts', content: content.repeat(3) }, 'File written.'),
			]),
		);
		const args = plan.edits.filter((e) => e.kind === 'arguments');
		assert.equal(args.length, 2);
		for (const e of args)
			assert.ok(e.replacement?.kind === 'toolCall' && isJson(e.replacement.argumentsText));
	});

	it('R3 keeps every string value of shrunk arguments within the limit (property)', () => {
		fc.assert(
			fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 50 }), (value, limit) => {
				const text = JSON.stringify(value);
				const shrunk = shrinkJsonArguments(text, limit);
				if (shrunk === undefined) return;
				assert.ok(shrunk.length < text.length);
				const walk = (v: unknown): void => {
					if (typeof v === 'string') assert.ok(v.length <= limit + 30);
					else if (Array.isArray(v)) v.forEach(walk);
					else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
				};
				walk(JSON.parse(shrunk));
			}),
		);
	});

	it('H4 never prunes errors, pinned messages, tiny results or the current phase', () => {
		const big = longOutput('src/a.ts', 80);
		const session = workSession([
			...toolStep('e', 'Bash', { command: 'make' }, `Error: build failed\n${big}`, true),
			message('a-p', 'assistant', [callPart('p', 'Read', { file_path: 'SKILL.md' })]),
			message('t-p', 'tool', [resultPart('p', big.replace(/line/g, 'skill'))], { isPinned: true }),
			...toolStep('tiny', 'Bash', { command: 'true' }, 'ok'),
			...toolStep('x', 'Read', { file_path: 'src/x.ts' }, big.replace(/line/g, 'row')),
		]);
		const { plan } = prunePlan(session, { minPruneTokens: 0 });
		const ids = plan.edits.map((e) => session[e.message]?.id);
		assert.deepEqual(ids, ['t-x']);

		const phased = session.map((m, i) => ({ ...m, phaseId: i < 6 ? 'phase-1' : 'phase-2' }));
		const { plan: phasedPlan } = prunePlan(phased, { minPruneTokens: 0 });
		assert.deepEqual(phasedPlan.edits, [], 't-x is in the current phase');
	});

	it('H4 the newest results within protect_tokens stay whole', () => {
		const big = longOutput('src/a.ts', 60);
		const session = workSession([
			...toolStep('old', 'Read', { file_path: 'src/old.ts' }, big.replace(/line/g, 'old')),
			...toolStep('new', 'Read', { file_path: 'src/new.ts' }, big.replace(/line/g, 'new')),
		]);
		const all = prunePlan(session, { minPruneTokens: 0, protectTokens: 0 }).plan;
		assert.equal(all.edits.length, 2);
		const protectedNewest = prunePlan(session, { minPruneTokens: 0, protectTokens: 5_000 }).plan;
		assert.deepEqual(
			protectedNewest.edits.map((e) => session[e.message]?.id),
			[],
			'5000 tokens protect both results',
		);
		const one = prunePlan(session, { minPruneTokens: 0, protectTokens: 100 }).plan;
		assert.deepEqual(
			one.edits.map((e) => session[e.message]?.id),
			['t-old'],
		);
	});

	it('H4 prunes only when at least min_prune_tokens would be freed, and says so in the preflight', () => {
		const session = workSession(toolStep('r', 'Read', { file_path: 'src/a.ts' }, longOutput('src/a.ts', 12)));
		const { plan } = prunePlan(session, { minPruneTokens: 2_000 });
		assert.deepEqual(plan.edits, []);
		assert.ok(plan.pruneCandidates.tokens > 0);
		assert.equal(plan.pruneCandidates.isBelowMinimum, true);
		assert.equal(plan.preflight.ok, false);
		assert.match(plan.preflight.ok ? '' : plan.preflight.message, /below the minimum of 2,000\./);
	});

	it('H4 a pruned placeholder keeps the reference to the file that holds the full data', () => {
		assert.equal(
			findSpillReference("Output too large (52 KB), saved to 'web_search_1.txt'"),
			'web_search_1.txt',
		);
		assert.equal(
			findSpillReference('Full output: /home/a/.claude/projects/p/s/tool-results/toolu_1.txt (truncated)'),
			'/home/a/.claude/projects/p/s/tool-results/toolu_1.txt',
		);
		const text = `${longOutput('src/a.ts', 30)}\n[Saved to 'search_2.txt']`;
		assert.match(
			describeToolResult(call('web_search', { query: 'parquet' }), text),
			/full output in 'search_2\.txt'$/,
		);
	});

	it('counts what the pass would free for the budget report, by kind', () => {
		const body = longOutput('src/billing/export.ts', 80);
		const { plan } = prunePlan(
			workSession([
				...toolStep('r1', 'Read', { file_path: 'a' }, body),
				...toolStep('r2', 'Read', { file_path: 'a' }, body),
				...toolStep('w', 'Write', { file_path: 'b', content: 'y'.repeat(3_000) }, 'ok'),
			]),
			{ minPruneTokens: 0 },
		);
		const { byKind, tokens, messages } = plan.pruneCandidates;
		assert.equal(tokens, byKind.dedup + byKind.toolOutput + byKind.arguments);
		assert.ok(byKind.dedup > 0 && byKind.toolOutput > 0 && byKind.arguments > 0);
		assert.equal(messages, 3);
		const freed = plan.edits.reduce((sum, e) => sum + e.tokensBefore - e.tokensAfter, 0);
		assert.equal(freed, tokens);
		const parts: Part[] = plan.edits.map((e) => e.replacement).filter((p): p is Part => p !== null);
		assert.equal(parts.length, 3);
	});

	it('gives each edit the figure its counter gives the replacement, tool-result framing included', () => {
		const body = longOutput('src/billing/export.ts', 80);
		const messages = workSession([
			...toolStep('r1', 'Read', { file_path: 'a' }, body),
			...toolStep('r2', 'Read', { file_path: 'a' }, body),
			...toolStep('g', 'Grep', { pattern: 'TODO', path: 'src' }, longOutput('src/x.ts', 60)),
			...toolStep('w', 'Write', { file_path: 'b', content: 'y'.repeat(3_000) }, 'ok'),
		]);
		// Claude models charge a fixed framing per tool result (see toolResultOverheadTokens); GPT models do not.
		for (const model of ['claude-sonnet-4-5', 'gpt-4o']) {
			const counter = new TokenCounter(resolveModel(model));
			for (const strategy of ['prune', 'summarize'] as const) {
				const { plan } = prunePlan(messages, {
					counter: new MessageTokenCache(counter),
					strategy,
					minPruneTokens: 0,
				});
				const kinds = new Set(plan.edits.map((e) => e.kind));
				assert.ok(kinds.has('dedup') && kinds.has('toolOutput') && kinds.has('arguments'), [...kinds].join());
				for (const edit of plan.edits) {
					assert.ok(edit.replacement !== null);
					assert.equal(
						edit.tokensAfter,
						counter.countPart(edit.replacement),
						`${model} ${strategy} ${edit.kind}`,
					);
				}
			}
		}
	});
});
