import { strict as assert } from 'node:assert';
import { basename, join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { captureIo } from '../support/captureIo';
import { corpusFiles, hasCorpus } from '../support/corpus';

interface LostFact {
	readonly kind: string;
	readonly value: string;
}

interface CompactJson {
	readonly success: boolean;
	readonly lostFacts: { readonly lost: readonly LostFact[] } | null;
}

interface InspectJson {
	readonly tokens: { readonly visible: number; readonly total: number };
}

async function cliJson<T>(args: readonly string[]): Promise<T | undefined> {
	const io = captureIo();
	const code = await runCli([...args, '--json'], io);
	return code === 0 ? (JSON.parse(io.stdout.join('\n')) as T) : undefined;
}

/** Values of the facts a dry-run compaction reports lost, or undefined when it declines. */
async function lostFacts(
	file: string,
	window: number | undefined,
	focus?: string,
): Promise<string[] | undefined> {
	const args = [
		'compact',
		file,
		'--dry-run',
		...(window === undefined ? [] : ['--window', String(window)]),
		...(focus === undefined ? [] : ['--focus', focus]),
	];
	const result = await cliJson<CompactJson>(args);
	return result?.success === true ? (result.lostFacts?.lost ?? []).map((f) => f.value) : undefined;
}

const corpusFolders = [
	'anthropic-messages',
	'claude-code',
	'codex',
	'copilot-chat',
	'openai-chat',
	...['copilot-cli', 'gemini-cli', 'opencode'].map((f) => `other/${f}`),
];

const commonWords = new Set([
	'users',
	'user',
	'home',
	'json',
	'jsonl',
	'true',
	'false',
	'null',
	'this',
	'that',
	'with',
]);

/** The topic of a list of lost facts: the word of four letters or more that most of them contain. */
function topicOf(values: readonly string[]): string | undefined {
	const counts = new Map<string, number>();
	for (const value of values) {
		const words = new Set(value.toLowerCase().split(/[^a-z0-9]+/));
		for (const word of words)
			if (word.length >= 4 && !/^\d+$/.test(word) && !commonWords.has(word))
				counts.set(word, (counts.get(word) ?? 0) + 1);
	}
	return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

// R10, measured where it matters: in every corpus session whose compaction loses facts, a focus naming the topic
// most of the lost facts share keeps them. Over the corpus, the facts on that topic lost with the focus are at most
// half of those lost without it. Windows: the default, and the file's own size (a session at the wall).
describe('a focus that matters, over the corpus', function () {
	this.timeout(600_000);
	it('facts on the focus topic lost with the focus are at most half of those lost without it', async function () {
		if (!hasCorpus()) this.skip(); // ../shared/corpus is absent on this machine
		const rows: string[] = [];
		let without = 0;
		let withFocus = 0;
		for (const folder of corpusFolders) {
			for (const file of corpusFiles(folder)) {
				const inspected = await cliJson<InspectJson>(['inspect', file]);
				if (inspected === undefined) continue;
				for (const window of [undefined, inspected.tokens.total]) {
					const lost = await lostFacts(file, window);
					if (lost === undefined || lost.length === 0) continue;
					const topic = topicOf(lost);
					if (topic === undefined) continue;
					const focused = (await lostFacts(file, window, topic)) ?? lost;
					const on = (values: readonly string[]): number =>
						values.filter((v) => v.toLowerCase().includes(topic)).length;
					without += on(lost);
					withFocus += on(focused);
					rows.push(
						`${basename(file)} (${window === undefined ? 'default window' : 'window = size'}): "${topic}" ${on(lost)} → ${on(focused)}`,
					);
				}
			}
		}
		assert.ok(rows.length > 0, 'some corpus compaction loses facts, so the focus has something to keep');
		assert.ok(
			withFocus * 2 <= without,
			`lost on topic: ${without} without a focus, ${withFocus} with it\n${rows.join('\n')}`,
		);
	});
});

describe('compact --focus reports what the focus kept', () => {
	it('prints one line and gives the same report in --json', async () => {
		const sample = join(__dirname, '..', 'fixtures', 'sample-claude-session.jsonl');
		const io = captureIo();
		assert.equal(
			await runCli(['compact', sample, '--dry-run', '--focus', 'rounding'], io),
			0,
			io.stderrLines.join('\n'),
		);
		const line = io.stdout
			.join('\n')
			.split('\n')
			.find((l) => l.startsWith('focus “rounding”: '));
		assert.ok(line, io.stdout.join('\n'));
		assert.match(
			line,
			/^focus “rounding”: (kept \d+ of \d+ facts? about it|no fact of the compacted messages mentions it) · \d+% of the summary is about it$/,
		);
		const json = await cliJson<{
			focus: { focus: string; kept: number; total: number; summaryShare: number } | null;
		}>(['compact', sample, '--dry-run', '--focus', 'rounding']);
		assert.ok(json?.focus);
		assert.equal(json.focus.focus, 'rounding');
		assert.ok(line.includes(`${Math.round(json.focus.summaryShare * 100)}% of the summary`));
		const plain = await cliJson<{ focus: unknown }>(['compact', sample, '--dry-run']);
		assert.equal(plain?.focus, null, 'no focus, no report');
	});
});
