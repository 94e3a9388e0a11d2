import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { summarizerFromCli } from '../../../src/cli/summarizerOption';
import { compactTranscript } from '../../../src/core/compaction/compactTranscript';
import { handoffPrefix, withHandoffPrefix } from '../../../src/core/compaction/handoff';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';
import { corpusFiles, describeCorpus } from '../../support/corpus';
import { createSummarizer } from '../../../src/core/summarize/providers/createSummarizer';
import {
	createOpenAiCompatibleSummarizer,
	openAiRequestBody,
} from '../../../src/core/summarize/providers/openaiCompatible';
import { defaultSummaryPromptOptions } from '../../../src/core/summarize/prompts/buildSummaryPrompt';
import type { SummaryOutcome } from '../../../src/core/compaction/summarizer';
import { secretSamples } from './redactionSamples';
import { hang, json, openAiFrames, raw, rechunk, reset, sse, startProtocolServer } from './protocolServer';
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

describe('protocol: OpenAI-compatible chat completions on a local server', function () {
	this.timeout(20_000);
	let server: ProtocolServer;
	beforeEach(async () => {
		server = await startProtocolServer();
	});
	afterEach(() => server.close());

	const summarizer = (extra: Record<string, unknown> = {}) =>
		createOpenAiCompatibleSummarizer({
			baseUrl: `${server.baseUrl}/v1/`,
			model: 'qwen2.5:7b',
			apiKey: 'local-key-1',
			...extra,
		});

	it('sends the template, focus and budget and assembles the streamed summary', async () => {
		server.script(sse(openAiFrames(['## Active Task\n', 'Write the ', 'deploy script.'])));
		const outcome = await summarizer().summarize(
			request([text('Deploy the billing service.'), text('Now write the deploy script.')], {
				focus: 'deploy',
			}),
			never,
		);
		assert.equal(expectOk(outcome), '## Active Task\nWrite the deploy script.');
		assert.equal(outcome.ok && outcome.model, 'qwen2.5:7b');
		const [sent] = server.requests;
		assert.ok(sent !== undefined);
		assert.equal(sent.method, 'POST');
		assert.equal(sent.url, '/v1/chat/completions');
		assert.equal(sent.headers['authorization'], 'Bearer local-key-1');
		assert.equal(sent.headers['content-type'], 'application/json');
		const body = sent.body ?? {};
		assert.equal(body['model'], 'qwen2.5:7b');
		assert.equal(body['stream'], true);
		assert.equal(body['max_tokens'], 2600);
		const messages = body['messages'] as { role: string; content: string }[];
		assert.deepEqual(
			messages.map((m) => m.role),
			['system', 'user'],
		);
		assert.ok(messages[0]?.content.includes('different assistant'));
		assert.ok(messages[1]?.content.includes('## Critical Context'));
		assert.ok(messages[1]?.content.includes('FOCUS TOPIC: "deploy"'));
		assert.ok(messages[1]?.content.includes('[USER]: Now write the deploy script.'));
	});

	it('reassembles a stream split at arbitrary bytes, including inside multi-byte characters', async () => {
		const pieces = ['## Active Task\n', 'Überprüfe ', 'die Tests ✅ ', 'und 日本語 ', 'emoji 🎉'];
		server.script(rechunk(openAiFrames(pieces), 7));
		assert.equal(
			expectOk(await summarizer().summarize(request([text('hi')]), never)),
			pieces.join('').trim(),
		);
	});

	it('accepts a whole (non-streamed) JSON answer', async () => {
		server.script(
			json(200, {
				choices: [
					{ index: 0, message: { role: 'assistant', content: 'Whole answer.' }, finish_reason: 'stop' },
				],
			}),
		);
		assert.equal(expectOk(await summarizer().summarize(request([text('hi')]), never)), 'Whole answer.');
	});

	it('uses max_completion_tokens on api.openai.com and sends no key when none is given', async () => {
		const prompt = { style: 'structured' as const, system: 's', user: 'u', maxTokens: 130 };
		const body = openAiRequestBody({ baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' }, prompt);
		assert.equal(body['max_completion_tokens'], 130);
		assert.equal(body['max_tokens'], undefined);
		server.script(sse(openAiFrames(['ok'])));
		await createOpenAiCompatibleSummarizer({ baseUrl: `${server.baseUrl}/v1`, model: 'm' }).summarize(
			request([text('x')]),
			never,
		);
		assert.equal(server.requests[0]?.headers['authorization'], undefined);
	});

	it('puts no secret on the wire and redacts a secret the model echoes', async () => {
		const echoed = secretSamples[0];
		assert.ok(echoed !== undefined);
		server.script(sse(openAiFrames(['## Critical Context\nKey: ', echoed.secret])));
		const lines = secretSamples.map((s) => s.text);
		const outcome = await summarizer().summarize(
			request(secretSession(), {
				focus: `rotate ${lines[1] ?? ''}`,
				previousSummary: `Old: ${lines[2] ?? ''}`,
				activeTask: lines[3] ?? '',
				preservedValues: { deploy_key: lines[4] ?? '' },
			}),
			never,
		);
		const wire = server.requests[0]?.rawBody ?? '';
		assert.ok(wire.length > 1000);
		for (const sample of secretSamples) {
			assert.ok(!wire.includes(sample.secret), `${sample.name} reached the wire`);
			assert.ok(
				!wire.includes(JSON.stringify(sample.secret).slice(1, -1)),
				`${sample.name} reached the wire escaped`,
			);
		}
		assert.ok(wire.includes('[redacted: '));
		const summary = expectOk(outcome);
		assert.ok(!summary.includes(echoed.secret));
		assert.ok(summary.includes(`[redacted: ${echoed.kind}]`));
	});

	it('returns the model text without any compaction prefix, so applyPlan adds exactly one (R11)', async () => {
		server.script(sse(openAiFrames([`${handoffPrefix}\n\n`, '## Active Task\nNone.'])));
		const summary = expectOk(await summarizer().summarize(request([text('x')]), never));
		assert.equal(summary, '## Active Task\nNone.');
		const entered = withHandoffPrefix(summary);
		assert.equal(entered.split(handoffPrefix).length - 1, 1);
	});

	it('stops mid-stream when cancelled and reports cancellation', async () => {
		const controller = new AbortController();
		server.script(
			sse([...openAiFrames(['part one ', 'part two'], { done: false, finish: false })], {
				end: false,
				onWritten: (i) => i === 1 && controller.abort(),
			}),
		);
		const started = Date.now();
		const outcome = await summarizer().summarize(request([text('x')]), controller.signal);
		expectFailure(outcome, 'cancelled');
		assert.ok(Date.now() - started < 5_000);
	});

	it('a stream that ends before finish_reason or [DONE] is transient, never a summary', async () => {
		server.script(sse(openAiFrames(['half a summ'], { done: false, finish: false })));
		expectFailure(await summarizer().summarize(request([text('x')]), never), 'transient');
	});

	it('malformed and empty answers are errors, not summaries', async () => {
		server.script(
			raw(200, '<html>proxy error</html>'),
			sse(['data: {not json}\n\n']),
			sse(openAiFrames([])),
			json(200, { choices: [] }),
		);
		const s = summarizer();
		expectFailure(await s.summarize(request([text('x')]), never), 'malformedResponse');
		expectFailure(await s.summarize(request([text('x')]), never), 'malformedResponse');
		expectFailure(await s.summarize(request([text('x')]), never), 'emptyResponse');
		expectFailure(await s.summarize(request([text('x')]), never), 'malformedResponse');
	});

	it('classifies 401, 404 model_not_found, 429 with retry-after, 500, 400, a stream error and a reset', async () => {
		server.script(
			json(401, { error: { message: 'Incorrect API key provided' } }),
			json(404, { error: { message: 'The model `nope` does not exist', code: 'model_not_found' } }),
			json(429, { error: { message: 'Rate limit reached' } }, { 'retry-after': '7' }),
			json(500, { error: { message: 'boom' } }),
			json(400, { error: { message: 'context_length_exceeded' } }),
			sse([`data: ${JSON.stringify({ error: { message: 'server overloaded', code: 'server_error' } })}\n\n`]),
			reset(),
		);
		const s = summarizer();
		assert.match(
			expectFailure(await s.summarize(request([text('x')]), never), 'refused'),
			/HTTP 401.*API key/,
		);
		assert.match(
			expectFailure(await s.summarize(request([text('x')]), never), 'modelNotFound'),
			/does not exist/,
		);
		const limited = await s.summarize(request([text('x')]), never);
		expectFailure(limited, 'transient');
		assert.equal(!limited.ok && limited.retryAfterMs, 7000);
		expectFailure(await s.summarize(request([text('x')]), never), 'transient');
		assert.match(
			expectFailure(await s.summarize(request([text('x')]), never), 'failed'),
			/context_length_exceeded/,
		);
		expectFailure(await s.summarize(request([text('x')]), never), 'transient');
		expectFailure(await s.summarize(request([text('x')]), never), 'transient');
	});

	it('times out a server that never answers (transient)', async () => {
		server.script(hang());
		const message = expectFailure(
			await summarizer({ timeoutMs: 300 }).summarize(request([text('x')]), never),
			'transient',
		);
		assert.match(message, /timeout/);
	});

	it('a refused connection is transient and says so', async () => {
		const closed = await startProtocolServer();
		const url = closed.baseUrl;
		await closed.close();
		const s = createOpenAiCompatibleSummarizer({ baseUrl: url, model: 'm' });
		assert.match(
			expectFailure(await s.summarize(request([text('x')]), never), 'transient'),
			/connection refused|connection/,
		);
	});

	describe('failure policy over the wire (R12, G5)', () => {
		it('retries 429 honouring retry-after, and 5xx and resets with backoff, then succeeds', async () => {
			const clock = fakeClock();
			server.script(
				json(429, { error: { message: 'slow down' } }, { 'retry-after': '2' }),
				json(503, { error: { message: 'upstream unavailable' } }),
				sse(openAiFrames(['done'])),
			);
			const s = createSummarizer(
				{ kind: 'openai', baseUrl: `${server.baseUrl}/v1`, model: 'm' },
				{ policy: { clock, maxRetries: 3, retryBaseDelayMs: 100 } },
			);
			assert.equal(expectOk(await s.summarize(request([text('x')]), never)), 'done');
			assert.deepEqual(clock.sleeps, [2000, 200]);
			assert.equal(server.requests.length, 3);
		});

		it('after bounded retries a short cooldown sends nothing until it ends', async () => {
			const clock = fakeClock();
			server.script(reset(), reset(), reset(), sse(openAiFrames(['after cooldown'])));
			const s = createSummarizer(
				{ kind: 'openai', baseUrl: `${server.baseUrl}/v1`, model: 'm' },
				{ policy: { clock, maxRetries: 2, shortCooldownMs: 60_000 } },
			);
			const first = await s.summarize(request([text('x')]), never);
			assert.match(expectFailure(first, 'transient'), /3 attempts.*paused for 60 s/);
			assert.equal(server.requests.length, 3);
			expectFailure(await s.summarize(request([text('x')]), never), 'transient');
			assert.equal(server.requests.length, 3);
			clock.advance(60_000);
			assert.equal(expectOk(await s.summarize(request([text('x')]), never)), 'after cooldown');
		});

		it('a missing separate summary model falls back once to the main model', async () => {
			const clock = fakeClock();
			server.script(
				json(404, { error: { message: 'model "tiny" not found, try pulling it first' } }),
				sse(openAiFrames(['from main'])),
				sse(openAiFrames(['main again'])),
			);
			const s = createSummarizer(
				{ kind: 'openai', baseUrl: `${server.baseUrl}/v1`, model: 'main-model', summaryModel: 'tiny' },
				{ policy: { clock } },
			);
			assert.equal(expectOk(await s.summarize(request([text('x')]), never)), 'from main');
			assert.equal(expectOk(await s.summarize(request([text('x')]), never)), 'main again');
			assert.deepEqual(
				server.requests.map((r) => r.body?.['model']),
				['tiny', 'main-model', 'main-model'],
			);
			assert.equal(s.id, 'openai:main-model');
		});

		it('the self style (C2) asks the main model even when a summary model is set', async () => {
			server.script(sse(openAiFrames(['mine'])));
			const s = createSummarizer(
				{ kind: 'openai', baseUrl: `${server.baseUrl}/v1`, model: 'agent-model', summaryModel: 'tiny' },
				{ prompt: { ...defaultSummaryPromptOptions, style: 'self' } },
			);
			expectOk(await s.summarize(request([text('x')]), never));
			assert.equal(server.requests[0]?.body?.['model'], 'agent-model');
		});

		it('malformed answers are not retried', async () => {
			const clock = fakeClock();
			server.script(raw(200, 'nonsense'), sse(openAiFrames(['never asked'])));
			const s = createSummarizer(
				{ kind: 'openai', baseUrl: `${server.baseUrl}/v1`, model: 'm' },
				{ policy: { clock } },
			);
			expectFailure(await s.summarize(request([text('x')]), never), 'malformedResponse');
			assert.equal(server.requests.length, 1);
		});

		it('cancelling during a retry wait stops without another request', async () => {
			const controller = new AbortController();
			server.script(json(503, { error: { message: 'busy' } }), sse(openAiFrames(['no'])));
			const s = createSummarizer(
				{ kind: 'openai', baseUrl: `${server.baseUrl}/v1`, model: 'm' },
				{ policy: { retryBaseDelayMs: 5_000 } },
			);
			setTimeout(() => controller.abort(), 200);
			expectFailure(await s.summarize(request([text('x')]), controller.signal), 'cancelled');
			assert.equal(server.requests.length, 1);
		});
	});

	describe('summarizerFromCli', () => {
		it('openai: base URL, key and --model from the environment reach the endpoint', async () => {
			server.script(sse(openAiFrames(['cli summary'])));
			const made = summarizerFromCli('openai', 'gpt-4o-mini', {
				CONTEXT_LENS_OPENAI_BASE_URL: `${server.baseUrl}/v1`,
				CONTEXT_LENS_OPENAI_API_KEY: 'env-key-9',
			});
			assert.ok(made.ok);
			assert.equal(made.summarizer.id, 'openai:gpt-4o-mini');
			assert.equal(
				expectOk(await made.summarizer.summarize(request([text('x')], { focus: 'auth' }), never)),
				'cli summary',
			);
			assert.equal(server.requests[0]?.headers['authorization'], 'Bearer env-key-9');
			assert.ok(server.requests[0]?.rawBody.includes('FOCUS TOPIC: \\"auth\\"'));
		});

		it('says in one line which flag or variable is missing', () => {
			const noModel = summarizerFromCli('openai', undefined, {});
			assert.ok(!noModel.ok && /--model/.test(noModel.message) && /127\.0\.0\.1:11434/.test(noModel.message));
			const publicNoKey = summarizerFromCli('openai', 'gpt-4o', {
				CONTEXT_LENS_OPENAI_BASE_URL: 'https://api.openai.com/v1',
			});
			assert.ok(!publicNoKey.ok && /CONTEXT_LENS_OPENAI_API_KEY/.test(publicNoKey.message));
			const badUrl = summarizerFromCli('openai', 'm', { CONTEXT_LENS_OPENAI_BASE_URL: 'localhost:11434' });
			assert.ok(!badUrl.ok && /CONTEXT_LENS_OPENAI_BASE_URL/.test(badUrl.message));
			const noKey = summarizerFromCli('anthropic', 'claude-haiku-4-5', {});
			assert.ok(!noKey.ok && /ANTHROPIC_API_KEY/.test(noKey.message));
			const noAnthropicModel = summarizerFromCli('anthropic', ' ', { ANTHROPIC_API_KEY: 'k' });
			assert.ok(!noAnthropicModel.ok && /--model/.test(noAnthropicModel.message));
			for (const r of [noModel, publicNoKey, badUrl, noKey, noAnthropicModel])
				assert.ok(!r.ok && !r.message.includes('\n'));
			const offline = summarizerFromCli('offline', undefined, {});
			assert.ok(offline.ok && offline.summarizer.id === 'offline');
		});

		it('defaults to OpenAI with a key and to local Ollama without one', async () => {
			const withKey = summarizerFromCli('openai', 'gpt-4o-mini', { CONTEXT_LENS_OPENAI_API_KEY: 'k' });
			const local = summarizerFromCli('openai', 'llama3.1', {});
			assert.ok(withKey.ok && local.ok);
			const calls: string[] = [];
			const fetchSpy = (url: string): Promise<Response> => {
				calls.push(url);
				return Promise.resolve(new Response('{}', { status: 418 }));
			};
			for (const [name, model, env] of [
				['openai', 'gpt-4o-mini', { CONTEXT_LENS_OPENAI_API_KEY: 'k' }],
				['openai', 'llama3.1', {}],
			] as const) {
				const made = summarizerFromCli(name, model, env, {
					transport: { fetch: fetchSpy },
					policy: { maxRetries: 0 },
				});
				assert.ok(made.ok);
				await made.summarizer.summarize(request([text('x')]), never);
			}
			assert.deepEqual(calls, [
				'https://api.openai.com/v1/chat/completions',
				'http://127.0.0.1:11434/v1/chat/completions',
			]);
		});
	});

	describe('compactTranscript end to end over real transcripts', () => {
		let compactedFiles = 0;
		after(() =>
			assert.ok(
				compactedFiles > 0 || corpusFiles('claude-code').length === 0,
				'no corpus file was compacted',
			),
		);
		describeCorpus('claude-code', (file) => {
			it(`${basename(file)}: the summary enters once behind the handoff prefix, or the input is kept`, async () => {
				const read = parseTranscript(readFileSync(file), file);
				assert.ok(read.ok);
				const counter = new TokenCounter(resolveModel('claude-sonnet-4-5'));
				server.script(sse(openAiFrames(['## Active Task\n', 'None.\n\n## Goal\n', 'MODEL-SUMMARY-MARK'])));
				const made = summarizerFromCli('openai', 'local', {
					CONTEXT_LENS_OPENAI_BASE_URL: `${server.baseUrl}/v1`,
				});
				assert.ok(made.ok);
				const compacted = await compactTranscript(
					read.transcript,
					{ counter, contextWindow: 8_000, headMessages: 1, tailMinMessages: 1, focus: 'tests' },
					made.summarizer,
					never,
				);
				const sent = server.requests[0];
				if (sent === undefined) {
					// Nothing to summarise (R16): no request, the input stays.
					assert.ok(!compacted.success || compacted.summary === undefined);
					return;
				}
				const user = (sent.body?.['messages'] as { content: string }[] | undefined)?.[1]?.content ?? '';
				assert.ok(user.includes('## Active Task') && user.includes('FOCUS TOPIC: "tests"'));
				if (!compacted.success) {
					assert.equal(compacted.transcript, read.transcript);
					return;
				}
				compactedFiles += 1;
				const texts = compacted.transcript.messages.flatMap((m) =>
					m.parts.map((p) => (p.kind === 'text' ? p.text : '')),
				);
				const withSummary = texts.filter((t) => t.includes('MODEL-SUMMARY-MARK'));
				assert.equal(withSummary.length, 1);
				assert.equal(withSummary[0]?.split(handoffPrefix).length, 2);
				assert.equal(compacted.summary, '## Active Task\nNone.\n\n## Goal\nMODEL-SUMMARY-MARK');
			});
		});
	});
});
