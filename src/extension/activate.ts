import { join } from 'node:path';
import * as vscode from 'vscode';
import { analyzeBudget } from '../core/budget/analyzeBudget';
import { handoffPrefix } from '../core/compaction/handoff';
import { readTranscriptFile } from '../core/io/readTranscriptFile';
import { messagesInWindow } from '../core/transcript/model';
import { formatReadFailure } from '../core/transcript/readTranscript';
import { readSettings } from './adapters/settings';
import { AuditViews, CompareRunner } from './audit/auditServices';
import { registerContextParticipant } from './chat/contextParticipant';
import type { ExtensionServices } from './commands/extensionServices';
import { registerCommands } from './commands/registerCommands';
import { transcriptEditorViewType } from './commands/transcriptCommands';
import { TranscriptEditorProvider } from './editors/transcriptEditor';
import { registerHooks } from './hooks/registerHooks';
import { ReviewStore } from './review/pendingReviews';
import { PinStore } from './sessions/pinStore';
import { ReviewDocumentProvider, reviewScheme } from './review/reviewDocuments';
import { ReviewPanels, reviewPanelViewType } from './review/reviewPanels';
import { ReviewService } from './review/reviewService';
import { followActiveEditor } from './sessions/activeTranscriptFollower';
import { notifyThresholdCrossings } from './sessions/thresholdNotifier';
import { TranscriptTracker } from './sessions/transcriptTracker';
import { GaugeViewProvider, gaugeViewId, type GaugeShown } from './views/gaugeView';
import { SessionsTreeProvider, sessionsViewId } from './views/sessionsTree';
import { TranscriptStatusBar } from './views/statusBar';
import { formatStatusText } from './views/statusText';
import { callAnalysis, transcriptController } from './views/transcriptController';
import type { PlanView, WhatIfOptions } from '../core/view/viewModel';
import type { Reply } from '../protocol/messages';
import { WorkerAnalysisClient } from '../worker/client';

/** A fresh, independent read of a transcript file (not the tracker's live state), for the host tests to compare with. */
export interface TranscriptProbe {
	readonly ok: boolean;
	readonly message?: string;
	readonly format?: string;
	readonly tokens?: number;
	readonly contextWindow?: number;
	/** The status text these numbers should produce. */
	readonly statusText?: string;
	readonly windowMessages?: number;
	/** Window messages that are a summary: flagged so, or carrying the handoff text (R11) merged into a turn (R13). */
	readonly summaryMessages?: number;
	readonly distinctIds?: boolean;
}

/** What the host tests read through `extension.exports`; returned only when VS Code runs the extension's tests. */
export interface ContextLensTestApi {
	/** Reads a file with core from scratch (the test bundle cannot load every core dependency itself). */
	probe(path: string): Promise<TranscriptProbe>;
	statusBarText(): string | undefined;
	/** The numbers the Gauge view shows now. */
	gaugeShown(): GaugeShown | undefined;
	/** Type of the last message a review's page got once it was ready (undefined until the page loads). */
	reviewPageMessage(reviewId: string): string | undefined;
	/** Threshold crossings so far: file and the auto-compaction mode in force. */
	thresholdCrossings(): readonly { readonly path: string; readonly mode: string }[];
	/** How the Gauge view renders (the webview bundle over the protocol once its page is ready). */
	gaugePage(): string;
	activeTranscript(): string | undefined;
	pendingReviewIds(): string[];
	editorPanels(): number;
	/** What a Context Lens editor of `path` shows instead of a transcript (a read failure), if anything. */
	editorEmptyMessage(path: string): string | undefined;
	/** How many transcript views the Gauge page was sent, and which transcript the last one showed. */
	gaugeViews(): { readonly count: number; readonly transcriptId?: string };
	/** How many pending reviews the Gauge page was last told of (undefined before its first post). */
	gaugePendingReviews(): number | undefined;
	/** Answers a what-if plan request for a tracked file as the transcript pages do (the plan is made in the worker). */
	planWhatIf(path: string, whatIf: WhatIfOptions): Promise<Reply<PlanView> | undefined>;
	/** The compaction gate: its channel, the questions on screen, an answer as a click would give, what it decided. */
	gateSocket(): string | undefined;
	gatePrompts(): readonly { readonly id: number; readonly message: string }[];
	answerGate(id: number, choice: 'review' | 'compact'): boolean;
	gateDecisions(): readonly { readonly sessionId: string; readonly decision: string; readonly by: string }[];
	/** The pinned message indexes the editor and gauge show for a tracked file now (undefined when not tracked). */
	pinnedShown(path: string): Promise<readonly number[] | undefined>;
	/** The pins a fresh store reads from the workspace state for a file, as after a reload (window indexes). */
	pinsAfterReload(path: string): Promise<readonly number[]>;
}

/** Activates the extension: builds the services and registers every view, editor, command and the chat participant. */
export function activate(context: vscode.ExtensionContext): ContextLensTestApi | undefined {
	const log = vscode.window.createOutputChannel('Context Lens', { log: true });
	context.subscriptions.push(log);
	log.info(`Context Lens ${String(context.extension.packageJSON.version)} activated`);

	const settings = (): ReturnType<typeof readSettings> => readSettings(context);
	const initial = settings();
	const thresholdsOf = (s: ReturnType<typeof readSettings>): { compaction: number; rotation: number } => ({
		compaction: s.compactionRatio,
		rotation: s.rotationRatio,
	});
	// Reading, counting and planning run in a worker thread, so the extension host's event loop never does them; the
	// worker is this same bundle (src/extension/entry.ts).
	const analysis = new WorkerAnalysisClient(join(context.extensionPath, 'dist', 'extension.js'), {
		log: (line) => log.info(line),
	});
	context.subscriptions.push({ dispose: () => void analysis.dispose() });
	const tracker = new TranscriptTracker(initial.contextWindows, thresholdsOf(initial), analysis, log);
	const store = new ReviewStore(context.workspaceState);
	const pins = new PinStore(context.workspaceState);
	// Plans are kept in files in the extension's storage folder, not in workspaceState (see PendingReview.planFile).
	const reviews = new ReviewService(
		store,
		analysis,
		join((context.storageUri ?? context.globalStorageUri).fsPath, 'plans'),
	);
	void reviews.removeOrphanPlans().then(
		(removed) => removed > 0 && log.info(`removed ${removed} plan files no pending review names`),
		(error: unknown) => log.warn(`could not tidy the plan files: ${String(error)}`),
	);
	const documents = new ReviewDocumentProvider(reviews, () => settings().contextWindows);
	const panels = new ReviewPanels(
		reviews,
		documents,
		() => settings().contextWindows,
		log,
		context.extensionUri,
	);
	// Views are built after the services they read, so refreshing them goes through this list.
	const viewRefreshers: (() => void)[] = [];
	const crossings: { path: string; mode: string }[] = [];
	const compareRunner = new CompareRunner(analysis, log);
	const services: ExtensionServices = {
		context,
		log,
		tracker,
		analysis,
		pins,
		store,
		reviews,
		panels,
		documents,
		audit: { compare: compareRunner, views: new AuditViews(analysis) },
		settings,
		reviewsChanged: async () => {
			await vscode.commands.executeCommand(
				'setContext',
				'contextLens.hasPendingReview',
				store.reviews().length > 0,
			);
			await vscode.commands.executeCommand('setContext', 'contextLens.canUndo', store.applied().length > 0);
			for (const refresh of viewRefreshers) refresh();
		},
	};
	const gauge = new GaugeViewProvider(services);
	const sessions = new SessionsTreeProvider(services);
	viewRefreshers.push(() => gauge.render());
	const editor = new TranscriptEditorProvider(services);
	const statusBar = new TranscriptStatusBar(tracker, thresholdsOf(initial));
	const hooks = registerHooks(services);

	context.subscriptions.push(
		compareRunner,
		tracker,
		documents,
		panels,
		gauge,
		sessions,
		statusBar,
		vscode.window.registerWebviewViewProvider(gaugeViewId, gauge),
		vscode.window.registerTreeDataProvider(sessionsViewId, sessions),
		vscode.window.registerCustomEditorProvider(transcriptEditorViewType, editor, {
			webviewOptions: { retainContextWhenHidden: false },
			supportsMultipleEditorsPerDocument: true,
		}),
		vscode.workspace.registerTextDocumentContentProvider(reviewScheme, documents),
		vscode.window.registerWebviewPanelSerializer(reviewPanelViewType, reviewPanelSerializer(store, panels)),
		...registerCommands(services, () => sessions.refresh()),
		...registerContextParticipant(services),
		...hooks.disposables,
		followActiveEditor(tracker, log),
		notifyThresholdCrossings(
			tracker,
			() => settings().autoCompactionMode,
			log,
			(path, mode) => crossings.push({ path, mode }),
		),
		vscode.workspace.onDidChangeConfiguration(async (event) => {
			if (!event.affectsConfiguration('contextLens')) return;
			const next = settings();
			statusBar.setThresholds(thresholdsOf(next));
			await tracker.reconfigure(next.contextWindows, thresholdsOf(next));
			if (event.affectsConfiguration('contextLens.sessions.roots')) sessions.refresh();
			gauge.render();
		}),
		vscode.workspace.onDidGrantWorkspaceTrust(() => void services.reviewsChanged()),
	);
	void services.reviewsChanged();

	if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
	return testApi({ services, statusBar, gauge, panels, crossings, editor, hooks });
}

/** The parts of the running extension the test API reads. */
interface TestApiParts {
	readonly services: ExtensionServices;
	readonly statusBar: TranscriptStatusBar;
	readonly gauge: GaugeViewProvider;
	readonly panels: ReviewPanels;
	readonly crossings: readonly { readonly path: string; readonly mode: string }[];
	readonly editor: TranscriptEditorProvider;
	readonly hooks: ReturnType<typeof registerHooks>;
}

/** What the host tests read through `extension.exports` (test mode only). */
function testApi(parts: TestApiParts): ContextLensTestApi {
	const { services, statusBar, gauge, panels, crossings, editor, hooks } = parts;
	const { tracker, store, pins, context, settings } = services;
	return {
		probe: (path) => probeTranscript(path, settings().contextWindows),
		statusBarText: () => statusBar.text,
		gaugeShown: () => gauge.shown,
		gaugePage: () => gauge.pageKind,
		reviewPageMessage: (id) => panels.readyPageMessage(id),
		thresholdCrossings: () => crossings,
		activeTranscript: () => tracker.active?.path,
		pendingReviewIds: () => store.reviews().map((r) => r.id),
		editorPanels: () => editor.openPanels,
		editorEmptyMessage: (path) => editor.emptyMessage(path),
		gaugeViews: () => gauge.views,
		gaugePendingReviews: () => gauge.pendingReviewsPosted,
		planWhatIf: async (path, whatIf) => {
			let reply: Reply<PlanView> | undefined;
			await transcriptController(services, () => tracker.get(path)).handle(
				{ type: 'plan/request', requestId: 1, transcriptId: path, whatIf },
				(message) => {
					if (message.type === 'plan/result') reply = message.result;
				},
			);
			return reply;
		},
		gateSocket: () => hooks.gate.socket,
		gatePrompts: () => hooks.gate.prompts.shown(),
		answerGate: (id, choice) => hooks.gate.prompts.answer(id, choice),
		gateDecisions: () =>
			hooks.gate.events.map((e) => ({
				sessionId: e.request.sessionId,
				decision: e.answer.decision,
				by: e.answer.by,
			})),
		pinnedShown: async (path) => {
			const tracked = tracker.get(path);
			if (tracked?.state?.ok !== true) return undefined;
			const pinned = await callAnalysis(services, 'session.pinned', {
				path,
				windows: tracked.windows,
				pins: pins.entry(path),
			});
			return pinned.ok ? pinned.indexes : undefined;
		},
		pinsAfterReload: async (path) => {
			const pinned = await callAnalysis(services, 'session.pinned', {
				path,
				windows: settings().contextWindows,
				pins: new PinStore(context.workspaceState).entry(path),
			});
			return pinned.ok ? pinned.indexes : [];
		},
	};
}

/**
 * Restores a review panel after a reload. H2: the page saves the review id it shows (and the one it drafted for);
 * otherwise the newest pending review without a panel is the one this panel showed.
 */
function reviewPanelSerializer(store: ReviewStore, panels: ReviewPanels): vscode.WebviewPanelSerializer {
	return {
		deserializeWebviewPanel: async (panel, state: unknown) => {
			const saved = state as { reviewId?: unknown; draft?: { planId?: unknown } } | undefined;
			const id = saved?.reviewId ?? saved?.draft?.planId;
			const review =
				(typeof id === 'string' ? store.review(id) : undefined) ??
				store
					.reviews()
					.reverse()
					.find((r) => !panels.hasPanel(r.id));
			if (review === undefined) panel.dispose();
			else panels.attach(panel, review);
		},
	};
}

/** Reads a transcript file with core from scratch, independent of the tracker, for the host tests' `probe`. */
async function probeTranscript(
	path: string,
	windows: ReturnType<typeof readSettings>['contextWindows'],
): Promise<TranscriptProbe> {
	const read = await readTranscriptFile(path);
	if (!read.ok) return { ok: false, message: formatReadFailure(read.failure) };
	const report = analyzeBudget(read.transcript, { file: path, windows });
	const window = messagesInWindow(read.transcript);
	return {
		ok: true,
		format: read.transcript.format,
		tokens: report.tokens.total,
		contextWindow: report.contextWindow,
		statusText: formatStatusText(report.tokens.total, report.contextWindow),
		windowMessages: window.length,
		summaryMessages: window.filter(
			(m) =>
				m.flags.isSummary ||
				m.parts.some((p) => p.kind === 'text' && p.text.includes(handoffPrefix.slice(0, 40))),
		).length,
		distinctIds: new Set(read.transcript.messages.map((m) => m.id)).size === read.transcript.messages.length,
	};
}

/** Nothing to release beyond the subscriptions VS Code disposes. */
export function deactivate(): void {}
