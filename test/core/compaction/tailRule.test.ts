import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { describeTailRule } from '../../../src/core/compaction/tailRule';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';

const sample = join(__dirname, '..', '..', 'fixtures', 'sample-claude-session.jsonl');

describe('the tail rule in words', () => {
	const read = parseTranscript(readFileSync(sample), sample);
	assert.ok(read.ok);
	const transcript = read.transcript;
	const counter = new MessageTokenCache(new TokenCounter(resolveModel('claude-sonnet-4-5')));

	it('names the session share when the session bounds the tail, with the budget it gave', () => {
		const plan = planCompaction(transcript, { counter, contextWindow: 200_000 });
		const budget = Math.floor(plan.tokensBefore * 0.2);
		assert.ok(budget < Math.floor(160_000 * 0.2), 'a sample far below the threshold');
		assert.equal(
			describeTailRule(plan),
			`tail: newest 20% of this session (${budget.toLocaleString('en-US')} tokens)`,
		);
	});

	it('names the threshold share for automatic sizing or a session past the threshold', () => {
		const automatic = planCompaction(transcript, { counter, contextWindow: 200_000, tailSizing: 'window' });
		assert.equal(describeTailRule(automatic), 'tail: 20% of the compaction threshold (32,000 tokens)');
		const full = planCompaction(transcript, { counter, contextWindow: 20_000 });
		assert.equal(describeTailRule(full), 'tail: 20% of the compaction threshold (3,200 tokens)');
	});

	it('names a count-based tail by its messages', () => {
		const plan = planCompaction(transcript, { counter, contextWindow: 200_000, keepRecentMessages: 8 });
		assert.equal(describeTailRule(plan), 'tail: the newest 8 messages');
	});
});
