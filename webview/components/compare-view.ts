import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { LitElement, css, html, nothing } from 'lit';
import type { StrategyName } from '../../src/core/compaction/strategies';
import type { CompareRow } from '../../src/core/compare/compareTypes';
import type { CompareView } from '../../src/core/compare/compareTypes';
import { compareStrings as t } from '../../src/protocol/strings';
import { codiconLink, icon } from '../codicons';
import { formatCount, formatPercent, formatShort } from '../format';
import { formatWindowPercent } from '../../src/protocol/figures';
import { styleProps } from '../styleProps';
import { baseStyles } from '../styles';

/** Detail of `compare-start`: the focus the summaries get. */
export interface CompareStartDetail {
	readonly focus: string;
}

/** Detail of `compare-open`: the strategy whose review to open, with the comparison's focus. */
export interface CompareOpenDetail {
	readonly strategy: StrategyName;
	readonly focus: string;
}

/** A comparison's progress as the host reports it. */
export interface CompareProgressView {
	readonly done: number;
	readonly total: number;
	readonly strategy?: StrategyName;
}

/** Lost facts a row names inline; the rest are in its tooltip. */
export const inlineLostFacts = 2;

/**
 * "Compare strategies": a button (with a focus field) that asks the host to plan every strategy on the transcript,
 * a progress bar with Cancel while it runs, then one row per strategy: tokens after, share of the window (with a
 * bar), messages after, facts kept and lost (the most important lost ones named), time. A row's Review button
 * opens that strategy's review (`compare-open`); nothing is written here.
 */
export class CompareViewElement extends LitElement {
	static override properties = {
		view: { attribute: false },
		progress: { attribute: false },
		error: { type: String },
		focusText: { state: true },
	};

	static override styles = [
		baseStyles,
		css`
			:host {
				display: block;
			}
			.controls {
				display: flex;
				flex-wrap: wrap;
				gap: 8px;
				align-items: center;
				margin: 4px 0 8px;
			}
			.controls vscode-textfield {
				width: 220px;
			}
			.progress {
				display: flex;
				gap: 8px;
				align-items: center;
			}
			.progress vscode-progress-bar {
				flex: 1;
				max-width: 360px;
			}
			table {
				width: 100%;
				border-collapse: collapse;
				font-variant-numeric: tabular-nums;
			}
			th,
			td {
				padding: 3px 6px;
				text-align: right;
				border-bottom: 1px solid var(--vscode-widget-border, transparent);
				vertical-align: top;
				white-space: nowrap;
			}
			th {
				font-weight: 600;
				color: var(--vscode-descriptionForeground);
			}
			th:first-child,
			td:first-child,
			td.lost-facts,
			th.lost-facts {
				text-align: left;
			}
			td.lost-facts {
				white-space: normal;
				max-width: 360px;
				overflow-wrap: anywhere;
			}
			tr.na td {
				color: var(--vscode-descriptionForeground);
			}
			.share {
				display: inline-block;
				position: relative;
				width: 60px;
				height: 8px;
				margin-left: 6px;
				vertical-align: middle;
				background: var(--vscode-input-background);
				border: 1px solid var(--vscode-contrastBorder, var(--vscode-widget-border, transparent));
			}
			.share span {
				position: absolute;
				inset: 0 auto 0 0;
				background: var(--vscode-charts-blue);
			}
			.lost {
				color: var(--vscode-errorForeground);
			}
			.error {
				color: var(--vscode-errorForeground);
			}
			.best {
				color: var(--vscode-charts-green);
			}
		`,
	];

	view: CompareView | undefined;
	progress: CompareProgressView | undefined;
	error = '';
	focusText = '';

	override render(): unknown {
		const isRunning = this.progress !== undefined;
		return html`${codiconLink()}
			<p class="muted">${t.intro}</p>
			<div class="controls">
				<vscode-textfield
					aria-label=${t.focusLabel}
					placeholder=${t.focusPlaceholder}
					.value=${this.focusText}
					?disabled=${isRunning}
					@input=${(e: Event) => (this.focusText = (e.currentTarget as HTMLElement & { value: string }).value)}
				></vscode-textfield>
				<vscode-button icon="table" data-action="compare" ?disabled=${isRunning} @click=${this.start}
					>${this.view === undefined ? t.run : t.runAgain}</vscode-button
				>
				${isRunning ? this.renderProgress() : nothing}
			</div>
			${this.error !== '' ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
			${this.view !== undefined ? this.renderTable(this.view) : nothing}`;
	}

	private renderProgress(): unknown {
		const p = this.progress;
		if (p === undefined) return nothing;
		const label = `${Math.min(p.done + 1, p.total)} of ${p.total}${p.strategy !== undefined ? `: ${p.strategy}` : ''}`;
		return html`<span class="progress" role="status" data-testid="compare-progress">
			<vscode-progress-bar
				aria-label="Comparing strategies"
				.value=${p.total > 0 ? p.done / p.total : 0}
				max="1"
			></vscode-progress-bar>
			<span class="muted">${label}</span>
			<vscode-button secondary icon="stop-circle" data-action="cancel" @click=${this.cancel}
				>${t.cancel}</vscode-button
			>
		</span>`;
	}

	private renderTable(view: CompareView): unknown {
		const usable = view.rows.filter((r) => r.ok);
		const smallest = usable.length > 0 ? Math.min(...usable.map((r) => r.tokensAfter)) : undefined;
		const focus = view.focus !== '' ? ` · focus “${view.focus}”` : '';
		return html`<p class="muted" data-testid="compare-before">
				now ${formatCount(view.tokensBefore)} tokens · ${formatWindowPercent(view.percentBefore)} of
				${formatCount(view.contextWindow)} · ${formatCount(view.messagesBefore)}
				messages${focus}${
					view.isCached ? html` · <span data-testid="compare-cached">${t.cached}</span>` : nothing
				}
			</p>
			<table aria-label="Every strategy on this transcript">
				<thead>
					<tr>
						<th scope="col">strategy</th>
						<th scope="col">tokens after</th>
						<th scope="col">window</th>
						<th scope="col">messages</th>
						<th scope="col">facts kept</th>
						<th scope="col">lost</th>
						<th scope="col" class="lost-facts">most important lost</th>
						<th scope="col">time</th>
						<th scope="col"><span class="visually-hidden">review</span></th>
					</tr>
				</thead>
				<tbody>
					${view.rows.map((row) => this.renderRow(row, view, row.ok && row.tokensAfter === smallest))}
				</tbody>
			</table>`;
	}

	private renderRow(row: CompareRow, view: CompareView, isSmallest: boolean): unknown {
		const description = view.descriptions[row.strategy] ?? '';
		if (!row.ok)
			return html`<tr class="na" data-strategy=${row.strategy}>
				<th scope="row" title=${description}>${row.strategy}</th>
				<td colspan="7" class="lost-facts">${t.notApplicable}: ${row.reason ?? ''}</td>
				<td></td>
			</tr>`;
		const total = row.lostFacts.kept + row.lostFacts.count;
		const named = row.lostFacts.items.slice(0, inlineLostFacts).map((f) => f.value);
		const rest = row.lostFacts.items.map((f) => `${f.kind}: ${f.value} (#${f.messageIndex + 1})`).join('\n');
		const share = Math.min(100, Math.max(0, row.percentAfter));
		return html`<tr data-strategy=${row.strategy}>
			<th scope="row" title=${description}>
				${row.strategy}${isSmallest ? html` <span class="best" title="the smallest window">${icon('star-full')}</span>` : nothing}
			</th>
			<td>${formatCount(row.tokensAfter)}</td>
			<td>
				${formatWindowPercent(row.percentAfter)}<span class="share" aria-hidden="true"
					><span ${styleProps({ width: `${share}%` })}></span
				></span>
			</td>
			<td>${formatCount(row.messagesAfter)}</td>
			<td>
				${total > 0 ? `${formatCount(row.lostFacts.kept)} (${formatPercent((row.lostFacts.kept / total) * 100)})` : '—'}
			</td>
			<td class=${row.lostFacts.count > 0 ? 'lost' : ''}>${formatCount(row.lostFacts.count)}</td>
			<td class="lost-facts" title=${rest}>
				${named.join(', ')}${row.lostFacts.count > named.length && named.length > 0 ? ' …' : ''}
			</td>
			<td>${formatShort(Math.round(row.timeMs))} ms</td>
			<td>
				<vscode-button
					secondary
					data-action="review"
					aria-label="Review the ${row.strategy} compaction"
					@click=${() => this.open(row.strategy)}
					>${t.review}</vscode-button
				>
			</td>
		</tr>`;
	}

	private start(): void {
		this.emit<CompareStartDetail>('compare-start', { focus: this.focusText.trim() });
	}

	private cancel(): void {
		this.emit('compare-cancel', {});
	}

	private open(strategy: StrategyName): void {
		this.emit<CompareOpenDetail>('compare-open', {
			strategy,
			focus: this.view?.focus ?? this.focusText.trim(),
		});
	}

	private emit<T>(name: string, detail: T): void {
		this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed: true }));
	}
}

customElements.define('cl-compare-view', CompareViewElement);

declare global {
	interface HTMLElementTagNameMap {
		'cl-compare-view': CompareViewElement;
	}
}
