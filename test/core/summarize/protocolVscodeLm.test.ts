import { strict as assert } from 'node:assert';
import Module from 'node:module';
import type * as vscode from 'vscode';
import type * as LmSummarizerModule from '../../../src/extension/adapters/lmSummarizer';
import { secretSamples } from './redactionSamples';
import { message, request, secretSession } from './protocolSupport';

/** The slice of the `vscode` API the adapter touches, faithful to its documented behaviour. */
interface FakeToken {
	readonly isCancellationRequested: boolean;
	onCancellationRequested(listener: () => void): { dispose(): void };
}

class FakeCancellationTokenSource {
	private listeners: (() => void)[] = [];
	isCancellationRequested = false;
	readonly token: FakeToken;
	constructor() {
		const token = {
			onCancellationRequested: (listener: () => void) => {
				this.listeners.push(listener);
				return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
			},
		};
		this.token = Object.defineProperty(token, 'isCancellationRequested', {
			get: () => this.isCancellationRequested,
		}) as unknown as FakeToken;
	}
	cancel(): void {
		if (this.isCancellationRequested) return;
		this.isCancellationRequested = true;
		for (const l of this.listeners) l();
	}
	dispose(): void {
		this.listeners = [];
	}
}

class FakeLanguageModelError extends Error {
	constructor(
		message: string,
		readonly code: string,
	) {
		super(message);
	}
	static NoPermissions(message = 'no permissions'): FakeLanguageModelError {
		return new FakeLanguageModelError(message, 'NoPermissions');
	}
	static Blocked(message = 'blocked'): FakeLanguageModelError {
		return new FakeLanguageModelError(message, 'Blocked');
	}
	static NotFound(message = 'not found'): FakeLanguageModelError {
		return new FakeLanguageModelError(message, 'NotFound');
	}
}

const fakeVscode = {
	CancellationTokenSource: FakeCancellationTokenSource,
	CancellationError: class CancellationError extends Error {},
	LanguageModelError: FakeLanguageModelError,
	LanguageModelChatMessage: { User: (content: string) => ({ role: 1, content }) },
	lm: { selectChatModels: () => Promise.resolve([]) },
};

interface FakeModel {
	readonly model: vscode.LanguageModelChat;
	readonly prompts: string[];
	readonly justifications: (string | undefined)[];
}

function fakeModel(
	answer: (prompt: string, token: vscode.CancellationToken) => AsyncIterable<string>,
	maxInputTokens = 1_000_000,
): FakeModel {
	const prompts: string[] = [];
	const justifications: (string | undefined)[] = [];
	const model = {
		id: 'copilot-gpt-4o-mini',
		name: 'GPT-4o mini',
		vendor: 'copilot',
		family: 'gpt-4o-mini',
		version: '1',
		maxInputTokens,
		countTokens: (text: string) => Promise.resolve(Math.ceil(text.length / 4)),
		sendRequest: (
			messages: { content: string }[],
			options: { justification?: string },
			token: vscode.CancellationToken,
		) => {
			const prompt = messages[0]?.content ?? '';
			prompts.push(prompt);
			justifications.push(options.justification);
			return Promise.resolve({ text: answer(prompt, token), stream: answer(prompt, token) });
		},
	};
	return { model: model as unknown as vscode.LanguageModelChat, prompts, justifications };
}

async function* pieces(...parts: string[]): AsyncIterable<string> {
	for (const part of parts) {
		await new Promise((resolve) => setTimeout(resolve, 1));
		yield part;
	}
}

const never = new AbortController().signal;

describe('protocol: vscode.lm adapter against a fake LanguageModelChat', () => {
	let lmModule: typeof LmSummarizerModule;
	const moduleApi = Module as unknown as {
		_resolveFilename: (request: string, ...rest: unknown[]) => string;
	};
	const original = moduleApi._resolveFilename;
	const fakePath = '/context-lens-test/fake-vscode.js';

	before(async () => {
		moduleApi._resolveFilename = (req: string, ...rest: unknown[]) =>
			req === 'vscode' ? fakePath : original(req, ...rest);
		const cached = new Module(fakePath);
		cached.exports = fakeVscode;
		cached.loaded = true;
		require.cache[fakePath] = cached;
		lmModule = await import('../../../src/extension/adapters/lmSummarizer');
	});
	after(() => {
		moduleApi._resolveFilename = original;
		delete require.cache[fakePath];
	});

	const summarizerWith = (
		models: vscode.LanguageModelChat[],
		selector = { vendor: 'copilot', family: 'gpt-4o-mini' },
	) => lmModule.createLmSummarizer({ selector, lm: { selectChatModels: () => Promise.resolve(models) } });

	it('selects by vendor/family, sends one redacted user message and assembles the streamed text', async () => {
		const fake = fakeModel(() => pieces('## Active Task\n', 'Deploy ', 'script.'));
		let selected: unknown;
		const s = lmModule.createLmSummarizer({
			selector: lmModule.lmSelectorFromSetting('copilot/gpt-4o-mini'),
			lm: {
				selectChatModels: (selector) => {
					selected = selector;
					return Promise.resolve([fake.model]);
				},
			},
		});
		const outcome = await s.summarize(request(secretSession(), { focus: 'deploy' }), never);
		assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
		assert.equal(outcome.text, '## Active Task\nDeploy script.');
		assert.deepEqual(selected, { vendor: 'copilot', family: 'gpt-4o-mini' });
		const prompt = fake.prompts[0] ?? '';
		assert.ok(prompt.startsWith('You write context checkpoints.'));
		assert.ok(prompt.includes('FOCUS TOPIC: "deploy"'));
		for (const sample of secretSamples) assert.ok(!prompt.includes(sample.secret), sample.name);
		assert.ok((fake.justifications[0] ?? '').length > 0);
		assert.equal(s.id, 'vscode-lm:copilot/gpt-4o-mini');
	});

	it('no matching model is "not configured" and names the selector', async () => {
		const outcome = await summarizerWith([]).summarize(request([]), never);
		assert.ok(!outcome.ok && outcome.reason === 'notConfigured');
		assert.match(outcome.message, /vendor "copilot", family "gpt-4o-mini"/);
	});

	it('explains consent, quota and missing-model errors', async () => {
		const failing = (error: Error) =>
			fakeModel(() => ({
				[Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
			}));
		const cases: [Error, string, RegExp][] = [
			[FakeLanguageModelError.NoPermissions(), 'refused', /not allowed.*Manage Language Model Access/],
			[FakeLanguageModelError.Blocked('quota exceeded'), 'refused', /quota or policy/],
			[FakeLanguageModelError.NotFound(), 'modelNotFound', /no longer available/],
			[new Error('socket hang up'), 'failed', /socket hang up/],
		];
		for (const [error, reason, pattern] of cases) {
			const outcome = await summarizerWith([failing(error).model]).summarize(
				request([message('user', { kind: 'text', text: 'x' })]),
				never,
			);
			assert.ok(!outcome.ok && outcome.reason === reason, JSON.stringify(outcome));
			assert.match(outcome.message, pattern);
		}
	});

	it('shrinks the per-message caps to fit maxInputTokens, and fails clearly when even that is too big', async () => {
		const long = 'word '.repeat(4_000);
		const messages = Array.from({ length: 6 }, () => message('user', { kind: 'text', text: long }));
		const fits = fakeModel(() => pieces('ok'), 4_000);
		const outcome = await summarizerWith([fits.model]).summarize(request(messages), never);
		assert.ok(outcome.ok, outcome.ok ? '' : outcome.message);
		assert.ok(Math.ceil((fits.prompts[0] ?? '').length / 4) <= 4_000);
		const tiny = fakeModel(() => pieces('ok'), 300);
		const tooBig = await summarizerWith([tiny.model]).summarize(request(messages), never);
		assert.ok(
			!tooBig.ok &&
				tooBig.reason === 'failed' &&
				/more than GPT-4o mini accepts \(300\)/.test(tooBig.message),
		);
		assert.equal(tiny.prompts.length, 0);
	});

	it('bridges the AbortSignal to the CancellationToken and stops mid-stream', async () => {
		const controller = new AbortController();
		let tokenSeen: vscode.CancellationToken | undefined;
		const fake = fakeModel((_prompt, token) => {
			tokenSeen = token;
			return (async function* () {
				yield 'first ';
				controller.abort();
				await new Promise((resolve) => setTimeout(resolve, 5));
				if (token.isCancellationRequested) throw new fakeVscode.CancellationError('cancelled');
				yield 'never';
			})();
		});
		const outcome = await summarizerWith([fake.model]).summarize(
			request([message('user', { kind: 'text', text: 'x' })]),
			controller.signal,
		);
		assert.ok(!outcome.ok && outcome.reason === 'cancelled', JSON.stringify(outcome));
		assert.equal(tokenSeen?.isCancellationRequested, true);
	});

	it('turns a CancellationToken into an AbortSignal for handlers that call core', () => {
		const tokenSource = new FakeCancellationTokenSource();
		const bridge = lmModule.abortSignalFromToken(tokenSource.token as unknown as vscode.CancellationToken);
		assert.equal(bridge.signal.aborted, false);
		tokenSource.cancel();
		assert.equal(bridge.signal.aborted, true);
		bridge.dispose();
	});

	it('reads provider keys from SecretStorage, never from settings', async () => {
		const stored = new Map([['contextLens.openai.apiKey', ' sk-from-secrets ']]);
		const secrets = {
			get: (key: string) => Promise.resolve(stored.get(key)),
		} as unknown as vscode.SecretStorage;
		assert.equal(await lmModule.providerKeyFromSecrets(secrets, 'openai'), 'sk-from-secrets');
		assert.equal(await lmModule.providerKeyFromSecrets(secrets, 'anthropic'), undefined);
		assert.deepEqual(lmModule.lmSelectorFromSetting(' gpt-4o '), { family: 'gpt-4o' });
		assert.deepEqual(lmModule.lmSelectorFromSetting(''), {});
	});
});
