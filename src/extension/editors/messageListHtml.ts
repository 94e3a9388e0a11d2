import type { BudgetReport } from '../../core/budget/budgetReport';
import { renderPart } from '../../core/compaction/messageParts';
import { oneLine } from '../../core/text/textCuts';
import { messagesInWindow, type Transcript } from '../../core/transcript/model';
import { escapeHtml } from '../views/gaugeHtml';
import { formatCompactCount } from '../views/statusText';

/** Rows the editor's message list renders; longer windows show the first and last halves of this many. */
export const messageListRows = 400;

/**
 * The message list of the transcript editor: one row per window message (index, role, tokens, source line and a
 * one-line preview), the middle elided for very long windows so the page stays small.
 */
export function renderMessageListHtml(transcript: Transcript, report: BudgetReport): string {
	const window = messagesInWindow(transcript);
	const half = Math.floor(messageListRows / 2);
	const indexes =
		window.length <= messageListRows
			? window.map((_, i) => i)
			: [
					...Array.from({ length: half }, (_, i) => i),
					-1,
					...Array.from({ length: half }, (_, i) => window.length - half + i),
				];
	const rows = indexes.map((i) => {
		if (i < 0)
			return `<tr><td colspan="5" class="muted">… ${window.length - 2 * half} messages not listed …</td></tr>`;
		const m = window[i];
		if (m === undefined) return '';
		const preview = oneLine(m.parts.map(renderPart).join(' '), 140);
		return `<tr><td class="n">${i}</td><td>${escapeHtml(m.role)}${m.flags.isSummary ? ' (summary)' : ''}</td><td class="n">${formatCompactCount(report.messageTokens[i] ?? 0)}</td><td class="n">${m.lines.from}</td><td>${escapeHtml(preview)}</td></tr>`;
	});
	return `<h3>Messages in the window (${window.length})</h3><table><thead><tr><th>#</th><th>role</th><th>tokens</th><th>line</th><th>content</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
