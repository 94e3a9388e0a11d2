import { LitElement, css, html, nothing, unsafeCSS } from 'lit';
import type { PropertyValues } from 'lit';
import { styleProps } from '../styleProps';
import {
	regionOf,
	type MessageRow,
	type PlanView,
	type PruneMark,
	type RegionBand,
	type RegionName,
} from '../../src/core/view/viewModel';
import { colorRole, describePinned, formatCount, formatShort, regionLabels, roleColorVars } from '../format';
import { columnRuns } from '../mapColumns';
import { baseStyles } from '../styles';

/** Detail of the `message-select` event: the row to show. */
export interface MessageSelectDetail {
	readonly index: number;
}

/** A past compaction marked under the strip: at the row of its summary (the window starts after older ones). */
export interface CompactionMark {
	/** The compaction's index (AgentCompaction.index), sent back in `compaction-select`. */
	readonly index: number;
	readonly row: number;
	readonly label: string;
	readonly by: 'agent' | 'context-lens';
}

/** Index of the segment under `offset` tokens, given prefix sums `starts` (starts[i] = tokens before row i). */
export function segmentAt(starts: Float64Array, count: number, offset: number): number {
	let lo = 0;
	let hi = count - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if ((starts[mid] ?? 0) <= offset) lo = mid;
		else hi = mid - 1;
	}
	return lo;
}

// Every message gets at least this share of a token so zero-token messages still own a hover target.
const minSegmentTokens = 0.5;

/** Band labels from longest to shortest; a band shows the longest that fits in it, or none, never a clipped stub. */
export const bandLabelChoices: Readonly<Record<RegionName, readonly string[]>> = {
	head: ['head'],
	middle: ['middle (summarised)', 'middle', 'mid'],
	tail: ['tail'],
};

// Room kept clear at each end of a band label, in CSS pixels, so labels of neighbouring bands never run together.
const labelGapPx = 3;

const regionNames: readonly RegionName[] = ['head', 'middle', 'tail'];

/**
 * The whole window as one strip: a segment per message, width by tokens, colour by role; head, middle and tail bands
 * over it; hatched prune (/) and dedup (\) candidates. Hover names the message, click or Enter selects it.
 */
export class RegionMap extends LitElement {
	static override properties = {
		rows: { attribute: false },
		plan: { attribute: false },
		marks: { attribute: false },
		cursor: { state: true },
		hover: { state: true },
		labelChoice: { state: true },
	};

	static override styles = [
		baseStyles,
		css`
			:host {
				display: block;
			}
			.strip {
				position: relative;
				height: 34px;
				margin: 16px 0 4px;
				cursor: pointer;
			}
			.strip:focus-visible {
				outline: 1px solid var(--vscode-focusBorder);
				outline-offset: 2px;
			}
			canvas {
				position: absolute;
				inset: 10px 0 0 0;
				width: 100%;
				height: 24px;
				border: 1px solid var(--vscode-contrastBorder, transparent);
			}
			.band {
				position: absolute;
				top: 0;
				bottom: 0;
				pointer-events: none;
				border-top: 3px solid var(--vscode-focusBorder);
			}
			.band.middle {
				border-top: 3px dashed var(--vscode-descriptionForeground);
			}
			.band-label {
				position: absolute;
				top: -16px;
				left: ${unsafeCSS(labelGapPx)}px;
				right: ${unsafeCSS(labelGapPx)}px;
				font-size: 0.85em;
				text-align: center;
				white-space: nowrap;
				overflow: hidden;
				color: var(--vscode-descriptionForeground);
				/* The label carries the band's full description as a tooltip. */
				pointer-events: auto;
				cursor: default;
			}
			.band-label[hidden] {
				display: block;
				visibility: hidden;
			}
			.band.head .band-label {
				text-align: left;
			}
			.band.tail .band-label {
				text-align: right;
			}
			.cursor {
				position: absolute;
				top: 6px;
				bottom: -2px;
				width: 2px;
				background: var(--vscode-focusBorder);
				pointer-events: none;
			}
			.tip {
				position: absolute;
				top: 38px;
				z-index: 2;
				max-width: min(420px, 90%);
				padding: 4px 8px;
				background: var(--vscode-editorHoverWidget-background);
				color: var(--vscode-editorHoverWidget-foreground);
				border: 1px solid var(--vscode-editorHoverWidget-border);
				pointer-events: none;
				white-space: nowrap;
				overflow: hidden;
				text-overflow: ellipsis;
			}
			.facts {
				margin: 2px 0;
			}
			/* A pinned message: a small downward triangle between the band line and the strip. */
			.pin-mark {
				position: absolute;
				top: 2px;
				width: 0;
				height: 0;
				margin-left: -5px;
				border-left: 5px solid transparent;
				border-right: 5px solid transparent;
				border-top: 8px solid var(--vscode-foreground);
				pointer-events: none;
			}
			.marks {
				position: relative;
				height: 12px;
			}
			.compaction-mark {
				position: absolute;
				top: 0;
				width: 12px;
				height: 10px;
				margin-left: -6px;
				padding: 0;
				border: none;
				cursor: pointer;
				background: var(--vscode-charts-purple);
				clip-path: polygon(50% 0, 100% 100%, 0 100%);
			}
			.compaction-mark.context-lens {
				background: var(--vscode-charts-green);
			}
		`,
	];

	rows: readonly MessageRow[] = [];
	plan: PlanView | undefined;
	/** Past compactions to mark under the strip; a click or Enter fires `compaction-select`. */
	marks: readonly CompactionMark[] = [];
	cursor = -1;
	hover: { index: number; x: number } | undefined;
	/** Which of `bandLabelChoices` each band shows (-1: none fits); measured after layout. */
	labelChoice: Readonly<Record<RegionName, number>> = { head: 0, middle: 0, tail: 0 };

	private starts = new Float64Array(1);
	private total = 0;
	private resizeObserver: ResizeObserver | undefined;
	private themeObserver: MutationObserver | undefined;
	private measureContext: CanvasRenderingContext2D | null | undefined;
	/** `canvasSize(canvas).key` of the last draw. */
	private drawnSize = '';

	override connectedCallback(): void {
		super.connectedCallback();
		// The first callback comes right after the first draw, at the same size: only a new size is drawn again.
		this.resizeObserver = new ResizeObserver(() => {
			const canvas = this.renderRoot.querySelector('canvas');
			if (canvas !== null && canvasSize(canvas).key === this.drawnSize) return;
			this.draw();
			this.fitLabels();
		});
		this.resizeObserver.observe(this);
		// VS Code swaps the body's theme class and the root's variables when the theme changes.
		this.themeObserver = new MutationObserver(() => this.draw());
		this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
		this.themeObserver.observe(document.documentElement, {
			attributes: true,
			attributeFilter: ['style', 'class'],
		});
	}

	override disconnectedCallback(): void {
		super.disconnectedCallback();
		this.resizeObserver?.disconnect();
		this.themeObserver?.disconnect();
	}

	protected override willUpdate(changed: PropertyValues<this>): void {
		if (changed.has('rows')) {
			const n = this.rows.length;
			const starts = new Float64Array(n + 1);
			for (let i = 0; i < n; i++)
				starts[i + 1] = (starts[i] ?? 0) + Math.max(this.rows[i]?.tokens ?? 0, minSegmentTokens);
			this.starts = starts;
			this.total = starts[n] ?? 0;
			if (this.cursor >= n) this.cursor = n - 1;
		}
	}

	protected override updated(changed: PropertyValues<this>): void {
		if (changed.has('rows') || changed.has('plan')) {
			this.draw();
			this.fitLabels();
		}
	}

	/** Picks, per band, the longest label whose measured width fits the band; none when even the shortest does not. */
	private fitLabels(): void {
		const plan = this.plan;
		const strip = this.renderRoot.querySelector<HTMLElement>('.strip');
		const sample = this.renderRoot.querySelector<HTMLElement>('.band-label');
		if (plan === undefined || strip === null || sample === null) return;
		this.measureContext ??= document.createElement('canvas').getContext('2d');
		const context = this.measureContext;
		if (context === null) return;
		context.font = getComputedStyle(sample).font;
		const stripWidth = strip.clientWidth;
		const next: Record<RegionName, number> = { head: -1, middle: -1, tail: -1 };
		for (const name of regionNames) {
			const band = plan.regions[name];
			const room =
				((this.percentAt(band.to) - this.percentAt(band.from)) / 100) * stripWidth - 2 * labelGapPx;
			next[name] = bandLabelChoices[name].findIndex((label) => context.measureText(label).width <= room);
		}
		if (regionNames.some((name) => next[name] !== this.labelChoice[name])) this.labelChoice = next;
	}

	override render(): unknown {
		const plan = this.plan;
		if (plan === undefined || this.rows.length === 0)
			return html`<p class="muted">No messages in the window.</p>`;
		const { head, middle, tail } = plan.regions;
		const label =
			`Region map of ${this.rows.length} messages: ${this.describeBand('head', head)}, ` +
			`${this.describeBand('middle', middle)}, ${this.describeBand('tail', tail)}. ` +
			(plan.pinned.messages.length > 0 ? `Pinned: ${describePinned(plan.pinned)}. ` : '') +
			'Use the arrow keys to move between messages and Enter to show one.';
		const active = this.cursor >= 0 ? this.rows[this.cursor] : undefined;
		return html`
			<div
				class="strip"
				tabindex="0"
				role="slider"
				aria-label=${label}
				aria-valuemin="0"
				aria-valuemax=${this.rows.length - 1}
				aria-valuenow=${Math.max(this.cursor, 0)}
				aria-valuetext=${active !== undefined ? this.describeRow(active) : 'no message chosen'}
				@mousemove=${this.onMove}
				@mouseleave=${() => (this.hover = undefined)}
				@click=${this.onClick}
				@keydown=${this.onKey}
			>
				<canvas aria-hidden="true"></canvas>
				${this.renderBand('head', head)} ${this.renderBand('middle', middle)} ${this.renderBand('tail', tail)}
				${plan.pinned.messages.map(
					(i) =>
						html`<div
							class="pin-mark"
							data-pin-mark=${i}
							aria-hidden="true"
							${styleProps({ left: `${this.percentAt(i + 0.5)}%` })}
						></div>`,
				)}
				${
					this.cursor >= 0
						? html`<div
								class="cursor"
								${styleProps({ left: `${this.percentAt(this.cursor + 0.5)}%` })}
							></div>`
						: nothing
				}
				${this.renderTip()}
			</div>
			${this.renderMarks()}
			<div class="facts muted" data-testid="region-summary">
				${this.describeBand('head', head)} · ${this.describeBand('middle', middle)} ·
				${this.describeBand('tail', tail)}
			</div>
			<div class="facts muted" data-testid="prune-summary">${this.describePrune(plan)}</div>
			${
				plan.pinned.messages.length > 0
					? html`<div class="facts muted" data-testid="pin-summary">
							pinned: ${describePinned(plan.pinned)}
						</div>`
					: nothing
			}
		`;
	}

	private describeBand(name: RegionName, band: RegionBand): string {
		const count = band.to - band.from;
		return `${name} ${count} msg${count === 1 ? '' : 's'} ${formatShort(band.tokens)}`;
	}

	private describePrune(plan: PlanView): string {
		const p = plan.pruneTokens;
		if (p.total <= 0) return 'cheap pruning would free nothing';
		const parts = [
			['dedup', p.dedup],
			['old tool output', p.toolOutput],
			['long arguments', p.arguments],
		] as const;
		const detail = parts
			.filter(([, tokens]) => tokens > 0)
			.map(([label, tokens]) => `${label} ${formatShort(tokens)}`)
			.join(', ');
		return `cheap pruning would free ${formatShort(p.total)} (${detail})`;
	}

	private describeRow(row: MessageRow): string {
		const tool = row.toolName !== undefined ? ` · ${row.toolName}` : '';
		const pinned = this.plan?.pinned.messages.includes(row.index) === true ? ' · pinned' : '';
		return `#${row.index + 1} ${row.role}${tool} · ${formatCount(row.tokens)} tokens · ${regionLabels[this.regionOf(row.index)]}${pinned} · ${row.preview}`;
	}

	private regionOf(index: number): RegionName {
		const plan = this.plan;
		return plan === undefined ? 'middle' : regionOf(plan, index);
	}

	private percentAt(rowPosition: number): number {
		if (this.total <= 0) return 0;
		const whole = Math.floor(rowPosition);
		const base = this.starts[whole] ?? this.total;
		const next = this.starts[whole + 1] ?? this.total;
		return ((base + (next - base) * (rowPosition - whole)) / this.total) * 100;
	}

	private renderBand(name: RegionName, band: RegionBand): unknown {
		if (band.to <= band.from) return nothing;
		const left = this.percentAt(band.from);
		const right = this.percentAt(band.to);
		const label = bandLabelChoices[name][this.labelChoice[name]];
		return html`<div
			class="band ${name}"
			${styleProps({ left: `${left}%`, width: `${Math.max(right - left, 0.3)}%` })}
		>
			<span
				class="band-label"
				title=${this.describeBand(name, band)}
				?hidden=${label === undefined}
				data-band=${name}
				aria-hidden="true"
				>${label ?? ''}</span
			>
		</div>`;
	}

	private renderMarks(): unknown {
		if (this.marks.length === 0) return nothing;
		return html`<div class="marks">
			${this.marks.map(
				(mark) =>
					html`<button
						class="compaction-mark ${mark.by}"
						title=${mark.label}
						aria-label=${mark.label}
						data-compaction=${mark.index}
						${styleProps({ left: `${this.percentAt(mark.row)}%` })}
						@click=${() =>
							this.dispatchEvent(
								new CustomEvent('compaction-select', {
									detail: { index: mark.index },
									bubbles: true,
									composed: true,
								}),
							)}
					></button>`,
			)}
		</div>`;
	}

	private renderTip(): unknown {
		const hover = this.hover;
		const row = hover !== undefined ? this.rows[hover.index] : undefined;
		if (hover === undefined || row === undefined) return nothing;
		const width = this.getBoundingClientRect().width;
		const side =
			hover.x > width / 2 ? { right: `${Math.max(width - hover.x, 0)}px` } : { left: `${hover.x}px` };
		return html`<div class="tip" role="tooltip" ${styleProps(side)}>${this.describeRow(row)}</div>`;
	}

	private indexAtX(clientX: number): number {
		const canvas = this.renderRoot.querySelector('canvas');
		if (canvas === null || this.rows.length === 0) return -1;
		const box = canvas.getBoundingClientRect();
		const ratio = Math.min(Math.max((clientX - box.left) / Math.max(box.width, 1), 0), 1);
		return segmentAt(this.starts, this.rows.length, ratio * this.total);
	}

	private onMove(event: MouseEvent): void {
		const index = this.indexAtX(event.clientX);
		const box = this.getBoundingClientRect();
		this.hover = index >= 0 ? { index, x: event.clientX - box.left } : undefined;
	}

	private onClick(event: MouseEvent): void {
		const index = this.indexAtX(event.clientX);
		if (index >= 0) this.select(index);
	}

	private onKey(event: KeyboardEvent): void {
		const n = this.rows.length;
		if (n === 0) return;
		if (event.key === 'Enter' || event.key === ' ') {
			event.preventDefault();
			if (this.cursor >= 0) this.select(this.cursor);
			return;
		}
		const page = Math.max(1, Math.round(n / 20));
		const moves: Readonly<Record<string, number>> = {
			ArrowRight: event.shiftKey ? page : 1,
			ArrowUp: event.shiftKey ? page : 1,
			ArrowLeft: event.shiftKey ? -page : -1,
			ArrowDown: event.shiftKey ? -page : -1,
			PageUp: page,
			PageDown: -page,
			Home: -n,
			End: n,
		};
		const move = moves[event.key];
		if (move === undefined) return;
		event.preventDefault();
		this.cursor = Math.min(n - 1, Math.max(0, Math.max(this.cursor, 0) + move));
	}

	private select(index: number): void {
		this.cursor = index;
		this.dispatchEvent(
			new CustomEvent<MessageSelectDetail>('message-select', {
				detail: { index },
				bubbles: true,
				composed: true,
			}),
		);
	}

	/**
	 * The strip's segments in canvas pixels: one per message while every message gets two pixels or more (a pixel of
	 * gap between them), else one per run of columns (`columnRuns`: each column shows the message covering most of
	 * it), so the canvas draws at most one rectangle per column however long the transcript.
	 */
	private spans(plan: PlanView, scale: number, width: number): Span[] {
		const count = this.rows.length;
		if (count * 2 < width) {
			const spans: Span[] = [];
			for (let i = 0; i < count; i++) {
				const x0 = (this.starts[i] ?? 0) * scale;
				const x1 = (this.starts[i + 1] ?? 0) * scale;
				spans.push({ row: i, x0, x1, fillWidth: Math.max(x1 - x0 - 1, 1) });
			}
			return spans;
		}
		const roles = Object.keys(roleColorVars);
		const marks = [undefined, 'prune', 'dedup'];
		const styleOf = (i: number): number => {
			const row = this.rows[i];
			const role = row !== undefined ? roles.indexOf(colorRole(row)) : -1;
			return (role * 2 + (plan.fates[i] === 'dropped' ? 1 : 0)) * marks.length + marks.indexOf(plan.prune[i]);
		};
		return columnRuns(this.starts, count, scale, width, styleOf).map((run) => ({
			row: run.row,
			x0: run.from,
			x1: run.to,
			fillWidth: run.to - run.from,
		}));
	}

	private draw(): void {
		const canvas = this.renderRoot.querySelector('canvas');
		const plan = this.plan;
		if (canvas === null || plan === undefined) return;
		const ratio = window.devicePixelRatio || 1;
		const { width, height, key } = canvasSize(canvas);
		this.drawnSize = key;
		if (canvas.width !== width) canvas.width = width;
		if (canvas.height !== height) canvas.height = height;
		const ctx = canvas.getContext('2d');
		if (ctx === null) return;
		const style = getComputedStyle(this);
		const color = (name: string): string => style.getPropertyValue(name).trim() || style.color;
		const background = color('--vscode-input-background');
		ctx.fillStyle = background;
		ctx.fillRect(0, 0, width, height);
		const roleColors = new Map(Object.entries(roleColorVars).map(([role, v]) => [role, color(v)]));
		const spans = this.spans(plan, this.total > 0 ? width / this.total : 0, width);
		for (const span of spans) {
			const row = this.rows[span.row];
			if (row === undefined) continue;
			ctx.globalAlpha = plan.fates[span.row] === 'dropped' ? 0.45 : 1;
			ctx.fillStyle = roleColors.get(colorRole(row)) ?? style.color;
			ctx.fillRect(span.x0, 0, span.fillWidth, height);
		}
		ctx.globalAlpha = 1;
		// Hatching in the background colour reads as stripes on any segment colour, in every theme.
		ctx.strokeStyle = background;
		ctx.lineWidth = Math.max(1, ratio);
		for (const span of spans) {
			const mark = plan.prune[span.row];
			if (mark !== undefined) hatch(ctx, span.x0, Math.max(span.x1, span.x0 + 2), height, mark, 4 * ratio);
		}
	}
}

/** The canvas's drawing size in device pixels for its laid-out size, and the two as one comparable key. */
function canvasSize(canvas: HTMLCanvasElement): { width: number; height: number; key: string } {
	const ratio = window.devicePixelRatio || 1;
	const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
	const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
	return { width, height, key: `${width}x${height}` };
}

/** A stretch of the strip, in canvas pixels, drawn as message `row`. */
interface Span {
	readonly row: number;
	readonly x0: number;
	readonly x1: number;
	readonly fillWidth: number;
}

/** Diagonal stripes over `[x0, x1)`: `\\` for dedup candidates, `/` for prune candidates. */
function hatch(
	ctx: CanvasRenderingContext2D,
	x0: number,
	x1: number,
	height: number,
	mark: PruneMark,
	pitch: number,
): void {
	ctx.save();
	ctx.beginPath();
	ctx.rect(x0, 0, x1 - x0, height);
	ctx.clip();
	ctx.beginPath();
	for (let x = x0 - height; x < x1 + height; x += pitch) {
		if (mark === 'dedup') {
			ctx.moveTo(x, 0);
			ctx.lineTo(x + height, height);
		} else {
			ctx.moveTo(x, height);
			ctx.lineTo(x + height, 0);
		}
	}
	ctx.stroke();
	ctx.restore();
}

customElements.define('cl-region-map', RegionMap);

declare global {
	interface HTMLElementTagNameMap {
		'cl-region-map': RegionMap;
	}
}
