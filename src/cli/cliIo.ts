import { escapeControlChars } from '../core/view/visibleText';

/** Where the CLI writes: stdout lines, stderr lines, and the stderr stream for progress. */
export interface CliIo {
	out(text: string): void;
	err(text: string): void;
	readonly stderr: NodeJS.WriteStream;
}

/** The CLI's exit codes. */
export const ExitCode = {
	ok: 0,
	/** Reserved for internal errors (bugs). */
	internal: 1,
	usage: 2,
	badInput: 3,
	/** The compaction or the write failed; nothing was written. */
	failed: 4,
	/** Stopped by Ctrl-C (128 + SIGINT); nothing was written. */
	cancelled: 130,
} as const;

/** The same io with every control character in printed text made visible, so a transcript cannot drive the terminal. */
export function escapedIo(io: CliIo): CliIo {
	return {
		out: (text) => io.out(escapeControlChars(text)),
		err: (text) => io.err(escapeControlChars(text)),
		stderr: io.stderr,
	};
}

/** A mistake in how the CLI was called; printed with the usage text, exit 2. */
export class UsageError extends Error {
	override readonly name = 'UsageError';
}
