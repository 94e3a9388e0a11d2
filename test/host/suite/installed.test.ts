// The packaged extension, installed from context-lens.vsix: run by test/host/runInstalledVsixTest.ts, which has
// runVscodeTests.ts install the VSIX with the server's CLI and select only this file. The development run leaves it
// out (suite/index.ts), and without the installed extensions folder in the environment it skips.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as vscode from 'vscode';
import { readmeImagesRequest, type ReadmeImage, type ReadmeImagesVerdict } from '../readmeImages';
import { hostLogsEnvName, installedExtensionsDirEnvName } from '../runnerOptions';
import { ClaudeSessionWriter, workspaceDir } from './transcriptFixtures';
import { waitFor } from './waitFor';

const extensionId = 'context-lens.context-lens';
const channelName = 'Context Lens';
// The bundle runs from .test-output/host/suite, three levels below the repository.
const repoRoot = resolve(__dirname, '..', '..', '..');
/** Files the extension reads from its own folder: the bundle, the webview bundle and its font, the view icon. */
const runtimeFiles = [
	'package.json',
	'dist/extension.js',
	'dist/encoding.js',
	'dist/webview/main.js',
	'dist/webview/codicon.css',
	'dist/webview/codicon.ttf',
	'media/context-lens.svg',
];

function isInside(folder: string, path: string): boolean {
	const rel = relative(folder, path);
	return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function contextLens(): vscode.Extension<unknown> {
	const extension = vscode.extensions.getExtension(extensionId);
	assert.ok(extension, `${extensionId} is not among the host's extensions`);
	return extension;
}

/** The text of every log file the host wrote for our channel in this run's logs folder. */
function channelLogs(logsDir: string): string[] {
	if (!existsSync(logsDir)) return [];
	const texts: string[] = [];
	for (const session of readdirSync(logsDir, { withFileTypes: true })) {
		if (!session.isDirectory()) continue;
		const sessionDir = join(logsDir, session.name);
		for (const host of readdirSync(sessionDir).filter((name) => name.startsWith('exthost'))) {
			const file = join(sessionDir, host, extensionId, `${channelName}.log`);
			if (existsSync(file)) texts.push(readFileSync(file, 'utf8'));
		}
	}
	return texts;
}

describe('installed VSIX', () => {
	const extensionsDir = process.env[installedExtensionsDirEnvName];

	before(function () {
		if (extensionsDir === undefined) {
			console.log(`    (${installedExtensionsDirEnvName} is unset: not run by runInstalledVsixTest.ts)`);
			this.skip();
		}
	});

	it('is installed in the extensions folder, not loaded from the repository', () => {
		const extension = contextLens();
		assert.equal(extension.id, extensionId);
		assert.ok(extensionsDir !== undefined);
		assert.ok(
			isInside(extensionsDir, extension.extensionPath),
			`${extension.extensionPath} is not inside ${extensionsDir}`,
		);
		assert.ok(
			!isInside(repoRoot, extension.extensionPath),
			`${extension.extensionPath} is in the repository`,
		);
		// What the extension loads at run time must be packaged; sources and dependencies are bundled, not shipped.
		for (const file of runtimeFiles)
			assert.ok(existsSync(join(extension.extensionPath, file)), `the VSIX lacks ${file}`);
		for (const folder of ['src', 'node_modules', 'test', 'webview'])
			assert.ok(!existsSync(join(extension.extensionPath, folder)), `the VSIX ships ${folder}/`);
		const repoManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
			version: string;
		};
		assert.equal(extension.packageJSON.version, repoManifest.version, 'the VSIX is of another version');
		assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace);
	});

	it('is not active before anything triggers it', () => {
		assert.equal(contextLens().isActive, false);
	});

	it('activates without an error and logs its activation', async function () {
		const extension = contextLens();
		await extension.activate();
		assert.equal(extension.isActive, true);
		const logsDir = process.env[hostLogsEnvName];
		if (logsDir === undefined) this.skip();
		const version = String(extension.packageJSON.version);
		// The host flushes channel logs to disk asynchronously.
		const text = await waitFor(`the activation line in ${logsDir}`, () =>
			channelLogs(logsDir).find((content) => content.includes(`${channelName} ${version} activated`)),
		);
		assert.doesNotMatch(text, /\[error\]/);
	});

	it('registers every contributed command', async () => {
		const contributed = (
			(contextLens().packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes
				?.commands ?? []
		).map((c) => c.command);
		assert.ok(contributed.includes('contextLens.showGauge'));
		await contextLens().activate();
		const registered = new Set(await vscode.commands.getCommands(true));
		assert.deepEqual(
			contributed.filter((command) => !registered.has(command)),
			[],
		);
	});

	it('showGauge reveals the gauge with no transcript, then measures a given one', async () => {
		await contextLens().activate();
		assert.equal(await vscode.commands.executeCommand('contextLens.showGauge'), undefined);
		// A transcript exercises the packaged tokenizer and reader, which the bundle must carry.
		const file = join(workspaceDir(), 'installed-session.jsonl');
		writeFileSync(file, new ClaudeSessionWriter().session(20));
		assert.equal(await vscode.commands.executeCommand('contextLens.showGauge', { file }), file);
		const report = await vscode.commands.executeCommand<string>('contextLens.exportPlainText', { file });
		assert.match(report, /^\[STATS\]\nformat: claude-code\n/);
		// The report opens as a dirty untitled editor; reverting first closes it without a save prompt.
		await vscode.commands.executeCommand('_workbench.revertAllDirty');
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
	});

	it('openTranscript opens the transcript in the packaged Context Lens editor', async () => {
		const file = join(workspaceDir(), 'installed-session.jsonl');
		assert.equal(
			await vscode.commands.executeCommand('contextLens.openTranscript', vscode.Uri.file(file)),
			file,
		);
		const tab = await waitFor('the Context Lens editor tab', () => {
			const active = vscode.window.tabGroups.activeTabGroup.activeTab;
			return active?.input instanceof vscode.TabInputCustom ? active.input : undefined;
		});
		assert.equal(tab.viewType, 'contextLens.transcript');
		// Left open for the runner's screenshot (.test-output/host/installed-vsix.png), which may catch the page before it
		// paints: an installed extension runs in production mode, without the test API that reports the page ready.
	});

	it('ships every image the README shows, and its Details page renders each one', async function () {
		// Finding the page, loading, scrolling and photographing each image (the runner's side) takes a while.
		this.timeout(90_000);
		const extension = contextLens();
		// vsce stores the README under a lower-case name.
		const readmeName = readdirSync(extension.extensionPath).find(
			(name) => name.toLowerCase() === 'readme.md',
		);
		assert.ok(readmeName !== undefined, 'the VSIX ships its README');
		const readme = readFileSync(join(extension.extensionPath, readmeName), 'utf8');
		const images: ReadmeImage[] = [...readme.matchAll(/!\[([^\]]*)\]\(([^)\s]+)\)/g)].map((m) => ({
			alt: m[1] ?? '',
			src: m[2] ?? '',
		}));
		assert.ok(images.length > 0, 'the README shows images');
		for (const image of images)
			assert.ok(
				existsSync(join(extension.extensionPath, image.src)),
				`the VSIX lacks ${image.src}, which the README shows`,
			);
		// The Details page renders the packaged README in a webview of the workbench, out of this host's reach: the
		// runner checks each image there (loaded, with a natural width), photographs it scrolled into view
		// (.test-output/host/readme-images/) and writes its verdict to the file named in the request.
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		await vscode.commands.executeCommand('extension.open', extensionId);
		const replyFile = join(mkdtempSync(join(tmpdir(), 'readme-images-')), 'verdict.json');
		console.log(`${readmeImagesRequest}${JSON.stringify({ images, replyFile })}`);
		const verdict = await waitFor(
			"the runner's verdict on the README images",
			() =>
				existsSync(replyFile)
					? (JSON.parse(readFileSync(replyFile, 'utf8')) as ReadmeImagesVerdict)
					: undefined,
			80_000,
			250,
		);
		assert.equal(verdict.problem, undefined, verdict.problem);
		assert.deepEqual(
			verdict.results.map((result) => result.image),
			images.map((image) => image.src),
			'the runner checked every README image',
		);
		const notRendered = verdict.results.filter((result) => !result.isRendered);
		// VS Code's Details page keeps only http(s) image sources and its policy loads only https: images, so the
		// README's relative media/ images cannot show there until they have an https home (a repository URL or
		// vsce --baseImagesUrl), which this project does not have yet. That case is reported as pending, by name;
		// an https image that does not render fails.
		const relativeOnly = notRendered.filter((result) => !/^https:/.test(result.image));
		if (notRendered.length > 0 && relativeOnly.length === notRendered.length) {
			console.log(
				`    (pending: the Details page strips relative image sources; not rendered: ${relativeOnly.map((r) => r.image).join(', ')})`,
			);
			this.skip();
		}
		assert.deepEqual(
			notRendered.map((result) => `${result.image}: ${result.problem ?? ''}`),
			[],
			'README images the Details page did not render',
		);
		// Left open for the runner's closing screenshot (.test-output/host/installed-vsix.png).
	});
});
