// `node --import tsx bench/compareAudit.ts [files…]`: how long Compare strategies and the compaction audit take. For
// the bundled sample, the sample with an automatic compaction, and the largest transcripts of ../shared/corpus (or
// the files given), each in a fresh counter: the whole comparison and its slowest strategy (the longest the extension
// host is busy in one turn), and the audit (compactions plus timeline) cold, right after the budget is counted, and
// warm, as a live session's next refresh pays it.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildAuditView } from '../src/core/audit/auditView';
import { analyzeBudget, resolveCounting } from '../src/core/budget/analyzeBudget';
import { MessageTokenCache } from '../src/core/budget/messageTokenCache';
import { compareStrategies } from '../src/core/compare/compareStrategies';
import { TokenCounter } from '../src/core/tokens/tokenCounter';
import type { Transcript } from '../src/core/transcript/model';
import { parseTranscript } from '../src/core/transcript/readTranscript';
import { withAgentCompaction } from '../test/support/compactedSample';
import { corpusRoot, hasCorpus } from '../test/support/corpus';
import { markdownTable } from './stats';

const samplePath = join(__dirname, '..', 'test', 'fixtures', 'sample-claude-session.jsonl');

function parse(text: string, name: string): Transcript {
	const read = parseTranscript(new TextEncoder().encode(text), name);
	if (!read.ok) throw new Error(`${name}: ${read.failure.message}`);
	return read.transcript;
}

/** The largest corpus transcripts, biggest first. */
function largestCorpusFiles(count: number): string[] {
	if (!hasCorpus()) return [];
	const all: string[] = [];
	const walk = (dir: string): void => {
		for (const name of readdirSync(dir)) {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) walk(path);
			else if (!name.endsWith('.md')) all.push(path);
		}
	};
	walk(corpusRoot);
	return all.sort((a, b) => statSync(b).size - statSync(a).size).slice(0, count);
}

async function measure(label: string, transcript: Transcript): Promise<string[]> {
	const counting = resolveCounting(transcript, {});
	const counter = new MessageTokenCache(new TokenCounter(counting.profile));
	analyzeBudget(transcript, { file: label, cache: counter });
	const rules = { contextWindow: counting.contextWindow, compactionTokens: 0, rotationTokens: 0 };
	let started = performance.now();
	const audit = buildAuditView(transcript, counter, rules);
	const coldMs = performance.now() - started;
	started = performance.now();
	buildAuditView(transcript, counter, rules);
	const warmMs = performance.now() - started;
	started = performance.now();
	const compared = await compareStrategies(
		transcript,
		{ counter, contextWindow: counting.contextWindow },
		new AbortController().signal,
	);
	const compareMs = performance.now() - started;
	if (!compared.ok) throw new Error('the comparison was cancelled');
	const slowest = [...compared.comparison.rows].sort((a, b) => b.timeMs - a.timeMs)[0];
	return [
		label,
		String(transcript.messages.length),
		String(audit.compactions.length),
		coldMs.toFixed(0),
		warmMs.toFixed(0),
		compareMs.toFixed(0),
		slowest !== undefined ? `${slowest.strategy} ${slowest.timeMs.toFixed(0)}` : '–',
	];
}

async function main(): Promise<void> {
	const given = process.argv.slice(2);
	const sample = readFileSync(samplePath, 'utf8');
	const inputs: { label: string; transcript: Transcript }[] =
		given.length > 0
			? given.map((path) => ({ label: basename(path), transcript: parse(readFileSync(path, 'utf8'), path) }))
			: [
					{ label: 'bundled sample', transcript: parse(sample, samplePath) },
					{ label: 'sample + a compaction', transcript: parse(withAgentCompaction(sample), samplePath) },
					...largestCorpusFiles(3).map((path) => ({
						label: `corpus/${basename(path)}`,
						transcript: parse(readFileSync(path, 'utf8'), path),
					})),
				];
	const rows: string[][] = [];
	for (const input of inputs) rows.push(await measure(input.label, input.transcript));
	process.stdout.write(
		`${markdownTable(
			[
				'input',
				'messages',
				'compactions',
				'audit ms, cold',
				'audit ms, warm',
				'compare ms, 8 strategies',
				'slowest strategy ms',
			],
			rows,
		)}\n`,
	);
}

void main();
