import { html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { codiconStylesheetId } from '../src/protocol/webviewHtml';

/**
 * A `<link>` to the page's codicon style sheet for use inside a shadow root, so `<span class="codicon codicon-x">`
 * works there; nothing when the page has none (the icons then render empty, the text beside them still reads).
 */
export function codiconLink(): TemplateResult | typeof nothing {
	const link = document.getElementById(codiconStylesheetId);
	if (!(link instanceof HTMLLinkElement)) return nothing;
	return html`<link rel="stylesheet" href=${link.href} />`;
}

/** A decorative codicon (hidden from screen readers: the text beside it carries the meaning). */
export function icon(name: string): TemplateResult {
	return html`<span class="codicon codicon-${name}" aria-hidden="true"></span>`;
}
