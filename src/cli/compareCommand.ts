import { resolveCounting } from '../core/budget/analyzeBudget';
import {
	formatMessageNumber,
	formatShare,
	formatTokens,
	formatWindowPercent,
} from '../core/budget/formatFigures';
import { MessageTokenCache } from '../core/budget/messageTokenCache';
import {
	compareStrategies,
	type CompareRow,
	type StrategyComparison,
} from '../core/compare/compareStrategies';
import { TokenCounter } from '../core/tokens/tokenCounter';
import { ExitCode, type CliIo } from './cliIo';
import { parseFormatOption, parseSecondsOption, parseWindowOption, singleFile } from './inspectCommand';
import { readInput } from './readInput';

/** Parsed `compare` arguments. */
interface CompareArgs {
	readonly values: {
		readonly focus?: string | undefined;
		readonly model?: string | undefined;
		readonly window?: string | undefined;
		readonly format?: string | undefined;
		readonly json?: boolean | undefined;
		readonly 'read-timeout'?: string | undefined;
	};
	readonly positionals: readonly string[];
}

/**
 * `context-lens compare <file>`: every strategy planned and applied on the same transcript with the same options
 * (the summarising ones with the offline summariser: no network), one row each. Writes nothing. `--json` prints the
 * rows as a list.
 */
export async function runCompare(parsed: CompareArgs, io: CliIo, signal: AbortSignal): Promise<number> {
	const file = singleFile(parsed.positionals, 'compare');
	const values = parsed.values;
	const format = parseFormatOption(values.format);
	const contextWindow = parseWindowOption(values.window);
	const read = await readInput(file, io, {
		format,
		signal,
		pipeIdleTimeoutMs: parseSecondsOption('--read-timeout', values['read-timeout']),
		shouldReportDiagnostics: true,
		shouldFingerprint: false,
	});
	if (!read.ok) return read.code;
	const counting = resolveCounting(read.transcript, {
		...(contextWindow !== undefined ? { contextWindow } : {}),
		...(values.model !== undefined ? { model: values.model } : {}),
	});
	const focus = values.focus?.trim();
	const outcome = await compareStrategies(
		read.transcript,
		{
			counter: new MessageTokenCache(new TokenCounter(counting.profile)),
			contextWindow: counting.contextWindow,
			...(focus !== undefined && focus !== '' ? { focus } : {}),
		},
		signal,
		(progress) => {
			if (progress.strategy !== undefined && io.stderr.isTTY)
				io.stderr.write(`\rcomparing: ${progress.done + 1}/${progress.total} ${progress.strategy}\u001b[K`);
		},
	);
	if (io.stderr.isTTY) io.stderr.write('\r\u001b[K');
	if (!outcome.ok) {
		io.err(`context-lens: ${file}: cancelled.`);
		return ExitCode.cancelled;
	}
	const comparison = outcome.comparison;
	io.out(
		values.json === true
			? JSON.stringify(comparison.rows.map(rowJson), null, 2)
			: renderComparison(comparison),
	);
	return ExitCode.ok;
}

function round(value: number): number {
	return Math.round(value * 100) / 100;
}

/** One row of `compare --json`. */
function rowJson(row: CompareRow): Record<string, unknown> {
	return {
		strategy: row.strategy,
		ok: row.ok,
		reason: row.reason ?? null,
		tokensAfter: row.tokensAfter,
		percentAfter: round(row.percentAfter),
		messagesAfter: row.messagesAfter,
		lostFacts: { count: row.lostFacts.count, kept: row.lostFacts.kept, items: row.lostFacts.items },
		timeMs: round(row.timeMs),
	};
}

function clip(text: string, chars: number): string {
	return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

/** The readable table: one line per strategy, then the most important lost facts of each. */
export function renderComparison(comparison: StrategyComparison): string {
	const focus = comparison.focus !== '' ? ` · focus "${comparison.focus}"` : '';
	const lines = [
		`before: ${formatTokens(comparison.tokensBefore)} tokens · ${formatWindowPercent(comparison.percentBefore)} of ${formatTokens(comparison.contextWindow)} · ${comparison.messagesBefore} messages${focus}`,
		'(summarising strategies use the offline summariser; nothing was written)',
		'',
	];
	const header = ['strategy', 'tokens after', 'window', 'messages', 'facts kept', 'lost', 'time'];
	const table = comparison.rows.map((row) =>
		row.ok
			? [
					row.strategy,
					formatTokens(row.tokensAfter),
					formatWindowPercent(row.percentAfter),
					String(row.messagesAfter),
					row.lostFacts.kept + row.lostFacts.count > 0
						? `${row.lostFacts.kept} (${formatShare((row.lostFacts.kept / (row.lostFacts.kept + row.lostFacts.count)) * 100)})`
						: '—',
					String(row.lostFacts.count),
					`${Math.round(row.timeMs)} ms`,
				]
			: [row.strategy, '—', '', '', '', '', `${Math.round(row.timeMs)} ms`],
	);
	const widths = header.map((h, c) => Math.max(h.length, ...table.map((r) => (r[c] ?? '').length)));
	const format = (cells: readonly string[]): string =>
		cells
			.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
			.join('  ');
	lines.push(format(header), ...table.map(format));
	const notes = comparison.rows.filter((r) => !r.ok).map((r) => `  ${r.strategy}: ${r.reason ?? 'failed'}`);
	if (notes.length > 0) lines.push('', 'not applicable:', ...notes);
	const lost = comparison.rows.filter((r) => r.ok && r.lostFacts.items.length > 0);
	if (lost.length > 0) {
		lines.push('', 'most important lost facts:');
		for (const row of lost) {
			lines.push(`  ${row.strategy}:`);
			for (const fact of row.lostFacts.items)
				lines.push(
					`    ✗ ${fact.kind} ${JSON.stringify(clip(fact.value, 80))} · ${formatMessageNumber(fact.messageIndex)}`,
				);
		}
	}
	return lines.join('\n');
}
