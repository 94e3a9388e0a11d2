// The runner's side of the host test that drives `@context` in the workbench's real chat view
// (suite/chat.test.ts): the chat view lives in the workbench page, out of the extension host's reach, so on request
// the runner reads the rows the view shows, photographs it and writes what it read where the suite waits for it.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** What a suite logs, followed by a JSON `ChatViewRequest`, to have the runner read and photograph the chat view. */
export const chatViewRequest = '[context-lens:chat-view]';

/**
 * The request: wait until the last answer holds `waitForText`, then read the view and write the reply; with
 * `isReadmeShot` the screenshot is the README's (written over media/readme-chat.png with REFRESH_README_IMAGES=1).
 */
export interface ChatViewRequest {
	readonly replyFile: string;
	readonly waitForText: string;
	readonly isReadmeShot?: boolean;
}

/** One row of the chat view: a request or an answer, as its text. */
export interface ChatViewRow {
	readonly role: 'request' | 'response';
	readonly text: string;
}

/** What the runner read: the rows the view had rendered, whether the last answer held the text, the screenshot. */
export interface ChatViewReply {
	readonly isFound: boolean;
	readonly rows: readonly ChatViewRow[];
	readonly screenshot?: string;
	/** Set with REFRESH_README_IMAGES=1: the README image written from the screenshot. */
	readonly readmeImage?: string;
	readonly problem?: string;
}

/** Reads the request that follows `chatViewRequest` on a log line; undefined when the line carries none. */
export function parseChatViewRequest(line: string): ChatViewRequest | undefined {
	const at = line.indexOf(chatViewRequest);
	if (at < 0) return undefined;
	try {
		const value = JSON.parse(line.slice(at + chatViewRequest.length)) as Partial<ChatViewRequest>;
		if (typeof value.replyFile !== 'string' || typeof value.waitForText !== 'string') return undefined;
		return {
			replyFile: value.replyFile,
			waitForText: value.waitForText,
			isReadmeShot: value.isReadmeShot === true,
		};
	} catch {
		return undefined;
	}
}

/** The few browser APIs the function run in the page uses (the project's tsconfig has no DOM library). */
interface PageElement {
	readonly classList: { contains(name: string): boolean };
	readonly innerText: string;
	closest(selector: string): PageElement | null;
	querySelector(selector: string): PageElement | null;
	getAttribute(name: string): string | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> };

/**
 * Runs in the page: the rows the chat view has rendered, requests and answers, in conversation order (the list is
 * virtual: its rows sit in the DOM in any order, each with its index, and rows scrolled far away are not there).
 */
function chatRowsInPage(): { role: 'request' | 'response'; text: string; isLoading: boolean }[] {
	const rows: { role: 'request' | 'response'; text: string; isLoading: boolean; index: number }[] = [];
	for (const row of document.querySelectorAll('.interactive-item-container')) {
		const isResponse = row.classList.contains('interactive-response');
		if (!isResponse && !row.classList.contains('interactive-request')) continue;
		// A request's words are its `.value`; beside it the row may show a checkpoint toolbar ("Restore Checkpoint")
		// and its time, on hover and, after a reload, also without one.
		const words = isResponse ? row : (row.querySelector('.value') ?? row);
		rows.push({
			role: isResponse ? 'response' : 'request',
			text: words.innerText.trim(),
			isLoading: row.classList.contains('chat-response-loading'),
			index: Number(row.closest('.monaco-list-row')?.getAttribute('data-index') ?? -1),
		});
	}
	rows.sort((a, b) => a.index - b.index);
	return rows.map(({ role, text, isLoading }) => ({ role, text, isLoading }));
}

/** The window size while the chat view is photographed. */
const chatViewport = { width: 960, height: 1060 };

/**
 * Scrolls the chat list back (it follows the newest output, so a long answer shows its end) until the last answer
 * starts at the top of the view, where the screenshot shows its opening line.
 */
async function scrollToLastAnswer(page: Page): Promise<void> {
	const list = page.locator('.interactive-list').last();
	const answer = page.locator('.monaco-list-row:has(.interactive-response)').last();
	const [listBox, answerBox] = await Promise.all([list.boundingBox(), answer.boundingBox()]);
	if (listBox === null || answerBox === null || answerBox.y >= listBox.y) return;
	await page.mouse.move(listBox.x + listBox.width / 2, listBox.y + listBox.height / 2);
	// The list's sticky header (the request being answered) covers its top rows: a little further, past it.
	await page.mouse.wheel(0, answerBox.y - listBox.y - 64);
	await new Promise((resolveDelay) => setTimeout(resolveDelay, 400));
}

/**
 * Waits (up to 20 s) until the chat view's last answer has finished and holds `request.waitForText`, then saves a
 * screenshot of the conversation to `outDir/chat.png` (and, when `readmeImage` is given, to
 * that README image too). Never throws: a failure is in the reply.
 */
export async function readChatView(
	page: Page,
	request: ChatViewRequest,
	outDir: string,
	readmeImage: string | undefined,
): Promise<ChatViewReply> {
	try {
		mkdirSync(outDir, { recursive: true });
		// The pointer off the conversation: a hovered request row shows its toolbar ("Restore Checkpoint") and its
		// time, which would be read as part of its text.
		await page.mouse.move(0, 0);
		const deadline = Date.now() + 20_000;
		let rows = await page.evaluate(chatRowsInPage);
		const isDone = (): boolean => {
			const last = rows.at(-1);
			return last?.role === 'response' && !last.isLoading && last.text.includes(request.waitForText);
		};
		while (!isDone() && Date.now() < deadline) {
			await new Promise((resolveDelay) => setTimeout(resolveDelay, 200));
			rows = await page.evaluate(chatRowsInPage);
		}
		// A taller, narrower window for the picture, so the whole answer fits at a width a README shows well; the
		// workbench lays itself out again, then the answer's buttons and follow-up are painted.
		const viewport = page.viewportSize();
		await page.setViewportSize(chatViewport);
		await new Promise((resolveDelay) => setTimeout(resolveDelay, 800));
		await scrollToLastAnswer(page);
		const screenshot = join(outDir, 'chat.png');
		// The conversation alone: not the sessions list beside it, nor the input below (it names the test model).
		await page
			.locator('[id="workbench.parts.auxiliarybar"] .interactive-list')
			.last()
			.screenshot({ path: screenshot });
		if (viewport !== null) await page.setViewportSize(viewport);
		if (readmeImage !== undefined) copyFileSync(screenshot, readmeImage);
		return {
			isFound: isDone(),
			rows: rows.map(({ role, text }) => ({ role, text })),
			screenshot,
			...(readmeImage !== undefined ? { readmeImage } : {}),
		};
	} catch (error) {
		return { isFound: false, rows: [], problem: `reading the chat view failed: ${String(error)}` };
	}
}

/** Writes the reply where the suite waits for it. */
export function writeChatViewReply(replyFile: string, reply: ChatViewReply): void {
	writeFileSync(replyFile, `${JSON.stringify(reply, null, '\t')}\n`);
}
