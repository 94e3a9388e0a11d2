import type { Message } from '../transcript/model';

/** Kind of a fact that a summary should carry over verbatim. */
export type ArtifactKind =
	'filePath' | 'command' | 'errorLine' | 'url' | 'identifier' | 'number' | 'activeTask';

/** Every artifact kind, in the order reports list them. */
export const artifactKinds: readonly ArtifactKind[] = Object.freeze([
	'activeTask',
	'errorLine',
	'command',
	'filePath',
	'url',
	'identifier',
	'number',
]);

/** One concrete fact found in a message; `value` is normalised and unique per kind within one extraction. */
export interface Artifact {
	readonly kind: ArtifactKind;
	readonly value: string;
	readonly messageId: string;
	/** Index into the message list given to `extractArtifacts`. */
	readonly messageIndex: number;
	/** The tool name for tool calls and results, else the message's role. */
	readonly source: string;
}

/** Broad family of a tool, guessed from its name, deciding how its arguments and result are read. */
export type ToolKind =
	'read' | 'edit' | 'write' | 'shell' | 'search' | 'list' | 'web' | 'todo' | 'task' | 'other';

/** Longest error line or command kept as an artifact value, in characters; longer ones are clipped. */
export const maxArtifactLineChars = 200;

const toolKindRules: readonly (readonly [RegExp, ToolKind])[] = [
	[/todo/i, 'todo'],
	[/^(?:task|agent|delegate|delegate_task|subagent|spawn_agent)$/i, 'task'],
	[/web_?fetch|web_?search|browser|fetch_url|http_get|read_page|url/i, 'web'],
	[/bash|shell|terminal|exec|run_command|command|powershell|^run$/i, 'shell'],
	[/edit|patch|replace|apply_diff|notebookedit/i, 'edit'],
	[/write|create_file|^create$|save_file/i, 'write'],
	[/grep|search|ripgrep|^rg$/i, 'search'],
	[/glob|^ls$|list|find/i, 'list'],
	[/read|view|^cat$|open_file|notebookread/i, 'read'],
];

/** The family of a tool by its name (`Bash` and `run_shell_command` are shell, `TodoWrite` is todo); `other` when unknown. */
export function classifyTool(name: string): ToolKind {
	for (const [pattern, kind] of toolKindRules) if (pattern.test(name)) return kind;
	return 'other';
}

/** Tool-call arguments parsed as a JSON object, or undefined when they are not one (invalid JSON is left alone). */
export function parseToolArguments(argumentsText: string): Readonly<Record<string, unknown>> | undefined {
	const start = argumentsText.trimStart();
	if (!start.startsWith('{')) return undefined;
	try {
		const parsed: unknown = JSON.parse(argumentsText);
		return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
			? (parsed as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

const pathArgumentKeys = [
	'file_path',
	'filePath',
	'path',
	'filename',
	'filepath',
	'notebook_path',
	'target_file',
	'file',
];
const pathListKeys = new Set([...pathArgumentKeys, 'paths', 'files', 'file_paths']);

/** File paths named by a tool call's arguments (`file_path`, `path`, `filename`, `paths`, …), normalised, in argument order. */
export function pathsInArguments(args: Readonly<Record<string, unknown>>): string[] {
	const found: string[] = [];
	const take = (value: unknown): void => {
		if (typeof value !== 'string') return;
		const path = normaliseArgumentPath(value);
		if (path !== undefined) found.push(path);
	};
	for (const key of pathArgumentKeys) take(args[key]);
	for (const key of ['paths', 'files', 'file_paths']) {
		const list = args[key];
		if (Array.isArray(list)) for (const item of list) take(item);
	}
	return found;
}

/** The shell command a tool call runs (string `command`/`cmd`, or an argv array), or undefined. */
export function commandInArguments(args: Readonly<Record<string, unknown>>): string | undefined {
	for (const key of ['command', 'cmd', 'script']) {
		const value = args[key];
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
			const argv = value as string[];
			// Codex sends ["bash", "-lc", "<script>"]: the script is the command the person would recognise.
			if (argv.length === 3 && /^(?:ba|z)?sh$/.test(argv[0] ?? '') && /^-l?c$/.test(argv[1] ?? '')) {
				return (argv[2] ?? '').trim() || undefined;
			}
			const joined = argv.join(' ').trim();
			if (joined !== '') return joined;
		}
	}
	return undefined;
}

/** A shell command as one line: its whitespace runs collapsed to one space, nothing cut. */
export function wholeCommand(command: string): string {
	return command.replace(/\s+/g, ' ').trim();
}

/** First non-empty line of a text, trimmed and clipped to `maxArtifactLineChars`; '' when there is none. */
export function firstLine(text: string): string {
	let at = 0;
	while (at < text.length) {
		let end = text.indexOf('\n', at);
		if (end < 0) end = text.length;
		const line = stripToolTags(text.slice(at, Math.min(end, at + 4 * maxArtifactLineChars))).trim();
		if (line !== '') return clipLine(line);
		at = end + 1;
	}
	return '';
}

/** A line clipped to `maxArtifactLineChars` characters, never splitting a surrogate pair. */
export function clipLine(line: string): string {
	if (line.length <= maxArtifactLineChars) return line;
	let end = maxArtifactLineChars;
	const code = line.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end -= 1;
	return line.slice(0, end).trimEnd();
}

/** A line without the tags agents wrap tool errors and output in (`<tool_use_error>`, `<stderr>`, ...). */
export function stripToolTags(line: string): string {
	return line.replace(/<\/?(?:tool_use_error|error|stderr|stdout)>/g, '');
}

/** What the person actually typed in a user message, or undefined for meta, tool results, slash-command noise and summaries. */
export function userRequestText(message: Message): string | undefined {
	if (message.role !== 'user' || message.flags.isMeta || message.flags.isSummary) return undefined;
	const texts: string[] = [];
	for (const part of message.parts) if (part.kind === 'text') texts.push(part.text);
	if (texts.length === 0) return undefined;
	const trimmed = texts
		.join('\n')
		.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '')
		.trim();
	if (trimmed.startsWith('<command-name>') || trimmed.startsWith('<command-message>')) {
		// A slash command's own text is noise; its arguments are what the person asked for.
		const args = /<command-args>([\s\S]*?)<\/command-args>/.exec(trimmed)?.[1]?.trim();
		return args === undefined || args === '' ? undefined : args;
	}
	if (
		/^<(?:local-command-std(?:out|err)|bash-input|bash-stdout|bash-stderr|user-prompt-submit-hook)>/.test(
			trimmed,
		) ||
		trimmed.startsWith('Caveat: The messages below were generated') ||
		/^\[Request interrupted by user/.test(trimmed)
	) {
		return undefined;
	}
	return trimmed === '' ? undefined : trimmed;
}

/** A user reply that only continues earlier work ("proceed", "yes", "d"), not a new request. */
export function isContinuationReply(text: string): boolean {
	const words = text.trim().split(/\s+/);
	if (words.length <= 2 && text.length <= 12) return true;
	return /^(?:ok(?:ay)?|yes|yep|go ahead|proceed|continue|sure|do it|lgtm|sounds good|thanks?(?: you)?)[.!\s]*$/i.test(
		text.trim(),
	);
}

/** The latest real user request of a message list: its text verbatim, where it is, whether it looks done, later short replies. */
export interface ActiveTaskFinding {
	readonly text: string;
	readonly messageIndex: number;
	readonly messageId: string;
	/** The assistant's last word after it reads as a completion report and no work is pending. */
	readonly looksFulfilled: boolean;
	/** Short continuation replies typed after it ("proceed", "d"), verbatim. */
	readonly followUps: readonly string[];
}

const completionWords =
	/\b(?:done|complete(?:d)?|finished|implemented|fixed|resolved|all (?:\d+ )?(?:tests? )?pass(?:ing|ed)?|successfully|is ready|now works|summary)\b/i;

/** Finds the latest substantive user request (R8 Active Task); main-thread requests win over a subagent's; O(messages). */
export function findActiveTask(messages: readonly Message[]): ActiveTaskFinding | undefined {
	const onlySidechain = messages.every((m) => m.role !== 'user' || m.flags.isSidechain);
	let found: { text: string; index: number } | undefined;
	const followUps: string[] = [];
	for (let i = messages.length - 1; i >= 0; i--) {
		const message = messages[i];
		if (message === undefined || (message.flags.isSidechain && !onlySidechain)) continue;
		const text = userRequestText(message);
		if (text === undefined) continue;
		if (isContinuationReply(text)) {
			followUps.unshift(text);
			continue;
		}
		found = { text, index: i };
		break;
	}
	if (found === undefined) {
		// Only short replies exist: the latest of them is still the most recent ask.
		const last = followUps.pop();
		if (last === undefined) return undefined;
		const index = findLastIndex(messages, (m) => userRequestText(m) === last);
		found = { text: last, index };
	}
	const message = messages[found.index];
	return {
		text: found.text,
		messageIndex: found.index,
		messageId: message?.id ?? '',
		looksFulfilled: looksFulfilledAfter(messages, found.index),
		followUps,
	};
}

function findLastIndex(messages: readonly Message[], test: (m: Message) => boolean): number {
	for (let i = messages.length - 1; i >= 0; i--) {
		const m = messages[i];
		if (m !== undefined && test(m)) return i;
	}
	return 0;
}

function looksFulfilledAfter(messages: readonly Message[], index: number): boolean {
	const last = messages[messages.length - 1];
	if (last === undefined || messages.length - 1 <= index || last.role !== 'assistant') return false;
	if (last.parts.some((p) => p.kind === 'toolCall')) return false;
	const text = last.parts
		.filter((p) => p.kind === 'text')
		.map((p) => p.text)
		.join('\n')
		.trim();
	return text !== '' && !text.endsWith('?') && completionWords.test(text);
}

const fileExtensions = new Set(
	(
		'ts tsx mts cts js jsx mjs cjs json jsonl jsonc md mdx markdown py pyi ipynb go rs java kt kts scala c h cc cpp cxx hpp hh ' +
		'cs fs vb rb php swift m mm dart lua pl pm r jl ex exs erl hrl clj cljs elm hs ml zig nim sol ' +
		'yml yaml toml ini cfg conf config env properties lock log txt csv tsv xml xsd html htm css scss sass less ' +
		'sh bash zsh fish ps1 bat cmd sql graphql gql proto prisma tf hcl vue svelte astro ' +
		'png jpg jpeg gif svg webp ico pdf zip gz tgz tar bz2 xz wasm so dll dylib exe bin db sqlite ' +
		'gradle pom sbt mk cmake dockerfile patch diff rst adoc tex bib vsix map snap'
	).split(' '),
);

const knownBareFiles = new Set([
	'Dockerfile',
	'Makefile',
	'Gemfile',
	'Procfile',
	'Rakefile',
	'Justfile',
	'.env',
	'.gitignore',
	'.gitattributes',
	'.npmrc',
	'.nvmrc',
	'.prettierrc',
	'.eslintrc',
	'.editorconfig',
	'.dockerignore',
	'.bashrc',
	'.zshrc',
	'.mocharc',
	'.vscodeignore',
]);

// Product names written like file names; they are prose, not paths.
const notFileNames = new Set(
	[
		'node.js',
		'next.js',
		'vue.js',
		'nuxt.js',
		'react.js',
		'express.js',
		'three.js',
		'd3.js',
		'chart.js',
		'ember.js',
		'backbone.js',
		'angular.js',
		'socket.io',
		'p5.js',
		'deno.js',
		'nest.js',
		'solid.js',
		'alpine.js',
		'htmx.js',
	].map((s) => s.toLowerCase()),
);

function hasFileExtension(segment: string): boolean {
	const dot = segment.lastIndexOf('.');
	if (dot <= 0 || dot === segment.length - 1) return false;
	return fileExtensions.has(segment.slice(dot + 1).toLowerCase());
}

const pathSegment = /^[\w.@+~\-[\]]+$/;

/** A path-like token made canonical (wrapping punctuation, `@` mention and `:line` suffix removed), or undefined when it is not a path. */
export function normalisePathToken(token: string): string | undefined {
	let t = token;
	if (t.length < 3 || t.length > 400) return undefined;
	t = t.replace(/^[([{<'"`]+/, '').replace(/[)\]}>'"`.,:;!?]+$/, '');
	if (t.startsWith('[') && !t.includes(']')) t = t.slice(1);
	if (t.endsWith(']') && !t.includes('[')) t = t.slice(0, -1);
	if (t.startsWith('@')) t = t.slice(1);
	t = t.replace(/:\d+(?::\d+)?(?:-\d+)?$/, '');
	if (t.length < 3 || /[*?$%#&\\:=!,;|'"`<>{}()^]/.test(t)) return undefined;
	if (!/[A-Za-z]/.test(t)) return undefined;
	const hasSlash = t.includes('/');
	if (!hasSlash) {
		if (knownBareFiles.has(t)) return t;
		if (notFileNames.has(t.toLowerCase())) return undefined;
		if (!hasFileExtension(t)) return undefined;
		if (!/^[\w.@+-]+$/.test(t) || /^\.+[^.]*$/.test(t) || /^v?\d/.test(t)) return undefined;
		return t;
	}
	if (t.includes('//')) return undefined;
	const isAbsolute = t.startsWith('/') || t.startsWith('~/');
	const isDotRelative = t.startsWith('./') || t.startsWith('../');
	const body = t.replace(/^(?:~|\.{1,2})?\//, '').replace(/\/$/, '');
	if (body === '') return undefined;
	const segments = body.split('/');
	for (const segment of segments) if (segment === '' || !pathSegment.test(segment)) return undefined;
	const last = segments[segments.length - 1] ?? '';
	const slashes = segments.length - 1;
	if (isAbsolute) return segments.length >= 2 || hasFileExtension(last) ? t : undefined;
	if (isDotRelative) return t;
	if (hasFileExtension(last)) return t;
	// Bare `a/b` is as often prose (`and/or`, `read/write`) as a folder; ask for more evidence.
	// `A/B/C/D/F` is a list of grades, not a folder.
	if ((slashes >= 2 || t.endsWith('/')) && segments.some((s) => s.length >= 2)) return t;
	return undefined;
}

function normaliseArgumentPath(value: string): string | undefined {
	const t = value.trim();
	if (t === '' || t.length > 400 || /[\n*?]/.test(t) || /^[a-z]+:\/\//i.test(t)) return undefined;
	// An argument named `path` is a path even without an extension or slash (`src`, `README`).
	return t;
}

const urlPattern = /https?:\/\/[^\s<>"'`|\\^{}]+/g;

/** A URL with trailing sentence punctuation and unbalanced closing brackets removed. */
export function normaliseUrl(raw: string): string {
	let url = raw.replace(/[.,;:!?*]+$/, '');
	for (const [open, close] of [
		['(', ')'],
		['[', ']'],
	] as const) {
		while (url.endsWith(close) && count(url, open) < count(url, close)) url = url.slice(0, -1);
	}
	return url.replace(/[.,;:!?*]+$/, '');
}

function count(text: string, ch: string): number {
	let n = 0;
	for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
	return n;
}

const tokenPattern = /[^\s"'`<>(),;|=]+/g;

const unitAlternatives =
	'%|x(?![\\w])|[kKMGTB](?![\\w])|' +
	'\\s?(?:ns|µs|us|ms|s|sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|' +
	'[KMGT]i?B|kB|B|bytes?|kb|mb|gb|tokens?|lines?|chars?|characters?|words?|px|rem|em|pt|dpi|fps|' +
	'Hz|kHz|MHz|GHz|°C|°F|tests?|passing|failing|pending|skipped|' +
	'req/s|rps|qps|ops/s)(?![\\w/])';

const numberPattern = new RegExp(
	`(?<![\\w.,/:#-])(\\d{1,3}(?:,\\d{3})+|\\d+)(\\.\\d+)?(${unitAlternatives})`,
	'g',
);

const portPattern = /(?<![\w.-])(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):(\d{2,5})(?!\d)/g;

/** Canonical key of a number-with-unit: digits without thousands separators, one space, the unit; undefined for ports. */
export function numberKey(value: string): string | undefined {
	const match = /^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?([^\s\d.:][^:]*)$/.exec(value.trim());
	if (match === null) return undefined;
	return `${(match[1] ?? '').replace(/,/g, '')}${match[2] ?? ''} ${match[3] ?? ''}`;
}

/** Every number-with-unit in a text, as written (`1,024 tokens`, `85%`, `localhost:8080`); linear in the text. */
export function numbersInText(text: string): string[] {
	const found: string[] = [];
	for (const match of text.matchAll(numberPattern)) found.push(match[0].trim());
	for (const match of text.matchAll(portPattern)) found.push(match[0]);
	return found;
}

const errorPattern =
	/Error:|Exception\b|Traceback|\bFAILED\b|\berror TS\d{3,5}\b|\bpanic(?:ked)?\b|\berror(?:\[E\d+\])?:|npm ERR!|\bfatal:/;

const errorAnywhere = new RegExp(errorPattern.source, 'g');

/** True when a line reads as an error report (Error:, Exception, Traceback, FAILED, error TS1234, panic, fatal:). */
export function isErrorLine(line: string): boolean {
	return errorPattern.test(line.length > 2000 ? line.slice(0, 2000) : line);
}

const identifierStopWords = new Set([
	'JavaScript',
	'TypeScript',
	'CoffeeScript',
	'GitHub',
	'GitLab',
	'BitBucket',
	'PostgreSQL',
	'MySQL',
	'MongoDB',
	'SQLite',
	'GraphQL',
	'macOS',
	'iOS',
	'iPhone',
	'iPad',
	'YouTube',
	'LinkedIn',
	'OpenAI',
	'ChatGPT',
	'PowerShell',
	'WebSocket',
	'VSCode',
	'PyPI',
	'DevOps',
	'NodeJS',
	'README',
	'OAuth',
	'JetBrains',
	'IntelliJ',
	'PyCharm',
	'WordPress',
	'DeepSeek',
	'HuggingFace',
	'LangChain',
	'FastAPI',
	'NumPy',
	'SciPy',
	'LaTeX',
	'McDonald',
]);

const camelOrSnake =
	/\b(?:[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g;

const backtickSpan = /`([^`\n]{2,80})`/g;

const codeName = /^[A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*(?:\(\))?$/;

function isMeaningfulIdentifier(name: string): boolean {
	const bare = name.replace(/\(\)$/, '');
	if (bare.length < 3 || bare.length > 64 || identifierStopWords.has(bare) || /\d{4,}/.test(bare))
		return false;
	if (name.endsWith('()') || /[._$#]|::/.test(bare.slice(1))) return true;
	if (/[A-Z]/.test(bare.slice(1)) && /[a-z]/.test(bare)) return true;
	// A single capitalised word is a class or type name only when it is not a short common word.
	return /^[A-Z][a-z0-9]{3,}$/.test(bare);
}

/** A backticked span that names code (`parseTranscript`, `Foo.bar()`, `MAX_TOKENS`), or undefined for prose, paths and keywords. */
export function identifierInBackticks(span: string): string | undefined {
	const t = span.trim();
	if (!codeName.test(t) || normalisePathToken(t) !== undefined) return undefined;
	return isMeaningfulIdentifier(t) ? t : undefined;
}

function isRepeatedCandidate(name: string): boolean {
	if (name.length < 4 || name.length > 64 || identifierStopWords.has(name)) return false;
	let digits = 0;
	for (let i = 0; i < name.length; i++) {
		const c = name.charCodeAt(i);
		if (c >= 48 && c <= 57) digits++;
	}
	if (digits > 3) return false;
	// Encoded blobs (base64) come out as camelCase with one-letter humps; real names rarely have three in a row.
	return !/[A-Z][0-9]?[A-Z][0-9]?[A-Z][0-9]?[a-z]/.test(name) || /^[A-Z][A-Z0-9_]+$/.test(name);
}

/** True when the name at `at` is part of a path, a URL or a dotted word (`src/fooBar.ts`, `a.b_c`), not a name of its own. */
function isInsidePathOrUrl(text: string, at: number, length: number): boolean {
	const before = text[at - 1] ?? '';
	const after = text[at + length] ?? '';
	return (
		/[/\\.:@~-]/.test(before) ||
		/[/\\-]/.test(after) ||
		(after === '.' && /\w/.test(text[at + length + 1] ?? ''))
	);
}

interface Found {
	readonly kind: ArtifactKind;
	readonly value: string;
	readonly messageIndex: number;
	readonly source: string;
	readonly seq: number;
}

function pathKey(value: string): string {
	return value.replace(/^\.\//, '');
}

/** Collects artifacts once per kind and key in the order they are first seen. */
class ArtifactCollector {
	private readonly seen = new Map<string, Found>();
	private seq = 0;

	add(kind: ArtifactKind, value: string, messageIndex: number, source: string): void {
		const v = value.trim();
		if (v === '') return;
		const key = `${kind}\u0000${kind === 'filePath' ? pathKey(v) : kind === 'number' ? (numberKey(v) ?? v) : v}`;
		if (this.seen.has(key)) return;
		this.seen.set(key, { kind, value: v, messageIndex, source, seq: this.seq++ });
	}

	nextSeq(): number {
		return this.seq++;
	}

	insert(found: Found): void {
		const key = `${found.kind}\u0000${found.value}`;
		if (!this.seen.has(key)) this.seen.set(key, found);
	}

	all(): Found[] {
		return [...this.seen.values()].sort((a, b) => a.seq - b.seq);
	}
}

/** Most distinct paths one tool output may name before it counts as a listing whose paths are not facts. */
export const maxListedPaths = 20;

/** Largest piece of one text scanned for artifacts, in characters: a bound on work, far above real tool outputs. */
const maxScannedChars = 16_000_000;

function scanText(
	text: string,
	messageIndex: number,
	source: string,
	out: ArtifactCollector,
	options: { readonly errors: boolean; readonly commands: boolean; readonly isToolOutput: boolean },
): void {
	const scanned = text.length > maxScannedChars ? text.slice(0, maxScannedChars) : text;
	for (const match of scanned.matchAll(urlPattern)) {
		if (match[0].length <= 2000) out.add('url', normaliseUrl(match[0]), messageIndex, source);
	}
	const paths = pathTokens(scanned);
	// A tool output naming dozens of paths is a listing (find, ls, git status): running it again lists them, so
	// only the paths the session names elsewhere count.
	if (!options.isToolOutput || paths.size <= maxListedPaths)
		for (const path of paths) out.add('filePath', path, messageIndex, source);
	for (const value of numbersInText(scanned)) out.add('number', value, messageIndex, source);
	if (options.commands) {
		for (const match of scanned.matchAll(promptLine)) {
			const command = (match[1] ?? '').replace(/\r$/, '').trim();
			if (command !== '') out.add('command', clipLine(command), messageIndex, source);
		}
	}
	if (!options.errors) return;
	let nextLine = 0;
	for (const match of scanned.matchAll(errorAnywhere)) {
		const at = match.index ?? 0;
		if (at < nextLine) continue;
		const start = scanned.lastIndexOf('\n', at) + 1;
		let end = scanned.indexOf('\n', at);
		if (end < 0) end = scanned.length;
		nextLine = end + 1;
		// Only the start of a very long line is read, as `isErrorLine` does.
		if (at - start > 2000) continue;
		const value = clipLine(stripToolTags(scanned.slice(start, Math.min(end, start + 4000))).trim());
		if (value !== '') out.add('errorLine', value, messageIndex, source);
	}
}

const promptLine = /^[ \t]*\$ (\S[^\n]*)$/gm;

/** The distinct paths written in a text, normalised, in order of appearance. */
function pathTokens(text: string): Set<string> {
	const paths = new Set<string>();
	for (const match of text.matchAll(tokenPattern)) {
		const token = match[0];
		if (token.length > 400 || token.length < 3) continue;
		if (!token.includes('/') && !token.includes('.') && !knownBareFiles.has(token)) continue;
		if (token.includes('://')) continue;
		const after = text.charCodeAt((match.index ?? 0) + token.length);
		// `res.json(` is a call, not a file.
		if (after === 40 /* ( */ && !token.includes('/')) continue;
		const path = normalisePathToken(token);
		if (path !== undefined) paths.add(path);
	}
	return paths;
}

/** Counts camelCase/snake_case names per part (at most once each) so only names used in two or more places count. */
class RepeatedNames {
	private readonly counts = new Map<string, { n: number; first: Found }>();

	addPart(text: string, messageIndex: number, source: string, seq: () => number): void {
		const scanned = text.length > maxScannedChars ? text.slice(0, maxScannedChars) : text;
		const inPart = new Set<string>();
		for (const match of scanned.matchAll(camelOrSnake)) {
			const name = match[0];
			if (inPart.has(name) || !isRepeatedCandidate(name)) continue;
			inPart.add(name);
			const entry = this.counts.get(name);
			if (entry === undefined) {
				this.counts.set(name, {
					n: 1,
					first: { kind: 'identifier', value: name, messageIndex, source, seq: seq() },
				});
			} else entry.n++;
		}
	}

	repeated(): Found[] {
		const out: Found[] = [];
		for (const entry of this.counts.values()) if (entry.n >= 2) out.push(entry.first);
		return out;
	}
}

function stringValues(value: unknown, into: string[], depth = 0): void {
	if (typeof value === 'string') into.push(value);
	else if (depth < 6 && Array.isArray(value)) for (const v of value) stringValues(v, into, depth + 1);
	else if (depth < 6 && typeof value === 'object' && value !== null)
		for (const v of Object.values(value)) stringValues(v, into, depth + 1);
}

/**
 * Every artifact in the messages, deduplicated per kind keeping the first occurrence, in order of appearance
 * (the active task, when there is an unfulfilled one, comes last). Linear in the text size: every regex is
 * pre-compiled and starts on a literal, a word boundary or a guarded lookbehind, so no input backtracks
 * quadratically. Thinking, opaque parts and meta messages are not read. Results of tools that return the
 * workspace itself (file reads, edits, listings, searches) count only when they are errors, a tool output naming
 * more than `maxListedPaths` paths is a listing whose paths do not count, and file contents written through tool
 * arguments are not mined for names: all of that stays on disk to be read again.
 */
export function extractArtifacts(messages: readonly Message[]): Artifact[] {
	const out = new ArtifactCollector();
	const repeated = new RepeatedNames();
	const nextSeq = (): number => out.nextSeq();
	const toolNames = new Map<string, string>();
	messages.forEach((message, messageIndex) => {
		// Injected meta content (skill text, command expansions) is re-sent by the agent, not said in the session.
		if (message.flags.isMeta) return;
		for (const part of message.parts) {
			if (part.kind === 'text') {
				const isModelOrPerson = message.role === 'assistant' || message.role === 'user';
				scanText(part.text, messageIndex, message.role, out, {
					errors: true,
					commands: true,
					isToolOutput: false,
				});
				if (isModelOrPerson) {
					for (const match of part.text.matchAll(backtickSpan)) {
						const name = identifierInBackticks(match[1] ?? '');
						if (name !== undefined) out.add('identifier', name, messageIndex, message.role);
					}
					// A camelCase or snake_case name the person or the assistant wrote is a fact even when said once.
					for (const match of part.text.matchAll(camelOrSnake)) {
						const name = match[0];
						if (isRepeatedCandidate(name) && !isInsidePathOrUrl(part.text, match.index, name.length))
							out.add('identifier', name, messageIndex, message.role);
					}
				}
			} else if (part.kind === 'toolCall') {
				toolNames.set(part.callId, part.name);
				scanToolCall(part.name, part.argumentsText, messageIndex, out, repeated, nextSeq);
			} else if (part.kind === 'toolResult') {
				const name = toolNames.get(part.callId) ?? 'tool';
				const text = part.text;
				if (part.isError) {
					const line = firstLine(text);
					if (line !== '') out.add('errorLine', line, messageIndex, name);
				}
				if (isWorkspaceReader(classifyTool(name)) && !part.isError) continue;
				scanText(text, messageIndex, name, out, { errors: true, commands: false, isToolOutput: true });
			}
		}
	});
	for (const found of repeated.repeated()) out.insert(found);
	const task = findActiveTask(messages);
	const all = out.all();
	const artifacts: Artifact[] = all.map((f) => ({
		kind: f.kind,
		value: f.value,
		messageId: messages[f.messageIndex]?.id ?? '',
		messageIndex: f.messageIndex,
		source: f.source,
	}));
	if (task !== undefined && !task.looksFulfilled) {
		artifacts.push({
			kind: 'activeTask',
			value: task.text,
			messageId: task.messageId,
			messageIndex: task.messageIndex,
			source: 'user',
		});
	}
	return artifacts;
}

/** Tools whose output is the workspace itself (file contents, listings, search hits): running them again gets it back. */
function isWorkspaceReader(kind: ToolKind): boolean {
	return kind === 'read' || kind === 'edit' || kind === 'write' || kind === 'list' || kind === 'search';
}

// Arguments that carry file contents or patches: the code lives on disk afterwards, its names are not facts of the talk.
const contentKeys = new Set([
	'content',
	'contents',
	'old_string',
	'new_string',
	'old_str',
	'new_str',
	'new_source',
	'file_text',
	'edits',
	'patch',
	'diff',
	'input',
	'text',
]);

function scanToolCall(
	name: string,
	argumentsText: string,
	messageIndex: number,
	out: ArtifactCollector,
	repeated: RepeatedNames,
	nextSeq: () => number,
): void {
	const args = parseToolArguments(argumentsText);
	if (args === undefined) return;
	for (const path of pathsInArguments(args)) out.add('filePath', path, messageIndex, name);
	const kind = classifyTool(name);
	if (kind === 'shell') {
		const command = commandInArguments(args);
		// The whole command, whitespace collapsed: a command kept only as its first line or a prefix is another one.
		if (command !== undefined) out.add('command', wholeCommand(command), messageIndex, name);
	}
	for (const key of ['url', 'uri', 'href']) {
		const value = args[key];
		if (typeof value === 'string' && /^https?:\/\//.test(value))
			out.add('url', normaliseUrl(value), messageIndex, name);
	}
	if (kind === 'todo') return;
	const values: string[] = [];
	for (const [key, value] of Object.entries(args)) {
		if (!contentKeys.has(key) && !pathListKeys.has(key)) stringValues(value, values);
	}
	const joined = values.join('\n');
	repeated.addPart(joined, messageIndex, name, nextSeq);
	// Paths a call names in its other arguments (a command, a delegated task's prompt) are acted on too.
	for (const path of pathTokens(joined)) out.add('filePath', path, messageIndex, name);
}
