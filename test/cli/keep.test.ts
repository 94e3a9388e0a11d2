import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { visibleTextOf } from '../../src/core/compaction/pinTargets';
import { messagesInWindow, type Message } from '../../src/core/transcript/model';
import { parseTranscript } from '../../src/core/transcript/readTranscript';
import { captureIo } from '../support/captureIo';

const sample = join(__dirname, '..', 'fixtures', 'sample-claude-session.jsonl');

function freshCopy(): { dir: string; file: string } {
	const dir = mkdtempSync(join(tmpdir(), 'context-lens-keep-'));
	const file = join(dir, 'session.jsonl');
	copyFileSync(sample, file);
	return { dir, file };
}

function windowOf(path: string): readonly Message[] {
	const read = parseTranscript(readFileSync(path), path);
	assert.ok(read.ok, path);
	return messagesInWindow(read.transcript);
}

async function run(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
	const io = captureIo();
	const code = await runCli(args, io);
	return { code, out: io.stdout.join('\n'), err: io.stderrLines.join('\n') };
}

/** The part without its source block (the writer re-renders it), for comparing what the model reads. */
const shown = (part: Message['parts'][number]): string => JSON.stringify({ ...part, raw: undefined });

/**
 * True when every part of `original` is in `written`, unchanged and in order: verbatim, though where no role fits
 * between its neighbours the handoff or eviction note is merged into it behind a separator (R13).
 */
function keepsEveryPart(original: Message, written: Message): boolean {
	let at = 0;
	for (const part of written.parts)
		if (at < original.parts.length && shown(part) === shown(original.parts[at] as Message['parts'][number]))
			at++;
	return at === original.parts.length && written.role === original.role;
}

interface CompactJson {
	readonly out: string;
	readonly plan: {
		readonly counts: { readonly summarized: number; readonly dropped: number; readonly edited: number };
		readonly pinned: { messages: number[]; partners: number[]; tokens: number } | null;
	};
}

describe('context-lens --keep and --keep-matching', () => {
	const input = windowOf(sample);
	// A message deep in the middle (a tool call with its result after it) and one found by its text.
	const callIndex = input.findIndex((m, i) => i > 20 && m.parts.some((p) => p.kind === 'toolCall'));
	const matched = input
		.map((m, i) => ({ i, text: visibleTextOf(m).toLowerCase() }))
		.filter(({ text }) => text.includes('bill-412'))
		.map(({ i }) => i);

	it('the sample has what the tests pin: a middle tool call and a message naming BILL-412', () => {
		assert.ok(callIndex > 20 && callIndex < input.length - 20, String(callIndex));
		assert.ok(matched.length > 0);
	});

	for (const strategy of ['summarize', 'prune', 'structure', 'lru', 'rotate']) {
		it(`${strategy}: the written copy keeps the pinned messages and their tool partners verbatim, in order`, async () => {
			const { file } = freshCopy();
			const { code, out, err } = await run([
				'compact',
				file,
				'--strategy',
				strategy,
				'--keep',
				`#${callIndex + 1}`,
				'--keep-matching',
				'BILL-412',
				'--json',
			]);
			assert.equal(code, 0, err);
			const result = JSON.parse(out) as CompactJson;
			const pinned = result.plan.pinned;
			assert.ok(pinned !== null);
			assert.deepEqual(
				pinned.messages,
				[...new Set([callIndex, ...matched])].sort((a, b) => a - b),
			);
			assert.ok(pinned.partners.includes(callIndex + 1), 'the call keeps its result');
			const written = windowOf(result.out);
			let last = -1;
			for (const i of [...pinned.messages, ...pinned.partners].sort((a, b) => a - b)) {
				const original = input[i] as Message;
				// Matched by content: the writer gives the records of a new session fresh ids.
				const at = written.findIndex((m, k) => k > last && keepsEveryPart(original, m));
				assert.ok(at > last, `#${i + 1} is in the written copy verbatim, after the pins before it`);
				last = at;
			}
			// Without the pins the same compaction changes the pinned call or its result.
			const unpinned = await run(['compact', freshCopy().file, '--strategy', strategy, '--json']);
			const plain = windowOf((JSON.parse(unpinned.out) as CompactJson).out);
			assert.ok(
				[callIndex, callIndex + 1].some((i) => !plain.some((m) => keepsEveryPart(input[i] as Message, m))),
				`${strategy} changes #${callIndex + 1} or #${callIndex + 2} when they are not pinned`,
			);
		});
	}

	it('says what is pinned in the readable report', async () => {
		const { file } = freshCopy();
		const { code, out, err } = await run(['compact', file, '--keep', String(callIndex + 1), '--dry-run']);
		assert.equal(code, 0, err);
		assert.match(
			out,
			new RegExp(
				`^pinned: 1 message \\(\\+1 tool partner\\), [\\d.]+k? tokens \\(#${callIndex + 1}\\), kept verbatim$`,
				'm',
			),
		);
	});

	it('refuses a message number outside the window, naming the file, the number and the valid range; writes nothing', async () => {
		const { dir, file } = freshCopy();
		const { code, err } = await run(['compact', file, '--keep', '3', '--keep', '500']);
		assert.equal(code, 2);
		assert.equal(
			err,
			`context-lens: --keep 500: ${file}: there is no message #500; the window holds messages #1 to #${input.length}. Nothing was written.`,
		);
		assert.deepEqual(readdirSync(dir), ['session.jsonl']);
	});

	it('refuses a text no message contains, and a --keep that is not a message number', async () => {
		const { dir, file } = freshCopy();
		const none = await run(['compact', file, '--keep-matching', 'no such words anywhere']);
		assert.equal(none.code, 2);
		assert.equal(
			none.err,
			`context-lens: --keep-matching "no such words anywhere": ${file}: no message in the window contains "no such words anywhere" (ignoring case). Nothing was written.`,
		);
		const word = await run(['compact', file, '--keep', 'last']);
		assert.equal(word.code, 2);
		assert.match(
			word.err,
			/--keep takes message numbers as inspect shows them \(e\.g\. 12, #12 or 3,7\); got 'last'/,
		);
		assert.deepEqual(readdirSync(dir), ['session.jsonl']);
	});

	it('inspect plans with the pins too: the report and its JSON count them', async () => {
		const readable = await run(['inspect', sample, '--keep', String(callIndex + 1)]);
		assert.equal(readable.code, 0, readable.err);
		assert.match(
			readable.out,
			new RegExp(`^pinned {6}1 message \\(\\+1 tool partner\\), .* tokens \\(#${callIndex + 1}\\)$`, 'm'),
		);
		const json = await run(['inspect', sample, '--keep-matching', 'bill-412', '--json']);
		assert.equal(json.code, 0, json.err);
		const report = JSON.parse(json.out) as { pinned: { messages: number[]; tokens: number } | null };
		assert.deepEqual(report.pinned?.messages, matched);
		assert.ok((report.pinned?.tokens ?? 0) > 0);
		const plain = JSON.parse((await run(['inspect', sample, '--json'])).out) as { pinned: unknown };
		assert.equal(plain.pinned, null);
		const outside = await run(['inspect', sample, '--keep', '0']);
		assert.equal(outside.code, 2);
		assert.match(outside.err, /there is no message #0; the window holds messages #1 to #\d+\./);
	});
});
