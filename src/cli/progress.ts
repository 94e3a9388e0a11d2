/** Files above this size get a progress line on stderr while they are read, in bytes. */
export const progressThresholdBytes = 10 * 1024 * 1024;

/** Reports read progress on stderr: one rewritten line on a terminal, a line per 10% otherwise. */
export function createProgressReporter(
	label: string,
	stream: NodeJS.WriteStream = process.stderr,
): (done: number, total: number) => void {
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
