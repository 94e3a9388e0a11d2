import { redactSecrets } from '../redaction/redactSecrets';
import type { Transcript } from '../transcript/model';
import { messagesInWindow } from '../transcript/model';
import { isSystemRole, isUserPrompt, renderPart } from './messageParts';
import type { CompactionPlan } from './plan';
import type { RegionSpan } from './planRegions';
import { formatCount, oneLine } from '../text/textCuts';

/** H9: how many recent messages the plain-text export lists. */
export const exportedRecentMessages = 5;

function span(name: string, region: RegionSpan): string {
	return `${name} ${region.from}..${region.to} (${region.to - region.from} msgs, ${formatCount(region.tokens)} tokens)`;
}

/**
 * H9: a plain-text export of a transcript for logs and bug reports: [STATS], [CONFIG] (with a plan: its options),
 * [PLAN] when a plan is given, and [RECENT_MESSAGES] (the last five, one line each). The report is meant to be
 * pasted into bug reports, so secrets in it are redacted.
 */
export async function exportPlainText(transcript: Transcript, plan?: CompactionPlan): Promise<string> {
	const window = messagesInWindow(transcript);
	const turns = window.filter(isUserPrompt).length;
	const lines = [
		'[STATS]',
		`format: ${transcript.format}`,
		...(transcript.meta.sessionId !== undefined ? [`session: ${transcript.meta.sessionId}`] : []),
		`messages: ${window.length} in the window, ${transcript.messages.length} in the file`,
		`turns: ${turns}`,
	];
	if (plan !== undefined) {
		const window = plan.options.contextWindow;
		const percent =
			window > 0 ? ` of ${formatCount(window)} (${((plan.tokensBefore / window) * 100).toFixed(1)}%)` : '';
		lines.push(`tokens: ${formatCount(plan.tokensBefore)}${percent}`);
	}
	lines.push('', '[CONFIG]');
	const systemText =
		transcript.meta.systemText ??
		window
			.find((m) => isSystemRole(m.role))
			?.parts.map(renderPart)
			.join(' ');
	lines.push(
		`system prompt: ${systemText !== undefined ? JSON.stringify(oneLine(systemText, 80)) : '(none stored)'}`,
	);
	if (transcript.meta.model !== undefined) lines.push(`model: ${transcript.meta.model}`);
	if (plan !== undefined) {
		const o = plan.options;
		lines.push(
			`strategy: ${plan.strategy}`,
			`trigger: ${Math.round(o.triggerRatio * 100)}% (${formatCount(plan.triggerTokens)} tokens), rotation ${Math.round(o.rotationRatio * 100)}%`,
			`head: ${o.headMessages} messages, tail: ${Math.round(o.tailRatio * 100)}% of the trigger (min ${o.tailMinMessages})`,
			...(o.outputKeys.length > 0 ? [`output keys: ${o.outputKeys.join(', ')}`] : []),
			...(o.focus !== undefined ? [`focus: ${o.focus}`] : []),
		);
		lines.push(
			'',
			'[PLAN]',
			`id: ${plan.id}`,
			`regions: ${span('head', plan.regions.head)} · ${span('middle', plan.regions.middle)} · ${span('tail', plan.regions.tail)}`,
			`messages: kept ${plan.counts.kept} · summarised ${plan.counts.summarized} · dropped ${plan.counts.dropped} · edited ${plan.counts.edited}`,
			`cheap pass: ${formatCount(plan.pruneCandidates.tokens)} tokens (dedup ${formatCount(plan.pruneCandidates.byKind.dedup)}, tool output ${formatCount(plan.pruneCandidates.byKind.toolOutput)}, arguments ${formatCount(plan.pruneCandidates.byKind.arguments)})`,
			`estimate after: ${formatCount(plan.estimatedTokensAfter)} tokens`,
			`preflight: ${plan.preflight.ok ? 'ok' : plan.preflight.message}`,
		);
	}
	lines.push('', '[RECENT_MESSAGES]');
	for (const message of window.slice(-exportedRecentMessages)) {
		lines.push(`  [${message.role}] ${oneLine(message.parts.map(renderPart).join(' '), 60)}`);
	}
	return (await redactSecrets(`${lines.join('\n')}\n`)).text;
}
