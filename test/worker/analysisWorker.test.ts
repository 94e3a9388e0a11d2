import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, platform, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { generateClaudeSession } from '../../bench/generateClaudeSession';
import { analyzeBudget } from '../../src/core/budget/analyzeBudget';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { createOfflineSummarizer } from '../../src/core/summarize/offline/offlineSummarizer';
import { makeFlags, messagesInWindow } from '../../src/core/transcript/model';
import type { TranscriptView } from '../../src/core/view/viewModel';
import { decodeHostPost, transcriptViewPosts } from '../../src/protocol/messages';
import { type EncodedViewParts, withRowTexts } from '../../src/protocol/viewWire';
import { AnalysisWorkerError, WorkerAnalysisClient } from '../../src/worker/client';
import { InProcessAnalysisClient } from '../../src/worker/inProcessClient';
import type { PlanSettings, WorkProgress } from '../../src/worker/protocol';
import { ClaudeSessionWriter } from '../host/suite/claudeSessionWriter';
import { withAgentCompaction } from '../support/compactedSample';

const sampleSession = resolve(__dirname, '..', 'fixtures', 'sample-claude-session.jsonl');

/** A view the worker sent as JSON bytes (skeleton and row texts), as the page has it once every part arrived. */
function decodeView(parts: EncodedViewParts): TranscriptView {
	const posts = transcriptViewPosts('x', 1, parts).map(decodeHostPost);
	const shown = posts[0];
	assert.equal(shown?.type, 'transcript/show');
	let rows = shown.view.rows;
	for (const post of posts.slice(1)) {
		assert.equal(post.type, 'transcript/rowTexts');
		rows = withRowTexts(rows, post.texts);
	}
	return { ...shown.view, rows };
}

const workerEntry = resolve(__dirname, '..', '..', 'src', 'worker', 'main.ts');

const planSettings: PlanSettings = {
	defaultStrategy: 'summarize',
	headMessages: 3,
	tailRatio: 0.2,
	compactionRatio: 0.8,
	rotationRatio: 0.95,
};

describe('analysis worker', function () {
	this.timeout(60_000);
	let dir: string;
	let script: string;
	let client: WorkerAnalysisClient;

	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'context-lens-worker-'));
		writeFileSync(join(dir, 'large.jsonl'), generateClaudeSession({ seed: 3, targetBytes: 8 * 1024 * 1024 }));
		// The worker's entry alone, bundled as esbuild.mjs bundles it into dist/extension.js (here with the tokenizer
		// inside, as dist/encoding.js is not built); the host suites run the shipped bundle as the worker.
		script = join(dir, 'worker.js');
		await build({
			entryPoints: [workerEntry],
			outfile: script,
			bundle: true,
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			mainFields: ['module', 'main'],
			logLevel: 'silent',
		});
	});
	beforeEach(() => {
		client = new WorkerAnalysisClient(script);
	});
	afterEach(async () => {
		await client.dispose();
	});
	after(() => rmSync(dir, { recursive: true, force: true }));

	it('runs its thread below normal priority on Linux, leaving the calling thread as it was, and logs it', async function () {
		const lines: string[] = [];
		const logged = new WorkerAnalysisClient(script, { log: (line) => lines.push(line) });
		try {
			const before = getPriority();
			const priority = await logged.call('worker.priority', {});
			if (platform() === 'linux') {
				assert.equal(priority.isLowered, true, priority.why);
				assert.ok((priority.nice ?? 0) > before, `worker nice ${priority.nice} above the caller's ${before}`);
			} else assert.equal(priority.isLowered, false);
			assert.equal(getPriority(), before, "the calling thread's priority is unchanged");
			// The client asks for the priority itself right after the worker starts, and logs the answer.
			for (let i = 0; i < 100 && !lines.some((line) => line.includes('priority')); i++)
				await new Promise((resolveWait) => setTimeout(resolveWait, 20));
			assert.ok(
				lines.some((line) =>
					/analysis worker runs (below normal|at the extension host's) priority/.test(line),
				),
			);
		} finally {
			await logged.dispose();
		}
	});

	it('reads and counts a session in the thread as core does here, then counts only what an append added', async () => {
		const file = join(dir, 'live.jsonl');
		const writer = new ClaudeSessionWriter();
		writeFileSync(file, writer.session(30));
		const progress: WorkProgress[] = [];
		const first = await client.call(
			'session.refresh',
			{ path: file, windows: {} },
			{ onProgress: (p) => progress.push(p) },
		);
		assert.ok(first.ok, first.ok ? '' : first.message);
		const read = await readTranscriptFile(file);
		assert.ok(read.ok);
		const here = analyzeBudget(read.transcript, { file, windows: {} });
		assert.equal(first.report.tokens.total, here.tokens.total);
		assert.deepEqual(first.report.messageTokens, here.messageTokens);
		assert.ok(
			progress.some((p) => p.phase === 'reading' && p.done === p.total),
			'the read reports its last chunk',
		);

		const idle = await client.call('session.refresh', { path: file, windows: {} });
		assert.ok(idle.ok);
		assert.equal(idle.hasChanged, false);

		const turn = writer.turn(31, 20);
		appendFileSync(file, turn);
		const grown = await client.call('session.refresh', { path: file, windows: {} });
		assert.ok(grown.ok);
		assert.equal(grown.hasChanged, true);
		assert.equal(grown.bytesRead, Buffer.byteLength(turn), 'only the appended bytes are read');
		assert.ok(grown.report.messages > first.report.messages);
		const reread = await readTranscriptFile(file);
		assert.ok(reread.ok);
		assert.equal(
			grown.report.tokens.total,
			analyzeBudget(reread.transcript, { file, windows: {} }).tokens.total,
		);

		const windowed = await client.call('session.refresh', { path: file, windows: { 'claude-*': 50_000 } });
		assert.ok(windowed.ok);
		assert.equal(windowed.hasChanged, true, 'new window settings re-measure an unchanged file');
		assert.equal(windowed.report.contextWindow, 50_000);
	});

	it('answers views, what-if plans, details, lines and the export as the same code does in this thread', async () => {
		const file = join(dir, 'view.jsonl');
		writeFileSync(file, new ClaudeSessionWriter().session(40));
		const here = new InProcessAnalysisClient();
		const session = { path: file, windows: {} };
		// The worker has not read the file: a view call reads it first.
		const view = await client.call('session.view', { ...session, plan: planSettings });
		assert.ok(view.ok, view.ok ? '' : view.message);
		const expected = await here.call('session.view', { ...session, plan: planSettings });
		assert.ok(expected.ok);
		const shown = decodeView(view);
		assert.deepEqual(shown.rows, decodeView(expected).rows);
		assert.deepEqual(shown.gauge, decodeView(expected).gauge);

		const whatIf = { strategy: 'structure' as const, headMessages: 1 };
		const planned = await client.call('session.plan', { ...session, plan: planSettings, whatIf });
		const plannedHere = await here.call('session.plan', { ...session, plan: planSettings, whatIf });
		assert.ok(planned.ok && plannedHere.ok);
		assert.deepEqual(planned.plan.fates, plannedHere.plan.fates);
		assert.equal(planned.plan.whatIf.strategy, 'structure');

		const details = await client.call('session.details', { ...session, index: 2 });
		assert.ok(details.ok && details.details !== undefined);
		assert.equal(details.details.index, 2);
		const outside = await client.call('session.details', { ...session, index: 10_000 });
		assert.ok(outside.ok);
		assert.equal(outside.details, undefined);

		const read = await readTranscriptFile(file);
		assert.ok(read.ok);
		assert.equal(shown.rows.length, messagesInWindow(read.transcript).length, 'one row per window message');
		const line = await client.call('session.line', { ...session, index: 2 });
		assert.ok(line.ok);
		assert.equal(line.line, messagesInWindow(read.transcript)[2]?.lines.from);

		const exported = await client.call('session.export', { ...session, plan: planSettings });
		assert.ok(exported.ok);
		assert.match(exported.text, /^\[STATS\]\nformat: claude-code\n/);
	});

	it('says why a file is not a transcript, and measures one once without keeping it', async () => {
		const notes = join(dir, 'notes.json');
		writeFileSync(notes, '{"hello": "world"}');
		const refused = await client.call('session.refresh', { path: notes, windows: {} });
		assert.ok(!refused.ok);
		assert.match(refused.message, /notes\.json/);
		const file = join(dir, 'measured.jsonl');
		writeFileSync(file, new ClaudeSessionWriter().session(10));
		const measured = await client.call('file.measure', { path: file, windows: {} });
		assert.ok(measured.ok);
		assert.equal(measured.report.format, 'claude-code');
	});

	it('stops a cancelled read, answers it as cancelled, and goes on serving', async () => {
		const file = join(dir, 'large.jsonl');
		const controller = new AbortController();
		const stopped = await client.call(
			'session.refresh',
			{ path: file, windows: {} },
			{ signal: controller.signal, onProgress: () => controller.abort() },
		);
		assert.ok(!stopped.ok);
		assert.equal(stopped.isCancelled, true);
		const thread = client.threadId;
		const again = await client.call('session.refresh', { path: file, windows: {} });
		assert.ok(again.ok, again.ok ? '' : again.message);
		assert.equal(client.threadId, thread, 'the worker stopped the work itself and was not restarted');
	});

	it('plans a review with a summariser the host holds, asked across the thread', async () => {
		const file = join(dir, 'review.jsonl');
		writeFileSync(file, new ClaudeSessionWriter().session(40));
		const offline = createOfflineSummarizer();
		let asked = 0;
		const created = await client.call(
			'review.create',
			{
				file,
				request: { strategy: 'summarize', focus: 'invoice' },
				settings: { headMessages: 3, tailRatio: 0.2, triggerRatio: 0.8, rotationRatio: 0.95, windows: {} },
				summarizer: { where: 'host', id: 'host-offline' },
				maxLostFacts: 200,
			},
			{
				summarizer: {
					id: offline.id,
					summarize: (request, signal) => {
						asked++;
						return offline.summarize(request, signal);
					},
				},
			},
		);
		assert.ok(created.ok, created.ok ? '' : created.message);
		assert.equal(asked, 1);
		assert.equal(created.review.summarizerId, 'host-offline');
		assert.ok((created.review.summary ?? '').length > 0);
		const original = await client.call('review.document', {
			review: created.review,
			windows: {},
			side: 'original',
		});
		const compacted = await client.call('review.document', {
			review: created.review,
			windows: {},
			side: 'compacted',
		});
		assert.ok(original.ok && compacted.ok);
		assert.ok(compacted.text.length < original.text.length);
	});

	it("summarises a chat's messages with the summariser it builds, counting before and after", async () => {
		const messages = Array.from({ length: 12 }, (_, i) => ({
			id: `chat-${i}`,
			role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
			parts: [
				{
					kind: 'text' as const,
					text: `Turn ${i}: we moved the invoice rounding to src/invoice/rounding.ts and ${'kept the tests green. '.repeat(40)}`,
				},
			],
			flags: makeFlags(),
			lines: { from: i + 1, to: i + 1 },
			raw: [],
		}));
		const done = await client.call('messages.summarize', {
			messages,
			focus: 'rounding',
			summarizer: { where: 'worker', config: { kind: 'offline' } },
		});
		assert.ok(done.outcome.ok, done.outcome.ok ? '' : done.outcome.message);
		assert.ok(done.tokensBefore > 0);
		assert.ok((done.tokensAfter ?? Infinity) < done.tokensBefore, 'the summary is shorter than the chat');
	});

	it('pins a message so plans keep it, and finds the pin again after an append', async () => {
		const file = join(dir, 'pins.jsonl');
		const writer = new ClaudeSessionWriter();
		writeFileSync(file, writer.session(30));
		const session = { path: file, windows: {} };
		const pinned = await client.call('session.pin', {
			...session,
			pins: undefined,
			index: 37,
			isPinned: true,
		});
		assert.ok(pinned.ok, pinned.ok ? '' : pinned.message);
		assert.deepEqual(pinned.indexes, [37]);
		const pins = { sessionId: pinned.sessionId, keys: pinned.keys };
		const plan = await client.call('session.plan', { ...session, plan: planSettings, whatIf: {}, pins });
		assert.ok(plan.ok);
		assert.deepEqual(plan.plan.pinned.messages, [37]);
		appendFileSync(file, writer.turn(31, 20));
		const grown = await client.call('session.refresh', session);
		assert.ok(grown.ok && grown.hasChanged);
		const after = await client.call('session.pinned', { ...session, pins });
		assert.ok(after.ok);
		assert.deepEqual(after.indexes, [37], 'the pin finds its message in the grown session');
		const other = await client.call('session.pinned', {
			...session,
			pins: { ...pins, sessionId: 'another' },
		});
		assert.ok(other.ok);
		assert.deepEqual(other.indexes, [], 'pins set in another session of the file find nothing');
		const unpinned = await client.call('session.pin', { ...session, pins, index: 37, isPinned: false });
		assert.ok(unpinned.ok);
		assert.deepEqual(unpinned.keys, []);
	});

	it('compares every strategy with progress, from the cache the second time, and audits the session', async () => {
		const file = join(dir, 'compare.jsonl');
		writeFileSync(file, withAgentCompaction(readFileSync(sampleSession, 'utf8')));
		const session = { path: file, windows: {} };
		const progress: WorkProgress[] = [];
		const first = await client.call(
			'session.compare',
			{ ...session, plan: planSettings, focus: '' },
			{ onProgress: (p) => progress.push(p) },
		);
		assert.ok(first.ok, first.ok ? '' : first.message);
		assert.ok(first.view.rows.length > 3);
		assert.equal(first.view.isCached, false);
		assert.ok(progress.some((p) => p.phase === 'comparing' && p.strategy !== undefined));
		const again = await client.call('session.compare', { ...session, plan: planSettings, focus: '' });
		assert.ok(again.ok);
		assert.equal(again.view.isCached, true);
		const audit = await client.call('session.audit', {
			...session,
			compactionRatio: 0.8,
			rotationRatio: 0.95,
		});
		assert.ok(audit.ok, audit.ok ? '' : audit.message);
		assert.equal(audit.view.compactions.length, 1);
		assert.equal(audit.view.compactions[0]?.canRestore, true);
		const restore = await client.call('review.restore', {
			file,
			compaction: 0,
			settings: { headMessages: 3, tailRatio: 0.2, triggerRatio: 0.8, rotationRatio: 0.95, windows: {} },
			maxLostFacts: 200,
		});
		assert.ok(restore.ok, restore.ok ? '' : restore.message);
		assert.ok(restore.review.lostFacts.length > 0);
		// The review says what it restores, so its page and diff are not titled as a compaction.
		assert.equal(restore.review.restores, 1);
	});

	it('stops and restarts a worker that does not end a cancelled call in time', async () => {
		const file = join(dir, 'large.jsonl');
		// No grace at all: the cancel cannot be heard before the client gives up on the worker.
		const impatient = new WorkerAnalysisClient(script, { cancelGraceMs: 0 });
		try {
			const warm = await impatient.call('session.close', { path: file });
			assert.ok(warm.ok);
			const thread = impatient.threadId;
			const controller = new AbortController();
			await assert.rejects(
				impatient.call(
					'session.refresh',
					{ path: file, windows: {} },
					{ signal: controller.signal, onProgress: () => controller.abort() },
				),
				(error: unknown) => error instanceof AnalysisWorkerError && error.isCancelled,
			);
			const after = await impatient.call('session.refresh', { path: file, windows: {} });
			assert.ok(after.ok, after.ok ? '' : after.message);
			assert.notEqual(impatient.threadId, thread, 'a new worker answered');
		} finally {
			await impatient.dispose();
		}
	});

	it('rejects, rather than leaving waiting, every call to a worker that cannot start', async () => {
		const broken = new WorkerAnalysisClient(join(dir, 'missing-worker.js'));
		try {
			await assert.rejects(
				broken.call('session.refresh', { path: join(dir, 'none.jsonl'), windows: {} }),
				(error: unknown) => error instanceof AnalysisWorkerError && /analysis worker/.test(error.message),
			);
			await assert.rejects(
				broken.call('session.close', { path: 'x' }),
				(error: unknown) => error instanceof AnalysisWorkerError,
			);
		} finally {
			await broken.dispose();
		}
	});
});
