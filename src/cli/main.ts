import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runCompact, type CompactDeps } from './compactCommand';
import { runCompare } from './compareCommand';
import { runFormats } from './formatsCommand';
import { runHooks } from './hooksCommand';
import { runInspect } from './inspectCommand';
import { ExitCode, UsageError, escapedIo, type CliIo } from './cliIo';
import { keepOptions } from './keepOptions';
import { asksForHelp, cliVersion, commandHelp, usage } from './helpText';

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
	const help = command !== undefined && asksForHelp(rest) ? commandHelp.get(command) : undefined;
	if (help !== undefined) {
		io.out(help);
		return ExitCode.ok;
	}
	try {
		switch (command) {
			case 'inspect':
				return await runInspect(parse(rest, inspectOptions), io, signal);
			case 'compact':
				return await runCompact(parse(rest, compactOptions), io, signal, deps);
			case 'compare':
				return await runCompare(parse(rest, compareOptions), io, signal);
			case 'formats':
				return runFormats(parse(rest, { json: { type: 'boolean' } }), io);
			case 'hooks':
				return await runHooks(rest, io);
			case undefined:
			case 'help':
			case '--help':
			case '-h':
				io.out((command === 'help' ? commandHelp.get(rest[0] ?? '') : undefined) ?? usage);
				return command === undefined ? ExitCode.usage : ExitCode.ok;
			case 'version':
			case '--version':
			case '-v':
				io.out(cliVersion);
				return ExitCode.ok;
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
	...keepOptions,
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
	...keepOptions,
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const compareOptions = {
	focus: { type: 'string' },
	model: { type: 'string' },
	window: { type: 'string' },
	format: { type: 'string' },
	json: { type: 'boolean' },
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
