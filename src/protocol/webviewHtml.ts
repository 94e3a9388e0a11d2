import type { ViewKind } from './messages';

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

function escapeHtml(text: string): string {
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
