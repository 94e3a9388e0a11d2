import { formatCount } from '../text/textCuts';
import type { RecordedComparison } from './budgetReport';

/** A token count with thousands separators, as every surface prints it: `131,386`. */
export function formatTokens(tokens: number): string {
	return formatCount(tokens);
}

/** A token count in at most four characters: `812`, `4.2k`, `98k`, `1.2M`. */
export function formatTokensShort(tokens: number): string {
	const value = Math.round(tokens) + 0;
	const abs = Math.abs(value);
	if (abs < 1000) return String(value);
	if (abs < 10_000) return `${(value / 1000).toFixed(1).replace(/\.0$/, '')}k`;
	if (abs < 999_500) return `${Math.round(value / 1000)}k`;
	return `${(value / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

/**
 * The share of the window in use, as every surface prints it: cut to a whole percent, so 79.9% never reads as
 * the 80% mark; a non-zero share under 1% reads `<1%`.
 */
export function formatWindowPercent(percent: number): string {
	if (percent > 0 && percent < 1) return '<1%';
	return `${Math.floor(percent)}%`;
}

/** The whole percent a window share is cut to (see formatWindowPercent). */
export function wholeWindowPercent(percent: number): number {
	return Math.floor(percent);
}

/** A share that is not the window's (a reduction, facts kept), rounded to a whole percent: `56%`. */
export function formatShare(percent: number): string {
	return `${Math.round(percent)}%`;
}

/** A signed difference in percent with one decimal and a true minus sign: `+9.3%`, `−11.6%`. */
export function formatSignedPercent(percent: number): string {
	const rounded = Math.round(percent * 10) / 10 + 0;
	return `${rounded < 0 ? '−' : '+'}${Math.abs(rounded).toFixed(1)}%`;
}

/** A window message as the person finds it in every list: 1-based, `#12`. */
export function formatMessageNumber(index: number): string {
	return `#${index + 1}`;
}

/**
 * The agent's recorded figure beside ours, measured against the same request:
 * `the agent recorded 130,533 for the request at #155; we count 142,712 for it (+9.3%)`.
 */
export function describeRecorded(recorded: RecordedComparison): string {
	return (
		`the agent recorded ${formatTokens(recorded.tokens)} for the request at ${formatMessageNumber(recorded.atMessage)}; ` +
		`we count ${formatTokens(recorded.ourTokens)} for it (${formatSignedPercent(recorded.errorPct)})`
	);
}

/**
 * What is pinned, as every surface prints it after `pinned: `: `3 messages, 4.2k tokens`, naming the tool partners
 * kept with them when there are any: `1 message (+1 tool partner), 12k tokens`.
 */
export function formatPinned(pinned: {
	readonly messages: number;
	readonly partners: number;
	readonly tokens: number;
}): string {
	const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
	const partners = pinned.partners > 0 ? ` (+${plural(pinned.partners, 'tool partner')})` : '';
	return `${plural(pinned.messages, 'message')}${partners}, ${formatTokensShort(pinned.tokens)} tokens`;
}
