import { strict as assert } from 'node:assert';
import type { Artifact } from '../../../src/core/facts/extractArtifacts';
import { describeFocusReport, focusShareOf, reportFocus } from '../../../src/core/facts/focusReport';
import type { LostFactsReport } from '../../../src/core/facts/reportLostFacts';
import { focusTermsOf, mentionsFocus } from '../../../src/core/text/focusTerms';

function fact(kind: Artifact['kind'], value: string, source = 'Bash'): Artifact {
	return { kind, value, messageId: 'm', messageIndex: 3, source };
}

function report(kept: Artifact[], lost: Artifact[]): LostFactsReport {
	const total = kept.length + lost.length;
	return {
		kept,
		lost,
		retention: total === 0 ? 1 : kept.length / total,
		byKind: {} as LostFactsReport['byKind'],
	};
}

describe('focusReport (R10: what the focus kept)', () => {
	it('reads focus terms as the summariser does: words of three or more, stop words dropped', () => {
		assert.deepEqual(focusTermsOf('the Codex token_count metrics plugin'), [
			'codex',
			'token_count',
			'metrics',
			'plugin',
		]);
		assert.deepEqual(focusTermsOf('  '), []);
		assert.ok(mentionsFocus('see ~/.codex/sessions', ['codex']));
		assert.ok(!mentionsFocus('see ~/.claude', ['codex']));
	});

	it('counts the kept and lost facts that mention the focus, the said ones first among the examples', () => {
		const kept = [
			fact('filePath', '/Users/me/.codex/sessions/2026/rollout-a.jsonl'),
			fact('identifier', 'codexParser', 'assistant'),
			fact('filePath', 'src/claude.ts'),
		];
		const lost = [fact('filePath', '/Users/me/.codex/auth.json'), fact('command', 'ls ~/.claude')];
		const summary = ['## Active Task', 'Port the codex metrics', 'Paths: src/claude.ts'].join('\n');
		const got = reportFocus('codex', report(kept, lost), summary);
		assert.ok(got);
		assert.equal(got.kept, 2);
		assert.equal(got.total, 3);
		assert.deepEqual(got.keptExamples, ['codexParser', '/Users/me/.codex/sessions/2026/rollout-a.jsonl']);
		assert.deepEqual(got.lost, ['/Users/me/.codex/auth.json']);
		assert.equal(got.summaryShare, focusShareOf(summary, ['codex']));
		assert.ok(got.summaryShare > 0.3 && got.summaryShare < 0.5);
		assert.equal(
			describeFocusReport(got),
			`focus “codex”: kept 2 of 3 facts about it · ${Math.round(got.summaryShare * 100)}% of the summary is about it`,
		);
	});

	it('says so when no fact mentions the focus, and gives nothing without a focus', () => {
		const got = reportFocus('parquet', report([fact('filePath', 'a.ts')], []), 'nothing relevant');
		assert.ok(got);
		assert.equal(
			describeFocusReport(got),
			'focus “parquet”: no fact of the compacted messages mentions it · 0% of the summary is about it',
		);
		assert.equal(reportFocus(undefined, report([], []), 'x'), undefined);
		assert.equal(reportFocus('a b', report([], []), 'x'), undefined);
	});
});
