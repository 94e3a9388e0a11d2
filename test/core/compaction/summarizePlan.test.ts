import { strict as assert } from 'node:assert';
import { withFallbackSummarizer } from '../../../src/core/compaction/fallbackSummarizer';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { buildSummaryRequest, summarizePlan } from '../../../src/core/compaction/summarizePlan';
import type { SummaryOutcome, Summarizer } from '../../../src/core/compaction/summarizer';
import type { Message } from '../../../src/core/transcript/model';
import { callPart, message, resultPart, testCounter, textPart, transcriptOf } from './arbitraries';
import { RecordingSummarizer } from './kit';
import { secretCorpus } from '../summarize/secretCorpus';

function session(): Message[] {
	const messages: Message[] = [message('sys', 'system', [textPart('You are a coding agent.')])];
	for (let i = 0; i < 8; i++) {
		messages.push(
			message(`u${i}`, 'user', [
				textPart(`Please handle the parquet export step ${i}. ${'context '.repeat(300)}`),
			]),
		);
		messages.push(
			message(`a${i}`, 'assistant', [callPart(`c${i}`, 'Read', { file_path: `src/step${i}.ts` })]),
		);
		messages.push(message(`t${i}`, 'tool', [resultPart(`c${i}`, `step ${i} file\n`.repeat(200))]));
		messages.push(message(`d${i}`, 'assistant', [textPart(`Step ${i} done. report_path: out/step${i}.md`)]));
	}
	messages.push(
		message('ask', 'user', [textPart('Now switch scheduler.py to write_parquet() and rerun the tests.')]),
	);
	return messages;
}

const baseOptions = { counter: testCounter, contextWindow: 200_000, keepRecentMessages: 2 };

describe('summarizePlan', () => {
	it('builds the request from the plan: middle after the cheap pass, budget (R6), focus (R10), previous summary (R9), active task (R8), preserved values (H5)', async () => {
		const transcript = transcriptOf(session());
		const plan = planCompaction(transcript, {
			...baseOptions,
			focus: 'parquet',
			previousSummary: 'Earlier: set up the repo.',
			outputKeys: ['report_path'],
			minPruneTokens: 0,
			protectTokens: 0,
			summaryInputSource: 'pruned',
		});
		const summarizer = new RecordingSummarizer();
		const outcome = await summarizePlan(plan, summarizer, new AbortController().signal, testCounter);
		assert.ok(outcome.ok);
		const [request] = summarizer.requests;
		assert.ok(request !== undefined);
		// A redacted copy of the middle (R7): equal to it when nothing in it is secret.
		assert.deepEqual(request?.messages, plan.summaryInput);
		assert.equal(request?.budgetTokens, plan.summaryBudgetTokens);
		assert.equal(request?.focus, 'parquet');
		assert.equal(request?.previousSummary, 'Earlier: set up the repo.');
		assert.equal(request?.activeTask, 'Now switch scheduler.py to write_parquet() and rerun the tests.');
		// d7 stays in the tail, so the newest discarded value is step 6's.
		assert.deepEqual(request?.preservedValues, { report_path: 'out/step6.md' });
		assert.equal(request?.countTokens('hello world'), testCounter.countText('hello world'));
		const pruned = request?.messages.flatMap((m) => m.parts).filter((p) => p.kind === 'toolResult') ?? [];
		assert.ok(
			pruned.length > 0 &&
				pruned.every((p) => p.kind === 'toolResult' && p.text.startsWith('[Read] read src/')),
		);
		assert.ok(request?.messages.every((m) => m.raw.length === 0 && m.parts.every((p) => !('raw' in p))));
		assert.equal(plan.options.focusShare, 0.65);
	});

	it('R3 by default the summariser reads the whole middle; the cheap pass still shows in the plan', () => {
		const transcript = transcriptOf(session());
		const options = { ...baseOptions, minPruneTokens: 0, protectTokens: 0 };
		const whole = planCompaction(transcript, options);
		const pruned = planCompaction(transcript, { ...options, summaryInputSource: 'pruned' });
		assert.equal(whole.options.summaryInputSource, 'full');
		assert.ok(whole.edits.length > 0, 'the cheap pass found edits');
		const results = (plan: typeof whole) =>
			plan.summaryInput.flatMap((m) => m.parts).filter((p) => p.kind === 'toolResult');
		assert.ok(results(whole).every((p) => p.kind === 'toolResult' && !p.text.startsWith('[Read] read src/')));
		assert.ok(results(pruned).some((p) => p.kind === 'toolResult' && p.text.startsWith('[Read] read src/')));
		assert.ok(whole.summaryInputTokens > pruned.summaryInputTokens);
		assert.equal(
			whole.summaryBudgetTokens,
			pruned.summaryBudgetTokens,
			'R6 budgets from what is replaced either way',
		);
	});

	it('R10 a /compress focus reaches the summariser and the plan (D7)', () => {
		const plan = planCompaction(transcriptOf(session()), { ...baseOptions, focus: '  invoice ids  ' });
		assert.equal(plan.options.focus, 'invoice ids');
		assert.equal(buildSummaryRequest(plan, testCounter).focus, 'invoice ids');
	});

	it('R7/R12 any summariser gets the middle redacted, and its answer and failures come back redacted', async () => {
		const planted = secretCorpus.slice(0, 14);
		const messages = session();
		planted.forEach((c, i) => messages.splice(2 + i, 0, message(`s${i}`, 'user', [textPart(c.text)])));
		const plan = planCompaction(transcriptOf(messages), baseOptions);
		const secrets = planted.flatMap((c) => c.secrets);
		const echo = new RecordingSummarizer((request) => ({
			ok: true,
			text: `## Critical Context\n${planted.map((c) => c.text).join('\n')}\n${request.messages.length} messages`,
		}));
		const outcome = await summarizePlan(plan, echo, new AbortController().signal, testCounter);
		const sent = JSON.stringify(echo.requests[0]?.messages ?? []);
		assert.ok(sent.includes('[redacted: password]'));
		for (const secret of secrets) assert.ok(!sent.includes(secret), `sent ${secret}`);
		assert.ok(outcome.ok);
		for (const secret of secrets) assert.ok(!outcome.text.includes(secret), `wrote ${secret}`);
		const [hard] = planted;
		assert.ok(hard !== undefined);
		const throwing: Summarizer = {
			id: 'boom',
			summarize: () => Promise.reject(new Error(`bad request: ${hard.text}`)),
		};
		const failed = await summarizePlan(plan, throwing, new AbortController().signal, testCounter);
		assert.ok(!failed.ok && !failed.message.includes(hard.secrets[0] ?? '\u0000'));
	});

	it('G5 a summariser failure or exception comes back as a failed outcome, never a throw', async () => {
		const plan = planCompaction(transcriptOf(session()), baseOptions);
		const failing = new RecordingSummarizer(() => ({
			ok: false,
			reason: 'transient',
			message: 'rate limited',
		}));
		assert.deepEqual(await summarizePlan(plan, failing, new AbortController().signal, testCounter), {
			ok: false,
			reason: 'transient',
			message: 'rate limited',
		});
		const throwing: Summarizer = {
			id: 'boom',
			summarize: () => Promise.reject(new Error('socket hang up')),
		};
		const outcome = await summarizePlan(plan, throwing, new AbortController().signal, testCounter);
		assert.deepEqual(outcome, {
			ok: false,
			reason: 'failed',
			message: 'The summariser boom failed: socket hang up',
		});
		const empty = new RecordingSummarizer(() => ({ ok: true, text: '  ' }));
		const emptyOutcome = await summarizePlan(plan, empty, new AbortController().signal, testCounter);
		assert.equal(emptyOutcome.ok === false && emptyOutcome.reason, 'emptyResponse');
	});

	it('honours the abort signal even when the summariser ignores it', async () => {
		const plan = planCompaction(transcriptOf(session()), baseOptions);
		const never: Summarizer = { id: 'slow', summarize: () => new Promise<SummaryOutcome>(() => undefined) };
		const controller = new AbortController();
		const pending = summarizePlan(plan, never, controller.signal, testCounter);
		controller.abort();
		const outcome = await pending;
		assert.equal(outcome.ok === false && outcome.reason, 'cancelled');
		const aborted = AbortSignal.abort();
		const recording = new RecordingSummarizer();
		const early = await summarizePlan(plan, recording, aborted, testCounter);
		assert.equal(early.ok === false && early.reason, 'cancelled');
		assert.equal(recording.requests.length, 0);
	});

	it('R16 a plan with nothing in the middle never calls the summariser', async () => {
		const transcript = transcriptOf(session().slice(0, 4));
		const plan = planCompaction(transcript, baseOptions);
		assert.equal(plan.preflight.ok, false);
		assert.equal(plan.needsSummary, false);
		const summarizer = new RecordingSummarizer();
		const outcome = await summarizePlan(plan, summarizer, new AbortController().signal, testCounter);
		assert.equal(outcome.ok, false);
		assert.equal(summarizer.requests.length, 0);
		assert.match(plan.preflight.ok ? '' : plan.preflight.message, /^Nothing to compact/);
	});

	it('R12 a missing separate summary model falls back once to the main model', async () => {
		const plan = planCompaction(transcriptOf(session()), baseOptions);
		const cheap = new RecordingSummarizer(() => ({
			ok: false,
			reason: 'modelNotFound',
			message: 'no such model',
		}));
		const main = new RecordingSummarizer(() => ({ ok: true, text: 'main model summary' }));
		const summarizer = withFallbackSummarizer(cheap, main);
		assert.equal(summarizer.id, cheap.id);
		const first = await summarizePlan(plan, summarizer, new AbortController().signal, testCounter);
		assert.deepEqual(first, { ok: true, text: 'main model summary' });
		await summarizePlan(plan, summarizer, new AbortController().signal, testCounter);
		assert.equal(cheap.requests.length, 1, 'the missing model is not tried again');
		assert.equal(main.requests.length, 2);
		const transient = withFallbackSummarizer(
			new RecordingSummarizer(() => ({ ok: false, reason: 'transient', message: 'timeout' })),
			main,
		);
		const outcome = await summarizePlan(plan, transient, new AbortController().signal, testCounter);
		assert.equal(outcome.ok === false && outcome.reason, 'transient', 'only a missing model falls back');
	});
});
