import { strict as assert } from 'node:assert';
import { compactTranscript } from '../../../src/core/compaction/compactTranscript';
import type { CompactionResult } from '../../../src/core/compaction/compactTranscript';
import { exportPlainText } from '../../../src/core/compaction/exportPlainText';
import type { CompactionOptions } from '../../../src/core/compaction/options';
import { createOpenAiCompatibleSummarizer } from '../../../src/core/summarize/providers/openaiCompatible';
import { createOfflineSummarizer } from '../../../src/core/summarize/offline/offlineSummarizer';
import type { Summarizer } from '../../../src/core/compaction/summarizer';
import type { Message, Transcript } from '../../../src/core/transcript/model';
import { buildReviewView } from '../../../src/core/view/buildReviewView';
import {
	callPart,
	message,
	resultPart,
	testCounter,
	textPart,
	transcriptOf,
} from '../compaction/arbitraries';
import { secretSamples } from './redactionSamples';
import { secretCorpus } from './secretCorpus';
import { openAiFrames, sse, startProtocolServer } from './protocolServer';
import type { ProtocolServer, Responder } from './protocolServer';

const never = new AbortController().signal;

/** Every planted value: the corpus (shell, env, JSON, YAML, headers, URLs, prose, PEM, JWT) and the shape samples. */
const planted: readonly { readonly text: string; readonly secrets: readonly string[] }[] = [
	...secretCorpus,
	...secretSamples.map((s) => ({ text: s.text, secrets: [s.secret] })),
];
const allSecrets = [...new Set(planted.flatMap((p) => p.secrets))];

const escaped = (s: string): string => JSON.stringify(s).slice(1, -1);

/** Values found in `text`, as written or JSON-escaped once or twice (a request body is JSON, and so are arguments). */
function secretsIn(text: string): string[] {
	return allSecrets.filter(
		(s) => text.includes(s) || text.includes(escaped(s)) || text.includes(escaped(escaped(s))),
	);
}

// The last request carries a credential in prose, so the active task, a rotation's Goal, quotes one.
const lastRequest = secretCorpus.find((c) => c.name === 'AWS secret key in prose next to its key id');
const deployKey = secretSamples.find((s) => s.kind === 'stripe-key')?.secret ?? '';

/** A session whose middle carries every planted secret: in user prose, shell commands, tool results and file reads. */
function plantedSession(): Transcript {
	const messages: Message[] = [
		message('sys', 'system', [textPart('You are a coding agent working on the billing service.')]),
		message('u0', 'user', [textPart('Set up the deployment of the billing service.')]),
	];
	planted.forEach((p, i) => {
		const id = `c${i}`;
		if (i % 3 === 0) {
			messages.push(message(`u${i}`, 'user', [textPart(`Use this for step ${i}: ${p.text}`)]));
			messages.push(message(`a${i}`, 'assistant', [textPart(`Noted for step ${i}.`)]));
		} else if (i % 3 === 1) {
			messages.push(message(`a${i}`, 'assistant', [callPart(id, 'Bash', { command: p.text })]));
			messages.push(message(`t${i}`, 'tool', [resultPart(id, `step ${i} done`)]));
		} else {
			messages.push(
				message(`a${i}`, 'assistant', [callPart(id, 'Read', { file_path: `config/step${i}.env` })]),
			);
			messages.push(message(`t${i}`, 'tool', [resultPart(id, p.text)]));
		}
	});
	messages.push(
		message('akey', 'assistant', [callPart('ck', 'Bash', { command: 'cat deploy.json' })]),
		message('tkey', 'tool', [
			resultPart('ck', JSON.stringify({ deploy_key: deployKey, region: 'eu-west-1' })),
		]),
		message('last', 'user', [textPart(lastRequest?.text ?? '')]),
	);
	return transcriptOf(messages);
}

const options = (strategy: 'summarize' | 'rotate'): CompactionOptions => ({
	counter: testCounter,
	contextWindow: 40_000,
	strategy,
	headMessages: 1,
	tailMinMessages: 1,
	outputKeys: ['deploy_key'],
	focus: 'the deployment credentials',
});

/** Every text the compaction wrote or will show: summary, handoff message, lost facts, export, review. */
async function writtenTexts(result: CompactionResult, before: Transcript): Promise<Record<string, string>> {
	const created = result.transcript.messages.filter((m) => !before.messages.includes(m));
	return {
		summary: result.summary ?? '',
		handoff: created.flatMap((m) => m.parts.map((p) => (p.kind === 'text' ? p.text : ''))).join('\n'),
		lostFacts: (result.lostFacts?.lost ?? []).map((a) => a.value).join('\n'),
		export: await exportPlainText(result.transcript, result.plan),
		review: JSON.stringify(
			buildReviewView(result, {
				countTokens: (t) => t.length,
				before,
				applyDescription: 'writes a new session',
			}),
		),
		plan: JSON.stringify({ ...result.plan, summaryInput: undefined }),
	};
}

async function assertNothingWritten(result: CompactionResult, before: Transcript): Promise<void> {
	assert.ok(result.success, result.error);
	for (const [where, text] of Object.entries(await writtenTexts(result, before))) {
		const found = secretsIn(text);
		const at = found[0] !== undefined ? Math.max(0, text.indexOf(found[0]) - 300) : 0;
		assert.deepEqual(found, [], `${where} carries ${found.join(', ')}: …${text.slice(at, at + 600)}`);
	}
}

describe('secrets end to end: nothing sent, nothing written (R7, R12)', function () {
	this.timeout(60_000);

	it('plants every secret in the middle of the session', () => {
		const text = JSON.stringify(plantedSession().messages.slice(2, -1));
		assert.deepEqual(
			allSecrets.filter((s) => !secretsIn(text).includes(s)),
			[],
		);
		assert.ok(allSecrets.length >= 90);
	});

	for (const strategy of ['summarize', 'rotate'] as const) {
		it(`the offline summariser writes no secret into a ${strategy} summary, handoff, lost facts, export or review`, async () => {
			const before = plantedSession();
			const result = await compactTranscript(before, options(strategy), createOfflineSummarizer(), never);
			await assertNothingWritten(result, before);
			assert.ok((result.summary ?? '').includes('[redacted: '), 'the summary names what it left out');
			if (strategy === 'rotate') {
				const handoff = (await writtenTexts(result, before))['handoff'] ?? '';
				assert.ok(handoff.includes('[redacted: aws-secret-key]'), handoff.slice(-600));
				assert.ok(!handoff.includes(deployKey));
			}
		});
	}

	it('without a summariser the dropped-middle handoff carries no secret either', async () => {
		const before = plantedSession();
		const result = await compactTranscript(before, options('rotate'), undefined, never);
		await assertNothingWritten(result, before);
	});

	describe('over an OpenAI-compatible endpoint on 127.0.0.1', () => {
		let server: ProtocolServer;
		beforeEach(async () => {
			server = await startProtocolServer();
		});
		afterEach(() => server.close());

		// A model that echoes what it was sent, then writes every planted secret in its context as if it had seen it.
		const echoing: Responder = (request, res, req) => {
			const messages = (request.body?.['messages'] as { content: string }[] | undefined) ?? [];
			const echoed = messages
				.map((m) => m.content)
				.join('\n')
				.slice(-4000);
			const invented = planted.map((p) => `- ${p.text}`).join('\n');
			sse(openAiFrames(['## Active Task\n', echoed, '\n## Critical Context\n', invented]))(request, res, req);
		};

		for (const strategy of ['summarize', 'rotate'] as const) {
			it(`sends no secret and writes none (${strategy})`, async () => {
				server.script(echoing, echoing);
				const summarizer: Summarizer = createOpenAiCompatibleSummarizer({
					baseUrl: `${server.baseUrl}/v1`,
					model: 'summary-model',
					apiKey: 'local-key-1',
				});
				const before = plantedSession();
				const result = await compactTranscript(before, options(strategy), summarizer, never);
				assert.ok(server.requests.length >= 1);
				for (const sent of server.requests) {
					assert.deepEqual(secretsIn(sent.rawBody), [], 'a secret reached the endpoint');
					assert.ok(sent.rawBody.includes('[redacted: '));
				}
				await assertNothingWritten(result, before);
			});
		}
	});
});
