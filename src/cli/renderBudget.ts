import type { BudgetCategory, BudgetReport } from '../core/budget/budgetReport';
import {
	describeRecorded,
	formatMessageNumber,
	formatTokens,
	formatTokensShort,
	formatWindowPercent,
} from '../core/budget/formatFigures';
import { budgetCategories } from '../core/tokens/measureWindow';
import { describePinnedMessages } from './keepOptions';

const categoryLabels: Readonly<Record<BudgetCategory, string>> = {
	system: 'system',
	user: 'user',
	assistant: 'assistant',
	thinking: 'thinking',
	toolCalls: 'tool calls',
	toolResults: 'tool results',
	images: 'images',
	hidden: 'not in the file',
};

/** Thresholds drawn on the bar, as shares of the window. */
export interface BarMarks {
	readonly compactionRatio: number;
	readonly rotationRatio: number;
}

/** Draws the usage bar: filled share, a `|` at each threshold, the percent after it. */
export function renderBar(percentUsed: number, marks: BarMarks, width = 40): string {
	const filled = Math.min(width, Math.round((percentUsed / 100) * width));
	const cells: string[] = Array.from({ length: width }, (_, i) => (i < filled ? '█' : '░'));
	for (const ratio of [marks.compactionRatio, marks.rotationRatio]) {
		const at = Math.min(width - 1, Math.round(ratio * width));
		cells[at] = '|';
	}
	return `[${cells.join('')}] ${formatWindowPercent(percentUsed)}`;
}

/** The readable `inspect` report. */
export function renderBudget(report: BudgetReport, marks: BarMarks): string {
	const lines: string[] = [];
	const title = [
		report.detection.format,
		report.file.split(/[\\/]/).pop() ?? report.file,
		report.model ?? 'unknown model',
	];
	lines.push(title.join(' · '));
	lines.push(renderBar(report.percentUsed, marks));
	lines.push(
		`${' '.repeat(41)} | marks: compaction at ${Math.round(marks.compactionRatio * 100)}%, rotation at ${Math.round(marks.rotationRatio * 100)}%`,
	);
	const source =
		report.source === 'exact'
			? `exact (${report.encoding})`
			: `estimated ±${report.sourceErrorPct}% (${report.encoding}, calibrated)`;
	const { tokens } = report;
	lines.push(
		`${formatTokens(tokens.total)} of ${formatTokens(report.contextWindow)} tokens (${formatWindowPercent(report.percentUsed)}) · ${source}`,
	);
	lines.push(
		tokens.hidden > 0
			? `            = ${formatTokens(tokens.visible)} in the file + ${formatTokens(tokens.hidden)} not in it (system prompt, tool definitions: estimated from recorded usage)`
			: `            = ${formatTokens(tokens.visible)} in the file (no recorded usage to estimate what the agent adds)`,
	);
	if (tokens.recorded !== undefined) lines.push(`            ${describeRecorded(tokens.recorded)}`);
	lines.push(
		`window ${formatTokens(report.contextWindow)} tokens (${windowSourceText(report.contextWindowSource)})`,
	);
	lines.push('');
	const kinds = budgetCategories
		.filter((k) => tokens.byKind[k] > 0)
		.map((k) => `${categoryLabels[k]} ${formatTokensShort(tokens.byKind[k])}`);
	lines.push(`by kind     ${kinds.join(' · ') || 'nothing counted'}`);
	if (tokens.fixed > 0) {
		lines.push(
			`            ${formatTokensShort(tokens.fixed)} of it no compaction can free (what the file does not show, and its stored system text)`,
		);
	}
	if (report.tokens.earlierThinking > 0) {
		lines.push(
			`            not counted: ${formatTokensShort(report.tokens.earlierThinking)} of thinking from earlier turns (not sent again)`,
		);
	}
	const { head, middle, tail } = report.regions;
	lines.push(
		`regions     head ${head.to - head.from} msgs ${formatTokensShort(head.tokens)} · middle ${middle.to - middle.from} msgs ${formatTokensShort(middle.tokens)} · tail ${tail.to - tail.from} msgs ${formatTokensShort(tail.tokens)}`,
	);
	lines.push(
		report.pruneCandidates.tokens > 0
			? `pruning     cheap pruning would free ${formatTokensShort(report.pruneCandidates.tokens)} in ${report.pruneCandidates.messages} messages`
			: 'pruning     nothing to prune cheaply',
	);
	if (report.pinned !== undefined) lines.push(`pinned      ${describePinnedMessages(report.pinned)}`);
	const pairs = report.toolPairs;
	lines.push(
		`tools       ${pairs.matched} calls answered` +
			(pairs.unanswered > 0 ? ` · ${pairs.unanswered} unanswered` : '') +
			(pairs.orphanResults > 0 ? ` · ${pairs.orphanResults} results without a call` : ''),
	);
	lines.push(
		`messages    ${report.messages} in the window` +
			(report.messagesInFile > report.messages
				? ` (${report.messagesInFile - report.messages} more in the file are compacted history or other branches)`
				: ''),
	);
	if (report.largest.length > 0) {
		lines.push('largest');
		for (const m of report.largest) {
			lines.push(
				`  ${formatTokensShort(m.tokens).padStart(6)}  ${formatMessageNumber(m.index)} line ${m.line} · ${m.label}`,
			);
		}
	}
	if (report.diagnostics.length > 0) {
		const shown = report.diagnostics.slice(0, 5);
		lines.push(
			`${report.diagnostics.length} problem${report.diagnostics.length === 1 ? '' : 's'} while reading (lines skipped or kept as they are):`,
		);
		for (const d of shown)
			lines.push(`  ${report.file}:${d.line}${d.column !== undefined ? `:${d.column}` : ''}: ${d.message}`);
		if (report.diagnostics.length > shown.length)
			lines.push(`  … ${report.diagnostics.length - shown.length} more (--json lists all)`);
	}
	return lines.join('\n');
}

function windowSourceText(source: BudgetReport['contextWindowSource']): string {
	if (source === 'file') return 'as recorded in the file';
	if (source === 'override') return 'from --window';
	return 'from the model registry; override with --window';
}
