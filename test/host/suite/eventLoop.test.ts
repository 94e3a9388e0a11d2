// Issue #18: the extension host's event loop must not be blocked while a big session opens, re-counts after an
// append, or is re-planned. This test runs in the extension host itself, so monitorEventLoopDelay here measures the
// very loop every extension shares. It asserts what must work, plus one bound that holds however busy the machine
// is (the loop was never blocked for most of the work); the figures are printed and kept in
// .test-output/host/event-loop.json, and the 50 ms target is checked by the bench (`npm run bench`).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { contextLensApi } from './contextLensApi';
import { workspaceDir } from './transcriptFixtures';
import { waitFor } from './waitFor';

/** Size of the session opened: the 100 MiB of the issue. */
const sessionBytes = 100 * 1024 * 1024;
/** Bytes generated past it: the same session's next records, appended while it is watched. */
const appendedBytes = 64 * 1024;
// The bundle runs from .test-output/host/suite, three levels below the repository.
const repoRoot = resolve(__dirname, '..', '..', '..');

/**
 * Generates the session in a child process (bench/generateClaudeSession.ts, seeded), so making 100 MiB of JSONL
 * does not block this extension host, and splits it at a line end: the base file, and the records an append adds.
 */
async function generateSession(file: string): Promise<Buffer> {
	const whole = `${file}.whole`;
	const args = ['--seed', '100', '--bytes', String(sessionBytes + 4 * appendedBytes), '--out', whole];
	await new Promise<void>((resolveRun, rejectRun) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'bench/generateClaudeSession.ts', ...args], {
			cwd: repoRoot,
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		child.on('error', rejectRun);
		child.on('exit', (code) =>
			code === 0 ? resolveRun() : rejectRun(new Error(`generating the session failed (${code}): ${stderr}`)),
		);
	});
	const bytes = await readFile(whole);
	await rm(whole);
	const baseEnd = bytes.lastIndexOf(10, sessionBytes) + 1;
	const appendEnd = bytes.lastIndexOf(10, baseEnd + appendedBytes) + 1;
	await writeFile(file, bytes.subarray(0, baseEnd));
	// A copy: a slice would keep all 100 MiB alive in this host, and its weight on the heap's limits with it.
	return Buffer.from(bytes.subarray(baseEnd, appendEnd));
}

/** What one step cost the extension host's event loop. */
interface StepDelay {
	readonly step: string;
	/** Wall time from the command to the awaited result, in ms. */
	readonly wallMs: number;
	/** Longest and 99th-percentile event-loop delay while it ran, in ms (histogram resolution 10 ms). */
	readonly maxDelayMs: number;
	readonly p99DelayMs: number;
	/** Time the loop spent running tasks rather than waiting (performance.eventLoopUtilization), in ms. */
	readonly activeMs: number;
	/**
	 * Longest time this thread ran between two turns of a 10 ms timer, in its own processor time (ms), when Node has
	 * `process.threadCpuUsage`: what blocked the loop, without the time the machine gave other processes instead.
	 * On a loaded machine a delay can be long while this stays short (the thread was waiting for a core).
	 */
	readonly longestRunMs?: number;
}

/** The sampler behind `StepDelay.longestRunMs`; undefined where Node cannot read one thread's processor time. */
function threadRunSampler(): { stop(): number } | undefined {
	const threadCpu = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
	if (threadCpu === undefined) return undefined;
	const cpuMs = (): number => {
		const used = threadCpu.call(process);
		return (used.user + used.system) / 1000;
	};
	let last = cpuMs();
	let longest = 0;
	const tick = (): void => {
		const now = cpuMs();
		longest = Math.max(longest, now - last);
		last = now;
	};
	const timer = setInterval(tick, 10);
	return {
		stop() {
			clearInterval(timer);
			tick();
			return Math.round(longest * 10) / 10;
		},
	};
}

/** Runs `work` with the event-loop delay histogram on and returns what the loop saw. */
async function measured(step: string, work: () => Promise<unknown>): Promise<StepDelay> {
	const histogram = monitorEventLoopDelay({ resolution: 10 });
	histogram.enable();
	// The histogram records from its second tick on: let it tick once before the work starts.
	await new Promise((resolveTurn) => setTimeout(resolveTurn, 20));
	const utilization = performance.eventLoopUtilization();
	const runs = threadRunSampler();
	const started = performance.now();
	try {
		await work();
	} catch (error) {
		histogram.disable();
		runs?.stop();
		throw error;
	}
	const wallMs = Math.round(performance.now() - started);
	// One more turn of the loop, so a block that ended the step is recorded too (the histogram samples on a timer).
	await new Promise((resolveTurn) => setTimeout(resolveTurn, 20));
	histogram.disable();
	const longestRunMs = runs?.stop();
	const { active } = performance.eventLoopUtilization(utilization);
	const ms = (ns: number): number => Math.round(ns / 1e5) / 10;
	return {
		step,
		wallMs,
		maxDelayMs: ms(histogram.max),
		p99DelayMs: ms(histogram.percentile(99)),
		activeMs: Math.round(active),
		...(longestRunMs !== undefined ? { longestRunMs } : {}),
	};
}

describe('a 100 MiB session and the extension host event loop', function () {
	this.timeout(600_000);
	const steps: StepDelay[] = [];
	let file: string;
	let appended: Buffer;

	before(async () => {
		file = join(workspaceDir(), 'huge-session.jsonl');
		appended = await generateSession(file);
	});

	after(async () => {
		const lines = steps.map(
			(s) =>
				`      ${s.step}: ${s.wallMs} ms, event loop max ${s.maxDelayMs} ms, p99 ${s.p99DelayMs} ms, busy ${s.activeMs} ms` +
				(s.longestRunMs !== undefined ? `, longest run ${s.longestRunMs} ms of processor time` : ''),
		);
		console.log(
			`    event-loop delay in the extension host (${(statSync(file).size / 1e6).toFixed(1)} MB session, load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores):\n${lines.join('\n')}`,
		);
		const output = join(__dirname, '..');
		mkdirSync(output, { recursive: true });
		writeFileSync(
			join(output, 'event-loop.json'),
			`${JSON.stringify({ bytes: statSync(file).size, measuredAt: new Date().toISOString(), loadAverage: loadavg()[0], cores: cpus().length, steps }, null, '\t')}\n`,
		);
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it("measures the loop with nothing asked of Context Lens first: VS Code's own background work", async () => {
		// The remote extension host also runs VS Code's own work (port detection spawns processes every few seconds,
		// messages to the workbench are deflated on this thread): its delays over an idle stretch as long as a
		// typical step are the floor the steps below are read against.
		const idle = await measured(
			'idle (nothing asked of Context Lens, 3 s)',
			() => new Promise((resolveIdle) => setTimeout(resolveIdle, 3_000)),
		);
		steps.push(idle);
		assert.ok(idle.wallMs >= 3_000);
	});

	it('opens it with the gauge shown, the worker reading and counting', async () => {
		const api = await contextLensApi();
		const before = api.gaugeViews().count;
		const open = await measured('open (showGauge until the gauge figures)', async () => {
			assert.equal(await vscode.commands.executeCommand('contextLens.showGauge', { file }), file);
			await waitFor(
				'the gauge figures of the session',
				() => api.gaugeShown()?.file === file || undefined,
				300_000,
			);
		});
		steps.push(open);
		steps.push(
			await measured('its view (until the gauge page was sent it)', () =>
				waitFor(
					'the gauge page to be sent the view',
					() => {
						const views = api.gaugeViews();
						return views.count > before && views.transcriptId === file ? true : undefined;
					},
					300_000,
				),
			),
		);
		assert.ok((api.gaugeShown()?.tokens ?? 0) > 1_000_000, 'a 100 MiB session holds millions of tokens');
		assert.match(api.statusBarText() ?? '', /\d/);
		// However loaded the machine, a loop blocked by the read and count would be blocked for most of the step.
		assert.ok(
			open.maxDelayMs < open.wallMs / 2,
			`the longest block (${open.maxDelayMs} ms) is most of the open (${open.wallMs} ms)`,
		);
	});

	it('re-counts after an append', async () => {
		const api = await contextLensApi();
		const tokens = api.gaugeShown()?.tokens;
		const views = api.gaugeViews().count;
		steps.push(
			await measured('append and re-count (until the gauge figures changed)', async () => {
				await appendFile(file, appended);
				await waitFor(
					'the re-counted tokens',
					() => (api.gaugeShown()?.tokens !== tokens ? true : undefined),
					60_000,
				);
			}),
		);
		steps.push(
			await measured('its view (until the gauge page was sent it)', () =>
				waitFor('the new view', () => (api.gaugeViews().count > views ? true : undefined), 60_000),
			),
		);
		assert.ok(tokens !== undefined && api.gaugeShown()?.tokens !== tokens);
	});

	it('re-plans a what-if', async () => {
		const api = await contextLensApi();
		let reply: Awaited<ReturnType<typeof api.planWhatIf>>;
		steps.push(
			await measured('what-if plan (structure, 5 head messages)', async () => {
				reply = await api.planWhatIf(file, { strategy: 'structure', headMessages: 5 });
			}),
		);
		assert.ok(reply?.ok === true, reply?.ok === false ? reply.reason : 'no reply');
		assert.equal(reply.value.whatIf.headMessages, 5);
		assert.equal(reply.value.strategy, 'structure');
	});

	it('plans a compaction for review', async () => {
		const api = await contextLensApi();
		let review: { id: string; numbers: { tokensBefore: number; tokensAfter: number } } | undefined;
		steps.push(
			await measured('compress planning (structure, until the review exists)', async () => {
				review = await vscode.commands.executeCommand('contextLens.compress', {
					file,
					focus: '',
					strategy: 'structure',
				});
			}),
		);
		assert.ok(review !== undefined, 'compress made a review');
		assert.ok(review.numbers.tokensAfter < review.numbers.tokensBefore);
		assert.ok(api.pendingReviewIds().includes(review.id));
		await vscode.commands.executeCommand('contextLens.discardCompaction', review.id);
	});
});
