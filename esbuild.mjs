// Bundles: the extension, which is also the analysis worker (node, cjs, vscode external; src/extension/entry.ts),
// the tokenizer it loads on first use, webview (browser, esm), cli and hook (node).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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

/** A vocabulary (tokens in rank order: text, or bytes that are not UTF-8) as one line per token. */
function ranksAsLines(ranks) {
	return ranks
		.map((token) =>
			typeof token === 'string'
				? token.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
				: `\\b${token.join(',')}`,
		)
		.join('\n');
}

/** The inverse of ranksAsLines, as the module's source runs it when loaded. */
const linesAsRanksSource = `(text) => text.split('\\n').map((line) =>
	line.startsWith('\\\\b') ? line.slice(2).split(',').map(Number) : line.replace(/\\\\([\\\\n])/g, (_, c) => (c === 'n' ? '\\n' : '\\\\')))`;

/**
 * gpt-tokenizer's o200k and cl100k vocabularies as one string of lines instead of an array literal: the same tokens
 * in the same order (checked here against the library's own modules, or the build fails), 70 KB smaller in the VSIX
 * once compressed, which keeps it within its 2 MB.
 */
const compactVocabularies = {
	name: 'compact-vocabularies',
	setup(build) {
		build.onLoad(
			{ filter: /gpt-tokenizer[\\/]esm[\\/]bpeRanks[\\/](o200k_base|cl100k_base)\.js$/ },
			async (args) => {
				const ranks = (await import(pathToFileURL(args.path).href)).default;
				const text = ranksAsLines(ranks);
				const decoded = new Function(`return ${linesAsRanksSource}`)()(text);
				if (JSON.stringify(decoded) !== JSON.stringify(ranks))
					throw new Error(`${args.path}: the compact vocabulary does not read back as the library's`);
				return { contents: `export default (${linesAsRanksSource})(${JSON.stringify(text)});`, loader: 'js' };
			},
		);
	},
};

await esbuild.build({
	...nodeOptions,
	entryPoints: [encodingEntry],
	outfile: encodingOutfile,
	// Tokens in every script, kept as UTF-8 rather than escaped to ASCII: 50 KB smaller in the VSIX.
	charset: 'utf8',
	plugins: [compactVocabularies],
});

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
