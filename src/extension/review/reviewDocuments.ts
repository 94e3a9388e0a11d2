import * as vscode from 'vscode';
import type { ReviewService } from './reviewService';

/** URI scheme of the review's virtual documents (read-only renderings, never files). */
export const reviewScheme = 'context-lens-review';

/** Which side of a review diff a document shows. */
export type ReviewSide = 'original' | 'compacted';

/** The virtual document URI of one side of a review: `context-lens-review:/<id>/<side>.txt`. */
export function reviewUri(reviewId: string, side: ReviewSide): vscode.Uri {
	return vscode.Uri.from({ scheme: reviewScheme, path: `/${reviewId}/${side}.txt` });
}

/** Review id and side of a review URI, undefined for any other URI. */
export function parseReviewUri(uri: vscode.Uri): { reviewId: string; side: ReviewSide } | undefined {
	if (uri.scheme !== reviewScheme) return undefined;
	const match = /^\/([^/]+)\/(original|compacted)\.txt$/.exec(uri.path);
	if (match === null) return undefined;
	return { reviewId: match[1] ?? '', side: match[2] === 'original' ? 'original' : 'compacted' };
}

/**
 * Serves readable renderings of a review's original and compacted transcripts for the diff editor (rendered by the
 * analysis worker, which holds the review's transcript).
 */
export class ReviewDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
	private readonly changed = new vscode.EventEmitter<vscode.Uri>();

	/** Fires when a compacted rendering changes (the summary was edited). */
	readonly onDidChange = this.changed.event;

	constructor(
		private readonly reviews: ReviewService,
		private readonly windows: () => Readonly<Record<string, number>>,
	) {}

	async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
		const parsed = parseReviewUri(uri);
		if (parsed === undefined) return '';
		return this.reviews.document(parsed.reviewId, parsed.side, this.windows());
	}

	/** Tells open diff editors that a review's compacted side changed. */
	refresh(reviewId: string): void {
		this.changed.fire(reviewUri(reviewId, 'compacted'));
	}

	/** Releases the emitter. */
	dispose(): void {
		this.changed.dispose();
	}
}
