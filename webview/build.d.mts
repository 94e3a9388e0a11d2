import type { BuildOptions } from 'esbuild';

/** Folder the webview bundle and its assets are written to, relative to the repository root. */
export declare const webviewOutDir: string;
/** esbuild options of the webview bundle (browser ESM), given the production flag. */
export declare function webviewBuildOptions(isProduction: boolean): BuildOptions;
/** Copies the codicon style sheet and font next to the bundle. */
export declare function copyWebviewAssets(rootDir?: string): void;
