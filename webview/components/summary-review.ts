import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import type { ArtifactKind } from '../../src/core/facts/extractArtifacts';
import type { LostFactView, ReviewView } from '../../src/core/view/viewModel';
import { reviewStrings as t } from '../../src/protocol/strings';
import { codiconLink, icon } from '../codicons';
import { describePinned, formatCount, formatPercent, formatShort } from '../format';
import { baseStyles } from '../styles';

/** A summary's token count as the review shows it: exact from the host, or a local estimate while it is pending. */
export interface SummaryCount {
	readonly tokens: number;
	readonly isEstimate: boolean;
}

/** Rough tokens of a text before the host's exact count arrives (about four characters a token in English). */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/** The line "Add to summary" appends for a lost fact. */
export function factLine(fact: LostFactView): string {
	return `- ${fact.value} (message ${fact.messageIndex + 1}, ${fact.source})`;
}

const factIcons: Readonly<Record<ArtifactKind, string>> = {
	filePath: 'file',
	command: 'terminal',
	errorLine: 'error',
	url: 'link',
	identifier: 'symbol-variable',
	number: 'symbol-number',
	activeTask: 'tasklist',
};

const factKindLabels: Readonly<Record<ArtifactKind, string>> = {
	filePath: 'file',
	command: 'command',
	errorLine: 'error line',
	url: 'link',
	identifier: 'identifier',
	number: 'number',
	activeTask: 'active task',
};

/**
 * The review panel: editable summary with a live token count, before/after numbers, lost facts with their sources,
 * counts, and Apply / Discard / Open diff / Re-run. Emits `review-action` events; nothing is written without Apply.
 */
export class SummaryReview extends LitElement {
	static override properties = {
		review: { attribute: false },
		draft: { attribute: false },
		count: { attribute: false },
		done: { attribute: false },
		rerunFocus: { state: true },
		activeFact: { state: true },
	};

	static override styles = [
		baseStyles,
		css`
			:host {
				display: block;
			}
			h2 {
				margin: 0 0 4px;
				font-size: 1.2em;
			}
			.numbers {
				margin: 0 0 10px;
			}
			.numbers strong {
				font-size: 1.1em;
			}
			.panes {
				display: grid;
				grid-template-columns: minmax(0, 3fr) minmax(220px, 2fr);
				gap: 12px;
			}
			@media (max-width: 640px) {
				.panes {
					grid-template-columns: minmax(0, 1fr);
				}
			}
			.pane {
				border: 1px solid
					var(--vscode-contrastBorder, var(--vscode-widget-border, var(--vscode-panel-border)));
				padding: 8px;
				min-width: 0;
			}
			.pane h3 {
				margin: 0 0 6px;
				font-size: 1em;
				font-weight: 600;
			}
			vscode-textarea {
				width: 100%;
				height: 320px;
			}
			.over {
				color: var(--vscode-errorForeground);
			}
			ul {
				list-style: none;
				margin: 0 0 8px;
				padding: 0;
				max-height: 320px;
				overflow: auto;
				/* The list ends at a visible edge, so its last fact never reads as hidden behind the button below. */
				border-bottom: 1px solid
					var(--vscode-contrastBorder, var(--vscode-widget-border, var(--vscode-panel-border)));
			}
			li:last-child {
				border-bottom: none;
			}
			li {
				/* Holds the visually hidden labels, so they do not stretch the page below the scrolled list. */
				position: relative;
				padding: 3px 2px;
				border-bottom: 1px solid var(--vscode-widget-border, transparent);
			}
			.fact-value {
				word-break: break-all;
			}
			.fact-from {
				display: flex;
				gap: 8px;
				align-items: center;
				font-size: 0.9em;
			}
			.lost {
				color: var(--vscode-errorForeground);
			}
			.counts {
				margin: 8px 0;
			}
			.focus-kept {
				margin: 8px 0;
			}
			.focus-kept summary {
				cursor: pointer;
			}
			.focus-kept ul {
				margin: 4px 0;
				padding-left: 20px;
				overflow-wrap: anywhere;
			}
			.pinned h3 {
				margin: 8px 0 4px;
				font-size: 1em;
				font-weight: 600;
			}
			.pinned button.link {
				display: block;
				max-width: 100%;
				overflow: hidden;
				text-overflow: ellipsis;
				white-space: nowrap;
			}
			/* Apply stays in sight however narrow or short the column: the bar sticks to the bottom of the panel. */
			.actions-bar {
				position: sticky;
				bottom: 0;
				z-index: 1;
				margin: 8px -12px -16px;
				padding: 8px 12px;
				background: var(--vscode-editor-background);
				border-top: 1px solid
					var(--vscode-contrastBorder, var(--vscode-widget-border, var(--vscode-panel-border)));
			}
			.actions {
				display: flex;
				flex-wrap: wrap;
				gap: 8px;
				align-items: center;
			}
			.apply-description {
				margin: 6px 0 0;
			}
			.rerun {
				display: flex;
				gap: 6px;
				align-items: center;
			}
			.rerun vscode-textfield {
				width: 180px;
			}
			.error-box {
				padding: 6px 8px;
				margin: 0 0 8px;
				border: 1px solid var(--vscode-inputValidation-errorBorder);
				background: var(--vscode-inputValidation-errorBackground);
			}
			.done {
				padding: 6px 8px;
				margin-top: 8px;
				border: 1px solid var(--vscode-focusBorder);
			}
		`,
	];

	review: ReviewView | undefined;
	/** The summary as edited; starts as the review's summary. */
	draft = '';
	count: SummaryCount = { tokens: 0, isEstimate: false };
	/** Set when the host reports the review applied, discarded or failed. */
	done: { readonly outcome: string; readonly message: string } | undefined;
	rerunFocus = '';
	/** The lost fact whose buttons are in the tab order (roving tabindex: the list is one tab stop, arrows move). */
	activeFact = 0;

	private barObserver: ResizeObserver | undefined;
	private observedBar: Element | undefined;

	override disconnectedCallback(): void {
		super.disconnectedCallback();
		this.barObserver?.disconnect();
		this.barObserver = undefined;
		this.observedBar = undefined;
	}

	protected override updated(): void {
		const bar = this.renderRoot.querySelector('.actions-bar');
		if (bar === null || bar === this.observedBar) return;
		this.barObserver?.disconnect();
		this.observedBar = bar;
		// Focus and scrollIntoView keep what they reveal above the sticky bar instead of under it.
		this.barObserver = new ResizeObserver(() => {
			document.documentElement.style.setProperty(
				'scroll-padding-bottom',
				`${Math.ceil(bar.getBoundingClientRect().height) + 8}px`,
			);
		});
		this.barObserver.observe(bar);
	}

	protected override willUpdate(changed: PropertyValues<this>): void {
		const previous = changed.get('review') as ReviewView | undefined;
		if (changed.has('review') && this.review !== undefined && previous?.planId !== this.review.planId) {
			if (!changed.has('draft')) this.draft = this.review.summary;
			if (!changed.has('count')) this.count = { tokens: this.review.summaryTokens, isEstimate: false };
			this.rerunFocus = this.review.focus;
			this.done = undefined;
			this.activeFact = 0;
		}
	}

	override render(): unknown {
		const r = this.review;
		if (r === undefined) return html`<p class="muted">${t.noReview}</p>`;
		const isClosed = this.done !== undefined;
		const summaryTokens = this.count.isEstimate
			? `~${formatCount(this.count.tokens)}`
			: formatCount(this.count.tokens);
		const isOver = r.summaryBudgetTokens > 0 && this.count.tokens > r.summaryBudgetTokens;
		const focus = r.focus !== '' ? html` · focus “${r.focus}”` : nothing;
		return html`
			${codiconLink()}
			<h2>
				${r.restores !== undefined ? t.restoreHeading(r.restores) : html`${t.heading} · ${r.strategy}${focus}`}
			</h2>
			<p class="numbers" data-testid="review-numbers">
				before <strong>${formatCount(r.tokensBefore)}</strong> → after
				<strong>${formatCount(r.tokensAfter)}</strong> tokens
				(${r.reductionPercent < 0 ? '+' : '−'}${formatPercent(Math.abs(r.reductionPercent))}) ·
				${formatCount(r.messagesBefore)} → ${formatCount(r.messagesAfter)} messages
			</p>
			${r.success ? nothing : html`<div class="error-box" role="alert">${r.error ?? t.failed}</div>`}
			<div class="panes">
				<section class="pane" aria-labelledby="summary-heading">
					<h3 id="summary-heading">
						${t.summary} <span class="muted">(editable ·</span>
						<span class=${isOver ? 'over' : ''} data-testid="summary-tokens" aria-live="polite"
							>${summaryTokens} tokens</span
						><span class="muted"
							>${r.summaryBudgetTokens > 0 ? ` of ${formatCount(r.summaryBudgetTokens)} budget` : ''})</span
						>
					</h3>
					<vscode-textarea
						label="Summary (editable)"
						aria-label="Summary, editable"
						monospace
						resize="vertical"
						?readonly=${isClosed}
						.value=${this.draft}
						@input=${this.onInput}
					></vscode-textarea>
				</section>
				<section class="pane" aria-labelledby="facts-heading">
					<h3 id="facts-heading">
						${t.lostFacts} (${r.lostFacts.length})
						<span class="muted">· ${formatPercent(r.retention * 100)} of facts kept</span>
					</h3>
					${
						r.lostFacts.length === 0
							? html`<p class="muted">${t.noLostFacts}</p>`
							: html`<ul
										aria-label="Facts the compacted window no longer has; arrow keys move between them"
										@keydown=${this.onFactKey}
									>
										${r.lostFacts.map((f, i) => this.renderFact(f, i, isClosed))}
									</ul>
									<vscode-button secondary icon="add" ?disabled=${isClosed} @click=${this.addAll}
										>${t.addAll}</vscode-button
									>`
					}
				</section>
			</div>
			<p class="counts" data-testid="review-counts">
				kept ${formatCount(r.counts.kept)} · summarised ${formatCount(r.counts.summarized)} · pruned
				${formatCount(r.counts.pruned)}${r.counts.dropped > 0 ? ` · dropped ${formatCount(r.counts.dropped)}` : ''}${
					r.tailRule !== '' ? html` · <span data-testid="review-tail-rule">${r.tailRule}</span>` : nothing
				}
			</p>
			${this.renderFocusKept(r)} ${this.renderPinned(r)}
			${
				this.done !== undefined
					? html`<div class="done" role="status" data-testid="review-done">${this.done.message}</div>`
					: nothing
			}
			<div class="actions-bar" role="group" aria-label=${t.actionsLabel}>
				<div class="actions">
					<vscode-button
						icon="check"
						?disabled=${isClosed || !r.success}
						@click=${this.apply}
						data-action="apply"
						>${t.apply}</vscode-button
					>
					<vscode-button
						secondary
						icon="discard"
						?disabled=${isClosed}
						@click=${this.discard}
						data-action="discard"
						>${t.discard}</vscode-button
					>
					<vscode-button
						secondary
						icon="diff"
						?disabled=${isClosed || !r.success}
						@click=${this.openDiff}
						data-action="diff"
						>${t.openDiff}</vscode-button
					>
					<span class="rerun">
						<vscode-textfield
							aria-label=${t.rerunFocusLabel}
							placeholder=${t.rerunFocusPlaceholder}
							.value=${this.rerunFocus}
							?disabled=${isClosed}
							@input=${(e: Event) => (this.rerunFocus = (e.currentTarget as HTMLElement & { value: string }).value)}
						></vscode-textfield>
						<vscode-button
							secondary
							icon="refresh"
							?disabled=${isClosed}
							@click=${this.rerun}
							data-action="rerun"
							>${t.rerun}</vscode-button
						>
					</span>
				</div>
				<p class="muted apply-description" data-testid="apply-description">${r.applyDescription}</p>
			</div>
		`;
	}

	/** R10: what the focus kept, with the kept facts about it (most telling first) one click away. */
	private renderFocusKept(r: ReviewView): unknown {
		const f = r.focusKept;
		if (f === undefined) return nothing;
		return html`<details class="focus-kept" data-testid="review-focus">
			<summary>${f.line}</summary>
			${
				f.kept.length > 0
					? html`<p class="muted">${t.focusKeptLabel}</p>
							<ul>
								${f.kept.map((v) => html`<li><code>${v}</code></li>`)}
							</ul>`
					: nothing
			}
			${f.lost.length > 0 ? html`<p class="muted">${t.focusLostLabel(f.lost.length)}</p>` : nothing}
		</details>`;
	}

	/** The messages kept verbatim because they are pinned, each a link to it in the transcript. */
	private renderPinned(r: ReviewView): unknown {
		if (r.pinned.messages.length === 0) return nothing;
		return html`<section class="pinned" aria-labelledby="pinned-heading" data-testid="review-pinned">
			<h3 id="pinned-heading">
				${icon('pinned')} pinned: ${describePinned(r.pinned)}
				<span class="muted">· kept verbatim at their place</span>
			</h3>
			<ul aria-label="Pinned messages">
				${r.pinned.messages.map(
					(m) =>
						html`<li>
							<button
								class="link"
								title=${m.preview}
								aria-label="Show pinned message ${m.index + 1} (line ${m.line}) in the transcript"
								@click=${() => this.emitAction({ action: 'reveal', index: m.index })}
							>
								#${m.index + 1} ${m.role} · ${formatShort(m.tokens)} · ${m.preview}
							</button>
						</li>`,
				)}
			</ul>
		</section>`;
	}

	private renderFact(fact: LostFactView, i: number, isClosed: boolean): unknown {
		const where = `message ${fact.messageIndex + 1}${fact.line !== undefined ? `, line ${fact.line}` : ''} · ${fact.source}`;
		return html`<li>
			<div class="fact-value">
				<span class="lost">${icon('close')}</span> ${icon(factIcons[fact.kind])}
				<span class="visually-hidden">lost ${factKindLabels[fact.kind]}:</span> ${fact.value}
			</div>
			<div class="fact-from muted">
				<button
					class="link"
					tabindex=${i === this.activeFact ? 0 : -1}
					data-column="0"
					aria-label="Show ${where} in the transcript"
					@focus=${() => (this.activeFact = i)}
					@click=${() => this.emitAction({ action: 'reveal', index: fact.messageIndex })}
				>
					${where}
				</button>
				<button
					class="link"
					tabindex=${i === this.activeFact ? 0 : -1}
					data-column="1"
					?disabled=${isClosed}
					aria-label="Add ${fact.value} to the summary"
					@focus=${() => (this.activeFact = i)}
					@click=${() => this.appendFacts([fact])}
				>
					${icon('add')} ${t.addOne}
				</button>
			</div>
		</li>`;
	}

	private async onFactKey(event: KeyboardEvent): Promise<void> {
		const count = this.review?.lostFacts.length ?? 0;
		const moves: Readonly<Record<string, number>> = { ArrowDown: 1, ArrowUp: -1, Home: -count, End: count };
		const move = moves[event.key];
		if (move === undefined || count === 0) return;
		event.preventDefault();
		const column = (event.target as HTMLElement).dataset['column'] ?? '0';
		this.activeFact = Math.min(count - 1, Math.max(0, this.activeFact + move));
		await this.updateComplete;
		const items = this.renderRoot.querySelectorAll('li');
		items[this.activeFact]?.querySelector<HTMLElement>(`[data-column="${column}"]`)?.focus();
	}

	private onInput(event: Event): void {
		this.draft = (event.currentTarget as HTMLElement & { value: string }).value;
		this.emitAction({ action: 'edit', text: this.draft });
	}

	private appendFacts(facts: readonly LostFactView[]): void {
		const lines = facts.map(factLine).filter((line) => !this.draft.includes(line));
		if (lines.length === 0) return;
		const separator = this.draft === '' || this.draft.endsWith('\n') ? '' : '\n';
		this.draft = `${this.draft}${separator}${lines.join('\n')}\n`;
		this.emitAction({ action: 'edit', text: this.draft });
	}

	private addAll(): void {
		this.appendFacts(this.review?.lostFacts ?? []);
	}

	private apply(): void {
		this.emitAction({ action: 'apply', text: this.draft });
	}

	private discard(): void {
		this.emitAction({ action: 'discard' });
	}

	private openDiff(): void {
		this.emitAction({ action: 'diff', text: this.draft });
	}

	private rerun(): void {
		this.emitAction({ action: 'rerun', focus: this.rerunFocus });
	}

	private emitAction(detail: ReviewAction): void {
		this.dispatchEvent(
			new CustomEvent<ReviewAction>('review-action', { detail, bubbles: true, composed: true }),
		);
	}
}

/** What the review asks of its host page. */
export type ReviewAction =
	| { readonly action: 'edit'; readonly text: string }
	| { readonly action: 'apply'; readonly text: string }
	| { readonly action: 'discard' }
	| { readonly action: 'diff'; readonly text: string }
	| { readonly action: 'rerun'; readonly focus: string }
	| { readonly action: 'reveal'; readonly index: number };

customElements.define('cl-summary-review', SummaryReview);

declare global {
	interface HTMLElementTagNameMap {
		'cl-summary-review': SummaryReview;
	}
}
