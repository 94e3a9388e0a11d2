import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { analyzeBudget, resolveCounting } from '../../../src/core/budget/analyzeBudget';
import type { BudgetReport } from '../../../src/core/budget/budgetReport';
import { MessageTokenCache } from '../../../src/core/budget/messageTokenCache';
import { compactTranscript } from '../../../src/core/compaction/compactTranscript';
import type { CompactionResult } from '../../../src/core/compaction/compactTranscript';
import type { CompactionOptions } from '../../../src/core/compaction/options';
import type { CompactionPlan } from '../../../src/core/compaction/plan';
import { planCompaction } from '../../../src/core/compaction/planCompaction';
import { createOfflineSummarizer } from '../../../src/core/summarize/offline/offlineSummarizer';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';
import type { Transcript } from '../../../src/core/transcript/model';
import { buildTranscriptView } from '../../../src/core/view/buildTranscriptView';
import type { TranscriptView, WhatIfOptions } from '../../../src/core/view/viewModel';
import { corpusRoot, hasCorpus } from '../../support/corpus';
import { syntheticTranscript } from './syntheticTranscript';

/** A transcript run through the real core pipeline, as the extension host would hold it. */
export interface ViewSession {
	readonly transcript: Transcript;
	readonly report: BudgetReport;
	readonly plan: CompactionPlan;
	readonly counter: MessageTokenCache;
	readonly contextWindow: number;
	readonly view: TranscriptView;
}

/** Compaction options for a what-if on a session. */
export function whatIfOptions(
	counter: MessageTokenCache,
	contextWindow: number,
	whatIf: WhatIfOptions,
): CompactionOptions {
	return {
		counter,
		contextWindow,
		...(whatIf.strategy !== undefined ? { strategy: whatIf.strategy } : {}),
		...(whatIf.focus !== undefined && whatIf.focus.trim() !== '' ? { focus: whatIf.focus } : {}),
		...(whatIf.headMessages !== undefined ? { headMessages: whatIf.headMessages } : {}),
		...(whatIf.tailRatio !== undefined ? { tailRatio: whatIf.tailRatio } : {}),
		...(whatIf.triggerRatio !== undefined ? { triggerRatio: whatIf.triggerRatio } : {}),
	};
}

/** Budget, plan and view of an in-memory transcript. */
export function sessionOf(transcript: Transcript, file: string, contextWindowOverride?: number): ViewSession {
	const counting = resolveCounting(
		transcript,
		contextWindowOverride !== undefined ? { contextWindow: contextWindowOverride } : {},
	);
	const counter = new MessageTokenCache(new TokenCounter(counting.profile));
	const report = analyzeBudget(transcript, {
		file,
		cache: counter,
		...(contextWindowOverride !== undefined ? { contextWindow: contextWindowOverride } : {}),
	});
	const plan = planCompaction(transcript, whatIfOptions(counter, report.contextWindow, {}));
	return {
		transcript,
		report,
		plan,
		counter,
		contextWindow: report.contextWindow,
		view: buildTranscriptView(transcript, report, plan),
	};
}

/** Reads and parses a transcript file, then runs `sessionOf`; throws when the file does not parse (a test bug). */
export function openSession(path: string, contextWindowOverride?: number): ViewSession {
	const read = parseTranscript(new Uint8Array(readFileSync(path)), path);
	if (!read.ok) throw new Error(`${basename(path)} did not parse: ${read.failure.message}`);
	return sessionOf(read.transcript, path, contextWindowOverride);
}

/** Compacts a session with the offline summariser, as the review panel would show it. */
export function compactSession(session: ViewSession, whatIf: WhatIfOptions = {}): Promise<CompactionResult> {
	return compactTranscript(
		session.transcript,
		whatIfOptions(session.counter, session.contextWindow, whatIf),
		createOfflineSummarizer(),
		new AbortController().signal,
	);
}

/** The large real session the chromium suites render, or a synthetic one where the corpus is absent (never in CI). */
export function realOrSyntheticSession(syntheticMessages: number, syntheticWindow: number): ViewSession {
	return hasCorpus()
		? openSession(join(corpusRoot, 'claude-code', 'codemie-session-3fe1b6bc.jsonl'))
		: sessionOf(syntheticTranscript(syntheticMessages), 'synthetic.jsonl', syntheticWindow);
}
