import { strict as assert } from 'node:assert';
import { compactTranscript } from '../../../src/core/compaction/compactTranscript';
import type { CompactionOptions } from '../../../src/core/compaction/options';
import { handoffPrefix } from '../../../src/core/compaction/handoff';
import type { Message } from '../../../src/core/transcript/model';
import { callPart, message, resultPart, testCounter, textPart, transcriptOf } from './arbitraries';
import { RecordingSummarizer, windowOf } from './kit';

function session(): Message[] {
	const messages: Message[] = [message('sys', 'system', [textPart('You are a coding agent.')])];
	for (let i = 0; i < 8; i++) {
		messages.push(
			message(`u${i}`, 'user', [textPart(`Step ${i}: export invoices. ${'details '.repeat(250)}`)]),
		);
		messages.push(
			message(`a${i}`, 'assistant', [
				callPart(`c${i}`, 'Bash', { command: `python export.py --batch ${i}` }),
			]),
		);
		messages.push(
			message(`t${i}`, 'tool', [
				resultPart(
					`c${i}`,
					i === 3
						? "Traceback (most recent call last):\nKeyError: 'invoice_id_17'"
						: `batch ${i} ok\n`.repeat(150),
					i === 3,
				),
			]),
		);
		messages.push(
			message(`d${i}`, 'assistant', [textPart(`Batch ${i} handled in src/billing/batch_${i}.py.`)]),
		);
	}
	messages.push(
		message('ask', 'user', [textPart('Now switch scheduler.py to write_parquet() and rerun the tests.')]),
	);
	return messages;
}

const options: CompactionOptions = { counter: testCounter, contextWindow: 50_000, keepRecentMessages: 2 };

describe('compactTranscript', () => {
	it('C3 reports tokens and percent before/after, tokens freed, reduction, messages, timings and success', async () => {
		const transcript = transcriptOf(session());
		const summarizer = new RecordingSummarizer();
		const result = await compactTranscript(transcript, options, summarizer, new AbortController().signal);
		assert.ok(result.success, result.error);
		assert.equal(result.error, undefined);
		assert.equal(result.strategy, 'summarize');
		let before = 0;
		for (const m of windowOf(transcript)) before += testCounter.countMessage(m).total;
		let after = 0;
		for (const m of windowOf(result.transcript)) after += testCounter.countMessage(m).total;
		assert.equal(result.tokensBefore, before);
		assert.equal(result.tokensAfter, after);
		assert.equal(result.tokensFreed, before - after);
		assert.ok(Math.abs(result.reductionPercent - ((before - after) / before) * 100) < 1e-9);
		assert.ok(Math.abs(result.percentBefore - (before / 50_000) * 100) < 1e-9);
		assert.ok(Math.abs(result.percentAfter - (after / 50_000) * 100) < 1e-9);
		assert.equal(result.messagesBefore, transcript.messages.length);
		assert.equal(result.messagesAfter, result.transcript.messages.length);
		assert.ok(result.timingsMs.plan >= 0 && result.timingsMs.summarize >= 0 && result.timingsMs.apply >= 0);
		assert.equal(summarizer.requests.length, 1);
		assert.ok(result.summary?.startsWith('## Active Task'));
	});

	it('R15/G5 emits an event with messages and tokens before and after and the savings percent', async () => {
		const result = await compactTranscript(
			transcriptOf(session()),
			options,
			new RecordingSummarizer(),
			new AbortController().signal,
		);
		assert.deepEqual(result.events, [
			{
				type: 'compacted',
				strategy: 'summarize',
				planId: result.plan.id,
				messagesBefore: result.messagesBefore,
				messagesAfter: result.messagesAfter,
				tokensBefore: result.tokensBefore,
				tokensAfter: result.tokensAfter,
				savingsPercent: result.reductionPercent,
			},
		]);
	});

	it('C3/G5 a failed summary returns success=false with the error and the input transcript unchanged', async () => {
		const transcript = transcriptOf(session());
		const failing = new RecordingSummarizer(() => ({
			ok: false,
			reason: 'transient',
			message: 'The provider timed out.',
		}));
		const result = await compactTranscript(transcript, options, failing, new AbortController().signal);
		assert.equal(result.success, false);
		assert.equal(result.transcript, transcript);
		assert.match(result.error ?? '', /The provider timed out\. The transcript was left unchanged\./);
		assert.equal(result.tokensAfter, result.tokensBefore);
		assert.equal(result.tokensFreed, 0);
		assert.deepEqual(result.events, []);
		assert.equal(result.lostFacts, undefined);
	});

	it('R12 with onSummaryFailure "dropWithMarker" a failed summary drops the middle behind the static marker', async () => {
		const failing = new RecordingSummarizer(() => ({ ok: false, reason: 'transient', message: 'timeout' }));
		const result = await compactTranscript(
			transcriptOf(session()),
			{ ...options, onSummaryFailure: 'dropWithMarker' },
			failing,
			new AbortController().signal,
		);
		assert.ok(result.success);
		const marker = result.transcript.messages.find((m) => m.flags.isSummary)?.parts[0];
		assert.ok(
			marker?.kind === 'text' &&
				marker.text.startsWith(handoffPrefix) &&
				/were removed to free context space/.test(marker.text),
		);
	});

	it('R12 without a summariser the middle is dropped behind the static marker', async () => {
		const result = await compactTranscript(
			transcriptOf(session()),
			options,
			undefined,
			new AbortController().signal,
		);
		assert.ok(result.success);
		assert.equal(result.summary, undefined);
		const marker = result.transcript.messages.find((m) => m.flags.isSummary)?.parts[0];
		assert.ok(marker?.kind === 'text' && /No summary could be written/.test(marker.text));
	});

	it('R16 nothing to compact is a failure that says so, without calling the summariser', async () => {
		const transcript = transcriptOf(session().slice(0, 3));
		const summarizer = new RecordingSummarizer();
		const result = await compactTranscript(transcript, options, summarizer, new AbortController().signal);
		assert.equal(result.success, false);
		assert.match(result.error ?? '', /^Nothing to compact/);
		assert.equal(summarizer.requests.length, 0);
		assert.equal(result.transcript, transcript);
	});

	it('refuses a summary longer than what it replaces and keeps the input', async () => {
		const transcript = transcriptOf(session());
		const verbose = new RecordingSummarizer(() => ({ ok: true, text: 'word '.repeat(40_000) }));
		const result = await compactTranscript(transcript, options, verbose, new AbortController().signal);
		assert.equal(result.success, false);
		assert.match(result.error ?? '', /not fewer than/);
		assert.equal(result.transcript, transcript);
	});

	it('cancellation leaves the transcript unchanged', async () => {
		const transcript = transcriptOf(session());
		const result = await compactTranscript(
			transcript,
			options,
			new RecordingSummarizer(),
			AbortSignal.abort(),
		);
		assert.equal(result.success, false);
		assert.equal(result.transcript, transcript);
	});

	it('reports lost facts of the summarised middle against the compacted window', async () => {
		const forgetful = new RecordingSummarizer(() => ({ ok: true, text: 'Handled several batches.' }));
		const result = await compactTranscript(
			transcriptOf(session()),
			options,
			forgetful,
			new AbortController().signal,
		);
		assert.ok(result.success);
		const lost = result.lostFacts?.lost.map((a) => a.value) ?? [];
		assert.ok(lost.includes("KeyError: 'invoice_id_17'"), lost.join(' | '));
		assert.ok(lost.includes('src/billing/batch_2.py'));
		assert.ok(!lost.some((v) => v.includes('batch_7')), 'batch 7 is in the tail');
		assert.ok((result.lostFacts?.retention ?? 1) < 1);

		const careful = new RecordingSummarizer(() => ({
			ok: true,
			text: "Errors: KeyError: 'invoice_id_17'. Files: src/billing/batch_0.py src/billing/batch_1.py src/billing/batch_2.py src/billing/batch_3.py src/billing/batch_4.py src/billing/batch_5.py src/billing/batch_6.py",
		}));
		const better = await compactTranscript(
			transcriptOf(session()),
			options,
			careful,
			new AbortController().signal,
		);
		assert.ok((better.lostFacts?.retention ?? 0) > (result.lostFacts?.retention ?? 1));
		assert.ok(!better.lostFacts?.lost.some((a) => a.value === "KeyError: 'invoice_id_17'"));
	});

	it('D4/D5 the plan gives the gauge its numbers: window, trigger, protected head and tail regions', async () => {
		const result = await compactTranscript(
			transcriptOf(session()),
			options,
			new RecordingSummarizer(),
			new AbortController().signal,
		);
		const { plan } = result;
		assert.equal(plan.triggerTokens, 40_000);
		// Three head messages, plus the result of the call the third one makes (R4).
		assert.equal(plan.regions.head.to - plan.regions.head.from, 4);
		assert.equal(plan.regions.tail.from, plan.messageIds.length - 2);
		assert.equal(plan.tokensBefore, result.tokensBefore);
	});
});
