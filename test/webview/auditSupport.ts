import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseTranscript } from '../../src/core/transcript/readTranscript';
import { withAgentCompaction } from '../support/compactedSample';
import type { ViewSession } from '../core/view/viewPipeline';
import { sessionOf } from '../core/view/viewPipeline';
import type { WebviewPage } from './harness';

/** The bundled sample session's path. */
export const samplePath = join(
	resolve(__dirname, '..', '..'),
	'test',
	'fixtures',
	'sample-claude-session.jsonl',
);

/** The bundled sample with an automatic compaction, measured against a 50k window so the rules are in view. */
export function compactedSampleSession(): ViewSession {
	const text = withAgentCompaction(readFileSync(samplePath, 'utf8'));
	const read = parseTranscript(new TextEncoder().encode(text), samplePath);
	if (!read.ok) throw new Error(read.failure.message);
	return sessionOf(read.transcript, 'compacted.jsonl', 50_000);
}

/** Opens a collapsed editor section by clicking its header, as a person does. */
export async function openSection(view: WebviewPage, section: string): Promise<void> {
	const collapsible = view.page.locator(`vscode-collapsible[data-section=${section}]`);
	await collapsible.click({ position: { x: 40, y: 10 } });
	const deadline = Date.now() + 5_000;
	while (!(await collapsible.evaluate((el) => (el as unknown as { open: boolean }).open))) {
		if (Date.now() > deadline) throw new Error(`the ${section} section did not open`);
		await new Promise((done) => setTimeout(done, 50));
	}
}
