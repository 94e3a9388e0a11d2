import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { runCli } from '../../src/cli/main';
import { exportPlainText } from '../../src/core/compaction/exportPlainText';
import { planCompaction } from '../../src/core/compaction/planCompaction';
import { compactionStrategies } from '../../src/core/compaction/strategies';
import { buildMessageDetails } from '../../src/core/view/buildTranscriptView';
import { buildReviewView } from '../../src/core/view/buildReviewView';
import { syntheticTranscript } from '../core/view/syntheticTranscript';
import { compactSession, openSession, sessionOf, whatIfOptions } from '../core/view/viewPipeline';
import { captureIo } from '../support/captureIo';

// Behaviour ids (SEEDS.md) belong in code comments and test titles, never in text a person reads.
const behaviourId = /\b[RHZCGD]\d{1,2}\b/;
const repoRoot = join(__dirname, '..', '..');
const sample = join(repoRoot, 'test', 'fixtures', 'sample-claude-session.jsonl');

function assertNoId(text: string, where: string): void {
	const found = behaviourId.exec(text);
	if (found === null) return;
	const around = text.slice(Math.max(0, found.index - 60), found.index + 60).replace(/\s+/g, ' ');
	assert.fail(`${where} shows the behaviour id ${found[0]}: …${around}…`);
}

/** Every string value under `value`, with its JSON path. */
function stringsIn(value: unknown, path: string): [string, string][] {
	if (typeof value === 'string') return [[path, value]];
	if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${path}[${i}]`));
	if (value !== null && typeof value === 'object')
		return Object.entries(value).flatMap(([k, v]) => stringsIn(v, `${path}.${k}`));
	return [];
}

function tsFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return tsFiles(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

/** The text of every string and template literal in a TypeScript file (comments are not literals). */
function literalsOf(file: string): { line: number; text: string }[] {
	const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
	const found: { line: number; text: string }[] = [];
	const visit = (node: ts.Node): void => {
		if (
			ts.isStringLiteral(node) ||
			ts.isNoSubstitutionTemplateLiteral(node) ||
			ts.isTemplateHead(node) ||
			ts.isTemplateMiddle(node) ||
			ts.isTemplateTail(node)
		) {
			found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text });
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

async function cliText(args: readonly string[]): Promise<{ code: number; text: string }> {
	const io = captureIo();
	const code = await runCli(args, io);
	return { code, text: [...io.stdout, ...io.stderrLines].join('\n') };
}

/** The sample's first messages: too short for any strategy, so each one declines with its own message. */
function tinySample(dir: string): string {
	const file = join(dir, 'tiny.jsonl');
	writeFileSync(file, readFileSync(sample, 'utf8').split('\n').slice(0, 6).join('\n') + '\n');
	return file;
}

/** The sample with one tool result far over the size cap, so tc-cap writes its cut marker. */
function sampleWithHugeToolResult(dir: string): string {
	const lines = readFileSync(sample, 'utf8').split('\n');
	const index = lines.findIndex((l) => l.includes('"tool_result"') && lines.indexOf(l) > 6);
	const record = JSON.parse(lines[index] ?? '') as { message: { content: { content: unknown }[] } };
	const result = record.message.content[0];
	assert.ok(result !== undefined);
	result.content = Array.from({ length: 2_000 }, (_, i) => `build log line ${i}: compiled module ok`).join(
		'\n',
	);
	lines[index] = JSON.stringify(record);
	const file = join(dir, 'huge-tool-result.jsonl');
	writeFileSync(file, lines.join('\n'));
	return file;
}

describe('no behaviour ids in anything a person reads', () => {
	it('package.json: names, descriptions and everything it contributes', () => {
		const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<
			string,
			unknown
		>;
		const strings = [
			...stringsIn(manifest['displayName'], 'displayName'),
			...stringsIn(manifest['description'], 'description'),
			...stringsIn(manifest['contributes'], 'contributes'),
			...stringsIn(manifest['capabilities'], 'capabilities'),
		];
		assert.ok(strings.length > 100, `only ${strings.length} strings found: the walk missed contributes`);
		for (const [path, text] of strings) assertNoId(text, `package.json ${path}`);
	});

	it('no string or template literal in src/ or webview/ carries an id', function () {
		this.timeout(30_000);
		let literals = 0;
		for (const root of ['src', 'webview']) {
			for (const file of tsFiles(join(repoRoot, root))) {
				for (const { line, text } of literalsOf(file)) {
					literals++;
					assertNoId(text, `${relative(repoRoot, file)}:${line}`);
				}
			}
		}
		assert.ok(literals > 1_000, `only ${literals} literals scanned`);
	});

	it('the strategy picker: names and descriptions', () => {
		for (const s of compactionStrategies) assertNoId(`${s.name} ${s.description}`, `strategy ${s.name}`);
	});

	it('CLI: help, version, formats and inspect', async () => {
		const runs: [string[], number][] = [
			[['--help'], 0],
			[['help', 'compact'], 0],
			[['inspect', '--help'], 0],
			[['compact', '--help'], 0],
			[['formats', '--help'], 0],
			[['--version'], 0],
			[['formats'], 0],
			[['formats', '--json'], 0],
			[['inspect', sample], 0],
			[['inspect', sample, '--json'], 0],
			[['compact', sample, '--strategy', 'magic'], 2],
			[['frobnicate'], 2],
		];
		for (const [args, expected] of runs) {
			const { code, text } = await cliText(args);
			assert.equal(code, expected, args.join(' '));
			assert.ok(text.length > 0, `context-lens ${args.join(' ')} printed nothing`);
			assertNoId(text, `context-lens ${args.join(' ')}`);
		}
	});

	it('CLI: compact with every strategy, dry run and written, and the declining cases', async function () {
		this.timeout(120_000);
		const dir = mkdtempSync(join(tmpdir(), 'context-lens-ids-'));
		const inputs = [sample, tinySample(dir), sampleWithHugeToolResult(dir)];
		let declined = 0;
		for (const input of inputs) {
			for (const { name } of compactionStrategies) {
				const dry = await cliText(['compact', input, '--strategy', name, '--dry-run']);
				assert.equal(dry.code, 0, `${name} on ${input}: ${dry.text}`);
				assertNoId(dry.text, `compact --dry-run --strategy ${name} ${input}`);
				if (/Nothing to|would not free/.test(dry.text)) declined++;
				const json = await cliText(['compact', input, '--strategy', name, '--dry-run', '--json']);
				assertNoId(json.text, `compact --dry-run --json --strategy ${name} ${input}`);

				const out = join(dir, `${name}-${inputs.indexOf(input)}.jsonl`);
				const written = await cliText(['compact', input, '--strategy', name, '--out', out, '--force']);
				assertNoId(written.text, `compact --strategy ${name} ${input}`);
			}
		}
		assert.ok(declined >= 3, `only ${declined} runs declined: the declining messages were not exercised`);
		const files = readdirSync(dir).filter((f) => f !== 'tiny.jsonl' && f !== 'huge-tool-result.jsonl');
		assert.ok(files.length >= 10, `only ${files.length} files written`);
		assert.ok(
			files.some((f) =>
				readFileSync(join(dir, f), 'utf8').includes('characters cut by the tool-result size cap'),
			),
			'tc-cap wrote its cut marker',
		);
		for (const file of files) assertNoId(readFileSync(join(dir, file), 'utf8'), `written ${file}`);

		const again = await cliText(['compact', join(dir, 'summarize-0.jsonl'), '--dry-run']);
		assertNoId(again.text, 'compacting an already compacted transcript');
	});

	it('what the webview shows: transcript view, message details, review and the plain-text export', async function () {
		this.timeout(120_000);
		const dir = mkdtempSync(join(tmpdir(), 'context-lens-ids-view-'));
		const sessions = [
			openSession(sample),
			openSession(tinySample(dir)),
			openSession(sampleWithHugeToolResult(dir)),
			sessionOf(syntheticTranscript(2), 'two.jsonl', 200_000),
			sessionOf(syntheticTranscript(60), 'sixty.jsonl', 30_000),
		];
		for (const session of sessions) {
			const file = session.report.file;
			assertNoId(JSON.stringify(session.view), `transcript view of ${file}`);
			session.view.rows.forEach((row, i) => {
				const details = buildMessageDetails(session.transcript, i, row.tokens);
				assertNoId(JSON.stringify(details), `details of message ${i} of ${file}`);
			});
			for (const { name } of compactionStrategies) {
				const plan = planCompaction(
					session.transcript,
					whatIfOptions(session.counter, session.contextWindow, { strategy: name }),
				);
				if (!plan.preflight.ok) assertNoId(plan.preflight.message, `${name} preflight on ${file}`);
				const result = await compactSession(session, { strategy: name });
				const review = buildReviewView(result, {
					countTokens: (text) => session.counter.countText(text),
					before: session.transcript,
					applyDescription: 'a new session file next to the original',
				});
				assertNoId(JSON.stringify(review), `${name} review of ${file}`);
				assertNoId(await exportPlainText(session.transcript, plan), `${name} plain-text export of ${file}`);
			}
		}
	});
});
