import { LitElement, css, html, nothing, svg } from 'lit';
import type { PropertyValues } from 'lit';
import type { AuditView } from '../../src/core/audit/auditTypes';
import type { TimelinePoint } from '../../src/core/audit/auditTypes';
import { formatCount, formatShort } from '../format';
import { styleProps } from '../styleProps';
import { baseStyles } from '../styles';

/** Detail of `compaction-select`: the compaction (AgentCompaction.index) to show. */
export interface CompactionSelectDetail {
	readonly index: number;
}

/** Detail of `timeline-select`: the message under the click, with its row when it is still in the window. */
export interface TimelineSelectDetail {
	readonly message: number;
	readonly row?: number;
	readonly line: number;
}

/** Plot margins in CSS pixels: room for the y labels on the left and the x caption below. */
const margin = { left: 48, right: 8, top: 12, bottom: 20 } as const;

/** Height of the whole chart in CSS pixels. */
export const timelineHeightPx = 190;

/** The index of the point nearest to message position `message` (points sorted by message). */
export function nearestPoint(points: readonly TimelinePoint[], message: number): number {
	let lo = 0;
	let hi = points.length - 1;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if ((points[mid]?.message ?? 0) < message) lo = mid + 1;
		else hi = mid;
	}
	const before = points[lo - 1];
	const at = points[lo];
	if (before !== undefined && at !== undefined && message - before.message < at.message - message)
		return lo - 1;
	return lo;
}

/** The y range of the chart: the model's window, or more when the session went past it. */
export function timelineTop(audit: AuditView): number {
	let top = Math.max(audit.contextWindow, audit.rotationTokens, 1);
	for (const p of audit.timeline.points) top = Math.max(top, p.ours, p.recorded ?? 0);
	return top;
}

/**
 * How the window filled over the whole file, as an SVG chart: our count after each message (solid) and the figure
 * the agent recorded (dashed), the model's window and the compaction and rotation thresholds as rules, and each
 * compaction (the agent's or an earlier Context Lens one) as a mark. A mark's handle is a button (click, Enter or
 * Space: `compaction-select`); a click elsewhere picks the nearest message (`timeline-select`).
 */
export class WindowTimelineChart extends LitElement {
	static override properties = {
		audit: { attribute: false },
		selected: { type: Number },
		widthPx: { state: true },
		hover: { state: true },
	};

	static override styles = [
		baseStyles,
		css`
			:host {
				display: block;
				position: relative;
			}
			svg {
				display: block;
				width: 100%;
				overflow: visible;
				cursor: crosshair;
			}
			.axis {
				stroke: var(--vscode-widget-border, var(--vscode-descriptionForeground));
				stroke-width: 1;
			}
			.tick {
				fill: var(--vscode-descriptionForeground);
				font-size: 10px;
			}
			.ours {
				fill: none;
				stroke: var(--vscode-charts-blue);
				stroke-width: 1.5;
			}
			.recorded {
				fill: none;
				stroke: var(--vscode-charts-orange);
				stroke-width: 1.5;
				stroke-dasharray: 4 3;
			}
			.rule {
				stroke-width: 1;
			}
			.rule.window {
				stroke: var(--vscode-errorForeground);
			}
			.rule.compaction {
				stroke: var(--vscode-editorWarning-foreground, var(--vscode-charts-yellow));
				stroke-dasharray: 6 3;
			}
			.rule.rotation {
				stroke: var(--vscode-errorForeground);
				stroke-dasharray: 2 3;
			}
			.rule-label {
				fill: var(--vscode-descriptionForeground);
				font-size: 10px;
			}
			.mark line {
				stroke: var(--vscode-charts-purple);
				stroke-width: 1.5;
			}
			.mark.context-lens line {
				stroke: var(--vscode-charts-green);
			}
			.mark path {
				fill: var(--vscode-charts-purple);
				cursor: pointer;
			}
			.mark.context-lens path {
				fill: var(--vscode-charts-green);
			}
			.mark.selected line {
				stroke-width: 3;
			}
			.mark:focus {
				outline: none;
			}
			.mark:focus-visible path {
				stroke: var(--vscode-focusBorder);
				stroke-width: 2;
			}
			.cursor {
				stroke: var(--vscode-focusBorder);
				stroke-width: 1;
			}
			.tip {
				position: absolute;
				z-index: 2;
				padding: 3px 6px;
				background: var(--vscode-editorHoverWidget-background);
				color: var(--vscode-editorHoverWidget-foreground);
				border: 1px solid var(--vscode-editorHoverWidget-border);
				pointer-events: none;
				white-space: nowrap;
				font-size: 0.9em;
			}
			.legend {
				display: flex;
				flex-wrap: wrap;
				gap: 4px 14px;
				margin: 2px 0 0;
				font-size: 0.9em;
			}
			.key {
				display: inline-block;
				width: 18px;
				height: 0;
				margin-right: 4px;
				vertical-align: middle;
				border-top: 2px solid var(--vscode-charts-blue);
			}
			.key.recorded {
				border-top: 2px dashed var(--vscode-charts-orange);
			}
			.key.agent {
				width: 0;
				height: 10px;
				border-top: none;
				border-left: 2px solid var(--vscode-charts-purple);
			}
			.key.context-lens {
				width: 0;
				height: 10px;
				border-top: none;
				border-left: 2px solid var(--vscode-charts-green);
			}
		`,
	];

	audit: AuditView | undefined;
	/** The compaction shown as selected (-1: none). */
	selected = -1;
	widthPx = 800;
	hover: { readonly point: number; readonly x: number } | undefined;

	private resizeObserver: ResizeObserver | undefined;

	override connectedCallback(): void {
		super.connectedCallback();
		this.resizeObserver = new ResizeObserver((entries) => {
			const width = Math.round(entries[0]?.contentRect.width ?? 0);
			if (width > 0 && width !== this.widthPx) this.widthPx = width;
		});
		this.resizeObserver.observe(this);
	}

	override disconnectedCallback(): void {
		super.disconnectedCallback();
		this.resizeObserver?.disconnect();
	}

	protected override willUpdate(changed: PropertyValues<this>): void {
		if (changed.has('audit')) this.hover = undefined;
	}

	private get plotWidth(): number {
		return Math.max(40, this.widthPx - margin.left - margin.right);
	}

	private get plotHeight(): number {
		return timelineHeightPx - margin.top - margin.bottom;
	}

	private xOf(audit: AuditView, message: number): number {
		const span = Math.max(1, audit.timeline.messages - 1);
		return margin.left + (message / span) * this.plotWidth;
	}

	private yOf(top: number, tokens: number): number {
		return margin.top + this.plotHeight - (Math.min(tokens, top) / top) * this.plotHeight;
	}

	override render(): unknown {
		const audit = this.audit;
		if (audit === undefined || audit.timeline.points.length === 0)
			return html`<p class="muted">No messages to draw.</p>`;
		const top = timelineTop(audit);
		const points = audit.timeline.points;
		const ours = points.map(
			(p) => `${this.xOf(audit, p.message).toFixed(1)},${this.yOf(top, p.ours).toFixed(1)}`,
		);
		const hasRecorded = points.some((p) => p.recorded !== undefined);
		const label = this.describe(audit);
		return html`
			<svg
				width=${this.widthPx}
				height=${timelineHeightPx}
				viewBox="0 0 ${this.widthPx} ${timelineHeightPx}"
				role="group"
				aria-label=${label}
				@mousemove=${this.onMove}
				@mouseleave=${() => (this.hover = undefined)}
				@click=${this.onClick}
			>
				${this.renderAxes(audit, top)} ${this.renderRules(audit, top)}
				<polyline class="ours" points=${ours.join(' ')}></polyline>
				${this.recordedPaths(audit, top).map((d) => svg`<path class="recorded" d=${d}></path>`)}
				${this.renderCursor(audit, top)}
				${audit.timeline.marks.map((mark) => this.renderMark(audit, mark.compaction, mark.point))}
			</svg>
			${this.renderTip(audit)}
			<div class="legend muted" aria-hidden="true">
				<span><span class="key"></span>our count</span>
				${hasRecorded ? html`<span><span class="key recorded"></span>the agent's record</span>` : nothing}
				${
					audit.compactions.some((c) => c.by === 'agent')
						? html`<span><span class="key agent"></span>the agent's compaction</span>`
						: nothing
				}
				${
					audit.compactions.some((c) => c.by === 'context-lens')
						? html`<span><span class="key context-lens"></span>a Context Lens compaction</span>`
						: nothing
				}
			</div>
		`;
	}

	private describe(audit: AuditView): string {
		const last = audit.timeline.points[audit.timeline.points.length - 1];
		const peak = Math.max(...audit.timeline.points.map((p) => p.ours));
		const n = audit.compactions.length;
		return (
			`How the window filled over ${formatCount(audit.timeline.messages)} messages: now ${formatCount(last?.ours ?? 0)} ` +
			`tokens, at most ${formatCount(peak)}, of a ${formatCount(audit.contextWindow)}-token window; ` +
			`${n === 0 ? 'no compaction' : `${n} compaction${n === 1 ? '' : 's'}, each a button on the chart`}.`
		);
	}

	private renderAxes(audit: AuditView, top: number): unknown {
		const bottom = margin.top + this.plotHeight;
		const ticks = [0, 0.5, 1].map((share) => Math.round(top * share));
		return svg`
			<line class="axis" x1=${margin.left} y1=${bottom} x2=${margin.left + this.plotWidth} y2=${bottom}></line>
			<line class="axis" x1=${margin.left} y1=${margin.top} x2=${margin.left} y2=${bottom}></line>
			${ticks.map(
				(t) =>
					svg`<text class="tick" x=${margin.left - 4} y=${this.yOf(top, t) + 3} text-anchor="end">${formatShort(t)}</text>`,
			)}
			<text class="tick" x=${margin.left} y=${timelineHeightPx - 4}>#1</text>
			<text class="tick" x=${margin.left + this.plotWidth} y=${timelineHeightPx - 4} text-anchor="end"
				>#${audit.timeline.messages} · messages in the file</text
			>
		`;
	}

	private renderRules(audit: AuditView, top: number): unknown {
		const rules = [
			{ name: 'window', tokens: audit.contextWindow, label: `window ${formatShort(audit.contextWindow)}` },
			{
				name: 'rotation',
				tokens: audit.rotationTokens,
				label: `rotation ${formatShort(audit.rotationTokens)}`,
			},
			{
				name: 'compaction',
				tokens: audit.compactionTokens,
				label: `compaction ${formatShort(audit.compactionTokens)}`,
			},
		].filter((r) => r.tokens > 0);
		const right = margin.left + this.plotWidth;
		// The rotation rule sits just under the window's: its label goes to the left end so the two never overlap.
		return rules.map((r) => {
			const y = this.yOf(top, r.tokens);
			const isLeft = r.name === 'rotation';
			return svg`<line class="rule ${r.name}" x1=${margin.left} y1=${y} x2=${right} y2=${y}></line>
				<text
					class="rule-label"
					x=${isLeft ? margin.left + 4 : right - 2}
					y=${y - 3}
					text-anchor=${isLeft ? 'start' : 'end'}
				>${r.label}</text>`;
		});
	}

	/** The agent's figures as one path per window, so a compaction's drop is a gap, not a line through it. */
	private recordedPaths(audit: AuditView, top: number): string[] {
		const cuts = new Set(audit.timeline.marks.map((m) => m.point));
		const paths: string[] = [];
		let d = '';
		audit.timeline.points.forEach((p, i) => {
			if (cuts.has(i) && d !== '') {
				paths.push(d);
				d = '';
			}
			if (p.recorded === undefined) return;
			const x = this.xOf(audit, p.message).toFixed(1);
			const y = this.yOf(top, p.recorded).toFixed(1);
			d += `${d === '' ? 'M' : ' L'}${x},${y}`;
		});
		if (d !== '') paths.push(d);
		return paths;
	}

	private markX(audit: AuditView, point: number): number {
		const at = audit.timeline.points[point];
		const before = audit.timeline.points[point - 1];
		if (at === undefined) return margin.left + this.plotWidth;
		// Between the last message before the compaction and the first after it.
		return before === undefined
			? this.xOf(audit, at.message)
			: (this.xOf(audit, before.message) + this.xOf(audit, at.message)) / 2;
	}

	private renderMark(audit: AuditView, index: number, point: number): unknown {
		const entry = audit.compactions[index];
		if (entry === undefined) return nothing;
		const x = this.markX(audit, point);
		const bottom = margin.top + this.plotHeight;
		const label = `Compaction ${index + 1}: ${entry.description}`;
		return svg`<g
			class="mark ${entry.by} ${index === this.selected ? 'selected' : ''}"
			role="button"
			tabindex="0"
			aria-label=${label}
			data-compaction=${index}
			@click=${(event: Event) => {
				event.stopPropagation();
				this.selectCompaction(index);
			}}
			@keydown=${(event: KeyboardEvent) => {
				if (event.key !== 'Enter' && event.key !== ' ') return;
				event.preventDefault();
				this.selectCompaction(index);
			}}
		>
			<title>${label}</title>
			<line x1=${x} y1=${margin.top} x2=${x} y2=${bottom}></line>
			<path d="M${x - 6},${margin.top - 10} L${x + 6},${margin.top - 10} L${x},${margin.top} Z"></path>
		</g>`;
	}

	private renderCursor(audit: AuditView, top: number): unknown {
		const hover = this.hover;
		const point = hover !== undefined ? audit.timeline.points[hover.point] : undefined;
		if (point === undefined) return nothing;
		const x = this.xOf(audit, point.message);
		return svg`<line class="cursor" x1=${x} y1=${margin.top} x2=${x} y2=${this.yOf(top, 0)}></line>`;
	}

	private renderTip(audit: AuditView): unknown {
		const hover = this.hover;
		const point = hover !== undefined ? audit.timeline.points[hover.point] : undefined;
		if (hover === undefined || point === undefined) return nothing;
		const recorded =
			point.recorded !== undefined ? ` · the agent recorded ${formatCount(point.recorded)}` : '';
		const where =
			point.row !== undefined ? `#${point.row + 1} in the window` : `line ${point.line} (history)`;
		const side =
			hover.x > this.widthPx / 2
				? { right: `${this.widthPx - hover.x + 8}px` }
				: { left: `${hover.x + 8}px` };
		return html`<div class="tip" role="tooltip" ${styleProps({ ...side, top: `${margin.top}px` })}>
			${where} · our count ${formatCount(point.ours)}${recorded}
		</div>`;
	}

	private pointAt(audit: AuditView, clientX: number): { point: number; x: number } | undefined {
		const box = this.getBoundingClientRect();
		const x = clientX - box.left;
		if (x < margin.left - 4 || audit.timeline.points.length === 0) return undefined;
		const span = Math.max(1, audit.timeline.messages - 1);
		const message = ((Math.min(x, margin.left + this.plotWidth) - margin.left) / this.plotWidth) * span;
		return { point: nearestPoint(audit.timeline.points, message), x };
	}

	private onMove(event: MouseEvent): void {
		const audit = this.audit;
		this.hover = audit !== undefined ? this.pointAt(audit, event.clientX) : undefined;
	}

	private onClick(event: MouseEvent): void {
		const audit = this.audit;
		const at = audit !== undefined ? this.pointAt(audit, event.clientX) : undefined;
		const point = at !== undefined ? audit?.timeline.points[at.point] : undefined;
		if (point === undefined) return;
		this.dispatchEvent(
			new CustomEvent<TimelineSelectDetail>('timeline-select', {
				detail: {
					message: point.message,
					line: point.line,
					...(point.row !== undefined ? { row: point.row } : {}),
				},
				bubbles: true,
				composed: true,
			}),
		);
	}

	private selectCompaction(index: number): void {
		this.selected = index;
		this.dispatchEvent(
			new CustomEvent<CompactionSelectDetail>('compaction-select', {
				detail: { index },
				bubbles: true,
				composed: true,
			}),
		);
	}
}

customElements.define('cl-timeline', WindowTimelineChart);

declare global {
	interface HTMLElementTagNameMap {
		'cl-timeline': WindowTimelineChart;
	}
}
