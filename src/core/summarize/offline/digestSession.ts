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
	/** Assistant sentences reporting what it found or confirmed, in order. */
	readonly findings: readonly string[];
	/** Opening of the assistant's last substantial message: its latest report. */
	readonly lastReport?: string;
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
			if (command !== undefined) return { target: firstLine(command), isCommand: true, paths };
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
	/^(?:let me|now(?:,)? (?:let me|i'll|i will)|next(?:,)? i|i'll|i will|i'm going to|i need to)\b/i;

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

function collectQuestions(messages: readonly Message[], requests: readonly Turn[]): Question[] {
	const questions: Question[] = [];
	requests.forEach((turn, k) => {
		const end = requests[k + 1]?.index ?? messages.length;
		let answer: string | undefined;
		for (let i = end - 1; i > turn.index; i--) {
			const m = messages[i];
			if (m?.role !== 'assistant' || m.flags.isSidechain) continue;
			const sentences = sentencesOf(textOf(m));
			const opening = sentences[0];
			// "Let me check…" or a counter-question is not an answer.
			if (opening === undefined || intentWords.test(opening) || sentences.every((s) => s.endsWith('?')))
				continue;
			answer = sentences.slice(0, 2).join(' ');
			break;
		}
		for (const sentence of sentencesOf(turn.text)) {
			if (!sentence.endsWith('?')) continue;
			questions.push(
				answer !== undefined && answer !== '' ? { question: sentence, answer } : { question: sentence },
			);
		}
	});
	return questions;
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
	const files = new Map<string, string[]>();
	let todos: TodoItem[] = [];
	messages.forEach((message, messageIndex) => {
		for (const part of message.parts) {
			if (part.kind !== 'toolCall') continue;
			const action = describeAction(part, results.get(part.callId), actions.length + 1, messageIndex, todos);
			actions.push(action);
			const at = resultMessage.get(part.callId);
			if (at !== undefined && !resultOf.has(at)) resultOf.set(at, action);
			for (const path of action.paths) addFileOp(files, path, fileOp(action));
			if (action.kind === 'todo') todos = todoItems(parseToolArguments(part.argumentsText)) ?? todos;
		}
	});

	const requests = userRequests(messages);
	const substantive = requests.filter((r) => !isContinuationReply(r.text));
	const goalText = (substantive[0] ?? requests[0])?.text;
	const constraints = new Set<string>();
	for (const request of substantive)
		for (const sentence of sentencesOf(request.text))
			if (constraintWords.test(sentence) && !sentence.endsWith('?')) constraints.add(sentence);

	const decisions = new Set<string>();
	const findings = new Set<string>();
	let lastAssistantText = '';
	let lastReport: string | undefined;
	for (const message of messages) {
		if (message.role !== 'assistant' || message.flags.isSidechain) continue;
		const text = textOf(message);
		if (text.trim() === '') continue;
		lastAssistantText = text;
		const sentences = sentencesOf(text);
		for (const sentence of sentences) {
			if (sentence.length > 400 || /^[\s\p{P}\p{S}]*$/u.test(sentence)) continue;
			if (decisionWords.test(sentence)) decisions.add(sentence);
			else if (isFinding(sentence)) findings.add(sentence);
		}
		if (text.length >= 200) lastReport = sentences.filter((s) => !/^[-=_*]{3,}$/.test(s)).join(' ');
	}

	const blocked = openErrors(actions);
	const inProgress: string[] = todos.filter((t) => t.status === 'in_progress').map((t) => t.content);
	const lastAction = actions[actions.length - 1];
	if (lastAction !== undefined && !lastAction.hasResult && lastAction.kind !== 'todo') {
		inProgress.push(
			`Interrupted before a result: ${lastAction.verb} ${lastAction.target} (${lastAction.tool})`,
		);
	}
	if (inProgress.length === 0) {
		const intent = sentencesOf(lastAssistantText).filter((s) => intentWords.test(s));
		const last = intent[intent.length - 1];
		if (last !== undefined) inProgress.push(last);
	}
	const remaining = todos.filter((t) => t.status === 'pending').map((t) => t.content);
	for (const line of lastAssistantText.split('\n')) {
		const open = /^\s*[-*] \[ \] (.+)$/.exec(line)?.[1];
		if (open !== undefined && !remaining.includes(open.trim())) remaining.push(open.trim());
	}

	const task = findActiveTask(messages);
	return {
		...(task !== undefined ? { task } : {}),
		...(goalText !== undefined ? { goal: goalText.split(/\n\s*\n/)[0]?.trim() ?? goalText } : {}),
		constraints: [...constraints],
		actions,
		decisions: [...decisions],
		findings: [...findings],
		...(lastReport !== undefined ? { lastReport } : {}),
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
	if (lastTest !== undefined) state.push(`Last test run: \`${lastTest.target}\` — ${lastTest.outcome}`);
	const lastShell = shell[shell.length - 1];
	if (lastShell !== undefined && lastShell !== lastTest)
		state.push(`Last command: \`${lastShell.target}\` — ${lastShell.outcome}`);
	if (todos.length > 0) state.push(`Todo list: ${todoCounts(todos)}`);
	if (blocked.length > 0) state.push(`Unresolved errors: ${blocked.length} (see Blocked)`);
	return state;
}
