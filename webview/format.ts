import type { BudgetCategory } from '../src/core/budget/budgetReport';
import {
	describeRecorded,
	formatPinned,
	formatShare,
	formatTokens,
	formatTokensShort,
	formatWindowPercent,
} from '../src/protocol/figures';
import type { GaugeView, MessageRow, RegionName } from '../src/core/view/viewModel';
import type { PartKind, Role } from '../src/core/transcript/model';

/** A token count with thousands separators: `126,400` (the same function as every other surface). */
export const formatCount = formatTokens;

/** A token count in at most four characters: `812`, `4.2k`, `98k`, `1.2M`. */
export const formatShort = formatTokensShort;

/** What is pinned, after `pinned: `: `3 messages (+1 tool partner), 4.2k tokens` (the same text on every surface). */
export function describePinned(pinned: {
	readonly messages: readonly unknown[];
	readonly partners: readonly number[] | number;
	readonly tokens: number;
}): string {
	const partners = typeof pinned.partners === 'number' ? pinned.partners : pinned.partners.length;
	return formatPinned({ messages: pinned.messages.length, partners, tokens: pinned.tokens });
}

/** A share that is not the window's (a reduction, facts kept), rounded: `63%`. */
export const formatPercent = formatShare;

/** The gauge's headline in words: `126,400 of 200,000 · 63%` (the window share cut, like every surface's). */
export function describeUsage(gauge: Pick<GaugeView, 'tokens' | 'contextWindow' | 'percentUsed'>): string {
	return `${formatCount(gauge.tokens)} of ${formatCount(gauge.contextWindow)} · ${formatWindowPercent(gauge.percentUsed)}`;
}

/** Where the headline number comes from, in words, and the agent's recorded figure beside ours. */
export function describeSource(gauge: GaugeView): string {
	const ours =
		gauge.source === 'exact'
			? `exact count (${gauge.encoding})`
			: `calibrated estimate ±${Math.round(gauge.sourceErrorPct)}% (${gauge.encoding})`;
	return gauge.recorded === undefined ? ours : `${ours} · ${describeRecorded(gauge.recorded)}`;
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
	hidden: 'not in the file',
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
	hidden: 'var(--vscode-disabledForeground)',
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
