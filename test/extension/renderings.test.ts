import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import fc from 'fast-check';
import { analyzeBudget } from '../../src/core/budget/analyzeBudget';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { messagesInWindow } from '../../src/core/transcript/model';
import { renderMessageListHtml } from '../../src/extension/editors/messageListHtml';
import { readablePartChars, renderReadableTranscript } from '../../src/extension/review/readableTranscript';
import { escapeHtml, renderGaugeHtml } from '../../src/extension/views/gaugeHtml';
import { describeCorpus } from '../support/corpus';

const context = {
	thresholds: { compaction: 0.8, rotation: 0.95 },
	pendingReviews: 1,
	canCompact: true,
	cspSource: 'vscode-resource:',
};

describe('renderings', () => {
	it('escapes every HTML-significant character', () => {
		fc.assert(
			fc.property(fc.string(), (text) => {
				const escaped = escapeHtml(text);
				assert.ok(!/[<>"']/.test(escaped));
				assert.ok(!/&(?!#\d+;)/.test(escaped));
			}),
			{ numRuns: 1000 },
		);
	});

	for (const folder of [
		'claude-code',
		'codex',
		'copilot-chat',
		'openai-chat',
		'anthropic-messages',
		'other/gemini-cli',
	]) {
		describe(folder, () => {
			describeCorpus(folder, (file) => {
				it(`${basename(file)}: gauge, message list and readable text carry the report's numbers`, async () => {
					const read = await readTranscriptFile(file);
					if (!read.ok) return;
					const report = analyzeBudget(read.transcript, { file });
					const html = renderGaugeHtml(report, context, renderMessageListHtml(read.transcript, report));
					assert.ok(
						html.includes(
							`${report.tokens.total.toLocaleString('en-US')} of ${report.contextWindow.toLocaleString('en-US')} tokens`,
						),
					);
					assert.ok(html.includes(`${Math.floor((report.tokens.total / report.contextWindow) * 100)}%`));
					assert.ok(html.includes(`Messages in the window (${report.messages})`));
					assert.ok(!/<script/i.test(html), 'the gauge runs no script');
					const readable = renderReadableTranscript(read.transcript);
					const headers = readable.split('\n').filter((line) => line.startsWith('── ')).length;
					assert.equal(headers, messagesInWindow(read.transcript).length);
					const window = messagesInWindow(read.transcript);
					const partCount = window.reduce((n, m) => n + m.parts.length, 0);
					// Every part is elided to about readablePartChars, so the rendering stays proportional to the messages.
					assert.ok(readable.length <= (partCount + window.length) * (readablePartChars + 200) + 1);
				});
			});
		});
	}
});
