import { analyzeBudget } from '../core/budget/analyzeBudget';
import type { BudgetReport } from '../core/budget/budgetReport';
import { defaultRotationRatio, defaultTriggerRatio } from '../core/compaction/options';
import { readTranscriptFile } from '../core/io/readTranscriptFile';
import { formatReadFailure } from '../core/transcript/readTranscript';
import { parseFormatId, transcriptFormats } from '../core/transcript/registry';
import type { FormatId } from '../core/transcript/model';
import { ExitCode, UsageError, type CliIo } from './cliIo';
import { createProgressReporter } from './progress';
import { renderBudget } from './renderBudget';

/** Parsed `inspect` arguments. */
interface InspectArgs {
	readonly values: {
		readonly format?: string | undefined;
		readonly model?: string | undefined;
		readonly window?: string | undefined;
		readonly json?: boolean | undefined;
	};
	readonly positionals: readonly string[];
}

/** `context-lens inspect <file>`: the budget report, readable or as one JSON object. */
export async function runInspect(parsed: InspectArgs, io: CliIo): Promise<number> {
	const file = singleFile(parsed.positionals, 'inspect');
	const format = parseFormatOption(parsed.values.format);
	const contextWindow = parseWindowOption(parsed.values.window);
	const read = await readTranscriptFile(file, {
		...(format !== undefined ? { format } : {}),
		onProgress: createProgressReporter(`reading ${file}`, io.stderr),
	});
	if (!read.ok) {
		io.err(`context-lens: ${formatReadFailure(read.failure)}`);
		return ExitCode.badInput;
	}
	const report = analyzeBudget(read.transcript, {
		file,
		...(parsed.values.model !== undefined ? { model: parsed.values.model } : {}),
		...(contextWindow !== undefined ? { contextWindow } : {}),
	});
	io.out(parsed.values.json === true ? JSON.stringify(toJson(report), null, 2) : renderBudget(report, marks));
	return ExitCode.ok;
}

const marks = { compactionRatio: defaultTriggerRatio, rotationRatio: defaultRotationRatio };

/** The one file argument of a command; a usage error otherwise. */
export function singleFile(positionals: readonly string[], command: string): string {
	const [file, ...extra] = positionals;
	if (file === undefined) throw new UsageError(`${command} needs a transcript file.`);
	if (extra.length > 0) throw new UsageError(`${command} takes one file; got ${positionals.length}.`);
	return file;
}

/** Validates `--format`; lists the valid ids when it is wrong. */
export function parseFormatOption(value: string | undefined): FormatId | undefined {
	if (value === undefined) return undefined;
	const id = parseFormatId(value);
	if (id === undefined) {
		throw new UsageError(
			`unknown format '${value}'; valid: ${transcriptFormats.map((f) => f.id).join(', ')}.`,
		);
	}
	return id;
}

/** Validates `--window`: a positive whole number of tokens, `k`/`m` suffixes allowed (200k, 1m). */
export function parseWindowOption(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(value.trim().replace(/[_,]/g, ''));
	const scale = match?.[2]?.toLowerCase() === 'k' ? 1000 : match?.[2]?.toLowerCase() === 'm' ? 1_000_000 : 1;
	const tokens = match?.[1] !== undefined ? Math.round(Number(match[1]) * scale) : NaN;
	if (!Number.isFinite(tokens) || tokens <= 0) {
		throw new UsageError(
			`--window must be a positive number of tokens (e.g. 200000 or 200k); got '${value}'.`,
		);
	}
	return tokens;
}

/** The `inspect --json` object. */
export function toJson(report: BudgetReport): Record<string, unknown> {
	return {
		file: report.file,
		format: report.format,
		detection: report.detection.reason,
		model: report.model ?? null,
		encoding: report.encoding,
		countSource: report.source,
		countErrorPct: report.sourceErrorPct,
		messages: report.messages,
		messagesInFile: report.messagesInFile,
		contextWindow: report.contextWindow,
		contextWindowSource: report.contextWindowSource,
		percentUsed: round(report.percentUsed, 2),
		fixedTokens: report.tokens.fixed,
		tokens: {
			total: report.tokens.total,
			visible: report.tokens.visible,
			hidden: report.tokens.hidden,
			fixed: report.tokens.fixed,
			recorded: report.tokens.recorded?.tokens ?? null,
			recordedComparison: report.tokens.recorded ?? null,
			byRole: report.tokens.byRole,
			byKind: report.tokens.byKind,
			earlierThinking: report.tokens.earlierThinking,
		},
		regions: report.regions,
		pruneCandidates: report.pruneCandidates,
		toolPairs: report.toolPairs,
		largest: report.largest,
		diagnostics: report.diagnostics.map((d) => ({
			line: d.line,
			...(d.column !== undefined ? { column: d.column } : {}),
			severity: d.severity,
			message: d.message,
		})),
	};
}

function round(value: number, digits: number): number {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}
