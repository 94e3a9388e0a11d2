import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readCompactionLog } from '../../../src/core/hooks/compactionLog';
import {
	GateServer,
	type GateAnswer,
	type GateRequest,
	type WindowFigures,
} from '../../../src/core/hooks/gateChannel';
import { compactionLogPath } from '../../../src/core/hooks/hookPaths';
import { measureTranscript } from '../../../src/core/hooks/measureTranscript';
import { heldReason, runCompactHook } from '../../../src/core/hooks/gateRun';
import {
	fileStamp,
	parseStamp,
	settleArguments,
	settleRecord,
	waitForWrite,
	type SettleRequest,
} from '../../../src/core/hooks/settleRecord';

const transcript = resolve(__dirname, '..', '..', 'fixtures', 'sample-claude-session.jsonl');

/** Our own measure, as the full CLI takes it. */
async function localMeasure(path: string): Promise<WindowFigures | undefined> {
	const measured = await measureTranscript(path);
	return measured.ok ? measured.figures : undefined;
}

function event(name: 'PreCompact' | 'PostCompact', trigger: 'auto' | 'manual', extra: object = {}): string {
	return JSON.stringify({
		session_id: 'session-7',
		transcript_path: transcript,
		cwd: '/work/app',
		hook_event_name: name,
		trigger,
		...extra,
	});
}

describe('the compaction hook run (stdin event to reply, with a window on a real socket)', function () {
	if (process.platform === 'win32') return;
	let home: string;
	let server: GateServer | undefined;
	const notes: string[] = [];
	const context = (): Parameters<typeof runCompactHook>[2] => ({
		home,
		maxWaitMs: 3_000,
		note: (l) => notes.push(l),
		measure: localMeasure,
	});
	beforeEach(() => {
		home = mkdtempSync(join(tmpdir(), 'clh-run-'));
		notes.length = 0;
	});
	afterEach(async () => {
		await server?.close();
		server = undefined;
		rmSync(home, { recursive: true, force: true });
	});

	async function window(answer: (r: GateRequest) => GateAnswer): Promise<GateRequest[]> {
		const seen: GateRequest[] = [];
		server = await GateServer.start(
			home,
			['/work/app'],
			{
				precompact: async (r) => {
					seen.push(r);
					return answer(r);
				},
				measure: async () => undefined,
			},
			(m) => assert.fail(m),
		);
		return seen;
	}

	it('holds the compaction when the person chooses Review: Claude Code block JSON, and a record', async () => {
		const figures = { tokens: 1840, contextWindow: 2000, percent: 92 };
		const seen = await window(() => ({ decision: 'review', by: 'person', figures }));
		const reply = await runCompactHook('claude-code', event('PreCompact', 'auto'), context());
		assert.deepEqual(JSON.parse(reply.stdout), { decision: 'block', reason: heldReason('claude-code') });
		assert.equal(reply.exitCode, 0);
		assert.deepEqual(seen, [
			{
				agent: 'claude-code',
				sessionId: 'session-7',
				trigger: 'auto',
				transcriptPath: transcript,
				cwd: '/work/app',
			},
		]);
		const log = await readCompactionLog(home, 'claude-code', 'session-7');
		assert.equal(log?.transcriptPath, transcript);
		assert.deepEqual(
			log?.compactions.map(({ decision, by, before, trigger }) => ({ decision, by, before, trigger })),
			[{ decision: 'review', by: 'person', before: figures, trigger: 'auto' }],
		);
	});

	it('holds a Codex compaction with continue:false', async () => {
		await window(() => ({ decision: 'review', by: 'person' }));
		const reply = await runCompactHook('codex', event('PreCompact', 'auto'), context());
		assert.deepEqual(JSON.parse(reply.stdout), { continue: false, stopReason: heldReason('codex') });
	});

	it('lets it run, printing nothing on stdout, when the person lets it compact', async () => {
		await window(() => ({ decision: 'compact', by: 'person' }));
		const reply = await runCompactHook('claude-code', event('PreCompact', 'auto'), context());
		assert.deepEqual(reply, { stdout: '', exitCode: 0 });
		assert.deepEqual(notes, ['Context Lens: you chose to let it compact; the compaction runs.']);
	});

	it('fails open with no window, measuring the transcript itself for the record', async () => {
		const reply = await runCompactHook('claude-code', event('PreCompact', 'auto'), context());
		assert.deepEqual(reply, { stdout: '', exitCode: 0 });
		assert.deepEqual(notes, [
			'Context Lens: no VS Code window with Context Lens is running; the compaction runs as usual.',
		]);
		const record = (await readCompactionLog(home, 'claude-code', 'session-7'))?.compactions[0];
		assert.equal(record?.by, 'no-window');
		assert.ok((record?.before?.tokens ?? 0) > 0, 'our own measure of the transcript');
	});

	it('fails open when the window does not answer in time, and says how long it waited', async () => {
		server = await GateServer.start(
			home,
			[],
			{ precompact: () => new Promise(() => undefined), measure: async () => undefined },
			() => undefined,
		);
		const reply = await runCompactHook('codex', event('PreCompact', 'auto'), {
			...context(),
			maxWaitMs: 400,
		});
		assert.deepEqual(reply, { stdout: '', exitCode: 0 });
		assert.deepEqual(notes, [
			'Context Lens: VS Code did not answer within 0.4 s; the compaction runs as usual.',
		]);
	});

	it('fails open on an unreadable event, writing no record', async () => {
		const reply = await runCompactHook('claude-code', '{"hook_event_name":"PreCompact"', context());
		assert.deepEqual(reply, { stdout: '', exitCode: 0 });
		assert.match(
			notes[0] ?? '',
			/^Context Lens: the hook input on stdin is not JSON .*; the compaction runs as usual\.$/,
		);
		assert.ok(!existsSync(join(home, 'compactions')));
	});

	it('after the compaction, completes the record with our measure and the summary length', async () => {
		await window(() => ({ decision: 'compact', by: 'timeout' }));
		await runCompactHook('claude-code', event('PreCompact', 'auto'), context());
		const after = await runCompactHook(
			'claude-code',
			event('PostCompact', 'auto', { compact_summary: 'x'.repeat(321) }),
			context(),
		);
		assert.deepEqual(after, { stdout: '', exitCode: 0 });
		const log = await readCompactionLog(home, 'claude-code', 'session-7');
		assert.equal(log?.compactions.length, 1);
		const record = log?.compactions[0];
		assert.equal(record?.by, 'timeout');
		assert.equal(record?.summaryChars, 321);
		assert.ok((record?.after?.tokens ?? 0) > 0 && record?.after?.at !== undefined);
		assert.ok(existsSync(compactionLogPath(home, 'claude-code', 'session-7')));
	});

	it('records a compaction the gate never saw as not asked', async () => {
		await runCompactHook('codex', event('PostCompact', 'manual'), context());
		const record = (await readCompactionLog(home, 'codex', 'session-7'))?.compactions[0];
		assert.equal(record?.by, 'not-asked');
		assert.equal(record?.trigger, 'manual');
	});
});

describe('finishing a record once the agent has written the compacted session', function () {
	if (process.platform === 'win32') return;
	let home: string;
	beforeEach(() => {
		home = mkdtempSync(join(tmpdir(), 'clh-settle-'));
	});
	afterEach(() => rmSync(home, { recursive: true, force: true }));

	it('the record hook hands over to a settle, which measures after the file changed and stayed quiet', async () => {
		const file = join(home, 'session.jsonl');
		copyFileSync(transcript, file);
		const requests: SettleRequest[] = [];
		const reply = await runCompactHook(
			'claude-code',
			JSON.stringify({
				session_id: 's-9',
				transcript_path: file,
				hook_event_name: 'PostCompact',
				trigger: 'auto',
				compact_summary: 'abc',
			}),
			{
				home,
				maxWaitMs: 1_000,
				note: () => undefined,
				measure: localMeasure,
				settleLater: (r) => requests.push(r),
			},
		);
		assert.deepEqual(reply, { stdout: '', exitCode: 0 });
		assert.equal(requests.length, 1);
		const pending = (await readCompactionLog(home, 'claude-code', 's-9'))?.compactions[0];
		assert.equal(pending?.summaryChars, 3);
		assert.equal(pending?.after, undefined, 'nothing measured before the agent writes');
		const request = requests[0];
		assert.ok(request !== undefined);
		assert.deepEqual(parseStamp(settleArguments(request).at(-1)), request.since);
		const lines = readFileSync(transcript, 'utf8')
			.split('\n')
			.filter((l) => l !== '');
		setTimeout(() => writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n`), 150);
		const started = Date.now();
		await settleRecord(home, request, localMeasure, { timeoutMs: 5_000, quietMs: 200, pollMs: 20 });
		assert.ok(Date.now() - started >= 300, 'waited for the write and the quiet time');
		const done = (await readCompactionLog(home, 'claude-code', 's-9'))?.compactions;
		assert.equal(done?.length, 1);
		const whole = await measureTranscript(transcript);
		assert.ok(
			whole.ok && (done?.[0]?.after?.tokens ?? Infinity) < whole.figures.tokens,
			'the shorter file was measured',
		);
		assert.ok((done?.[0]?.after?.tokens ?? 0) > 0);
	});

	it('waits no longer than its limit for a file that never changes', async () => {
		const file = join(home, 'still.jsonl');
		copyFileSync(transcript, file);
		const since = await fileStamp(file);
		assert.ok(since !== undefined);
		assert.equal(await waitForWrite(file, since, { timeoutMs: 200, quietMs: 50, pollMs: 20 }), false);
	});
});
