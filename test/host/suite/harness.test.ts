import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hostLogsEnvName } from '../runnerOptions';
import { waitFor } from './waitFor';

// Self-checks of the host harness, so that a failing extension test is never the harness failing in disguise.
describe('host harness', () => {
	it('serves webviews from the loopback server: a panel runs its script and messages the host', async () => {
		const panel = vscode.window.createWebviewPanel(
			'contextLens.harnessProbe',
			'Harness probe',
			vscode.ViewColumn.One,
			{ enableScripts: true },
		);
		try {
			let message: unknown;
			panel.webview.onDidReceiveMessage((received: unknown) => {
				message = received;
			});
			const nonce = String(Math.random()).slice(2);
			panel.webview.html = `<!doctype html><html><head>
				<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';">
				</head><body><p id="probe">probe</p><script nonce="${nonce}">
				const text = document.getElementById('probe').textContent;
				acquireVsCodeApi().postMessage({ text, hostname: location.hostname });
				</script></body></html>`;
			// The runner refuses every non-loopback request, so a message proves the webview's frames came from 127.0.0.1.
			const received = await waitFor('a message from the webview', () => message, 20_000);
			assert.deepEqual(received, { text: 'probe', hostname: '127.0.0.1' });
		} finally {
			panel.dispose();
		}
	});

	it('runs in the remote extension host the runner started', () => {
		assert.ok(vscode.env.remoteName, 'expected a remote extension host');
		assert.ok(process.env[hostLogsEnvName], `the runner sets ${hostLogsEnvName} for the host`);
		assert.equal(vscode.workspace.workspaceFolders?.length, 1);
		assert.equal(vscode.workspace.workspaceFolders[0]?.name, 'workspace');
	});
});
