import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const repoRoot = join(__dirname, '..', '..');
const docPath = join(repoRoot, 'docs', 'behaviours.md');

/** Every behaviour id the design notes define, by family and count. */
const knownIds = new Set(
	(
		[
			['Z', 5],
			['C', 4],
			['G', 6],
			['H', 9],
			['R', 16],
			['D', 9],
		] as const
	).flatMap(([family, count]) => Array.from({ length: count }, (_, i) => `${family}${i + 1}`)),
);

// Files where the id shape means something else: JPEG marker bytes (C4, C8, …) in the image header reader.
const notBehaviourIds = new Set(['src/core/transcript/formats/imageHeader.ts']);

const idShape = /\b[RHZCGD]\d{1,2}\b/g;
const repoPath = /^(?:(?:src|test|webview|bench|docs|media|\.ci)\/\S+|[\w.-]+\.(?:json|mjs|md))$/;

function tsFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return tsFiles(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

/** The text of every comment in a TypeScript file, found through the syntax tree (so regexes are not comments). */
function commentsOf(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
	const seen = new Map<number, string>();
	const collect = (ranges: ts.CommentRange[] | undefined): void => {
		for (const r of ranges ?? []) seen.set(r.pos, text.slice(r.pos, r.end));
	};
	const visit = (node: ts.Node): void => {
		collect(ts.getLeadingCommentRanges(text, node.pos));
		collect(ts.getTrailingCommentRanges(text, node.end));
		ts.forEachChild(node, visit);
	};
	visit(source);
	return [...seen.values()];
}

interface Entry {
	readonly id: string;
	readonly lines: readonly string[];
}

function entriesOf(markdown: string): Entry[] {
	const entries: { id: string; lines: string[] }[] = [];
	for (const line of markdown.split('\n')) {
		const heading = /^### (\S+)$/.exec(line);
		if (heading?.[1] !== undefined) entries.push({ id: heading[1], lines: [] });
		else if (line.startsWith('## ')) entries.push({ id: '', lines: [] });
		else entries.at(-1)?.lines.push(line);
	}
	return entries.filter((e) => e.id !== '');
}

/** Backticked repository paths and quoted titles in order, each title or name paired with the path before it. */
function references(line: string): { path: string; names: string[]; titles: string[] }[] {
	const found: { path: string; names: string[]; titles: string[] }[] = [];
	for (const match of line.matchAll(/`([^`]+)`|“([^”]+)”/g)) {
		const [, code, title] = match;
		if (code !== undefined && repoPath.test(code)) found.push({ path: code, names: [], titles: [] });
		else if (code !== undefined) found.at(-1)?.names.push(code);
		else if (title !== undefined) found.at(-1)?.titles.push(title);
	}
	return found;
}

describe('docs/behaviours.md', () => {
	const markdown = readFileSync(docPath, 'utf8');
	const entries = entriesOf(markdown);

	it('has one entry for each behaviour id, and no other', () => {
		const ids = entries.map((e) => e.id);
		assert.deepEqual([...ids].sort(), [...knownIds].sort());
		assert.equal(new Set(ids).size, ids.length, 'no id twice');
	});

	it('describes every id a src/ comment cites', function () {
		this.timeout(30_000);
		const documented = new Set(entries.map((e) => e.id));
		const cited = new Map<string, string>();
		for (const file of tsFiles(join(repoRoot, 'src'))) {
			const name = relative(repoRoot, file).split('\\').join('/');
			if (notBehaviourIds.has(name)) continue;
			for (const comment of commentsOf(file)) {
				for (const [id] of comment.matchAll(idShape)) if (!cited.has(id)) cited.set(id, name);
			}
		}
		assert.ok(
			cited.size >= 40,
			`only ${cited.size} ids cited in src/ comments: the comment walk missed some`,
		);
		for (const [id, file] of cited) {
			assert.ok(knownIds.has(id), `${file} cites ${id}, which is not a behaviour id`);
			assert.ok(documented.has(id), `${file} cites ${id}, which docs/behaviours.md does not describe`);
		}
	});

	it('names code that exists, with the names it says are there', () => {
		for (const entry of entries) {
			const code = entry.lines.filter((l) => l.startsWith('- Code:')).flatMap(references);
			assert.ok(code.length > 0, `${entry.id} names no code`);
			for (const { path, names } of code) {
				const file = join(repoRoot, path);
				assert.ok(existsSync(file), `${entry.id} names ${path}, which does not exist`);
				const text = readFileSync(file, 'utf8');
				for (const name of names) assert.ok(text.includes(name), `${entry.id}: ${path} has no ${name}`);
			}
		}
	});

	it('names tests that exist, by file and title', () => {
		for (const entry of entries) {
			const tests = entry.lines.filter((l) => l.startsWith('- Tests:')).flatMap(references);
			assert.ok(
				tests.some((t) => t.titles.length > 0),
				`${entry.id} names no test title`,
			);
			for (const { path, titles } of tests) {
				const file = join(repoRoot, path);
				assert.ok(path.startsWith('test/') && existsSync(file), `${entry.id} names ${path}, not a test file`);
				const text = readFileSync(file, 'utf8');
				for (const title of titles)
					assert.ok(text.includes(title), `${entry.id}: ${path} has no test “${title}”`);
			}
		}
	});

	it('every other file it names exists', () => {
		for (const match of markdown.matchAll(/`([^`]+)`/g)) {
			const path = match[1] ?? '';
			if (repoPath.test(path)) assert.ok(existsSync(join(repoRoot, path)), `${path} does not exist`);
		}
	});
});
