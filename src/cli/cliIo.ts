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
} as const;

/** A mistake in how the CLI was called; printed with the usage text, exit 2. */
export class UsageError extends Error {
	override readonly name = 'UsageError';
}
