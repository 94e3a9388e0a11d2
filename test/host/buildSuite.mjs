// Bundles the in-host mocha suite (test/host/suite) into .test-output/host/suite as CommonJS for the extension host:
// `vscode` is provided by the host and mocha is resolved from the repository's node_modules at run time.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { stdout } from 'node:process';
import { fileURLToPath } from 'node:url';

const suiteDir = join(dirname(fileURLToPath(import.meta.url)), 'suite');
const repoRoot = resolve(suiteDir, '..', '..', '..');
const outdir = join(repoRoot, '.test-output', 'host', 'suite');

const entryPoints = readdirSync(suiteDir)
	.filter((name) => name === 'index.ts' || name.endsWith('.test.ts'))
	.map((name) => join(suiteDir, name));

// A removed test must not linger as a stale bundle that index.js would still load.
rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
	entryPoints,
	outdir,
	bundle: true,
	platform: 'node',
	mainFields: ['module', 'main'],
	format: 'cjs',
	target: 'node20',
	sourcemap: 'inline',
	external: ['vscode', 'mocha'],
	logLevel: 'warning',
});
stdout.write(`host suite: ${entryPoints.length} bundles in ${relative(repoRoot, outdir)}\n`);
