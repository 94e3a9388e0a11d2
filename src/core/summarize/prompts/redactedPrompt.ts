import { redactSummaryRequest } from '../../compaction/redactRequest';
import type { SummaryRequest } from '../../compaction/summarizer';
import type { RedactionFinding } from '../../redaction/redactSecrets';
import { buildSummaryPrompt } from './buildSummaryPrompt';
import type { SummaryPrompt, SummaryPromptOptions } from './buildSummaryPrompt';

/** A prompt built only from redacted text, and what redaction replaced. */
export interface RedactedSummaryPrompt {
	readonly prompt: SummaryPrompt;
	readonly findings: readonly RedactionFinding[];
}

/**
 * The only way network summarisers build a prompt: redact the request first (R7), then build the prompt from the
 * redacted copy, so no code path can put unredacted text on the wire.
 */
export async function buildRedactedSummaryPrompt(
	request: SummaryRequest,
	options: SummaryPromptOptions,
): Promise<RedactedSummaryPrompt> {
	const redacted = await redactSummaryRequest(request);
	return { prompt: buildSummaryPrompt(redacted.request, options), findings: redacted.findings };
}
