// A test-only extension the runner installs beside the extension under development: it contributes one language-model
// vendor and registers a chat model for it with the stable Language Model API. The chat view sends a request to a
// participant only when some model is selected ("Language model unavailable" otherwise), and the offline VS Code
// server has no Copilot; this model stands in so the host suite can drive `@context` in the real chat view. The
// participant's answers the suite checks never come from it (/compress summarises with the offline summariser);
// asked for text, it says it is a test model.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The vendor and model id the fake model registers (host tests may look for them). */
export const fakeChatModelVendor = 'context-lens-test';
export const fakeChatModelId = 'context-lens-test-model';

const extensionSource = `'use strict';
const vscode = require('vscode');
exports.activate = (context) => {
	const model = {
		id: ${JSON.stringify(fakeChatModelId)},
		name: 'Offline test model',
		family: 'context-lens-test',
		version: '1',
		maxInputTokens: 128000,
		maxOutputTokens: 4096,
		capabilities: {},
	};
	context.subscriptions.push(
		vscode.lm.registerLanguageModelChatProvider(${JSON.stringify(fakeChatModelVendor)}, {
			provideLanguageModelChatInformation: () => [model],
			provideLanguageModelChatResponse: async (_model, _messages, _options, progress) => {
				progress.report(new vscode.LanguageModelTextPart('I am the offline test model of the Context Lens host suite.'));
			},
			// About four characters a token: the figure a /gauge answer would show, never asserted.
			provideTokenCount: async (_model, text) =>
				Math.ceil((typeof text === 'string' ? text : JSON.stringify(text)).length / 4),
		}),
	);
};
`;

/**
 * Writes the fake-model extension into the server's extensions folder (`extensionsDir`, empty and without an
 * extensions.json index in a development run, so the server finds it by scanning) and returns its folder.
 */
export function writeFakeChatModelExtension(extensionsDir: string): string {
	const dir = join(extensionsDir, `context-lens-test.fake-chat-model-0.0.0`);
	mkdirSync(dir, { recursive: true });
	const manifest = {
		name: 'fake-chat-model',
		publisher: 'context-lens-test',
		version: '0.0.0',
		description: 'Offline test chat model for the Context Lens host suite.',
		engines: { vscode: '^1.104.0' },
		main: './extension.js',
		activationEvents: [`onLanguageModelChatProvider:${fakeChatModelVendor}`],
		contributes: {
			languageModelChatProviders: [{ vendor: fakeChatModelVendor, displayName: 'Context Lens test' }],
		},
	};
	writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
	writeFileSync(join(dir, 'extension.js'), extensionSource);
	return dir;
}
