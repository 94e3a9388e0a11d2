import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared corpus of real transcripts, beside the repository (never copied into it). */
export const corpusRoot = resolve(__dirname, '..', '..', '..', 'shared', 'corpus');

/** True when the corpus is present; in CI its absence is an error, elsewhere tests skip with a message. */
export function hasCorpus(): boolean {
	if (existsSync(corpusRoot)) return true;
	if (process.env['CI'] === 'true')
		throw new Error(`the shared corpus is missing at ${corpusRoot}; CI must run beside shared/`);
	return false;
}

/** Transcript files (not PROVENANCE.md) under a corpus folder, e.g. `claude-code` or `other/gemini-cli`. */
export function corpusFiles(folder: string): string[] {
	const dir = join(corpusRoot, folder);
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((name) => !name.endsWith('.md'))
		.map((name) => join(dir, name))
		.filter((path) => statSync(path).isFile())
		.sort();
}

/** Registers mocha tests for each corpus file of a folder, or one skipped test saying why there are none. */
export function describeCorpus(folder: string, body: (file: string) => void): void {
	if (!hasCorpus()) {
		it.skip(`corpus ${folder}: ../shared/corpus is absent on this machine`, () => undefined);
		return;
	}
	const files = corpusFiles(folder);
	if (files.length === 0) throw new Error(`no corpus files under ${folder}`);
	for (const file of files) body(file);
}
