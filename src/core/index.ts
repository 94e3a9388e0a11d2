// The public surface of the core: what the extension, the CLI and the benchmarks build on.
export type * from './transcript/model';
export { messagesInWindow, isSidechainFile, makeFlags, noFlags } from './transcript/model';
export type { TranscriptFormat, WrittenTranscript, WriteOptions } from './transcript/format';
export { transcriptFormats, findFormat, parseFormatId } from './transcript/registry';
export {
	parseTranscript,
	detectFormat,
	formatReadFailure,
	JsonlTranscriptReader,
	type ReadResult,
	type ReadFailure,
	type ReadOptions,
} from './transcript/readTranscript';
export { pairToolCalls, type ToolPairing, type ToolPair } from './transcript/toolPairs';
export { readTranscriptFile, type FileReadOptions } from './io/readTranscriptFile';
export { LiveTranscriptFile, type LiveRefresh } from './io/liveTranscriptFile';
export { countTextTokens, estimateTokensByChars, type EncodingName } from './tokens/encoding';
export { resolveModel, type ModelProfile, type ModelOverrides } from './tokens/modelRegistry';
export { TokenCounter, tokenCategories, type TokenCategory, type MessageTokens } from './tokens/tokenCounter';
export { analyzeBudget, resolveCounting, describeMessage, type BudgetOptions } from './budget/analyzeBudget';
export type { BudgetReport, BudgetCategory, RegionSummary } from './budget/budgetReport';
export { MessageTokenCache } from './budget/messageTokenCache';
export { planCompaction } from './compaction/planCompaction';
export { summarizePlan } from './compaction/summarizePlan';
export { applyPlan, renderSpill, checkPlanFits } from './compaction/applyPlan';
export {
	compactTranscript,
	type CompactionResult,
	type CompactionEvent,
} from './compaction/compactTranscript';
export { compactionStrategies, resolveStrategy, type StrategyName } from './compaction/strategies';
export type { CompactionPlan } from './compaction/plan';
export { serializePlan, parsePlan } from './compaction/serializePlan';
export { exportPlainText } from './compaction/exportPlainText';
export * from './compaction/options';
export { extractArtifacts, type Artifact, type ArtifactKind } from './facts/extractArtifacts';
export { reportLostFacts, type LostFactsReport } from './facts/reportLostFacts';
export type { Summarizer, SummaryRequest, SummaryOutcome } from './compaction/summarizer';
export { createOfflineSummarizer } from './summarize/offline/offlineSummarizer';
