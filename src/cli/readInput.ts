import { statSync } from 'node:fs';
import { fingerprintFile, type FileFingerprint } from '../core/io/fileFingerprint';
import { describeOpenError, readTranscriptFile } from '../core/io/readTranscriptFile';
import type { Diagnostic, FormatId, Transcript } from '../core/transcript/model';
import { formatReadFailure, type ReadFailure } from '../core/transcript/readTranscript';
import { findFormat, transcriptFormats } from '../core/transcript/registry';
import { ExitCode, type CliIo } from './cliIo';
import { createProgressReporter } from './progress';

/** How the CLI reads its input file. */
export interface InputOptions {
	readonly format?: FormatId | undefined;
	readonly signal: AbortSignal;
	/** A pipe that stays silent this long fails, in milliseconds (the core default when absent). */
	readonly pipeIdleTimeoutMs?: number | undefined;
	/** Print what was skipped while reading to stderr (commands whose report does not list it). */
	readonly shouldReportDiagnostics: boolean;
	/** Hash a regular file before reading it, for a command that writes and must check it is unchanged first. */
	readonly shouldFingerprint: boolean;
}

/** The transcript read, with the input's fingerprint (regular files) and permission bits, or the exit code. */
export type InputRead =
	| {
			readonly ok: true;
			readonly transcript: Transcript;
			/** Undefined for a pipe or a device (nothing to check it against later) or when not asked for. */
			readonly fingerprint: FileFingerprint | undefined;
			/** The input's permission bits, which files written from it get (never wider). */
			readonly mode: number;
	  }
	| { readonly ok: false; readonly code: number };

/** Diagnostics listed on stderr before the rest are counted. */
const shownDiagnostics = 5;

/** What the command line adds to a refusal of an unknown format: the flag that overrides detection, where it can help. */
function cliHint(failure: ReadFailure): string {
	if (failure.reason !== 'unrecognised') return '';
	// A format no reader takes: --format cannot help, and the refusal already says what is read.
	if (failure.unreadFormat !== undefined) return '';
	const ids = transcriptFormats.map((f) => f.id).join(', ');
	return ` If it is one of them, pass --format <id> (${ids}); 'context-lens formats' says what each looks like.`;
}

/**
 * Reads the input of `inspect` or `compact`: fingerprints a regular file first (so a change during the run is
 * caught before anything is written), reads it, and treats a non-empty file that yields no message as an error
 * naming the first line that was skipped. Every failure is printed here as one line; the caller returns `code`.
 */
export async function readInput(file: string, io: CliIo, options: InputOptions): Promise<InputRead> {
	let fingerprint: FileFingerprint | undefined;
	let mode: number;
	try {
		const info = statSync(file);
		mode = info.mode & 0o666;
		if (info.isFile() && options.shouldFingerprint) fingerprint = await fingerprintFile(file);
	} catch (error) {
		io.err(`context-lens: ${formatReadFailure(describeOpenError(error, file).failure)}`);
		return { ok: false, code: ExitCode.badInput };
	}
	const read = await readTranscriptFile(file, {
		...(options.format !== undefined ? { format: options.format } : {}),
		...(options.pipeIdleTimeoutMs !== undefined ? { pipeIdleTimeoutMs: options.pipeIdleTimeoutMs } : {}),
		signal: options.signal,
		onProgress: createProgressReporter(`reading ${file}`, io.stderr),
	});
	if (!read.ok) {
		io.err(`context-lens: ${formatReadFailure(read.failure)}${cliHint(read.failure)}`);
		return { ok: false, code: read.failure.reason === 'cancelled' ? ExitCode.cancelled : ExitCode.badInput };
	}
	const transcript = read.transcript;
	// Records kept as they are with nothing skipped make an empty session, not a misread file.
	if (
		transcript.messages.length === 0 &&
		(transcript.diagnostics.length > 0 || transcript.passthrough.length === 0)
	) {
		io.err(`context-lens: ${noMessagesMessage(file, transcript)}`);
		return { ok: false, code: ExitCode.badInput };
	}
	if (options.shouldReportDiagnostics) reportDiagnostics(file, transcript.diagnostics, io);
	return { ok: true, transcript, fingerprint, mode };
}

/** One line for a file that holds no message: where reading first went wrong, and how to read it otherwise. */
function noMessagesMessage(file: string, transcript: Transcript): string {
	const label = findFormat(transcript.format).label;
	const first = transcript.diagnostics.find((d) => d.severity === 'error') ?? transcript.diagnostics[0];
	const where = first !== undefined ? `${file}:${first.line}` : file;
	const why = first !== undefined ? `: ${first.message.replace(/\.$/, '')}` : '';
	const skipped =
		transcript.diagnostics.length > 1 ? ` (${transcript.diagnostics.length} problems in all)` : '';
	const hint =
		transcript.detection.reason === 'chosen with --format'
			? 'Leave out --format to detect the format, or pass the right one'
			: 'If it is another format, pass --format';
	return `${where}: no messages found reading it as ${label}${why}${skipped}. ${hint} (see 'context-lens formats').`;
}

/** Counts and names what was skipped or kept as it is while reading, on stderr. */
export function reportDiagnostics(file: string, diagnostics: readonly Diagnostic[], io: CliIo): void {
	if (diagnostics.length === 0) return;
	const count = diagnostics.length;
	io.err(
		`context-lens: ${count} problem${count === 1 ? '' : 's'} while reading ${file} (lines skipped or kept as they are):`,
	);
	for (const d of diagnostics.slice(0, shownDiagnostics)) {
		io.err(`  ${file}:${d.line}${d.column !== undefined ? `:${d.column}` : ''}: ${d.message}`);
	}
	if (count > shownDiagnostics) io.err(`  … ${count - shownDiagnostics} more (inspect --json lists all)`);
}
