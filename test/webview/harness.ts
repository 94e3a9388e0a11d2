import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, Locator, Page } from 'playwright-core';
import type { HostToView, ViewKind } from '../../src/protocol/messages';
import { renderWebviewHtml } from '../../src/protocol/webviewHtml';
import { copyWebviewAssets, webviewBuildOptions, webviewOutDir } from '../../webview/build.mjs';

/** The repository root. */
export const repoRoot = resolve(__dirname, '..', '..');

/** Where screenshots and metrics go (ignored by git and lint). */
export const outputDir = join(repoRoot, '.test-output', 'webview');

/** Debian's chromium, as test/host/setup.sh installs it (docs/testing.md). */
export const chromiumPath = '/usr/bin/chromium';

/** The theme variable files of the test page. */
export type ThemeName = 'light' | 'dark' | 'high-contrast';

const themeBodyClass: Readonly<Record<ThemeName, string>> = {
	light: 'vscode-light',
	dark: 'vscode-dark',
	'high-contrast': 'vscode-high-contrast',
};

function newestMtime(dir: string): number {
	let newest = 0;
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		const stat = statSync(path);
		newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
	}
	return newest;
}

/** Builds dist/webview/main.js (same options as esbuild.mjs) when it is missing or older than its sources, and copies the codicons. */
export async function ensureBundle(): Promise<void> {
	const bundle = join(repoRoot, webviewOutDir, 'main.js');
	const sources = Math.max(
		newestMtime(join(repoRoot, 'webview')),
		newestMtime(join(repoRoot, 'src', 'protocol')),
		newestMtime(join(repoRoot, 'src', 'core', 'view')),
	);
	if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources) {
		const options = webviewBuildOptions(false);
		await esbuild.build({
			...options,
			absWorkingDir: repoRoot,
			entryPoints: (options.entryPoints as string[]).map((p) => join(repoRoot, p)),
			outfile: join(repoRoot, options.outfile ?? ''),
		});
	}
	if (!existsSync(join(repoRoot, webviewOutDir, 'codicon.ttf'))) copyWebviewAssets(repoRoot);
}

/** Chromium, or the reason it cannot run here; in CI a missing chromium is an error, not a skip. */
export async function launchChromium(): Promise<Browser | string> {
	if (!existsSync(chromiumPath)) {
		const reason = `${chromiumPath} is missing; install it with test/host/setup.sh (apt-get install chromium)`;
		if (process.env['CI'] === 'true') throw new Error(reason);
		return reason;
	}
	return chromium.launch({
		executablePath: chromiumPath,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-dev-shm-usage',
		],
	});
}

const contentTypes: Readonly<Record<string, string>> = {
	'.js': 'text/javascript',
	'.css': 'text/css',
	'.ttf': 'font/ttf',
	'.map': 'application/json',
	'.html': 'text/html',
};

/** The static test server on 127.0.0.1: pages from `renderWebviewHtml`, the built bundle, the theme files. */
export interface TestServer {
	readonly origin: string;
	/** URL of a page showing `view` in `theme`. */
	pageUrl(view: ViewKind, theme: ThemeName): string;
	close(): Promise<void>;
}

/** Starts the test server on a free port of 127.0.0.1; only the bundle folder and the theme folder are served. */
export async function startServer(): Promise<TestServer> {
	const roots: Readonly<Record<string, string>> = {
		'/dist/webview/': join(repoRoot, webviewOutDir),
		'/themes/': join(__dirname, 'themes'),
	};
	let origin = '';
	const server = createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://127.0.0.1');
		const page = /^\/page\/(gauge|transcript|review)$/.exec(url.pathname);
		if (page !== null) {
			const theme = (url.searchParams.get('theme') ?? 'dark') as ThemeName;
			const view = page[1] as ViewKind;
			const html = renderWebviewHtml({
				cspSource: origin,
				nonce: randomBytes(16).toString('base64'),
				scriptUri: `${origin}/dist/webview/main.js`,
				styleUris: [`${origin}/themes/${theme}.css`, `${origin}/dist/webview/codicon.css`],
				view,
				title: `Context Lens ${view}`,
			}).replace('<body ', `<body class="${themeBodyClass[theme] ?? 'vscode-dark'}" `);
			response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
			response.end(html);
			return;
		}
		for (const [prefix, dir] of Object.entries(roots)) {
			const name = url.pathname.slice(prefix.length);
			if (url.pathname.startsWith(prefix) && /^[\w.-]+$/.test(name) && existsSync(join(dir, name))) {
				response.writeHead(200, {
					'content-type': contentTypes[extname(name)] ?? 'application/octet-stream',
					'cache-control': 'no-store',
				});
				response.end(readFileSync(join(dir, name)));
				return;
			}
		}
		// Chromium asks for a favicon on its own; answering it keeps the console free of unrelated 404s.
		response.writeHead(url.pathname === '/favicon.ico' ? 204 : 404);
		response.end();
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		origin,
		pageUrl: (view, theme) => `${origin}/page/${view}?theme=${theme}`,
		close: () => new Promise<void>((done) => server.close(() => done())),
	};
}

/**
 * The stub `acquireVsCodeApi`: posts go to Node through the exposed `__clHostReceive` (after a JSON round trip, as
 * VS Code clones them), state lives in sessionStorage so a reload restores it as VS Code restores a hidden webview.
 */
export const stubScript = `
(() => {
	const key = '__clWebviewState';
	let acquired = false;
	window.acquireVsCodeApi = () => {
		if (acquired) throw new Error('acquireVsCodeApi may be called only once');
		acquired = true;
		return {
			postMessage: (m) => window.__clHostReceive(JSON.parse(JSON.stringify(m))),
			getState: () => JSON.parse(sessionStorage.getItem(key) ?? 'null'),
			setState: (s) => sessionStorage.setItem(key, JSON.stringify(s)),
		};
	};
	// Test helper: the focused element through shadow roots, described as a keyboard user would meet it.
	window.__clActive = () => {
		let el = document.activeElement;
		while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
		if (!el) return '';
		const host = el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host.tagName.toLowerCase() : '';
		const name = el.getAttribute('aria-label') || el.getAttribute('label') || (el.textContent || '').trim().replace(/\\s+/g, ' ');
		return [el.tagName.toLowerCase(), host, name.slice(0, 80)].join('|');
	};
})();
`;

/** A webview page under test: what it posted, and a way to send it host messages. */
export interface WebviewPage {
	readonly page: Page;
	/** Every message the page posted, in order (already passed through JSON like VS Code does). */
	readonly posted: unknown[];
	/** Errors the page logged (console errors, CSP violations, uncaught exceptions). */
	readonly errors: string[];
	send(message: HostToView): Promise<void>;
	/** Resolves with the first posted message matching `test` (waiting up to `timeoutMs`). */
	waitForPosted<T>(test: (message: unknown) => message is T, timeoutMs?: number): Promise<T>;
}

/**
 * Opens a page with the stub `acquireVsCodeApi` (`stubScript`); every post reaches `onPost` in Node.
 */
export async function openWebview(
	browser: Browser,
	url: string,
	onPost: (message: unknown, view: WebviewPage) => void,
	viewport = { width: 1000, height: 900 },
): Promise<WebviewPage> {
	const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
	const page = await context.newPage();
	const posted: unknown[] = [];
	const errors: string[] = [];
	const waiters: { test: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];
	const view: WebviewPage = {
		page,
		posted,
		errors,
		send: async (message) => {
			await page.evaluate(
				`window.dispatchEvent(new MessageEvent('message', { data: ${JSON.stringify(message)} }))`,
			);
		},
		waitForPosted: <T>(test: (message: unknown) => message is T, timeoutMs = 10_000): Promise<T> => {
			const found = posted.find(test);
			if (found !== undefined) return Promise.resolve(found as T);
			return new Promise<T>((resolvePromise, reject) => {
				const timer = setTimeout(
					() => reject(new Error('the page did not post the expected message')),
					timeoutMs,
				);
				waiters.push({
					test,
					resolve: (m) => {
						clearTimeout(timer);
						resolvePromise(m as T);
					},
				});
			});
		},
	};
	page.on('console', (message) => {
		if (message.type() === 'error') errors.push(message.text());
	});
	page.on('pageerror', (error) => errors.push(error.message));
	await page.exposeFunction('__clHostReceive', (message: unknown) => {
		posted.push(message);
		for (let i = waiters.length - 1; i >= 0; i--) {
			const waiter = waiters[i];
			if (waiter !== undefined && waiter.test(message)) {
				waiters.splice(i, 1);
				waiter.resolve(message);
			}
		}
		onPost(message, view);
	});
	// A string, not a function: the test runner's transform would add helpers the page does not have.
	await page.addInitScript(stubScript);
	await page.goto(url);
	return view;
}

/** Saves a screenshot under `.test-output/webview/` (the whole page, or only the viewport) and returns its path. */
export async function screenshot(page: Page, name: string, isFullPage = true): Promise<string> {
	mkdirSync(outputDir, { recursive: true });
	const path = join(outputDir, `${name}.png`);
	await page.screenshot({ path, fullPage: isFullPage });
	return path;
}

/** The `value` property of a form control element (vscode-textfield, -textarea, -single-select). */
export async function readValue(locator: Locator): Promise<string> {
	return locator.evaluate((el) => (el as unknown as { value: string }).value);
}

/** Sets a select-like control's value and fires `change`, as picking an option does. */
export async function chooseValue(locator: Locator, value: string): Promise<void> {
	await locator.evaluate((el, chosen) => {
		const control = el as unknown as { value: string; dispatchEvent(event: Event): boolean };
		control.value = chosen;
		control.dispatchEvent(new Event('change'));
	}, value);
}

/** `data-index` of every element the locator matches, in document order. */
export async function dataIndexes(locator: Locator): Promise<number[]> {
	return locator.evaluateAll((els) =>
		els.map((el) => Number((el as unknown as { dataset: Record<string, string> }).dataset['index'])),
	);
}

/** Waits until the locator's trimmed text satisfies `test` (polling; the page re-renders asynchronously). */
export async function waitForText(
	locator: Locator,
	test: (text: string) => boolean,
	timeoutMs = 10_000,
): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const text = ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
		if (test(text)) return text;
		if (Date.now() > deadline) throw new Error(`text never matched; last: ${text}`);
		await new Promise((done) => setTimeout(done, 50));
	}
}

/** A chromium suite's browser and page server, and the pages its tests open. */
export interface ChromiumSuite {
	readonly browser: Browser;
	readonly server: TestServer;
	/** Pages a test opened: each is checked for page errors after its test and closed (see useChromiumSuite). */
	readonly opened: WebviewPage[];
}

/**
 * Registers the hooks every chromium suite needs: start Chromium (or skip the suite, saying why, where it cannot
 * start), build the bundle, serve the pages; after each test, assert the pages it opened logged no error or CSP
 * violation and close them; at the end, close the browser and the server. Call it first in a `describe`.
 */
export function useChromiumSuite(options: { readonly checksPages?: boolean } = {}): ChromiumSuite {
	let browser: Browser | undefined;
	let server: TestServer | undefined;
	const opened: WebviewPage[] = [];
	before(async function () {
		const launched = await launchChromium();
		if (typeof launched === 'string') {
			console.log(`skipping webview tests: ${launched}`);
			this.skip();
		}
		browser = launched;
		await ensureBundle();
		server = await startServer();
	});
	afterEach(async () => {
		for (const view of opened.splice(0)) {
			if (options.checksPages !== false)
				assert.deepEqual(view.errors, [], 'the page logged no errors and no CSP violations');
			await view.page.context().close();
		}
	});
	after(async () => {
		await browser?.close();
		await server?.close();
	});
	return {
		get browser(): Browser {
			if (browser === undefined) throw new Error('chromium is not started: use the suite inside its tests');
			return browser;
		},
		get server(): TestServer {
			if (server === undefined)
				throw new Error('the page server is not started: use the suite inside its tests');
			return server;
		},
		opened,
	};
}
