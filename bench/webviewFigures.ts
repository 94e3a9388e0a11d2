import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from './stats';

/** Where the chromium suite (test/webview/performance.test.ts) leaves its figures, relative to the repository. */
export const webviewMetricsPath = join('.test-output', 'webview', 'metrics.json');

/** One scroll case of the chromium suite (see `ScrollFigures` in test/webview/performance.test.ts). */
interface ScrollCase {
	readonly frames?: number;
	readonly meanFrameMs?: number;
	readonly p95FrameMs?: number;
	readonly maxFrameMs?: number;
	readonly mainThreadMsPerFrame?: number;
	readonly maxRowsInDom?: number;
	readonly pxPerSecond?: number;
	readonly framesTopToEnd?: number;
}

/** One first-paint case: the median of three fresh pages. */
interface PaintCase {
	readonly messages?: number;
	readonly payloadBytes?: number;
	readonly firstPaintMs?: number;
	readonly firstPaintRunsMs?: readonly number[];
	readonly serializeMs?: number;
	readonly mainThreadMs?: number;
	/** The same view as the extension sends it: the skeleton's bytes, decoded by the page (src/protocol/viewWire.ts). */
	readonly wire?: Omit<PaintCase, 'wire' | 'messages'>;
}

/** The suite's file, as far as the page reads it; older files lack the newer fields. */
interface WebviewMetrics extends PaintCase {
	readonly loadAverage?: number;
	readonly scroll?: ScrollCase & {
		readonly renderMedianMs?: number;
		readonly wheel?: ScrollCase;
		readonly drag?: ScrollCase;
	};
	readonly large?: PaintCase;
}

const show = (value: unknown): string => (typeof value === 'number' ? String(value) : '–');

function paintFigures(paint: Omit<PaintCase, 'messages' | 'wire'>): string {
	const payload =
		typeof paint.payloadBytes === 'number' ? ` (${(paint.payloadBytes / 1e6).toFixed(1)} MB)` : '';
	const details = [
		Array.isArray(paint.firstPaintRunsMs) ? `runs: ${paint.firstPaintRunsMs.join(', ')} ms` : '',
		typeof paint.serializeMs === 'number' ? `the post's serialisation ${paint.serializeMs} ms` : '',
		typeof paint.mainThreadMs === 'number' ? `main-thread CPU ${paint.mainThreadMs} ms` : '',
	].filter((d) => d !== '');
	const extra = details.length > 0 ? ` (${details.join('; ')})` : '';
	return `${payload}: **${show(paint.firstPaintMs)} ms**${extra}`;
}

function describePaint(paint: PaintCase): string {
	const wire =
		paint.wire !== undefined ? `; as the extension sends it, its skeleton${paintFigures(paint.wire)}` : '';
	return `${show(paint.messages)} messages as one view object${paintFigures(paint)}${wire}`;
}

function scrollTable(metrics: WebviewMetrics): string {
	const scroll = metrics.scroll ?? {};
	const cases: [string, ScrollCase | undefined][] = [
		[`wheel gesture, ${show(scroll.wheel?.pxPerSecond)} px/s`, scroll.wheel],
		[`drag, top to end in ${show(scroll.drag?.framesTopToEnd)} frames`, scroll.drag],
	];
	return markdownTable(
		[
			`scrolling ${show(metrics.messages)} messages`,
			'frames',
			'mean frame ms',
			'p95 frame ms',
			'max frame ms',
			'main-thread CPU ms per frame',
			'rows in the DOM (max)',
		],
		cases
			.filter((c): c is [string, ScrollCase] => c[1] !== undefined)
			.map(([name, c]) => [
				name,
				show(c.frames),
				show(c.meanFrameMs),
				show(c.p95FrameMs),
				show(c.maxFrameMs),
				show(c.mainThreadMsPerFrame),
				show(c.maxRowsInDom),
			]),
	);
}

/**
 * The webview section of docs/performance.md from the figures the chromium suite left in `root`, if it ran on this
 * checkout (the bench does not drive chromium itself); `data` is the file as read, for bench/results.json.
 */
export function webviewFigures(root: string): { readonly text: string; readonly data?: unknown } {
	const path = join(root, webviewMetricsPath);
	if (!existsSync(path)) {
		return {
			text: `No figure: \`${webviewMetricsPath}\` is absent (the webview tests have not run on this checkout), so first paint and scrolling are not reported.`,
		};
	}
	const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
	const metrics = data as WebviewMetrics;
	const written = statSync(path)
		.mtime.toISOString()
		.replace(/\.\d+Z$/, 'Z');
	const load = typeof metrics.loadAverage === 'number' ? `, load average ${metrics.loadAverage}` : '';
	const source = `From \`${webviewMetricsPath}\` (written by \`test/webview/performance.test.ts\` at ${written}${load}; not timed by this run).`;
	const paints = [metrics, ...(metrics.large !== undefined ? [metrics.large] : [])].map(describePaint);
	const lines = [
		`First paint of ${paints.join('; of ')}. The skeleton is what the extension posts first (src/protocol/viewWire.ts: the rows as columns, without ids and previews, which follow in parts of 1,024 rows); the page decodes its bytes before it renders, and that decoding is in its time. Measured in headless Chromium (software rendering, 1200x1000 page) from \`window.postMessage\` of the view model on the page, as VS Code's webview frame delivers a host message (structured clone: serialised by the post, deserialised when the page reads it; in VS Code the sending frame pays the serialisation), to the end of the first frame that shows list rows; the median of three fresh pages, with the renderer main thread's CPU time over it (DevTools \`ThreadTime\`: unlike the wall time, it holds on a loaded machine). Target: <= 1 s at 100,000 messages.`,
	];
	if (metrics.scroll?.wheel !== undefined || metrics.scroll?.drag !== undefined) {
		lines.push(
			'',
			scrollTable(metrics),
			'',
			`A frame is the interval between two animation frames while the list scrolls: 16.7 ms is every frame on time at 60 Hz; targets: mean <= 20 ms, p95 <= 33 ms. The wheel case is a scroll gesture through Chromium's input pipeline (\`Input.synthesizeScrollGesture\`); the drag case sets the scroll offset once a frame, so every frame shows rows it did not show before. Main-thread CPU is the renderer main thread's CPU time over the case (DevTools \`ThreadTime\`) per frame: it holds on a loaded machine, where frame intervals measure the machine. The list's own re-render of the rows in view takes ${show(metrics.scroll.renderMedianMs)} ms (median).`,
		);
	}
	lines.push('', source);
	return { text: lines.join('\n'), data };
}
