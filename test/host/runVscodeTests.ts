// Runs one extension test suite in a real VS Code extension host (docs/testing.md): the VS Code server bundled in the
// cached code-server, on Node 24, with the workbench open in headless Debian chromium. Invoked through codeShim.sh,
// which @vscode/test-electron's runTests({ vscodeExecutablePath }) launches like a VS Code executable. With
// --install-vsix=FILE the server's own CLI first installs that package into the scratch extensions folder and the
// suite runs against the installed copy, a probe extension standing in as the development folder.
// Exit: 0 suite passed, 1 suite failed, 2 usage or missing toolchain, 3 server died, 4 timeout, 5 page crashed,
// 6 runner error, 7 the VSIX did not install, 130/143 interrupted.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chatViewRequest, parseChatViewRequest, readChatView, writeChatViewReply } from './chatView';
import { writeFakeChatModelExtension } from './fakeChatModel';
import { readHostToolchain } from './hostToolchain';
import {
	checkReadmeImages,
	describeVerdict,
	parseReadmeImagesRequest,
	readmeImagesRequest,
	writeVerdict,
	type ReadmeImagesVerdict,
} from './readmeImages';
import {
	hostLogsEnvName,
	installedExtensionsDirEnvName,
	parseRunnerArgs,
	workbenchUrl,
	type RunnerOptions,
} from './runnerOptions';

const startedAt = Date.now();
const say = (message: string): void => {
	console.log(`[host +${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);
};

// Chromium's own switches from docs/testing.md; --headless comes from playwright's headless launch.
const chromiumArgs = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

// Workbench chatter about connecting, accounts, chat agents and the disabled gallery; it says nothing about our
// suite and is printed only with --verbose. Errors and everything the extension host prints still come through.
const quietLogLines = new RegExp(
	[
		String.raw`^\[(AgentHost[^\]]*|ChatModelSelection|DefaultAccount|AccountPolicyGate|reconnection-grace-time)\]`,
		String.raw`^\[Service Worker\] registration`,
		'^(Resolving|Resolved) connection token',
		'^Creating a socket',
		'^Creation of workbench contribution',
		'^(Ignoring fetching|Updating) additional builtin extensions',
	].join('|'),
);

// Workbench messages that are not about our suite, some with a stack trace. Each is printed as one line saying why it
// is harmless (the full text with --verbose), so a green log has no stack traces left to wonder about.
const knownWorkbenchNoise: readonly { readonly pattern: RegExp; readonly why: string }[] = [
	{
		pattern: /^TextModel got disposed before DiffEditorWidget model got reset/,
		why: "closing a review's diff tab frees its documents before the diff widget lets go of them; the widget recovers (a VS Code race reported as an error, microsoft/vscode#312382)",
	},
	{
		pattern: /^no diff result available/,
		why: "a review's diff tab closed while VS Code was still computing the diff",
	},
	{
		pattern: /^Timed out waiting for authentication provider 'github' to register/,
		why: 'the offline code-server has no GitHub sign-in; the workbench asks for it at start',
	},
	{
		pattern: /^DialogService: Dialog requested during smoke test/,
		why: 'a command asked a modal question; under extension tests the workbench answers it without showing it',
	},
];

/** The line to print for a workbench log message: itself, one line for known noise, or nothing for chatter. */
function workbenchLogLine(line: string, isVerbose: boolean): string | undefined {
	if (isVerbose) return line;
	if (quietLogLines.test(line)) return undefined;
	const known = knownWorkbenchNoise.find((noise) => noise.pattern.test(line));
	if (known === undefined) return line;
	return `  (workbench, harmless: ${line.split('\n')[0]?.split(': Error:')[0] ?? ''}; ${known.why})`;
}

let server: ChildProcess | undefined;
let installer: ChildProcess | undefined;
let browser: Browser | undefined;
let scratch: string | undefined;
let isFinishing = false;
let keepScratch = false;
const refusedOrigins = new Set<string>();

function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address !== null ? address.port : 0;
			probe.close(() => resolvePort(port));
		});
	});
}

/** Environment confined to the scratch folder, so a run leaves nothing in the user's config, cache or temp. */
function scratchEnv(root: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env };
	for (const name of ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR', 'TMPDIR']) {
		const dir = join(root, 'env', name.toLowerCase());
		mkdirSync(dir, { recursive: true, mode: 0o700 });
		env[name] = dir;
	}
	env['HOME'] = join(root, 'home');
	mkdirSync(env['HOME'], { recursive: true });
	return env;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
	return new Promise((resolveExit) => {
		const timer = setTimeout(() => resolveExit(false), ms);
		child.once('exit', () => {
			clearTimeout(timer);
			resolveExit(true);
		});
	});
}

/** Ends the server's whole process group (it forks the extension host and file watchers). */
async function stopServer(child: ChildProcess): Promise<void> {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	const signalGroup = (signal: NodeJS.Signals): void => {
		try {
			process.kill(-(child.pid as number), signal);
		} catch {
			// The group is already gone.
		}
	};
	signalGroup('SIGTERM');
	if (!(await waitForExit(child, 5000))) signalGroup('SIGKILL');
	// Children of the group may outlive the leader briefly; a last KILL leaves no stragglers holding the scratch dir.
	signalGroup('SIGKILL');
}

function printServerLogTail(): void {
	if (scratch === undefined) return;
	try {
		const lines = readFileSync(join(scratch, 'server.log'), 'utf8').trimEnd().split('\n');
		console.error(`--- last lines of the VS Code server log ---\n${lines.slice(-40).join('\n')}\n---`);
	} catch {
		// No log was written yet.
	}
}

async function finish(code: number, why: string): Promise<never> {
	if (isFinishing) return new Promise<never>(() => undefined);
	isFinishing = true;
	say(`${why}; exit ${code}`);
	// Failing tests explain themselves through the reporter; anything worse needs the server's side of the story.
	if (code > 1) printServerLogTail();
	try {
		// A wedged page can stall close(); the server's process group is ended either way.
		await Promise.race([browser?.close(), new Promise((done) => setTimeout(done, 5000))]);
	} catch {
		// A crashed browser cannot be closed; its process is gone with it.
	}
	installer?.kill('SIGKILL');
	if (server !== undefined) await stopServer(server);
	if (scratch !== undefined) {
		if (keepScratch) say(`kept scratch folder ${scratch}`);
		else rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
	}
	process.exit(code);
}

/** The server's scratch data, user data and extensions folders; the installing CLI and the server share them. */
function serverDirArgs(root: string): string[] {
	return [
		'--server-data-dir',
		join(root, 'server-data'),
		'--user-data-dir',
		join(root, 'user-data'),
		'--extensions-dir',
		join(root, 'extensions'),
	];
}

/** Scratch environment for the server and its CLI, with the marketplace turned off. */
function serverEnv(root: string): NodeJS.ProcessEnv {
	const env = scratchEnv(root);
	// An empty gallery turns the marketplace off, so the server never reaches past loopback for extensions.
	env['EXTENSIONS_GALLERY'] = '{}';
	return env;
}

/**
 * Installs a VSIX into the scratch extensions folder with the server's own CLI (`server-main.js
 * --install-extension`, what `code-server --install-extension` runs) and lists `id version` of each extension the
 * folder then holds, or says why not: the CLI failed (it exits 1 on a missing or corrupt VSIX) or installed nothing.
 */
async function installVsix(
	serverNode: string,
	serverMain: string,
	root: string,
	vsix: string,
): Promise<{ ok: true; installed: string[] } | { ok: false; reason: string }> {
	const args = [
		serverMain,
		'--install-extension',
		vsix,
		...serverDirArgs(root),
		'--accept-server-license-terms',
		'--disable-telemetry',
	];
	const child = spawn(serverNode, args, { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv(root) });
	installer = child;
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
	const code = await new Promise<number | string>((done) => {
		child.once('error', (error) => done(error.message));
		child.once('close', (exitCode, signal) => done(exitCode ?? signal ?? 'unknown'));
	});
	installer = undefined;
	writeFileSync(join(root, 'install.log'), output);
	const tail = output.trimEnd().split('\n').slice(-15).join('\n');
	if (code !== 0) return { ok: false, reason: `installing ${vsix} failed (${code}):\n${tail}` };
	let installed: string[];
	try {
		// The extensions folder's own index, which the server reads at start-up.
		const index = JSON.parse(readFileSync(join(root, 'extensions', 'extensions.json'), 'utf8')) as {
			identifier?: { id?: string };
			version?: string;
		}[];
		installed = index.map((entry) => `${entry.identifier?.id ?? '?'} ${entry.version ?? '?'}`);
	} catch (error) {
		return { ok: false, reason: `no readable extensions.json after installing ${vsix}: ${String(error)}` };
	}
	if (installed.length === 0) return { ok: false, reason: `installing ${vsix} left no extension:\n${tail}` };
	return { ok: true, installed };
}

/**
 * The workbench hands extensionTestsPath to the extension host only in an extension development window, so an
 * installed-VSIX run needs some development folder: this one holds an empty extension with no code and an id of
 * its own, which neither shadows nor replaces the installed extension under test.
 */
function writeProbeExtension(root: string): string {
	const dir = join(root, 'probe-extension');
	mkdirSync(dir, { recursive: true });
	const manifest = {
		name: 'installed-vsix-probe',
		publisher: 'context-lens-test',
		version: '0.0.0',
		description: 'Empty development extension that lets the workbench run the host suite.',
		engines: { vscode: '*' },
	};
	writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
	return dir;
}

async function startServer(
	serverNode: string,
	serverMain: string,
	root: string,
	port: number,
	extraEnv: Readonly<Record<string, string>> = {},
): Promise<ChildProcess> {
	const args = [
		serverMain,
		'--host',
		'127.0.0.1',
		'--port',
		String(port),
		'--without-connection-token',
		'--accept-server-license-terms',
		// Without this the workbench ignores the extensionTestsPath payload and the run hangs (docs/testing.md, host suite step 4).
		'--enable-smoke-test-driver',
		'--disable-telemetry',
		'--disable-workspace-trust',
		...serverDirArgs(root),
	];
	const env: NodeJS.ProcessEnv = { ...serverEnv(root), ...extraEnv };
	// Lets host tests read what the extension logged: <logs>/<session>/exthost<n>/<extension id>/<channel>.log.
	env[hostLogsEnvName] = join(root, 'user-data', 'logs');
	// detached: the server leads its own process group, so stopServer can end its children with it.
	const child = spawn(serverNode, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
	const log = createWriteStream(join(root, 'server.log'));
	child.stderr?.pipe(log, { end: false });
	child.on('exit', (code, signal) => {
		void finish(3, `the VS Code server exited early (${code ?? signal})`);
	});
	await new Promise<void>((ready) => {
		let seen = '';
		let isReady = false;
		child.stdout?.on('data', (chunk: Buffer) => {
			log.write(chunk);
			if (isReady) return;
			seen = (seen + chunk.toString('utf8')).slice(-4096);
			isReady = /Extension host agent listening on|HTTP server listening on/.test(seen);
			if (isReady) ready();
		});
	});
	return child;
}

/** Lets the page reach only the loopback server; anything else (marketplace, telemetry) is refused and noted. */
async function confineToLoopback(page: Page): Promise<void> {
	await page.context().route('**/*', async (route) => {
		const url = new URL(route.request().url());
		const isLocal = url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:';
		if (isLocal) return route.continue();
		if (!refusedOrigins.has(url.origin)) say(`refused a request to ${url.origin} (only loopback is allowed)`);
		refusedOrigins.add(url.origin);
		return route.abort('blockedbyclient');
	});
}

/** What a suite logs to have the runner take the workbench screenshot now (see test/host/suite/workbench.test.ts). */
export const screenshotRequest = '[context-lens:screenshot]';

/**
 * The workbench screenshot, and with `withParts` its status bar alone beside it (`<name>-statusbar.png`); with
 * REFRESH_README_IMAGES=1 the status bar also goes to media/readme-statusbar.png. True when saved.
 */
async function takeScreenshots(page: Page, path: string, withParts = true): Promise<boolean> {
	try {
		await page.screenshot({ path });
		say(`screenshot saved to ${path}`);
		if (!withParts) return true;
		// The right end of the status bar, where the extension's item sits beside the workbench's own.
		const box = await page.locator('[id="workbench.parts.statusbar"]').boundingBox();
		if (box === null) return true;
		const width = Math.min(box.width, 360);
		const clip = { x: box.x + box.width - width, y: box.y, width, height: box.height };
		const partPath = path.replace(/\.png$/, '-statusbar.png');
		await page.screenshot({ path: partPath, clip });
		say(`status bar screenshot saved to ${partPath}`);
		if (process.env['REFRESH_README_IMAGES'] === '1') {
			const readmeImage = join(__dirname, '..', '..', 'media', 'readme-statusbar.png');
			await page.screenshot({ path: readmeImage, clip });
			say(`README image refreshed: ${readmeImage}`);
		}
		return true;
	} catch (error) {
		say(`screenshot failed: ${String(error)}`);
		return false;
	}
}

/** Where the Details page screenshots of the README images go (git ignores .test-output). */
const readmeImagesDir = join(__dirname, '..', '..', '.test-output', 'host', 'readme-images');

/**
 * Answers a suite's request to check the README images on the open Details page (readmeImages.ts): prints one line
 * per image and writes the verdict where the suite waits for it.
 */
async function answerReadmeImages(page: Page, line: string): Promise<ReadmeImagesVerdict> {
	const request = parseReadmeImagesRequest(line);
	if (request === undefined) {
		const problem = `unreadable README images request: ${line.slice(0, 200)}`;
		say(problem);
		return { isOk: false, problem, results: [] };
	}
	say(`checking ${request.images.length} README images on the Details page`);
	const verdict = await checkReadmeImages(page, request.images, readmeImagesDir);
	for (const verdictLine of describeVerdict(verdict)) say(verdictLine);
	try {
		writeVerdict(request.replyFile, verdict);
	} catch (error) {
		say(`could not write the README images verdict to ${request.replyFile}: ${String(error)}`);
	}
	return verdict;
}

/**
 * Answers a suite's request to read the chat view (chatView.ts): waits for the answer, photographs the view to
 * .test-output/host/chat.png (and media/readme-chat.png with REFRESH_README_IMAGES=1) and writes what it read
 * where the suite waits for it.
 */
async function answerChatView(page: Page, line: string): Promise<void> {
	const request = parseChatViewRequest(line);
	if (request === undefined) {
		say(`unreadable chat view request: ${line.slice(0, 200)}`);
		return;
	}
	const readmeImage =
		process.env['REFRESH_README_IMAGES'] === '1' && request.isReadmeShot === true
			? join(__dirname, '..', '..', 'media', 'readme-chat.png')
			: undefined;
	const reply = await readChatView(
		page,
		request,
		join(__dirname, '..', '..', '.test-output', 'host'),
		readmeImage,
	);
	if (reply.screenshot !== undefined) say(`chat view screenshot saved to ${reply.screenshot}`);
	if (reply.readmeImage !== undefined)
		say(`README image refreshed: ${reply.readmeImage} (shrink it with pngquant)`);
	if (reply.problem !== undefined) say(reply.problem);
	try {
		writeChatViewReply(request.replyFile, reply);
	} catch (error) {
		say(`could not write the chat view reply to ${request.replyFile}: ${String(error)}`);
	}
}

async function openWorkbench(
	page: Page,
	options: RunnerOptions,
	extensionDevelopmentPath: string,
	port: number,
	workspace: string,
): Promise<void> {
	page.on('pageerror', (error) => say(`page error: ${error.message}`));
	page.on('crash', () => void finish(5, 'the workbench page crashed'));
	page.on('console', (message) => {
		if (options.isVerbose) console.log(`  [browser:${message.type()}] ${message.text().replace(/%c/g, '')}`);
	});
	// The workbench sends its log, which carries the extension host's console and so mocha's reporter, here.
	let screenshotTaken: Promise<boolean> | undefined;
	let readmeImagesChecked: Promise<ReadmeImagesVerdict> | undefined;
	await page.exposeFunction('codeAutomationLog', (_level: string, args: unknown) => {
		const text = format(...(Array.isArray(args) ? args : [args]));
		if (text.includes(chatViewRequest)) {
			void answerChatView(page, text);
			return;
		}
		if (text.includes(readmeImagesRequest)) {
			readmeImagesChecked = answerReadmeImages(page, text);
			return;
		}
		// A suite asks for the workbench screenshot while its extension host still runs (status bar item, views).
		if (
			text.includes(screenshotRequest) &&
			options.screenshot !== undefined &&
			screenshotTaken === undefined
		) {
			screenshotTaken = takeScreenshots(page, options.screenshot);
			return;
		}
		const line = workbenchLogLine(text, options.isVerbose);
		if (line !== undefined) console.log(line);
	});
	// Called once the suite's run() has settled and the extension host has stopped: its code is the result.
	await page.exposeFunction('codeAutomationExit', async (code: unknown) => {
		const exitCode = typeof code === 'number' ? code : 1;
		// The suite judges the README images' verdict (installed.test.ts); a runner-side problem is said here too.
		const readmeImages = await readmeImagesChecked;
		if (readmeImages?.problem !== undefined) say(`README images: ${readmeImages.problem}`);
		// Without a request from the suite, the workbench as the run left it (its extension host has stopped).
		if (options.screenshot !== undefined && !(await (screenshotTaken ?? Promise.resolve(false))))
			await takeScreenshots(page, options.screenshot, false);
		await finish(exitCode === 0 ? 0 : 1, `the suite finished with code ${exitCode}`);
	});
	const url = workbenchUrl(port, workspace, { ...options, extensionDevelopmentPath });
	say(`opening the workbench at ${url.slice(0, url.indexOf('?'))} with folder ${workspace}`);
	await page.goto(url);
}

async function main(): Promise<void> {
	const parsed = parseRunnerArgs(process.argv.slice(2));
	if (!parsed.ok) return finish(2, parsed.reason);
	const { options } = parsed;
	keepScratch = options.shouldKeepScratch;
	const found = readHostToolchain();
	if (!found.ok) return finish(2, found.reason);
	const { toolchain } = found;

	scratch = mkdtempSync(join(tmpdir(), 'context-lens-host-'));
	const timer = setTimeout(
		() => void finish(4, `timed out after ${options.timeoutMs / 1000}s`),
		options.timeoutMs,
	);
	timer.unref();
	const workspace = options.workspace ?? join(scratch, 'workspace');
	mkdirSync(workspace, { recursive: true });

	let developmentPath = options.extensionDevelopmentPath;
	const serverExtraEnv: Record<string, string> = {};
	if (options.installVsix !== undefined) {
		const installStartedAt = Date.now();
		say(`installing ${options.installVsix} with the server's --install-extension`);
		const result = await installVsix(toolchain.node, toolchain.serverMain, scratch, options.installVsix);
		if (!result.ok) return finish(7, result.reason);
		const seconds = ((Date.now() - installStartedAt) / 1000).toFixed(1);
		say(`installed ${result.installed.join(', ')} in ${seconds}s`);
		developmentPath = writeProbeExtension(scratch);
		// Lets the installed-VSIX tests check that the extension really runs from there, not from the repository.
		serverExtraEnv[installedExtensionsDirEnvName] = join(scratch, 'extensions');
	}
	// parseRunnerArgs requires one of the two, so this is only a guard.
	if (developmentPath === undefined) return finish(2, 'neither an extension development path nor a VSIX');
	// A development run also has the offline test chat model installed, so the suite can drive @context in the chat
	// view (the workbench takes one development folder only: it keeps the payload's pairs in a map).
	if (options.installVsix === undefined) writeFakeChatModelExtension(join(scratch, 'extensions'));

	const port = await freePort();
	say(`starting VS Code server ${toolchain.vscodeVersion} (${toolchain.nodeVersion}) on 127.0.0.1:${port}`);
	server = await startServer(toolchain.node, toolchain.serverMain, scratch, port, serverExtraEnv);
	say('server ready; launching chromium');
	browser = await chromium.launch({
		executablePath: toolchain.chromium,
		headless: true,
		args: chromiumArgs,
		env: scratchEnv(scratch),
		// Playwright's own signal handlers exit before finish() has ended the server; finish() closes the browser.
		handleSIGINT: false,
		handleSIGTERM: false,
		handleSIGHUP: false,
	});
	const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
	const page = await context.newPage();
	await confineToLoopback(page);
	await openWorkbench(page, options, developmentPath, port, workspace);
}

process.on('SIGINT', () => void finish(130, 'interrupted'));
process.on('SIGTERM', () => void finish(143, 'terminated'));
main().catch((error: unknown) =>
	finish(6, `runner error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
);
