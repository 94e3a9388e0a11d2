import { strict as assert } from 'node:assert';
import { summarizerFromCli } from '../../../src/cli/summarizerOption';
import {
	anthropicMessagesUrl,
	createAnthropicSummarizer,
} from '../../../src/core/summarize/providers/anthropic';
import { createSummarizer } from '../../../src/core/summarize/providers/createSummarizer';
import type { SummaryOutcome } from '../../../src/core/compaction/summarizer';
import { secretSamples } from './redactionSamples';
import { anthropicFrames, json, rechunk, sse, startProtocolServer } from './protocolServer';
import type { ProtocolServer } from './protocolServer';
import { fakeClock, message, request, secretSession } from './protocolSupport';

const never = new AbortController().signal;
const text = (t: string) => message('user', { kind: 'text', text: t });

function expectOk(outcome: SummaryOutcome): string {
	assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.reason}: ${outcome.message}`);
	return outcome.text;
}

function expectFailure(outcome: SummaryOutcome, reason: string): string {
	assert.ok(!outcome.ok, 'expected a failure');
	assert.equal(outcome.reason, reason, outcome.message);
	return outcome.message;
}

describe('protocol: Anthropic Messages on a local server', function () {
	this.timeout(20_000);
	let server: ProtocolServer;
	beforeEach(async () => {
		server = await startProtocolServer();
	});
	afterEach(() => server.close());

	const summarizer = (extra: Record<string, unknown> = {}) =>
		createAnthropicSummarizer({
			baseUrl: server.baseUrl,
			apiKey: 'ant-test-key',
			model: 'claude-haiku-4-5',
			...extra,
		});

	it('sends system, one user message, max_tokens 1.3x budget and the version header; assembles text deltas', async () => {
		server.script(sse(anthropicFrames(['## Active Task\n', 'Ship ', 'it.'])));
		const outcome = await summarizer().summarize(
			request([text('Ship the release.')], { focus: 'release notes' }),
			never,
		);
		assert.equal(expectOk(outcome), '## Active Task\nShip it.');
		const sent = server.requests[0];
		assert.ok(sent !== undefined);
		assert.equal(sent.url, '/v1/messages');
		assert.equal(sent.headers['x-api-key'], 'ant-test-key');
		assert.equal(sent.headers['anthropic-version'], '2023-06-01');
		assert.equal(sent.headers['authorization'], undefined);
		const body = sent.body ?? {};
		assert.equal(body['model'], 'claude-haiku-4-5');
		assert.equal(body['max_tokens'], 2600);
		assert.equal(body['stream'], true);
		assert.ok(String(body['system']).includes('different assistant'));
		const messages = body['messages'] as { role: string; content: string }[];
		assert.equal(messages.length, 1);
		assert.equal(messages[0]?.role, 'user');
		assert.ok(messages[0]?.content.includes('## Active Task'));
		assert.ok(messages[0]?.content.includes('FOCUS TOPIC: "release notes"'));
	});

	it('accepts a base URL with /v1 and reassembles byte-split streams', async () => {
		assert.equal(anthropicMessagesUrl('https://api.anthropic.com/'), 'https://api.anthropic.com/v1/messages');
		assert.equal(anthropicMessagesUrl('http://127.0.0.1:9/v1'), 'http://127.0.0.1:9/v1/messages');
		const pieces = ['Résumé ', '— ', '完成 ', '🚀 done'];
		server.script(rechunk(anthropicFrames(pieces), 5));
		const s = summarizer({ baseUrl: `${server.baseUrl}/v1` });
		assert.equal(expectOk(await s.summarize(request([text('x')]), never)), pieces.join(''));
		assert.equal(server.requests[0]?.url, '/v1/messages');
	});

	it('accepts a whole JSON message', async () => {
		server.script(
			json(200, {
				type: 'message',
				content: [
					{ type: 'text', text: 'Whole ' },
					{ type: 'text', text: 'message.' },
				],
				stop_reason: 'end_turn',
			}),
		);
		assert.equal(expectOk(await summarizer().summarize(request([text('x')]), never)), 'Whole message.');
	});

	it('puts no secret on the wire', async () => {
		server.script(sse(anthropicFrames(['ok'])));
		await summarizer().summarize(request(secretSession(), { focus: secretSamples[5]?.text ?? '' }), never);
		const wire = server.requests[0]?.rawBody ?? '';
		for (const sample of secretSamples) {
			assert.ok(!wire.includes(sample.secret), `${sample.name} reached the wire`);
			assert.ok(
				!wire.includes(JSON.stringify(sample.secret).slice(1, -1)),
				`${sample.name} reached the wire escaped`,
			);
		}
	});

	it('maps error events, refusals, truncated streams and HTTP errors', async () => {
		server.script(
			sse([
				...anthropicFrames(['partial'], { stop: false }).slice(0, 3),
				`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`,
			]),
			sse(anthropicFrames([''], { stopReason: 'refusal' })),
			sse(anthropicFrames(['cut off'], { stop: false })),
			sse(anthropicFrames([])),
			json(404, { type: 'error', error: { type: 'not_found_error', message: 'model: claude-nope' } }),
			json(
				529,
				{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
				{ 'retry-after': '3' },
			),
			json(401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }),
			sse(['event: message_start\ndata: {oops\n\n']),
		);
		const s = summarizer();
		assert.match(
			expectFailure(await s.summarize(request([text('x')]), never), 'transient'),
			/overloaded_error/,
		);
		expectFailure(await s.summarize(request([text('x')]), never), 'refused');
		expectFailure(await s.summarize(request([text('x')]), never), 'transient');
		expectFailure(await s.summarize(request([text('x')]), never), 'emptyResponse');
		assert.match(
			expectFailure(await s.summarize(request([text('x')]), never), 'modelNotFound'),
			/claude-nope/,
		);
		const overloaded = await s.summarize(request([text('x')]), never);
		expectFailure(overloaded, 'transient');
		assert.equal(!overloaded.ok && overloaded.retryAfterMs, 3000);
		assert.match(
			expectFailure(await s.summarize(request([text('x')]), never), 'refused'),
			/invalid x-api-key/,
		);
		expectFailure(await s.summarize(request([text('x')]), never), 'malformedResponse');
	});

	it('stops mid-stream when cancelled', async () => {
		const controller = new AbortController();
		server.script(
			sse(anthropicFrames(['one ', 'two ', 'three'], { stop: false }), {
				end: false,
				gapMs: 20,
				onWritten: (i) => i === 3 && controller.abort(),
			}),
		);
		expectFailure(await summarizer().summarize(request([text('x')]), controller.signal), 'cancelled');
	});

	it('retries an overloaded answer, then falls back once from a missing summary model', async () => {
		const clock = fakeClock();
		server.script(
			json(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
			json(404, { type: 'error', error: { type: 'not_found_error', message: 'model: tiny' } }),
			sse(anthropicFrames(['main model summary'])),
		);
		const s = createSummarizer(
			{
				kind: 'anthropic',
				baseUrl: server.baseUrl,
				apiKey: 'k',
				model: 'claude-sonnet-4-5',
				summaryModel: 'tiny',
			},
			{ policy: { clock } },
		);
		assert.equal(expectOk(await s.summarize(request([text('x')]), never)), 'main model summary');
		assert.deepEqual(
			server.requests.map((r) => r.body?.['model']),
			['tiny', 'tiny', 'claude-sonnet-4-5'],
		);
		assert.deepEqual(clock.sleeps, [1000]);
	});

	it('summarizerFromCli anthropic reads ANTHROPIC_API_KEY and CONTEXT_LENS_ANTHROPIC_BASE_URL', async () => {
		server.script(sse(anthropicFrames(['from cli'])));
		const made = summarizerFromCli('anthropic', 'claude-haiku-4-5', {
			ANTHROPIC_API_KEY: 'env-ant-key',
			CONTEXT_LENS_ANTHROPIC_BASE_URL: server.baseUrl,
		});
		assert.ok(made.ok);
		assert.equal(expectOk(await made.summarizer.summarize(request([text('x')]), never)), 'from cli');
		assert.equal(server.requests[0]?.headers['x-api-key'], 'env-ant-key');
	});
});
