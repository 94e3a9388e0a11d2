import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { maskObservations, maskPlaceholder, truncateMiddle } from '../../bench/baselines';
import { buildPlanningTranscript } from '../../bench/planInput';
import { pairToolCalls } from '../../src/core/transcript/toolPairs';
import { said, toolRun } from './fixtures';

const window = [
	said('user', 'Look at the logs.'),
	...toolRun('Bash', { command: 'cat app.log' }, 'line\n'.repeat(200)),
	...toolRun('Bash', { command: 'echo ok' }, 'ok'),
	said('assistant', 'The log shows a timeout.'),
	...toolRun('Read', { file_path: 'src/a.ts' }, 'export const a = 1;\n'.repeat(50)),
];

describe('literature baselines', () => {
	it('masks tool outputs before the tail and leaves calls, text and the tail alone', () => {
		const masked = maskObservations(window, 7);
		assert.equal(masked.length, window.length);
		const result = masked[2]?.parts[0];
		assert.ok(result?.kind === 'toolResult');
		assert.equal(result.text, maskPlaceholder(1000));
		// Outputs shorter than the placeholder stay: masking them would not save anything.
		assert.equal(masked[4], window[4]);
		assert.equal(masked[1], window[1]);
		assert.equal(masked[5], window[5]);
		assert.equal(masked[7], window[7]);
		assert.ok(window[2]?.parts[0]?.kind === 'toolResult' && window[2].parts[0].text.length === 1000);
	});

	it('truncation drops exactly the middle', () => {
		const kept = truncateMiddle(window, { from: 1, to: 6 });
		assert.deepEqual(
			kept.map((m) => m.id),
			[window[0]?.id, window[6]?.id, window[7]?.id],
		);
	});

	it('keep length, order and tool pairing on generated windows', () => {
		const transcript = buildPlanningTranscript(300, 5);
		fc.assert(
			fc.property(fc.nat(300), fc.nat(300), fc.nat(300), (a, b, tail) => {
				const messages = transcript.messages;
				const [from, to] = a <= b ? [a, b] : [b, a];
				const masked = maskObservations(messages, tail);
				assert.equal(masked.length, messages.length);
				assert.deepEqual(pairToolCalls(masked).pairs.length, pairToolCalls(messages).pairs.length);
				masked.forEach((m, i) => {
					const original = messages[i];
					if (i >= tail || original === undefined) return assert.equal(m, original);
					m.parts.forEach((part, j) => {
						const before = original.parts[j];
						if (part.kind !== 'toolResult' || before?.kind !== 'toolResult')
							return assert.equal(part, before);
						const placeholder = maskPlaceholder(before.text.length);
						assert.equal(part.text, before.text.length > placeholder.length ? placeholder : before.text);
					});
				});
				const truncated = truncateMiddle(messages, { from, to });
				assert.equal(truncated.length, messages.length - (to - from));
				assert.deepEqual(truncated, [...messages.slice(0, from), ...messages.slice(to)]);
			}),
			{ numRuns: 100 },
		);
	});
});

describe('planning input', () => {
	it('has exactly the asked number of messages, unique ids and intact tool pairs', () => {
		const transcript = buildPlanningTranscript(1_000, 3);
		assert.equal(transcript.messages.length, 1_000);
		assert.equal(new Set(transcript.messages.map((m) => m.id)).size, 1_000);
		const pairing = pairToolCalls(transcript.messages);
		assert.ok(pairing.pairs.length > 100);
		assert.equal(pairing.orphanResults.length, 0);
		assert.ok(pairing.unansweredCalls.length <= 1);
		assert.equal(transcript.format, 'claude-code');
	});

	it('is deterministic for a seed and differs between seeds', () => {
		const ids = (seed: number) =>
			buildPlanningTranscript(200, seed).messages.map((m) => `${m.id}:${m.parts.length}`);
		assert.deepEqual(ids(9), ids(9));
		assert.notDeepEqual(ids(9), ids(10));
	});
});
