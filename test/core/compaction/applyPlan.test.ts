import { strict as assert } from 'node:assert';
import { applyPlan, checkPlanFits, syntheticText } from '../../../src/core/compaction/applyPlan';
import {
	handoffPrefix,
	interruptedResultText,
	mergedSummarySeparator,
	stripHandoffPrefix,
	systemPromptNote,
	withHandoffPrefix,
} from '../../../src/core/compaction/handoff';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import type { CompactionOptions } from '../../../src/core/compaction/options';
import { findKeyValue } from '../../../src/core/compaction/preservedValues';
import type { FormatId, Message } from '../../../src/core/transcript/model';
import { callPart, message, resultPart, testCounter, textPart, transcriptOf } from './arbitraries';
import { firstRepeatedRole, toolPairProblems } from './kit';

const filler = (label: string): string =>
	`${label}: ${'the exporter writes invoices to parquet files in batches. '.repeat(60)}`;

function options(extra: Partial<CompactionOptions> = {}): CompactionOptions {
	return { counter: testCounter, contextWindow: 200_000, keepRecentMessages: 2, ...extra };
}

/** user/assistant pairs with long texts, so the middle is worth summarising. */
function conversation(pairs: number, format: FormatId = 'openai-chat'): Message[] {
	const messages: Message[] = [];
	for (let i = 0; i < pairs; i++) {
		messages.push(message(`u${i}`, 'user', [textPart(`${filler(`request ${i}`)} Please handle step ${i}.`)]));
		messages.push(message(`a${i}`, 'assistant', [textPart(filler(`answer ${i}`))]));
	}
	return format === 'openai-chat'
		? [message('sys', 'system', [textPart('You are a coding agent.')]), ...messages]
		: messages;
}

function textOfMessage(m: Message | undefined): string {
	return (m?.parts ?? []).map((p) => (p.kind === 'text' ? p.text : '')).join('\n');
}

describe('applyPlan', () => {
	it('G3/R11 puts the summary in one user message behind the handoff prefix that says to resume from the messages below', () => {
		const transcript = transcriptOf(conversation(8));
		const plan = planCompaction(transcript, options());
		const out = applyPlan(transcript, plan, 'Steps 0-5 are done.');
		const summary = out.messages.find((m) => m.flags.isSummary);
		assert.equal(summary?.role, 'user');
		assert.equal(textOfMessage(summary), `${handoffPrefix}\n\nSteps 0-5 are done.`);
		assert.match(handoffPrefix, /reference only/);
		assert.match(handoffPrefix, /Resume from the messages below/);
		assert.match(handoffPrefix, /different assistant/);
		assert.equal(summary?.id, `${plan.id}-summary`);
		assert.deepEqual(summary?.raw, []);
	});

	it('R11 normalises an older prefix found in a summary and appends the one-time system note', () => {
		assert.equal(stripHandoffPrefix('[CONTEXT SUMMARY]: we did X'), 'we did X');
		assert.equal(stripHandoffPrefix(`${handoffPrefix}\n\nwe did Y`), 'we did Y');
		assert.equal(
			stripHandoffPrefix(
				'This session is being continued from a previous conversation that ran out of context. The conversation is summarized below:\nwe did Z\nPlease continue the conversation from where we left it off without asking the user any further questions.',
			),
			'we did Z',
		);
		assert.equal(
			stripHandoffPrefix(
				'[CONTEXT COMPACTED] The earlier portion was summarised. Summary:\n\nwe did W\n\nResume from the recent messages below.',
			),
			'we did W',
		);
		assert.equal(withHandoffPrefix(withHandoffPrefix('twice')), `${handoffPrefix}\n\ntwice`);

		const transcript = transcriptOf(conversation(8));
		const plan = planCompaction(transcript, options());
		assert.equal(plan.systemNote, 0);
		const out = applyPlan(transcript, plan, 'summary');
		const system = out.messages[0];
		assert.equal(system?.parts[0], transcript.messages[0]?.parts[0]);
		assert.equal(system?.parts[1]?.kind === 'text' && system.parts[1].text, systemPromptNote);
		const again = planCompaction(out, options());
		assert.equal(again.systemNote, undefined, 'the note is added only once');
	});

	it('R13 picks the summary role that differs from both neighbours in formats that need alternation', () => {
		const transcript = transcriptOf(conversation(8, 'anthropic-messages'), 'anthropic-messages');
		const plan = planCompaction(transcript, options({ headMessages: 2, keepRecentMessages: 3 }));
		const out = applyPlan(transcript, plan, 'summary of the middle');
		assert.equal(firstRepeatedRole(out.messages), -1);
		const head = planCompaction(transcript, options({ headMessages: 1, keepRecentMessages: 3 }));
		assert.equal(
			head.synthetic?.role,
			'assistant',
			'between a user head and a user tail it is an assistant message',
		);
		const withAssistantTail = planCompaction(transcript, options({ headMessages: 1, keepRecentMessages: 4 }));
		assert.equal(firstRepeatedRole(applyPlan(transcript, withAssistantTail, 's').messages), -1);
	});

	it('R13 merges the summary into the first tail message behind a separator when no role fits', () => {
		const transcript = transcriptOf(conversation(8, 'claude-code'), 'claude-code');
		// The head ends with an assistant message and the tail starts with a user message: neither role fits.
		const plan = planCompaction(transcript, options({ headMessages: 2, keepRecentMessages: 2 }));
		assert.ok(plan.layout.some((s) => s.kind === 'message' && s.hasSynthetic === true));
		assert.ok(!plan.layout.some((s) => s.kind === 'synthetic'));
		const out = applyPlan(transcript, plan, 'the middle in short');
		const merged = out.messages[2];
		const original = transcript.messages[plan.regions.tail.from];
		assert.equal(merged?.id, original?.id);
		assert.equal(merged?.role, 'user');
		const first = merged?.parts[0];
		assert.ok(
			first?.kind === 'text' &&
				first.text.endsWith(mergedSummarySeparator) &&
				first.text.includes('the middle in short'),
		);
		assert.equal(merged?.parts[1], original?.parts[0], 'the original parts follow unchanged');
		assert.equal(firstRepeatedRole(out.messages), -1);
	});

	it('R14/H8 removes orphaned results and gives calls without results an "interrupted" error result', () => {
		const messages: Message[] = [
			message('sys', 'system', [textPart('system')]),
			message('u0', 'user', [textPart('Check the build.')]),
			message('orphan', 'tool', [resultPart('ghost', 'a result whose call is gone')]),
			...conversation(6)
				.slice(1)
				.map((m) => ({ ...m, id: `c-${m.id}` })),
			message('u9', 'user', [textPart('Run the tests now.')]),
			message('a9', 'assistant', [callPart('live', 'Bash', { command: 'npm test' })]),
		];
		const transcript = transcriptOf(messages);
		const plan = planCompaction(transcript, options());
		// The orphan's only part goes, so its message is dropped.
		assert.equal(plan.fates[2], 'dropped');
		assert.deepEqual(plan.interruptedCalls, [{ message: messages.length - 1, callId: 'live', name: 'Bash' }]);
		const out = applyPlan(transcript, plan, 'summary');
		assert.deepEqual(toolPairProblems(out.messages), []);
		assert.ok(!out.messages.some((m) => m.id === 'orphan'), 'a message left empty is dropped');
		const stub = out.messages[out.messages.length - 1];
		assert.equal(stub?.role, 'tool');
		assert.deepEqual(stub?.parts, [
			{ kind: 'toolResult', callId: 'live', text: interruptedResultText, isError: true, images: [] },
		]);
		assert.equal(stub?.flags.isError, true);
	});

	it('R14 removes an orphaned result part and keeps its answered sibling', () => {
		const messages: Message[] = [
			...conversation(6, 'claude-code'),
			message('call', 'assistant', [callPart('real', 'Read', { file_path: 'a.ts' })]),
			message('results', 'user', [
				resultPart('real', 'contents of a.ts'),
				resultPart('ghost', 'from nowhere'),
			]),
		];
		const transcript = transcriptOf(messages, 'claude-code');
		const plan = planCompaction(transcript, options());
		assert.deepEqual(
			plan.edits
				.filter((e) => e.kind === 'orphanResult')
				.map((e) => [messages[e.message]?.id, e.part, e.replacement]),
			[['results', 1, null]],
		);
		const results = applyPlan(transcript, plan, 'summary').messages.find((m) => m.id === 'results');
		assert.deepEqual(results?.parts, [messages[messages.length - 1]?.parts[0]]);
	});

	it('R14 in alternating formats the interrupted result goes at the front of the next user message', () => {
		const messages: Message[] = [
			...conversation(6, 'claude-code'),
			message('call', 'assistant', [callPart('lost', 'Read', { file_path: 'a.ts' })]),
			message('next', 'user', [textPart('Never mind that file, look at b.ts instead.')]),
		];
		const transcript = transcriptOf(messages, 'claude-code');
		const plan = planCompaction(transcript, options());
		const out = applyPlan(transcript, plan, 'summary');
		const next = out.messages.find((m) => m.id === 'next');
		assert.equal(next?.parts[0]?.kind, 'toolResult');
		assert.equal(next?.parts[1], messages[messages.length - 1]?.parts[0]);
		assert.deepEqual(toolPairProblems(out.messages), []);
		assert.equal(firstRepeatedRole(out.messages), -1);
	});

	it('R12 without a summary the middle is dropped behind a static marker saying how many messages and turns', () => {
		const transcript = transcriptOf(conversation(8));
		const plan = planCompaction(transcript, options());
		const out = applyPlan(transcript, plan, undefined);
		const marker = textOfMessage(out.messages.find((m) => m.flags.isSummary));
		const removed = plan.counts.summarized;
		assert.ok(marker.startsWith(handoffPrefix));
		assert.match(
			marker,
			new RegExp(`${removed} messages \\(${Math.ceil(removed / 2)} turns\\) were removed`),
		);
		assert.equal(syntheticText(plan, '   '), marker);
	});

	it('H5 carries values of declared output keys from discarded assistant messages into the summary', () => {
		assert.equal(findKeyValue('{"report_path": "out/a.md", "n": 2}', 'report_path'), 'out/a.md');
		assert.equal(findKeyValue('Done. Result: {"score": 0.93} as requested', 'score'), '0.93');
		assert.equal(findKeyValue('report_path: out/b.md\nmore', 'report_path'), 'out/b.md');
		assert.equal(findKeyValue('set report_path = out/c.md', 'report_path'), 'out/c.md');
		assert.equal(findKeyValue('my_report_path: nope', 'report_path'), undefined);

		const messages = conversation(8);
		messages[4] = message('a1', 'assistant', [textPart('First draft. report_path: out/old.md')]);
		messages[6] = message('a2', 'assistant', [textPart('Final. {"report_path": "out/final.md"}')]);
		const transcript = transcriptOf(messages);
		const plan = planCompaction(transcript, options({ outputKeys: ['report_path', 'missing_key'] }));
		assert.deepEqual(plan.preservedValues, { report_path: 'out/final.md' });
		const text = textOfMessage(
			applyPlan(transcript, plan, 'summary').messages.find((m) => m.flags.isSummary),
		);
		assert.match(
			text,
			/PRESERVED VALUES \(carried over verbatim, do not lose these\):\n- report_path: out\/final\.md/,
		);
		const already = syntheticText(plan, 'summary mentioning report_path: out/final.md');
		assert.ok(!already.includes('PRESERVED VALUES'), 'not repeated when the summary carries it');
	});

	it('G4/R9 folds a summary that opens the window into the next summary instead of keeping it', () => {
		const messages = [
			message('sys', 'system', [textPart('system')]),
			message('old', 'user', [textPart(`${handoffPrefix}\n\nEarlier: exporter written.`)], {
				isSummary: true,
			}),
			...conversation(8).slice(1),
		];
		const transcript = transcriptOf(messages);
		const plan = planCompaction(transcript, options());
		assert.equal(plan.foldedSummary, 1);
		assert.equal(plan.previousSummary, 'Earlier: exporter written.');
		assert.equal(plan.fates[1], 'summarized');
		assert.ok(
			!plan.summaryInput.some((m) => m.id === 'old'),
			'the old summary travels as previousSummary, not as a message',
		);
		const out = applyPlan(transcript, plan, 'Exporter written; scheduler wired.');
		assert.equal(out.messages.filter((m) => m.flags.isSummary).length, 1);
		assert.equal(planCompaction(transcript, options({ previousSummary: 'given' })).previousSummary, 'given');
	});

	it('keeps format, meta and passthrough; unchanged messages are the same objects; messages added since planning follow', () => {
		const transcript = transcriptOf(conversation(8));
		const plan = planCompaction(transcript, options());
		const grown = {
			...transcript,
			messages: [...transcript.messages, message('late', 'user', [textPart('one more thing')])],
		};
		assert.ok(checkPlanFits(plan, grown).ok);
		const out = applyPlan(grown, plan, 'summary');
		assert.equal(out.messages[out.messages.length - 1]?.id, 'late');
		assert.equal(out.meta, transcript.meta);
		assert.equal(out.passthrough, transcript.passthrough);
		const tail = transcript.messages[transcript.messages.length - 1];
		assert.ok(out.messages.includes(tail as Message));

		const changed = { ...transcript, messages: transcript.messages.slice(1) };
		const fit = checkPlanFits(plan, changed);
		assert.equal(fit.ok, false);
		assert.throws(() => applyPlan(changed, plan, 'summary'), /plan again/);
	});

	it('D9 the summary the person edited in review is what gets applied', () => {
		const transcript = transcriptOf(conversation(8));
		const plan = planCompaction(transcript, options());
		const edited = 'Edited by the reviewer: keep src/billing/export.ts in mind.';
		const out = applyPlan(transcript, plan, edited);
		assert.ok(textOfMessage(out.messages.find((m) => m.flags.isSummary)).endsWith(edited));
	});

	it('keeps the leading system messages and applies edits as new parts without raw', () => {
		const messages: Message[] = [
			message('sys', 'system', [textPart('system')]),
			message('u0', 'user', [textPart('Read the export module.')]),
			message('a0', 'assistant', [textPart('ok')]),
			message('call', 'assistant', [callPart('r', 'Read', { file_path: 'src/billing/export.ts' })]),
			message('res', 'tool', [resultPart('r', `${'row of the file contents here\n'.repeat(400)}`)]),
			...conversation(6)
				.slice(1)
				.map((m) => ({ ...m, id: `x-${m.id}` })),
		];
		const transcript = transcriptOf(messages);
		const plan = planCompaction(
			transcript,
			options({ strategy: 'prune', minPruneTokens: 0, protectTokens: 0 }),
		);
		const out = applyPlan(transcript, plan, undefined);
		const res = out.messages.find((m) => m.id === 'res');
		assert.notEqual(res, messages[4]);
		assert.deepEqual(res?.raw, messages[4]?.raw, 'the message keeps its source records for the writer');
		assert.equal('raw' in (res?.parts[0] ?? {}), false);
		assert.equal(out.messages[0], messages[0]);
	});
});
