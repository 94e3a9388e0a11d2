import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { exportPlainText, exportedRecentMessages } from '../../../src/core/compaction/exportPlainText';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { parsePlan, serializePlan } from '../../../src/core/compaction/serializePlan';
import { arbTranscript, message, testCounter, textPart, transcriptOf } from './arbitraries';

function chat() {
	return transcriptOf([
		message('sys', 'system', [
			textPart('You are a careful coding agent working on the billing service of acme.'),
		]),
		...Array.from({ length: 12 }, (_, i) =>
			message(`m${i}`, i % 2 === 0 ? 'user' : 'assistant', [
				textPart(`message number ${i} ${'about parquet export '.repeat(20)}`),
			]),
		),
	]);
}

describe('plain-text export (H9) and stored plans (H2)', () => {
	it('H9 exports stats, config and recent messages as plain text', async () => {
		const transcript = chat();
		const text = await exportPlainText(transcript);
		assert.match(
			text,
			/^\[STATS\]\nformat: openai-chat\nsession: example-session\nmessages: 13 in the window, 13 in the file\nturns: 6\n/,
		);
		assert.match(
			text,
			/\[CONFIG\]\nsystem prompt: "You are a careful coding agent working on the billing service of acme\."/,
		);
		const recent = text.split('[RECENT_MESSAGES]\n')[1]?.trim().split('\n') ?? [];
		assert.equal(recent.length, exportedRecentMessages);
		assert.match(recent[4] ?? '', /^ {2}\[assistant\] message number 11 about parquet export .*…$/);
		assert.doesNotMatch(text, /\[PLAN\]/);
	});

	it('H9 with a plan the export adds the options, regions, fates and preflight', async () => {
		const transcript = chat();
		const plan = planCompaction(transcript, {
			counter: testCounter,
			contextWindow: 10_000,
			outputKeys: ['report_path'],
		});
		const text = await exportPlainText(transcript, plan);
		assert.match(text, /tokens: [\d,]+ of 10,000 \(\d+\.\d%\)/);
		assert.match(text, /strategy: summarize\ntrigger: 80% \(8,000 tokens\), rotation 95%/);
		assert.match(text, /output keys: report_path/);
		assert.match(text, new RegExp(`\\[PLAN\\]\\nid: ${plan.id}\\nregions: head 0\\.\\.3 `));
		assert.ok(text.includes(`preflight: ${plan.preflight.ok ? 'ok' : plan.preflight.message}\n`));
		assert.match(text, /messages: kept \d+ · summarised \d+ · dropped 0 · edited 0/);
	});

	it('H2 a serialised plan parses back to the same plan, so a pending review survives a reload', () => {
		fc.assert(
			fc.property(
				arbTranscript(),
				fc.constantFrom('summarize', 'structure', 'lru', 'rotate') as fc.Arbitrary<'summarize'>,
				(t, strategy) => {
					const plan = planCompaction(t, {
						counter: testCounter,
						contextWindow: 20_000,
						strategy,
						maxMessages: 10,
					});
					const parsed = parsePlan(serializePlan(plan));
					assert.ok(parsed.ok);
					assert.deepEqual(parsed.ok && parsed.plan, plan);
				},
			),
			{ numRuns: 60 },
		);
	});

	it('H2 a damaged or foreign stored plan is a failure naming the problem, never a throw', () => {
		const plan = planCompaction(chat(), { counter: testCounter, contextWindow: 10_000 });
		const good = JSON.parse(serializePlan(plan)) as Record<string, unknown>;
		const cases: [string, RegExp][] = [
			['{not json', /not valid JSON/],
			['[]', /not a JSON object/],
			[JSON.stringify({ ...good, version: 2 }), /version is 2/],
			[JSON.stringify({ ...good, strategy: 'noop' }), /strategy is unknown/],
			[JSON.stringify({ ...good, fates: ['kept'] }), /fates do not match/],
			[JSON.stringify({ ...good, layout: [{ kind: 'message', message: 999 }] }), /layout points outside/],
			[JSON.stringify({ ...good, edits: [{ message: 999, part: 0 }] }), /edits point outside/],
			[JSON.stringify({ ...good, preflight: undefined }), /lacks options, preflight or source/],
		];
		for (const [text, pattern] of cases) {
			const parsed = parsePlan(text);
			assert.equal(parsed.ok, false, text.slice(0, 40));
			assert.match(parsed.ok ? '' : parsed.message, pattern);
			assert.match(parsed.ok ? '' : parsed.message, /plan again\.$/);
		}
	});
});
