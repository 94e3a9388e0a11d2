import { findAgentCompactions, type AgentCompaction } from '../core/audit/agentCompactions';
import { describeCompaction } from '../core/audit/auditView';
import { rankLostFacts } from '../core/audit/rankLostFacts';
import { analyzeBudget, resolveCounting } from '../core/budget/analyzeBudget';
import { MessageTokenCache } from '../core/budget/messageTokenCache';
import { TokenCounter } from '../core/tokens/tokenCounter';
import type { BudgetReport } from '../core/budget/budgetReport';
import { defaultRotationRatio, defaultTriggerRatio } from '../core/compaction/options';
import { parseFormatId, transcriptFormats } from '../core/transcript/registry';
import { messagesInWindow, type FormatId } from '../core/transcript/model';
import { ExitCode, UsageError, type CliIo } from './cliIo';
import { resolveKeepOptions, type KeepValues } from './keepOptions';
import { readInput } from './readInput';
import { renderBudget } from './renderBudget';

/** Parsed `inspect` arguments. */
interface InspectArgs {
	readonly values: KeepValues & {
		readonly format?: string | undefined;
		readonly model?: string | undefined;
		readonly window?: string | undefined;
		readonly json?: boolean | undefined;
		readonly 'read-timeout'?: string | undefined;
	};
	readonly positionals: readonly string[];
}

/** `context-lens inspect <file>`: the budget report, readable or as one JSON object. */
export async function runInspect(
	parsed: InspectArgs,
	io: CliIo,
	signal: AbortSignal = new AbortController().signal,
): Promise<number> {
	const file = singleFile(parsed.positionals, 'inspect');
	const format = parseFormatOption(parsed.values.format);
	const contextWindow = parseWindowOption(parsed.values.window);
	const read = await readInput(file, io, {
		format,
		signal,
		pipeIdleTimeoutMs: parseSecondsOption('--read-timeout', parsed.values['read-timeout']),
		shouldReportDiagnostics: false,
		shouldFingerprint: false,
	});
	if (!read.ok) return read.code;
	const keep = resolveKeepOptions(parsed.values, messagesInWindow(read.transcript), file);
	if (!keep.ok) {
		io.err(`context-lens: ${keep.message}`);
		return ExitCode.usage;
	}
	const overrides = {
		...(parsed.values.model !== undefined ? { model: parsed.values.model } : {}),
		...(contextWindow !== undefined ? { contextWindow } : {}),
	};
	const cache = new MessageTokenCache(new TokenCounter(resolveCounting(read.transcript, overrides).profile));
	const report = analyzeBudget(read.transcript, {
		file,
		...overrides,
		cache,
		...(keep.pinned !== undefined ? { pinned: keep.pinned } : {}),
	});
	const compactions = findAgentCompactions(read.transcript, cache);
	io.out(
		parsed.values.json === true
			? JSON.stringify({ ...toJson(report), compactions: compactions.map(compactionJson) }, null, 2)
			: [renderBudget(report, marks), ...renderCompactions(compactions)].join('\n'),
	);
	return ExitCode.ok;
}

const marks = { compactionRatio: defaultTriggerRatio, rotationRatio: defaultRotationRatio };

/** Lost facts `inspect --json` lists per compaction, most important first (the counts cover all). */
const listedLostFacts = 10;

/** One compaction of `inspect --json`: the agent's (or an earlier Context Lens) compaction and its lost-facts report. */
export function compactionJson(compaction: AgentCompaction): Record<string, unknown> {
	const facts = compaction.lostFacts;
	return {
		trigger: compaction.trigger,
		by: compaction.by,
		at: compaction.at ?? null,
		line: compaction.line,
		preTokens: compaction.preTokens ?? null,
		preTokensSource: compaction.preTokensSource ?? null,
		summaryTokens: compaction.summaryTokens,
		replacedMessages: compaction.replacedMessages,
		lostFacts:
			facts === undefined
				? null
				: {
						kept: facts.kept.length,
						lost: facts.lost.length,
						retention: round(facts.retention, 4),
						important: rankLostFacts(facts.lost, listedLostFacts).map((a) => ({
							kind: a.kind,
							value: a.value,
							messageIndex: a.messageIndex,
							source: a.source,
						})),
					},
	};
}

/** The plain report's compaction lines: none when the session was never compacted. */
function renderCompactions(compactions: readonly AgentCompaction[]): string[] {
	if (compactions.length === 0) return [];
	return [
		'',
		`Compactions in this file (${compactions.length}):`,
		...compactions.map((c) => `  ${c.index + 1}. ${describeCompaction(c)}`),
	];
}

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

/** Validates a duration flag given in seconds (`--timeout 90`, `--read-timeout 2.5`); milliseconds, or undefined. */
export function parseSecondsOption(flag: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const seconds = Number(value.trim());
	if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
		throw new UsageError(`${flag} must be a positive number of seconds (e.g. 30); got '${value}'.`);
	}
	return Math.round(seconds * 1000);
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
		pinned: report.pinned ?? null,
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
