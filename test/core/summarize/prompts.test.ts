import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import fc from 'fast-check';
import {
	handoffPrefix,
	selfSummaryInstruction,
	withHandoffPrefix,
} from '../../../src/core/compaction/handoff';
import { resolveCompactionOptions } from '../../../src/core/compaction/options';
import {
	defaultSummaryInputCaps,
	resolveSummaryInputCaps,
} from '../../../src/core/summarize/prompts/summaryInputCaps';
import { handoffSectionTitles } from '../../../src/core/summarize/offline/handoffSections';
import {
	buildSummaryPrompt,
	defaultSummaryPromptOptions,
	summarizerPreamble,
	summaryPromptOptionsFrom,
} from '../../../src/core/summarize/prompts/buildSummaryPrompt';
import type { SummaryPromptOptions } from '../../../src/core/summarize/prompts/buildSummaryPrompt';
import {
	capArguments,
	capHeadTail,
	capUtf8Bytes,
	serializeCompact,
	serializeLabelled,
} from '../../../src/core/summarize/prompts/serializeForSummary';
import { buildRedactedSummaryPrompt } from '../../../src/core/summarize/prompts/redactedPrompt';
import { findExtraSecrets } from '../../../src/core/redaction/secretRules';
import { makeFlags, messagesInWindow } from '../../../src/core/transcript/model';
import type { Message, Part, Role } from '../../../src/core/transcript/model';
import { parseTranscript } from '../../../src/core/transcript/readTranscript';
import { describeCorpus } from '../../support/corpus';

let nextId = 0;
function msg(role: Role, ...parts: Part[]): Message {
	nextId += 1;
	return { id: `p${nextId}`, role, parts, flags: makeFlags(), lines: { from: nextId, to: nextId }, raw: [] };
}
const text = (t: string): Part => ({ kind: 'text', text: t });
const call = (callId: string, name: string, args: unknown): Part => ({
	kind: 'toolCall',
	callId,
	name,
	argumentsText: typeof args === 'string' ? args : JSON.stringify(args),
});
const result = (callId: string, t: string, isError = false): Part => ({
	kind: 'toolResult',
	callId,
	text: t,
	isError,
	images: [],
});

function session(): Message[] {
	return [
		msg('user', text('Fix the failing billing export test. Keep the public API unchanged.')),
		msg(
			'assistant',
			{ kind: 'thinking', text: 'SECRET-THOUGHT: maybe the CSV writer', isRedacted: false },
			text('Running the tests first.'),
			call('c1', 'Bash', { command: 'npm test' }),
		),
		msg('user', result('c1', 'Error: expected 3 to equal 4\n  at export.test.ts:41', true)),
		msg('assistant', call('c2', 'Read', { file_path: 'src/billing/export.ts' })),
		msg('tool', result('c2', 'export function writeAll(rows) { /* ... */ }')),
		msg('user', text('Why is lint slow?'), {
			kind: 'image',
			mediaType: 'image/png',
			byteLength: 2048,
			widthPx: 800,
			heightPx: 600,
		}),
	];
}

const base = { budgetTokens: 2000 };

describe('serializeLabelled (R7)', () => {
	it('labels roles, tool calls with arguments and tool results with their tool name, and leaves thinking out', () => {
		const out = serializeLabelled(session(), defaultSummaryInputCaps);
		assert.ok(out.startsWith('[USER]: Fix the failing billing export test.'));
		assert.ok(
			out.includes('[ASSISTANT]: Running the tests first.\n[Tool calls:\n  Bash({"command":"npm test"})\n]'),
		);
		assert.ok(out.includes('[TOOL ERROR Bash #c1]: Error: expected 3 to equal 4'));
		assert.ok(out.includes('[ASSISTANT]: [Tool calls:\n  Read({"file_path":"src/billing/export.ts"})\n]'));
		assert.ok(out.includes('[TOOL RESULT Read #c2]: export function writeAll'));
		assert.ok(out.includes('[USER]: Why is lint slow?\n\n[image image/png 800x600, about 1000 tokens]'));
		assert.ok(!out.includes('SECRET-THOUGHT'));
	});

	it('caps a long body to its head and tail (4000 + 1500 characters by default)', () => {
		const long = `HEAD${'a'.repeat(3996)}${'m'.repeat(5000)}${'z'.repeat(1496)}TAIL`;
		const out = serializeLabelled([msg('user', text(long))], defaultSummaryInputCaps);
		assert.ok(
			out.includes(`HEAD${'a'.repeat(3996)}\n...[5000 characters truncated]...\n${'z'.repeat(1496)}TAIL`),
		);
		assert.ok(!out.includes('m'));
	});

	it('caps tool-call arguments to toolArgumentsChars', () => {
		const args = JSON.stringify({ content: 'x'.repeat(3000) });
		const out = serializeLabelled([msg('assistant', call('w', 'Write', args))], defaultSummaryInputCaps);
		assert.ok(out.includes(`Write(${args.slice(0, 1500)}...[${args.length - 1500} characters truncated])`));
	});

	it('marks an earlier summary message as such', () => {
		const summary: Message = {
			...msg('user', text('## Goal\nShip it')),
			flags: makeFlags({ isSummary: true }),
		};
		assert.ok(serializeLabelled([summary], defaultSummaryInputCaps).startsWith('[EARLIER SUMMARY]: ## Goal'));
	});
});

describe('serializeCompact (G6)', () => {
	it('numbers messages, shows tool calls as name + args and results as name + body', () => {
		const out = serializeCompact(session(), defaultSummaryInputCaps);
		assert.ok(out.startsWith('---\n[1] role=user\nFix the failing'));
		assert.ok(out.includes('tool_call name=Bash args={"command":"npm test"}'));
		assert.ok(out.includes('tool_result name=Bash error=true body=Error: expected 3 to equal 4'));
		assert.ok(out.includes('[6] role=user\nWhy is lint slow?\n[image image/png 800x600, about 1000 tokens]'));
	});

	it('caps each body at messageCapBytes UTF-8 bytes without splitting a character', () => {
		const body = 'é'.repeat(3000);
		const out = serializeCompact([msg('user', text(body))], defaultSummaryInputCaps);
		const line = out.split('\n')[2] ?? '';
		assert.ok(line.endsWith('...'));
		assert.equal(Buffer.byteLength(line.slice(0, -3)), 2048);
	});
});

describe('buildSummaryPrompt', () => {
	it('R8: preamble in the system prompt, every template section in order, R6 max tokens 1.3x budget', () => {
		const prompt = buildSummaryPrompt({ messages: session(), ...base });
		assert.equal(prompt.system, summarizerPreamble);
		for (const phrase of [
			'different assistant',
			'Do not answer questions',
			'language the person used',
			'[redacted]',
		]) {
			assert.ok(prompt.system.includes(phrase), phrase);
		}
		let at = -1;
		for (const title of handoffSectionTitles) {
			const next = prompt.user.indexOf(`## ${title}\n`);
			assert.ok(next > at, `${title} missing or out of order`);
			at = next;
		}
		assert.ok(prompt.user.includes('TURNS TO SUMMARIZE:\n[USER]: Fix the failing'));
		assert.ok(prompt.user.includes('about 2000 tokens'));
		assert.equal(prompt.maxTokens, 2600);
	});

	it('R9: updates a previous summary, without the handoff prefix it entered the window with', () => {
		const previous = withHandoffPrefix('## Active Task\nNone.\n\n## Completed Actions\n1. RAN npm test');
		const prompt = buildSummaryPrompt({ messages: session(), ...base, previousSummary: previous });
		assert.ok(prompt.user.includes('AN EARLIER COMPACTION ALREADY SUMMARISED'));
		assert.ok(prompt.user.includes('## Completed Actions\n1. RAN npm test'));
		assert.ok(!prompt.user.includes(handoffPrefix));
		assert.ok(prompt.user.includes('continue the numbering'));
		assert.ok(prompt.user.includes('NEW TURNS TO INCORPORATE:'));
		assert.ok(!prompt.user.includes('TURNS TO SUMMARIZE:'));
	});

	it('R10: the focus block comes last and gives the focus share of the budget', () => {
		const options: SummaryPromptOptions = { ...defaultSummaryPromptOptions, focusShare: 0.65 };
		const prompt = buildSummaryPrompt({ messages: session(), ...base, focus: '  the CSV writer ' }, options);
		const focusAt = prompt.user.lastIndexOf('FOCUS TOPIC: "the CSV writer"');
		assert.ok(focusAt > prompt.user.indexOf('## Critical Context'));
		assert.ok(prompt.user.slice(focusAt).includes('about 65% of the summary budget'));
		assert.ok(!buildSummaryPrompt({ messages: session(), ...base }).user.includes('FOCUS TOPIC'));
	});

	it('carries the active task and preserved values verbatim (R8, H5)', () => {
		const prompt = buildSummaryPrompt({
			messages: session(),
			...base,
			activeTask: 'Why is lint slow?',
			preservedValues: { report_id: 'rpt-2024-07', status: 'draft' },
		});
		assert.ok(prompt.user.includes('verbatim (use it for Active Task):\n"""\nWhy is lint slow?\n"""'));
		assert.ok(prompt.user.includes('- report_id: rpt-2024-07\n- status: draft'));
	});

	it('G2 brief: one paragraph under the word cap, compact transcript, no section template', () => {
		const options: SummaryPromptOptions = { ...defaultSummaryPromptOptions, style: 'brief', wordCap: 150 };
		const prompt = buildSummaryPrompt(
			{ messages: session(), ...base, previousSummary: 'Earlier: set up repo.' },
			options,
		);
		assert.equal(prompt.style, 'brief');
		assert.ok(prompt.user.includes('single paragraph of prose under 150 words'));
		assert.ok(prompt.user.includes('[1] role=user'));
		assert.ok(prompt.user.includes('its facts must survive'));
		assert.ok(!prompt.user.includes('## Completed Actions'));
	});

	it('C2 self: the own-work instruction leads, with its own sections', () => {
		const options: SummaryPromptOptions = { ...defaultSummaryPromptOptions, style: 'self' };
		const prompt = buildSummaryPrompt({ messages: session(), ...base }, options);
		assert.ok(prompt.system.startsWith(selfSummaryInstruction));
		for (const title of [
			'Active Task',
			'Completed Work',
			'Patterns & Approaches',
			'Key Decisions',
			'Findings',
		]) {
			assert.ok(prompt.user.includes(`## ${title}\n`), title);
		}
	});

	it('G6/R7 the summariser owns its input caps: defaults, and partial caps filled from them', () => {
		assert.deepEqual(defaultSummaryInputCaps, {
			messageHeadChars: 4_000,
			messageTailChars: 1_500,
			toolArgumentsChars: 1_500,
			messageCapBytes: 2_048,
			imageTokens: 1_000,
		});
		const caps = resolveSummaryInputCaps({ imageTokens: 850, messageHeadChars: -1 });
		assert.equal(caps.imageTokens, 850);
		assert.equal(caps.messageHeadChars, 4_000, 'out of range falls back to the default');
		assert.equal(caps.messageCapBytes, 2_048);
		assert.deepEqual(
			summaryPromptOptionsFrom(
				resolveCompactionOptions({
					counter: { countText: (t) => t.length, countMessage: () => ({ total: 1 }) },
					contextWindow: 1,
				}),
			).inputCaps,
			defaultSummaryInputCaps,
		);
	});

	it('takes word cap, focus share and style from the resolved compaction options, caps from the summariser', () => {
		const resolved = resolveCompactionOptions({
			counter: { countText: (t) => t.length, countMessage: () => ({ total: 1 }) },
			contextWindow: 100_000,
			summaryWordCap: 90,
			focusShare: 0.6,
			summaryModel: 'self',
		});
		const options = summaryPromptOptionsFrom(
			resolved,
			undefined,
			resolveSummaryInputCaps({ messageHeadChars: 10, messageTailChars: 5 }),
		);
		assert.equal(options.style, 'self');
		assert.equal(options.wordCap, 90);
		assert.equal(options.inputCaps.messageHeadChars, 10);
		assert.equal(summaryPromptOptionsFrom(resolved, 'brief').style, 'brief');
		const prompt = buildSummaryPrompt(
			{ messages: [msg('user', text('0123456789abcdefghij-TAIL!'))], ...base },
			options,
		);
		assert.ok(prompt.user.includes('0123456789\n...[11 characters truncated]...\nTAIL!'));
	});

	it('max tokens is ceil(1.3 x budget) and the prompt is deterministic (property)', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 50_000 }),
				fc.constantFrom('structured', 'brief', 'self'),
				(budget, style) => {
					const options: SummaryPromptOptions = { ...defaultSummaryPromptOptions, style };
					const a = buildSummaryPrompt({ messages: session(), budgetTokens: budget }, options);
					const b = buildSummaryPrompt({ messages: session(), budgetTokens: budget }, options);
					assert.equal(a.maxTokens, Math.ceil(budget * 1.3));
					assert.deepEqual(a, b);
				},
			),
		);
	});
});

describe('caps (properties)', () => {
	it('capHeadTail keeps the head and tail and bounds the length', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 400 }), fc.nat(100), fc.nat(100), (s, head, tail) => {
				const out = capHeadTail(s, head, tail);
				if (s.length <= head + tail) assert.equal(out, s);
				else {
					assert.ok(out.length <= head + tail + 40);
					assert.ok(out.startsWith(s.slice(0, Math.max(0, head - 1))));
					assert.ok(out.endsWith(s.slice(s.length - Math.max(0, tail - 1))));
				}
			}),
		);
	});

	it('capUtf8Bytes returns a prefix within the byte cap', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.nat(600), (s, max) => {
				const out = capUtf8Bytes(s, max);
				const kept = out === s ? s : out.slice(0, -3);
				assert.ok(s.startsWith(kept));
				assert.ok(Buffer.byteLength(kept) <= max);
			}),
		);
	});

	it('capArguments never grows short arguments and always keeps their start', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 200 }), fc.nat(150), (s, max) => {
				const out = capArguments(s, max);
				if (s.length <= max) assert.equal(out, s);
				else assert.ok(out.startsWith(s.slice(0, Math.max(0, max - 1))));
			}),
		);
	});

	it('every tool call and result of generated messages is shown (property)', () => {
		const part = fc.oneof(
			fc.string({ maxLength: 30 }).map(text),
			fc
				.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[A-Z][a-z]{1,6}$/))
				.map(([id, name]) => call(id, name, { a: id })),
			fc
				.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 30 }))
				.map(([id, t]) => result(id, t)),
		);
		fc.assert(
			fc.property(
				fc.array(
					fc.tuple(fc.constantFrom<Role>('user', 'assistant', 'tool'), fc.array(part, { maxLength: 4 })),
					{ maxLength: 8 },
				),
				(specs) => {
					const messages = specs.map(([role, parts]) => msg(role, ...parts));
					const out = serializeLabelled(messages, defaultSummaryInputCaps);
					for (const m of messages) {
						for (const p of m.parts) {
							if (p.kind === 'toolCall') assert.ok(out.includes(`  ${p.name}(`), p.name);
							if (p.kind === 'toolResult') assert.ok(out.includes(` #${p.callId}]: `), p.callId);
						}
					}
				},
			),
		);
	});
});

describe('summary prompts of real transcripts', () => {
	for (const folder of ['claude-code', 'codex', 'openai-chat', 'anthropic-messages', 'copilot-chat']) {
		describeCorpus(folder, (file) => {
			it(`${folder}/${basename(file)}: shows every tool call, stays within the caps and leaves no secret`, async () => {
				const read = parseTranscript(readFileSync(file), file);
				assert.ok(read.ok, `could not read ${file}`);
				const messages = messagesInWindow(read.transcript);
				const request = {
					messages,
					budgetTokens: 3000,
					countTokens: (t: string) => Math.ceil(t.length / 4),
					focus: 'tests',
				};
				const { prompt } = await buildRedactedSummaryPrompt(request, defaultSummaryPromptOptions);
				const caps = defaultSummaryInputCaps;
				let bound = prompt.system.length + 12_000;
				for (const m of messages) {
					bound += 40;
					for (const p of m.parts) {
						if (p.kind === 'toolCall') {
							assert.ok(prompt.user.includes(`  ${p.name}(`), `${p.name} missing`);
							bound += p.name.length + Math.min(p.argumentsText.length, caps.toolArgumentsChars) + 60;
						} else if (p.kind === 'text' || p.kind === 'opaque' || p.kind === 'toolResult') {
							bound +=
								Math.min(p.text.length, caps.messageHeadChars + caps.messageTailChars) +
								140 +
								(p.kind === 'opaque' ? p.label.length : 0);
						} else if (p.kind === 'image') bound += 80;
					}
				}
				assert.ok(prompt.user.length <= bound, `prompt ${prompt.user.length} > bound ${bound}`);
				assert.deepEqual(findExtraSecrets(prompt.user), []);
				assert.ok(prompt.user.includes('## Active Task'));
				assert.ok(prompt.user.includes('FOCUS TOPIC: "tests"'));
			});
		});
	}
});
