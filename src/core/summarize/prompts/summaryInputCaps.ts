// What a model summariser is shown of the middle (R7, G6): limits that belong to the summariser, not to the plan.

/** Limits on what the summariser is shown (R7, G6), applied by the prompt builder. */
export interface SummaryInputCaps {
	/** R7: characters kept from the start of a long message. */
	readonly messageHeadChars: number;
	/** R7: characters kept from the end of a long message. */
	readonly messageTailChars: number;
	/** R7: characters of tool-call arguments shown. */
	readonly toolArgumentsChars: number;
	/** G6: bytes a message may take in the prose-style transcript. */
	readonly messageCapBytes: number;
	/** G6: flat token cost charged per image. */
	readonly imageTokens: number;
}

/** R7 and G6 defaults for the summariser input. */
export const defaultSummaryInputCaps: SummaryInputCaps = Object.freeze({
	messageHeadChars: 4_000,
	messageTailChars: 1_500,
	toolArgumentsChars: 1_500,
	messageCapBytes: 2_048,
	imageTokens: 1_000,
});

function count(value: number | undefined, fallback: number): number {
	return value !== undefined && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

/** Fills the defaults of partial caps; values out of range (negative, NaN) fall back to the default. */
export function resolveSummaryInputCaps(caps: Partial<SummaryInputCaps> = {}): SummaryInputCaps {
	return {
		messageHeadChars: count(caps.messageHeadChars, defaultSummaryInputCaps.messageHeadChars),
		messageTailChars: count(caps.messageTailChars, defaultSummaryInputCaps.messageTailChars),
		toolArgumentsChars: count(caps.toolArgumentsChars, defaultSummaryInputCaps.toolArgumentsChars),
		messageCapBytes: count(caps.messageCapBytes, defaultSummaryInputCaps.messageCapBytes),
		imageTokens: count(caps.imageTokens, defaultSummaryInputCaps.imageTokens),
	};
}
