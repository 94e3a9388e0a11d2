import type { CliIo } from '../../src/cli/cliIo';

/** A CliIo that records what the CLI prints, for in-process CLI tests. */
export function captureIo(): CliIo & { readonly stdout: string[]; readonly stderrLines: string[] } {
	const stdout: string[] = [];
	const stderrLines: string[] = [];
	const stderr = {
		isTTY: false,
		write: (chunk: string) => {
			stderrLines.push(chunk);
			return true;
		},
	} as unknown as NodeJS.WriteStream;
	return { stdout, stderrLines, out: (t) => stdout.push(t), err: (t) => stderrLines.push(t), stderr };
}
