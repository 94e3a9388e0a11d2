import './components/app-shell';
import { HostBridge } from './hostBridge';

const bridge = new HostBridge(acquireVsCodeApi(), window);

// One catch for the whole page: unexpected errors go to the host's log instead of vanishing.
window.addEventListener('error', (event) => {
	bridge.post({ type: 'log/error', message: String(event.message).slice(0, 2_000) });
});
window.addEventListener('unhandledrejection', (event) => {
	bridge.post({ type: 'log/error', message: String(event.reason).slice(0, 2_000) });
});

const app = document.querySelector('cl-app-shell');
if (app !== null) app.connect(bridge);
else
	bridge.post({
		type: 'log/error',
		message: 'The page has no <cl-app-shell> element; it was not built by renderWebviewHtml.',
	});
