import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateClaudeSession } from '../../bench/generateClaudeSession';
import { incrementalCuts } from '../../bench/incrementalInput';
import { buildPlanningInput, buildPlanningTranscript, planningSessionBytes } from '../../bench/planInput';
import { parseTranscript } from '../../src/core/transcript/readTranscript';
import { runCaseChild } from './caseChild';

describe('bench inputs', () => {
	it('the planning input is the planning transcript plus the bytes of JSONL its messages came from', () => {
		const sessions = [7, 8, 9].map((seed) =>
			Buffer.from(generateClaudeSession({ seed, targetBytes: planningSessionBytes })),
		);
		const counts = sessions.map((s) => {
			const read = parseTranscript(s, 'g.jsonl');
			assert.ok(read.ok);
			return read.transcript.messages.length;
		});
		const [a = 0, b = 0] = counts;
		const whole = buildPlanningInput(a + b, 7);
		assert.deepEqual(whole.transcript, buildPlanningTranscript(a + b, 7));
		assert.equal(whole.transcript.messages.length, a + b);
		assert.equal(whole.sourceBytes, (sessions[0]?.length ?? 0) + (sessions[1]?.length ?? 0));
		// Three messages into the third session: its bytes through the end of the third message's line.
		const partial = buildPlanningInput(a + b + 3, 7);
		const third = sessions[2] ?? Buffer.alloc(0);
		const taken = third.subarray(0, partial.sourceBytes - whole.sourceBytes);
		const read = parseTranscript(taken, 'g.jsonl');
		assert.ok(read.ok);
		assert.equal(read.transcript.messages.length, 3);
		assert.equal(taken.at(-1), 10);
	});

	it('the incremental child appends exactly the messages the parent cut, reading only those bytes', function () {
		this.timeout(60_000);
		const dir = mkdtempSync(join(tmpdir(), 'bench-incremental-'));
		try {
			const source = join(dir, 'source.jsonl');
			const work = join(dir, 'live.jsonl');
			writeFileSync(source, generateClaudeSession({ seed: 12, targetBytes: 200_000 }));
			const appends = [1, 3, 5];
			const cuts = incrementalCuts(source, 100_000, appends);
			assert.ok(cuts.baseEnd >= 100_000 && cuts.cuts.every((c, i) => c > (cuts.cuts[i - 1] ?? cuts.baseEnd)));
			const output = runCaseChild({
				kind: 'incremental',
				source,
				work,
				baseEnd: cuts.baseEnd,
				appends,
				cuts: cuts.cuts,
				reps: 2,
			});
			assert.ok(output.kind === 'incremental');
			assert.equal(output.baseBytes, cuts.baseEnd);
			assert.equal(output.baseMessages, cuts.baseMessages);
			assert.deepEqual(
				output.steps.map((s) => s.messagesSeen),
				appends.map((n) => [n, n]),
			);
			assert.deepEqual(
				output.steps.map((s) => s.bytes),
				cuts.cuts.map((c, i) => c - (cuts.cuts[i - 1] ?? cuts.baseEnd)),
			);
			const last = cuts.cuts.at(-1) ?? 0;
			assert.deepEqual(readFileSync(work), readFileSync(source).subarray(0, last));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
