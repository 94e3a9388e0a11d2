import {
	classifyTool,
	commandInArguments,
	parseToolArguments,
	pathsInArguments,
} from '../facts/extractArtifacts';
import type { ToolCallPart, ToolResultPart } from '../transcript/model';
import { formatCount, isWhitespace, lineCount, oneLine } from '../text/textCuts';
import type { TokenCounting } from './tokenCounting';

function stringArg(
	args: Readonly<Record<string, unknown>> | undefined,
	keys: readonly string[],
): string | undefined {
	if (args === undefined) return undefined;
	for (const key of keys) {
		const value = args[key];
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		if (typeof value === 'number') return String(value);
		if (Array.isArray(value) && typeof value[0] === 'string') {
			return value.length > 1 ? `${value[0]} (+${value.length - 1} more)` : value[0];
		}
	}
	return undefined;
}

/** H6: the input that identifies a call (command, path, query, URL, pattern), one line, or '' when none stands out. */
export function keyInputOf(name: string, argumentsText: string): string {
	const args = parseToolArguments(argumentsText);
	if (args === undefined) return oneLine(argumentsText, 80);
	switch (classifyTool(name)) {
		case 'shell':
			return oneLine(commandInArguments(args) ?? '', 80);
		case 'read':
		case 'edit':
		case 'write':
			return pathsInArguments(args)[0] ?? '';
		case 'search':
		case 'list':
			return oneLine(stringArg(args, ['pattern', 'query', 'glob', 'path']) ?? '', 80);
		case 'web':
			return oneLine(stringArg(args, ['url', 'urls', 'query']) ?? '', 120);
		case 'task':
			return oneLine(stringArg(args, ['description', 'goal', 'prompt']) ?? '', 60);
		case 'todo':
			return '';
		case 'other':
			return oneLine(stringArg(args, ['key', 'name', 'filename', 'id', 'query', 'path']) ?? '', 60);
	}
}

// Where agents say they put the full output of a large result: "saved to 'x.txt'" (a path after "[Ss]aved to ",
// optionally quoted), or Claude Code's tool-results files (the whitespace-free run holding "/tool-results/"). The
// scan below finds what the regular expression
// /(?:[Ss]aved to ['"]?([^'"\s\]]+)|(\S*\/tool-results\/[^\s'")\]]+))/ finds, in linear time: that expression
// backtracks over every long run without whitespace (quadratic), which made it the planner's hottest line.
const savedToMarker = 'aved to ';
const toolResultsMarker = '/tool-results/';

/** A character of a referenced path: not whitespace, a quote or `]` (nor `)` when `stopsAtParen`). */
function isReferenceChar(code: number, stopsAtParen: boolean): boolean {
	if (code === 0x27 || code === 0x22 || code === 0x5d) return false;
	if (stopsAtParen && code === 0x29) return false;
	return !isWhitespace(code);
}

/** End of the run of reference characters starting at `from`. */
function referenceEnd(text: string, from: number, stopsAtParen: boolean): number {
	let end = from;
	while (end < text.length && isReferenceChar(text.charCodeAt(end), stopsAtParen)) end++;
	return end;
}

interface ReferenceMatch {
	readonly start: number;
	readonly value: string;
}

/** The leftmost "[Ss]aved to ['\"]?<path>" match. */
function savedToReference(text: string): ReferenceMatch | undefined {
	for (let at = text.indexOf(savedToMarker, 1); at >= 0; at = text.indexOf(savedToMarker, at + 1)) {
		const s = text.charCodeAt(at - 1);
		if (s !== 0x53 && s !== 0x73) continue;
		let from = at + savedToMarker.length;
		const quote = text.charCodeAt(from);
		// The optional quote is taken only when a path character follows it.
		if (
			(quote === 0x27 || quote === 0x22) &&
			from + 1 < text.length &&
			isReferenceChar(text.charCodeAt(from + 1), false)
		)
			from++;
		const end = referenceEnd(text, from, false);
		if (end > from) return { start: at - 1, value: text.slice(from, end) };
	}
	return undefined;
}

/**
 * The leftmost "<non-whitespace>/tool-results/<path>" match: it starts where the whitespace-free run holding the
 * first usable marker starts, and (the prefix being greedy) runs to the path after the run's last usable marker.
 */
function toolResultsReference(text: string): ReferenceMatch | undefined {
	const isUsable = (at: number): boolean => {
		const after = at + toolResultsMarker.length;
		return after < text.length && isReferenceChar(text.charCodeAt(after), true);
	};
	let first = text.indexOf(toolResultsMarker);
	while (first >= 0 && !isUsable(first)) first = text.indexOf(toolResultsMarker, first + 1);
	if (first < 0) return undefined;
	let start = first;
	while (start > 0 && !isWhitespace(text.charCodeAt(start - 1))) start--;
	let runEnd = first + toolResultsMarker.length;
	while (runEnd < text.length && !isWhitespace(text.charCodeAt(runEnd))) runEnd++;
	let last = first;
	for (
		let at = text.indexOf(toolResultsMarker, first + 1);
		at >= 0 && at < runEnd;
		at = text.indexOf(toolResultsMarker, at + 1)
	) {
		if (isUsable(at)) last = at;
	}
	return { start, value: text.slice(start, referenceEnd(text, last + toolResultsMarker.length, true)) };
}

/** H4: the file an agent says holds a result's full data, so a pruned placeholder can keep pointing at it. */
export function findSpillReference(text: string): string | undefined {
	const scanned = text.length > 4096 ? text.slice(0, 2048) + text.slice(-2048) : text;
	const savedTo = savedToReference(scanned);
	const toolResults = toolResultsReference(scanned);
	if (savedTo === undefined) return toolResults?.value;
	if (toolResults === undefined) return savedTo.value;
	return toolResults.start < savedTo.start ? toolResults.value : savedTo.value;
}

function exitCodeOf(text: string): string | undefined {
	return /(?:"exit_code"\s*:\s*|exit code:?\s*|exited with (?:code )?)(-?\d+)/i.exec(text)?.[1];
}

/**
 * R3: an informative one-line description of a tool call and its (large) result, replacing the result in old
 * turns, e.g. `[Bash] ran \`npm test\` -> exit 0, 47 lines output`. The call may be missing (orphaned result).
 */
export function describeToolResult(call: ToolCallPart | undefined, resultText: string): string {
	return describeToolResultSegments(call, resultText).join('');
}

/**
 * {@link describeToolResult} in segments that join into it: each input the description quotes starts a segment
 * with the space before it, so a counter can count the fixed words and the repeated inputs (paths, commands) apart
 * and from its cache (see TokenCounting.countPartOfSegments).
 */
export function describeToolResultSegments(call: ToolCallPart | undefined, resultText: string): string[] {
	const name = call?.name ?? 'tool';
	const args = call !== undefined ? parseToolArguments(call.argumentsText) : undefined;
	const chars = `${formatCount(resultText.length)} chars`;
	const lines = lineCount(resultText);
	let segments: string[];
	switch (classifyTool(name)) {
		case 'shell': {
			const command = args !== undefined ? (commandInArguments(args) ?? '?') : '?';
			segments = [
				`[${name}] ran`,
				` \`${oneLine(command, 80)}\``,
				` -> exit ${exitCodeOf(resultText) ?? '?'}, ${lines} lines output`,
			];
			break;
		}
		case 'read': {
			const path = args !== undefined ? (pathsInArguments(args)[0] ?? '?') : '?';
			const offset = stringArg(args, ['offset', 'start_line', 'line']);
			segments = [`[${name}] read`, ` ${path}`];
			if (offset !== undefined) segments.push(` from line ${offset}`);
			segments.push(` (${chars}, ${lines} lines)`);
			break;
		}
		case 'write': {
			const path = args !== undefined ? (pathsInArguments(args)[0] ?? '?') : '?';
			segments = [`[${name}] wrote`, ` ${path}`, ` (${chars} result)`];
			break;
		}
		case 'edit': {
			const path = args !== undefined ? (pathsInArguments(args)[0] ?? '?') : '?';
			segments = [`[${name}] edited`, ` ${path}`, ` (${chars} result)`];
			break;
		}
		case 'search': {
			const pattern = oneLine(stringArg(args, ['pattern', 'query']) ?? '?', 60);
			const where = stringArg(args, ['path', 'glob', 'include']) ?? '.';
			segments = [`[${name}] searched for`, ` '${pattern}'`, ` in ${where}`, ` -> ${lines} lines`];
			break;
		}
		case 'list':
			segments = [
				`[${name}] listed`,
				` ${oneLine(stringArg(args, ['pattern', 'path', 'glob']) ?? '?', 60)}`,
				` -> ${lines} entries`,
			];
			break;
		case 'web':
			segments = [
				`[${name}]`,
				` ${oneLine(stringArg(args, ['url', 'urls', 'query']) ?? '?', 120)}`,
				` (${chars})`,
			];
			break;
		case 'task':
			segments = [
				`[${name}]`,
				` '${oneLine(stringArg(args, ['description', 'goal', 'prompt']) ?? '?', 60)}'`,
				` (${chars} result)`,
			];
			break;
		case 'todo':
			segments = [`[${name}] updated the task list`];
			break;
		case 'other': {
			segments = [`[${name}]`];
			if (args !== undefined) {
				for (const [k, v] of Object.entries(args).slice(0, 2))
					segments.push(` ${k}=${oneLine(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''), 40)}`);
			}
			segments.push(` (${chars} result)`);
		}
	}
	const reference = findSpillReference(resultText);
	if (reference !== undefined) segments.push(`; full output in '${reference}'`);
	return segments;
}

/** A result's description and the figure of a result part holding it, by the counter that last asked. */
interface Described {
	readonly call: ToolCallPart | undefined;
	readonly text: string;
	/** The result part that replaces the described one (shared by every plan's edit). */
	readonly part: ToolResultPart;
	counter: TokenCounting | undefined;
	tokens: number;
}

/** What a description is counted with: the counter, and its figure for a new part (see PlanContext.newPartTokens). */
export interface ResultCounting {
	readonly counter: TokenCounting;
	newPartTokens(part: ToolResultPart): number;
	newPartTokensOfSegments(part: ToolResultPart, segments: readonly string[]): number;
}

// Descriptions by result part: parts are immutable and readers hand back the same objects for unchanged messages,
// so re-planning a growing transcript describes (and counts) each old result once. Held weakly, so they go with
// the transcript.
const describedResults = new WeakMap<ToolResultPart, Described>();

/**
 * {@link describeToolResult} of a result part, and the figure of the result part that replaces it (its call id, the
 * description as text, no error, no images), remembered per part object (recomputed when the call part or the
 * counter differs).
 */
export function describeToolResultPart(
	call: ToolCallPart | undefined,
	result: ToolResultPart,
	counting: ResultCounting,
): { readonly text: string; readonly part: ToolResultPart; readonly tokens: number } {
	let described = describedResults.get(result);
	if (described === undefined || described.call !== call) {
		const segments = describeToolResultSegments(call, result.text);
		const text = segments.join('');
		const part = replacementResult(result.callId, text);
		const tokens = counting.newPartTokensOfSegments(part, segments);
		described = { call, text, part, counter: counting.counter, tokens };
		describedResults.set(result, described);
	}
	if (described.counter !== counting.counter) {
		described.tokens = counting.newPartTokens(described.part);
		described.counter = counting.counter;
	}
	return described;
}

/** The result part a pruning edit puts in place of a result: the same call id, new text, no error, no images. */
export function replacementResult(callId: string, text: string): ToolResultPart {
	return { kind: 'toolResult', callId, text, isError: false, images: [] };
}
