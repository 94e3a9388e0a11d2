import { transcriptFormats } from '../core/transcript/registry';
import { recognizedUnread } from '../core/transcript/unsupportedFormats';
import { ExitCode, type CliIo } from './cliIo';

/** `context-lens formats`: what is read and written. */
export function runFormats(parsed: { values: { json?: boolean | undefined } }, io: CliIo): number {
	const rows = transcriptFormats.map((f) => ({
		id: f.id,
		label: f.label,
		reads: true,
		writes: f.write !== undefined,
		incremental: f.createAccumulator !== undefined,
	}));
	if (parsed.values.json === true) {
		io.out(JSON.stringify(rows, null, 2));
		return ExitCode.ok;
	}
	const idWidth = Math.max(...rows.map((r) => r.id.length), 6);
	io.out(`${'format'.padEnd(idWidth)}  read  write  live  description`);
	for (const r of rows) {
		io.out(
			`${r.id.padEnd(idWidth)}  yes   ${r.writes ? 'yes' : 'no '}    ${r.incremental ? 'yes' : 'no '}   ${r.label}`,
		);
	}
	io.out(
		'\nlive: appended lines are read incrementally from the last byte offset. Pass --format <id> to skip detection.',
	);
	io.out(`Recognised but not read (inspect says what such a file is): ${recognizedUnread.join('; ')}.`);
	return ExitCode.ok;
}
