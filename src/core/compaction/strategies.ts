/** Name of a compaction strategy (Z4: chosen by name). */
export type StrategyName =
	'summarize' | 'structure' | 'structure-aggressive' | 'prune' | 'lru' | 'window' | 'tc-cap' | 'rotate';

/** A strategy as the person picks it: its name, whether it calls a summariser, and one line on what it does. */
export interface CompactionStrategy {
	readonly name: StrategyName;
	/** True when the plan's middle goes to a summariser (the others are deterministic). */
	readonly usesSummarizer: boolean;
	readonly description: string;
}

/** Every strategy, in the order menus list them; the first is the default. Descriptions are shown to people: no ids. */
export const compactionStrategies: readonly CompactionStrategy[] = Object.freeze([
	// R4-R6, G2
	{
		name: 'summarize',
		usesSummarizer: true,
		description: 'Summarise the middle into one handoff message; the head and the recent tail stay verbatim.',
	},
	// H6
	{
		name: 'structure',
		usesSummarizer: false,
		description: 'Keep tool-call skeletons and move free text to a numbered spill file; no model call.',
	},
	// H6, aggressive mode
	{
		name: 'structure-aggressive',
		usesSummarizer: false,
		description: 'Like structure, but collapse ordinary tool pairs into a tool-call history digest.',
	},
	// R3, H4
	{
		name: 'prune',
		usesSummarizer: false,
		description: 'Only the cheap pass: deduplicate and shorten old tool output and long arguments.',
	},
	// Z2
	{ name: 'lru', usesSummarizer: false, description: 'Evict the oldest messages beyond a maximum count.' },
	// Z3
	{ name: 'window', usesSummarizer: false, description: 'Keep the first turn and the most recent turns.' },
	// Z1
	{ name: 'tc-cap', usesSummarizer: false, description: 'Cut tool results longer than a size limit.' },
	// C4
	{
		name: 'rotate',
		usesSummarizer: true,
		description: 'Start a fresh session carrying a summary and the active task.',
	},
]);

/** Outcome of looking a strategy up by name. */
export type StrategyLookup =
	| { readonly ok: true; readonly strategy: CompactionStrategy }
	| { readonly ok: false; readonly message: string };

/** Z4: the strategy with this name (case and surrounding space ignored), or a message listing every valid name. */
export function resolveStrategy(name: string): StrategyLookup {
	const wanted = name.trim().toLowerCase();
	const strategy = compactionStrategies.find((s) => s.name === wanted);
	if (strategy !== undefined) return { ok: true, strategy };
	const names = compactionStrategies.map((s) => s.name).join(', ');
	return { ok: false, message: `Unknown compaction strategy "${name}". Valid strategies: ${names}.` };
}

/** True when `name` is a strategy name. */
export function isStrategyName(name: string): name is StrategyName {
	return compactionStrategies.some((s) => s.name === name);
}
