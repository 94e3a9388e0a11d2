import { basename } from 'node:path';
import { escapeHtml } from '../views/gaugeHtml';
import type { PendingReview } from './pendingReviews';

/** What the review page needs besides the review: where it may load from and whether Apply may write. */
export interface ReviewPageContext {
	readonly cspSource: string;
	readonly nonce: string;
	readonly canApply: boolean;
	/** What Apply will write, in words (UI.md: Apply names what it will write). */
	readonly applyNote: string;
}

function percent(tokens: number, window: number): string {
	return window > 0 ? `${((tokens / window) * 100).toFixed(1)}%` : 'n/a';
}

/**
 * The review panel (UI.md): before/after numbers, the editable summary with its live token count, the lost-facts
 * list with "Add all to summary", and Apply / Discard / Open diff / Re-run. The page script only posts messages;
 * every decision is made by the host.
 */
export function renderReviewHtml(review: PendingReview, context: ReviewPageContext): string {
	const n = review.numbers;
	const reduction =
		n.tokensBefore > 0 ? Math.round(((n.tokensBefore - n.tokensAfter) / n.tokensBefore) * 100) : 0;
	const facts = review.lostFacts
		.map(
			(f) =>
				`<li data-fact="${escapeHtml(`${f.kind}: ${f.value}`)}">✗ <code>${escapeHtml(f.value)}</code><br><span class="muted">${escapeHtml(f.kind)} · msg ${f.messageIndex} · ${escapeHtml(f.source)}</span></li>`,
		)
		.join('');
	const omitted =
		review.lostFactsOmitted > 0 ? `<p class="muted">and ${review.lostFactsOmitted} more</p>` : '';
	const hasSummary = review.summary !== undefined;
	const summaryBlock = hasSummary
		? `<label for="summary">Summary (editable · <span id="summaryTokens">${n.syntheticTokens.toLocaleString('en-US')}</span> tokens)</label>
<textarea id="summary" spellcheck="false">${escapeHtml(review.summary ?? '')}</textarea>`
		: `<p class="muted">The ${escapeHtml(review.strategy)} strategy writes no summary; the diff shows every change.</p>`;
	return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${context.cspSource} 'unsafe-inline'; script-src 'nonce-${context.nonce}';">
<style>
body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground);padding:12px 16px}
.muted{color:var(--vscode-descriptionForeground)}
.cols{display:flex;gap:16px;flex-wrap:wrap}.cols>div{flex:1 1 320px;min-width:0}
textarea{width:100%;box-sizing:border-box;min-height:320px;font-family:var(--vscode-editor-font-family);font-size:var(--vscode-editor-font-size);color:var(--vscode-input-foreground);background:var(--vscode-input-background);border:1px solid var(--vscode-input-border,transparent)}
textarea:focus,button:focus{outline:1px solid var(--vscode-focusBorder)}
ul{list-style:none;padding:0;max-height:360px;overflow:auto}li{margin-bottom:6px;overflow-wrap:anywhere}
button{margin:8px 8px 0 0;padding:4px 12px;border:none;background:var(--vscode-button-background);color:var(--vscode-button-foreground);cursor:pointer}
button.secondary{background:var(--vscode-button-secondaryBackground);color:var(--vscode-button-secondaryForeground)}
button:disabled{opacity:.5;cursor:default}
.big{font-size:1.2em;font-weight:600}
</style></head><body>
<h2>Compaction preview · ${escapeHtml(review.strategy)}${review.focus !== undefined ? ` · focus "${escapeHtml(review.focus)}"` : ''}</h2>
<p class="muted">${escapeHtml(basename(review.file))} · planned ${escapeHtml(review.createdAt)}${review.summarizerId !== undefined ? ` · summary by ${escapeHtml(review.summarizerId)}` : ''}</p>
<p class="big">before ${n.tokensBefore.toLocaleString('en-US')} → after <span id="tokensAfter">${n.tokensAfter.toLocaleString('en-US')}</span> tokens (<span id="reduction">−${reduction}%</span>) · ${n.messagesBefore} → ${n.messagesAfter} messages</p>
<p class="muted">${percent(n.tokensBefore, n.contextWindow)} → <span id="percentAfter">${percent(n.tokensAfter, n.contextWindow)}</span> of the ${n.contextWindow.toLocaleString('en-US')}-token window · kept ${n.kept} · summarised ${n.summarized} · dropped ${n.dropped}</p>
<div class="cols"><div>${summaryBlock}</div>
<div><h3>Lost facts (${review.lostFacts.length + review.lostFactsOmitted})</h3>
${review.lostFacts.length > 0 ? `<ul>${facts}</ul>${omitted}${hasSummary ? '<button class="secondary" id="addAll">Add all to summary</button>' : ''}` : '<p class="muted">Every file, command, error and identifier of the changed messages is still in the compacted window.</p>'}
</div></div>
<p class="muted">${escapeHtml(context.applyNote)}</p>
<button id="apply" ${context.canApply ? '' : 'disabled title="Restricted mode: trust the workspace to write files"'}>Apply</button>
<button class="secondary" id="discard">Discard</button>
<button class="secondary" id="openDiff">Open diff</button>
<button class="secondary" id="rerun">Re-run with another focus…</button>
<script nonce="${context.nonce}">
const vscode = acquireVsCodeApi();
vscode.setState({ reviewId: ${JSON.stringify(review.id)} });
const window_ = ${n.contextWindow}, before = ${n.tokensBefore};
const summary = document.getElementById('summary');
let timer;
function send() { clearTimeout(timer); timer = setTimeout(() => vscode.postMessage({ type: 'summary/edit', text: summary.value }), 150); }
if (summary) summary.addEventListener('input', send);
for (const [id, type] of [['apply','review/apply'],['discard','review/discard'],['openDiff','review/openDiff'],['rerun','review/rerun']]) {
	document.getElementById(id).addEventListener('click', () => vscode.postMessage({ type }));
}
const addAll = document.getElementById('addAll');
if (addAll) addAll.addEventListener('click', () => {
	const lines = [...document.querySelectorAll('li[data-fact]')].map((li) => '- ' + li.dataset.fact);
	summary.value = summary.value.replace(/\\s*$/, '') + '\\n\\n## Facts carried over\\n' + lines.join('\\n') + '\\n';
	send();
});
window.addEventListener('message', (event) => {
	const m = event.data;
	if (m && m.type === 'summary/counted') {
		document.getElementById('tokensAfter').textContent = m.tokensAfter.toLocaleString('en-US');
		document.getElementById('summaryTokens').textContent = m.syntheticTokens.toLocaleString('en-US');
		document.getElementById('reduction').textContent = '−' + (before > 0 ? Math.round((before - m.tokensAfter) / before * 100) : 0) + '%';
		document.getElementById('percentAfter').textContent = window_ > 0 ? (m.tokensAfter / window_ * 100).toFixed(1) + '%' : 'n/a';
	}
});
vscode.postMessage({ type: 'ready' });
</script></body></html>`;
}
