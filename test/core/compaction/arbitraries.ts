import fc from 'fast-check';
import type {
	FormatId,
	Message,
	MessageFlags,
	Part,
	Role,
	Transcript,
} from '../../../src/core/transcript/model';
import { makeFlags } from '../../../src/core/transcript/model';
import { TokenCounter } from '../../../src/core/tokens/tokenCounter';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';

/** The real token counter the compaction tests count with (o200k via the model registry). */
export const testCounter = new TokenCounter(resolveModel('claude-sonnet-4-5'));

/** One tool call of a generated round and what came back. */
export interface CallSpec {
	readonly tool: 'Bash' | 'Read' | 'Write' | 'Grep' | 'WebFetch' | 'set_output';
	readonly args: string;
	readonly result: string;
	readonly isError: boolean;
	readonly hasImage: boolean;
}

/** One assistant step: optional thinking and text, then tool calls. */
export interface RoundSpec {
	readonly thinking: string | undefined;
	readonly text: string | undefined;
	readonly calls: readonly CallSpec[];
}

/** One turn: the person's prompt, tool rounds, and (usually) a final answer. */
export interface TurnSpec {
	readonly prompt: string;
	readonly hasImage: boolean;
	readonly isPinned: boolean;
	readonly rounds: readonly RoundSpec[];
	readonly answer: string | undefined;
}

/** Everything a generated transcript is made from. */
export interface TranscriptSpec {
	readonly format: FormatId;
	readonly hasSystem: boolean;
	readonly hasLeadingSummary: boolean;
	readonly phaseSize: number;
	readonly isLive: boolean;
	readonly turns: readonly TurnSpec[];
}

const paths = [
	'src/billing/export.ts',
	'src/app/main.py',
	'docs/README.md',
	'test/api.test.ts',
	'lib/util/strings.go',
];
const commands = ['npm test', 'pytest -q tests/', 'git status', 'make build', 'cargo check'];
const urls = [
	'https://example.com/docs/api',
	'https://developer.mozilla.org/en-US/docs/Web',
	'https://nodejs.org/api/fs.html',
];
const words = [
	'parquet',
	'invoice',
	'scheduler',
	'export',
	'retry',
	'timeout',
	'schema',
	'cursor',
	'window',
	'budget',
];

const sentence = fc
	.tuple(fc.constantFrom(...words), fc.constantFrom(...paths), fc.constantFrom(...words), fc.nat(999))
	.map(([a, path, b, n]) => `Look at the ${a} handling in ${path}; the ${b} count is ${n}.`);

const prose = fc.array(sentence, { minLength: 1, maxLength: 4 }).map((s) => s.join(' '));

const lines = fc
	.tuple(fc.constantFrom(...paths), fc.constantFrom(...words), fc.integer({ min: 4, max: 80 }))
	.map(([path, word, count]) =>
		Array.from(
			{ length: count },
			(_, i) => `${path}:${i + 1}: const ${word}${i} = compute(${word}, ${i * 7});`,
		).join('\n'),
	);

// A small pool makes identical results recur, so deduplication has work to do.
const resultText = fc.oneof(
	{ weight: 3, arbitrary: lines },
	{ weight: 1, arbitrary: fc.constantFrom('ok', 'done', 'File written.') },
	{ weight: 1, arbitrary: fc.constant(`${'same output line\n'.repeat(40)}end`) },
);

const callSpec: fc.Arbitrary<CallSpec> = fc
	.tuple(
		fc.constantFrom<CallSpec['tool']>('Bash', 'Read', 'Write', 'Grep', 'WebFetch', 'set_output'),
		fc.constantFrom(...paths),
		fc.constantFrom(...commands),
		fc.constantFrom(...urls),
		resultText,
		fc.integer({ min: 0, max: 9 }),
		fc.integer({ min: 0, max: 19 }),
		fc.nat(3000),
	)
	.map(([tool, path, command, url, result, errorRoll, imageRoll, size]): CallSpec => {
		const args =
			tool === 'Bash'
				? JSON.stringify({ command, description: `Run ${command}` })
				: tool === 'Read'
					? JSON.stringify({ file_path: path })
					: tool === 'Write'
						? JSON.stringify({
								file_path: path,
								content: `// ${path}\n${'export const value = 1;\n'.repeat(size % 60)}`,
							})
						: tool === 'Grep'
							? JSON.stringify({ pattern: 'TODO', path: 'src' })
							: tool === 'WebFetch'
								? size % 7 === 0
									? `not json ${url}`
									: JSON.stringify({ url, prompt: 'summarise' })
								: JSON.stringify({ key: 'report_path', value: path });
		const isError = errorRoll === 0;
		return {
			tool,
			args,
			result: isError ? `Error: ENOENT: no such file or directory, open '${path}'` : result,
			isError,
			hasImage: imageRoll === 0 && !isError,
		};
	});

// Some steps report an output value the way H5 finds it (`key: value`).
const stepText = fc.oneof(
	{ weight: 4, arbitrary: prose },
	{
		weight: 1,
		arbitrary: fc.constantFrom(...paths).map((path) => `Wrote the report.\nreport_path: ${path}`),
	},
);

const roundSpec: fc.Arbitrary<RoundSpec> = fc.record({
	thinking: fc.option(prose, { nil: undefined }),
	text: fc.option(stepText, { nil: undefined }),
	calls: fc.array(callSpec, { minLength: 1, maxLength: 3 }),
});

const turnSpec: fc.Arbitrary<TurnSpec> = fc.record({
	prompt: prose,
	hasImage: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
	isPinned: fc.integer({ min: 0, max: 11 }).map((n) => n === 0),
	rounds: fc.array(roundSpec, { maxLength: 4 }),
	answer: fc.option(prose, { nil: undefined, freq: 6 }),
});

/** Generated transcript specs for the given formats. */
export function transcriptSpec(
	formats: readonly FormatId[] = ['claude-code', 'anthropic-messages', 'openai-chat'],
	turns: { minLength: number; maxLength: number } = { minLength: 1, maxLength: 14 },
): fc.Arbitrary<TranscriptSpec> {
	return fc.record({
		format: fc.constantFrom(...formats),
		hasSystem: fc.boolean(),
		hasLeadingSummary: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
		phaseSize: fc.integer({ min: 0, max: 4 }),
		isLive: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
		turns: fc.array(turnSpec, turns),
	});
}

/** Builds a valid transcript from a spec: every call answered (except a live last call), roles alternating where the format needs it. */
export function buildTranscript(spec: TranscriptSpec): Transcript {
	const alternates = spec.format === 'claude-code' || spec.format === 'anthropic-messages';
	const messages: Message[] = [];
	let callCounter = 0;
	const push = (role: Role, parts: Part[], flags: Partial<MessageFlags> = {}, phaseId?: string): void => {
		const index = messages.length;
		messages.push({
			id: `m${index}`,
			role,
			parts,
			flags: makeFlags(flags),
			lines: { from: index + 1, to: index + 1 },
			raw: [{ record: index }],
			timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
			...(phaseId !== undefined ? { phaseId } : {}),
		});
	};
	const text = (t: string): Part => ({ kind: 'text', text: t, raw: { type: 'text', text: t } });
	const image: Part = {
		kind: 'image',
		mediaType: 'image/png',
		byteLength: 2048,
		widthPx: 64,
		heightPx: 64,
		raw: { png: 1 },
	};

	if (spec.hasSystem && !alternates)
		push('system', [text('You are a careful coding agent. Follow the repo style.')]);
	if (spec.hasLeadingSummary) {
		push(
			'user',
			[text('[CONTEXT SUMMARY]: Earlier we set up the billing export in src/billing/export.ts.')],
			{
				isSummary: true,
			},
		);
		push('assistant', [text('Understood, continuing from the summary.')]);
	}
	spec.turns.forEach((turn, t) => {
		const phaseId = spec.phaseSize > 0 ? `phase-${Math.floor(t / spec.phaseSize)}` : undefined;
		const isLast = t === spec.turns.length - 1;
		push(
			'user',
			turn.hasImage ? [text(turn.prompt), image] : [text(turn.prompt)],
			{ isPinned: turn.isPinned },
			phaseId,
		);
		turn.rounds.forEach((round, r) => {
			const calls = round.calls.map((call) => ({ ...call, id: `call_${callCounter++}` }));
			const parts: Part[] = [];
			if (round.thinking !== undefined) {
				parts.push({ kind: 'thinking', text: round.thinking, isRedacted: false, raw: { signature: 'sig' } });
			}
			if (round.text !== undefined) parts.push(text(round.text));
			for (const call of calls) {
				parts.push({
					kind: 'toolCall',
					callId: call.id,
					name: call.tool,
					argumentsText: call.args,
					raw: { id: call.id },
				});
			}
			push('assistant', parts, {}, phaseId);
			const isLiveCall = spec.isLive && isLast && r === turn.rounds.length - 1;
			if (isLiveCall) return;
			const results: Part[] = calls.map((call) => ({
				kind: 'toolResult',
				callId: call.id,
				text: call.result,
				isError: call.isError,
				images: call.hasImage ? [image] : [],
				raw: { tool_use_id: call.id },
			}));
			if (alternates) {
				push('user', results, { isError: calls.some((c) => c.isError) }, phaseId);
			} else {
				results.forEach((result, k) =>
					push('tool', [result], { isError: calls[k]?.isError === true }, phaseId),
				);
			}
		});
		const endsOnCall = spec.isLive && isLast && turn.rounds.length > 0;
		// Alternating formats need an assistant answer before the next prompt.
		const answer = turn.answer ?? (alternates && !isLast ? 'Done with that step.' : undefined);
		if (answer !== undefined && !endsOnCall) push('assistant', [text(answer)], {}, phaseId);
	});
	return {
		format: spec.format,
		detection: { format: spec.format, reason: 'generated by test/core/compaction/arbitraries.ts' },
		messages,
		passthrough: [{ line: 0, record: { type: 'file-history-snapshot' } }],
		meta: { sessionId: 'generated-session', cwd: '/home/dev/project' },
		diagnostics: [],
		lineCount: messages.length,
	};
}

/** Generated valid transcripts (see `buildTranscript`). */
export function arbTranscript(
	formats?: readonly FormatId[],
	turns?: { minLength: number; maxLength: number },
): fc.Arbitrary<Transcript> {
	return transcriptSpec(formats, turns).map(buildTranscript);
}

/** A message for hand-written examples; parts carry `raw` like parsed ones. */
export function message(
	id: string,
	role: Role,
	parts: Part[],
	flags: Partial<MessageFlags> = {},
	phaseId?: string,
): Message {
	return {
		id,
		role,
		parts,
		flags: makeFlags(flags),
		lines: { from: 1, to: 1 },
		raw: [{ id }],
		...(phaseId !== undefined ? { phaseId } : {}),
	};
}

/** A transcript for hand-written examples. */
export function transcriptOf(messages: Message[], format: FormatId = 'openai-chat'): Transcript {
	return {
		format,
		detection: { format, reason: 'example' },
		messages,
		passthrough: [],
		meta: { sessionId: 'example-session' },
		diagnostics: [],
		lineCount: messages.length,
	};
}

/** Text part with a raw block. */
export function textPart(text: string): Part {
	return { kind: 'text', text, raw: { type: 'text', text } };
}

/** Tool call part with a raw block. */
export function callPart(callId: string, name: string, args: unknown): Part {
	const argumentsText = typeof args === 'string' ? args : JSON.stringify(args);
	return { kind: 'toolCall', callId, name, argumentsText, raw: { id: callId } };
}

/** Tool result part with a raw block. */
export function resultPart(callId: string, text: string, isError = false): Part {
	return { kind: 'toolResult', callId, text, isError, images: [], raw: { tool_use_id: callId } };
}

/** A long text of `lines` numbered lines mentioning `path`. */
export function longOutput(path: string, lines: number): string {
	return Array.from(
		{ length: lines },
		(_, i) => `${path}:${i + 1}: line ${i} of the output with some words`,
	).join('\n');
}
