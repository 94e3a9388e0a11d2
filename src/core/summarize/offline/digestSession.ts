import {
	classifyTool,
	commandInArguments,
	findActiveTask,
	firstLine,
	isContinuationReply,
	isErrorLine,
	numbersInText,
	parseToolArguments,
	pathsInArguments,
	userRequestText,
	wholeCommand,
} from '../../facts/extractArtifacts';
import type { ActiveTaskFinding, Artifact, ToolKind } from '../../facts/extractArtifacts';
import type { Message, ToolCallPart, ToolResultPart } from '../../transcript/model';

/** One tool call and what came of it, as a Completed Actions line describes it. */
export interface Action {
	/** 1-based position among the session's tool calls. */
	readonly number: number;
	readonly verb: string;
	readonly target: string;
	/** The target is a shell command (shown in backticks). */
	readonly isCommand: boolean;
	readonly outcome: string;
	readonly tool: string;
	readonly kind: ToolKind;
	/** A result arrived and was not an error. */
	readonly ok: boolean;
	readonly hasResult: boolean;
	readonly paths: readonly string[];
	/** For failed calls: the most telling error line of the result. */
	readonly errorLine?: string;
	/** For failed calls: the first error-looking line of the result (else its first line), verbatim. */
	readonly firstErrorLine?: string;
	readonly messageIndex: number;
}

/** Error lines that differ only in numbers or quoted words, as one pattern. */
export interface ErrorPattern {
	/** The first line of the pattern, verbatim. */
	readonly example: string;
	/** The last line of the pattern when it differs from the first, verbatim. */
	readonly lastExample?: string;
	/** Lines of the session with this pattern. */
	readonly count: number;
	/** Numbers of the actions whose results showed the first and the last of them. */
	readonly firstAction: number;
	readonly lastAction: number;
}

/** Longest command written whole (characters); a longer one is cut, and the lost-facts report names it. */
export const maxCommandChars = 1200;

/** Most patterns of error lines a digest keeps; the first ones in the session, then the latest. */
const maxErrorPatterns = 40;

/** The pattern of an error line: numbers, hex and quoted words replaced, whitespace collapsed. */
export function errorPatternKey(line: string): string {
	return line
		.replace(/(['"`])[^'"`\n]{1,200}?\1/g, '"…"')
		.replace(/\b0x[0-9a-f]+\b/gi, '#')
		.replace(/\d+(?:[.,:]\d+)*/g, '#')
		.replace(/\s+/g, ' ')
		.trim();
}

/** A to-do item as the agent's todo tool last recorded it. */
export interface TodoItem {
	readonly content: string;
	readonly status: string;
}

/** A file the session touched through tools, with what was done to it in order (`read ×2, edited`). */
export interface FileEntry {
	readonly path: string;
	readonly ops: readonly string[];
}

/** A user question and, when the turn answered it, the start of the answer. */
export interface Question {
	readonly question: string;
	readonly answer?: string;
}

/** Everything the offline summariser reads out of a message list, before budgets and merging. */
export interface SessionDigest {
	readonly task?: ActiveTaskFinding;
	readonly goal?: string;
	readonly constraints: readonly string[];
	readonly actions: readonly Action[];
	readonly decisions: readonly string[];
	/**
	 * Conclusions reached, in order: each turn's closing statement, root causes, what was found or confirmed; each
	 * a whole sentence or two, never a lead-in.
	 */
	readonly findings: readonly string[];
	/** Error lines grouped by pattern (numbers and quoted words aside), in order of first occurrence. */
	readonly errorPatterns: readonly ErrorPattern[];
	readonly questions: readonly Question[];
	readonly files: readonly FileEntry[];
	readonly todos: readonly TodoItem[];
	readonly inProgress: readonly string[];
	readonly remaining: readonly string[];
	/** Failed actions not followed by a success on the same command or file. */
	readonly blocked: readonly Action[];
	/** `Label: value` lines describing the state the work is in. */
	readonly state: readonly string[];
	/** For number artifacts: the phrase around the first occurrence, keyed by value. */
	readonly figureContext: ReadonlyMap<string, string>;
	/** The action whose result a message carries, keyed by message index: figures of tool output are grouped by it. */
	readonly resultOf: ReadonlyMap<number, Action>;
}

const verbs: Readonly<Record<ToolKind, string>> = {
	read: 'READ',
	edit: 'EDIT',
	write: 'WRITE',
	shell: 'RAN',
	search: 'SEARCH',
	list: 'LIST',
	web: 'FETCH',
	todo: 'TODO',
	task: 'DELEGATE',
	other: 'CALL',
};

const testCommand = /\b(?:test|tests|jest|mocha|vitest|pytest|spec|phpunit|rspec|ctest)\b/;

/** A shell command that runs tests: a test word outside quoted arguments (`find -name "*spec*"` is not one). */
function isTestCommand(command: string): boolean {
	return testCommand.test(command.replace(/"[^"]*"|'[^']*'/g, ' '));
}
const exitCodePattern = /\b(?:exit(?:_| )code|exited with code)"?\s*[:=]?\s*(-?\d+)/i;

function clip(text: string, max: number): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	if (flat.length <= max) return flat;
	const cut = flat.lastIndexOf(' ', max - 1);
	return `${flat.slice(0, cut > max * 0.6 ? cut : max - 1)}…`;
}

function countLines(text: string): number {
	if (text.trim() === '') return 0;
	let n = 1;
	for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (i < text.length - 1) n++;
	return n;
}

function nonEmptyLineCount(text: string): number {
	let n = 0;
	let at = 0;
	while (at < text.length) {
		let end = text.indexOf('\n', at);
		if (end < 0) end = text.length;
		for (let i = at; i < end; i++) {
			const c = text.charCodeAt(i);
			if (c !== 32 && c !== 9 && c !== 13) {
				n++;
				break;
			}
		}
		at = end + 1;
	}
	return n;
}

/** The most telling error line of a failed result: the last `SomethingError:` line (Python puts the cause last), else the first error-looking line. */
function telltaleErrorLine(text: string, first: string): string | undefined {
	let named: string | undefined;
	let any: string | undefined;
	let at = 0;
	let scanned = 0;
	while (at < text.length && scanned < 400) {
		let end = text.indexOf('\n', at);
		if (end < 0) end = text.length;
		const line = text.slice(at, Math.min(end, at + 2000)).trim();
		scanned++;
		if (line !== '' && isErrorLine(line) && firstLine(line) !== first) {
			any ??= line;
			if (/\w(?:Error|Exception)\b:/.test(line)) named = line;
		}
		at = end + 1;
	}
	const chosen = named ?? any;
	return chosen === undefined ? undefined : firstLine(chosen);
}

/** The first error-looking line among the first 200 lines of a failed result, clipped like an artifact. */
function firstErrorLine(text: string): string | undefined {
	let at = 0;
	for (let scanned = 0; at < text.length && scanned < 200; scanned++) {
		let end = text.indexOf('\n', at);
		if (end < 0) end = text.length;
		const line = text.slice(at, Math.min(end, at + 2000)).trim();
		if (line !== '' && isErrorLine(line)) return firstLine(line);
		at = end + 1;
	}
	return undefined;
}

/** The two non-empty lines after the first, joined: what follows a bare "Exit code 1". */
function linesAfterFirst(text: string): string | undefined {
	const lines: string[] = [];
	let at = text.indexOf('\n') + 1;
	while (at > 0 && at < text.length && lines.length < 2) {
		let end = text.indexOf('\n', at);
		if (end < 0) end = text.length;
		const line = text.slice(at, Math.min(end, at + 400)).trim();
		if (line !== '') lines.push(line);
		at = end + 1;
	}
	return lines.length === 0 ? undefined : firstLine(lines.join(' / '));
}

function stringArg(args: Readonly<Record<string, unknown>>, ...keys: string[]): string | undefined {
	for (const key of keys) {
		const value = args[key];
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
	}
	return undefined;
}

function describeTarget(
	kind: ToolKind,
	name: string,
	args: Readonly<Record<string, unknown>> | undefined,
	argumentsText: string,
): { target: string; isCommand: boolean; paths: string[] } {
	if (args === undefined) return { target: clip(argumentsText, 120), isCommand: false, paths: [] };
	const paths = pathsInArguments(args);
	const path = paths[0];
	switch (kind) {
		case 'shell': {
			const command = commandInArguments(args);
			if (command !== undefined) {
				const whole = wholeCommand(command);
				const target = whole.length <= maxCommandChars ? whole : `${whole.slice(0, maxCommandChars)}…`;
				return { target, isCommand: true, paths };
			}
			break;
		}
		case 'read':
		case 'edit':
		case 'write': {
			if (path === undefined) break;
			const offset = args['offset'] ?? args['start_line'] ?? args['line'];
			const at = typeof offset === 'number' && kind === 'read' ? `:${offset}` : '';
			return { target: `${path}${at}`, isCommand: false, paths };
		}
		case 'search':
		case 'list': {
			const pattern = stringArg(args, 'pattern', 'query', 'regex', 'glob', 'name');
			const where = path !== undefined ? ` in ${path}` : '';
			const glob = kind === 'search' ? stringArg(args, 'glob', 'include') : undefined;
			if (pattern !== undefined)
				return {
					target: `"${clip(pattern, 80)}"${where}${glob !== undefined && glob !== pattern ? ` (${glob})` : ''}`,
					isCommand: false,
					paths,
				};
			if (path !== undefined) return { target: path, isCommand: false, paths };
			break;
		}
		case 'web': {
			const url = stringArg(args, 'url', 'uri', 'query', 'q');
			if (url !== undefined) return { target: clip(url, 200), isCommand: false, paths };
			break;
		}
		case 'task': {
			const what = stringArg(args, 'description', 'goal', 'task', 'prompt');
			const agent = stringArg(args, 'subagent_type', 'agent');
			if (what !== undefined)
				return {
					target: `${agent !== undefined ? `${agent}: ` : ''}${clip(what, 120)}`,
					isCommand: false,
					paths,
				};
			break;
		}
		case 'todo': {
			const todos = args['todos'];
			return { target: `${Array.isArray(todos) ? todos.length : 0} items`, isCommand: false, paths };
		}
		default:
			break;
	}
	if (path !== undefined) return { target: path, isCommand: false, paths };
	const pairs: string[] = [];
	for (const [key, value] of Object.entries(args)) {
		if (pairs.length === 2) break;
		if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
			pairs.push(`${key}=${clip(String(value), 60)}`);
	}
	return { target: pairs.length > 0 ? pairs.join(' ') : name, isCommand: false, paths };
}

function todoItems(args: Readonly<Record<string, unknown>> | undefined): TodoItem[] | undefined {
	const todos = args?.['todos'];
	if (!Array.isArray(todos)) return undefined;
	const items: TodoItem[] = [];
	for (const t of todos) {
		if (typeof t !== 'object' || t === null) continue;
		const record = t as Record<string, unknown>;
		const content = record['content'] ?? record['title'] ?? record['task'];
		if (typeof content !== 'string' || content.trim() === '') continue;
		items.push({
			content: content.trim(),
			status: typeof record['status'] === 'string' ? record['status'] : 'pending',
		});
	}
	return items;
}

/** The first lines of a subagent's report that say something: headings, rules and lead-ins ending in ':' skipped. */
function reportOpening(text: string): string {
	const lines: string[] = [];
	let at = 0;
	while (at < text.length && lines.length < 3) {
		let end = text.indexOf('\n', at);
		if (end < 0) end = text.length;
		const line = text
			.slice(at, Math.min(end, at + 600))
			.replace(/\*\*|__|`/g, '')
			.trim();
		at = end + 1;
		if (line === '' || /^#|^[-=*_]{3,}$/.test(line) || line.endsWith(':')) continue;
		lines.push(line.replace(/^[-*]\s+/, ''));
	}
	return lines.length === 0 ? firstLine(text) || 'no output' : clip(lines.join(' / '), 400);
}

function describeOutcome(
	kind: ToolKind,
	args: Readonly<Record<string, unknown>> | undefined,
	result: ToolResultPart | undefined,
	previousTodos: readonly TodoItem[],
): { outcome: string; errorLine?: string; firstErrorLine?: string } {
	if (result === undefined) return { outcome: 'no result recorded' };
	const text = result.text;
	const first = firstLine(text);
	const described = describedResult(text);
	if (described !== undefined && !result.isError) return { outcome: described };
	if (result.isError) {
		// "Exit code 1" or "…the following issue:" says nothing on its own; the lines after it usually do.
		const bare = /^Exit code -?\d+$/i.test(first) || first.endsWith(':');
		const telltale = telltaleErrorLine(text, first) ?? (bare ? linesAfterFirst(text) : undefined);
		const line = first === '' ? 'error' : first;
		// A failed test run's own summary line (`12 passing`, `2 failing`) keeps its figures next to the run.
		const summary = kind === 'shell' ? testSummary(text).filter((l) => l !== first && l !== telltale) : [];
		const figures = summary.length > 0 ? ` · ${summary.join(' / ')}` : '';
		return {
			outcome: `${telltale !== undefined ? `error: ${line} · ${telltale}` : `error: ${line}`}${figures}`,
			errorLine: telltale ?? line,
			firstErrorLine: firstErrorLine(text) ?? line,
		};
	}
	switch (kind) {
		case 'read':
			return { outcome: `${countLines(text)} lines` };
		case 'edit': {
			const edits = args?.['edits'];
			if (Array.isArray(edits)) return { outcome: `${edits.length} edits applied` };
			const before = args?.['old_string'] ?? args?.['old_str'];
			const after = args?.['new_string'] ?? args?.['new_str'];
			if (typeof before === 'string' && typeof after === 'string')
				return {
					outcome:
						describeEdit(before, after) + (args?.['replace_all'] === true ? ' (every occurrence)' : ''),
				};
			return { outcome: first === '' ? 'applied' : clip(first, 120) };
		}
		case 'write': {
			const content = args?.['content'] ?? args?.['file_text'];
			return {
				outcome: typeof content === 'string' ? `wrote ${countLines(content)} lines` : clip(first, 120),
			};
		}
		case 'shell':
			return { outcome: shellOutcome(text, first) };
		case 'search':
		case 'list': {
			const n = nonEmptyLineCount(text);
			if (n === 0 || /^(?:No (?:files|matches) found|No results)/i.test(first))
				return { outcome: 'nothing found' };
			return { outcome: `${n} result lines${n <= 2 ? `: ${clip(first, 100)}` : ''}` };
		}
		case 'todo': {
			const items = todoItems(args) ?? [];
			const before = new Set(previousTodos.filter((t) => t.status === 'completed').map((t) => t.content));
			const newlyDone = items
				.filter((t) => t.status === 'completed' && !before.has(t.content))
				.map((t) => t.content);
			return {
				outcome: `${todoCounts(items)}${newlyDone.length > 0 ? `; marked done: ${newlyDone.join('; ')}` : ''}`,
			};
		}
		case 'task':
			return { outcome: reportOpening(text) };
		default:
			return { outcome: first === '' ? 'no output' : clip(first, 160) };
	}
}

/** An edit as the first line it changed and the line balance: `` `a` → `b` (+3/−1 lines) ``; O(lines). */
function describeEdit(before: string, after: string): string {
	const a = before.split('\n');
	const b = after.split('\n');
	let head = 0;
	while (head < a.length && head < b.length && a[head] === b[head]) head++;
	let tail = 0;
	while (
		tail < a.length - head &&
		tail < b.length - head &&
		a[a.length - 1 - tail] === b[b.length - 1 - tail]
	)
		tail++;
	const removed = a.slice(head, a.length - tail).filter((l) => l.trim() !== '');
	const added = b.slice(head, b.length - tail).filter((l) => l.trim() !== '');
	const from = removed[0]?.trim();
	const to = added[0]?.trim();
	const balance = `(+${added.length}/−${removed.length} lines)`;
	if (from !== undefined && to !== undefined) return `\`${clip(from, 60)}\` → \`${clip(to, 60)}\` ${balance}`;
	if (to !== undefined) return `added \`${clip(to, 60)}\` ${balance}`;
	if (from !== undefined) return `removed \`${clip(from, 60)}\` ${balance}`;
	return 'whitespace only';
}

function todoCounts(items: readonly TodoItem[]): string {
	const count = (status: string): number => items.filter((t) => t.status === status).length;
	return `${count('completed')} done, ${count('in_progress')} in progress, ${count('pending')} pending`;
}

/**
 * The outcome an earlier pass already wrote for a result it replaced with one line (`[Read] read a.ts (2 kB,
 * 82 lines)`, `[Bash] ran \`x\` -> exit 0, 14 lines output`), so the placeholder itself is not counted as output.
 */
function describedResult(text: string): string | undefined {
	if (!text.startsWith('[') || text.length > 600 || text.includes('\n')) return undefined;
	if (/^\[Duplicate tool output: identical to the later result of call [^\]\n]*\]$/.test(text))
		return 'same result as a later call';
	const ran = /^\[[^\]\n]+\] ran `[^\n]*` -> exit (-?\d+|\?), (\d+) lines output$/.exec(text);
	if (ran !== null)
		return `${ran[1] === '?' ? '' : `exit ${ran[1]}, `}${ran[2]} lines of output (output not kept)`;
	const read = /^\[[^\]\n]+\] read [^\n]* \([^()\n]*, (\d+) lines\)$/.exec(text);
	if (read !== null) return `${read[1]} lines`;
	const searched =
		/^\[[^\]\n]+\] (?:searched for [^\n]* -> (\d+) lines|listed [^\n]* -> (\d+) entries)$/.exec(text);
	if (searched !== null) return `${searched[1] ?? searched[2]} result lines`;
	return undefined;
}

/** Summary lines test runners print (vitest/jest `Tests  2 failed | 40 passed`, mocha `40 passing`, pytest `== 2 failed, 40 passed in 1.2s ==`). */
const testSummaryLine =
	/^\s*(?:(?:Test Files|Tests|Test Suites|Suites|Snapshots)\s*:?\s+\d+ \w+\b.*|\d+ (?:passing|failing|pending)\b.*|=+ .*\b\d+ (?:passed|failed|errors?)\b.* =+|(?:OK|FAILED) \(.*\)|Ran \d+ tests? in .*)$/;

/** The runner's own summary lines of a test output, verbatim and in order (at most 3), from its last 20k characters. */
function testSummary(text: string): string[] {
	const tail = text.length > 20_000 ? text.slice(-20_000) : text;
	const found: string[] = [];
	for (const raw of tail.split('\n')) {
		// eslint-disable-next-line no-control-regex
		const line = raw.replace(/\u001b\[[\d;]*m/g, '').trimEnd();
		if (line.length <= 200 && testSummaryLine.test(line)) found.push(line.trim());
	}
	const tests = found.filter((l) => !/^(?:Test Files|Snapshots)\b/.test(l));
	return (tests.length > 0 ? tests : found).slice(-3);
}

function shellOutcome(text: string, first: string): string {
	const parts: string[] = [];
	const exit = exitCodePattern.exec(text.slice(0, 4000))?.[1];
	if (exit !== undefined) parts.push(`exit ${exit}`);
	const summary = testSummary(text);
	if (summary.length > 0) parts.push(summary.join(' / '));
	const error = telltaleErrorLine(text, '');
	if (error !== undefined) parts.push(error);
	const n = nonEmptyLineCount(text);
	if (n === 0) parts.push('no output');
	else if (n <= 2 && parts.length === 0) parts.push(clip(first, 120));
	else {
		if (parts.length === 0) parts.push(`${n} lines of output`);
		// Timings, sizes and counts the command printed stay next to it, on their own lines verbatim.
		const figures = summary.length === 0 ? figureLines(text, error) : [];
		if (figures.length > 0) parts.push(figures.join(' / '));
	}
	return parts.join(', ');
}

/** Longest output line quoted for its figures. */
const maxFigureLineChars = 120;

/**
 * Up to two short lines near the end of a command's output that state figures (`Done in 3.4s`, `Wrote 12 files
 * (2.1 MB)`), verbatim and in order; the error line already quoted is skipped. Reads the last 8k characters.
 */
function figureLines(text: string, quoted: string | undefined): string[] {
	const tail = text.length > 8000 ? text.slice(-8000) : text;
	const lines = tail.split('\n');
	const found: string[] = [];
	for (let i = lines.length - 1, seen = 0; i >= 0 && seen < 30 && found.length < 2; i--) {
		// eslint-disable-next-line no-control-regex
		const line = (lines[i] ?? '').replace(/\u001b\[[\d;]*m/g, '').trim();
		if (line === '') continue;
		seen++;
		if (line.length > maxFigureLineChars || line === quoted || numbersInText(line).length === 0) continue;
		found.unshift(line);
	}
	return found;
}

function sentencesOf(text: string): string[] {
	const out: string[] = [];
	for (const raw of text.split(/(?<=[.!?])\s+|\n+/)) {
		const s = raw
			.replace(/^[\s>*#-]+|^\d+[.)]\s+/g, '')
			.replace(/\*\*|__/g, '')
			.trim();
		if (s.length >= 8) out.push(s);
	}
	return out;
}

const constraintWords =
	/\b(?:must|mustn't|never|always|don't|do not|dont|prefer|preferably|use|using|avoid|should|shouldn't|make sure|ensure|only|not acceptable|required?)\b/i;
const decisionWords =
	/\b(?:I'll use|I will use|we'll use|let's use|I'm going to use|decided|decision|instead of|switch(?:ing|ed)? to|rather than|opt(?:ed|ing) for|chose|choosing|going with|better approach|the fix is|root cause)\b/i;
const findingWords =
	/\b(?:found|finding|discover(?:ed|y)|confirm(?:ed|s)|verified|turns out|root cause|the (?:issue|problem|cause|bug) (?:is|was)|(?:is|are) stored (?:in|at)|located (?:in|at)|defined in|breakthrough)\b/i;
/** A sentence reporting a result, not a cheer or a heading ("Excellent finding!", "What We Discovered:"). */
function isFinding(sentence: string): boolean {
	if (!findingWords.test(sentence) || intentWords.test(sentence) || sentence.endsWith(':')) return false;
	const words = sentence.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;
	return words >= 6 && !(sentence.endsWith('!') && words < 10);
}

const intentWords =
	/^(?:let me|let's|let us|now(?:,)? (?:let me|let's|i'll|i will)|next(?:,)? i|i'll|i will|i'm going to|i need to)\b/i;

function textOf(message: Message): string {
	return message.parts
		.filter((p) => p.kind === 'text')
		.map((p) => (p.kind === 'text' ? p.text : ''))
		.join('\n');
}

interface Turn {
	readonly index: number;
	readonly text: string;
}

/** Real user requests in order; main-thread ones only when the session has any. */
function userRequests(messages: readonly Message[]): Turn[] {
	const onlySidechain = messages.every((m) => m.role !== 'user' || m.flags.isSidechain);
	const turns: Turn[] = [];
	messages.forEach((message, index) => {
		if (message.flags.isSidechain && !onlySidechain) return;
		const text = userRequestText(message);
		if (text !== undefined) turns.push({ index, text });
	});
	return turns;
}

/** A sentence that states something: not a lead-in (`…:`), an announced next step, a question or a bare heading. */
function isStatement(sentence: string): boolean {
	return (
		sentence.length >= 20 &&
		!sentence.endsWith(':') &&
		!sentence.endsWith('?') &&
		!intentWords.test(sentence) &&
		!/^(?:great|perfect|excellent|good|done|ok(?:ay)?|sure|thanks?|brilliant|got it)\b[!.,]?$/i.test(
			sentence,
		) &&
		sentence.split(/\s+/).length >= 4
	);
}

/** Longest conclusion kept of one turn, in characters. */
const maxConclusionChars = 360;

/** The statements of the last assistant text of messages (from, to), main thread only; [] when it has none. */
function closingStatements(messages: readonly Message[], from: number, to: number): string[] {
	for (let i = to - 1; i > from; i--) {
		const m = messages[i];
		if (m?.role !== 'assistant' || m.flags.isSidechain) continue;
		const statements = sentencesOf(textOf(m)).filter(isStatement);
		if (statements.length > 0) return statements;
	}
	return [];
}

/** Sentences joined up to `max` characters, whole sentences only (the first clipped at a word when it alone is longer). */
function joinWithin(sentences: readonly string[], max: number): string {
	let out = '';
	for (const sentence of sentences) {
		const next = out === '' ? sentence : `${out} ${sentence}`;
		if (next.length > max) break;
		out = next;
	}
	return out !== '' ? out : clip(sentences[0] ?? '', max);
}

const questionStopWords = new Set(
	'what when where which while with that this there these those have does into from your about would could should please check there their they them then than only also just like make sure'.split(
		' ',
	),
);

function keyWordsOf(text: string): Set<string> {
	const words = new Set<string>();
	for (const word of text.toLowerCase().match(/[\p{L}\p{N}_]{4,}/gu) ?? [])
		if (!questionStopWords.has(word)) words.add(word.replace(/(?:ing|ed|es|s)$/, ''));
	return words;
}

/** The statement that answers a question best: the most key words in common, the earliest on a tie; then the next one when short. */
function answerFor(question: string, statements: readonly string[]): string | undefined {
	if (statements.length === 0) return undefined;
	const asked = keyWordsOf(question);
	let best = 0;
	let bestScore = -1;
	statements.forEach((statement, at) => {
		let score = 0;
		for (const word of keyWordsOf(statement)) if (asked.has(word)) score++;
		if (score > bestScore) {
			best = at;
			bestScore = score;
		}
	});
	return joinWithin(statements.slice(best, best + 2), 300);
}

function collectQuestions(messages: readonly Message[], requests: readonly Turn[]): Question[] {
	const questions: Question[] = [];
	requests.forEach((turn, k) => {
		const end = requests[k + 1]?.index ?? messages.length;
		const statements = closingStatements(messages, turn.index, end);
		const asked = sentencesOf(turn.text).filter((s) => s.endsWith('?'));
		// Questions of one request answered by the same statement are one entry, so the answer is written once.
		const byAnswer = new Map<string, string[]>();
		for (const question of asked) {
			const answer = answerFor(question, statements);
			if (answer === undefined) questions.push({ question });
			else byAnswer.set(answer, [...(byAnswer.get(answer) ?? []), question]);
		}
		for (const [answer, list] of byAnswer) questions.push({ question: list.join(' / '), answer });
	});
	return questions;
}

/** Each turn's conclusion: the opening statements of the last assistant text before the next request, in order. */
function turnConclusions(messages: readonly Message[], requests: readonly Turn[]): string[] {
	const starts = [-1, ...requests.map((r) => r.index)];
	const out: string[] = [];
	starts.forEach((from, k) => {
		const to = starts[k + 1] ?? messages.length;
		const statements = closingStatements(messages, from, to);
		if (statements.length > 0) out.push(joinWithin(statements, maxConclusionChars));
	});
	return out;
}

/** A line that looks like it carries a credential (`API_KEY=…`, `password: …`, a provider token): never the Goal. */
const credentialLine =
	/\b(?:api[_-]?key|secret|token|password|passwd|pwd|bearer|authorization|private[_-]?key|access[_-]?key|client[_-]?secret)\b["']?\s*[:=]|\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bAKIA[0-9A-Z]{16}\b|\bxox[abpr]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY|\beyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{10,}/i;

/** A reply word opening a request (`No. Please check…`): it answers the assistant, it is not part of the objective. */
const replyOpening =
	/^(?:no|nope|yes|yeah|yep|ok(?:ay)?|sure|right|correct|exactly|thanks?(?: you)?)\b[.,!]*\s+/i;

/** A request cut to its first paragraph, without an opening reply word or any line that looks like a credential. */
function objectiveText(request: string): string {
	const paragraph =
		request
			.split(/\n\s*\n/)
			.map((p) =>
				p
					.split('\n')
					.filter((line) => !credentialLine.test(line))
					.join('\n')
					.trim(),
			)
			.find((p) => p !== '') ?? '';
	return paragraph.replace(replyOpening, '').trim();
}

/** The request answers a question the assistant just asked (`yes`, `the second one`) rather than stating an objective. */
function isAnswer(messages: readonly Message[], turn: Turn): boolean {
	for (let i = turn.index - 1; i >= 0; i--) {
		const m = messages[i];
		if (m === undefined || m.role === 'tool' || m.flags.isMeta) continue;
		if (m.role !== 'assistant') return false;
		const text = textOf(m).trim();
		if (text === '') continue;
		return text.endsWith('?') && turn.text.split(/\s+/).length <= 12 && !turn.text.includes('?');
	}
	return false;
}

/**
 * The Goal (R8): the user's stated objective, the first substantive request that is not an answer to the assistant,
 * refined by later ones (their first sentence, up to three); lines that look like credentials are never taken.
 */
function goalOf(
	messages: readonly Message[],
	substantive: readonly Turn[],
	task: string | undefined,
): string | undefined {
	const candidates = substantive
		.filter((turn) => !isAnswer(messages, turn))
		.map((turn) => objectiveText(turn.text))
		.filter((text) => text.split(/\s+/).length >= 3);
	const first = candidates[0];
	if (first === undefined) return undefined;
	const later = candidates
		.slice(1)
		.filter((text) => task === undefined || !task.includes(text))
		.map((text) => sentencesOf(text)[0] ?? text)
		// A question asks about the work; it does not change what the work is for.
		.filter((text) => !text.endsWith('?') && !credentialLine.test(text));
	const refined = later.slice(-3);
	return refined.length === 0
		? first
		: `${first}\nRefined later: ${refined.map((t) => `"${clip(t, 160)}"`).join('; ')}`;
}

function addFileOp(files: Map<string, string[]>, path: string, op: string): void {
	const ops = files.get(path);
	if (ops === undefined) files.set(path, [op]);
	else ops.push(op);
}

function fileOp(action: Action): string {
	const base: Partial<Record<ToolKind, string>> = {
		read: 'read',
		edit: 'edited',
		write: 'written',
		search: 'searched',
		list: 'listed',
		shell: 'used by a command',
	};
	const op = base[action.kind] ?? `used by ${action.tool}`;
	return action.ok || !action.hasResult ? op : `${op} (failed)`;
}

/** Collapses repeated ops in order: `read, read, edited` becomes `read ×2, edited`. */
export function formatOps(ops: readonly string[]): string {
	const counts = new Map<string, number>();
	for (const op of ops) counts.set(op, (counts.get(op) ?? 0) + 1);
	return [...counts].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(', ');
}

function figureContexts(messages: readonly Message[], artifacts: readonly Artifact[]): Map<string, string> {
	const out = new Map<string, string>();
	for (const artifact of artifacts) {
		if (artifact.kind !== 'number' || out.has(artifact.value)) continue;
		const message = messages[artifact.messageIndex];
		if (message === undefined) continue;
		for (const part of message.parts) {
			const text = part.kind === 'text' || part.kind === 'toolResult' ? part.text : '';
			const at = text.indexOf(artifact.value);
			if (at < 0) continue;
			const lineStart = text.lastIndexOf('\n', at) + 1;
			let lineEnd = text.indexOf('\n', at);
			if (lineEnd < 0) lineEnd = text.length;
			const from = Math.max(lineStart, at - 50);
			const to = Math.min(lineEnd, at + artifact.value.length + 30);
			let phrase = text.slice(from, to);
			if (from > lineStart) phrase = phrase.replace(/^\S*\s/, '');
			if (to < lineEnd) phrase = phrase.replace(/\s\S*$/, '');
			phrase = phrase
				.replace(/[*`_#|]/g, '')
				.replace(/\s+/g, ' ')
				.trim();
			out.set(artifact.value, phrase.includes(artifact.value) ? phrase : artifact.value);
			break;
		}
	}
	return out;
}

/** Reads the session's request, actions, decisions, questions, files and state out of the messages; O(text). */
export function digestSession(messages: readonly Message[], artifacts: readonly Artifact[]): SessionDigest {
	const results = new Map<string, ToolResultPart>();
	const resultMessage = new Map<string, number>();
	messages.forEach((message, index) => {
		for (const part of message.parts)
			if (part.kind === 'toolResult') {
				results.set(part.callId, part);
				resultMessage.set(part.callId, index);
			}
	});
	const resultOf = new Map<number, Action>();

	const actions: Action[] = [];
	const actionOfCall = new Map<string, Action>();
	const files = new Map<string, string[]>();
	let todos: TodoItem[] = [];
	messages.forEach((message, messageIndex) => {
		for (const part of message.parts) {
			if (part.kind !== 'toolCall') continue;
			const action = describeAction(part, results.get(part.callId), actions.length + 1, messageIndex, todos);
			actions.push(action);
			actionOfCall.set(part.callId, action);
			const at = resultMessage.get(part.callId);
			if (at !== undefined && !resultOf.has(at)) resultOf.set(at, action);
			for (const path of action.paths) addFileOp(files, path, fileOp(action));
			if (action.kind === 'todo') todos = todoItems(parseToolArguments(part.argumentsText)) ?? todos;
		}
	});

	const requests = userRequests(messages);
	const substantive = requests.filter((r) => !isContinuationReply(r.text));
	const constraints = new Set<string>();
	for (const request of substantive)
		for (const sentence of sentencesOf(request.text))
			if (constraintWords.test(sentence) && !sentence.endsWith('?')) constraints.add(sentence);

	const decisions = new Set<string>();
	const found = new Set<string>();
	let lastAssistantText = '';
	for (const message of messages) {
		if (message.role !== 'assistant' || message.flags.isSidechain) continue;
		const text = textOf(message);
		if (text.trim() === '') continue;
		lastAssistantText = text;
		for (const sentence of sentencesOf(text)) {
			if (sentence.length > 400 || /^[\s\p{P}\p{S}]*$/u.test(sentence)) continue;
			if (decisionWords.test(sentence)) decisions.add(sentence);
			else if (isFinding(sentence)) found.add(sentence);
		}
	}
	// Each turn's closing statement first, then the sentences reporting a cause or a result that it does not hold.
	const conclusions = turnConclusions(messages, requests);
	const findings = [
		...conclusions,
		...[...found].filter((f) => !conclusions.some((c) => c.includes(f)) && !decisions.has(f)),
	];

	const blocked = openErrors(actions);
	// Only what the record says is under way: a todo marked in progress, a call without a result. An announced next
	// step ("Let me check…") is not work in progress.
	const inProgress: string[] = todos.filter((t) => t.status === 'in_progress').map((t) => t.content);
	const lastAction = actions[actions.length - 1];
	if (lastAction !== undefined && !lastAction.hasResult && lastAction.kind !== 'todo') {
		inProgress.push(
			`Interrupted before a result: ${lastAction.verb} ${lastAction.target} (${lastAction.tool})`,
		);
	}
	const remaining = todos.filter((t) => t.status === 'pending').map((t) => t.content);
	for (const line of lastAssistantText.split('\n')) {
		const open = /^\s*[-*] \[ \] (.+)$/.exec(line)?.[1];
		if (open !== undefined && !remaining.includes(open.trim())) remaining.push(open.trim());
	}

	const task = findActiveTask(messages);
	const goal = goalOf(messages, substantive, task?.text);
	return {
		...(task !== undefined ? { task } : {}),
		...(goal !== undefined ? { goal } : {}),
		constraints: [...constraints],
		actions,
		decisions: [...decisions],
		findings,
		errorPatterns: errorPatternsOf(messages, actionOfCall),
		questions: collectQuestions(messages, substantive),
		files: [...files].map(([path, ops]) => ({ path, ops })),
		todos,
		inProgress,
		remaining,
		blocked,
		state: activeState(actions, todos, blocked),
		figureContext: figureContexts(messages, artifacts),
		resultOf,
	};
}

/**
 * Error lines of the session grouped by pattern: the first line of every failed result, and every error line of a
 * command's output, each with the action that showed it. The first `maxErrorPatterns / 2` patterns and the latest
 * ones are kept when there are more.
 */
function errorPatternsOf(
	messages: readonly Message[],
	actionOfCall: ReadonlyMap<string, Action>,
): ErrorPattern[] {
	const patterns = new Map<
		string,
		{ example: string; lastExample: string; count: number; firstAction: number; lastAction: number }
	>();
	const addLine = (line: string, action: number): void => {
		const key = errorPatternKey(line);
		const seen = patterns.get(key);
		if (seen === undefined)
			patterns.set(key, {
				example: line,
				lastExample: line,
				count: 1,
				firstAction: action,
				lastAction: action,
			});
		else {
			seen.count++;
			seen.lastAction = action;
			seen.lastExample = line;
		}
	};
	for (const message of messages)
		for (const part of message.parts) {
			if (part.kind !== 'toolResult') continue;
			const action = actionOfCall.get(part.callId);
			if (action === undefined) continue;
			// One result counts a line once, however many of the readings below find it.
			const inResult = new Set<string>();
			const add = (line: string, number: number): void => {
				if (inResult.has(line)) return;
				inResult.add(line);
				addLine(line, number);
			};
			// A failed result's first line, and its first line that reads as an error when that is another one.
			const first = part.isError ? firstLine(part.text) : undefined;
			if (first !== undefined && first !== '') add(first, action.number);
			const telling = part.isError ? action.firstErrorLine : undefined;
			if (telling !== undefined && telling !== first) add(telling, action.number);
			if (action.kind !== 'shell') continue;
			let at = 0;
			for (let scanned = 0; at < part.text.length && scanned < 2000; scanned++) {
				let end = part.text.indexOf('\n', at);
				if (end < 0) end = part.text.length;
				const line = part.text.slice(at, Math.min(end, at + 400)).trim();
				if (line !== '' && line !== first && end - at <= 300 && isErrorLine(line))
					add(firstLine(line), action.number);
				at = end + 1;
			}
		}
	const all = [...patterns.values()].map((p) => ({
		example: p.example,
		...(p.lastExample !== p.example ? { lastExample: p.lastExample } : {}),
		count: p.count,
		firstAction: p.firstAction,
		lastAction: p.lastAction,
	}));
	if (all.length <= maxErrorPatterns) return all;
	const latest = [...all].sort((a, b) => a.lastAction - b.lastAction).slice(-maxErrorPatterns / 2);
	const keep = new Set([...all.slice(0, maxErrorPatterns / 2), ...latest]);
	return all.filter((p) => keep.has(p));
}

function describeAction(
	call: ToolCallPart,
	result: ToolResultPart | undefined,
	number: number,
	messageIndex: number,
	todos: readonly TodoItem[],
): Action {
	const kind = classifyTool(call.name);
	const args = parseToolArguments(call.argumentsText);
	const { target, isCommand, paths } = describeTarget(kind, call.name, args, call.argumentsText);
	const { outcome, errorLine, firstErrorLine: firstError } = describeOutcome(kind, args, result, todos);
	const verb = kind === 'other' ? call.name.toUpperCase().slice(0, 24) : verbs[kind];
	return {
		number,
		verb: kind === 'web' && /search/i.test(call.name) ? 'SEARCH WEB' : verb,
		target,
		isCommand,
		outcome,
		tool: call.name,
		kind,
		ok: result !== undefined && !result.isError,
		hasResult: result !== undefined,
		paths,
		...(errorLine !== undefined ? { errorLine } : {}),
		...(firstError !== undefined ? { firstErrorLine: firstError } : {}),
		messageIndex,
	};
}

/** Failed actions whose command or file never succeeded afterwards (R8 Blocked). */
function openErrors(actions: readonly Action[]): Action[] {
	const open = new Map<string, Action>();
	for (const action of actions) {
		// Only a success of the same tool clears a failure: a later read does not undo a failed edit.
		const key = `${action.tool}\u0000${action.isCommand ? action.target : (action.paths[0] ?? action.target)}`;
		if (action.hasResult && !action.ok) open.set(key, action);
		else if (action.ok) {
			open.delete(key);
			// A later success of the same program (`npm test` after `npm test -- --watch`) also clears it.
			if (action.isCommand)
				for (const k of [...open.keys()])
					if (k.split(' ')[0] === key.split(' ')[0] && k.startsWith(key)) open.delete(k);
		}
	}
	return [...open.values()];
}

function activeState(
	actions: readonly Action[],
	todos: readonly TodoItem[],
	blocked: readonly Action[],
): string[] {
	const state: string[] = [];
	const changed: string[] = [];
	for (const action of actions) {
		if (!action.ok || (action.kind !== 'edit' && action.kind !== 'write')) continue;
		for (const path of action.paths) if (!changed.includes(path)) changed.push(path);
	}
	if (changed.length > 0) state.push(`Files changed: ${changed.join(', ')}`);
	const shell = actions.filter((a) => a.kind === 'shell');
	const lastTest = [...shell].reverse().find((a) => isTestCommand(a.target));
	// A long command is named by its action number: Completed Actions writes it whole once.
	const named = (a: Action): string => (a.target.length <= 100 ? `\`${a.target}\`` : `action #${a.number}`);
	if (lastTest !== undefined) state.push(`Last test run: ${named(lastTest)} — ${lastTest.outcome}`);
	const lastShell = shell[shell.length - 1];
	if (lastShell !== undefined && lastShell !== lastTest)
		state.push(`Last command: ${named(lastShell)} — ${lastShell.outcome}`);
	if (todos.length > 0) state.push(`Todo list: ${todoCounts(todos)}`);
	if (blocked.length > 0) state.push(`Unresolved errors: ${blocked.length} (see Blocked)`);
	return state;
}
