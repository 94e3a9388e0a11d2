// The real Codex CLI resumes what `compact` writes: installed by test/clients/setup.sh into a version-keyed cache,
// run offline inside a loopback-only network namespace against the fake model endpoint of ../shared/tools/real-clients,
// which records every request. The CLIs are lenient, so the recorded request is checked, never the exit code.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { captureIo } from '../support/captureIo';
import { corpusRoot, hasCorpus } from '../support/corpus';
import { clientBinary, clientMissing, realClientTools as tools } from './toolchain';

const codexBin = clientBinary('codex');
const rollout = join(corpusRoot, 'codex', 'codemie-rollout-2026-05-11T11-26-55-019e1625.jsonl');
const lastRequest = "let's update the defailt context compart to 90 in env var";

/** Why the suite cannot run here, or undefined; in CI a missing piece is a failure, not a skip. */
function missing(): string | undefined {
	return clientMissing('codex', {
		scripts: ['run-codex.sh', 'codex-install-rollout.js'],
		needsNamespace: true,
	});
}

interface RecordedRequest {
	readonly method: string;
	readonly url: string;
	readonly body: { readonly input?: readonly Record<string, unknown>[] } | null;
}

describe('the real Codex CLI resumes a compacted rollout', function () {
	this.timeout(240_000);

	it('sends the summary and the last request word for word, with every tool call paired', async function () {
		const why = missing();
		if (why !== undefined || !hasCorpus()) {
			console.log(`    (skipped: ${why ?? 'the corpus is absent'})`);
			this.skip();
		}
		const dir = mkdtempSync(join(tmpdir(), 'context-lens-codex-'));
		try {
			const out = join(dir, 'compacted.jsonl');
			const io = captureIo();
			assert.equal(
				await runCli(['compact', rollout, '--out', out, '--json'], io),
				0,
				io.stderrLines.join('\n'),
			);
			const result = JSON.parse(io.stdout.join('\n')) as { success: boolean; summary: string };
			assert.ok(result.success);
			const run = join(dir, 'run');
			const install = spawnSync(
				process.execPath,
				[join(tools, 'codex-install-rollout.js'), out, join(run, 'codex-home'), join(dir, 'wd')],
				{ encoding: 'utf8' },
			);
			assert.equal(install.status, 0, install.stderr);
			const id = install.stdout.trim();
			spawnSync(
				'bash',
				[
					join(tools, 'run-codex.sh'),
					run,
					join(dir, 'wd'),
					'exec',
					'--skip-git-repo-check',
					'resume',
					id,
					'continue',
				],
				{
					encoding: 'utf8',
					env: { ...process.env, CODEX_BIN: codexBin, PROVIDER: 'openai' },
					timeout: 180_000,
				},
			);
			const requests = readFileSync(join(run, 'requests.jsonl'), 'utf8')
				.split('\n')
				.filter((line) => line.trim() !== '')
				.map((line) => JSON.parse(line) as RecordedRequest);
			const sent = requests.find((r) => r.method === 'POST' && r.url.includes('/responses'));
			assert.ok(sent?.body?.input !== undefined, 'Codex sent a model request');
			const text = JSON.stringify(sent.body.input);
			const firstLine = result.summary.split('\n').find((line) => line.trim() !== '') ?? '';
			assert.ok(text.includes(JSON.stringify(firstLine).slice(1, -1)), 'the summary reaches the model');
			assert.ok(text.includes(lastRequest), 'the last request reaches the model word for word');
			const ids = (type: string): string[] =>
				(sent.body?.input ?? []).filter((i) => i['type'] === type).map((i) => String(i['call_id']));
			assert.deepEqual(
				ids('function_call').sort(),
				ids('function_call_output').sort(),
				'tool calls are paired',
			);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
