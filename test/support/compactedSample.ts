/**
 * The bundled sample session with an automatic compaction written the way Claude Code 2.0.76 writes one (FORMATS.md,
 * "Compaction (as Claude Code writes it)"): a `compact_boundary` record and an `isCompactSummary` prompt before the
 * third request, the next record re-parented to the summary, and the recorded usage after it lowered by what the
 * compaction freed. The summary is ours, written for the tests: it keeps some facts of the history and drops others.
 */

/** Line (1-based) of the sample's third request, where the compaction goes. */
export const sampleCompactionLine = 126;

/** The summary text the sample's compaction carries (inside Claude Code's wrapper). */
export const sampleSummary = [
	'Analysis:',
	'The user reported that invoice totals were off by a cent when a percent discount and VAT both applied (ticket BILL-412).',
	'',
	'Summary:',
	'1. Primary Request and Intent: fix the one-cent rounding error, then add a CSV export endpoint GET /invoices/export.',
	'2. Key Technical Concepts: the discounted net is rounded half-even before VAT; computeTotals is the one place totals are computed.',
	'3. Files and Code Sections: src/money/money.ts, src/tax/vat.ts, src/api/routes.ts, src/export/csv.ts.',
	'4. Errors and fixes: the first test run failed; after the rounding fix `npm test -- --run` passes.',
	'5. Pending Tasks: none.',
	'6. Current Work: the export endpoint streams one CSV row per invoice; tests cover escaping and the date filter.',
].join('\n');

const summaryWrapper = (summary: string): string =>
	'This session is being continued from a previous conversation that ran out of context. The conversation is ' +
	`summarized below:\n${summary}\nPlease continue the conversation from where we left it off without asking the ` +
	'user any further questions. Continue with the last task that you were asked to work on.';

type JsonRecord = Record<string, unknown>;

function contextOf(usage: JsonRecord | undefined): number {
	if (usage === undefined) return 0;
	const n = (key: string): number => (typeof usage[key] === 'number' ? (usage[key] as number) : 0);
	return n('input_tokens') + n('cache_read_input_tokens') + n('cache_creation_input_tokens');
}

function usageOf(record: JsonRecord): JsonRecord | undefined {
	const message = record['message'] as JsonRecord | undefined;
	return message?.['usage'] as JsonRecord | undefined;
}

/** Lowers a usage's cached input by `by` tokens (then its fresh input), never below zero. */
function lowered(usage: JsonRecord, by: number): JsonRecord {
	const cached = typeof usage['cache_read_input_tokens'] === 'number' ? usage['cache_read_input_tokens'] : 0;
	const fresh = typeof usage['input_tokens'] === 'number' ? usage['input_tokens'] : 0;
	const fromCache = Math.min(cached, by);
	return {
		...usage,
		cache_read_input_tokens: cached - fromCache,
		input_tokens: Math.max(0, fresh - (by - fromCache)),
	};
}

/** The sample session's text (`test/fixtures/sample-claude-session.jsonl`) with one automatic compaction added. */
export function withAgentCompaction(sampleText: string, at = sampleCompactionLine): string {
	const records = sampleText
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => JSON.parse(line) as JsonRecord);
	const before = records.slice(0, at - 1);
	const after = records.slice(at - 1);
	const last = [...before].reverse().find((r) => typeof r['uuid'] === 'string') as JsonRecord;
	const firstUsage = contextOf(before.map(usageOf).find((u) => contextOf(u) > 0));
	const preTokens = contextOf(
		[...before]
			.reverse()
			.map(usageOf)
			.find((u) => contextOf(u) > 0),
	);
	const stamp = new Date(Date.parse(String(last['timestamp'])) + 1000).toISOString();
	const envelope = {
		isSidechain: false,
		userType: 'external',
		cwd: last['cwd'],
		sessionId: last['sessionId'],
		version: last['version'],
		gitBranch: last['gitBranch'],
	};
	const boundaryId = '6f1c2e0a-5b7d-4c1e-9a3f-0c0ffee00001';
	const summaryId = '6f1c2e0a-5b7d-4c1e-9a3f-0c0ffee00002';
	const boundary = {
		parentUuid: null,
		logicalParentUuid: last['uuid'],
		...envelope,
		type: 'system',
		subtype: 'compact_boundary',
		content: 'Conversation compacted',
		isMeta: false,
		timestamp: stamp,
		uuid: boundaryId,
		level: 'info',
		compactMetadata: { trigger: 'auto', preTokens },
	};
	const summary = {
		parentUuid: boundaryId,
		...envelope,
		type: 'user',
		message: { role: 'user', content: summaryWrapper(sampleSummary) },
		isVisibleInTranscriptOnly: true,
		isCompactSummary: true,
		uuid: summaryId,
		timestamp: stamp,
	};
	// After the compaction the agent sends its fixed prefix, the summary and what follows: about the first request's
	// context plus the summary, so the recorded figures drop by the rest.
	const freed = Math.max(0, preTokens - firstUsage - Math.ceil(summary.message.content.length / 4));
	const rewritten = after.map((record, i) => {
		const next: JsonRecord = i === 0 ? { ...record, parentUuid: summaryId } : { ...record };
		const usage = usageOf(record);
		if (usage !== undefined)
			next['message'] = { ...(record['message'] as JsonRecord), usage: lowered(usage, freed) };
		return next;
	});
	return `${[...before, boundary, summary, ...rewritten].map((r) => JSON.stringify(r)).join('\n')}\n`;
}
