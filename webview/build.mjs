// Webview bundle options and assets, shared by esbuild.mjs and the chromium tests so both build the same thing.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Folder the webview bundle and its assets are written to, relative to the repository root. */
export const webviewOutDir = 'dist/webview';

/** esbuild options of the webview bundle (browser ESM), given the production flag. */
export function webviewBuildOptions(isProduction) {
	return {
		bundle: true,
		minify: isProduction,
		sourcemap: !isProduction,
		logLevel: 'warning',
		legalComments: 'none',
		entryPoints: ['webview/main.ts'],
		outfile: `${webviewOutDir}/main.js`,
		platform: 'browser',
		format: 'esm',
		target: 'es2022',
	};
}

/** Copies the codicon style sheet and font next to the bundle (the CSS refers to the font by relative URL). */
export function copyWebviewAssets(rootDir = process.cwd()) {
	const codicons = dirname(require.resolve('@vscode/codicons/dist/codicon.css', { paths: [rootDir] }));
	const out = join(rootDir, webviewOutDir);
	mkdirSync(out, { recursive: true });
	for (const name of ['codicon.css', 'codicon.ttf']) copyFileSync(join(codicons, name), join(out, name));
}
