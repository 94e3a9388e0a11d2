import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { CaseOutput, CaseSpec } from '../../bench/case';

/** Runs one bench case in a child process, as `npm run bench` does, and returns the line it printed. */
export function runCaseChild(spec: CaseSpec): CaseOutput {
	const root = resolve(__dirname, '..', '..');
	const child = spawnSync(
		process.execPath,
		['--import', 'tsx', join(root, 'bench', 'case.ts'), JSON.stringify(spec)],
		{
			cwd: root,
			encoding: 'utf8',
		},
	);
	assert.equal(child.status, 0, child.stderr);
	return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as CaseOutput;
}
