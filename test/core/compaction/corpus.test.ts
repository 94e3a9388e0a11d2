import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import { applyPlan } from '../../../src/core/compaction/applyPlan';
import { compactTranscript, windowText } from '../../../src/core/compaction/compactTranscript';
import { needsAlternation, isUserPrompt } from '../../../src/core/compaction/messageParts';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { parsePlan, serializePlan } from '../../../src/core/compaction/serializePlan';
import type { StrategyName } from '../../../src/core/compaction/strategies';
import { extractArtifacts } from '../../../src/core/facts/extractArtifacts';
import { createKeptTest } from '../../../src/core/facts/reportLostFacts';
import { readTranscriptFile } from '../../../src/core/io/readTranscriptFile';
import { messagesInWindow } from '../../../src/core/transcript/model';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';
import { findFormat } from '../../../src/core/transcript/registry';
import { describeCorpus } from '../../support/corpus';
import { testCounter } from './arbitraries';
import { RecordingSummarizer, firstRepeatedRole, survivesVerbatim, toolPairProblems, windowOf } from './kit';

const strategies: readonly StrategyName[] = [
	'summarize',
	'structure',
	'structure-aggressive',
	'prune',
	'lru',
	'window',
	'tc-cap',
	'rotate',
];
const deterministic = new Set<StrategyName>([
	'prune',
	'structure',
	'structure-aggressive',
	'lru',
	'window',
	'tc-cap',
]);

// Small limits so that even the short corpus sessions have something to compact.
const limits = {
	contextWindow: 30_000,
	maxMessages: 20,
	maxTurns: 4,
	toolResultCapChars: 2_000,
	minPruneTokens: 500,
};

// Folders whose formats Context Lens reads; copilot-cli and opencode have no reader yet.
const readableFolders = [
	'claude-code',
	'codex',
	'openai-chat',
	'anthropic-messages',
	'copilot-chat',
	'other/gemini-cli',
];

describe('compaction on the real corpus', () => {
	for (const folder of readableFolders) {
		describe(folder, () => {
			describeCorpus(folder, (file) => {
				it(`${basename(file)}: every strategy keeps tool pairs, head, last request and alternation, and shrinks the window`, async () => {
					const read = await readTranscriptFile(file);
					assert.ok(read.ok, read.ok ? '' : read.failure.message);
					if (!read.ok) return;
					const transcript = read.transcript;
					const window = windowOf(transcript);
					const inputIsSound = toolPairProblems(window).length === 0;
					const inputAlternates = firstRepeatedRole(window) === -1;
					const lastPrompt = [...window].reverse().find(isUserPrompt);
					for (const strategy of strategies) {
						const options = { counter: testCounter, strategy, ...limits };
						const plan = planCompaction(transcript, options);
						const parsed = parsePlan(serializePlan(plan));
						assert.ok(
							parsed.ok && parsed.plan.id === plan.id,
							`${strategy}: the plan survives serialisation`,
						);
						if (!plan.preflight.ok) continue;
						const output = windowOf(applyPlan(transcript, plan, 'Summary of the earlier work.'));
						if (inputIsSound) assert.deepEqual(toolPairProblems(output), [], strategy);
						for (let i = plan.regions.head.from; i < plan.regions.head.to; i++) {
							const m = window[i];
							if (m !== undefined && i !== plan.foldedSummary)
								assert.ok(survivesVerbatim(m, output), `${strategy}: head ${i}`);
						}
						if (lastPrompt !== undefined && strategy !== 'rotate') {
							assert.ok(survivesVerbatim(lastPrompt, output), `${strategy}: last request`);
						}
						if (needsAlternation(transcript.format) && inputAlternates) {
							assert.equal(firstRepeatedRole(output), -1, `${strategy}: roles alternate`);
						}
						if (deterministic.has(strategy)) {
							const isKept = createKeptTest(windowText(output));
							const edited = new Set(plan.edits.map((e) => e.message));
							for (const artifact of extractArtifacts(window)) {
								const i = artifact.messageIndex;
								if (!isKept(artifact)) {
									assert.ok(plan.fates[i] === 'dropped' || edited.has(i), `${strategy}: ${artifact.value}`);
								}
							}
						}
						const result = await compactTranscript(
							transcript,
							options,
							new RecordingSummarizer(),
							new AbortController().signal,
						);
						assert.ok(result.success, `${strategy}: ${result.error ?? ''}`);
						assert.ok(result.tokensAfter < result.tokensBefore, strategy);
						const writer = findFormat(transcript.format).write;
						if (writer !== undefined) {
							const written = writer(result.transcript, {
								sessionId: 'corpus-check',
								now: '2026-01-01T00:00:00.000Z',
							});
							const reread = parseTranscript(Buffer.from(written.text), file, { format: transcript.format });
							assert.ok(reread.ok, `${strategy}: the written ${transcript.format} file reads back`);
							if (reread.ok) {
								assert.equal(reread.transcript.format, transcript.format);
								assert.equal(
									reread.transcript.diagnostics.filter((d) => d.severity === 'error').length,
									0,
									`${strategy}: no unreadable line in the written file`,
								);
								assert.ok(messagesInWindow(reread.transcript).length > 0, `${strategy}: messages read back`);
							}
						}
					}
				});
			});
		});
	}
});
