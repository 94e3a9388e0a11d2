import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { viewKinds } from '../../../src/protocol/messages';
import { codiconStylesheetId, renderWebviewHtml, webviewCsp } from '../../../src/protocol/webviewHtml';

const base = {
	cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
	nonce: 'q1w2e3r4t5y6u7i8o9p0AA==',
	scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.js',
	styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicon.css'],
	view: 'review' as const,
	title: 'Context Lens',
};

function cspOf(html: string): string {
	const match = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
	assert.ok(match, 'the page has a CSP meta tag');
	return (match[1] ?? '').replace(/&#39;/g, "'");
}

describe('renderWebviewHtml', () => {
	it('writes a CSP that allows only the nonce script and local styles, fonts and images', () => {
		const csp = cspOf(renderWebviewHtml(base));
		assert.equal(csp, webviewCsp(base.cspSource, base.nonce));
		const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
		assert.deepEqual(directives.get('default-src'), ["'none'"]);
		assert.deepEqual(directives.get('script-src'), [`'nonce-${base.nonce}'`]);
		assert.deepEqual(directives.get('font-src'), [base.cspSource]);
		assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval') && !csp.includes('http:'));
	});

	it('loads the module script with the nonce and marks the codicon sheet for <vscode-icon>', () => {
		const html = renderWebviewHtml(base);
		assert.ok(html.includes(`<script type="module" nonce="${base.nonce}" src="${base.scriptUri}"></script>`));
		assert.ok(html.includes(`href="${base.styleUris[0]}" id="${codiconStylesheetId}"`));
		assert.ok(html.includes('<cl-app-shell view="review"'));
		assert.equal(html.match(/<script/g)?.length, 1, 'exactly one script element');
	});

	it('names each view on the body and the root element', () => {
		for (const view of viewKinds) {
			const html = renderWebviewHtml({ ...base, view });
			assert.ok(html.includes(`<body data-view="${view}">`));
			assert.ok(html.includes(`<cl-app-shell view="${view}"`));
		}
	});

	it('escapes every interpolated value, so no title, nonce or URI can add markup or break an attribute', () => {
		const count = (text: string, ch: string): number => text.split(ch).length - 1;
		const plain = renderWebviewHtml({ ...base, title: 'x', styleUris: ['x'], scriptUri: 'x', nonce: 'x' });
		fc.assert(
			fc.property(fc.string(), fc.string(), fc.string(), (title, uri, nonce) => {
				const html = renderWebviewHtml({ ...base, title, styleUris: [uri], scriptUri: uri, nonce });
				for (const ch of ['<', '>', '"']) assert.equal(count(html, ch), count(plain, ch), `count of ${ch}`);
			}),
		);
	});
});
