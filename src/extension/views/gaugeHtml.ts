import { basename } from 'node:path';
import type { BudgetCategory, BudgetReport } from '../../core/budget/budgetReport';
import { transcriptFormats } from '../../core/transcript/registry';
import type { FillThresholds } from './statusText';
import { formatCompactCount, percentOfWindow } from './statusText';

/** What the gauge shows besides the report: thresholds, pending reviews and whether actions may write. */
export interface GaugeContext {
	readonly thresholds: FillThresholds;
	readonly pendingReviews: number;
	/** False in an untrusted workspace: the compress button is hidden. */
	readonly canCompact: boolean;
	/** CSP source of the webview (`webview.cspSource`). */
	readonly cspSource: string;
}

/** Legend order and theme colour of each category; colours are theme chart tokens, never literals (UI.md). */
export const categoryStyles: readonly {
	readonly category: BudgetCategory;
	readonly label: string;
	readonly color: string;
}[] = [
	{ category: 'system', label: 'system', color: 'var(--vscode-charts-purple)' },
	{ category: 'toolCalls', label: 'tools', color: 'var(--vscode-charts-orange)' },
	{ category: 'user', label: 'user', color: 'var(--vscode-charts-blue)' },
	{ category: 'assistant', label: 'assistant', color: 'var(--vscode-charts-green)' },
	{ category: 'thinking', label: 'thinking', color: 'var(--vscode-charts-yellow)' },
	{ category: 'toolResults', label: 'tool results', color: 'var(--vscode-charts-red)' },
	{ category: 'images', label: 'images', color: 'var(--vscode-charts-foreground)' },
];

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatLabel(report: BudgetReport): string {
	return transcriptFormats.find((f) => f.id === report.format)?.label ?? report.format;
}

function sourceText(report: BudgetReport): string {
	if (report.source === 'exact') return `exact (${report.encoding.replace('_base', '')})`;
	return `estimated ±${report.sourceErrorPct}% (${report.encoding.replace('_base', '')} calibrated)`;
}

function page(body: string, context: GaugeContext): string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${context.cspSource} 'unsafe-inline';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground);padding:8px 12px;line-height:1.5}
.title{color:var(--vscode-descriptionForeground);overflow-wrap:anywhere}
.bar{position:relative;display:flex;height:14px;margin:8px 0 2px;background:var(--vscode-editorWidget-background,var(--vscode-input-background));border:1px solid var(--vscode-widget-border,var(--vscode-contrastBorder,transparent))}
.bar span{display:block;height:100%}
.mark{position:absolute;top:-3px;bottom:-3px;width:2px;background:var(--vscode-editorWarning-foreground)}
.mark.rot{background:var(--vscode-editorError-foreground)}
.pct{font-size:1.6em;font-weight:600}
.marks{color:var(--vscode-descriptionForeground);font-size:.9em}
.legend{display:flex;flex-wrap:wrap;gap:2px 12px;margin:8px 0}
.sw{display:inline-block;width:9px;height:9px;margin-right:4px}
.regions{display:flex;height:10px;margin-top:8px}
.regions span{display:block;height:100%;border-right:1px solid var(--vscode-editor-background)}
.muted{color:var(--vscode-descriptionForeground)}
a.button{display:inline-block;margin:8px 6px 0 0;padding:3px 10px;background:var(--vscode-button-background);color:var(--vscode-button-foreground);text-decoration:none;border-radius:2px}
a.button.secondary{background:var(--vscode-button-secondaryBackground);color:var(--vscode-button-secondaryForeground)}
a.button:focus{outline:1px solid var(--vscode-focusBorder);outline-offset:2px}
ol{padding-left:18px;margin:4px 0}
table{border-collapse:collapse;width:100%;margin-top:8px}td,th{text-align:left;padding:1px 6px;vertical-align:top}tr:nth-child(even){background:var(--vscode-list-hoverBackground)}td.n{text-align:right;font-variant-numeric:tabular-nums}
.warn{color:var(--vscode-editorWarning-foreground)}
</style></head><body>${body}</body></html>`;
}

/** The gauge when no transcript is active: how to get one. */
export function renderEmptyGaugeHtml(context: GaugeContext, message?: string): string {
	const note = message !== undefined ? `<p class="warn">${escapeHtml(message)}</p>` : '';
	return page(
		`${note}<p>No transcript is active. Open a session from the Sessions view, or a transcript file (<code>.jsonl</code>, <code>.json</code>) with Context Lens.</p>
<a class="button" role="button" href="command:contextLens.openTranscript">Open Transcript…</a>`,
		context,
	);
}

/**
 * The gauge for one transcript (UI.md sidebar sketch): source line, a bar stacked by category with the compaction and
 * rotation marks, the headline count and where it came from, the legend, the head/middle/tail map, the cheap-pruning
 * estimate, actions as command links (no script runs in this page), the largest messages, then `appendixHtml`.
 */
export function renderGaugeHtml(report: BudgetReport, context: GaugeContext, appendixHtml = ''): string {
	const window = report.contextWindow;
	const total = report.tokens.total;
	const percent = percentOfWindow(total, window);
	const kinds = report.tokens.byKind;
	const kindSum = categoryStyles.reduce((sum, s) => sum + kinds[s.category], 0);
	// The bar is stacked in the categories' proportions, scaled to the headline total (which may be the recorded count).
	const scale = kindSum > 0 && window > 0 ? Math.min(total, window) / window / kindSum : 0;
	const segments = categoryStyles
		.filter((s) => kinds[s.category] > 0)
		.map(
			(s) =>
				`<span style="width:${(kinds[s.category] * scale * 100).toFixed(3)}%;background:${s.color}" title="${escapeHtml(`${s.label} ${kinds[s.category].toLocaleString('en-US')} tokens`)}"></span>`,
		)
		.join('');
	const compaction = Math.round(context.thresholds.compaction * 100);
	const rotation = Math.round(context.thresholds.rotation * 100);
	const recorded = report.tokens.recorded;
	const recordedText =
		recorded !== undefined
			? ` · file records ${recorded.tokens.toLocaleString('en-US')} (${recorded.errorPct >= 0 ? '+' : ''}${recorded.errorPct.toFixed(1)}%)`
			: '';
	const legend = categoryStyles
		.map(
			(s) =>
				`<span><span class="sw" style="background:${s.color}"></span>${s.label} ${formatCompactCount(kinds[s.category])}</span>`,
		)
		.join('');
	const { head, middle, tail } = report.regions;
	const regionTotal = head.tokens + middle.tokens + tail.tokens;
	const region = (name: string, tokens: number, color: string): string =>
		regionTotal > 0
			? `<span style="width:${((tokens / regionTotal) * 100).toFixed(3)}%;background:${color}" title="${name}"></span>`
			: '';
	const largest = report.largest
		.map(
			(m) =>
				`<li>${escapeHtml(m.label)} · ${formatCompactCount(m.tokens)} <span class="muted">(line ${m.line})</span></li>`,
		)
		.join('');
	const problems = report.diagnostics.filter((d) => d.severity === 'error').length;
	const actions = [
		context.canCompact
			? '<a class="button" role="button" href="command:contextLens.compress">Compress…</a>'
			: '<span class="muted">Restricted mode: reading only.</span>',
		context.pendingReviews > 0
			? `<a class="button secondary" role="button" href="command:contextLens.reviewPending">Review pending (${context.pendingReviews})</a>`
			: '',
		'<a class="button secondary" role="button" href="command:contextLens.exportPlainText">Export text</a>',
	].join('');
	const body = `<div class="title">${escapeHtml(formatLabel(report))} · ${escapeHtml(basename(report.file))}${report.model !== undefined ? ` · ${escapeHtml(report.model)}` : ''}</div>
<div class="bar" role="img" aria-label="${percent}% of the context window used; compaction mark at ${compaction}%, rotation mark at ${rotation}%">${segments}
<span class="mark" style="left:${compaction}%" title="compaction ${compaction}%"></span><span class="mark rot" style="left:${rotation}%" title="rotation ${rotation}%"></span></div>
<div><span class="pct">${percent}%</span> <span class="marks">compaction ${compaction}% · rotation ${rotation}%</span></div>
<div>${total.toLocaleString('en-US')} of ${window.toLocaleString('en-US')} tokens · ${escapeHtml(sourceText(report))}${recordedText}</div>
<div class="muted">window from ${report.contextWindowSource} · ${report.messages} messages in the window, ${report.messagesInFile} in the file${problems > 0 ? ` · <span class="warn">${problems} unreadable record(s)</span>` : ''}</div>
<div class="legend">${legend}</div>
${report.tokens.earlierThinking > 0 ? `<div class="muted">not counted: ${formatCompactCount(report.tokens.earlierThinking)} of thinking from earlier turns (providers do not send it again)</div>\n` : ''}<div class="regions" role="img" aria-label="head ${head.to - head.from} messages, middle ${middle.to - middle.from}, tail ${tail.to - tail.from}">${region('head', head.tokens, 'var(--vscode-charts-blue)')}${region('middle', middle.tokens, 'var(--vscode-charts-lines)')}${region('tail', tail.tokens, 'var(--vscode-charts-green)')}</div>
<div class="muted">head ${head.to - head.from} msgs ${formatCompactCount(head.tokens)} · middle ${middle.to - middle.from} msgs ${formatCompactCount(middle.tokens)} · tail ${tail.to - tail.from} msgs ${formatCompactCount(tail.tokens)}</div>
<div>cheap pruning would free ${formatCompactCount(report.pruneCandidates.tokens)} (${report.pruneCandidates.messages} messages)</div>
<div>${actions}</div>
${largest !== '' ? `<p class="muted">Largest:</p><ol>${largest}</ol>` : ''}${appendixHtml}`;
	return page(body, context);
}
