import type { LostFactsReport } from '../facts/reportLostFacts';
import { redactTexts } from '../redaction/redactSecrets';
import type { CompactionPlan } from './plan';

// `name: value` keeps the name beside its value, so `deploy_key: …` is redacted by context as well as by shape.
const namedSeparator = ': ';

/**
 * R12: the plan with every text the written handoff quotes redacted (the active task, preserved values, the previous
 * summary, a deterministic strategy's own synthetic text), in one pass. The summary input keeps its lazy getter;
 * the user's kept messages are not part of the plan and stay as written.
 */
export async function redactPlanTexts(plan: CompactionPlan): Promise<CompactionPlan> {
	const preserved = Object.entries(plan.preservedValues);
	const texts = [
		...preserved.map(([key, value]) => `${key}${namedSeparator}${value}`),
		plan.activeTask?.text ?? '',
		plan.previousSummary ?? '',
		plan.synthetic?.text ?? '',
	];
	const redacted = await redactTexts(texts);
	if (redacted.findings.length === 0) return plan;
	const out = redacted.texts;
	const preservedValues: Record<string, string> = {};
	preserved.forEach(([key, value], i) => {
		const line = out[i] ?? '';
		const prefix = `${key}${namedSeparator}`;
		preservedValues[key] = line.startsWith(prefix)
			? line.slice(prefix.length)
			: line === texts[i]
				? value
				: line;
	});
	const [activeTask, previousSummary, syntheticText] = out.slice(preserved.length);
	const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(plan)) as {
		-readonly [K in keyof CompactionPlan]: CompactionPlan[K];
	};
	copy.preservedValues = preservedValues;
	if (plan.activeTask !== undefined) copy.activeTask = { ...plan.activeTask, text: activeTask ?? '' };
	if (plan.previousSummary !== undefined) copy.previousSummary = previousSummary ?? '';
	if (plan.synthetic?.text !== undefined) copy.synthetic = { ...plan.synthetic, text: syntheticText ?? '' };
	return copy;
}

/** R12: a lost-facts report whose lost values (shown in the review and stored with it) are redacted. */
export async function redactLostFacts(report: LostFactsReport): Promise<LostFactsReport> {
	const redacted = await redactTexts(report.lost.map((artifact) => artifact.value));
	if (redacted.findings.length === 0) return report;
	return {
		...report,
		lost: report.lost.map((artifact, i) => ({ ...artifact, value: redacted.texts[i] ?? artifact.value })),
	};
}
