/** Messages the review panel's page sends to the host (`area/event` tags, STYLE.md). */
export type ReviewViewToHost =
	| { readonly type: 'ready' }
	| { readonly type: 'summary/edit'; readonly text: string }
	| { readonly type: 'review/apply' }
	| { readonly type: 'review/discard' }
	| { readonly type: 'review/openDiff' }
	| { readonly type: 'review/rerun' };

/** Messages the host sends to the review panel's page. */
export type ReviewHostToView = {
	readonly type: 'summary/counted';
	readonly tokensAfter: number;
	readonly syntheticTokens: number;
};

/** Longest summary text accepted from the page, in characters (a bound against a runaway page, not a policy). */
export const maxSummaryChars = 2_000_000;

const simpleTypes = new Set(['ready', 'review/apply', 'review/discard', 'review/openDiff', 'review/rerun']);

/** Validates one inbound message at the host edge; undefined for anything malformed or unknown. */
export function parseReviewMessage(value: unknown): ReviewViewToHost | undefined {
	if (typeof value !== 'object' || value === null) return undefined;
	const type = (value as { type?: unknown }).type;
	if (typeof type !== 'string') return undefined;
	if (simpleTypes.has(type)) return { type } as ReviewViewToHost;
	if (type === 'summary/edit') {
		const text = (value as { text?: unknown }).text;
		return typeof text === 'string' && text.length <= maxSummaryChars ? { type, text } : undefined;
	}
	return undefined;
}
