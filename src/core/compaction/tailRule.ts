import { formatCount } from '../text/textCuts';
import { triggerTokensFor } from './options';
import type { CompactionPlan } from './plan';

/**
 * The rule that sized a plan's protected tail, in words for the person: `tail: newest 20% of this session
 * (9,145 tokens)` when the session bounded it, `tail: 20% of the compaction threshold (32,000 tokens)` otherwise,
 * or the message count of a count-based tail (G2/H5).
 */
export function describeTailRule(plan: CompactionPlan): string {
	const { options } = plan;
	const share = `${Math.round(options.tailRatio * 100)}%`;
	if (options.keepRecentMessages !== undefined)
		return `tail: the newest ${formatCount(options.keepRecentMessages)} messages`;
	const threshold = triggerTokensFor(options.contextWindow, options.triggerRatio, options.triggerFloorTokens);
	const windowBudget = Math.floor(threshold * options.tailRatio);
	const sessionBudget = Math.floor(plan.tokensBefore * options.tailRatio);
	return options.tailSizing === 'session' && sessionBudget < windowBudget
		? `tail: newest ${share} of this session (${formatCount(sessionBudget)} tokens)`
		: `tail: ${share} of the compaction threshold (${formatCount(windowBudget)} tokens)`;
}
