import '@vscode-elements/elements/dist/vscode-button/index.js';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import type { CompactionEntry } from '../../src/core/audit/auditTypes';
import { auditStrings as t } from '../../src/protocol/strings';
import { codiconLink, icon } from '../codicons';
import { formatCount, formatPercent } from '../format';
import { baseStyles } from '../styles';

/** Detail of `compaction-restore`: the compaction whose lost facts the person wants back. */
export interface CompactionRestoreDetail {
	readonly index: number;
}

/** Detail of `source-reveal`: a source line to open (history has no row in the window). */
export interface SourceRevealDetail {
	readonly line: number;
}

/** Lost facts an entry shows before "and N more". */
export const shownLostFacts = 6;

const triggerLabels: Readonly<Record<CompactionEntry['trigger'], string>> = {
	auto: 'automatic',
	manual: 'manual',
	unknown: 'trigger not recorded',
};

/** `2026-01-07 20:58 UTC` from an ISO time. */
function formatWhen(at: string | undefined): string | undefined {
	if (at === undefined) return undefined;
	const date = new Date(at);
	return Number.isNaN(date.getTime())
		? undefined
		: `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The compactions recorded in the file, one entry each: who made it and how it started, when, the tokens before
 * and the summary's size, the facts its summary kept and lost (the most important lost ones listed, each opening
 * its source line), and "Restore lost facts…" which opens a review whose summary can take them back.
 */
export class AgentCompactions extends LitElement {
	static override properties = {
		entries: { attribute: false },
		selected: { type: Number },
	};

	static override styles = [
		baseStyles,
		css`
			:host {
				display: block;
			}
			ol {
				list-style: none;
				margin: 0;
				padding: 0;
			}
			li.entry {
				padding: 6px 8px;
				margin: 0 0 6px;
				border: 1px solid
					var(--vscode-contrastBorder, var(--vscode-widget-border, var(--vscode-panel-border)));
			}
			li.entry.selected {
				border-color: var(--vscode-focusBorder);
			}
			.title {
				font-weight: 600;
			}
			.figures {
				margin: 2px 0;
			}
			ul.lost {
				list-style: none;
				margin: 4px 0;
				padding: 0;
			}
			ul.lost li {
				display: flex;
				gap: 6px;
				align-items: baseline;
				min-width: 0;
			}
			.value {
				overflow: hidden;
				text-overflow: ellipsis;
				white-space: nowrap;
				min-width: 0;
			}
			.lost-mark {
				color: var(--vscode-errorForeground);
			}
			.actions {
				display: flex;
				flex-wrap: wrap;
				gap: 8px;
				align-items: center;
				margin-top: 4px;
			}
		`,
	];

	entries: readonly CompactionEntry[] = [];
	/** The entry shown as selected (-1: none). */
	selected = -1;

	protected override updated(changed: PropertyValues<this>): void {
		if (changed.has('selected') && this.selected >= 0)
			this.renderRoot
				.querySelector(`[data-compaction="${this.selected}"]`)
				?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
	}

	override render(): unknown {
		if (this.entries.length === 0) return html`<p class="muted">${t.noCompactions}</p>`;
		return html`${codiconLink()}
			<ol aria-label=${t.listLabel}>
				${this.entries.map((e) => this.renderEntry(e))}
			</ol>`;
	}

	private renderEntry(entry: CompactionEntry): unknown {
		const who = entry.by === 'agent' ? 'by the agent' : 'by Context Lens';
		const when = formatWhen(entry.at);
		const before =
			entry.preTokens !== undefined
				? `${formatCount(entry.preTokens)} tokens before${entry.preTokensSource === 'usage' ? ' (last recorded usage)' : ''}`
				: 'tokens before not recorded';
		const facts = entry.facts;
		return html`<li
			class="entry ${entry.index === this.selected ? 'selected' : ''}"
			data-compaction=${entry.index}
			aria-current=${entry.index === this.selected ? 'true' : 'false'}
		>
			<div class="title">
				Compaction ${entry.index + 1} · ${triggerLabels[entry.trigger]} ·
				${who}${when !== undefined ? ` · ${when}` : ''}
			</div>
			<div class="figures" data-testid="compaction-figures">
				${before} → summary ${formatCount(entry.summaryTokens)}
				tokens${
					entry.replacedMessages > 0 ? ` · replaced ${formatCount(entry.replacedMessages)} messages` : ''
				}
			</div>
			${
				facts === undefined
					? html`<div class="muted">${t.noHistory}</div>`
					: html`<div data-testid="compaction-facts">
								facts kept ${formatCount(facts.kept)} of ${formatCount(facts.kept + facts.lost)}
								(${formatPercent(facts.retention * 100)}) ·
								<span class="lost-mark">lost ${formatCount(facts.lost)}</span>
							</div>
							${this.renderLost(entry)}`
			}
			<div class="actions">
				${
					entry.canRestore
						? html`<vscode-button
								icon="history"
								data-action="restore"
								@click=${() => this.emit('compaction-restore', { index: entry.index })}
								>${t.restore}</vscode-button
							>`
						: nothing
				}
				<button
					class="link"
					data-action="reveal"
					@click=${() =>
						entry.summaryRow !== undefined
							? this.emit('message-select', { index: entry.summaryRow })
							: this.emit('source-reveal', { line: entry.line })}
				>
					${entry.summaryRow !== undefined ? t.showSummary : `${t.showLine} ${entry.line}`}
				</button>
			</div>
		</li>`;
	}

	private renderLost(entry: CompactionEntry): unknown {
		if (entry.lostFacts.length === 0) return nothing;
		const shown = entry.lostFacts.slice(0, shownLostFacts);
		const more = (entry.facts?.lost ?? entry.lostFacts.length) - shown.length;
		return html`<ul class="lost" aria-label="Most important facts the summary lost">
			${shown.map(
				(f) =>
					html`<li>
						<span class="lost-mark">${icon('close')}</span>
						<span class="value" title=${f.value}>${f.value}</span>
						<button
							class="link muted"
							aria-label="Open line ${f.line}, where ${f.value} came from"
							@click=${() => this.emit('source-reveal', { line: f.line })}
						>
							line ${f.line} · ${f.source}
						</button>
					</li>`,
			)}
			${more > 0 ? html`<li class="muted">… and ${formatCount(more)} more</li>` : nothing}
		</ul>`;
	}

	private emit(name: string, detail: object): void {
		this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
	}
}

customElements.define('cl-agent-compactions', AgentCompactions);

declare global {
	interface HTMLElementTagNameMap {
		'cl-agent-compactions': AgentCompactions;
	}
}
