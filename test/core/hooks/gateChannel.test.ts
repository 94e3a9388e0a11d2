import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	announcedWindows,
	askGate,
	askMeasure,
	GateServer,
	parseGateRequest,
	type GateAnswer,
	type GateRequest,
} from '../../../src/core/hooks/gateChannel';
import { gatesDir } from '../../../src/core/hooks/hookPaths';

const figures = { tokens: 184_000, contextWindow: 200_000, percent: 92 };

const request: GateRequest = {
	agent: 'claude-code',
	sessionId: 's-1',
	trigger: 'auto',
	cwd: '/work/app/src',
};

describe('compaction gate channel (a real local socket)', function () {
	if (process.platform === 'win32') return;
	let home: string;
	const servers: GateServer[] = [];
	beforeEach(() => {
		home = mkdtempSync(join(tmpdir(), 'clh-'));
	});
	afterEach(async () => {
		for (const server of servers.splice(0)) await server.close();
		rmSync(home, { recursive: true, force: true });
	});

	async function serve(
		folders: string[],
		handler: (r: GateRequest) => Promise<GateAnswer>,
	): Promise<GateServer> {
		const server = await GateServer.start(
			home,
			folders,
			{ precompact: handler, measure: async (path) => (path === '/t.jsonl' ? figures : undefined) },
			(m) => assert.fail(m),
		);
		servers.push(server);
		return server;
	}

	it('carries the request to the window and its answer back', async () => {
		const seen: GateRequest[] = [];
		await serve(['/work/app'], async (r) => {
			seen.push(r);
			return {
				decision: 'review',
				by: 'person',
				figures: { tokens: 184_000, contextWindow: 200_000, percent: 92 },
			};
		});
		const outcome = await askGate(home, request, Date.now() + 5_000);
		assert.equal(outcome.kind, 'answered');
		assert.deepEqual(outcome.kind === 'answered' ? outcome.answer : undefined, {
			decision: 'review',
			by: 'person',
			figures: { tokens: 184_000, contextWindow: 200_000, percent: 92 },
		});
		assert.deepEqual(seen, [request]);
	});

	it('keeps the gates folder to its owner, and removes its announcement and socket when closed', async () => {
		const server = await serve([], async () => ({ decision: 'compact', by: 'person' }));
		assert.equal(statSync(gatesDir(home)).mode & 0o777, 0o700);
		assert.equal(readdirSync(gatesDir(home)).length, 2);
		await server.close();
		servers.length = 0;
		assert.deepEqual(readdirSync(gatesDir(home)), []);
	});

	it('with no window running, says so at once', async () => {
		const started = Date.now();
		assert.deepEqual(await askGate(home, request, Date.now() + 5_000), { kind: 'no-window' });
		assert.ok(Date.now() - started < 2_000);
	});

	it('gives up at the deadline when the window does not answer', async () => {
		await serve([], () => new Promise(() => undefined));
		const outcome = await askGate(home, request, Date.now() + 300);
		assert.equal(outcome.kind, 'no-answer');
	});

	it('forgets the announcement of a window whose process is gone', async () => {
		const stale = join(gatesDir(home), '999999999-dead00.json');
		await serve([], async () => ({ decision: 'compact', by: 'person' }));
		writeFileSync(
			stale,
			JSON.stringify({
				id: '999999999-dead00',
				pid: 999_999_999,
				socket: join(gatesDir(home), '999999999-dead00.sock'),
				folders: ['/work/app'],
				focusedAt: Date.now() + 1,
			}),
		);
		const outcome = await askGate(home, request, Date.now() + 5_000);
		assert.equal(outcome.kind, 'answered', 'the live window answers after the dead one is skipped');
		assert.ok(!readdirSync(gatesDir(home)).includes('999999999-dead00.json'));
	});

	it("asks the window whose folder holds the agent's working folder first, else the last focused", async () => {
		const elsewhere = await serve(['/other'], async () => ({ decision: 'compact', by: 'person' }));
		await serve(['/work/app'], async () => ({ decision: 'review', by: 'person' }));
		await new Promise((resolve) => setTimeout(resolve, 5));
		await elsewhere.focused();
		const order = await announcedWindows(home, '/work/app/src');
		assert.deepEqual(
			order.map((w) => w.folders[0]),
			['/work/app', '/other'],
		);
		const outcome = await askGate(home, request, Date.now() + 5_000);
		assert.equal(outcome.kind === 'answered' ? outcome.answer.decision : undefined, 'review');
		const unrelated = await announcedWindows(home, '/tmp/x');
		assert.deepEqual(
			unrelated.map((w) => w.folders[0]),
			['/other', '/work/app'],
			'most recently focused first',
		);
	});

	it('measures a transcript for the hook bundle, which has no tokenizer; nothing without a window', async () => {
		assert.equal(await askMeasure(home, '/t.jsonl', undefined, Date.now() + 2_000), undefined);
		await serve([], async () => ({ decision: 'compact', by: 'person' }));
		assert.deepEqual(await askMeasure(home, '/t.jsonl', undefined, Date.now() + 2_000), figures);
		assert.equal(await askMeasure(home, '/other.jsonl', undefined, Date.now() + 2_000), undefined);
	});

	it('accepts only well-formed requests from a client', async () => {
		assert.equal(
			parseGateRequest('{"kind":"precompact","agent":"vim","sessionId":"s","trigger":"auto"}'),
			undefined,
		);
		assert.equal(parseGateRequest('not json'), undefined);
		assert.deepEqual(parseGateRequest(JSON.stringify({ kind: 'precompact', ...request })), request);
	});
});
