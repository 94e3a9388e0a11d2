import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import fc from 'fast-check';
import { readTranscriptFile } from '../../src/core/io/readTranscriptFile';
import { messagesInWindow } from '../../src/core/transcript/model';
import { readablePartChars, renderReadableTranscript } from '../../src/worker/readableTranscript';
import { escapeHtml } from '../../src/protocol/webviewHtml';
import { describeCorpus } from '../support/corpus';

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
				it(`${basename(file)}: the readable text has a header per window message and stays proportional`, async () => {
					const read = await readTranscriptFile(file);
					if (!read.ok) return;
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
