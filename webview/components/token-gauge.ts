import { LitElement, css, html, nothing } from 'lit';
import { styleProps } from '../styleProps';
import type { GaugeView, TranscriptHeader } from '../../src/core/view/viewModel';
import {
	categoryColors,
	categoryLabels,
	describeSource,
	describeUsage,
	formatCount,
	formatPercent,
	formatShort,
} from '../format';
import { baseStyles } from '../styles';

const formatNames: Readonly<Record<TranscriptHeader['format'], string>> = {
	'claude-code': 'Claude Code',
	'openai-chat': 'OpenAI chat',
	'anthropic-messages': 'Anthropic messages',
	codex: 'Codex',
	'copilot-chat': 'Copilot Chat',
	'gemini-cli': 'Gemini CLI',
};

function share(tokens: number, window: number): number {
	return window > 0 ? Math.max(0, Math.min(100, (tokens / window) * 100)) : 0;
}

/** The budget gauge: tokens of the window as a stacked bar with threshold marks, the number in words, its source and a legend. */
export class TokenGauge extends LitElement {
	static override properties = {
		gauge: { attribute: false },
		header: { attribute: false },
	};

	static override styles = [
		baseStyles,
		css`
			:host {
				display: block;
			}
			.title {
				margin: 0 0 6px;
				font-weight: 600;
				overflow: hidden;
				text-overflow: ellipsis;
				white-space: nowrap;
			}
			.meter {
				position: relative;
				margin: 4px 0 34px;
			}
			.bar {
				position: relative;
				display: flex;
				height: 14px;
				overflow: hidden;
				background: var(--vscode-input-background);
				border: 1px solid
					var(--vscode-contrastBorder, var(--vscode-widget-border, var(--vscode-input-border)));
			}
			.seg {
				height: 100%;
			}
			.reserve {
				position: absolute;
				top: 0;
				bottom: 0;
				right: 0;
				background: repeating-linear-gradient(
					135deg,
					transparent 0 3px,
					var(--vscode-descriptionForeground) 3px 4px
				);
				opacity: 0.6;
			}
			.mark {
				position: absolute;
				top: -3px;
				height: 22px;
				width: 2px;
				background: var(--vscode-foreground);
			}
			.mark.rotation {
				height: 35px;
				background: var(--vscode-errorForeground);
			}
			.mark.compaction {
				background: var(--vscode-editorWarning-foreground);
			}
			.mark-label {
				position: absolute;
				top: 18px;
				font-size: 0.85em;
				white-space: nowrap;
				color: var(--vscode-descriptionForeground);
				transform: translateX(-100%);
			}
			.mark-label.rotation {
				top: 31px;
			}
			/* A mark in the left half labels to its right, so its label never runs off the left edge. */
			.mark-label.start {
				transform: none;
			}
			.headline {
				display: flex;
				gap: 8px;
				align-items: baseline;
				flex-wrap: wrap;
			}
			.number {
				font-size: 1.15em;
				font-weight: 600;
			}
			.number.warning {
				color: var(--vscode-editorWarning-foreground);
			}
			.number.error {
				color: var(--vscode-errorForeground);
			}
			.legend {
				display: flex;
				flex-wrap: wrap;
				gap: 2px 12px;
				margin: 6px 0 0;
				padding: 0;
				list-style: none;
			}
			.legend li {
				white-space: nowrap;
			}
			/* In a narrow sidebar the headline and its unit stay on one line. */
			@media (max-width: 340px) {
				.number {
					font-size: 1em;
				}
			}
		`,
	];

	gauge: GaugeView | undefined;
	header: TranscriptHeader | undefined;

	override render(): unknown {
		const g = this.gauge;
		if (g === undefined) return nothing;
		const window = g.contextWindow;
		const level = g.tokens >= g.rotationTokens ? 'error' : g.tokens >= g.compactionTokens ? 'warning' : '';
		const compactionPct = share(g.compactionTokens, window);
		const rotationPct = share(g.rotationTokens, window);
		const valueText =
			`${describeUsage(g)} tokens; compaction at ${formatCount(g.compactionTokens)} (${formatPercent(compactionPct)}), ` +
			`rotation at ${formatCount(g.rotationTokens)} (${formatPercent(rotationPct)}), ` +
			`summary budget ${formatCount(g.summaryBudgetTokens)}`;
		return html`
			${this.renderTitle()}
			<div
				class="meter"
				role="meter"
				aria-label="Context window used"
				aria-valuemin="0"
				aria-valuemax=${window}
				aria-valuenow=${Math.min(g.tokens, window)}
				aria-valuetext=${valueText}
			>
				<div class="bar">
					${g.categories.map(
						(c) =>
							html`<div
								class="seg"
								title="${categoryLabels[c.category]} ${formatCount(c.tokens)} tokens"
								${styleProps({ width: `${share(c.tokens, window)}%`, background: categoryColors[c.category] })}
							></div>`,
					)}
					<div
						class="reserve"
						title="reserved for the summary: ${formatCount(g.summaryBudgetTokens)} tokens"
						${styleProps({ width: `${share(g.summaryBudgetTokens, window)}%` })}
					></div>
				</div>
				${this.renderMark('compaction', g.compactionTokens, compactionPct)}
				${this.renderMark('rotation', g.rotationTokens, rotationPct)}
			</div>
			<div class="headline">
				<span class="number ${level}" data-testid="usage">${describeUsage(g)}</span>
				<span class="muted">tokens</span>
			</div>
			<div class="muted" data-testid="source">${describeSource(g)}</div>
			<ul class="legend" aria-label="Tokens by category">
				${g.categories.map(
					(c) =>
						html`<li>
							<span class="swatch" ${styleProps({ background: categoryColors[c.category] })}></span
							>${categoryLabels[c.category]} <span class="muted">${formatShort(c.tokens)}</span>
						</li>`,
				)}
			</ul>
		`;
	}

	private renderTitle(): unknown {
		const h = this.header;
		if (h === undefined) return nothing;
		const parts = [formatNames[h.format], h.title, h.sessionId?.slice(0, 8), h.model].filter(
			(p): p is string => p !== undefined && p !== '',
		);
		return html`<h2 class="title" title=${h.file}>${parts.join(' · ')}</h2>`;
	}

	private renderMark(name: string, tokens: number, pct: number): unknown {
		const label = `${name} ${formatPercent(pct)}`;
		return html`<div
				class="mark ${name}"
				title="${label}: ${formatCount(tokens)} tokens"
				${styleProps({ left: `calc(${pct}% - 1px)` })}
			></div>
			<span
				class="mark-label ${name} ${pct < 50 ? 'start' : ''}"
				aria-hidden="true"
				data-mark=${name}
				${styleProps({ left: `${pct}%` })}
				>${label}</span
			>`;
	}
}

customElements.define('cl-token-gauge', TokenGauge);

declare global {
	interface HTMLElementTagNameMap {
		'cl-token-gauge': TokenGauge;
	}
}
