import { measureWindow, type WindowCounting } from '../tokens/measureWindow';
import {
	isSidechainFile,
	makeFlags,
	messagesInWindow,
	type Message,
	type Transcript,
} from '../transcript/model';
import type { AgentCompaction } from './agentCompactions';
import type { TimelinePoint, WindowTimeline } from './auditTypes';

export type { TimelineMark, TimelinePoint, WindowTimeline } from './auditTypes';

/** Most points a timeline carries; longer sessions keep the last point of each run (see `thinPoints`). */
export const maxTimelinePoints = 600;

/** The messages that made up the window between two compactions (the last segment: today's window). */
function segmentsOf(
	transcript: Transcript,
	compactions: readonly AgentCompaction[],
): { readonly indexes: number[] }[] {
	const keepsSidechain = isSidechainFile(transcript);
	// Only a compaction whose history the file holds starts a new window; a merged summary sits inside one.
	const cuts = compactions.filter((c) => c.replacedMessages > 0).map((c) => c.span.keptFrom);
	const starts = [0, ...cuts];
	return starts.map((from, k) => {
		const to = cuts[k] ?? transcript.messages.length;
		const isCurrent = k === starts.length - 1;
		const indexes: number[] = [];
		for (let i = from; i < to; i++) {
			const m = transcript.messages[i] as Message;
			if (!keepsSidechain && m.flags.isSidechain) continue;
			// Today's window is exact (the reader knows the live branch); history keeps every main message in order.
			if (isCurrent && m.flags.isCompacted) continue;
			indexes.push(i);
		}
		return { indexes };
	});
}

/** Keeps at most `max` points: within each segment, the last point of each run (the window only grows within one). */
function thinPoints(points: TimelinePoint[], segmentEnds: ReadonlySet<number>, max: number): TimelinePoint[] {
	if (points.length <= max) return points;
	const step = Math.ceil(points.length / max);
	const kept: TimelinePoint[] = [];
	let run: TimelinePoint | undefined;
	let recorded: number | undefined;
	points.forEach((point, i) => {
		if (point.recorded !== undefined) recorded = point.recorded;
		run = point;
		const isRunEnd = (i + 1) % step === 0 || segmentEnds.has(i) || i === points.length - 1;
		if (!isRunEnd) return;
		kept.push(recorded !== undefined && run.recorded === undefined ? { ...run, recorded } : run);
		run = undefined;
		recorded = undefined;
	});
	return kept;
}

/**
 * How the window filled over the whole file: for each segment between compactions, the messages in it measured as
 * one window (measureWindow: our count, the hidden part estimated from the segment's first recorded usage), each
 * message giving our figure after it and the agent's recorded context where it wrote one. Compacted history is
 * counted too, so the first call on a long session counts every message once (a MessageTokenCache keeps them).
 */
export function buildWindowTimeline(
	transcript: Transcript,
	counter: WindowCounting,
	compactions: readonly AgentCompaction[],
	maxPoints = maxTimelinePoints,
): WindowTimeline {
	const rowOf = new Map<Message, number>();
	messagesInWindow(transcript).forEach((m, i) => rowOf.set(m, i));
	const points: TimelinePoint[] = [];
	const segmentEnds = new Set<number>();
	for (const segment of segmentsOf(transcript, compactions)) {
		const messages = segment.indexes.map((i) => transcript.messages[i] as Message);
		// measureWindow reads only window messages, so history is measured with its compacted flag lifted.
		const alive = messages.map((m) =>
			m.flags.isCompacted ? { ...m, flags: makeFlags({ ...m.flags, isCompacted: false }) } : m,
		);
		const measure = measureWindow(
			{ ...transcript, messages: alive },
			counter,
			messages.map((m) => counter.countMessage(m)),
		);
		segment.indexes.forEach((index, i) => {
			const message = messages[i] as Message;
			const row = rowOf.get(message);
			const usage = message.usage;
			points.push({
				message: index,
				...(row !== undefined ? { row } : {}),
				line: message.lines.from,
				ours: measure.hidden + (measure.sentBefore[i + 1] ?? 0),
				...(usage !== undefined && usage.inputTokens > 0 ? { recorded: usage.contextTokens } : {}),
			});
		});
		if (points.length > 0) segmentEnds.add(points.length - 1);
	}
	const thinned = thinPoints(points, segmentEnds, maxPoints);
	return {
		points: thinned,
		marks: compactions.map((c) => {
			const at = thinned.findIndex((p) => p.message >= c.span.keptFrom);
			return { compaction: c.index, point: at < 0 ? thinned.length - 1 : at };
		}),
		messages: transcript.messages.length,
	};
}
