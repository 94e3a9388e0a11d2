import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
	calibrateFromUsage,
	minCalibrationIntervalTokens,
	projectContextTokens,
	startsUserTurn,
	type CalibrationInput,
} from '../../../src/core/tokens/calibration';
import { makeFlags, type Message, type Part, type RecordedUsage } from '../../../src/core/transcript/model';

function usage(inputTokens: number, outputTokens = 0): RecordedUsage {
	return { inputTokens, outputTokens, contextTokens: inputTokens + outputTokens };
}

describe('calibrateFromUsage', () => {
	it('returns undefined when no message records usage', () => {
		assert.equal(calibrateFromUsage([]), undefined);
		assert.equal(calibrateFromUsage([{ ourTokens: 100 }, { ourTokens: 50 }]), undefined);
	});

	it('finds the hidden prefix from the first recorded request', () => {
		// system prompt and tool schemas of 12,000 tokens are not in the file; the user asked in 40 tokens.
		const calibration = calibrateFromUsage([
			{ ourTokens: 40 },
			{ ourTokens: 300, usage: usage(12_040, 310) },
		]);
		assert.ok(calibration);
		assert.equal(calibration.hiddenPrefixTokens, 12_000);
		assert.equal(calibration.samples, 0);
		assert.equal(calibration.factor, 1);
		assert.equal(calibration.errorPct, 0);
		assert.equal(calibration.latestIndex, 1);
		assert.equal(calibration.latestContextTokens, 12_350);
		assert.equal(calibration.ourTokensAtLatest, 12_040, 'the hidden prefix plus the question');
	});

	it('floors the hidden prefix at 0 when we count more than was recorded', () => {
		const calibration = calibrateFromUsage([{ ourTokens: 5_000 }, { ourTokens: 10, usage: usage(4_000) }]);
		assert.equal(calibration?.hiddenPrefixTokens, 0);
	});

	it('recovers the factor from the growth between recorded requests', () => {
		// recorded input = 8,000 hidden + 1.2 x our count of everything before the request.
		const ours = [100, 400, 1_000, 300, 2_000, 500, 700];
		const inputs: CalibrationInput[] = [];
		let before = 0;
		for (const [index, tokens] of ours.entries()) {
			const isAssistant = index % 2 === 1;
			inputs.push(
				isAssistant
					? { ourTokens: tokens, usage: usage(8_000 + Math.round(before * 1.2)) }
					: { ourTokens: tokens },
			);
			before += tokens;
		}
		const calibration = calibrateFromUsage(inputs);
		assert.ok(calibration);
		assert.equal(calibration.hiddenPrefixTokens, 8_000 + 120 - 100);
		assert.equal(calibration.samples, 2);
		assert.ok(Math.abs(calibration.factor - 1.2) < 0.001, String(calibration.factor));
		assert.equal(calibration.errorPct, 0, 'every interval agrees');
		assert.equal(calibration.latestIndex, 5);
	});

	it('skips repeated usage of one request and restarts after a drop (compaction)', () => {
		const calibration = calibrateFromUsage([
			{ ourTokens: 1_000 },
			{ ourTokens: 200, usage: usage(2_000) },
			{ ourTokens: 100, usage: usage(2_000) },
			{ ourTokens: 700 },
			{ ourTokens: 100, usage: usage(3_000) },
			{ ourTokens: 400 },
			{ ourTokens: 100, usage: usage(1_500) },
			{ ourTokens: 500 },
			{ ourTokens: 100, usage: usage(2_100) },
		]);
		assert.ok(calibration);
		// intervals: 2,000 -> 3,000 over 200+100+700 ours (1.0), then the drop, then 1,500 -> 2,100 over 600 (1.0)
		assert.equal(calibration.samples, 2);
		assert.equal(calibration.factor, 1);
		assert.equal(calibration.latestIndex, 8);
	});

	it('leaves out intervals too small to measure', () => {
		const calibration = calibrateFromUsage([
			{ ourTokens: 10, usage: usage(5_000) },
			{ ourTokens: minCalibrationIntervalTokens - 11, usage: usage(5_200) },
			{ ourTokens: 1_000, usage: usage(5_300) },
			{ ourTokens: 10, usage: usage(6_400) },
		]);
		assert.equal(calibration?.samples, 1);
		assert.ok(Math.abs((calibration?.factor ?? 0) - 1.1) < 1e-9);
	});

	it('states the spread of the interval ratios as +-percent', () => {
		const inputs: CalibrationInput[] = [{ ourTokens: 0, usage: usage(1_000) }];
		let recorded = 1_000;
		for (const ratio of [1.0, 1.1, 1.2, 1.3, 1.4, 1.2, 1.2, 1.1, 1.3, 1.2]) {
			inputs.push({ ourTokens: 1_000 });
			recorded += Math.round(1_000 * ratio);
			inputs.push({ ourTokens: 0, usage: usage(recorded) });
		}
		const calibration = calibrateFromUsage(inputs);
		assert.ok(calibration);
		assert.equal(calibration.samples, 10);
		assert.ok(Math.abs(calibration.factor - 1.2) < 1e-9);
		// 10th percentile 1.0, 90th 1.3: half of 0.3 over 1.2 is 12.5%
		assert.equal(calibration.errorPct, 13);
	});

	it('drops the thinking of earlier turns from what later requests read', () => {
		// A tool loop with thinking, then a new user turn: the API no longer reads the loop's thinking.
		const inputs: CalibrationInput[] = [
			{ ourTokens: 100, startsTurn: true },
			{ ourTokens: 700, thinkingTokens: 500, usage: usage(10_100, 700) },
			{ ourTokens: 1_000 },
			{ ourTokens: 400, thinkingTokens: 300, usage: usage(11_800, 400) },
			{ ourTokens: 1_050, startsTurn: true },
			{ ourTokens: 600, thinkingTokens: 200, usage: usage(12_450, 600) },
			{ ourTokens: 900 },
			{ ourTokens: 100, usage: usage(13_950, 100) },
		];
		const calibration = calibrateFromUsage(inputs);
		assert.ok(calibration);
		assert.equal(calibration.hiddenPrefixTokens, 10_000);
		// 10,000 + 100 + 700 + 1,000 + 400 + 1,050 + 600 + 900 less the 800 of thinking before the second question
		assert.equal(calibration.ourTokensAtLatest, 13_950);
		assert.equal(calibration.samples, 3, 'the new turn grows both counts alike');
		assert.ok(Math.abs(calibration.factor - 1) < 1e-9, String(calibration.factor));
		assert.equal(calibration.errorPct, 0);
	});

	it('keeps the thinking of the current turn while tool results answer it', () => {
		const calibration = calibrateFromUsage([
			{ ourTokens: 100, startsTurn: true },
			{ ourTokens: 600, thinkingTokens: 400, usage: usage(5_100, 600) },
			{ ourTokens: 300 },
			{ ourTokens: 10, usage: usage(6_000, 10) },
		]);
		assert.equal(calibration?.ourTokensAtLatest, 6_000);
		assert.equal(calibration?.factor, 1);
	});

	it('recovers any hidden prefix and factor from an exact series', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 50_000 }),
				fc.double({ min: 0.5, max: 2, noNaN: true }),
				fc.array(fc.integer({ min: 60, max: 5_000 }), { minLength: 4, maxLength: 40 }),
				(hidden, factor, ours) => {
					let before = 0;
					const inputs = ours.map((tokens, index): CalibrationInput => {
						const input =
							index % 2 === 1
								? { ourTokens: tokens, usage: usage(hidden + Math.round(before * factor)) }
								: { ourTokens: tokens };
						before += tokens;
						return input;
					});
					const calibration = calibrateFromUsage(inputs);
					assert.ok(calibration);
					assert.ok(
						Math.abs(
							calibration.hiddenPrefixTokens -
								Math.max(0, hidden + Math.round((ours[0] ?? 0) * factor) - (ours[0] ?? 0)),
						) <= 1,
					);
					if (calibration.samples > 0) assert.ok(Math.abs(calibration.factor - factor) < 0.01);
					assert.ok(calibration.errorPct <= 1);
				},
			),
		);
	});
});

describe('startsUserTurn', () => {
	function message(role: Message['role'], parts: Part[]): Message {
		return { id: 'm', role, parts, flags: makeFlags(), lines: { from: 1, to: 1 }, raw: [] };
	}
	const result: Part = { kind: 'toolResult', callId: 'c1', text: 'ok', isError: false, images: [] };
	const text: Part = { kind: 'text', text: 'go on' };

	it('is true for a user message with more than tool results, false otherwise', () => {
		assert.equal(startsUserTurn(message('user', [text])), true);
		assert.equal(startsUserTurn(message('user', [result, text])), true);
		assert.equal(startsUserTurn(message('user', [result])), false);
		assert.equal(startsUserTurn(message('user', [])), false);
		assert.equal(startsUserTurn(message('assistant', [text])), false);
		assert.equal(startsUserTurn(message('tool', [result])), false);
	});
});

describe('projectContextTokens', () => {
	it('adds the calibrated count of what came after the newest recorded request', () => {
		const calibration = calibrateFromUsage([
			{ ourTokens: 100, usage: usage(10_000, 500) },
			{ ourTokens: 1_000 },
			{ ourTokens: 100, usage: usage(11_650, 50) },
		]);
		assert.ok(calibration);
		assert.ok(Math.abs(calibration.factor - 1.5) < 1e-9);
		assert.equal(projectContextTokens(calibration, 0), 11_700);
		assert.equal(projectContextTokens(calibration, 200), 12_000);
	});
});
