// Read + parse + exact count against the floor any JSON reader pays, JSON.parse of the same files, timed in turn in
// one process. Run: npx tsx bench/tokensThroughput.ts --floor [rounds] [--json] [extra files...]; `npm run bench`
// runs it in a child process of its own and writes the table into docs/performance.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readTranscriptFile } from '../src/core/io/readTranscriptFile';
import { corpusRoot } from '../test/support/corpus';
import { runPipeline } from './pipelines';
import { fixed, markdownTable, median, ratePerSecond } from './stats';

/** What is timed on every file, in turn, in each round. */
export type FloorContender = 'floor' | 'read' | 'readCount';

const contenders: readonly FloorContender[] = ['floor', 'read', 'readCount'];

/** One file's bytes and its timings per contender, in milliseconds, one per round. */
export interface FloorFile {
	readonly file: string;
	/** The group it is summed into: its corpus folder (the format), or the file name outside the corpus. */
	readonly group: string;
	readonly bytes: number;
	readonly tokens: number;
	/** Wall-clock time. */
	readonly ms: Readonly<Record<FloorContender, readonly number[]>>;
	/** Processor time of the process (user + system, every thread), steadier than wall time on a loaded machine. */
	readonly cpuMs: Readonly<Record<FloorContender, readonly number[]>>;
}

/** Everything one floor run measured. */
export interface FloorFigures {
	readonly rounds: number;
	readonly files: readonly FloorFile[];
	/** Files left out because `readTranscriptFile` refuses them (the count table lists them as not read). */
	readonly skipped: readonly string[];
}

/** Every transcript of the shared corpus (all formats, not the PROVENANCE notes), sorted; none when it is absent. */
export function corpusTranscriptFiles(dir: string = corpusRoot): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.sort()
		.flatMap((name) => {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) return corpusTranscriptFiles(path);
			return name.endsWith('.md') ? [] : [path];
		});
}

function collect(): void {
	(globalThis as { gc?: () => void }).gc?.();
}

/**
 * The floor: the file's bytes read, then JSON.parse of each non-blank line decoded on its own (a `.jsonl` file)
 * or of the whole text (any other file). Decoding each line on its own is the faster of the two for JSONL (a
 * line without a character past U+00FF stays a one-byte string even when another line has one).
 */
function jsonParseFloor(file: string): number {
	const bytes = readFileSync(file);
	if (!file.endsWith('.jsonl')) {
		JSON.parse(bytes.toString('utf8'));
		return 1;
	}
	let records = 0;
	let start = 0;
	while (start < bytes.length) {
		let end = bytes.indexOf(0x0a, start);
		if (end === -1) end = bytes.length;
		const line = bytes.toString('utf8', start, end);
		start = end + 1;
		if (line.trim() === '') continue;
		try {
			JSON.parse(line);
			records++;
		} catch {
			// A bad line costs what it costs; the product reports it, the floor skips it.
		}
	}
	return records;
}

async function runContender(contender: FloorContender, file: string): Promise<number> {
	if (contender === 'floor') return jsonParseFloor(file);
	const read = await readTranscriptFile(file);
	if (!read.ok) throw new Error(`${file}: ${read.failure.message}`);
	return contender === 'read' ? read.transcript.messages.length : runPipeline('exact', read.transcript, file);
}

function groupOf(file: string): string {
	const inCorpus = relative(corpusRoot, file);
	if (inCorpus.startsWith('..')) return file.split('/').pop() ?? file;
	const parts = inCorpus.split('/');
	return parts.length > 2 ? parts.slice(0, 2).join('/') : (parts[0] ?? inCorpus);
}

/**
 * Times the floor, our read and our read + exact count on every file, `rounds` times after one untimed round.
 * In each round every contender runs over all files back to back after one forced collection (when `gc` is
 * exposed), and the contenders' order is reversed every other round, so load and heap state fall on all alike.
 * The count is cold for every file, as the count table's `exact` pipeline: fresh cache, no remembered pieces.
 */
export async function measureParseFloor(files: readonly string[], rounds: number): Promise<FloorFigures> {
	const skipped: string[] = [];
	const readable: string[] = [];
	for (const file of files) {
		const read = await readTranscriptFile(file);
		if (read.ok) readable.push(file);
		else skipped.push(file);
	}
	const perContender = () => ({ floor: [] as number[], read: [] as number[], readCount: [] as number[] });
	const times = readable.map(perContender);
	const cpuTimes = readable.map(perContender);
	const tokens = readable.map(() => 0);
	for (let round = -1; round < rounds; round++) {
		const order = round % 2 === 0 ? contenders : [...contenders].reverse();
		for (const contender of order) {
			collect();
			for (const [i, file] of readable.entries()) {
				const cpu = process.cpuUsage();
				const started = performance.now();
				const result = await runContender(contender, file);
				const ms = performance.now() - started;
				const used = process.cpuUsage(cpu);
				if (round < 0) continue;
				times[i]?.[contender].push(ms);
				cpuTimes[i]?.[contender].push((used.user + used.system) / 1000);
				if (contender === 'readCount') tokens[i] = result;
			}
		}
	}
	return {
		rounds,
		files: readable.map((file, i) => ({
			file,
			group: groupOf(file),
			bytes: readFileSync(file).length,
			tokens: tokens[i] ?? 0,
			ms: times[i] ?? perContender(),
			cpuMs: cpuTimes[i] ?? perContender(),
		})),
		skipped,
	};
}

/** Summed bytes, tokens and per-file median times of a set of files. */
export interface FloorRow {
	readonly input: string;
	readonly files: number;
	readonly bytes: number;
	readonly tokens: number;
	readonly ms: Readonly<Record<FloorContender, number>>;
	readonly cpuMs: Readonly<Record<FloorContender, number>>;
}

function rowOf(input: string, files: readonly FloorFile[]): FloorRow {
	const sum = (pick: (f: FloorFile) => number) => files.reduce((s, f) => s + pick(f), 0);
	const medians = (pick: (f: FloorFile) => FloorFile['ms']) => ({
		floor: sum((f) => median(pick(f).floor)),
		read: sum((f) => median(pick(f).read)),
		readCount: sum((f) => median(pick(f).readCount)),
	});
	return {
		input,
		files: files.length,
		bytes: sum((f) => f.bytes),
		tokens: sum((f) => f.tokens),
		ms: medians((f) => f.ms),
		cpuMs: medians((f) => f.cpuMs),
	};
}

/** One row per group and one for every corpus file together, corpus rows first. */
export function floorRows(figures: FloorFigures): FloorRow[] {
	const corpus = figures.files.filter((f) => !relative(corpusRoot, f.file).startsWith('..'));
	const groups = [...new Set(figures.files.map((f) => f.group))];
	const rows = groups.map((g) =>
		rowOf(
			g,
			figures.files.filter((f) => f.group === g),
		),
	);
	if (corpus.length > 0) rows.push(rowOf(`corpus, all ${corpus.length} readable files`, corpus));
	return rows;
}

/** The table: MB/s of each contender and our times over the floor's. */
export function floorTable(figures: FloorFigures): string {
	const mbps = (row: FloorRow, c: FloorContender) => fixed(ratePerSecond(row.bytes / 1e6, row.ms[c]), 1);
	const times = (row: FloorRow, c: FloorContender) =>
		`${fixed(row.ms.floor > 0 ? row.ms[c] / row.ms.floor : Number.NaN, 2)}x`;
	const cpuTimes = (row: FloorRow, c: FloorContender) =>
		`${fixed(row.cpuMs.floor > 0 ? row.cpuMs[c] / row.cpuMs.floor : Number.NaN, 2)}x`;
	return markdownTable(
		[
			'input',
			'files',
			'MB',
			'JSON.parse floor MB/s',
			'read + parse MB/s',
			'read + parse + count MB/s',
			'read + parse / floor',
			'read + parse + count / floor',
			'read + parse + count / floor, processor time',
		],
		floorRows(figures).map((row) => [
			row.input,
			String(row.files),
			fixed(row.bytes / 1e6, 2),
			mbps(row, 'floor'),
			mbps(row, 'read'),
			mbps(row, 'readCount'),
			times(row, 'read'),
			times(row, 'readCount'),
			cpuTimes(row, 'readCount'),
		]),
	);
}

/** The ratio line for the corpus: read + parse + count time over the floor's, same files, same run. */
export function floorSummary(figures: FloorFigures): string {
	const total = floorRows(figures).at(-1);
	if (total === undefined) return 'no file was read';
	return `read+parse+count vs JSON.parse (same files, same run): ${fixed(total.ms.readCount / total.ms.floor, 2)}x (${fixed(ratePerSecond(total.bytes / 1e6, total.ms.readCount), 1)} MB/s against ${fixed(ratePerSecond(total.bytes / 1e6, total.ms.floor), 1)} MB/s over ${fixed(total.bytes / 1e6, 2)} MB, ${total.input}); read+parse alone ${fixed(total.ms.read / total.ms.floor, 2)}x; in processor time ${fixed(total.cpuMs.readCount / total.cpuMs.floor, 2)}x and ${fixed(total.cpuMs.read / total.cpuMs.floor, 2)}x`;
}

/**
 * Runs the floor comparison in a child process of its own (as `npm run bench` runs every case), over the corpus
 * and `extraFiles`, and returns its figures.
 */
export function runFloorCase(extraFiles: readonly string[] = [], rounds = 15): FloorFigures {
	const root = join(__dirname, '..');
	const child = spawnSync(
		process.execPath,
		[
			'--expose-gc',
			'--import',
			'tsx',
			join(root, 'bench', 'tokensThroughput.ts'),
			'--floor',
			String(rounds),
			'--json',
			...extraFiles,
		],
		{ cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
	);
	const last = child.stdout.trim().split('\n').pop() ?? '';
	if (child.status !== 0 || !last.startsWith('{')) {
		throw new Error(`the floor case failed (exit ${child.status}): ${child.stderr.slice(-2000)}`);
	}
	return JSON.parse(last) as FloorFigures;
}

/** The performance page's section for a floor run: what was timed, the table and the corpus ratio. */
export function floorSection(figures: FloorFigures): string[] {
	const total = floorRows(figures).find((r) => r.input.startsWith('corpus'));
	const headline =
		total === undefined
			? ''
			: ` On the corpus: read + parse + exact count takes **${fixed(total.ms.readCount / total.ms.floor, 2)}x** the floor's time (${fixed(total.cpuMs.readCount / total.cpuMs.floor, 2)}x in processor time); read + parse alone ${fixed(total.ms.read / total.ms.floor, 2)}x. Target: within 2x.`;
	return [
		'### Read + parse + count against the JSON.parse floor',
		'',
		`The same files, timed in turn in one process (\`bench/parseFloor.ts\`, run by \`npx tsx bench/tokensThroughput.ts --floor\`): the floor reads a file's bytes and runs JSON.parse on each line decoded on its own (JSONL) or on the whole text (JSON), and keeps nothing; \`readTranscriptFile\` builds the transcript; read + parse + count adds the \`exact\` pipeline's cold count (fresh cache, no remembered pieces). ${figures.rounds} rounds after one untimed one; in each the three run over all files back to back after one forced collection, their order reversed every other round; a file's figure is its median, a row's the sum of its files'. Processor time is the process's user + system time, steadier than wall time when other jobs share the machine.${headline}`,
		'',
		floorTable(figures),
	];
}
