import { escapeControlChars } from '../core/view/visibleText';

/** Files above this size get a progress line on stderr while they are read, in bytes. */
export const progressThresholdBytes = 10 * 1024 * 1024;

/** Reports read progress on stderr: one rewritten line on a terminal, a line per 10% otherwise. */
export function createProgressReporter(
	rawLabel: string,
	stream: NodeJS.WriteStream = process.stderr,
): (done: number, total: number) => void {
	const label = escapeControlChars(rawLabel);
	let lastTenth = -1;
	let lastDrawMs = 0;
	return (done, total) => {
		if (total < progressThresholdBytes) return;
		const ratio = total === 0 ? 1 : done / total;
		const text = `${label}: ${Math.floor(ratio * 100)}% (${formatMegabytes(done)} of ${formatMegabytes(total)})`;
		if (stream.isTTY) {
			const now = Date.now();
			if (now - lastDrawMs < 100 && done < total) return;
			lastDrawMs = now;
			stream.write(`\r${text}${done >= total ? '\n' : ''}`);
			return;
		}
		const tenth = Math.floor(ratio * 10);
		if (tenth !== lastTenth) {
			lastTenth = tenth;
			stream.write(`${text}\n`);
		}
	};
}

/** Formats a byte count as megabytes with one decimal. */
export function formatMegabytes(bytes: number): string {
	return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Seconds of waiting before the first "still waiting" line, and between lines when stderr is not a terminal. */
const waitFirstLineMs = 5_000;
const waitLineEveryMs = 15_000;

/**
 * Shows that the CLI is waiting (for a summary model): on a terminal one line rewritten each second, otherwise a line
 * after 5 s and every 15 s. Returns the function that stops it and clears the line.
 */
export function startWaitReporter(rawLabel: string, stream: NodeJS.WriteStream = process.stderr): () => void {
	const label = escapeControlChars(rawLabel);
	const startedMs = Date.now();
	let hasDrawn = false;
	const seconds = (): number => Math.round((Date.now() - startedMs) / 1000);
	const tick = (): void => {
		if (stream.isTTY) {
			stream.write(`\r${label}… ${seconds()} s (Ctrl-C to stop)`);
			hasDrawn = true;
		} else if (Date.now() - startedMs >= waitFirstLineMs) {
			stream.write(`${label}… still waiting after ${seconds()} s (Ctrl-C to stop)\n`);
		}
	};
	const timer = setInterval(tick, stream.isTTY ? 1_000 : waitLineEveryMs);
	const first = setTimeout(tick, waitFirstLineMs);
	timer.unref();
	first.unref();
	return () => {
		clearInterval(timer);
		clearTimeout(first);
		if (hasDrawn) stream.write('\r\x1b[K');
	};
}
