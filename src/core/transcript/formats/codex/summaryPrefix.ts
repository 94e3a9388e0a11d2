/** Text our writer puts before a summary in a compacted rollout, in our own words: a different model wrote what follows. */
export const codexSummaryPrefix =
	'A different model condensed the earlier part of this session into the handoff summary below. ' +
	'Treat it as your record of what has already happened and carry on with the work from where it leaves off.';
