import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { LitElement, css, html, nothing } from 'lit';
import type { AuditView } from '../../src/core/audit/auditTypes';
import type { CompareView } from '../../src/core/compare/compareTypes';
import type { PlanView, ReviewView, TranscriptView, WhatIfOptions } from '../../src/core/view/viewModel';
import type { HostToView, ViewKind } from '../../src/protocol/messages';
import { assertNever, viewKinds } from '../../src/protocol/messages';
import { auditStrings, compareStrings, gaugeStrings } from '../../src/protocol/strings';
import { carryRowTexts, withRowTexts } from '../../src/protocol/viewWire';
import { codiconLink, icon } from '../codicons';
import { formatShort } from '../format';
import type { HostBridge } from '../hostBridge';
import { baseStyles } from '../styles';
import type { ListFilter } from '../listFilter';
import type { DetailsRequest, MessageList, PinToggle } from './message-list';
import './message-list';
import type { CompactionRestoreDetail, SourceRevealDetail } from './agent-compactions';
import './agent-compactions';
import type { CompareOpenDetail, CompareProgressView, CompareStartDetail } from './compare-view';
import './compare-view';
import type { CompactionMark, MessageSelectDetail } from './region-map';
import './region-map';
import type { CompactionSelectDetail, TimelineSelectDetail } from './timeline';
import './timeline';
import type { ReviewAction, SummaryCount, SummaryReview } from './summary-review';
import './summary-review';
import './token-gauge';
import './what-if-controls';

/** UI state kept across hiding and showing the view (through the webview's getState/setState). */
export interface SavedUiState {
	readonly filter?: ListFilter;
	readonly selected?: number;
	readonly draft?: { readonly planId: string; readonly text: string };
	/** The review this page shows, so VS Code's panel serializer reopens the same one after a reload (H2). */
	readonly reviewId?: string;
	/** Editor sections the person opened (`timeline`, `compare`); closed by default. */
	readonly openSections?: readonly string[];
}

/** Wait after the last summary edit before asking the host for an exact count, in milliseconds. */
export const countDebounceMs = 300;

function isSavedUiState(value: unknown): value is SavedUiState {
	return typeof value === 'object' && value !== null;
}

/** The page root: talks to the host through the bridge and lays out the gauge, transcript or review screen. */
export class AppShell extends LitElement {
	static override properties = {
		view: { type: String },
		transcriptId: { state: true },
		transcript: { state: true },
		previewsLoaded: { state: true },
		plan: { state: true },
		review: { state: true },
		emptyMessage: { state: true },
		busyLabel: { state: true },
		planError: { state: true },
		isNarrow: { state: true },
		audit: { state: true },
		compare: { state: true },
		compareProgress: { state: true },
		compareError: { state: true },
		selectedCompaction: { state: true },
		pendingReviews: { state: true },
	};

	static override styles = [
		baseStyles,
		css`
			:host {
				display: block;
				padding: 8px 12px 16px;
			}
			section + section {
				margin-top: 12px;
			}
			.buttons {
				display: flex;
				flex-wrap: wrap;
				gap: 8px;
				margin: 10px 0;
			}
			/* A short sidebar (Sessions expanded) still shows Compress: the actions stick to the bottom of the view. */
			.buttons.sticky {
				position: sticky;
				bottom: 0;
				z-index: 1;
				margin: 10px -12px;
				padding: 6px 12px;
				background: var(--vscode-sideBar-background, var(--vscode-editor-background));
				border-top: 1px solid
					var(--vscode-sideBarSectionHeader-border, var(--vscode-widget-border, transparent));
			}

			.busy {
				display: flex;
				gap: 6px;
				align-items: center;
			}
			.largest {
				margin: 4px 0 0;
				padding: 0;
				list-style: none;
			}
			.largest li {
				display: flex;
				align-items: center;
				gap: 4px;
			}
			.largest button.link {
				display: block;
				flex: 1 1 auto;
				min-width: 0;
				overflow: hidden;
				text-overflow: ellipsis;
				white-space: nowrap;
			}
			.largest button.pin {
				flex: none;
				padding: 0 2px;
				border: none;
				background: none;
				color: var(--vscode-descriptionForeground);
				cursor: pointer;
			}
			.largest button.pin[aria-pressed='true'] {
				color: var(--vscode-foreground);
			}
			.error {
				color: var(--vscode-errorForeground);
			}
			h3 {
				font-size: 1em;
				font-weight: 600;
				margin: 10px 0 4px;
			}
			vscode-collapsible {
				margin-top: 8px;
			}
			.section-body {
				padding: 6px 8px 8px;
			}
		`,
	];

	view: ViewKind = 'gauge';
	transcriptId = '';
	transcript: TranscriptView | undefined;
	/** Which view `transcript` is, when its row texts come after it (see `transcript/rowTexts`). */
	private viewId: number | undefined;
	/** Rows of that view whose texts arrived in parts (they cover every row once); undefined when all came with it. */
	previewsLoaded: number | undefined;
	plan: PlanView | undefined;
	review: ReviewView | undefined;
	emptyMessage = '';
	busyLabel = '';
	planError = '';
	/** True in a sidebar narrower than `narrowQuery`: the secondary action shows its icon only (name in tooltip). */
	isNarrow = false;
	/** The editor's audit of the transcript (compactions and timeline), fetched after each `transcript/show`. */
	audit: AuditView | undefined;
	compare: CompareView | undefined;
	compareProgress: CompareProgressView | undefined;
	compareError = '';
	selectedCompaction = -1;
	/** Compactions waiting for review in this workspace (the sidebar offers to open them). */
	pendingReviews = 0;

	private readonly narrowQuery = window.matchMedia('(max-width: 320px)');
	private readonly onNarrowChange = (): void => {
		this.isNarrow = this.narrowQuery.matches;
	};
	private bridge: HostBridge | undefined;
	private saved: SavedUiState = {};
	private countTimer: ReturnType<typeof setTimeout> | undefined;
	private planSequence = 0;
	private auditSequence = 0;
	private auditTimer: ReturnType<typeof setTimeout> | undefined;

	override connectedCallback(): void {
		super.connectedCallback();
		this.onNarrowChange();
		this.narrowQuery.addEventListener('change', this.onNarrowChange);
	}

	override disconnectedCallback(): void {
		super.disconnectedCallback();
		this.narrowQuery.removeEventListener('change', this.onNarrowChange);
	}

	/** Connects to the host: restores saved UI state, listens, and posts `ready`. Call once. */
	connect(bridge: HostBridge): void {
		this.bridge = bridge;
		const state = bridge.loadState();
		this.saved = isSavedUiState(state) ? state : {};
		bridge.onMessage((message) => this.receive(message));
		const attribute = this.getAttribute('view');
		this.view = viewKinds.find((k) => k === attribute) ?? 'gauge';
		bridge.announceReady(this.view);
	}

	private receive(message: HostToView): void {
		switch (message.type) {
			case 'transcript/show':
				// A view whose texts follow keeps the previews of the same file's last view meanwhile.
				this.transcript =
					message.viewId !== undefined &&
					this.transcript !== undefined &&
					message.transcriptId === this.transcriptId
						? { ...message.view, rows: carryRowTexts(this.transcript.rows, message.view.rows) }
						: message.view;
				this.transcriptId = message.transcriptId;
				this.viewId = message.viewId;
				this.previewsLoaded = message.viewId === undefined ? undefined : 0;
				this.plan = message.view.plan;
				this.emptyMessage = '';
				this.planError = '';
				void this.restoreSelection();
				if (this.view === 'transcript') this.scheduleAudit();
				break;
			case 'transcript/rowTexts': {
				// Ids and previews of rows shown a moment ago without them; parts of an older view are dropped.
				const shown = this.transcript;
				if (
					shown !== undefined &&
					message.viewId === this.viewId &&
					message.transcriptId === this.transcriptId
				) {
					this.transcript = { ...shown, rows: withRowTexts(shown.rows, message.texts) };
					this.previewsLoaded = (this.previewsLoaded ?? 0) + message.texts.ids.length;
				}
				break;
			}
			case 'transcript/empty':
				this.transcript = undefined;
				this.viewId = undefined;
				this.previewsLoaded = undefined;
				this.plan = undefined;
				this.emptyMessage = message.message;
				break;
			case 'review/show':
				this.transcriptId = message.transcriptId;
				this.review = message.review;
				if (this.saved.reviewId !== message.review.planId)
					this.save({ ...this.saved, reviewId: message.review.planId });
				void this.restoreDraft(message.review);
				break;
			case 'review/done': {
				const review = this.reviewElement();
				if (review !== null && this.review?.planId === message.planId)
					review.done = { outcome: message.outcome, message: message.message };
				if (message.outcome !== 'failed') {
					const { draft: _applied, ...rest } = this.saved;
					this.save(rest);
				}
				break;
			}
			case 'reviews/pending':
				this.pendingReviews = message.count;
				break;
			case 'host/busy':
				this.busyLabel = message.busy ? message.label : '';
				break;
			case 'compare/progress':
				if (message.transcriptId === this.transcriptId)
					this.compareProgress = {
						done: message.done,
						total: message.total,
						...(message.strategy !== undefined ? { strategy: message.strategy } : {}),
					};
				break;
			case 'compare/result':
				if (message.transcriptId !== this.transcriptId) break;
				this.compareProgress = undefined;
				if (message.result.ok) {
					this.compare = message.result.value;
					this.compareError = '';
				} else this.compareError = message.result.reason;
				break;
			case 'plan/result':
			case 'message/details':
			case 'summary/count':
			case 'audit/result':
				// Replies are routed to their request by the bridge; one arriving here is stale.
				break;
			default:
				assertNever(message);
		}
	}

	override render(): unknown {
		return html`${codiconLink()}
		${
			this.busyLabel !== ''
				? html`<div class="busy" role="status">
						<vscode-progress-ring></vscode-progress-ring>${this.busyLabel}
					</div>`
				: nothing
		}
		${this.renderView()}`;
	}

	private renderView(): unknown {
		switch (this.view) {
			case 'review':
				return html`<cl-summary-review
					.review=${this.review}
					@review-action=${this.onReviewAction}
				></cl-summary-review>`;
			case 'gauge':
			case 'transcript':
				return this.renderTranscript();
			default:
				return assertNever(this.view);
		}
	}

	private renderTranscript(): unknown {
		const t = this.transcript;
		if (t === undefined) {
			return html`<p class="muted" role="status">${this.emptyMessage || gaugeStrings.waiting}</p>
				${
					this.view === 'gauge' && this.pendingReviews > 0
						? html`<div class="buttons" role="group" aria-label=${gaugeStrings.actionsLabel}>
								${this.renderPendingButton()}
							</div>`
						: nothing
				}`;
		}
		const isEditor = this.view === 'transcript';
		return html`
			<section aria-label="Token budget">
				<cl-token-gauge .gauge=${t.gauge} .header=${t.header}></cl-token-gauge>
			</section>
			<section aria-label="Region map">
				${
					isEditor
						? html`<cl-what-if-controls
								.value=${this.plan?.whatIf ?? t.plan.whatIf}
								@whatif-change=${this.onWhatIf}
							></cl-what-if-controls>`
						: nothing
				}
				<cl-region-map
					.rows=${t.rows}
					.plan=${this.plan}
					.marks=${isEditor ? this.compactionMarks() : []}
					@message-select=${this.onMapSelect}
					@compaction-select=${this.onCompactionSelect}
				></cl-region-map>
				${this.planError !== '' ? html`<p class="error" role="alert">${this.planError}</p>` : nothing}
				${this.plan?.nothingToCompact !== undefined ? html`<p class="muted">${this.plan.nothingToCompact}</p>` : nothing}
			</section>
			${isEditor ? this.renderAudit() : nothing}
			${
				isEditor
					? html`<section aria-label="Messages">
							<cl-message-list
								.rows=${t.rows}
								.plan=${this.plan}
								.previewsLoaded=${this.previewsLoaded}
								.filter=${this.saved.filter ?? { role: '', kind: '', search: '' }}
								@details-request=${this.onDetailsRequest}
								@pin-toggle=${this.onPinToggle}
								@message-reveal=${this.onReveal}
								@filter-change=${this.onFilter}
							></cl-message-list>
						</section>`
					: this.renderSidebarExtras(t)
			}
		`;
	}

	/** Opens the waiting review (a pick when there are several); shown only while one waits. */
	private renderPendingButton(): unknown {
		const label = gaugeStrings.reviewPending(this.pendingReviews);
		return html`<vscode-button
			secondary
			icon="checklist"
			data-action="review-pending"
			title=${label}
			aria-label=${label}
			@click=${() => this.bridge?.post({ type: 'command/run', command: 'openReview' })}
			>${label}</vscode-button
		>`;
	}

	private renderSidebarExtras(t: TranscriptView): unknown {
		return html`<div class="buttons sticky" role="group" aria-label=${gaugeStrings.actionsLabel}>
				<vscode-button
					icon="fold"
					data-action="compress"
					@click=${() => this.bridge?.post({ type: 'command/run', command: 'compress' })}
					>${gaugeStrings.compress}</vscode-button
				>
				<vscode-button
					secondary
					icon="list-flat"
					data-action="open-transcript"
					title=${gaugeStrings.openTranscript}
					aria-label=${gaugeStrings.openTranscript}
					?icon-only=${this.isNarrow}
					@click=${() => this.bridge?.post({ type: 'command/run', command: 'openTranscriptView' })}
					>${this.isNarrow ? nothing : gaugeStrings.openTranscript}</vscode-button
				>
				${this.pendingReviews > 0 ? this.renderPendingButton() : nothing}
			</div>
			${
				t.largest.length > 0
					? html`<h3 id="largest-heading">${gaugeStrings.largest}</h3>
							<ul class="largest" aria-labelledby="largest-heading">
								${t.largest.map((i) => {
									const row = t.rows[i];
									if (row === undefined) return nothing;
									const label = `${row.toolName ?? row.role} ${formatShort(row.tokens)} · ${row.preview}`;
									const isPinned = (this.plan ?? t.plan).pinned.messages.includes(i);
									const pinLabel = `${isPinned ? 'Unpin' : 'Pin'} message ${i + 1}`;
									return html`<li>
										<button class="link" title=${label} @click=${() => this.reveal(i)}>${label}</button>
										<button
											class="pin"
											aria-pressed=${isPinned ? 'true' : 'false'}
											aria-label=${pinLabel}
											title=${isPinned ? pinLabel : `${pinLabel}: keep it verbatim whatever the strategy`}
											data-pin=${i}
											@click=${() => void this.pin(i, !isPinned)}
										>
											${icon(isPinned ? 'pinned' : 'pin')}
										</button>
									</li>`;
								})}
							</ul>`
					: nothing
			}`;
	}

	/** The timeline and the compactions list, then Compare strategies: collapsed sections (editor only). */
	private renderAudit(): unknown {
		const audit = this.audit;
		const count = audit?.compactions.length ?? 0;
		const lost = audit?.compactions.reduce((sum, c) => sum + (c.facts?.lost ?? 0), 0) ?? 0;
		const timelineNote =
			count === 0
				? auditStrings.noCompactions
				: `${count} compaction${count === 1 ? '' : 's'} · ${lost} fact${lost === 1 ? '' : 's'} lost`;
		return html`<vscode-collapsible
				heading=${auditStrings.timelineHeading}
				description=${audit !== undefined ? timelineNote : ''}
				data-section="timeline"
				?open=${this.isOpen('timeline')}
				@vsc-collapsible-toggle=${this.onSectionToggle}
			>
				<section aria-label=${auditStrings.timelineHeading} class="section-body">
					${
						audit !== undefined
							? html`<cl-timeline
									.audit=${audit}
									.selected=${this.selectedCompaction}
									@compaction-select=${this.onCompactionSelect}
									@timeline-select=${this.onTimelineSelect}
								></cl-timeline>`
							: html`<p class="muted">…</p>`
					}
					${
						count > 0
							? html`<h3>${auditStrings.compactionsHeading} (${count})</h3>
									<cl-agent-compactions
										.entries=${audit?.compactions ?? []}
										.selected=${this.selectedCompaction}
										@compaction-restore=${this.onRestore}
										@source-reveal=${this.onSourceReveal}
										@message-select=${this.onMapSelect}
									></cl-agent-compactions>`
							: nothing
					}
				</section>
			</vscode-collapsible>
			<vscode-collapsible
				heading=${compareStrings.heading}
				description=${this.compareProgress !== undefined ? '…' : ''}
				data-section="compare"
				?open=${this.isOpen('compare')}
				@vsc-collapsible-toggle=${this.onSectionToggle}
			>
				<section aria-label=${compareStrings.heading} class="section-body">
					<cl-compare-view
						.view=${this.compare}
						.progress=${this.compareProgress}
						.error=${this.compareError}
						@compare-start=${this.onCompareStart}
						@compare-cancel=${this.onCompareCancel}
						@compare-open=${this.onCompareOpen}
					></cl-compare-view>
				</section>
			</vscode-collapsible>`;
	}

	private isOpen(section: string): boolean {
		return this.saved.openSections?.includes(section) === true;
	}

	private setOpen(section: string, isOpen: boolean): void {
		const others = (this.saved.openSections ?? []).filter((s) => s !== section);
		this.save({ ...this.saved, openSections: isOpen ? [...others, section] : others });
		this.requestUpdate();
	}

	private onSectionToggle(event: CustomEvent<{ open: boolean }>): void {
		const section = (event.currentTarget as HTMLElement).dataset['section'];
		if (section !== undefined && event.detail.open !== this.isOpen(section))
			this.setOpen(section, event.detail.open);
	}

	/** Region-map marks: each compaction whose summary is in the window, and one for those before it. */
	private compactionMarks(): CompactionMark[] {
		const entries = this.audit?.compactions ?? [];
		const marks: CompactionMark[] = entries.flatMap((e) =>
			e.summaryRow !== undefined
				? [
						{
							index: e.index,
							row: e.summaryRow,
							label: `Compaction ${e.index + 1}: ${e.description}`,
							by: e.by,
						},
					]
				: [],
		);
		const earlier = entries.filter((e) => e.summaryRow === undefined);
		const last = earlier[earlier.length - 1];
		if (last !== undefined && marks.length === 0)
			marks.push({
				index: last.index,
				row: 0,
				label: `${earlier.length} compaction${earlier.length === 1 ? '' : 's'} before this window; the newest: ${last.description}`,
				by: last.by,
			});
		return marks;
	}

	private scheduleAudit(): void {
		clearTimeout(this.auditTimer);
		this.auditTimer = setTimeout(() => void this.requestAudit(), 250);
	}

	private async requestAudit(): Promise<void> {
		const bridge = this.bridge;
		if (bridge === undefined || this.transcriptId === '') return;
		const sequence = ++this.auditSequence;
		const reply = await bridge.request<'audit/request'>({
			type: 'audit/request',
			transcriptId: this.transcriptId,
		});
		if (sequence !== this.auditSequence) return;
		if (reply.ok) this.audit = reply.value;
	}

	private onCompactionSelect(event: CustomEvent<CompactionSelectDetail>): void {
		this.selectedCompaction = event.detail.index;
		if (!this.isOpen('timeline')) this.setOpen('timeline', true);
	}

	private onTimelineSelect(event: CustomEvent<TimelineSelectDetail>): void {
		const { row, line } = event.detail;
		if (row !== undefined) void this.showDetails(row);
		else if (this.transcriptId !== '')
			this.bridge?.post({ type: 'source/reveal', transcriptId: this.transcriptId, line });
	}

	private onSourceReveal(event: CustomEvent<SourceRevealDetail>): void {
		if (this.transcriptId !== '' && event.detail.line >= 1)
			this.bridge?.post({ type: 'source/reveal', transcriptId: this.transcriptId, line: event.detail.line });
	}

	private onRestore(event: CustomEvent<CompactionRestoreDetail>): void {
		if (this.transcriptId !== '')
			this.bridge?.post({
				type: 'audit/restore',
				transcriptId: this.transcriptId,
				compaction: event.detail.index,
			});
	}

	private onCompareStart(event: CustomEvent<CompareStartDetail>): void {
		if (this.transcriptId === '') return;
		this.compareError = '';
		this.compareProgress = { done: 0, total: 1 };
		this.bridge?.post({ type: 'compare/start', transcriptId: this.transcriptId, focus: event.detail.focus });
	}

	private onCompareCancel(): void {
		if (this.transcriptId !== '')
			this.bridge?.post({ type: 'compare/cancel', transcriptId: this.transcriptId });
	}

	private onCompareOpen(event: CustomEvent<CompareOpenDetail>): void {
		if (this.transcriptId !== '')
			this.bridge?.post({
				type: 'compare/open',
				transcriptId: this.transcriptId,
				strategy: event.detail.strategy,
				focus: event.detail.focus,
			});
	}

	private listElement(): MessageList | null {
		return this.renderRoot.querySelector('cl-message-list');
	}

	private reviewElement(): SummaryReview | null {
		return this.renderRoot.querySelector('cl-summary-review');
	}

	private reveal(index: number): void {
		if (this.transcriptId !== '')
			this.bridge?.post({ type: 'message/reveal', transcriptId: this.transcriptId, index });
	}

	private save(state: SavedUiState): void {
		this.saved = state;
		this.bridge?.saveState(state);
	}

	private async restoreSelection(): Promise<void> {
		const selected = this.saved.selected;
		if (selected === undefined || selected < 0 || this.view !== 'transcript') return;
		await this.updateComplete;
		// A restored selection the restored filter hides keeps the filter: the person set both.
		await this.showDetails(selected, true);
	}

	private async restoreDraft(review: ReviewView): Promise<void> {
		await this.updateComplete;
		const element = this.reviewElement();
		if (element === null) return;
		await element.updateComplete;
		const draft = this.saved.draft;
		if (draft !== undefined && draft.planId === review.planId && draft.text !== review.summary) {
			element.draft = draft.text;
			this.requestCount(draft.text);
		}
	}

	private async showDetails(index: number, keepFilter = false): Promise<void> {
		const list = this.listElement();
		const bridge = this.bridge;
		if (list === null || bridge === undefined) return;
		list.selected = index;
		list.details = undefined;
		list.detailsError = undefined;
		this.save({ ...this.saved, selected: index });
		if (index < 0) return;
		await list.scrollToIndex(index, keepFilter);
		const reply = await bridge.request<'message/details'>({
			type: 'message/details',
			transcriptId: this.transcriptId,
			index,
		});
		if (list.selected !== index) return;
		if (reply.ok) list.details = reply.value;
		else list.detailsError = reply.reason;
	}

	private onMapSelect(event: CustomEvent<MessageSelectDetail>): void {
		if (this.view === 'transcript') void this.showDetails(event.detail.index);
		else this.reveal(event.detail.index);
	}

	private onDetailsRequest(event: CustomEvent<DetailsRequest>): void {
		void this.showDetails(event.detail.index);
	}

	private onReveal(event: CustomEvent<{ index: number }>): void {
		this.reveal(event.detail.index);
	}

	private onPinToggle(event: CustomEvent<PinToggle>): void {
		void this.pin(event.detail.index, event.detail.isPinned);
	}

	/** Pins or unpins a message through the host, which answers with the plan re-made under this page's what-if. */
	private async pin(index: number, isPinned: boolean): Promise<void> {
		const bridge = this.bridge;
		const whatIf = (this.plan ?? this.transcript?.plan)?.whatIf;
		if (bridge === undefined || this.transcriptId === '' || whatIf === undefined) return;
		const sequence = ++this.planSequence;
		const reply = await bridge.request<'message/pin'>({
			type: 'message/pin',
			transcriptId: this.transcriptId,
			index,
			isPinned,
			whatIf,
		});
		if (sequence !== this.planSequence) return;
		if (reply.ok) {
			this.plan = reply.value;
			this.planError = '';
		} else {
			this.planError = reply.reason;
		}
	}

	private onFilter(event: CustomEvent<ListFilter>): void {
		this.save({ ...this.saved, filter: event.detail });
	}

	private async onWhatIf(event: CustomEvent<WhatIfOptions>): Promise<void> {
		const bridge = this.bridge;
		if (bridge === undefined || this.transcriptId === '') return;
		const sequence = ++this.planSequence;
		const reply = await bridge.request<'plan/request'>({
			type: 'plan/request',
			transcriptId: this.transcriptId,
			whatIf: event.detail,
		});
		// A slower reply to an older what-if must not overwrite a newer plan.
		if (sequence !== this.planSequence) return;
		if (reply.ok) {
			this.plan = reply.value;
			this.planError = '';
		} else {
			this.planError = reply.reason;
		}
	}

	private onReviewAction(event: CustomEvent<ReviewAction>): void {
		const review = this.review;
		const bridge = this.bridge;
		if (review === undefined || bridge === undefined) return;
		const detail = event.detail;
		switch (detail.action) {
			case 'edit':
				this.save({ ...this.saved, draft: { planId: review.planId, text: detail.text } });
				this.requestCount(detail.text);
				break;
			case 'apply':
				bridge.post({ type: 'summary/accept', planId: review.planId, editedSummary: detail.text });
				break;
			case 'discard':
				bridge.post({ type: 'summary/discard', planId: review.planId });
				break;
			case 'diff':
				bridge.post({ type: 'summary/openDiff', planId: review.planId, editedSummary: detail.text });
				break;
			case 'rerun':
				bridge.post({ type: 'summary/rerun', planId: review.planId, focus: detail.focus });
				break;
			case 'reveal':
				this.reveal(detail.index);
				break;
			default:
				assertNever(detail);
		}
	}

	private requestCount(text: string): void {
		const element = this.reviewElement();
		if (element === null) return;
		element.count = { tokens: Math.ceil(text.length / 4), isEstimate: true } satisfies SummaryCount;
		clearTimeout(this.countTimer);
		this.countTimer = setTimeout(() => {
			void this.bridge?.request<'summary/count'>({ type: 'summary/count', text }).then((reply) => {
				if (reply.ok && element.draft === text) element.count = { tokens: reply.value, isEstimate: false };
			});
		}, countDebounceMs);
	}
}

customElements.define('cl-app-shell', AppShell);

declare global {
	interface HTMLElementTagNameMap {
		'cl-app-shell': AppShell;
	}
}
