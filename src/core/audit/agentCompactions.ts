import { windowText } from '../compaction/compactTranscript';
import { handoffPrefix } from '../compaction/handoff';
import type { TokenCounting } from '../compaction/tokenCounting';
import { extractArtifacts, type Artifact } from '../facts/extractArtifacts';
import { reportLostFacts, type LostFactsReport } from '../facts/reportLostFacts';
import { isSidechainFile, type Message, type Transcript } from '../transcript/model';
import type { CompactionFacts, CompactionTrigger, PreTokensSource } from './auditTypes';

export type { CompactionAuthor, CompactionTrigger, PreTokensSource } from './auditTypes';

/**
 * The messages of one compaction, as indexes into `transcript.messages`: the history it replaced
 * (`replacedFrom`..`replacedTo`, exclusive) and what stood in its place right after it (`keptFrom`..`keptTo`): the
 * summary, and for Codex the replacement history it carried.
 */
export interface CompactionSpan {
	readonly replacedFrom: number;
	readonly replacedTo: number;
	readonly keptFrom: number;
	readonly keptTo: number;
	/** Index of the summary message (inside the kept span). */
	readonly summary: number;
}

/** One compaction found in a session file, with the lost-facts report of its summary against what it replaced. */
export interface AgentCompaction extends CompactionFacts {
	readonly span: CompactionSpan;
	/** Messages of the history it replaced (0 when the file does not hold that history). */
	readonly replacedMessages: number;
	/**
	 * Artifacts of the replaced history kept and lost by what replaced it; `messageIndex` indexes
	 * `transcript.messages`. Undefined when the file does not hold the history: a session Context Lens wrote keeps
	 * only the compacted window (the history is in the original file).
	 */
	readonly lostFacts: LostFactsReport | undefined;
}

interface CompactionRecord {
	readonly line: number;
	readonly record: Readonly<Record<string, unknown>>;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The compaction records of a file in line order: Claude's main-chain `compact_boundary`, Codex's `compacted` lines. */
function compactionRecords(transcript: Transcript): CompactionRecord[] {
	const found: CompactionRecord[] = [];
	for (const { line, record } of transcript.passthrough) {
		if (!isObject(record)) continue;
		const isClaudeBoundary =
			transcript.format === 'claude-code' &&
			record['type'] === 'system' &&
			record['subtype'] === 'compact_boundary' &&
			record['isSidechain'] !== true;
		const isCodexCompaction = transcript.format === 'codex' && record['type'] === 'compacted';
		if (isClaudeBoundary || isCodexCompaction) found.push({ line, record });
	}
	return found.sort((a, b) => a.line - b.line);
}

/** True for a message that belongs to the main conversation (a subagent's does not, unless the file is one). */
function mainMessageTest(transcript: Transcript): (message: Message) => boolean {
	const keepsSidechain = isSidechainFile(transcript);
	return (message) => keepsSidechain || !message.flags.isSidechain;
}

/**
 * Where each compaction's kept messages sit. Claude: the first main message after the boundary line opens the new
 * window and the first summary from there is the compaction's summary. Codex: the messages read from the
 * `compacted` line (its replacement history, or the rebuilt history of an older build, whose ids carry `@L<line>`).
 */
function keptSpanOf(
	transcript: Transcript,
	compaction: CompactionRecord,
	nextLine: number,
	isMain: (message: Message) => boolean,
): { keptFrom: number; keptTo: number; summary: number } | undefined {
	const messages = transcript.messages;
	if (transcript.format === 'claude-code') {
		const keptFrom = messages.findIndex((m) => m.lines.from > compaction.line && isMain(m));
		if (keptFrom < 0) return undefined;
		let summary = -1;
		for (let i = keptFrom; i < messages.length; i++) {
			const message = messages[i] as Message;
			if (message.lines.from >= nextLine) break;
			if (message.flags.isSummary && isMain(message)) {
				summary = i;
				break;
			}
		}
		return summary < 0 ? undefined : { keptFrom, keptTo: summary + 1, summary };
	}
	const suffix = `@L${compaction.line}`;
	let keptFrom = -1;
	let keptTo = -1;
	let summary = -1;
	messages.forEach((m, i) => {
		if (m.lines.from !== compaction.line && !m.id.endsWith(suffix)) return;
		if (keptFrom < 0) keptFrom = i;
		keptTo = i + 1;
		// The summary text wins over an opaque remote-compaction item when the history has both.
		if (m.flags.isSummary && (summary < 0 || m.parts.some((p) => p.kind === 'text'))) summary = i;
	});
	if (keptFrom < 0) return undefined;
	return { keptFrom, keptTo, summary: summary < 0 ? keptTo - 1 : summary };
}

function triggerOf(transcript: Transcript, record: Readonly<Record<string, unknown>>): CompactionTrigger {
	if (transcript.format !== 'claude-code') return 'unknown';
	const metadata = record['compactMetadata'];
	const trigger = isObject(metadata) ? metadata['trigger'] : record['trigger'];
	return trigger === 'auto' || trigger === 'manual' ? trigger : 'unknown';
}

/** The recorded size of the window before the compaction: Claude's `preTokens`, else the last usage before it. */
function preTokensOf(
	record: Readonly<Record<string, unknown>>,
	replaced: readonly Message[],
): { preTokens: number; preTokensSource: PreTokensSource } | undefined {
	const metadata = record['compactMetadata'];
	const recorded = isObject(metadata) ? positive(metadata['preTokens']) : undefined;
	if (recorded !== undefined) return { preTokens: recorded, preTokensSource: 'recorded' };
	for (let i = replaced.length - 1; i >= 0; i--) {
		const usage = replaced[i]?.usage;
		if (usage !== undefined && usage.contextTokens > 0)
			return { preTokens: usage.contextTokens, preTokensSource: 'usage' };
	}
	return undefined;
}

function textOfParts(message: Message | undefined): string {
	if (message === undefined) return '';
	return message.parts.map((p) => ('text' in p ? p.text : '')).join('\n');
}

/** True when a summary carries Context Lens's handoff text: a session Apply wrote and the agent then resumed. */
export function isContextLensSummary(message: Message | undefined): boolean {
	return textOfParts(message).includes(handoffPrefix.slice(0, 40));
}

/** Artifacts of `messages` with `messageIndex` moved from the slice to `transcript.messages` (slice starts at `offset`). */
function artifactsAt(messages: readonly Message[], indexes: readonly number[]): Artifact[] {
	return extractArtifacts(messages).map((a) => ({
		...a,
		messageIndex: indexes[a.messageIndex] ?? a.messageIndex,
	}));
}

/**
 * Every compaction recorded in a Claude Code or Codex session file, oldest first, with what it replaced and the
 * lost-facts report of its summary against that history (the same report a Context Lens compaction gets: the
 * replaced messages' artifacts, checked against the text the compaction left in the window). The readers keep the
 * history before each compaction (flagged as compacted), so it is read from the model. Other formats have none.
 */
export function findAgentCompactions(transcript: Transcript, counter: TokenCounting): AgentCompaction[] {
	const records = compactionRecords(transcript);
	const isMain = mainMessageTest(transcript);
	const found: Omit<AgentCompaction, 'index'>[] = [];
	let previousStart = 0;
	records.forEach((compaction, k) => {
		const nextLine = records[k + 1]?.line ?? Number.POSITIVE_INFINITY;
		const kept = keptSpanOf(transcript, compaction, nextLine, isMain);
		if (kept === undefined) return;
		const replacedIndexes: number[] = [];
		for (let i = previousStart; i < kept.keptFrom; i++)
			if (isMain(transcript.messages[i] as Message)) replacedIndexes.push(i);
		const replaced = replacedIndexes.map((i) => transcript.messages[i] as Message);
		const keptMessages = transcript.messages.slice(kept.keptFrom, kept.keptTo).filter(isMain);
		const summaries = keptMessages.filter((m) => m.flags.isSummary);
		const at = compaction.record['timestamp'];
		const pre = preTokensOf(compaction.record, replaced);
		found.push({
			by: isContextLensSummary(transcript.messages[kept.summary]) ? 'context-lens' : 'agent',
			trigger: triggerOf(transcript, compaction.record),
			...(typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? { at } : {}),
			line: compaction.line,
			...(pre !== undefined ? pre : {}),
			summaryTokens: summaries.reduce((sum, m) => sum + counter.countMessage(m).total, 0),
			span: { replacedFrom: previousStart, replacedTo: kept.keptFrom, ...kept },
			replacedMessages: replaced.length,
			// A compaction whose history the file does not hold (the first line of a file Context Lens wrote) has no report.
			lostFacts:
				replaced.length > 0
					? reportLostFacts(artifactsAt(replaced, replacedIndexes), windowText(keptMessages))
					: undefined,
		});
		previousStart = kept.keptFrom;
	});
	found.push(
		...mergedContextLensSummaries(transcript, counter, isMain, new Set(found.map((c) => c.span.summary))),
	);
	return found.sort((a, b) => a.line - b.line).map((c, index) => ({ index, ...c }));
}

/**
 * Context Lens summaries with no compaction record: merged into a turn (R13) or written where the format has no
 * record for it. The file Apply wrote holds only the compacted window, so they carry no lost-facts report.
 */
function mergedContextLensSummaries(
	transcript: Transcript,
	counter: TokenCounting,
	isMain: (message: Message) => boolean,
	known: ReadonlySet<number>,
): Omit<AgentCompaction, 'index'>[] {
	const out: Omit<AgentCompaction, 'index'>[] = [];
	transcript.messages.forEach((message, i) => {
		if (known.has(i) || !isMain(message) || !isContextLensSummary(message)) return;
		out.push({
			by: 'context-lens',
			trigger: 'manual',
			...(message.timestamp !== undefined ? { at: message.timestamp } : {}),
			line: message.lines.from,
			summaryTokens: counter.countMessage(message).total,
			span: { replacedFrom: i, replacedTo: i, keptFrom: i, keptTo: i + 1, summary: i },
			replacedMessages: 0,
			lostFacts: undefined,
		});
	});
	return out;
}
