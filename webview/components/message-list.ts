import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleProps } from '../styleProps';
import {
	regionOf,
	type MessageDetails,
	type MessageRow,
	type PlanView,
	type RegionName,
} from '../../src/core/view/viewModel';
import type { PartKind, Role } from '../../src/core/transcript/model';
import { codiconLink, icon } from '../codicons';
import { formatCount, kindIcons, kindLabels } from '../format';
import type { ListFilter } from '../listFilter';
import { filterRows } from '../listFilter';
import { listStrings } from '../../src/protocol/strings';
import { RowKeys } from '../rowKeys';
import { baseStyles } from '../styles';
import { messageRowStyles, renderMessageRow, rowHeightPx } from './message-row';

export { rowHeightPx } from './message-row';

// Rows rendered above and below the visible ones so fast scrolling does not show blanks.
const overscanRows = 6;

// The rendered rows start and end on multiples of this many rows, so a scroll changes the DOM once per this many
// rows (adding and dropping a block of rows), not on every frame; in between, the browser only scrolls.
const blockRows = 8;

/** The rendered rows `[start, end)` of the filtered list, given the first row in view. */
function renderedRange(
	firstRow: number,
	viewportRows: number,
	count: number,
): { start: number; end: number } {
	const start = Math.max(0, Math.floor((firstRow - overscanRows) / blockRows) * blockRows);
	const end = Math.min(count, Math.ceil((firstRow + viewportRows + overscanRows) / blockRows) * blockRows);
	return { start, end };
}

// After a jump (no row in common with the rows rendered before: a scrollbar drag, End, a region-map click) only the
// rows in view are built, which halves the work of a drag's every frame; the rows either side follow once the scroll
// has rested this long.
const settleMs = 150;

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
		previewsLoaded: { attribute: false },
	};

	static override styles = [
		baseStyles,
		messageRowStyles,
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
			/*
			 * The rows in view flow inside one block that a transform moves to the scroll position: a scroll changes
			 * one inline style, not one per row (an inline top on every row made each frame's style recalculation
			 * cost tens of milliseconds at 10,000 messages, growing until the next garbage collection).
			 */
			.window {
				position: absolute;
				top: 0;
				left: 0;
				right: 0;
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
	/** Rows whose previews have arrived (all of them unless the host sends them after the view: see viewWire). */
	previewsLoaded: number | undefined;

	private visible: number[] = [];
	private pinned: ReadonlySet<number> = new Set();
	private readonly rowKeys = new RowKeys();
	/** The rows the last render built, `[start, end)` of `count` filtered rows. */
	private rendered = { start: 0, end: 0, count: 0 };
	private scrollFrame = 0;
	private settleTimer: ReturnType<typeof setTimeout> | undefined;
	private searchTimer: ReturnType<typeof setTimeout> | undefined;
	private resizeObserver: ResizeObserver | undefined;

	protected override willUpdate(changed: PropertyValues<this>): void {
		if (changed.has('rows') || changed.has('filter')) this.visible = filterRows(this.rows, this.filter);
		if (changed.has('plan')) this.pinned = new Set(this.plan?.pinned.messages);
	}

	protected override shouldUpdate(changed: PropertyValues<this>): boolean {
		if (changed.size !== 1 || !changed.has('firstRow')) return true;
		// A scroll that stays inside the rendered rows changes nothing the browser does not scroll on its own.
		const next = renderedRange(this.firstRow, this.viewportRows, this.visible.length);
		const { start, end, count } = this.rendered;
		return next.start !== start || next.end !== end || this.visible.length !== count;
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
		clearTimeout(this.settleTimer);
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

	/** What the status adds while previews are still arriving, or nothing. */
	private loadingNote(): string {
		const loaded = this.previewsLoaded;
		if (loaded === undefined || loaded >= this.rows.length) return '';
		return ` · ${listStrings.previewsLoading(loaded, this.rows.length)}`;
	}

	override render(): unknown {
		const count = this.visible.length;
		return html`
			${codiconLink()} ${guard([this.filter], () => this.renderFilters())}
			<div class="status muted" role="status" data-testid="list-status">
				showing ${formatCount(count)} of ${formatCount(this.rows.length)} messages${this.loadingNote()}
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
				@click=${this.onRowClick}
			>
				<div class="spacer" ${styleProps({ height: `${count * rowHeightPx}px` })}>
					${this.renderWindow(count)}
				</div>
			</div>
			${this.renderDetails()}
		`;
	}

	private renderFilters(): unknown {
		return html`<div class="filters" role="search">
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
		</div>`;
	}

	/**
	 * The rows in view and a few either side (`renderedRange`; only those in view right after a jump), keyed by
	 * `RowKeys`: scrolling by a few rows builds only the rows that come into view and drops those that leave; the
	 * rows that stay are not touched.
	 */
	private renderWindow(count: number): unknown {
		let { start, end } = renderedRange(this.firstRow, this.viewportRows, count);
		const last = this.rendered;
		if (count === last.count && (end <= last.start || start >= last.end)) {
			start = Math.min(this.firstRow, Math.max(count - this.viewportRows, 0));
			end = Math.min(count, start + this.viewportRows);
			clearTimeout(this.settleTimer);
			this.settleTimer = setTimeout(() => this.requestUpdate(), settleMs);
		}
		this.rendered = { start, end, count };
		const shown = this.visible.slice(start, end);
		const keys = this.rowKeys.next(shown);
		return html`<div class="window" ${styleProps({ transform: `translateY(${start * rowHeightPx}px)` })}>
			${repeat(
				shown,
				(_index, offset) => keys[offset],
				(index, offset) => this.renderRow(index, start + offset, count),
			)}
		</div>`;
	}

	private renderRow(index: number, position: number, count: number): unknown {
		const row = this.rows[index];
		if (row === undefined) return nothing;
		return renderMessageRow(row, {
			position,
			count,
			region: this.regionOf(index),
			fate: this.plan?.fates[index] ?? row.fate,
			prune: this.plan?.prune[index],
			isSelected: index === this.selected,
			isActive: index === this.active,
			isPinned: this.pinned.has(index),
		});
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

	private togglePin(index: number): void {
		this.emit('pin-toggle', { index, isPinned: !this.pinned.has(index) } satisfies PinToggle);
	}

	private regionOf(index: number): RegionName {
		const plan = this.plan;
		return plan === undefined ? (this.rows[index]?.region ?? 'middle') : regionOf(plan, index);
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

	/** One listener for every row: a row's pin button toggles its pin, anywhere else on it opens its details. */
	private onRowClick(event: MouseEvent): void {
		const target = event.target instanceof Element ? event.target : null;
		const pin = target?.closest<HTMLElement>('[data-pin]');
		const row = target?.closest<HTMLElement>('.row');
		const index = Number((pin ?? row)?.dataset[pin ? 'pin' : 'index']);
		if (!Number.isInteger(index)) return;
		if (pin) this.togglePin(index);
		else this.choose(index);
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
