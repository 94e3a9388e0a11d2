import type { DetectionSample, DetectionVerdict, TranscriptFormat } from '../format';
import { CodexAccumulator, envelopeKinds } from './codex/accumulator';
import { isObject, knownItemTypes } from './codex/items';
import { shapeCodexRollout, writeCodexRollout } from './codex/writer';

/** Detection scores (higher wins): an envelope line is near-certain, a legacy header likely, the path alone a hint. */
const scores = {
	envelope: 90,
	envelopeText: 85,
	legacyHeader: 85,
	legacyState: 80,
	legacyItems: 60,
	pathOnly: 10,
};
const pathHintBonus = 5;

/** The Codex CLI rollout format (`~/.codex/sessions/…/rollout-*.jsonl`), current envelope and legacy layout; reads and writes. */
export const codexFormat: TranscriptFormat = {
	id: 'codex',
	label: 'Codex CLI rollout',
	isJsonl: true,
	detect: detectCodexRollout,
	createAccumulator: () => new CodexAccumulator(),
	write: writeCodexRollout,
	shapeForWrite: shapeCodexRollout,
};

/** Rates a sample as a Codex rollout (FORMATS.md §7); undefined when nothing in it looks like one. */
export function detectCodexRollout(sample: DetectionSample): DetectionVerdict | undefined {
	const hinted =
		/(^|[\\/])\.codex[\\/](archived_)?sessions[\\/]/.test(sample.path) ||
		/(^|[\\/])rollout-[^\\/]*\.jsonl(\.zst)?$/.test(sample.path);
	const bonus = hinted ? pathHintBonus : 0;
	const records = sample.firstRecords;
	for (let i = 0; i < records.length; i++) {
		const record = records[i];
		if (
			isObject(record) &&
			typeof record['type'] === 'string' &&
			envelopeKinds.has(record['type']) &&
			isObject(record['payload'])
		) {
			return {
				score: scores.envelope + bonus,
				reason: `a \`${record['type']}\` line with a payload (Codex rollout envelope)`,
			};
		}
	}
	const first = records.find((r) => r !== undefined);
	if (
		isObject(first) &&
		!('type' in first) &&
		typeof first['id'] === 'string' &&
		typeof first['timestamp'] === 'string' &&
		'instructions' in first
	) {
		return {
			score: scores.legacyHeader + bonus,
			reason: 'a first line with id, timestamp and instructions (legacy Codex rollout)',
		};
	}
	if (records.some((r) => isObject(r) && r['record_type'] === 'state')) {
		return { score: scores.legacyState + bonus, reason: '`record_type: state` lines (legacy Codex rollout)' };
	}
	// A session_meta line longer than the detection head (big instructions, tool lists) does not parse; its start still shows.
	if (/^\s*\{"timestamp":"[^"]*","(ordinal":\d+,")?type":"session_meta","payload":\{/.test(sample.head)) {
		return { score: scores.envelopeText + bonus, reason: 'starts with a Codex `session_meta` line' };
	}
	if (!hinted) return undefined;
	if (isObject(first) && typeof first['type'] === 'string' && knownItemTypes.has(first['type'])) {
		return {
			score: scores.legacyItems,
			reason: 'a rollout file name and Codex response items (legacy Codex rollout)',
		};
	}
	return {
		score: scores.pathOnly,
		reason: 'the path looks like a Codex rollout (rollout-*.jsonl or .codex/sessions)',
	};
}
