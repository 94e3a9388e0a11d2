import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { extractArtifacts } from '../../../src/core/facts/extractArtifacts';
import { createKeptTest } from '../../../src/core/facts/reportLostFacts';
import { applyPlan, renderSpill } from '../../../src/core/compaction/applyPlan';
import { compactTranscript, windowText } from '../../../src/core/compaction/compactTranscript';
import { isUserPrompt } from '../../../src/core/compaction/messageParts';
import type { CompactionOptions } from '../../../src/core/compaction/options';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { parsePlan, serializePlan } from '../../../src/core/compaction/serializePlan';
import type { StrategyName } from '../../../src/core/compaction/strategies';
import type { Transcript } from '../../../src/core/transcript/model';
import { arbTranscript, testCounter } from './arbitraries';
import {
	RecordingSummarizer,
	firstRepeatedRole,
	isJson,
	survivesVerbatim,
	toolPairProblems,
	windowOf,
} from './kit';

const allStrategies: readonly StrategyName[] = [
	'summarize',
	'structure',
	'structure-aggressive',
	'prune',
	'lru',
	'window',
	'tc-cap',
	'rotate',
];
const deterministic: readonly StrategyName[] = [
	'prune',
	'structure',
	'structure-aggressive',
	'lru',
	'window',
	'tc-cap',
];

// A small window so generated transcripts have a real middle; small limits so lru, window and tc-cap fire.
function optionsFor(strategy: StrategyName): CompactionOptions {
	return {
		counter: testCounter,
		contextWindow: 24_000,
		strategy,
		maxMessages: 12,
		maxTurns: 3,
		toolResultCapChars: 600,
		minPruneTokens: 200,
		protectTokens: 800,
		outputKeys: ['report_path'],
	};
}

const transcripts = arbTranscript();
const strategyArb = fc.constantFrom(...allStrategies);
const runs = { numRuns: 150 };

function compacted(transcript: Transcript, strategy: StrategyName) {
	const plan = planCompaction(transcript, optionsFor(strategy));
	const summary = plan.needsSummary
		? 'A short summary of the earlier work on src/billing/export.ts.'
		: undefined;
	return { plan, output: applyPlan(transcript, plan, summary) };
}

describe('compaction invariants (fast-check over generated transcripts)', () => {
	it('R14/H8 every tool result in the output has its call and every call its result', () => {
		fc.assert(
			fc.property(transcripts, strategyArb, (transcript, strategy) => {
				const { plan, output } = compacted(transcript, strategy);
				if (!plan.preflight.ok) return;
				assert.deepEqual(toolPairProblems(windowOf(output)), []);
			}),
			runs,
		);
	});

	it('R4/R5 the head and the last user message survive verbatim', () => {
		fc.assert(
			fc.property(transcripts, strategyArb, (transcript, strategy) => {
				const { plan, output } = compacted(transcript, strategy);
				if (!plan.preflight.ok) return;
				const window = windowOf(transcript);
				const out = windowOf(output);
				for (let i = plan.regions.head.from; i < plan.regions.head.to; i++) {
					const message = window[i];
					if (message !== undefined && i !== plan.foldedSummary)
						assert.ok(survivesVerbatim(message, out), `head ${i}`);
				}
				const last = [...window].reverse().find(isUserPrompt);
				if (last === undefined) return;
				if (strategy === 'rotate') {
					// C4: a rotation carries the request inside the new session's first message.
					if (plan.activeTask !== undefined) assert.ok(windowText(out).includes(plan.activeTask.text));
				} else {
					assert.ok(survivesVerbatim(last, out), `last user message ${last.id}`);
				}
			}),
			runs,
		);
	});

	it('no message is both kept and summarised: kept ones are in the output, the others are not', () => {
		fc.assert(
			fc.property(transcripts, strategyArb, (transcript, strategy) => {
				const { plan, output } = compacted(transcript, strategy);
				if (!plan.preflight.ok) return;
				const ids = new Set(windowOf(output).map((m) => m.id));
				windowOf(transcript).forEach((m, i) => {
					assert.equal(ids.has(m.id), plan.fates[i] === 'kept', `${m.id} is ${plan.fates[i]}`);
				});
				assert.equal(plan.counts.kept + plan.counts.summarized + plan.counts.dropped, plan.fates.length);
			}),
			runs,
		);
	});

	it('R3/H6 tool arguments stay valid JSON when they were', () => {
		fc.assert(
			fc.property(transcripts, strategyArb, (transcript, strategy) => {
				const { plan, output } = compacted(transcript, strategy);
				if (!plan.preflight.ok) return;
				const before = new Map<string, string>();
				for (const m of windowOf(transcript)) {
					for (const p of m.parts) if (p.kind === 'toolCall') before.set(p.callId, p.argumentsText);
				}
				for (const m of windowOf(output)) {
					for (const p of m.parts) {
						if (p.kind !== 'toolCall') continue;
						const original = before.get(p.callId) ?? '';
						if (isJson(original)) assert.ok(isJson(p.argumentsText), `${p.callId}: ${p.argumentsText}`);
						else assert.equal(p.argumentsText, original);
					}
				}
			}),
			runs,
		);
	});

	it('R13 roles still alternate in anthropic-messages and claude-code output', () => {
		// Alternation here: among user and assistant messages (system skipped) no two neighbours share a role.
		fc.assert(
			fc.property(
				arbTranscript(['claude-code', 'anthropic-messages']),
				strategyArb,
				(transcript, strategy) => {
					assert.equal(
						firstRepeatedRole(windowOf(transcript)),
						-1,
						'the generator writes alternating transcripts',
					);
					const { plan, output } = compacted(transcript, strategy);
					if (!plan.preflight.ok) return;
					const out = windowOf(output);
					assert.equal(firstRepeatedRole(out), -1, out.map((m) => m.role).join(','));
					assert.equal(out.find((m) => m.role === 'user' || m.role === 'assistant')?.role, 'user');
				},
			),
			runs,
		);
	});

	it('C3 output tokens are fewer than input tokens whenever a compaction is returned; otherwise the input comes back unchanged', async () => {
		await fc.assert(
			fc.asyncProperty(transcripts, strategyArb, async (transcript, strategy) => {
				const result = await compactTranscript(
					transcript,
					optionsFor(strategy),
					new RecordingSummarizer(),
					new AbortController().signal,
				);
				if (!result.plan.preflight.ok) {
					assert.equal(result.success, false);
					assert.equal(result.transcript, transcript);
					return;
				}
				if (!result.success) {
					// Rare (about 1 in 3,000 generated cases): a structure digest can outweigh what it replaces. The engine
					// then refuses the compaction and hands the input back unchanged instead of returning a larger window.
					assert.match(
						result.error ?? '',
						/not fewer than the \d+ it replaces; the transcript was left unchanged/,
					);
					assert.equal(result.transcript, transcript);
					assert.equal(result.tokensAfter, result.tokensBefore);
					return;
				}
				assert.ok(
					result.tokensAfter < result.tokensBefore,
					`${result.tokensAfter} >= ${result.tokensBefore}`,
				);
				// Both figures are the window's budget: every message's exact count, less the reasoning of turns that
				// ended (not sent again), plus the hidden part (none here: generated transcripts record no usage).
				assert.equal(result.tokensBefore, sentWindowTokens(transcript));
				assert.equal(result.tokensAfter, sentWindowTokens(result.transcript));
				assert.equal(result.fixedTokens, 0);
			}),
			{ numRuns: 80 },
		);
	});

	it('deterministic strategies lose no artifact silently: every one they remove is listed as dropped, edited or spilled', () => {
		fc.assert(
			fc.property(transcripts, fc.constantFrom(...deterministic), (transcript, strategy) => {
				const { plan, output } = compacted(transcript, strategy);
				if (!plan.preflight.ok) return;
				const isKept = createKeptTest(windowText(windowOf(output)));
				const edited = new Set(plan.edits.map((e) => e.message));
				const spilled = new Set(plan.spill?.entries.map((e) => e.message) ?? []);
				for (const artifact of extractArtifacts(windowOf(transcript))) {
					if (isKept(artifact)) continue;
					const i = artifact.messageIndex;
					assert.ok(
						plan.fates[i] === 'dropped' || edited.has(i) || spilled.has(i),
						`${artifact.kind} ${artifact.value} of message ${i} vanished without a trace`,
					);
				}
				const spill = renderSpill(plan, transcript);
				if (strategy.startsWith('structure') && spill !== undefined) {
					for (const entry of plan.spill?.entries ?? [])
						assert.ok(spill.text.includes(`## #${entry.number} `));
				}
			}),
			runs,
		);
	});

	it('unchanged parts keep their raw and identity; new parts and messages have no raw; created ids are fresh', () => {
		fc.assert(
			fc.property(transcripts, strategyArb, (transcript, strategy) => {
				const { plan, output } = compacted(transcript, strategy);
				if (!plan.preflight.ok) return;
				const originalParts = new Set(windowOf(transcript).flatMap((m) => m.parts));
				const originalIds = new Set(windowOf(transcript).map((m) => m.id));
				const seen = new Set<string>();
				for (const m of windowOf(output)) {
					assert.ok(!seen.has(m.id), `duplicate id ${m.id}`);
					seen.add(m.id);
					if (!originalIds.has(m.id)) assert.deepEqual(m.raw, []);
					for (const p of m.parts)
						if (!originalParts.has(p)) assert.equal('raw' in p, false, JSON.stringify(p));
				}
				assert.equal(output.format, transcript.format);
				assert.equal(output.meta, transcript.meta);
				assert.equal(output.passthrough, transcript.passthrough);
			}),
			runs,
		);
	});

	it('H2 plans are plain data: serialised, parsed and applied again they give the same transcript', () => {
		fc.assert(
			fc.property(transcripts, strategyArb, (transcript, strategy) => {
				const { plan, output } = compacted(transcript, strategy);
				const parsed = parsePlan(serializePlan(plan));
				assert.ok(parsed.ok);
				if (!parsed.ok) return;
				assert.deepEqual(parsed.plan, plan);
				assert.equal(planCompaction(transcript, optionsFor(strategy)).id, plan.id);
				if (!plan.preflight.ok) return;
				const again = applyPlan(
					transcript,
					parsed.plan,
					plan.needsSummary ? 'A short summary of the earlier work on src/billing/export.ts.' : undefined,
				);
				assert.deepEqual(again.messages, output.messages);
			}),
			{ numRuns: 60 },
		);
	});
});

/** What the next request reads of a window, derived here from its definition: counts less ended turns' reasoning. */
function sentWindowTokens(transcript: Transcript): number {
	const window = windowOf(transcript);
	const turnStart = window.findLastIndex(
		(m) => m.role === 'user' && m.parts.some((p) => p.kind !== 'toolResult'),
	);
	let total = 0;
	window.forEach((m, i) => {
		const counted = testCounter.countMessage(m);
		total += counted.total - (i < turnStart ? counted.byCategory.thinking : 0);
	});
	return total;
}
