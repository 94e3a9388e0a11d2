import type { BudgetCategory } from '../src/core/budget/budgetReport';
import type { GaugeView, MessageRow, RegionName } from '../src/core/view/viewModel';
import type { PartKind, Role } from '../src/core/transcript/model';

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A token count with thousands separators: `126,400`. */
export function formatCount(tokens: number): string {
	return grouped.format(tokens);
}

/** A token count in at most four characters: `812`, `4.2k`, `98k`, `1.2M`. */
export function formatShort(tokens: number): string {
	const abs = Math.abs(tokens);
	if (abs < 1000) return String(Math.round(tokens));
	if (abs < 10_000) return `${(tokens / 1000).toFixed(1).replace(/\.0$/, '')}k`;
	if (abs < 1_000_000) return `${Math.round(tokens / 1000)}k`;
	return `${(tokens / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

/** A percentage rounded to a whole number: `63%`. */
export function formatPercent(percent: number): string {
	return `${Math.round(percent)}%`;
}

/** Share of the window used, cut to a whole number like the status bar's: 79.9% must not read as the 80% mark. */
export function formatUsagePercent(percent: number): string {
	return `${Math.floor(percent)}%`;
}

/** The gauge's headline in words: `126,400 of 200,000 · 63%`. */
export function describeUsage(gauge: Pick<GaugeView, 'tokens' | 'contextWindow' | 'percentUsed'>): string {
	return `${formatCount(gauge.tokens)} of ${formatCount(gauge.contextWindow)} · ${formatUsagePercent(gauge.percentUsed)}`;
}

/** Where the headline number comes from, in words: `exact (o200k_base)` or `calibrated estimate ±8%`. */
export function describeSource(gauge: GaugeView): string {
	const ours =
		gauge.source === 'exact'
			? `exact count (${gauge.encoding})`
			: `calibrated estimate ±${Math.round(gauge.sourceErrorPct)}% (${gauge.encoding})`;
	if (gauge.recorded === undefined) return ours;
	const sign = gauge.recorded.errorPct >= 0 ? '+' : '−';
	return `${ours} · recorded usage ${formatCount(gauge.recorded.tokens)} (${sign}${Math.abs(gauge.recorded.errorPct).toFixed(1)}%)`;
}

/** Legend label of a budget category. */
export const categoryLabels: Readonly<Record<BudgetCategory, string>> = {
	system: 'system',
	user: 'user',
	assistant: 'assistant',
	thinking: 'thinking',
	toolCalls: 'tool calls',
	toolResults: 'tool results',
	images: 'images',
};

/** Theme colour variable of a budget category (charts palette; system in the muted foreground). */
export const categoryColors: Readonly<Record<BudgetCategory, string>> = {
	system: 'var(--vscode-descriptionForeground)',
	user: 'var(--vscode-charts-blue)',
	assistant: 'var(--vscode-charts-green)',
	thinking: 'var(--vscode-charts-purple)',
	toolCalls: 'var(--vscode-charts-yellow)',
	toolResults: 'var(--vscode-charts-orange)',
	images: 'var(--vscode-charts-red)',
};

/** Theme colour variable name of a role on the region map (same palette as the gauge's categories). */
export const roleColorVars: Readonly<Record<Role, string>> = {
	system: '--vscode-descriptionForeground',
	developer: '--vscode-descriptionForeground',
	user: '--vscode-charts-blue',
	assistant: '--vscode-charts-green',
	tool: '--vscode-charts-orange',
};

/** Codicon name of a part kind. */
export const kindIcons: Readonly<Record<PartKind, string>> = {
	text: 'comment',
	thinking: 'lightbulb',
	toolCall: 'tools',
	toolResult: 'output',
	image: 'file-media',
	opaque: 'question',
};

/** Words for a part kind, for filters and screen readers. */
export const kindLabels: Readonly<Record<PartKind, string>> = {
	text: 'text',
	thinking: 'thinking',
	toolCall: 'tool call',
	toolResult: 'tool result',
	image: 'image',
	opaque: 'other content',
};

/** Words for a region. */
export const regionLabels: Readonly<Record<RegionName, string>> = {
	head: 'protected head',
	middle: 'middle',
	tail: 'protected tail',
};

/** The role whose colour a row gets: a message carrying only tool results is drawn as tool output, whatever its role. */
export function colorRole(row: Pick<MessageRow, 'role' | 'kinds'>): Role {
	return row.kinds.length > 0 && row.kinds.every((k) => k === 'toolResult') ? 'tool' : row.role;
}
