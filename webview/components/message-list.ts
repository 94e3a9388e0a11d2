import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { styleProps } from '../styleProps';
import type { MessageDetails, MessageRow, PlanView, RegionName } from '../../src/core/view/viewModel';
import type { PartKind, Role } from '../../src/core/transcript/model';
import { codiconLink, icon } from '../codicons';
import {
	colorRole,
	formatCount,
	formatShort,
	kindIcons,
	kindLabels,
	regionLabels,
	roleColorVars,
} from '../format';
import type { ListFilter } from '../listFilter';
import { filterRows } from '../listFilter';
import { baseStyles } from '../styles';

/** Height of one list row, in CSS pixels (fixed so the list can be virtualised). */
export const rowHeightPx = 24;

// Rows rendered above and below the visible ones so fast scrolling does not show blanks.
const overscanRows = 10;

const roles: readonly Role[] = ['system', 'developer', 'user', 'assistant', 'tool'];
const kinds: readonly PartKind[] = ['text', 'thinking', 'toolCall', 'toolResult', 'image', 'opaque'];

/** Detail of `details-request`: the row whose details should be fetched, or -1 to close them. */
export interface DetailsRequest {
	readonly index: number;
}

/** Detail of `pin-toggle`: pin (`isPinned`) or unpin a row's message. */
export interface PinToggle {
	readonly index: number;
	readonly isPinned: boolean;
}

/**
 * The virtualised message list: only the rows in view are in the DOM, so 10,000+ rows scroll smoothly. A listbox:
 * arrows, Page keys, Home/End move; Enter opens the details pane (fetched from the host on demand).
 */
export class MessageList extends LitElement {
	static override properties = {
		rows: { attribute: false },
		plan: { attribute: false },
		filter: { attribute: false },
		active: { state: true },
		selected: { attribute: false },
		details: { attribute: false },
		detailsError: { attribute: false },
		firstRow: { state: true },
		viewportRows: { state: true },
	};

	static override styles = [
		baseStyles,
		css`
			:host {
				display: flex;
				flex-direction: column;
				min-height: 0;
			}
			.filters {
				display: flex;
				flex-wrap: wrap;
				gap: 6px;
				align-items: center;
				margin-bottom: 4px;
			}
			.filters vscode-single-select {
				width: 130px;
			}
			.filters vscode-textfield {
				flex: 1 1 160px;
				min-width: 120px;
			}
			.viewport {
				position: relative;
				/* Row layout never affects the page outside the list, so a scroll re-lays out only the rows in view. */
				contain: strict;
				height: 50vh;
				min-height: 160px;
				overflow-y: auto;
				border: 1px solid
					var(--vscode-contrastBorder, var(--vscode-widget-border, var(--vscode-panel-border)));
				background: var(--vscode-editor-background);
			}
			.viewport:focus-visible {
				outline: 1px solid var(--vscode-focusBorder);
				outline-offset: -1px;
			}
			.spacer {
				position: relative;
			}
			.row {
				position: absolute;
				left: 0;
				right: 0;
				height: ${rowHeightPx}px;
				display: flex;
				align-items: center;
				gap: 6px;
				padding: 0 6px;
				white-space: nowrap;
				cursor: pointer;
				border: 1px solid transparent;
			}
			.row:hover {
				background: var(--vscode-list-hoverBackground);
			}
			.row.selected {
				background: var(--vscode-list-inactiveSelectionBackground);
				color: var(--vscode-list-inactiveSelectionForeground, inherit);
			}
			:host(:focus-within) .row.active {
				border: 1px solid var(--vscode-list-focusOutline, var(--vscode-focusBorder));
			}
			.row.selected.active {
				background: var(--vscode-list-activeSelectionBackground);
				color: var(--vscode-list-activeSelectionForeground);
			}
			.index {
				width: 52px;
				text-align: right;
				color: var(--vscode-descriptionForeground);
				flex: none;
			}
			.role {
				width: 80px;
				flex: none;
				overflow: hidden;
			}
			.role .swatch {
				width: 8px;
				height: 8px;
			}
			.kinds {
				width: 56px;
				flex: none;
				overflow: hidden;
			}
			.tool {
				width: 100px;
				flex: none;
				overflow: hidden;
				text-overflow: ellipsis;
				color: var(--vscode-symbolIcon-functionForeground, var(--vscode-foreground));
			}
			.preview {
				flex: 1 1 auto;
				overflow: hidden;
				text-overflow: ellipsis;
			}
			.badge {
				flex: none;
				width: 74px;
				text-align: center;
				font-size: 0.85em;
				border-radius: 2px;
				padding: 0 4px;
				background: var(--vscode-badge-background);
				color: var(--vscode-badge-foreground);
				border: 1px solid var(--vscode-contrastBorder, transparent);
			}
			.badge.middle {
				background: transparent;
				color: var(--vscode-descriptionForeground);
				border: 1px dashed var(--vscode-descriptionForeground);
			}
			.tokens {
				width: 56px;
				flex: none;
				text-align: right;
			}
			.pin {
				flex: none;
				padding: 0 2px;
				border: none;
				background: none;
				color: var(--vscode-descriptionForeground);
				cursor: pointer;
				visibility: hidden;
			}
			.row:hover .pin,
			.row.active .pin,
			.row.selected .pin,
			.pin.on {
				visibility: visible;
			}
			.pin.on {
				color: var(--vscode-foreground);
			}
			.error {
				color: var(--vscode-errorForeground);
			}
			.status {
				margin: 4px 0;
			}
			.details {
				margin-top: 6px;
				padding: 6px 8px;
				max-height: 40vh;
				overflow: auto;
				border: 1px solid
					var(--vscode-contrastBorder, var(--vscode-widget-border, var(--vscode-panel-border)));
				background: var(--vscode-editorWidget-background);
			}
			.details h3 {
				margin: 0 0 4px;
				font-size: 1em;
			}
			.details pre {
				margin: 2px 0 8px;
				white-space: pre-wrap;
				word-break: break-word;
				font-family: var(--vscode-editor-font-family);
				font-size: var(--vscode-editor-font-size);
			}
		`,
	];

	rows: readonly MessageRow[] = [];
	plan: PlanView | undefined;
	filter: ListFilter = { role: '', kind: '', search: '' };
	/** Row with the keyboard focus (list index space = row index), -1 for none. */
	active = -1;
	/** Row whose details are open, -1 for none. */
	selected = -1;
	details: MessageDetails | undefined;
	detailsError: string | undefined;
	firstRow = 0;
	viewportRows = 20;

	private visible: number[] = [];
	private pinned: ReadonlySet<number> = new Set();
	private scrollFrame = 0;
	private searchTimer: ReturnType<typeof setTimeout> | undefined;
	private resizeObserver: ResizeObserver | undefined;

	protected override willUpdate(changed: PropertyValues<this>): void {
		if (changed.has('rows') || changed.has('filter')) this.visible = filterRows(this.rows, this.filter);
		if (changed.has('plan')) this.pinned = new Set(this.plan?.pinned.messages);
	}

	override firstUpdated(): void {
		const viewport = this.viewport();
		if (viewport === null) return;
		this.resizeObserver = new ResizeObserver(() => {
			this.viewportRows = Math.ceil(viewport.clientHeight / rowHeightPx) + 1;
		});
		this.resizeObserver.observe(viewport);
	}

	override disconnectedCallback(): void {
		super.disconnectedCallback();
		this.resizeObserver?.disconnect();
	}

	/** Scrolls `index` into view and makes it the active row; a row the filters hide clears them unless `keepFilter`. */
	async scrollToIndex(index: number, keepFilter = false): Promise<void> {
		if (index < 0 || index >= this.rows.length) return;
		if (this.positionOf(index) < 0) {
			if (keepFilter) return;
			this.filter = { role: '', kind: '', search: '' };
			this.emitFilter();
			await this.updateComplete;
		}
		const position = this.positionOf(index);
		this.active = index;
		const viewport = this.viewport();
		if (viewport !== null && position >= 0) {
			const top = position * rowHeightPx;
			if (top < viewport.scrollTop || top + rowHeightPx > viewport.scrollTop + viewport.clientHeight)
				viewport.scrollTop = Math.max(0, top - viewport.clientHeight / 3);
			this.firstRow = Math.floor(viewport.scrollTop / rowHeightPx);
		}
		await this.updateComplete;
	}

	/** Number of rows passing the current filter. */
	get visibleCount(): number {
		return this.visible.length;
	}

	override render(): unknown {
		const count = this.visible.length;
		const start = Math.max(0, this.firstRow - overscanRows);
		const end = Math.min(count, this.firstRow + this.viewportRows + overscanRows);
		const rendered: unknown[] = [];
		for (let p = start; p < end; p++) {
			const row = this.rows[this.visible[p] ?? -1];
			if (row !== undefined) rendered.push(this.renderRow(row, p, count));
		}
		return html`
			${codiconLink()}
			<div class="filters" role="search">
				<vscode-single-select aria-label="Filter by role" .value=${this.filter.role} @change=${this.onRole}>
					<vscode-option value="" ?selected=${this.filter.role === ''}>all roles</vscode-option>
					${roles.map((r) => html`<vscode-option value=${r} ?selected=${this.filter.role === r}>${r}</vscode-option>`)}
				</vscode-single-select>
				<vscode-single-select
					aria-label="Filter by content kind"
					.value=${this.filter.kind}
					@change=${this.onKind}
				>
					<vscode-option value="" ?selected=${this.filter.kind === ''}>all kinds</vscode-option>
					${kinds.map(
						(k) =>
							html`<vscode-option value=${k} ?selected=${this.filter.kind === k}
								>${kindLabels[k]}</vscode-option
							>`,
					)}
				</vscode-single-select>
				<vscode-textfield
					aria-label="Search messages"
					placeholder="search previews and tool names"
					.value=${this.filter.search}
					@input=${this.onSearch}
				></vscode-textfield>
			</div>
			<div class="status muted" role="status" data-testid="list-status">
				showing ${formatCount(count)} of ${formatCount(this.rows.length)} messages
			</div>
			<div
				class="viewport"
				role="listbox"
				tabindex="0"
				aria-label="Messages; P pins or unpins the active one"
				aria-activedescendant=${this.active >= 0 && this.positionOf(this.active) >= 0 ? `row-${this.active}` : nothing}
				@scroll=${this.onScroll}
				@keydown=${this.onKey}
				@focus=${this.onFocus}
			>
				<div class="spacer" ${styleProps({ height: `${count * rowHeightPx}px` })}>${rendered}</div>
			</div>
			${this.renderDetails()}
		`;
	}

	private renderRow(row: MessageRow, position: number, count: number): unknown {
		const region = this.regionOf(row.index);
		const fate = this.plan?.fates[row.index] ?? row.fate;
		const prune = this.plan?.prune[row.index];
		const badge =
			region === 'middle'
				? fate === 'summarized'
					? 'summarise'
					: fate === 'dropped'
						? 'drop'
						: 'keep'
				: region;
		const kindWords = row.kinds.map((k) => kindLabels[k]).join(', ');
		const isPinned = this.pinned.has(row.index);
		return html`<div
			id="row-${row.index}"
			class="row ${row.index === this.selected ? 'selected' : ''} ${row.index === this.active ? 'active' : ''}"
			role="option"
			aria-selected=${row.index === this.selected ? 'true' : 'false'}
			aria-posinset=${position + 1}
			aria-setsize=${count}
			aria-label="message ${row.index + 1}, ${row.role}, ${formatCount(row.tokens)} tokens, ${kindWords}${row.toolName !== undefined ? `, tool ${row.toolName}` : ''}, ${regionLabels[region]}${prune !== undefined ? `, ${prune} candidate` : ''}${isPinned ? ', pinned' : ''}: ${row.preview}"
			${styleProps({ top: `${position * rowHeightPx}px` })}
			data-index=${row.index}
			@click=${() => this.choose(row.index)}
		>
			<span class="index">#${row.index + 1}</span>
			<span class="role ${row.isError ? 'error' : ''}"
				><span class="swatch" ${styleProps({ background: `var(${roleColorVars[colorRole(row)]})` })}></span
				>${row.role}</span
			>
			<span class="kinds" title=${kindWords}>${row.kinds.map((k) => icon(kindIcons[k]))}</span>
			<span class="tool" title=${row.toolName ?? ''}>${row.toolName ?? ''}</span>
			<span class="preview" title=${row.preview}>${row.preview}</span>
			${prune !== undefined ? html`<span title="${prune} candidate">${icon(prune === 'dedup' ? 'copy' : 'trash')}</span>` : nothing}
			${this.renderPin(row.index, isPinned)}
			<span class="badge ${region}">${badge}</span>
			<span class="tokens">${formatShort(row.tokens)}</span>
		</div>`;
	}

	private renderDetails(): unknown {
		if (this.selected < 0) return nothing;
		const row = this.rows[this.selected];
		if (row === undefined) return nothing;
		const d = this.details !== undefined && this.details.index === this.selected ? this.details : undefined;
		return html`<section
			class="details"
			aria-label="Details of message ${row.index + 1}"
			aria-live="polite"
			data-testid="details"
		>
			<h3>
				#${row.index + 1} ${row.role} · ${formatCount(row.tokens)} tokens · line ${row.line}
				${d?.timestamp !== undefined ? html`<span class="muted">· ${d.timestamp}</span>` : nothing}
			</h3>
			<vscode-button
				secondary
				icon="go-to-file"
				@click=${() => this.emit('message-reveal', { index: row.index })}
				>Open in file</vscode-button
			>
			<vscode-button
				secondary
				icon=${this.pinned.has(row.index) ? 'pinned' : 'pin'}
				aria-pressed=${this.pinned.has(row.index) ? 'true' : 'false'}
				data-action="pin"
				@click=${() => this.togglePin(row.index)}
				>${this.pinned.has(row.index) ? 'Unpin' : 'Pin'}</vscode-button
			>
			<vscode-button secondary icon="close" @click=${() => this.choose(-1)}>Close</vscode-button>
			${
				this.detailsError !== undefined
					? html`<p class="error">${this.detailsError}</p>`
					: d === undefined
						? html`<p class="muted">Loading…</p>`
						: d.parts.map(
								(p) =>
									html`<div>
										<strong>${icon(kindIcons[p.kind])} ${p.label}</strong>
										<pre>${p.text}${p.isClipped ? '\n…(clipped)' : ''}</pre>
									</div>`,
							)
			}
		</section>`;
	}

	/** The pin toggle of a row: out of the tab order (P pins the active row, the details pane has a Pin button). */
	private renderPin(index: number, isPinned: boolean): unknown {
		const label = `${isPinned ? 'Unpin' : 'Pin'} message ${index + 1}`;
		return html`<button
			class="pin ${isPinned ? 'on' : ''}"
			tabindex="-1"
			aria-pressed=${isPinned ? 'true' : 'false'}
			aria-label=${label}
			title=${isPinned ? `${label}: it is kept verbatim whatever the strategy` : `${label}: keep it verbatim whatever the strategy`}
			data-pin=${index}
			@click=${(event: Event) => {
				event.stopPropagation();
				this.togglePin(index);
			}}
		>
			${icon(isPinned ? 'pinned' : 'pin')}
		</button>`;
	}

	private togglePin(index: number): void {
		this.emit('pin-toggle', { index, isPinned: !this.pinned.has(index) } satisfies PinToggle);
	}

	private regionOf(index: number): RegionName {
		const regions = this.plan?.regions;
		if (regions === undefined) return this.rows[index]?.region ?? 'middle';
		if (index >= regions.head.from && index < regions.head.to) return 'head';
		if (index >= regions.tail.from && index < regions.tail.to) return 'tail';
		return 'middle';
	}

	private positionOf(index: number): number {
		// Rows are filtered in order, so the position is found by binary search.
		let lo = 0;
		let hi = this.visible.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			const value = this.visible[mid] ?? -1;
			if (value === index) return mid;
			if (value < index) lo = mid + 1;
			else hi = mid - 1;
		}
		return -1;
	}

	private viewport(): HTMLElement | null {
		return this.renderRoot.querySelector('.viewport');
	}

	private onScroll(event: Event): void {
		const viewport = event.currentTarget as HTMLElement;
		if (this.scrollFrame !== 0) return;
		this.scrollFrame = requestAnimationFrame(() => {
			this.scrollFrame = 0;
			this.firstRow = Math.floor(viewport.scrollTop / rowHeightPx);
		});
	}

	private onFocus(): void {
		if (this.active < 0 || this.positionOf(this.active) < 0) {
			const first = this.visible[Math.min(this.firstRow, Math.max(this.visible.length - 1, 0))];
			if (first !== undefined) this.active = first;
		}
	}

	private onKey(event: KeyboardEvent): void {
		const count = this.visible.length;
		if (count === 0) return;
		if (event.key === 'Enter' || event.key === ' ') {
			event.preventDefault();
			if (this.active >= 0) this.choose(this.active === this.selected ? -1 : this.active);
			return;
		}
		if (event.key === 'Escape' && this.selected >= 0) {
			this.choose(-1);
			return;
		}
		if ((event.key === 'p' || event.key === 'P') && this.active >= 0) {
			event.preventDefault();
			this.togglePin(this.active);
			return;
		}
		const page = Math.max(1, this.viewportRows - 2);
		const moves: Readonly<Record<string, number>> = {
			ArrowDown: 1,
			ArrowUp: -1,
			PageDown: page,
			PageUp: -page,
			Home: -count,
			End: count,
		};
		const move = moves[event.key];
		if (move === undefined) return;
		event.preventDefault();
		const position = Math.min(count - 1, Math.max(0, Math.max(this.positionOf(this.active), 0) + move));
		const index = this.visible[position];
		if (index !== undefined) void this.scrollToIndex(index);
	}

	private choose(index: number): void {
		this.selected = index;
		if (index >= 0) this.active = index;
		this.emit('details-request', { index } satisfies DetailsRequest);
	}

	private onRole(event: Event): void {
		const value = (event.currentTarget as HTMLElement & { value: string }).value;
		this.filter = { ...this.filter, role: roles.find((r) => r === value) ?? '' };
		this.emitFilter();
	}

	private onKind(event: Event): void {
		const value = (event.currentTarget as HTMLElement & { value: string }).value;
		this.filter = { ...this.filter, kind: kinds.find((k) => k === value) ?? '' };
		this.emitFilter();
	}

	private onSearch(event: Event): void {
		const value = (event.currentTarget as HTMLElement & { value: string }).value;
		clearTimeout(this.searchTimer);
		this.searchTimer = setTimeout(() => {
			this.filter = { ...this.filter, search: value };
			this.emitFilter();
		}, 120);
	}

	private emitFilter(): void {
		const viewport = this.viewport();
		if (viewport !== null) viewport.scrollTop = 0;
		this.firstRow = 0;
		this.emit('filter-change', this.filter);
	}

	private emit(name: string, detail: unknown): void {
		this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
	}
}

customElements.define('cl-message-list', MessageList);

declare global {
	interface HTMLElementTagNameMap {
		'cl-message-list': MessageList;
	}
}
