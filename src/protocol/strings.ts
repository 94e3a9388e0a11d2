/**
 * User-facing text of the webview pages, in one place: the host builds the review with it, the Lit bundle renders it,
 * and the chromium tests assert against it, so the three cannot drift apart.
 */
import type { FormatId } from '../core/transcript/model';

/** Labels and fixed sentences of the review panel. */
export const reviewStrings = Object.freeze({
	heading: 'Compaction preview',
	restoreHeading: (compaction: number): string => `Restore what compaction ${compaction} lost`,
	apply: 'Apply',
	discard: 'Discard',
	openDiff: 'Open diff',
	rerun: 'Re-run',
	rerunFocusLabel: 'Focus for another run',
	rerunFocusPlaceholder: 'another focus',
	addAll: 'Add all to summary',
	addOne: 'add to summary',
	summary: 'Summary',
	lostFacts: 'Lost facts',
	noLostFacts: 'Every fact of the changed messages is still in the window.',
	noReview: 'No compaction is waiting for review.',
	failed: 'The compaction failed.',
	actionsLabel: 'Review actions',
	focusKeptLabel: 'Facts about the focus the output keeps, most telling first:',
	focusLostLabel: (n: number): string =>
		`${n} ${n === 1 ? 'fact' : 'facts'} about the focus ${n === 1 ? 'is' : 'are'} in Lost facts above.`,
});

/** Labels of the gauge (sidebar) and transcript pages. */
export const gaugeStrings = Object.freeze({
	compress: 'Compress…',
	openTranscript: 'Open transcript',
	largest: 'Largest',
	waiting: 'Waiting for a transcript…',
	actionsLabel: 'Gauge actions',
	/** The sidebar button that opens compactions waiting for review. */
	reviewPending: (count: number): string => `Review pending (${count})`,
});

/** Text of the editor's message list. */
export const listStrings = Object.freeze({
	/** After the list's count while the rows' previews are still arriving (a search cannot see them yet). */
	previewsLoading: (loaded: number, total: number): string =>
		`previews ${Math.floor((100 * loaded) / Math.max(total, 1))}% loaded; search covers the loaded ones`,
});

/** Labels of the editor's compaction audit (the timeline and the list of compactions). */
export const auditStrings = Object.freeze({
	timelineHeading: 'Timeline',
	compactionsHeading: 'Compactions in this file',
	noCompactions: 'The agent has not compacted this session.',
	noHistory:
		'The history it replaced is not in this file (a session Context Lens wrote keeps only the compacted window).',
	listLabel: 'Compactions recorded in the file',
	restore: 'Restore lost facts…',
	showSummary: 'Show its summary',
	showLine: 'Open line',
});

/** Labels of the editor's strategy comparison. */
export const compareStrings = Object.freeze({
	heading: 'Compare strategies',
	run: 'Compare strategies',
	runAgain: 'Compare again',
	cancel: 'Cancel',
	focusLabel: 'Focus for the summaries',
	focusPlaceholder: 'focus (optional)',
	intro:
		'Plans every strategy on this transcript with the same settings (summaries by the offline summariser, no network); nothing is written. Pick a row to review that compaction.',
	review: 'Review',
	notApplicable: 'not applicable',
	cached: 'from the cache: the transcript and settings have not changed',
});

/** What `describeApply` needs of a format: its id, its label, and whether Context Lens can write it. */
export interface ApplyTarget {
	readonly id: FormatId;
	readonly label: string;
	readonly write?: unknown;
}

// Formats whose agent resumes a written session file (by id, or Gemini CLI by path): a session to pick up.
const resumableFormats: ReadonlySet<FormatId> = new Set<FormatId>(['claude-code', 'codex', 'gemini-cli']);

/** What Apply writes for a format, as one sentence the review shows verbatim (UI.md: Apply names what it writes). */
export function describeApply(target: ApplyTarget): string {
	if (target.write === undefined)
		return `Apply is not available: ${target.label} files are read-only for Context Lens.`;
	if (resumableFormats.has(target.id))
		return 'Apply writes a new resumable session file next to the original (the original is not touched); the notification says how to resume it.';
	return `Apply writes a new ${target.label} file next to the original; the original is not touched.`;
}

/** The page shown instead of the UI when dist/webview/main.js was not built: title and what to do, without script. */
export const missingBundleStrings = Object.freeze({
	title: 'Context Lens: the webview bundle was not built',
	body: 'This view needs the webview bundle, which this copy of the extension does not have.',
	fix: 'Run npm run build (or node esbuild.mjs) in the extension folder, then reload the window.',
});
