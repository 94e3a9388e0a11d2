import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { MessageTokenCache } from '../core/budget/messageTokenCache';
import { resolveCounting } from '../core/budget/analyzeBudget';
import { renderSpill } from '../core/compaction/applyPlan';
import { compactTranscript, type CompactionResult } from '../core/compaction/compactTranscript';
import { resolveStrategy } from '../core/compaction/strategies';
import { describeTailRule } from '../core/compaction/tailRule';
import { describeFocusReport, reportFocus, type FocusReport } from '../core/facts/focusReport';
import {
	describeFingerprintChange,
	fingerprintFile,
	hasSameStat,
	type FileFingerprint,
} from '../core/io/fileFingerprint';
import { createOfflineSummarizer } from '../core/summarize/offline/offlineSummarizer';
import type { Summarizer } from '../core/compaction/summarizer';
import { TokenCounter } from '../core/tokens/tokenCounter';
import type { TranscriptFormat } from '../core/transcript/format';
import { findFormat } from '../core/transcript/registry';
import { messagesInWindow } from '../core/transcript/model';
import { ExitCode, UsageError, type CliIo } from './cliIo';
import { formatShare, formatTokens, formatWindowPercent } from '../core/budget/formatFigures';
import { parseFormatOption, parseSecondsOption, parseWindowOption, singleFile } from './inspectCommand';
import { describePinnedMessages, resolveKeepOptions, type KeepValues } from './keepOptions';
import { startWaitReporter } from './progress';
import { readInput, type InputRead } from './readInput';
import { summarizerFromCli } from './summarizerOption';
import { checkOutputTarget, writeOutputs, type OutputFs } from './writeOutputs';

/** Parsed `compact` arguments. */
interface CompactArgs {
	readonly values: KeepValues & {
		readonly strategy?: string | undefined;
		readonly focus?: string | undefined;
		readonly summarizer?: string | undefined;
		readonly model?: string | undefined;
		readonly window?: string | undefined;
		readonly out?: string | undefined;
		readonly format?: string | undefined;
		readonly 'dry-run'?: boolean | undefined;
		readonly force?: boolean | undefined;
		readonly json?: boolean | undefined;
		readonly timeout?: string | undefined;
		readonly 'connect-timeout'?: string | undefined;
		readonly 'read-timeout'?: string | undefined;
	};
	readonly positionals: readonly string[];
}

/** What `compact` may be given instead of the real thing, for tests. */
export interface CompactDeps {
	/** The file system outputs are written through. */
	readonly fs?: OutputFs;
}

const summarizerNames = ['offline', 'openai', 'anthropic'] as const;
type SummarizerName = (typeof summarizerNames)[number];

/**
 * `context-lens compact <file>`: plans, summarises and writes a compacted copy in the input's format. The input is
 * never modified; the output is written atomically and never over the input or an existing file (unless --force).
 */
export async function runCompact(
	parsed: CompactArgs,
	io: CliIo,
	signal: AbortSignal,
	options: CompactDeps = {},
): Promise<number> {
	const file = singleFile(parsed.positionals, 'compact');
	const values = parsed.values;
	const format = parseFormatOption(values.format);
	const contextWindow = parseWindowOption(values.window);
	const strategy = resolveStrategy(values.strategy ?? 'summarize');
	if (!strategy.ok) throw new UsageError(strategy.message);
	const summarizerName = parseSummarizerName(values.summarizer);
	const timeouts = {
		timeoutMs: parseSecondsOption('--timeout', values.timeout),
		connectTimeoutMs: parseSecondsOption('--connect-timeout', values['connect-timeout']),
	};

	const read = await readInput(file, io, {
		format,
		signal,
		pipeIdleTimeoutMs: parseSecondsOption('--read-timeout', values['read-timeout']),
		shouldReportDiagnostics: true,
		shouldFingerprint: values['dry-run'] !== true,
	});
	if (!read.ok) return read.code;
	const transcript = read.transcript;
	const writer = findFormat(transcript.format).write;
	if (writer === undefined && values['dry-run'] !== true) {
		io.err(
			`context-lens: ${file}: ${findFormat(transcript.format).label} files are read-only here; nothing was written. Use --dry-run to see the plan.`,
		);
		return ExitCode.failed;
	}

	const keep = resolveKeepOptions(values, messagesInWindow(transcript), file);
	if (!keep.ok) {
		io.err(`context-lens: ${keep.message} Nothing was written.`);
		return ExitCode.usage;
	}

	const chosen = strategy.strategy.usesSummarizer
		? chooseSummarizer(summarizerName, values.model, timeouts)
		: ({ ok: true, summarizer: undefined } as const);
	if (!chosen.ok) {
		io.err(`context-lens: ${chosen.message}`);
		return ExitCode.usage;
	}
	const summarizer: Summarizer | undefined = chosen.summarizer;

	const counting = resolveCounting(transcript, {
		...(contextWindow !== undefined ? { contextWindow } : {}),
		...(summarizerName === 'offline' && values.model !== undefined ? { model: values.model } : {}),
	});
	const counter = new MessageTokenCache(new TokenCounter(counting.profile));
	if (summarizer !== undefined) io.err(`summarising with ${summarizer.id}…`);
	const stopWaiting =
		summarizerName !== 'offline' && summarizer !== undefined
			? startWaitReporter(`waiting for ${summarizer.id}`, io.stderr)
			: undefined;
	const result = await compactTranscript(
		transcript,
		{
			counter,
			contextWindow: counting.contextWindow,
			strategy: strategy.strategy.name,
			// R3: a model summariser reads the pruned middle (fewer paid tokens); the offline one reads it whole.
			...(summarizerName !== 'offline' ? { summaryInputSource: 'pruned' as const } : {}),
			...(values.focus !== undefined && values.focus.trim() !== '' ? { focus: values.focus.trim() } : {}),
			...(keep.pinned !== undefined ? { pinned: keep.pinned } : {}),
		},
		summarizer,
		signal,
	).finally(() => stopWaiting?.());
	if (signal.aborted) {
		io.err(`context-lens: ${file}: cancelled; nothing was written.`);
		return ExitCode.cancelled;
	}

	if (!result.success) {
		const nothing = result.plan.preflight.ok === false;
		io.err(`context-lens: ${file}: ${result.error ?? 'the compaction failed'}`);
		if (values.json === true) io.out(JSON.stringify(toJson(result, undefined, undefined), null, 2));
		return nothing ? ExitCode.ok : ExitCode.failed;
	}

	let written: WrittenCopy | undefined;
	if (values['dry-run'] !== true && writer !== undefined) {
		const outcome = await writeCompacted(result, { file, read, writer, values, signal, io, fs: options.fs });
		if (!outcome.ok) return outcome.code;
		written = outcome;
	}
	const { out, spillPath, resumeHint } = written ?? {};

	if (values.json === true) {
		io.out(JSON.stringify(toJson(result, out, spillPath, resumeHint), null, 2));
		return ExitCode.ok;
	}
	io.out(renderResult(result, out, spillPath, resumeHint, values['dry-run'] === true));
	return ExitCode.ok;
}

/** Where the compacted copy (and its spill file, when the plan has one) went, and how to resume it. */
interface WrittenCopy {
	readonly ok: true;
	readonly out: string;
	readonly spillPath: string | undefined;
	readonly resumeHint: string | undefined;
}

/** What writing the compacted copy needs from the run. */
interface WriteRequest {
	readonly file: string;
	readonly read: Extract<InputRead, { ok: true }>;
	readonly writer: NonNullable<TranscriptFormat['write']>;
	readonly values: CompactArgs['values'];
	readonly signal: AbortSignal;
	readonly io: CliIo;
	readonly fs: OutputFs | undefined;
}

/**
 * Writes the compacted copy (at --out, or beside the input) and its spill file atomically: never over the input,
 * never over an existing file without --force, and never when the input changed since it was read. On failure the
 * message is already on stderr and `code` is the exit code.
 */
async function writeCompacted(
	result: CompactionResult,
	request: WriteRequest,
): Promise<WrittenCopy | { readonly ok: false; readonly code: number }> {
	const { file, read, values, io } = request;
	const out = resolve(values.out ?? defaultOutputPath(file));
	const written = request.writer(result.transcript, {
		sessionId: randomUUID(),
		now: new Date().toISOString(),
		path: out,
	});
	if (await isSameFile(file, out)) {
		io.err(`context-lens: --out names the input file; the input is never modified. Choose another path.`);
		return { ok: false, code: ExitCode.usage };
	}
	const spill = renderSpill(result.plan, read.transcript);
	const spillPath = spill !== undefined ? join(dirname(out), spill.fileName) : undefined;
	const refused = await refuseOutputTargets([out, spillPath], values.force === true, io);
	if (refused !== undefined) return { ok: false, code: refused };
	const files = [
		...(spill !== undefined && spillPath !== undefined ? [{ path: spillPath, text: spill.text }] : []),
		{ path: out, text: written.text },
	];
	const outcome = await writeOutputs(files, {
		mode: read.mode,
		signal: request.signal,
		...(request.fs !== undefined ? { fs: request.fs } : {}),
		beforeCommit: () => checkUnchanged(file, read.fingerprint),
	});
	if (!outcome.ok) {
		io.err(`context-lens: ${outcome.message}`);
		return { ok: false, code: outcome.isCancelled ? ExitCode.cancelled : ExitCode.failed };
	}
	return { ok: true, out, spillPath, resumeHint: written.resumeHint };
}

/**
 * Checks every output path before anything is written: one that cannot be written, or that exists without
 * --force, stops the command with its exit code (the message is already on stderr); undefined when all are usable.
 */
async function refuseOutputTargets(
	targets: readonly (string | undefined)[],
	isForced: boolean,
	io: CliIo,
): Promise<number | undefined> {
	for (const target of targets) {
		if (target === undefined) continue;
		const unusable = await checkOutputTarget(target);
		if (unusable !== undefined) {
			io.err(`context-lens: ${unusable}`);
			return ExitCode.failed;
		}
		if (existsSync(target) && !isForced) {
			io.err(
				`context-lens: ${target} already exists; nothing was written. Pass --force to replace it or --out to choose another path.`,
			);
			return ExitCode.failed;
		}
	}
	return undefined;
}

function parseSummarizerName(value: string | undefined): SummarizerName {
	if (value === undefined) return 'offline';
	const name = summarizerNames.find((n) => n === value);
	if (name === undefined)
		throw new UsageError(`unknown summarizer '${value}'; valid: ${summarizerNames.join(', ')}.`);
	return name;
}

function chooseSummarizer(
	name: SummarizerName,
	model: string | undefined,
	timeouts: { readonly timeoutMs: number | undefined; readonly connectTimeoutMs: number | undefined },
): { ok: true; summarizer: Summarizer } | { ok: false; message: string } {
	if (name === 'offline') return { ok: true, summarizer: createOfflineSummarizer() };
	const transport = {
		...(timeouts.timeoutMs !== undefined ? { timeoutMs: timeouts.timeoutMs } : {}),
		...(timeouts.connectTimeoutMs !== undefined ? { connectTimeoutMs: timeouts.connectTimeoutMs } : {}),
	};
	return summarizerFromCli(name, model, process.env, { transport });
}

/** `dir/name.compacted.ext` beside the input. */
export function defaultOutputPath(file: string): string {
	const extension = extname(file);
	const name = basename(file, extension);
	return join(dirname(file), `${name}.compacted${extension}`);
}

/** True when two paths name one file (the same path, or links to the same inode). */
async function isSameFile(a: string, b: string): Promise<boolean> {
	if (resolve(a) === resolve(b)) return true;
	try {
		const [first, second] = await Promise.all([stat(a), stat(b)]);
		return first.dev === second.dev && first.ino === second.ino;
	} catch {
		return false;
	}
}

/** Why the input no longer matches what was read, as the message that stops the write; undefined when unchanged. */
async function checkUnchanged(file: string, was: FileFingerprint | undefined): Promise<string | undefined> {
	if (was === undefined) return undefined;
	let now: FileFingerprint;
	try {
		now = (await hasSameStat(file, was)) ? was : await fingerprintFile(file);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return `${file} can no longer be read (${reason}); nothing was written. Run again when it is back.`;
	}
	const change = describeFingerprintChange(was, now);
	if (change === undefined) return undefined;
	return `${file} changed while it was being compacted (${change}); nothing was written, as the copy would be stale. Run again once the agent has stopped writing to it.`;
}

function toJson(
	result: CompactionResult,
	out: string | undefined,
	spill: string | undefined,
	resumeHint?: string,
) {
	return {
		success: result.success,
		error: result.error ?? null,
		strategy: result.strategy,
		tokensBefore: result.tokensBefore,
		tokensAfter: result.tokensAfter,
		fixedTokens: result.fixedTokens,
		percentBefore: round(result.percentBefore),
		percentAfter: round(result.percentAfter),
		tokensFreed: result.tokensFreed,
		reductionPercent: round(result.reductionPercent),
		messagesBefore: result.messagesBefore,
		messagesAfter: result.messagesAfter,
		timingsMs: {
			plan: round(result.timingsMs.plan),
			summarize: round(result.timingsMs.summarize),
			apply: round(result.timingsMs.apply),
		},
		plan: {
			id: result.plan.id,
			regions: result.plan.regions,
			counts: result.plan.counts,
			pruneCandidates: result.plan.pruneCandidates,
			pinned: result.plan.pinned ?? null,
			summaryBudgetTokens: result.plan.summaryBudgetTokens,
			preflight: result.plan.preflight,
		},
		summary: result.summary ?? null,
		notes: result.notes,
		// What the reader skipped or kept as it was, named by line (the same list inspect --json gives).
		diagnostics: result.transcript.diagnostics.map((d) => ({
			line: d.line,
			...(d.column !== undefined ? { column: d.column } : {}),
			severity: d.severity,
			message: d.message,
		})),
		lostFacts: result.lostFacts ?? null,
		focus: focusReportOf(result) ?? null,
		out: out ?? null,
		spill: spill ?? null,
		resumeHint: resumeHint ?? null,
	};
}

/** R10: what the focus kept, for a successful compaction with a focus. */
function focusReportOf(result: CompactionResult): FocusReport | undefined {
	if (!result.success) return undefined;
	return reportFocus(
		result.plan.options.focus,
		result.lostFacts,
		result.summary ?? result.plan.synthetic?.text ?? '',
	);
}

function renderResult(
	result: CompactionResult,
	out: string | undefined,
	spill: string | undefined,
	resumeHint: string | undefined,
	isDryRun: boolean,
): string {
	const lines = [
		`${result.strategy}: ${formatTokens(result.tokensBefore)} → ${formatTokens(result.tokensAfter)} tokens (−${formatShare(result.reductionPercent)}) · ${result.messagesBefore} → ${result.messagesAfter} messages · ${formatWindowPercent(result.percentBefore)} → ${formatWindowPercent(result.percentAfter)} of the window`,
		`kept ${result.plan.counts.kept} · summarised ${result.plan.counts.summarized} · dropped ${result.plan.counts.dropped} · edited ${result.plan.counts.edited} · ${describeTailRule(result.plan)}`,
	];
	const pinned = result.plan.pinned;
	if (pinned !== undefined) lines.push(`pinned: ${describePinnedMessages(pinned)}, kept verbatim`);
	const lost = result.lostFacts;
	if (lost !== undefined) {
		const total = lost.kept.length + lost.lost.length;
		lines.push(
			`facts of the compacted messages kept: ${lost.kept.length} of ${total} (${(lost.retention * 100).toFixed(0)}%)`,
		);
		for (const fact of lost.lost.slice(0, 8)) {
			lines.push(
				`  ✗ ${fact.kind} ${JSON.stringify(fact.value.length > 80 ? `${fact.value.slice(0, 79)}…` : fact.value)} · message ${fact.messageIndex} · ${fact.source}`,
			);
		}
		if (lost.lost.length > 8) lines.push(`  … ${lost.lost.length - 8} more (--json lists all)`);
	}
	const focus = focusReportOf(result);
	if (focus !== undefined) lines.push(describeFocusReport(focus));
	if (result.summary !== undefined) {
		lines.push('', '── summary ──', result.summary.trimEnd(), '─────────────');
	}
	if (result.fixedTokens > 0) {
		lines.push(
			`(both figures include ${formatTokens(result.fixedTokens)} tokens no compaction can free: the system prompt and tool definitions the agent adds, estimated from its recorded usage, and any stored system text)`,
		);
	}
	for (const note of result.notes) lines.push(`note: ${note}`);
	if (isDryRun) lines.push('dry run: nothing was written.');
	if (out !== undefined) lines.push(`wrote ${out}`);
	if (spill !== undefined) lines.push(`wrote ${spill} (the text moved out of the context)`);
	if (resumeHint !== undefined) lines.push(`resume: ${resumeHint}`);
	return lines.join('\n');
}

function round(value: number): number {
	return Math.round(value * 100) / 100;
}
