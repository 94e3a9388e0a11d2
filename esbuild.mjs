// Bundles: the extension, which is also the analysis worker (node, cjs, vscode external; src/extension/entry.ts),
// the tokenizer it loads on first use, webview (browser, esm), cli and hook (node).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
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

const nodeOptions = {
	...common,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	mainFields: ['module', 'main'],
};

// The tokenizer (src/core/tokens/encoding.ts with gpt-tokenizer's vocabularies: about 3.7 MB, and 0.4 s to load) is
// built as dist/encoding.js; dist/extension.js gets a small stand-in for it that loads dist/encoding.js on first use,
// so neither the extension host at activation nor the worker before it counts pays for it.
const encodingEntry = resolve('src/core/tokens/encoding.ts');
const encodingOutfile = 'dist/encoding.js';
await esbuild.build({ ...nodeOptions, entryPoints: [encodingEntry], outfile: encodingOutfile });

/** The stand-in's source: each function export calls the real module, loaded on the first call; constants are copied. */
function encodingStandIn() {
	const real = createRequire(import.meta.url)(resolve(encodingOutfile));
	const lines = ['let real;', "const load = () => (real ??= require('./encoding.js'));"];
	for (const [name, value] of Object.entries(real)) {
		lines.push(
			typeof value === 'function'
				? `export function ${name}(...args) { return load().${name}(...args); }`
				: `export const ${name} = ${JSON.stringify(value)};`,
		);
	}
	return lines.join('\n');
}

/** Resolves every import of src/core/tokens/encoding.ts to the stand-in, and the stand-in's require to the file. */
const sharedEncoding = {
	name: 'shared-encoding',
	setup(build) {
		const contents = encodingStandIn();
		build.onResolve({ filter: /(^|\/)encoding$/, namespace: 'file' }, (args) =>
			resolve(args.resolveDir, `${args.path}.ts`) === encodingEntry
				? { path: encodingEntry, namespace: 'shared-encoding' }
				: undefined,
		);
		build.onResolve({ filter: /^\.\/encoding\.js$/, namespace: 'shared-encoding' }, (args) => ({
			path: args.path,
			external: true,
		}));
		build.onLoad({ filter: /.*/, namespace: 'shared-encoding' }, () => ({ contents, loader: 'js' }));
	},
};

const nodeTargets = [
	{
		entryPoints: ['src/extension/entry.ts'],
		outfile: 'dist/extension.js',
		external: ['vscode'],
		plugins: [sharedEncoding],
	},
	{ entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
	// The small program the agents' compaction hooks run from the installed extension (docs/hooks.md).
	{ entryPoints: ['src/cli/hookMain.ts'], outfile: 'dist/hook.js' },
].map((t) => ({ ...nodeOptions, ...t }));

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
