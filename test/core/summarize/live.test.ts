import { strict as assert } from 'node:assert';
import { summarizerFromCli } from '../../../src/cli/summarizerOption';
import type { CliSummarizerName } from '../../../src/cli/summarizerOption';
import type { FetchLike } from '../../../src/core/summarize/providers/providerHttp';
import type { SummaryOutcome } from '../../../src/core/compaction/summarizer';
import { secretSamples } from './redactionSamples';
import { message, request, secretSession } from './protocolSupport';

// Opt-in only (npm run test:live): these talk to a real model endpoint named by the environment, never in CI.
const isLive = process.env['CONTEXT_LENS_LIVE'] === '1';
const provider = (process.env['CONTEXT_LENS_LIVE_PROVIDER'] ?? 'openai') as CliSummarizerName;
const model = process.env['CONTEXT_LENS_LIVE_MODEL'];
const never = new AbortController().signal;

describe('live: a real summary endpoint', function () {
	if (!isLive) {
		it.skip(
			'set CONTEXT_LENS_LIVE=1, CONTEXT_LENS_LIVE_PROVIDER=openai|anthropic, CONTEXT_LENS_LIVE_MODEL and the provider ' +
				'variables (CONTEXT_LENS_OPENAI_BASE_URL / CONTEXT_LENS_OPENAI_API_KEY or ANTHROPIC_API_KEY) to run',
			() => undefined,
		);
		return;
	}
	this.timeout(300_000);
	const sent: string[] = [];
	const recording: FetchLike = (url, init) => {
		sent.push(typeof init.body === 'string' ? init.body : '');
		return fetch(url, init);
	};
	const make = (env: NodeJS.ProcessEnv = process.env) => {
		const made = summarizerFromCli(provider, model, env, { transport: { fetch: recording } });
		if (!made.ok) throw new Error(made.message);
		return made.summarizer;
	};
	const session = secretSession();

	it('writes a summary with the template and the focus, and no secret leaves or comes back', async () => {
		const outcome = await make().summarize(
			request(session, { focus: 'deployment credentials', budgetTokens: 600 }),
			never,
		);
		assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.reason}: ${outcome.message}`);
		assert.ok(outcome.text.trim().length > 0);
		const wire = sent.join('\n');
		for (const sample of secretSamples) {
			assert.ok(!wire.includes(sample.secret), `${sample.name} reached the wire`);
			assert.ok(!outcome.text.includes(sample.secret), `${sample.name} came back`);
		}
		assert.ok(wire.includes('FOCUS TOPIC'));
	});

	it('stops when cancelled while the answer streams', async () => {
		const controller = new AbortController();
		const abortOnHeaders: FetchLike = async (url, init) => {
			const response = await fetch(url, init);
			controller.abort();
			return response;
		};
		const made = summarizerFromCli(provider, model, process.env, { transport: { fetch: abortOnHeaders } });
		assert.ok(made.ok, made.ok ? '' : made.message);
		const outcome: SummaryOutcome = await made.summarizer.summarize(request(session), controller.signal);
		assert.ok(!outcome.ok && outcome.reason === 'cancelled', JSON.stringify(outcome));
	});

	it('a wrong key is refused with a clear message', async function () {
		const env = {
			...process.env,
			CONTEXT_LENS_OPENAI_API_KEY: 'sk-wrong-key-for-test',
			ANTHROPIC_API_KEY: 'wrong-key',
		};
		if (provider === 'openai' && process.env['CONTEXT_LENS_OPENAI_API_KEY'] === undefined) this.skip();
		const outcome = await make(env).summarize(
			request([message('user', { kind: 'text', text: 'hi' })]),
			never,
		);
		assert.ok(!outcome.ok && outcome.reason === 'refused', JSON.stringify(outcome));
	});
});
