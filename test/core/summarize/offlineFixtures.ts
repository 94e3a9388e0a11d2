import { encode } from 'gpt-tokenizer';
import { makeFlags } from '../../../src/core/transcript/model';
import type { Message, MessageFlags, Part, Role } from '../../../src/core/transcript/model';

let nextId = 0;

/** A message with the given role and parts; ids are unique within a test run. */
export function message(role: Role, parts: readonly Part[], flags: Partial<MessageFlags> = {}): Message {
	nextId++;
	return {
		id: `m${nextId}`,
		role,
		parts,
		flags: makeFlags(flags),
		lines: { from: nextId, to: nextId },
		raw: [],
	};
}

/** A user message typed by the person. */
export function user(text: string, flags: Partial<MessageFlags> = {}): Message {
	return message('user', [{ kind: 'text', text }], flags);
}

/** An assistant message: optional text, then tool calls. */
export function assistant(text: string, ...calls: Part[]): Message {
	return message('assistant', [...(text === '' ? [] : [{ kind: 'text' as const, text }]), ...calls]);
}

/** A tool call part with JSON arguments. */
export function call(callId: string, name: string, args: Record<string, unknown>): Part {
	return { kind: 'toolCall', callId, name, argumentsText: JSON.stringify(args) };
}

/** A user-role message carrying one tool result (Claude Code's shape). */
export function result(callId: string, text: string, isError = false): Message {
	return message('user', [{ kind: 'toolResult', callId, text, isError, images: [] }], { isError });
}

/** Token count with o200k (gpt-tokenizer), splitting long runs first as STYLE.md asks. */
export function countTokens(text: string): number {
	let n = 0;
	for (let at = 0; at < text.length; at += 512) n += encode(text.slice(at, at + 512)).length;
	return n;
}

/** The text a model reads for a list of messages (text, tool calls with arguments, results), for size comparisons. */
export function transcriptText(messages: readonly Message[]): string {
	const out: string[] = [];
	for (const m of messages)
		for (const p of m.parts) {
			if (p.kind === 'toolCall') out.push(`${p.name} ${p.argumentsText}`);
			else if (p.kind === 'text' || p.kind === 'toolResult' || p.kind === 'thinking' || p.kind === 'opaque')
				out.push(p.text);
		}
	return out.join('\n');
}

/** Deterministic pseudo-random numbers (mulberry32), so generated sessions are the same on every run. */
function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const modules = [
	'billing',
	'auth',
	'export',
	'search',
	'profile',
	'invoice',
	'report',
	'session',
	'upload',
	'audit',
];
const verbs = ['parse', 'render', 'validate', 'load', 'save', 'compute', 'format', 'merge'];

function codeFile(rand: () => number, name: string, lines: number): string {
	const out: string[] = [];
	for (let i = 0; i < lines; i++) {
		const v = verbs[Math.floor(rand() * verbs.length)] ?? 'load';
		out.push(
			`${String(i + 1).padStart(5)}→export function ${v}${name}${i}(input: string): number { return input.length * ${i}; }`,
		);
	}
	return out.join('\n');
}

/**
 * A long, realistic-looking coding session: requests, file reads with large contents, edits, test runs that fail
 * then pass, errors, URLs, identifiers and figures. Same seed, same session.
 */
export function generateSession(seed: number, turns: number): Message[] {
	const rand = random(seed);
	const messages: Message[] = [
		user('Set up the project. Always run `npm test` after edits and never touch dist/.'),
	];
	let n = 0;
	for (let t = 0; t < turns; t++) {
		const mod = modules[t % modules.length] ?? 'core';
		const file = `src/${mod}/${mod}Service${t}.ts`;
		const fn = `${verbs[t % verbs.length]}${mod[0]?.toUpperCase()}${mod.slice(1)}Record${t}`;
		messages.push(
			user(`Please fix \`${fn}\` in ${file} so the ${mod} export works; use the streaming writer.`),
		);
		const read = `c${n++}`;
		messages.push(assistant(`Let me read ${file} first.`, call(read, 'Read', { file_path: file })));
		messages.push(result(read, codeFile(rand, mod, 120 + Math.floor(rand() * 200))));
		const failing = `c${n++}`;
		messages.push(assistant('', call(failing, 'Bash', { command: `npm test -- ${mod}` })));
		const ms = 100 + Math.floor(rand() * 900);
		messages.push(
			result(
				failing,
				`Exit code 1\n> mocha\n\n  ${mod}\n    1) ${fn} streams rows\n\n  12 passing (${ms}ms)\n  1 failing\n\n  Error: expected ${t} to equal ${t + 1}\n      at Context.<anonymous> (test/${mod}.test.ts:${10 + t}:5)\n${'    at processImmediate (node:internal/timers:476:21)\n'.repeat(12)}`,
				true,
			),
		);
		const edit = `c${n++}`;
		messages.push(
			assistant(
				`I'll use the streaming writer instead of the buffered one because the ${mod} export holds ${(1 + t) * 3} MB in memory. The \`${fn}\` helper is the culprit.`,
				call(edit, 'Edit', {
					file_path: file,
					old_string: `writeAll(rows${t})`,
					new_string: `streamRows(rows${t}, ${fn})`,
				}),
			),
		);
		messages.push(result(edit, `The file ${file} has been updated.`));
		const passing = `c${n++}`;
		messages.push(assistant('', call(passing, 'Bash', { command: `npm test -- ${mod}` })));
		messages.push(
			result(passing, `> mocha\n\n  ${mod}\n    ✓ ${fn} streams rows\n\n  13 passing (${ms + 12}ms)\n`),
		);
		if (t % 3 === 0) {
			const fetch = `c${n++}`;
			const url = `https://docs.example.com/${mod}/streaming-${t}`;
			messages.push(assistant('', call(fetch, 'WebFetch', { url, prompt: 'How do streams end?' })));
			messages.push(result(fetch, `Streams end with end(); see ${url}#end. Buffer limit is ${64 + t} KB.`));
		}
		messages.push(
			assistant(
				`Fixed \`${fn}\`: all 13 tests pass in ${ms + 12}ms. The server listens on localhost:${3000 + t}.`,
			),
		);
	}
	return messages;
}
