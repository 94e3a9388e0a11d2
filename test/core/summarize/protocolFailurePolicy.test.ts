import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { compactTranscript } from '../../../src/core/compaction/compactTranscript';
import type { TokenCounting } from '../../../src/core/compaction/tokenCounting';
import { createSummarizer } from '../../../src/core/summarize/providers/createSummarizer';
import { systemClock, withFailurePolicy } from '../../../src/core/summarize/providers/failurePolicy';
import { SseParser } from '../../../src/core/summarize/providers/sse';
import type { SseEvent } from '../../../src/core/summarize/providers/sse';
import { parseRetryAfter } from '../../../src/core/summarize/providers/providerHttp';
import type { Summarizer, SummaryOutcome } from '../../../src/core/compaction/summarizer';
import { makeFlags } from '../../../src/core/transcript/model';
import type { Message, Transcript } from '../../../src/core/transcript/model';
import { fakeClock, message, request } from './protocolSupport';

const never = new AbortController().signal;

/** A summariser that answers from a script and counts its calls. */
function scripted(...outcomes: SummaryOutcome[]): Summarizer & { calls: number } {
	const s = {
		id: 'scripted',
		calls: 0,
		summarize: () => {
			s.calls += 1;
			return Promise.resolve(
				outcomes.shift() ?? { ok: false as const, reason: 'failed' as const, message: 'script ended' },
			);
		},
	};
	return s;
}

const transient = (retryAfterMs?: number): SummaryOutcome => ({
	ok: false,
	reason: 'transient',
	message: 'HTTP 503',
	...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});

describe('protocol: failure policy (R12, G5)', () => {
	it('no provider configured: long cooldown, and the offline summariser stands in when configured', async () => {
		const clock = fakeClock();
		const offline = createSummarizer({ kind: 'none', whenUnavailable: 'offline' }, { policy: { clock } });
		const messages = [message('user', { kind: 'text', text: 'Add CSV export to the billing page.' })];
		const first = await offline.summarize(request(messages), never);
		assert.ok(first.ok, first.ok ? '' : first.message);
		assert.ok(first.text.includes('Active Task'));

		const marker = withFailurePolicy(scripted({ ok: false, reason: 'notConfigured', message: 'No model.' }), {
			clock,
			longCooldownMs: 600_000,
		});
		const out = await marker.summarize(request(messages), never);
		assert.ok(!out.ok && out.reason === 'notConfigured' && out.retryAfterMs === 600_000);
		assert.match(!out.ok ? out.message : '', /paused for 600 s/);
		assert.equal(marker.cooldownUntilMs, 600_000);
		clock.advance(599_000);
		const paused = await marker.summarize(request(messages), never);
		assert.ok(!paused.ok && paused.retryAfterMs === 1_000);
		marker.resetCooldown();
		assert.equal(marker.cooldownUntilMs, undefined);
	});

	it('the static-marker path: compactTranscript drops the middle behind R12 marker and keeps the input when told', async () => {
		const texts = Array.from(
			{ length: 14 },
			(_, i) => `${i % 2 === 0 ? 'Question' : 'Answer'} ${i}: ${'words '.repeat(400)}`,
		);
		const messages: Message[] = texts.map((t, i) => ({
			...message(i % 2 === 0 ? 'user' : 'assistant', { kind: 'text', text: t }),
			id: `m${i}`,
			flags: makeFlags(),
		}));
		const transcript: Transcript = {
			format: 'openai-chat',
			detection: { format: 'openai-chat', reason: 'test' },
			messages,
			passthrough: [],
			meta: {},
			diagnostics: [],
			lineCount: 1,
		};
		const counter: TokenCounting = {
			countText: (t: string) => Math.ceil(t.length / 4),
			countMessage: (m: Message) => ({
				total: m.parts.reduce((n, p) => n + (p.kind === 'text' ? Math.ceil(p.text.length / 4) : 0), 4),
			}),
		};
		const none = createSummarizer({ kind: 'none', whenUnavailable: 'marker' });
		const base = { counter, contextWindow: 20_000, headMessages: 1, tailMinMessages: 2 };
		const dropped = await compactTranscript(
			transcript,
			{ ...base, onSummaryFailure: 'dropWithMarker' },
			none,
			never,
		);
		assert.ok(dropped.success, dropped.error);
		assert.ok(
			dropped.transcript.messages.some((m) =>
				m.parts.some((p) => p.kind === 'text' && p.text.includes('No summary could be written')),
			),
		);
		const kept = await compactTranscript(
			transcript,
			{ ...base, onSummaryFailure: 'keepOriginal' },
			none,
			never,
		);
		assert.ok(!kept.success);
		assert.equal(kept.transcript, transcript);
	});

	it('transient failures are retried at most maxRetries times with doubling delays (property)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.nat(4), fc.nat(6), async (maxRetries, failures) => {
				const clock = fakeClock();
				const inner = scripted(...Array.from({ length: failures }, () => transient()), {
					ok: true,
					text: 'S',
				});
				const s = withFailurePolicy(inner, {
					clock,
					maxRetries,
					retryBaseDelayMs: 100,
					maxRetryDelayMs: 10_000,
				});
				const out = await s.summarize(request([]), never);
				assert.equal(inner.calls, Math.min(failures, maxRetries) + 1);
				assert.equal(out.ok, failures <= maxRetries);
				assert.deepEqual(
					clock.sleeps,
					clock.sleeps.map((_, i) => 100 * 2 ** i),
				);
				if (!out.ok) assert.equal(s.cooldownUntilMs, clock.now() + 60_000);
			}),
		);
	});

	it('a retry-after longer than the retry cap ends retrying and becomes the cooldown', async () => {
		const clock = fakeClock();
		const inner = scripted(transient(120_000), { ok: true, text: 'later' });
		const s = withFailurePolicy(inner, { clock, maxRetryDelayMs: 30_000, shortCooldownMs: 60_000 });
		const out = await s.summarize(request([]), never);
		assert.ok(!out.ok && out.retryAfterMs === 120_000);
		assert.equal(inner.calls, 1);
		clock.advance(120_000);
		assert.ok((await s.summarize(request([]), never)).ok);
	});

	it('refused, malformed and empty answers pass through without retry or cooldown', async () => {
		for (const reason of ['refused', 'malformedResponse', 'emptyResponse', 'failed'] as const) {
			const inner = scripted({ ok: false, reason, message: reason }, { ok: true, text: 'next' });
			const s = withFailurePolicy(inner, { clock: fakeClock() });
			assert.equal((await s.summarize(request([]), never)).ok, false);
			assert.equal(s.cooldownUntilMs, undefined);
			assert.ok((await s.summarize(request([]), never)).ok);
			assert.equal(inner.calls, 2);
		}
	});

	it('the real clock sleeps and wakes early on abort', async () => {
		const controller = new AbortController();
		const started = Date.now();
		setTimeout(() => controller.abort(), 30);
		assert.equal(await systemClock.sleep(10_000, controller.signal), false);
		assert.ok(Date.now() - started < 2_000);
		assert.equal(await systemClock.sleep(5, never), true);
	});

	it('parses retry-after as seconds, an HTTP date or retry-after-ms', () => {
		assert.equal(parseRetryAfter(new Headers({ 'retry-after': '12' })), 12_000);
		assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '250' })), 250);
		const now = Date.parse('2026-01-01T00:00:00Z');
		assert.equal(
			parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now),
			30_000,
		);
		assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'soon' })), undefined);
		assert.equal(parseRetryAfter(new Headers()), undefined);
	});
});

describe('protocol: server-sent events parser', () => {
	const stream =
		': comment\n\nevent: message_start\ndata: {"a":1}\n\ndata: line one\ndata: line two\r\n\r\nevent: x\r\ndata:no-space\r\rdata: [DONE]\n\n';
	const expected: SseEvent[] = [
		{ event: 'message_start', data: '{"a":1}' },
		{ event: 'message', data: 'line one\nline two' },
		{ event: 'x', data: 'no-space' },
		{ event: 'message', data: '[DONE]' },
	];

	it('parses events, comments, multi-line data and LF, CRLF and CR line ends', () => {
		const parser = new SseParser();
		assert.deepEqual([...parser.push(stream), ...parser.end()], expected);
	});

	it('gives the same events however the stream is split (property)', () => {
		fc.assert(
			fc.property(fc.array(fc.nat(stream.length), { maxLength: 12 }), (cuts) => {
				const points = [...new Set(cuts)].sort((a, b) => a - b);
				const parser = new SseParser();
				const events: SseEvent[] = [];
				let at = 0;
				for (const point of [...points, stream.length]) {
					events.push(...parser.push(stream.slice(at, point)));
					at = point;
				}
				events.push(...parser.end());
				assert.deepEqual(events, expected);
			}),
		);
	});

	it('dispatches a last event that has no blank line after it', () => {
		const parser = new SseParser();
		assert.deepEqual([...parser.push('data: tail'), ...parser.end()], [{ event: 'message', data: 'tail' }]);
	});
});
