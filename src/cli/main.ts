import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runCompact, type CompactDeps } from './compactCommand';
import { runFormats } from './formatsCommand';
import { runInspect } from './inspectCommand';
import { ExitCode, UsageError, escapedIo, type CliIo } from './cliIo';

const usage = `Usage: context-lens <command> [options]

Commands:
  inspect <file>   how full the context window is and where the tokens go
                   [--format F] [--model M] [--window N] [--json] [--read-timeout S]
  compact <file>   write a compacted copy in the same format; the input is never modified
                   [--strategy S] [--focus "text"] [--summarizer offline|openai|anthropic]
                   [--model M] [--window N] [--out FILE] [--dry-run] [--force] [--json]
                   [--timeout S] [--connect-timeout S] [--read-timeout S]
  formats          the transcript formats Context Lens reads and writes

Summarizers: offline (default, no network); openai reads CONTEXT_LENS_OPENAI_BASE_URL and
CONTEXT_LENS_OPENAI_API_KEY; anthropic reads ANTHROPIC_API_KEY and CONTEXT_LENS_ANTHROPIC_BASE_URL.
A summary request gives up after --timeout seconds (default 300), or after --connect-timeout seconds
(default 30) when the server does not answer at all; a pipe that sends nothing for --read-timeout
seconds (default 30) is given up.

Exit codes: 0 done (or nothing to compact), 2 usage error, 3 unreadable or unrecognised input
(or no messages in it), 4 the compaction or the write failed (nothing was written), 130 stopped with
Ctrl-C (nothing was written).`;

/**
 * Runs the CLI with arguments (without node and script) and returns the exit code. Everything printed goes through
 * `io` with control characters made visible, so text from a transcript cannot drive the terminal.
 */
export async function runCli(
	args: readonly string[],
	rawIo: CliIo,
	signal: AbortSignal = new AbortController().signal,
	deps: CompactDeps = {},
): Promise<number> {
	const io = escapedIo(rawIo);
	const [command, ...rest] = args;
	try {
		switch (command) {
			case 'inspect':
				return await runInspect(parse(rest, inspectOptions), io, signal);
			case 'compact':
				return await runCompact(parse(rest, compactOptions), io, signal, deps);
			case 'formats':
				return runFormats(parse(rest, { json: { type: 'boolean' } }), io);
			case undefined:
			case 'help':
			case '--help':
			case '-h':
				io.out(usage);
				return command === undefined ? ExitCode.usage : ExitCode.ok;
			default:
				throw new UsageError(`unknown command '${command}'.`);
		}
	} catch (error) {
		if (error instanceof UsageError) {
			io.err(`context-lens: ${error.message}\n\n${usage}`);
			return ExitCode.usage;
		}
		const reason = error instanceof Error ? error.message : String(error);
		io.err(`context-lens: internal error: ${reason}. Please report it with the command you ran.`);
		return ExitCode.internal;
	}
}

const inspectOptions = {
	format: { type: 'string' },
	model: { type: 'string' },
	window: { type: 'string' },
	json: { type: 'boolean' },
	'read-timeout': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const compactOptions = {
	strategy: { type: 'string' },
	focus: { type: 'string' },
	summarizer: { type: 'string' },
	model: { type: 'string' },
	window: { type: 'string' },
	out: { type: 'string' },
	format: { type: 'string' },
	'dry-run': { type: 'boolean' },
	force: { type: 'boolean' },
	json: { type: 'boolean' },
	timeout: { type: 'string' },
	'connect-timeout': { type: 'string' },
	'read-timeout': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
	try {
		return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message : String(error));
	}
}

/** After the first Ctrl-C, how long the command may take to stop and clean up before the process exits anyway. */
const cancelGraceMs = 3_000;

if (require.main === module) {
	const controller = new AbortController();
	process.once('SIGINT', () => {
		process.stderr.write('\ncancelling… (press Ctrl-C again to quit at once)\n');
		controller.abort();
		setTimeout(() => process.exit(ExitCode.cancelled), cancelGraceMs).unref();
		process.once('SIGINT', () => process.exit(ExitCode.cancelled));
	});
	void runCli(
		process.argv.slice(2),
		{
			out: (text) => process.stdout.write(`${text}\n`),
			err: (text) => process.stderr.write(`${text}\n`),
			stderr: process.stderr,
		},
		controller.signal,
	).then((code) => {
		process.exitCode = code;
	});
}
