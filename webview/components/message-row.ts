import { css, html, nothing, unsafeCSS } from 'lit';
import type { TemplateResult } from 'lit';
import type { MessageRow, PruneMark, RegionName } from '../../src/core/view/viewModel';

/** What the plan does to a message. */
type MessageFate = MessageRow['fate'];
import { icon } from '../codicons';
import {
	colorRole,
	formatCount,
	formatShort,
	kindIcons,
	kindLabels,
	regionLabels,
	roleColorVars,
} from '../format';

/** Height of one list row, in CSS pixels (fixed so the list can be virtualised without measuring rows). */
export const rowHeightPx = 24;

/** What a row shows besides its message: its place in the filtered list, its plan and the list's focus. */
export interface RowState {
	/** 0-based place among the rows passing the filter. */
	readonly position: number;
	/** Number of rows passing the filter. */
	readonly count: number;
	readonly region: RegionName;
	readonly fate: MessageFate;
	readonly prune: PruneMark | undefined;
	readonly isSelected: boolean;
	readonly isActive: boolean;
	readonly isPinned: boolean;
}

// One class per role colour, so a row's swatch needs no inline style (rows are rebuilt while scrolling).
const swatchColors = unsafeCSS(
	Object.entries(roleColorVars)
		.map(([role, variable]) => `.swatch.role-${role} { background: var(${variable}); }`)
		.join('\n'),
);

/** Styles of `renderMessageRow`, for the shadow root of the list that shows the rows. */
export const messageRowStyles = css`
	.row {
		/* A row's layout and paint never reach outside it and its size never depends on its content, so building
		   or dropping a row while scrolling re-lays out that row alone. */
		contain: strict;
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
	${swatchColors}
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
	.role.error {
		color: var(--vscode-errorForeground);
	}
`;

/** The badge word of a row: its protected region, or what the plan does to a middle message. */
function badgeOf(region: RegionName, fate: MessageFate): string {
	if (region !== 'middle') return region;
	return fate === 'summarized' ? 'summarise' : fate === 'dropped' ? 'drop' : 'keep';
}

/**
 * The pin toggle of a row: out of the tab order (P pins the active row, the details pane has a Pin button). The
 * list's click listener reads its `data-pin`.
 */
function renderPin(index: number, isPinned: boolean): TemplateResult {
	const label = `${isPinned ? 'Unpin' : 'Pin'} message ${index + 1}`;
	return html`<button
		class="pin ${isPinned ? 'on' : ''}"
		tabindex="-1"
		aria-pressed=${isPinned ? 'true' : 'false'}
		aria-label=${label}
		title=${isPinned ? `${label}: it is kept verbatim whatever the strategy` : `${label}: keep it verbatim whatever the strategy`}
		data-pin=${index}
	>
		${icon(isPinned ? 'pinned' : 'pin')}
	</button>`;
}

/**
 * One option of the message listbox: number, role, content kinds, tool, preview, prune mark, pin, region badge,
 * tokens. Clicks are handled by the list (one listener for every row), which reads `data-index` and `data-pin`.
 */
export function renderMessageRow(row: MessageRow, state: RowState): TemplateResult {
	const { region, prune } = state;
	const kindWords = row.kinds.map((k) => kindLabels[k]).join(', ');
	const tool = row.toolName !== undefined ? `, tool ${row.toolName}` : '';
	const candidate = prune !== undefined ? `, ${prune} candidate` : '';
	const pinned = state.isPinned ? ', pinned' : '';
	return html`<div
		id="row-${row.index}"
		class="row ${state.isSelected ? 'selected' : ''} ${state.isActive ? 'active' : ''}"
		role="option"
		aria-selected=${state.isSelected ? 'true' : 'false'}
		aria-posinset=${state.position + 1}
		aria-setsize=${state.count}
		aria-label="message ${row.index + 1}, ${row.role}, ${formatCount(row.tokens)} tokens, ${kindWords}${tool}, ${regionLabels[region]}${candidate}${pinned}: ${row.preview}"
		data-index=${row.index}
	>
		<span class="index">#${row.index + 1}</span>
		<span class="role ${row.isError ? 'error' : ''}"
			><span class="swatch role-${colorRole(row)}"></span>${row.role}</span
		>
		<span class="kinds" title=${kindWords}>${row.kinds.map((k) => icon(kindIcons[k]))}</span>
		<span class="tool" title=${row.toolName ?? ''}>${row.toolName ?? ''}</span>
		<span class="preview" title=${row.preview}>${row.preview}</span>
		${prune !== undefined ? html`<span title="${prune} candidate">${icon(prune === 'dedup' ? 'copy' : 'trash')}</span>` : nothing}
		${renderPin(row.index, state.isPinned)}
		<span class="badge ${region}">${badgeOf(region, state.fate)}</span>
		<span class="tokens">${formatShort(row.tokens)}</span>
	</div>`;
}
