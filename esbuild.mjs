// Bundles: extension (node, cjs, vscode external), token worker, webview (browser, esm), cli and hook (node).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { copyWebviewAssets, webviewBuildOptions } from './webview/build.mjs';

const isProduction = process.argv.includes('--production');
const isWatch = process.argv.includes('--watch');

const common = {
	bundle: true,
	minify: isProduction,
	sourcemap: !isProduction,
	logLevel: 'warning',
	legalComments: 'none',
};

const nodeTargets = [
	{ entryPoints: ['src/extension/activate.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
	{ entryPoints: ['src/core/tokens/tokenWorker.ts'], outfile: 'dist/tokenWorker.js' },
	{ entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
	// The small program the agents' compaction hooks run from the installed extension (docs/hooks.md).
	{ entryPoints: ['src/cli/hookMain.ts'], outfile: 'dist/hook.js' },
].map((t) => ({
	...common,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	mainFields: ['module', 'main'],
	...t,
}));

const webviewTargets = existsSync('webview/main.ts') ? [webviewBuildOptions(isProduction)] : [];

const targets = [...nodeTargets, ...webviewTargets].filter((t) => existsSync(t.entryPoints[0]));

if (isWatch) {
	const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
	await Promise.all(contexts.map((c) => c.watch()));
	if (webviewTargets.length > 0) copyWebviewAssets();
	console.log(`esbuild: watching ${targets.length} bundles`);
} else {
	await Promise.all(targets.map((t) => esbuild.build(t)));
	if (webviewTargets.length > 0) copyWebviewAssets();
}
