import type { CompactionOptions } from '../core/compaction/options';
import type { TokenCounting } from '../core/compaction/tokenCounting';
import type { WhatIfOptions } from '../core/view/viewModel';
import type { PlanSettings } from './protocol';

/** Planner options from the settings (and what-if overrides) for a transcript measured against `contextWindow`. */
export function planOptions(
	settings: PlanSettings,
	counter: TokenCounting,
	contextWindow: number,
	overrides: WhatIfOptions = {},
): CompactionOptions {
	const focus = overrides.focus?.trim();
	return {
		counter,
		contextWindow,
		strategy: overrides.strategy ?? settings.defaultStrategy,
		headMessages: overrides.headMessages ?? settings.headMessages,
		tailRatio: overrides.tailRatio ?? settings.tailRatio,
		triggerRatio: overrides.triggerRatio ?? settings.compactionRatio,
		rotationRatio: settings.rotationRatio,
		...(focus !== undefined && focus !== '' ? { focus } : {}),
	};
}

/** The plan settings out of a larger settings object, so only they cross to the worker. */
export function planSettingsOf(settings: PlanSettings): PlanSettings {
	return {
		defaultStrategy: settings.defaultStrategy,
		headMessages: settings.headMessages,
		tailRatio: settings.tailRatio,
		compactionRatio: settings.compactionRatio,
		rotationRatio: settings.rotationRatio,
	};
}
