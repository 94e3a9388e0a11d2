import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import { extractArtifacts, findActiveTask } from '../../../src/core/facts/extractArtifacts';
import { reportLostFacts } from '../../../src/core/facts/reportLostFacts';
import { summarizeOffline } from '../../../src/core/summarize/offline/offlineSummarizer';
import type { Message } from '../../../src/core/transcript/model';
import { describeCorpus } from '../../support/corpus';
import { readClaudeCodeMessages } from './corpusMessages';
import { countTokens, generateSession, transcriptText } from './offlineFixtures';

/** R6 with a 200K window: 20% of the compressed content, between 2000 and min(5% of window, 12000) tokens. */
function r6BudgetTokens(middleTokens: number): number {
	return Math.max(2000, Math.min(10_000, Math.round(middleTokens * 0.2)));
}

function isOnlyToolResults(message: Message | undefined): boolean {
	return (
		message !== undefined && message.parts.length > 0 && message.parts.every((p) => p.kind === 'toolResult')
	);
}

/** The messages a planner would summarise: after a 3-message head, before an 8-message tail, never starting on a tool result. */
function middleOf(messages: readonly Message[]): Message[] {
	const inWindow = messages.filter((m) => !m.flags.isCompacted);
	let start = Math.min(3, inWindow.length);
	while (start < inWindow.length && isOnlyToolResults(inWindow[start])) start++;
	let end = Math.max(start, inWindow.length - 8);
	while (end > start && isOnlyToolResults(inWindow[end])) end--;
	return inWindow.slice(start, end);
}

interface Figures {
	readonly middleTokens: number;
	readonly budgetTokens: number;
	readonly summaryTokens: number;
	readonly reduction: number;
	readonly retention: number;
	readonly artifacts: number;
	readonly elapsedMs: number;
}

function measure(middle: readonly Message[], activeTask?: string): Figures & { readonly text: string } {
	const middleTokens = countTokens(transcriptText(middle));
	const budgetTokens = r6BudgetTokens(middleTokens);
	const started = performance.now();
	const outcome = summarizeOffline({
		messages: middle,
		budgetTokens,
		countTokens,
		...(activeTask !== undefined ? { activeTask } : {}),
	});
	const elapsedMs = performance.now() - started;
	if (!outcome.ok) throw new Error(outcome.message);
	const artifacts = extractArtifacts(middle);
	const report = reportLostFacts(artifacts, outcome.text);
	const summaryTokens = countTokens(outcome.text);
	return {
		text: outcome.text,
		middleTokens,
		budgetTokens,
		summaryTokens,
		reduction: 1 - summaryTokens / middleTokens,
		retention: report.retention,
		artifacts: artifacts.length,
		elapsedMs,
	};
}

function describeFigures(f: Figures): string {
	return `${f.middleTokens} → ${f.summaryTokens} tokens (budget ${f.budgetTokens}), ${(100 * f.reduction).toFixed(1)}% smaller, ${(100 * f.retention).toFixed(1)}% of ${f.artifacts} artifacts kept, ${f.elapsedMs.toFixed(0)} ms`;
}

describe('offline summariser: retention and reduction', () => {
	it('keeps >= 95% of the artifacts of a generated 40-turn session while >= 70% smaller', function () {
		const figures = measure(generateSession(7, 40));
		this.test!.title += ` [${describeFigures(figures)}]`;
		assert.ok(figures.summaryTokens <= figures.budgetTokens);
		assert.ok(figures.reduction >= 0.7, describeFigures(figures));
		assert.ok(figures.retention >= 0.95, describeFigures(figures));
	});

	it('keeps what the budget allows on a 200-turn session, never over budget', function () {
		this.timeout(120_000);
		const figures = measure(generateSession(9, 200));
		this.test!.title += ` [${describeFigures(figures)}]`;
		assert.ok(figures.summaryTokens <= figures.budgetTokens);
		assert.ok(figures.reduction >= 0.95);
		// Over a thousand distinct artifacts cannot all fit in the R6 ceiling of 10,000 tokens; the rest is kept.
		assert.ok(figures.retention >= 0.35, describeFigures(figures));
	});

	describe('on real Claude Code sessions', () => {
		const named = new Set([
			'codemie-session-3fe1b6bc.jsonl',
			'ccviewer-5c0375b4-57a5-4f26-b12d-d022ee4e51b7.jsonl',
			'bln-agent-a0294d5.jsonl',
		]);
		describeCorpus('claude-code', (file) => {
			it(`summarises the middle of ${basename(file)}`, function () {
				const messages = readClaudeCodeMessages(file);
				const middle = middleOf(messages);
				const middleTokens = countTokens(transcriptText(middle));
				if (middle.length < 6 || middleTokens < 2000) {
					// R16: nothing worth compacting; the summariser still answers within budget.
					const outcome = summarizeOffline({ messages: middle, budgetTokens: 2000, countTokens });
					assert.ok(outcome.ok && countTokens(outcome.text) <= 2000);
					this.test!.title += ` [middle of ${middle.length} messages, ${middleTokens} tokens: too small to compact]`;
					return;
				}
				const task = findActiveTask(messages.filter((m) => !m.flags.isCompacted));
				const figures = measure(middle, task !== undefined && !task.looksFulfilled ? task.text : undefined);
				this.test!.title += ` [${describeFigures(figures)}]`;
				assert.ok(figures.summaryTokens <= figures.budgetTokens);
				assert.ok(figures.reduction >= 0.7, describeFigures(figures));
				assert.ok(figures.retention >= 0.95, describeFigures(figures));
				assert.ok(figures.text.startsWith('## Active Task\n'));
				if (named.has(basename(file))) {
					assert.match(figures.text, /^## Completed Actions$/m);
					assert.match(figures.text, /^## Relevant Files$/m);
				}
			});
		});
	});
});
