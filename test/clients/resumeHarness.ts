// What the real-client resume suites share: compacting a corpus session with the CLI (in process), running a real
// agent CLI through its run script from ../shared/tools/real-clients (offline, inside a loopback-only network
// namespace, against a fake endpoint that records every request), and reading what it sent. The suites check the
// recorded request, never an exit code: the CLIs are lenient and exit 0 on files they silently misread.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { messagesInWindow, type Transcript } from '../../src/core/transcript/model';
import { captureIo } from '../support/captureIo';
import { clientMissing, realClientTools, type ClientName } from './toolchain';

/** One request the fake endpoint recorded. */
export interface RecordedRequest {
	readonly method: string;
	readonly url: string;
	readonly body: unknown;
}

/** What `compact --json` reports that the suites use. */
export interface CompactOutcome {
	readonly success: boolean;
	readonly error: string | null;
	readonly summary: string | null;
	readonly resumeHint: string | null;
	readonly messagesAfter: number;
}

async function cliJson<T>(args: readonly string[]): Promise<T> {
	const io = captureIo();
	const code = await runCli([...args, '--json'], io);
	assert.equal(code, 0, `context-lens ${args.join(' ')}: exit ${code}: ${io.stderrLines.join('')}`);
	return JSON.parse(io.stdout.join('\n')) as T;
}

/**
 * `context-lens compact FILE --out OUT` with the offline summariser and the window set to what the session holds
 * now, so any session past the compaction threshold is compacted (as a session that has just filled its window).
 */
export async function compactToFull(file: string, out: string): Promise<CompactOutcome> {
	const inspected = await cliJson<{ tokens: { total: number } }>(['inspect', file]);
	const window = String(Math.max(1, inspected.tokens.total));
	const io = captureIo();
	const code = await runCli(['compact', file, '--window', window, '--out', out, '--json'], io);
	// A session with nothing to compact exits 0 with success false; a failed write exits 4 and is a failure here.
	assert.equal(code, 0, `context-lens compact ${file}: exit ${code}: ${io.stderrLines.join('')}`);
	return JSON.parse(io.stdout.join('\n')) as CompactOutcome;
}

/** Reads a transcript with the project's own reader; fails the test when it cannot. */
export async function readWithCore(path: string): Promise<Transcript> {
	const read = await readTranscriptFile(path);
	assert.ok(read.ok, read.ok ? '' : `${path}: ${read.failure.message}`);
	return read.transcript;
}

/** Runs a reference run script (run-claude.sh, run-gemini.sh) and returns the requests its fake endpoint recorded. */
export function runRealClient(
	script: string,
	outDir: string,
	cwd: string,
	args: readonly string[],
	env: Readonly<Record<string, string>>,
): RecordedRequest[] {
	const run = spawnSync('bash', [join(realClientTools, script), outDir, cwd, ...args], {
		encoding: 'utf8',
		env: { ...process.env, ...env },
		timeout: 180_000,
	});
	const log = join(outDir, 'requests.jsonl');
	const stderr = existsSync(join(outDir, 'stderr.txt'))
		? readFileSync(join(outDir, 'stderr.txt'), 'utf8')
		: '';
	assert.ok(
		existsSync(log),
		`${script} recorded no request (status ${run.status}): ${run.stderr}\n${stderr.slice(-2000)}`,
	);
	return readFileSync(log, 'utf8')
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => JSON.parse(line) as RecordedRequest);
}

/** Every string inside a JSON value (texts, ids, tool arguments and outputs), for searching a request. */
export function stringLeaves(value: unknown, out: string[] = []): string[] {
	if (typeof value === 'string') out.push(value);
	else if (Array.isArray(value)) for (const item of value) stringLeaves(item, out);
	else if (typeof value === 'object' && value !== null)
		for (const item of Object.values(value)) stringLeaves(item, out);
	return out;
}

/** The first non-empty line of a summary: it must reach the model as written. */
export function summaryFirstLine(summary: string | null): string {
	const line = (summary ?? '').split('\n').find((l) => l.trim() !== '');
	assert.ok(line !== undefined, 'the compaction produced a summary');
	return line.trim();
}

/**
 * The text of the person's last request in a transcript: the newest user text of its window that is not meta or a
 * summary, preferring one the person typed over a tagged one (a slash command's expansion, a system reminder).
 */
export function lastUserRequest(transcript: Transcript): string {
	const texts = messagesInWindow(transcript)
		.filter((m) => m.role === 'user' && !m.flags.isMeta && !m.flags.isSummary)
		.flatMap((m) => {
			const text = m.parts.find((p) => p.kind === 'text');
			return text?.kind === 'text' && text.text.trim() !== '' ? [text.text] : [];
		});
	const typed = texts.filter((t) => !t.startsWith('<'));
	const last = typed.at(-1) ?? texts.at(-1);
	assert.ok(last !== undefined, 'the session holds a request from the person');
	return last;
}

/**
 * What the original held that the compacted file does not: ids of tool calls it dropped, and whole texts (the
 * model's prose and tool output, 40 characters or more) found nowhere in the compacted file (texts and arguments). None of
 * them may reach the model after the resume: the CLI must send the compacted session, not the history before it.
 */
export function removedMarkers(original: Transcript, compacted: Transcript): string[] {
	const kept = new Set<string>();
	const keptText: string[] = [];
	for (const message of compacted.messages) {
		for (const part of message.parts) {
			if (part.kind === 'toolCall' || part.kind === 'toolResult') kept.add(part.callId);
			if ('text' in part) keptText.push(part.text);
			// A kept call's arguments are sent too, and may hold text a removed result held (a file's old content).
			if (part.kind === 'toolCall') keptText.push(...stringLeaves(parseJson(part.argumentsText)));
		}
	}
	const keptAll = keptText.join('\n');
	const markers = new Set<string>();
	for (const message of original.messages) {
		for (const part of message.parts) {
			if (part.kind === 'toolCall' && !kept.has(part.callId)) markers.add(part.callId);
			const isModelProse = part.kind === 'text' && message.role === 'assistant';
			if ((isModelProse || part.kind === 'toolResult') && part.text.trim().length >= 40) {
				if (!keptAll.includes(part.text)) markers.add(part.text);
			}
		}
	}
	return [...markers];
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

/** Asserts the compaction removed something the request can be searched for, and that none of it was sent. */
export function assertNothingRemovedSent(
	original: Transcript,
	compacted: Transcript,
	requestText: string,
): void {
	const markers = removedMarkers(original, compacted);
	assert.ok(markers.length > 0, 'the compaction removed tool calls or texts to look for');
	const leaked = markers
		.filter((m) => requestText.includes(m))
		.map((m) => (m.length > 80 ? `${m.slice(0, 79)}…` : m));
	assert.deepEqual(leaked, [], 'nothing the compaction removed reaches the model');
}

/** One corpus session a resume suite compacts and resumes. */
export interface ResumeCase {
	readonly title: string;
	/** The session to compact; may prepare a variant of it in the test's scratch folder. */
	readonly source: (dir: string) => string;
	/** Name of the compacted file in the scratch folder. */
	readonly outName: string;
}

/** What a resume check gets: the session, the compacted file, what compact reported, and a scratch folder. */
export interface CompactedCase {
	readonly source: string;
	readonly out: string;
	readonly result: CompactOutcome;
	readonly dir: string;
}

/**
 * Registers one test per case: compact the session to a fresh file, then `check` resumes it with the real CLI.
 * Every test skips, saying why, when the CLI, a reference script or root is missing (in CI that fails the suite),
 * and a session too small to compact is skipped with compact's reason; at least `minimum` sessions must compact.
 */
export function describeResumes(
	title: string,
	client: ClientName,
	scripts: readonly string[],
	cases: readonly ResumeCase[],
	minimum: number,
	check: (compacted: CompactedCase) => Promise<void>,
): void {
	describe(title, function () {
		this.timeout(300_000);
		let why: string | undefined;
		let isReady = false;
		let compactedCount = 0;
		before(() => {
			why = clientMissing(client, { scripts, needsNamespace: true });
			isReady = why === undefined;
		});
		for (const item of cases) {
			it(item.title, async function () {
				if (why !== undefined) {
					console.log(`    (skipped: ${why})`);
					this.skip();
				}
				const dir = mkdtempSync(join(tmpdir(), `context-lens-${client}-`));
				try {
					mkdirSync(join(dir, 'wd'));
					const source = item.source(dir);
					const out = join(dir, item.outName);
					const result = await compactToFull(source, out);
					if (!result.success) {
						// Too small to compact: there is no compacted session to resume.
						console.log(`    (skipped, not compacted: ${result.error ?? 'declined'})`);
						this.skip();
					}
					compactedCount++;
					await check({ source, out, result, dir });
				} finally {
					rmSync(dir, { recursive: true, force: true });
				}
			});
		}
		after(() => {
			if (isReady && cases.length > 0)
				assert.ok(compactedCount >= minimum, `only ${compactedCount} corpus sessions compacted and resumed`);
		});
	});
}
