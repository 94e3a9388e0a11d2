import type { ViewKind } from './messages';
import { missingBundleStrings } from './strings';

/** What the host passes to build a webview page; URIs already converted with `asWebviewUri`. */
export interface WebviewHtmlOptions {
	/** `webview.cspSource`: the only origin scripts' resources, styles, fonts and images may come from. */
	readonly cspSource: string;
	/** A fresh random value per render (at least 16 base64 or hex characters). */
	readonly nonce: string;
	/** URI of dist/webview/main.js. */
	readonly scriptUri: string;
	/** URIs of style sheets; the one ending in codicon.css gets the id `<vscode-icon>` looks for. */
	readonly styleUris: readonly string[];
	readonly view: ViewKind;
	readonly title: string;
}

/** Id `@vscode-elements/elements` looks up to find the codicon style sheet. */
export const codiconStylesheetId = 'vscode-codicon-stylesheet';

/** Escapes text for HTML content and attribute values (every interpolated value of a page goes through it). */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The Content-Security-Policy of a webview page: nothing remote, scripts only by nonce. */
export function webviewCsp(cspSource: string, nonce: string): string {
	return [
		"default-src 'none'",
		`script-src 'nonce-${nonce}'`,
		`style-src ${cspSource} 'nonce-${nonce}'`,
		`font-src ${cspSource}`,
		`img-src ${cspSource} data:`,
	].join('; ');
}

/** The complete HTML of a webview page showing `view`; every interpolated value is escaped. */
export function renderWebviewHtml(options: WebviewHtmlOptions): string {
	const { cspSource, nonce, scriptUri, styleUris, view, title } = options;
	const links = styleUris
		.map((uri) => {
			const id = /codicon\.css(?:$|[?#])/.test(uri) ? ` id="${codiconStylesheetId}"` : '';
			return `<link rel="stylesheet" nonce="${escapeHtml(nonce)}" href="${escapeHtml(uri)}"${id}>`;
		})
		.join('\n\t\t');
	return `<!DOCTYPE html>
<html lang="en">
	<head>
		<meta charset="UTF-8">
		<meta http-equiv="Content-Security-Policy" content="${escapeHtml(webviewCsp(cspSource, nonce))}">
		<meta name="viewport" content="width=device-width, initial-scale=1.0">
		<title>${escapeHtml(title)}</title>
		${links}
	</head>
	<body data-view="${escapeHtml(view)}">
		<cl-app-shell view="${escapeHtml(view)}" aria-label="${escapeHtml(title)}"></cl-app-shell>
		<script type="module" nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>
	</body>
</html>
`;
}

/** What the host passes to build the page shown when the webview bundle is missing. */
export interface MissingBundleHtmlOptions {
	/** A fresh random value per render, for the page's one style element. */
	readonly nonce: string;
	/** Absolute path of the bundle the host looked for. */
	readonly bundlePath: string;
	readonly title: string;
}

/** The page shown when dist/webview/main.js was not built: what is missing and how to build it; runs no script. */
export function renderMissingBundleHtml(options: MissingBundleHtmlOptions): string {
	const { nonce, bundlePath, title } = options;
	const csp = `default-src 'none'; style-src 'nonce-${nonce}'`;
	return `<!DOCTYPE html>
<html lang="en">
	<head>
		<meta charset="UTF-8">
		<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
		<meta name="viewport" content="width=device-width, initial-scale=1.0">
		<title>${escapeHtml(title)}</title>
		<style nonce="${escapeHtml(nonce)}">
			body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 8px 12px; }
			h1 { font-size: 1.1em; color: var(--vscode-errorForeground); }
			code { font-family: var(--vscode-editor-font-family); overflow-wrap: anywhere; }
		</style>
	</head>
	<body>
		<h1 role="alert">${escapeHtml(missingBundleStrings.title)}</h1>
		<p>${escapeHtml(missingBundleStrings.body)}</p>
		<p>Missing: <code>${escapeHtml(bundlePath)}</code></p>
		<p>${escapeHtml(missingBundleStrings.fix)}</p>
	</body>
</html>
`;
}
