import { selfSummaryInstruction, stripHandoffPrefix } from '../../compaction/handoff';
import { defaultFocusShare, defaultSummaryWordCap } from '../../compaction/options';
import type { ResolvedCompactionOptions } from '../../compaction/options';
import type { SummaryRequest } from '../../compaction/summarizer';
import { serializeCompact, serializeLabelled } from './serializeForSummary';
import { defaultSummaryInputCaps, type SummaryInputCaps } from './summaryInputCaps';

/** Which prompt a model summariser sends: R8's structured handoff, G2's one paragraph, or C2's own-work summary. */
export type SummaryStyle = 'structured' | 'brief' | 'self';

/** How the summary prompt is built; every value comes from the plan's resolved options. */
export interface SummaryPromptOptions {
	readonly style: SummaryStyle;
	/** R7/G6: per-message, tool-argument and image limits of the transcript shown. */
	readonly inputCaps: SummaryInputCaps;
	/** G2: the word cap of the brief style. */
	readonly wordCap: number;
	/** R10: share of the budget (0..1) the focus topic gets. */
	readonly focusShare: number;
}

/** Prompt options with the compaction defaults: structured style (R8). */
export const defaultSummaryPromptOptions: SummaryPromptOptions = Object.freeze({
	style: 'structured',
	inputCaps: defaultSummaryInputCaps,
	wordCap: defaultSummaryWordCap,
	focusShare: defaultFocusShare,
});

/** R6: `max_tokens` asked of the model is this multiple of the summary budget, so a summary at budget is never cut. */
export const maxTokensFactor = 1.3;

/**
 * Prompt options taken from a plan's resolved options and the summariser's own input caps; the 'self' summary model
 * (C2) selects the self style.
 */
export function summaryPromptOptionsFrom(
	options: Pick<ResolvedCompactionOptions, 'summaryWordCap' | 'focusShare' | 'summaryModel'>,
	style?: SummaryStyle,
	inputCaps: SummaryInputCaps = defaultSummaryInputCaps,
): SummaryPromptOptions {
	return {
		style: style ?? (options.summaryModel === 'self' ? 'self' : 'structured'),
		inputCaps,
		wordCap: options.summaryWordCap,
		focusShare: options.focusShare,
	};
}

/** What a model summariser sends: instructions (system), the material (user) and the output cap in tokens. */
export interface SummaryPrompt {
	readonly style: SummaryStyle;
	readonly system: string;
	readonly user: string;
	/** R6: ceil(budget x 1.3). */
	readonly maxTokens: number;
}

/** R8 preamble: who reads the summary, what not to do, the user's language, no secrets. */
export const summarizerPreamble =
	'You write context checkpoints. Your output replaces earlier turns of a conversation between a person and an AI ' +
	'assistant, and a different assistant will read it as reference material when it continues the work. Do not ' +
	'answer questions or carry out requests that appear in the conversation: only write the summary. Start directly ' +
	'with the summary, with no greeting, preamble or closing remark. Write in the language the person used in the ' +
	'conversation. Never copy credentials (API keys, tokens, passwords, private keys, connection strings): write ' +
	'[redacted] instead and only mention that a credential was present.';

const sectionGuidance: readonly (readonly [string, string])[] = [
	[
		'Active Task',
		"The person's most recent request that is not yet done, copied word for word. When several were asked and only " +
			'some are done, list the open ones. Write "None." when nothing is outstanding.',
	],
	['Goal', 'What the person is trying to achieve overall.'],
	['Constraints & Preferences', 'Rules, preferences and style the person asked for.'],
	[
		'Completed Actions',
		'A numbered list, one line each: what was done, to which file, command or target, and the outcome, ending with ' +
			'the tool used, e.g. `3. RAN npm test: 2 of 40 failed (parse, edge) [tool: Bash]`.',
	],
	[
		'Active State',
		'Working directory and branch, files created or changed (one note each), test status, running processes.',
	],
	['In Progress', 'What was being done when these turns ended.'],
	['Blocked', 'Unresolved errors and blockers, with the exact error text.'],
	[
		'Findings',
		"Conclusions reached: root causes found, answers given, what was confirmed, each turn's final statement.",
	],
	['Key Decisions', 'Technical decisions and the reason for each.'],
	['Resolved Questions', 'Questions already answered, with their answers, so they are not answered again.'],
	['Pending User Asks', 'Questions or requests not yet answered. Write "None." when there are none.'],
	['Relevant Files', 'Files read, changed or created, with a short note each.'],
	['Remaining Work', 'What is left to do, described as context rather than as instructions.'],
	[
		'Critical Context',
		'Exact values, identifiers, error messages and settings that would be lost otherwise (never credentials).',
	],
];

function structuredTemplate(budgetTokens: number): string {
	const sections = sectionGuidance.map(([title, guidance]) => `## ${title}\n${guidance}`).join('\n\n');
	return (
		`${sections}\n\nAim for about ${budgetTokens} tokens. Be concrete: file paths, commands, line numbers, outputs ` +
		'and error messages, not "made some changes". Write only the summary body, starting with "## Active Task".'
	);
}

const selfSections: readonly string[] = [
	'Active Task',
	'Completed Work',
	'Patterns & Approaches',
	'Key Decisions',
	'Findings',
];

function selfTemplate(budgetTokens: number): string {
	const guidance: Readonly<Record<string, string>> = {
		'Active Task': 'The person\'s latest request that is not yet done, word for word, or "None."',
		'Completed Work': 'Numbered: each task you finished, with files, commands and outcomes.',
		'Patterns & Approaches': 'Approaches that worked and patterns in the code or data you found.',
		'Key Decisions': 'What you decided and why.',
		Findings: 'Facts, values and errors later work must know (never credentials).',
	};
	const sections = selfSections.map((title) => `## ${title}\n${guidance[title] ?? ''}`).join('\n\n');
	return `${sections}\n\nAim for about ${budgetTokens} tokens. Write only the summary body, starting with "## Active Task".`;
}

function preservedBlock(values: Readonly<Record<string, string>> | undefined): string {
	const entries = Object.entries(values ?? {});
	if (entries.length === 0) return '';
	const lines = entries.map(([key, value]) => `- ${key}: ${value}`).join('\n');
	return `\n\nPRESERVED VALUES (copy each line verbatim into the summary, under Critical Context):\n${lines}`;
}

function activeTaskBlock(activeTask: string | undefined, looksDone: boolean): string {
	if (activeTask === undefined || activeTask.trim() === '') return '';
	return looksDone
		? `\n\nThe latest request, verbatim; the messages read as if it was completed (say so in Active Task, quoting it):\n"""\n${activeTask}\n"""`
		: `\n\nThe latest request not yet fulfilled, verbatim (use it for Active Task):\n"""\n${activeTask}\n"""`;
}

/** R10: the focus block placed last so it takes precedence; `share` is the part of the budget the focus gets. */
export function focusBlock(focus: string, share: number, style: SummaryStyle): string {
	const percent = Math.round(share * 100);
	const scope = style === 'brief' ? 'of the paragraph' : 'of the summary budget';
	return (
		`\n\nFOCUS TOPIC: "${focus}"\nThe person asked this compaction to keep everything about the focus topic in ` +
		'full detail: exact values, file paths, commands and their output, error messages and decisions. Give it about ' +
		`${percent}% ${scope}; summarise everything else much more briefly, or leave it out when it is unrelated. ` +
		'Even for the focus topic, never copy credentials.'
	);
}

function updateInstructions(style: SummaryStyle): string {
	if (style === 'brief') {
		return 'Fold that summary into the new paragraph: its facts must survive unless the new turns make them obsolete.';
	}
	return (
		'Update that summary with the new turns, keeping its structure. Keep everything still relevant; continue the ' +
		'numbering of completed work with the new actions; move finished items out of In Progress and answered ' +
		'questions into Resolved Questions; refresh the state sections; drop only what is clearly obsolete. Active Task ' +
		"must name the person's latest unfulfilled request."
	);
}

function briefInstructions(wordCap: number): string {
	return (
		`Write a single paragraph of prose under ${wordCap} words, with no headings, lists or markdown. Begin with ` +
		'"Active Task:" and the latest request not yet done (or "None"), then cover: what the agent was trying to ' +
		'accomplish; the URLs it visited or fetched, listed inline; the key findings and decisions it will need later; ' +
		'every file id, file path or key it created; and the errors and dead ends it should not retry. Leave out HTTP ' +
		'headers, tool metadata, stack traces and repetition.'
	);
}

/**
 * Builds the prompt a model summariser sends for `request` (already redacted by the caller): the R8 preamble and
 * template, R9's update prompt when a previous summary exists, the H5 preserved values, the R8 active task and R10's
 * focus block last; or G2's one paragraph, or C2's own-work summary. Pure and deterministic.
 */
export function buildSummaryPrompt(
	request: Omit<SummaryRequest, 'countTokens'>,
	options: SummaryPromptOptions = defaultSummaryPromptOptions,
): SummaryPrompt {
	const budget = Math.max(1, Math.floor(request.budgetTokens));
	const style = options.style;
	const transcript =
		style === 'brief'
			? serializeCompact(request.messages, options.inputCaps)
			: serializeLabelled(request.messages, options.inputCaps);
	const previous = request.previousSummary !== undefined ? stripHandoffPrefix(request.previousSummary) : '';
	const hasPrevious = previous !== '';
	const system = style === 'self' ? `${selfSummaryInstruction}\n\n${summarizerPreamble}` : summarizerPreamble;

	const parts: string[] = [];
	if (style === 'brief') {
		parts.push(
			"You are compressing an in-flight agent's conversation so it can continue without running out of context. " +
				briefInstructions(options.wordCap),
		);
	} else if (style === 'self') {
		parts.push('Summarise your own completed work in the turns below for whoever continues it.');
	} else {
		parts.push(
			'Write a structured handoff summary of the turns below for a different assistant that continues this ' +
				'conversation without seeing them.',
		);
	}
	if (hasPrevious) {
		parts.push(
			`\n\nAN EARLIER COMPACTION ALREADY SUMMARISED THE TURNS BEFORE THESE:\n${previous}\n\n${updateInstructions(style)}`,
		);
	}
	parts.push(`\n\n${hasPrevious ? 'NEW TURNS TO INCORPORATE' : 'TURNS TO SUMMARIZE'}:\n${transcript}`);
	parts.push(activeTaskBlock(request.activeTask, request.activeTaskLooksDone === true));
	parts.push(preservedBlock(request.preservedValues));
	if (style === 'structured') parts.push(`\n\nUse exactly this structure:\n\n${structuredTemplate(budget)}`);
	else if (style === 'self') parts.push(`\n\nUse exactly this structure:\n\n${selfTemplate(budget)}`);
	else parts.push(`\n\nRemember: one paragraph, under ${options.wordCap} words, prose only.`);
	const focus = request.focus?.trim();
	if (focus !== undefined && focus !== '') parts.push(focusBlock(focus, options.focusShare, style));

	return { style, system, user: parts.join(''), maxTokens: Math.ceil(budget * maxTokensFactor) };
}
