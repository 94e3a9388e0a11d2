// The independent evaluation's extractor: what a continuing agent must still find after compaction, read from the
// messages by the definitions below alone. It shares no code with the product's extractor or its summarisers (a
// lint rule forbids the imports), so it cannot grade the summary by the summary's own checklist.
import type { Message } from '../../src/core/transcript/model';

/** A class of fact the independent evaluation checks. */
export type FactClass =
	'path' | 'command' | 'url' | 'identifier' | 'errorPattern' | 'outputPath' | 'activeTask';

/** Classes counted in the said-or-acted figure: what the person or the assistant wrote, or a tool was asked to act on. */
export const saidOrActedClasses: readonly FactClass[] = ['path', 'command', 'url', 'identifier'];

/** Every class, in report order. */
export const factClasses: readonly FactClass[] = [
	'path',
	'command',
	'url',
	'identifier',
	'errorPattern',
	'outputPath',
	'activeTask',
];

/** One fact: its class, its value as it is checked, and the window messages it appeared in (first and last). */
export interface Fact {
	readonly kind: FactClass;
	/** The value looked for in the output (for an error pattern, its normalised form). */
	readonly value: string;
	/** For an error pattern: the distinct lines of it as written (at most 20). */
	readonly examples?: readonly string[];
	/** How many times the fact appears (for an error pattern: lines of the window that share it). */
	readonly count: number;
	readonly firstIndex: number;
	readonly lastIndex: number;
}

/** File extensions that make a bare name (`README.md`, `config.rs`) a path. */
const fileExtensions = new Set(
	'ts tsx js jsx mjs cjs json jsonl md mdx txt py rs go java kt kts cs fs vb c h cc cpp hpp m mm swift rb php sh bash zsh fish ps1 bat cmd yml yaml toml ini cfg conf env lock sql html htm css scss sass less vue svelte xml csv tsv log gradle sln csproj fsproj props targets pom ipynb r jl lua pl ex exs erl hs ml dart zig nim proto graphql gql tf hcl dockerfile mk cmake gitignore npmrc editorconfig png jpg jpeg gif svg pdf zip gz tgz'.split(
		' ',
	),
);

/** A run of characters a path is made of. */
const pathRun = /[\w.@+~/-]+/g;

/** Punctuation that ends a sentence or a span, not the path before it. */
const trailingPunctuation = /[.,:;!?)\]}'"`]+$/;

/**
 * The paths in a text. A path is a run of `[\w.@+~/-]` (after trimming trailing punctuation and a `:line[:col]`
 * suffix) that is not part of a URL or of a template (a run next to `{`, `}`, `*`, `$`, `<` or `>`) and either starts with `/`, `./`, `../` or `~/` and has a letter after it,
 * or has two or more `/` separators, or ends in a file name with a known extension (`README.md`, `src/a.ts`).
 */
export function pathsInText(text: string): string[] {
	const found: string[] = [];
	for (const match of text.matchAll(pathRun)) {
		let token = match[0];
		const at = match.index;
		const before = text.slice(Math.max(0, at - 3), at);
		if (before.endsWith('//') || /[a-z]:$/i.test(before) || token.includes('://')) continue;
		// A run that touches a placeholder or a wildcard (`{id}`, `*`, `$HOME`, `<name>`) is part of a template.
		if (/[{}*$<>]/.test(text[at - 1] ?? '') || /[{}*$<>]/.test(text[at + token.length] ?? '')) continue;
		token = token.replace(trailingPunctuation, '');
		if (token.length >= 3 && token.length <= 400 && isPath(token)) found.push(token);
	}
	return found;
}

function isPath(token: string): boolean {
	if (!/[a-z]/i.test(token)) return false;
	if (/^(?:\/|\.\.?\/|~\/)/.test(token))
		return /[a-z]/i.test(token.replace(/^[./~]+/, '')) && !/\/\//.test(token);
	const slashes = token.split('/').length - 1;
	if (slashes >= 2 && !token.startsWith('//') && !token.includes('//')) return true;
	const last = token.split('/').pop() ?? '';
	const dot = last.lastIndexOf('.');
	if (dot <= 0 || dot === last.length - 1) return false;
	return fileExtensions.has(last.slice(dot + 1).toLowerCase());
}

/** URLs in a text: `http://` or `https://` up to the first space, quote or bracket, trailing punctuation trimmed. */
export function urlsInText(text: string): string[] {
	return [...text.matchAll(/https?:\/\/[^\s"'`<>()[\]{}|\\^]+/g)]
		.map((m) => m[0].replace(/[.,:;!?*_]+$/, ''))
		.filter((url) => url.length > 10);
}

/**
 * Identifiers said in a text: names that start lower-case and have an upper-case letter later (`camelCase`), an
 * underscore between letters or digits (`snake_case`, `MAX_SIZE`), or a call's parentheses (`parse()`), at least
 * four characters, not part of a path or URL; plus any single name written as a code span (`` `foo` ``). Dotted
 * names (`a.b.c`) are split into their names.
 */
export function identifiersInText(text: string): string[] {
	const found: string[] = [];
	const cleaned = text.replace(/https?:\/\/\S+/g, ' ');
	for (const match of cleaned.matchAll(/`([A-Za-z_$][\w$]{2,})(?:\(\))?`/g)) found.push(match[1] ?? '');
	for (const match of cleaned.matchAll(/[\w$./\\-]+(?:\(\))?/g)) {
		const token = match[0];
		if (token.includes('/') || token.includes('\\') || isPath(token.replace(/\(\)$/, ''))) continue;
		for (const raw of token.split('.')) {
			const call = raw.endsWith('()');
			const name = raw.replace(/\(\)$/, '');
			if (!/^[A-Za-z_$][\w$]*$/.test(name) || name.length < 4) continue;
			// Capitalised words with inner capitals (`TypeScript`, `GitHub`) are as often product names as types.
			if (call || /^[a-z_$][\w$]*[a-z0-9][A-Z]/.test(name) || /[A-Za-z0-9]_[A-Za-z0-9]/.test(name))
				found.push(name);
		}
	}
	return found;
}

/** The shell command of a tool call: a `command`, `cmd` or `script` string, or an argv array (`bash -lc <script>` as its script). */
export function commandOfCall(argumentsText: string): string | undefined {
	let args: unknown;
	try {
		args = JSON.parse(argumentsText);
	} catch {
		return undefined;
	}
	if (typeof args !== 'object' || args === null || Array.isArray(args)) return undefined;
	const record = args as Record<string, unknown>;
	for (const key of ['command', 'cmd', 'script']) {
		const value = record[key];
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
			const argv = value as string[];
			if (argv.length === 3 && /^(?:ba|z)?sh$/.test(argv[0] ?? '') && /^-l?c$/.test(argv[1] ?? ''))
				return argv[2]?.trim() || undefined;
			return argv.join(' ').trim() || undefined;
		}
	}
	return undefined;
}

/** Every string in a tool call's arguments (its JSON values, recursively), or the text itself when it is not JSON. */
function argumentStrings(argumentsText: string): string[] {
	let args: unknown;
	try {
		args = JSON.parse(argumentsText);
	} catch {
		return [argumentsText];
	}
	const out: string[] = [];
	const walk = (value: unknown): void => {
		if (typeof value === 'string') out.push(value);
		else if (Array.isArray(value)) value.forEach(walk);
		else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
	};
	walk(args);
	return out;
}

/** Words that make an output line an error line. */
const errorWords =
	/\b(?:\w*(?:Error|Exception)|ERROR|FATAL|FAIL(?:ED)?|Traceback|panic|fatal|error(?:\[\w+\])?:|failed|cannot|can't|could not|couldn't|unable to|not found|no such file|permission denied|denied|refused|undefined reference|segmentation fault)\b/i;
/** Lines that mention errors but report none. */
const noErrorLine = /\b(?:0|no) (?:errors?|failures?|failed)\b|\berrors?: 0\b|\bfailed: 0\b/i;

/** Longest error line kept whole; longer lines are minified code or data, not messages. */
const maxErrorLineChars = 300;

/** True when an output line reads as an error (see {@link errorWords}), is not a report of none, and is at most 300 characters. */
export function isErrorLine(line: string): boolean {
	return line.length <= maxErrorLineChars && errorWords.test(line) && !noErrorLine.test(line);
}

/**
 * An error line's pattern: numbers (with their decimals, units and hex) become `#`, quoted words (`'x'`, `"x"`,
 * `` `x` ``) become `"…"`, runs of whitespace one space. Lines that differ only in those share a pattern.
 */
export function errorPatternOf(line: string): string {
	return line
		.replace(/(['"`])[^'"`\n]{1,200}?\1/g, '"…"')
		.replace(/\b0x[0-9a-f]+\b/gi, '#')
		.replace(/\d+(?:[.,:]\d+)*/g, '#')
		.replace(/\s+/g, ' ')
		.trim();
}

/** Tool-tag wrappers some agents put around results (`<tool_use_error>…</tool_use_error>`). */
function withoutTags(line: string): string {
	return line.replace(/<\/?[a-z_-]+>/gi, '').trim();
}

/** A message's visible text: its text parts, joined. */
function spokenText(message: Message): string {
	return message.parts
		.map((p) => (p.kind === 'text' ? p.text : ''))
		.filter((t) => t !== '')
		.join('\n');
}

/** A user message is a request when it has text and carries no tool result. */
function requestText(message: Message): string | undefined {
	if (message.role !== 'user' || message.flags.isMeta) return undefined;
	if (message.parts.some((p) => p.kind === 'toolResult')) return undefined;
	const text = spokenText(message).trim();
	return text === '' ? undefined : text;
}

/** Replies that continue a task rather than state one (`yes`, `continue`, `ok go ahead`). */
const continuation =
	/^(?:y(?:es)?|yeah|yep|ok(?:ay)?|sure|go(?: ahead)?|continue|proceed|do it|please do|thanks?(?: you)?|no|nope|lgtm|done|next|retry|try again)[\s.!]*$/i;

/**
 * The active task: the latest user request of more than three words that is not a bare continuation reply, as
 * written; checked by its first 200 characters with whitespace collapsed.
 */
export function activeTaskOf(messages: readonly Message[]): { text: string; index: number } | undefined {
	for (let i = messages.length - 1; i >= 0; i--) {
		const message = messages[i];
		if (message === undefined) continue;
		const text = requestText(message);
		if (text === undefined || continuation.test(text) || text.split(/\s+/).length <= 3) continue;
		return { text, index: i };
	}
	return undefined;
}

/** Collapses whitespace, so a fact is found in a summary that reflowed it. */
export function squash(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

/**
 * Reads every fact of a window by the definitions of this module, with the index of the first and last message it
 * appears in. Said: the text parts of user and assistant messages (meta messages skipped). Acted on: the strings of
 * tool-call arguments. Paths said or acted on are `path`; paths that appear only in tool results are `outputPath`.
 * Commands are the whole command of every tool call that has one, whitespace collapsed. Error lines are the first
 * non-empty line of every result marked as an error, and every error line of a command's result; they are grouped
 * by {@link errorPatternOf}. The `activeTask` fact is the window's active task.
 */
export function extractFacts(messages: readonly Message[]): Fact[] {
	const facts = new Map<
		string,
		{ kind: FactClass; value: string; examples: string[]; count: number; first: number; last: number }
	>();
	const add = (kind: FactClass, value: string, index: number, example?: string): void => {
		const key = `${kind}\u0000${value}`;
		let fact = facts.get(key);
		if (fact === undefined) {
			fact = { kind, value, examples: [], count: 0, first: index, last: index };
			facts.set(key, fact);
		}
		fact.count++;
		fact.last = index;
		if (example !== undefined && fact.examples.length < 20 && !fact.examples.includes(example))
			fact.examples.push(example);
	};
	const commandCalls = new Set<string>();
	const outputPaths: { path: string; index: number }[] = [];
	messages.forEach((message, index) => {
		if (message.flags.isMeta) return;
		for (const part of message.parts) {
			if (part.kind === 'text' && (message.role === 'user' || message.role === 'assistant')) {
				for (const path of pathsInText(part.text)) add('path', path, index);
				for (const url of urlsInText(part.text)) add('url', url, index);
				for (const name of identifiersInText(part.text)) add('identifier', name, index);
			} else if (part.kind === 'toolCall') {
				const command = commandOfCall(part.argumentsText);
				if (command !== undefined) {
					add('command', squash(command), index);
					commandCalls.add(part.callId);
				}
				for (const value of argumentStrings(part.argumentsText)) {
					for (const path of pathsInText(value)) add('path', path, index);
					for (const url of urlsInText(value)) add('url', url, index);
				}
			} else if (part.kind === 'toolResult') {
				for (const path of pathsInText(part.text)) outputPaths.push({ path, index });
				const lines = part.text.split('\n').map(withoutTags);
				if (part.isError) {
					const first = lines.find((l) => l !== '');
					if (first !== undefined && first.length <= maxErrorLineChars)
						add('errorPattern', errorPatternOf(first), index, first);
				}
				if (commandCalls.has(part.callId))
					for (const line of lines)
						if (isErrorLine(line) && !(part.isError && line === lines.find((l) => l !== '')))
							add('errorPattern', errorPatternOf(line), index, line);
			}
		}
	});
	const saidOrActed = new Set([...facts.values()].filter((f) => f.kind === 'path').map((f) => f.value));
	for (const { path, index } of outputPaths) if (!saidOrActed.has(path)) add('outputPath', path, index);
	const task = activeTaskOf(messages);
	if (task !== undefined) add('activeTask', squash(task.text).slice(0, 200), task.index);
	return [...facts.values()].map((f) => ({
		kind: f.kind,
		value: f.value,
		...(f.kind === 'errorPattern' ? { examples: f.examples } : {}),
		count: f.count,
		firstIndex: f.first,
		lastIndex: f.last,
	}));
}
