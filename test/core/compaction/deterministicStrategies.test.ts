import { strict as assert } from 'node:assert';
import { applyPlan, renderSpill } from '../../../src/core/compaction/applyPlan';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import type { CompactionOptions } from '../../../src/core/compaction/options';
import type { StrategyName } from '../../../src/core/compaction/strategies';
import {
	defaultMaxMessages,
	defaultMaxTurns,
	defaultToolResultCapChars,
} from '../../../src/core/compaction/options';
import { splitTurns } from '../../../src/core/compaction/eviction';
import { capToolResultText } from '../../../src/core/text/textCuts';
import { toolHistoryDigest } from '../../../src/core/compaction/structure';
import type { FormatId, Message } from '../../../src/core/transcript/model';
import {
	callPart,
	longOutput,
	message,
	resultPart,
	testCounter,
	textPart,
	transcriptOf,
} from './arbitraries';
import { isJson, toolPairProblems } from './kit';

function options(strategy: StrategyName, extra: Partial<CompactionOptions> = {}): CompactionOptions {
	return { counter: testCounter, contextWindow: 200_000, strategy, keepRecentMessages: 2, ...extra };
}

/** An anthropic-style session: user prompt, assistant calls, user results, assistant answer, repeated. */
function anthropicSession(): Message[] {
	const content = `# Export\n${'Writes invoices as parquet files.\n'.repeat(30)}`;
	return [
		message('u0', 'user', [textPart('Build the parquet export for invoices in src/billing/export.ts.')]),
		message('a0', 'assistant', [textPart('Reading the current exporter first.')]),
		message('u1', 'user', [textPart('Go ahead and also check docs/README.md for the format notes.')]),
		message('a1', 'assistant', [
			{ kind: 'thinking', text: 'I should read the files.', isRedacted: false, raw: { signature: 'x' } },
			textPart('Reading both files.'),
			callPart('r1', 'Read', { file_path: 'src/billing/export.ts' }),
			callPart('r2', 'Read', { file_path: 'docs/README.md' }),
		]),
		message('t1', 'user', [
			resultPart('r1', longOutput('src/billing/export.ts', 90)),
			resultPart('r2', "Error: ENOENT: no such file or directory, open 'docs/README.md'", true),
		]),
		message('a2', 'assistant', [
			textPart(
				'Writing the new exporter: one row group per invoice batch, columns in the order of the invoice schema, ' +
					'money as minor units, and the file named after the batch id so a rerun overwrites it.',
			),
			callPart('w1', 'Write', { file_path: 'src/billing/parquet.ts', content }),
		]),
		message('t2', 'user', [resultPart('w1', 'File written.')]),
		message('a3', 'assistant', [
			callPart('o1', 'set_output', { key: 'report_path', value: 'out/report.md' }),
		]),
		message('t3', 'user', [resultPart('o1', 'ok')]),
		message('a4', 'assistant', [textPart('The exporter is written; report_path: out/report.md')]),
		message('u2', 'user', [textPart('Now wire it into scheduler.py and run the tests.')]),
		message('a5', 'assistant', [textPart('Wiring it in.')]),
	];
}

describe('deterministic strategies', () => {
	it('H6 structure keeps tool-call skeletons with arguments shrunk to valid JSON and spills the free text', () => {
		const transcript = transcriptOf(anthropicSession(), 'anthropic-messages');
		const plan = planCompaction(
			transcript,
			options('structure', { minPruneTokens: 0, protectTokens: 0, headMessages: 1 }),
		);
		assert.ok(plan.preflight.ok);
		assert.deepEqual(
			plan.fates.map((f, i) => `${transcript.messages[i]?.id}:${f}`).filter((s) => !s.endsWith(':kept')),
			['a0:dropped', 'u1:dropped'],
		);
		const out = applyPlan(transcript, plan, undefined);
		const a2 = out.messages.find((m) => m.id === 'a2');
		const write = a2?.parts.find((p) => p.kind === 'toolCall');
		assert.ok(write?.kind === 'toolCall' && isJson(write.argumentsText) && write.argumentsText.length < 200);
		assert.deepEqual(
			Object.keys(JSON.parse(write?.kind === 'toolCall' ? write.argumentsText : '{}') as object),
			['file_path', 'content'],
		);
		assert.ok(
			a2?.parts.some(
				(p) => p.kind === 'text' && /spill entry #\d+ in context-lens-spill-example-session-/.test(p.text),
			),
		);
		// A text shorter than its reference would be stays where it is: moving it would grow the window.
		const a1 = out.messages.find((m) => m.id === 'a1');
		assert.ok(a1?.parts.some((p) => p.kind === 'text' && p.text === 'Reading both files.'));
		// Each message's moved text (all its parts) takes more tokens than the reference left in its place.
		const moved = new Map<number, { before: number; after: number }>();
		for (const edit of plan.edits.filter((e) => e.kind === 'spilledText')) {
			const sums = moved.get(edit.message) ?? { before: 0, after: 0 };
			sums.before += edit.tokensBefore;
			sums.after += edit.tokensAfter;
			moved.set(edit.message, sums);
		}
		assert.ok(moved.size > 0, 'some text is moved');
		for (const [i, { before, after }] of moved)
			assert.ok(after < before, `message ${i}: ${after} >= ${before}`);
		const spill = renderSpill(plan, transcript);
		assert.ok(spill !== undefined);
		assert.equal(spill?.fileName, plan.spill?.fileName);
		assert.ok(spill?.text.includes('Reading the current exporter first.'));
		assert.ok(
			spill?.text.includes('Writes invoices as parquet files.'),
			'the full arguments are in the spill file',
		);
		assert.ok(
			spill?.text.includes('src/billing/export.ts:90:'),
			'the full pruned result is in the spill file',
		);
		assert.deepEqual(toolPairProblems(out.messages), []);
		const reference =
			out.messages.find((m) => m.flags.isSummary) ??
			out.messages.find((m) =>
				m.parts.some(
					(p) => p.kind === 'text' && p.text.startsWith('[Context Lens compaction: structure kept]'),
				),
			);
		assert.ok(reference !== undefined, 'the reference message is in the window');
	});

	it('H4 structure-pruned results name the spill entry holding the full output', () => {
		const transcript = transcriptOf(anthropicSession(), 'anthropic-messages');
		const plan = planCompaction(
			transcript,
			options('structure', { minPruneTokens: 0, protectTokens: 0, headMessages: 1 }),
		);
		const pruned = plan.edits.find((e) => e.kind === 'toolOutput');
		assert.ok(pruned?.spillEntry !== undefined);
		assert.ok(
			pruned?.replacement?.kind === 'toolResult' &&
				pruned.replacement.text.endsWith(
					` (full output: spill entry #${pruned.spillEntry} in ${plan.spill?.fileName})`,
				),
		);
	});

	it('H6 structure-aggressive collapses ordinary tool pairs into a digest and keeps output-setting calls and errors', () => {
		const transcript = transcriptOf(anthropicSession(), 'anthropic-messages');
		const plan = planCompaction(transcript, options('structure-aggressive', { headMessages: 1 }));
		assert.ok(plan.preflight.ok);
		const out = applyPlan(transcript, plan, undefined);
		const ids = out.messages.map((m) => m.id);
		assert.ok(ids.includes('a1') && ids.includes('t1'), 'the call that errored stays with its sibling');
		assert.ok(ids.includes('a3') && ids.includes('t3'), 'set_output stays');
		assert.ok(!ids.includes('a2') && !ids.includes('t2'), 'the plain Write pair is collapsed');
		const reference = plan.synthetic?.text ?? '';
		assert.match(reference, /TOOLS ALREADY CALLED:\n {2}Write \(1x\):\n {4}- src\/billing\/parquet\.ts/);
		assert.match(reference, /FILES WRITTEN: src\/billing\/parquet\.ts/);
		assert.match(reference, /OUTPUTS SET: report_path/);
		assert.match(reference, /ERRORS \(do not retry these\):\n {2}- Error: ENOENT/);
		assert.deepEqual(toolPairProblems(out.messages), []);
		const spill = renderSpill(plan, transcript)?.text ?? '';
		assert.ok(
			spill.includes('"file_path":"src/billing/parquet.ts"'),
			'collapsed calls are in the spill file',
		);
	});

	it('H6 the digest lists tools with counts and key inputs', () => {
		const digest = toolHistoryDigest(
			[
				{ name: 'Bash', argumentsText: JSON.stringify({ command: 'npm test' }) },
				{ name: 'Bash', argumentsText: JSON.stringify({ command: 'npm run lint' }) },
				{ name: 'WebFetch', argumentsText: JSON.stringify({ url: 'https://example.com/a' }) },
			],
			[],
			[],
		);
		assert.equal(
			digest,
			'TOOLS ALREADY CALLED:\n  Bash (2x):\n    - npm test\n    - npm run lint\n  WebFetch (1x):\n    - https://example.com/a',
		);
	});

	it('Z1 tc-cap cuts tool results longer than the cap, keeping the start and the end of the text', () => {
		assert.equal(defaultToolResultCapChars, 10_000);
		const text = longOutput('src/a.ts', 400);
		const capped = capToolResultText(text, 1_000);
		assert.ok(capped.length < 1_200);
		assert.ok(capped.startsWith(text.slice(0, 700)));
		assert.ok(capped.endsWith(text.slice(-150)));
		assert.match(capped, /characters cut by the tool-result size cap …\]/);
		assert.equal(capToolResultText('short', 1_000), 'short');

		const transcript = transcriptOf(anthropicSession(), 'anthropic-messages');
		const plan = planCompaction(
			transcript,
			options('tc-cap', { toolResultCapChars: 1_000, headMessages: 1 }),
		);
		assert.deepEqual(
			plan.edits.map((e) => `${e.kind}:${transcript.messages[e.message]?.id}`),
			['toolResultCap:t1'],
		);
		assert.ok(plan.fates.every((f) => f === 'kept'));
		assert.equal(plan.synthetic, undefined);
	});

	it('Z2 lru keeps system messages, the first user message and the newest messages up to max_messages', () => {
		assert.equal(defaultMaxMessages, 50);
		const messages: Message[] = [
			message('s', 'system', [textPart('system')]),
			...Array.from({ length: 20 }, (_, i) =>
				message(`m${i}`, i % 2 === 0 ? 'user' : 'assistant', [textPart(`message ${i} about src/f${i}.ts`)]),
			),
		];
		const transcript = transcriptOf(messages);
		const plan = planCompaction(transcript, options('lru', { maxMessages: 8 }));
		const kept = messages.filter((_, i) => plan.fates[i] === 'kept').map((m) => m.id);
		assert.deepEqual(kept, ['s', 'm0', 'm14', 'm15', 'm16', 'm17', 'm18', 'm19']);
		assert.deepEqual(plan.eviction, {
			messagesBefore: 21,
			messagesAfter: 8,
			messagesEvicted: 13,
			tokensEvicted: plan.messageTokens.slice(2, 15).reduce((a, b) => a + b, 0),
			isTriggered: true,
		});
		const out = applyPlan(transcript, plan, undefined);
		const marker = out.messages.find((m) => m.flags.isSummary);
		assert.match(
			marker?.parts[0]?.kind === 'text' ? marker.parts[0].text : '',
			/13 earlier messages .* at most 8 messages are kept/,
		);
		assert.equal(
			planCompaction(transcript, options('lru', { maxMessages: 50 })).eviction?.isTriggered,
			false,
		);
	});

	it('Z3 window keeps the first turn and the last max_turns - 1 turns; a turn runs from one user prompt to the next', () => {
		assert.equal(defaultMaxTurns, 20);
		const messages: Message[] = [];
		for (let t = 0; t < 6; t++) {
			messages.push(message(`u${t}`, 'user', [textPart(`Request ${t}: update src/module${t}.ts please.`)]));
			messages.push(
				message(`a${t}`, 'assistant', [callPart(`c${t}`, 'Read', { file_path: `src/module${t}.ts` })]),
			);
			messages.push(message(`r${t}`, 'user', [resultPart(`c${t}`, `contents ${t}`)]));
			messages.push(message(`d${t}`, 'assistant', [textPart(`Done with ${t}.`)]));
		}
		assert.equal(splitTurns(messages).length, 6, 'tool results in user messages do not start turns');
		const transcript = transcriptOf(messages, 'claude-code');
		const plan = planCompaction(transcript, options('window', { maxTurns: 3 }));
		const kept = new Set(messages.filter((_, i) => plan.fates[i] === 'kept').map((m) => m.id));
		assert.deepEqual(
			[...kept].filter((id) => id.startsWith('u')),
			['u0', 'u4', 'u5'],
		);
		assert.equal(plan.eviction?.messagesEvicted, 12);
		const out = applyPlan(transcript, plan, undefined);
		assert.deepEqual(toolPairProblems(out.messages), []);
	});

	it('C4 rotate starts a fresh session: system messages, then a handoff carrying the summary and the active task', () => {
		const messages = [
			message('s', 'system', [textPart('You are a coding agent.')]),
			...anthropicSession().map((m) => ({ ...m, id: `x-${m.id}` })),
		];
		const transcript = transcriptOf(messages, 'openai-chat' as FormatId);
		const plan = planCompaction(transcript, options('rotate', { contextWindow: 2_000 }));
		assert.ok(plan.preflight.ok, plan.preflight.ok ? '' : plan.preflight.message);
		assert.deepEqual(
			[plan.regions.head.to, plan.regions.tail.from, plan.regions.tail.to],
			[1, messages.length, messages.length],
		);
		assert.equal(plan.rotation?.oldSessionId, 'example-session');
		assert.equal(plan.rotation?.isDue, true);
		assert.ok(plan.needsSummary);
		const out = applyPlan(transcript, plan, 'Built the parquet exporter; tests pending.');
		assert.equal(out.messages.length, 2);
		const handoff = out.messages[1];
		const text = handoff?.parts[0]?.kind === 'text' ? handoff.parts[0].text : '';
		assert.match(text, /Built the parquet exporter; tests pending\./);
		assert.match(
			text,
			/## Active Task \(verbatim, the request to continue with\)\nNow wire it into scheduler\.py and run the tests\./,
		);
		assert.equal(handoff?.role, 'user');
	});
});
