// The runner's side of the installed-VSIX check that the extension's Details page renders every image its README
// shows (suite/installed.test.ts asks for it with `readmeImagesRequest`). The Details page is the workbench's own
// webview: the runner finds its frame, scrolls each README image into view, checks it loaded (complete and
// naturalWidth > 0) and saves a screenshot of the workbench showing it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Frame, Page } from 'playwright-core';

/** What a suite logs, followed by a JSON `ReadmeImagesRequest`, to have the runner check the open Details page. */
export const readmeImagesRequest = '[context-lens:readme-images]';

/** One image as the README shows it: `![alt](src)`. */
export interface ReadmeImage {
	readonly src: string;
	readonly alt: string;
}

/** The request: the images the packaged README shows, and the file the verdict is written to. */
export interface ReadmeImagesRequest {
	readonly images: readonly ReadmeImage[];
	readonly replyFile: string;
}

/** What became of one README image on the Details page. */
export interface ReadmeImageResult {
	readonly image: string;
	/** True when the image element is there, loaded, and has a natural width. */
	readonly isRendered: boolean;
	/** Why not, in words, when it did not render. */
	readonly problem?: string;
	readonly naturalWidth?: number;
	readonly naturalHeight?: number;
	/** The workbench screenshot with the image scrolled into view. */
	readonly screenshot?: string;
}

/** The verdict the runner writes to `replyFile` and prints. */
export interface ReadmeImagesVerdict {
	readonly isOk: boolean;
	/** Set when the check could not run at all (no Details frame). */
	readonly problem?: string;
	readonly results: readonly ReadmeImageResult[];
}

/** Reads the request that follows `readmeImagesRequest` on a log line; undefined when the line carries none. */
export function parseReadmeImagesRequest(line: string): ReadmeImagesRequest | undefined {
	const at = line.indexOf(readmeImagesRequest);
	if (at < 0) return undefined;
	try {
		const value = JSON.parse(line.slice(at + readmeImagesRequest.length)) as Partial<ReadmeImagesRequest>;
		if (!Array.isArray(value.images) || typeof value.replyFile !== 'string') return undefined;
		const images = value.images.map((image: Partial<ReadmeImage>) => ({
			src: String(image.src),
			alt: String(image.alt),
		}));
		return { images, replyFile: value.replyFile };
	} catch {
		return undefined;
	}
}

/** The few browser APIs the functions run in the page use (the project's tsconfig has no DOM library). */
interface PageImage {
	getAttribute(name: string): string | null;
	scrollIntoView(options: { block: string; inline: string }): void;
	readonly complete: boolean;
	readonly naturalWidth: number;
	readonly naturalHeight: number;
	readonly currentSrc: string;
	readonly src: string;
}
declare const document: { querySelectorAll(selector: 'img'): Iterable<PageImage> };

/** What the page knows of one image: found by its path at the end of the (decoded) src. */
interface ImageState {
	readonly isFound: boolean;
	readonly isComplete: boolean;
	readonly naturalWidth: number;
	readonly naturalHeight: number;
	/** The img's src attribute as the page has it ('' when the workbench removed it). */
	readonly src: string;
}

/**
 * Runs in the frame: the state of the first img whose decoded src ends with the image's path (or, failing that,
 * that has its alt text), scrolled into view.
 */
function imageStateInFrame(args: { image: ReadmeImage; shouldScroll: boolean }): ImageState {
	const wanted = args.image.src.replace(/^\.\//, '');
	// No named helpers in here: the test's TypeScript loader would wrap them in a function the page lacks.
	const images = [...document.querySelectorAll('img')];
	let img: PageImage | undefined;
	for (const element of images) {
		let src = element.getAttribute('src') ?? '';
		try {
			src = decodeURIComponent(src);
		} catch {
			// Not encoded: compared as written.
		}
		src = src.split(/[?#]/)[0] ?? '';
		if (src.endsWith(`/${wanted}`) || src === wanted) {
			img = element;
			break;
		}
	}
	img ??= images.find((element) => element.getAttribute('alt') === args.image.alt);
	if (img === undefined)
		return { isFound: false, isComplete: false, naturalWidth: 0, naturalHeight: 0, src: '' };
	if (args.shouldScroll) img.scrollIntoView({ block: 'center', inline: 'nearest' });
	return {
		isFound: true,
		isComplete: img.complete,
		naturalWidth: img.naturalWidth,
		naturalHeight: img.naturalHeight,
		src: img.getAttribute('src') ?? '',
	};
}

/** Runs in a frame: the alt text of every img it holds (how the Details page is recognised). */
function imageAltsInFrame(): string[] {
	return [...document.querySelectorAll('img')].map((element) => element.getAttribute('alt') ?? '');
}

async function altsOf(frame: Frame): Promise<string[]> {
	try {
		return await frame.evaluate(imageAltsInFrame);
	} catch {
		// A frame that navigated or closed meanwhile holds nothing to check.
		return [];
	}
}

/**
 * The Details page's webview frame: the frame holding an image with the alt text of each README image (its src
 * may be gone, see problemOf). The workbench renders the README into a nested iframe of a webview; it can take a
 * few seconds after `extension.open`.
 */
async function findDetailsFrame(
	page: Page,
	images: readonly ReadmeImage[],
	timeoutMs: number,
): Promise<Frame | undefined> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		for (const frame of page.frames()) {
			const alts = new Set(await altsOf(frame));
			if (images.every((image) => alts.has(image.alt))) return frame;
		}
		if (Date.now() >= deadline) return undefined;
		await new Promise((resolveDelay) => setTimeout(resolveDelay, 250));
	}
}

/** Scrolls one image into view, waits until it has finished loading (or `timeoutMs`), and reports its state. */
async function settleImage(frame: Frame, image: ReadmeImage, timeoutMs: number): Promise<ImageState> {
	const deadline = Date.now() + timeoutMs;
	let state = await frame.evaluate(imageStateInFrame, { image, shouldScroll: true });
	while (state.isFound && state.src !== '' && !state.isComplete && Date.now() < deadline) {
		await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
		state = await frame.evaluate(imageStateInFrame, { image, shouldScroll: false });
	}
	// Time for the scroll and the decoded image to be painted before the screenshot (the page's own animation frames
	// are not a reliable clock in a headless, unfocused webview).
	await new Promise((resolveDelay) => setTimeout(resolveDelay, 300));
	return state;
}

/** The problem with one image's state, or undefined when it rendered. */
function problemOf(state: ImageState): string | undefined {
	if (!state.isFound) return 'no <img> on the Details page shows it';
	// VS Code 1.139's Details page sanitises the README keeping only http: and https: image sources (a relative path
	// or a data: URI is removed) and its content security policy loads only https: and data: images.
	if (state.src === '')
		return 'the workbench removed its src: the Details page keeps only http(s) image sources (a relative path or data: URI is dropped) and loads only https: ones, so the image needs an https URL';
	if (!state.isComplete) return `it was still loading from ${state.src}`;
	if (state.naturalWidth === 0)
		return `it did not load from ${state.src} (naturalWidth 0: broken or refused)`;
	return undefined;
}

/**
 * Checks every README image on the open Details page: each is scrolled into view, must load (complete and
 * naturalWidth > 0) and is photographed to `outDir/details-<image>.png`. Never throws: a failure is in the verdict.
 */
export async function checkReadmeImages(
	page: Page,
	images: readonly ReadmeImage[],
	outDir: string,
): Promise<ReadmeImagesVerdict> {
	try {
		mkdirSync(outDir, { recursive: true });
		const frame = await findDetailsFrame(page, images, 20_000);
		if (frame === undefined) {
			const frames = page.frames().map((f) => f.url().split('?')[0] ?? '');
			await page.screenshot({ path: join(outDir, 'details-missing.png') });
			return {
				isOk: false,
				problem: `no frame of the workbench shows the README's images (by their alt text) after 20 s (frames: ${frames.join(', ')}); see ${join(outDir, 'details-missing.png')}`,
				results: [],
			};
		}
		const results: ReadmeImageResult[] = [];
		for (const image of images) {
			const state = await settleImage(frame, image, 10_000);
			const problem = problemOf(state);
			const screenshot = join(outDir, `details-${basename(image.src)}`);
			await page.screenshot({ path: screenshot });
			results.push({
				image: image.src,
				isRendered: problem === undefined,
				...(problem !== undefined ? { problem } : {}),
				naturalWidth: state.naturalWidth,
				naturalHeight: state.naturalHeight,
				screenshot,
			});
		}
		return { isOk: results.every((result) => result.isRendered), results };
	} catch (error) {
		return { isOk: false, problem: `the check failed: ${String(error)}`, results: [] };
	}
}

/** One line per image for the run's log, and the line naming every image that did not render. */
export function describeVerdict(verdict: ReadmeImagesVerdict): string[] {
	const lines = verdict.results.map((result) =>
		result.isRendered
			? `README image rendered on the Details page: ${result.image} (${result.naturalWidth}x${result.naturalHeight}), screenshot ${result.screenshot}`
			: `README image NOT rendered on the Details page: ${result.image}: ${result.problem}`,
	);
	if (verdict.problem !== undefined) lines.push(`README images not checked: ${verdict.problem}`);
	return lines;
}

/** Writes the verdict where the suite waits for it. */
export function writeVerdict(replyFile: string, verdict: ReadmeImagesVerdict): void {
	writeFileSync(replyFile, `${JSON.stringify(verdict, null, '\t')}\n`);
}
