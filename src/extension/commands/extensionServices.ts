import type * as vscode from 'vscode';
import type { ExtensionSettings } from '../adapters/settings';
import type { AuditServices } from '../audit/auditServices';
import type { ReviewStore } from '../review/pendingReviews';
import type { ReviewDocumentProvider } from '../review/reviewDocuments';
import type { ReviewPanels } from '../review/reviewPanels';
import type { ReviewService } from '../review/reviewService';
import type { PinStore } from '../sessions/pinStore';
import type { TranscriptTracker } from '../sessions/transcriptTracker';
import type { AnalysisClient } from '../../worker/client';

/** Everything the commands, views and chat handler share; built once in activate. */
export interface ExtensionServices {
	readonly context: vscode.ExtensionContext;
	readonly log: vscode.LogOutputChannel;
	readonly tracker: TranscriptTracker;
	/** Reads, counts and plans in the analysis worker, off the extension host's thread. */
	readonly analysis: AnalysisClient;
	/** The person's pinned messages, per session file. */
	readonly pins: PinStore;
	readonly store: ReviewStore;
	readonly reviews: ReviewService;
	readonly panels: ReviewPanels;
	readonly documents: ReviewDocumentProvider;
	/** Strategy comparisons and the audit of the agent's compactions. */
	readonly audit: AuditServices;
	/** The current settings, validated. */
	settings(): ExtensionSettings;
	/** Updates context keys and views after reviews or applied compactions changed. */
	reviewsChanged(): Promise<void>;
}
