// Throughput of countTextTokens (gpt-tokenizer, with our run cutting) against js-tiktoken, in one process, on
// the model-facing text of the shared corpus, then read + parse + exact count of the corpus files against
// JSON.parse of the same files (see parseFloor.ts). Run: npx tsx bench/tokensThroughput.ts [rounds]
// Only the second part: npx tsx bench/tokensThroughput.ts --floor [rounds] [--json] [more files...]
// (--json prints the figures as one JSON line, which `npm run bench` reads).
import { randomBytes } from 'node:crypto';
import { allCorpusFiles, modelStrings, readRecords } from '../test/core/tokens/corpusStrings';
import { corpusTranscriptFiles, floorSummary, floorTable, measureParseFloor } from './parseFloor';

type Counter = (text: string) => number;

function measure(label: string, texts: readonly string[], count: Counter, rounds: number): number {
	const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
	let tokens = 0;
	let best = Number.POSITIVE_INFINITY;
	for (let round = 0; round < rounds; round++) {
		const started = performance.now();
		tokens = 0;
		for (const text of texts) tokens += count(text);
		best = Math.min(best, performance.now() - started);
	}
	const megabytesPerSecond = bytes / 1e6 / (best / 1000);
	console.log(
		`${label.padEnd(44)} ${(bytes / 1e6).toFixed(2)} MB  ${tokens} tokens  ${best.toFixed(0)} ms  ${megabytesPerSecond.toFixed(2)} MB/s`,
	);
	return megabytesPerSecond;
}

/** Rounds of the floor comparison when none is given. */
const defaultFloorRounds = 15;

async function floorMain(args: readonly string[]): Promise<void> {
	const numbers = args.filter((a) => /^\d+$/.test(a));
	const extra = args.filter((a) => !a.startsWith('--') && !/^\d+$/.test(a));
	const rounds = Number(numbers[0] ?? defaultFloorRounds);
	const figures = await measureParseFloor([...corpusTranscriptFiles(), ...extra], rounds);
	if (figures.files.length === 0)
		throw new Error('no readable file to measure (is the shared corpus absent?)');
	if (args.includes('--json')) {
		process.stdout.write(`${JSON.stringify(figures)}\n`);
		return;
	}
	console.log(floorTable(figures));
	console.log(floorSummary(figures));
}

async function main(): Promise<void> {
	const rounds = Number(process.argv[2] ?? 3);
	let started = performance.now();
	const { countTextTokens } = await import('../src/core/tokens/encoding');
	countTextTokens('warm', 'o200k_base');
	console.log(`load gpt-tokenizer (both encodings): ${(performance.now() - started).toFixed(0)} ms`);
	started = performance.now();
	const { Tiktoken } = await import('js-tiktoken/lite');
	const { default: o200k } = await import('js-tiktoken/ranks/o200k_base');
	const { default: cl100k } = await import('js-tiktoken/ranks/cl100k_base');
	const oracles = { o200k_base: new Tiktoken(o200k), cl100k_base: new Tiktoken(cl100k) };
	oracles.o200k_base.encode('warm');
	console.log(`load js-tiktoken (both encodings): ${(performance.now() - started).toFixed(0)} ms`);

	const strings = allCorpusFiles().flatMap((file) =>
		readRecords(file).flatMap((record) => modelStrings(record)),
	);
	if (strings.length === 0) throw new Error('the shared corpus is absent: nothing to measure');
	const joined = [strings.join('\n')];
	for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
		const ours = measure(
			`countTextTokens ${encoding}, joined`,
			joined,
			(t) => countTextTokens(t, encoding),
			rounds,
		);
		const theirs = measure(
			`js-tiktoken ${encoding}, joined`,
			joined,
			(t) => oracles[encoding].encode(t, [], []).length,
			rounds,
		);
		console.log(`  ratio ${(ours / theirs).toFixed(2)}x`);
		const oursEach = measure(
			`countTextTokens ${encoding}, per string`,
			strings,
			(t) => countTextTokens(t, encoding),
			rounds,
		);
		const theirsEach = measure(
			`js-tiktoken ${encoding}, per string`,
			strings,
			(t) => oracles[encoding].encode(t, [], []).length,
			rounds,
		);
		console.log(`  ratio ${(oursEach / theirsEach).toFixed(2)}x`);
	}
	const base64 = [randomBytes(750_000).toString('base64')];
	measure(
		'countTextTokens o200k_base, 1 MB random base64',
		base64,
		(t) => countTextTokens(t, 'o200k_base'),
		1,
	);
	measure(
		'js-tiktoken o200k_base, 1 MB random base64',
		base64,
		(t) => oracles.o200k_base.encode(t, [], []).length,
		1,
	);
	const blank = [Buffer.alloc(3_750_000).toString('base64')];
	measure('countTextTokens o200k_base, 5 MB blank base64', blank, (t) => countTextTokens(t, 'o200k_base'), 1);
	console.log(floorSummary(await measureParseFloor(corpusTranscriptFiles(), defaultFloorRounds)));
}

if (/tokensThroughput\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
	const args = process.argv.slice(2);
	void (args.includes('--floor') ? floorMain(args) : main());
}
