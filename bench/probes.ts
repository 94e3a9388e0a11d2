import { keyInputOf } from '../src/core/compaction/toolDescriptions';
import {
	classifyTool,
	clipLine,
	findActiveTask,
	isContinuationReply,
	isErrorLine,
	parseToolArguments,
	pathsInArguments,
	stripToolTags,
	userRequestText,
	type Artifact,
} from '../src/core/facts/extractArtifacts';
import { createKeptTest } from '../src/core/facts/reportLostFacts';
import type { Message } from '../src/core/transcript/model';

/** A question a continuing agent must be able to answer from the compacted context. */
export type ProbeName = 'task' | 'filesChanged' | 'errorsRemaining' | 'decisions';

/** Every probe, in table order. */
export const probeNames: readonly ProbeName[] = ['task', 'filesChanged', 'errorsRemaining', 'decisions'];

/** The facts each probe expects, read from the uncompacted window once; every list is in order of appearance. */
export interface ProbeAnswers {
	/** The latest substantive user request, verbatim (R8), or undefined when the window has none. */
	readonly task?: string;
	/** Paths written by edit/write tool calls whose result was not an error. */
	readonly filesChanged: readonly string[];
	/** First error line of each failed tool call not followed by a success of the same tool on the same input. */
	readonly errorsRemaining: readonly string[];
	/** Each completed turn's conclusion: the last assistant text before the next user request. */
	readonly decisions: readonly string[];
}

/** How one probe fared on one output: `expected` facts, `found` of them present; `score` is found/expected (NaN for none). */
export interface ProbeScore {
	readonly expected: number;
	readonly found: number;
	readonly score: number;
}

/** Longest prefix of the task checked, in characters: a handoff may clip a very long request, never its start. */
export const taskPrefixChars = 400;

/** Share of a decision's key terms that must appear in the output for the decision to count as kept. */
export const decisionTermShare = 0.5;

/** Fewest key terms a conclusion needs to be checked; shorter ones ("Done.") carry no decision. */
export const minDecisionTerms = 3;

const stopWords = new Set(
	'about above after again against along also because been before being below between both could does doing during each every first from further have having here into itself just more most much must never node only other over really same should since some still such than that their them then there these they this those through under until very want were what when where which while will with within without would your yours'.split(
		' ',
	),
);

/** Distinct lower-cased key terms of a text: words, paths and names of five or more characters that are not stop words. */
export function keyTerms(text: string): string[] {
	const terms = new Set<string>();
	for (const match of text.toLowerCase().matchAll(/[a-z_$][\w$./-]*[\w$]/g)) {
		const term = match[0];
		if (term.length >= 5 && !stopWords.has(term)) terms.add(term);
	}
	return [...terms];
}

function assistantText(message: Message): string {
	return message.parts
		.filter((p) => p.kind === 'text')
		.map((p) => p.text)
		.join('\n')
		.trim();
}

/** The first line of a failed result that reads as an error, else its first non-empty line; trimmed, as written. */
function errorLineOf(text: string): string {
	// Without the agent's wrapper tags, as the artifact extractor reads an error line.
	const lines = text.split('\n', 200).map((line) => stripToolTags(line).trim());
	return clipLine(lines.find(isErrorLine) ?? lines.find((line) => line !== '') ?? '');
}

/** Reads the probe answers out of a window's messages; O(messages + parts), deterministic. */
export function readProbeAnswers(messages: readonly Message[]): ProbeAnswers {
	const task = findActiveTask(messages)?.text;
	const files = new Set<string>();
	const errors = new Map<string, string>();
	const calls = new Map<string, { name: string; argumentsText: string }>();
	const decisions: string[] = [];
	let conclusion: string | undefined;
	let inTurn = false;
	for (const message of messages) {
		if (message.flags.isMeta) continue;
		const request = userRequestText(message);
		if (request !== undefined && !isContinuationReply(request)) {
			if (inTurn && conclusion !== undefined) decisions.push(conclusion);
			conclusion = undefined;
			inTurn = true;
		}
		if (message.role === 'assistant') {
			const text = assistantText(message);
			if (text !== '') conclusion = text;
		}
		for (const part of message.parts) {
			if (part.kind === 'toolCall')
				calls.set(part.callId, { name: part.name, argumentsText: part.argumentsText });
			if (part.kind !== 'toolResult') continue;
			const call = calls.get(part.callId);
			if (call === undefined) continue;
			const key = `${call.name}\u0000${keyInputOf(call.name, call.argumentsText)}`;
			if (part.isError) {
				errors.delete(key);
				errors.set(key, errorLineOf(part.text));
				continue;
			}
			errors.delete(key);
			const kind = classifyTool(call.name);
			if (kind === 'edit' || kind === 'write') {
				const args = parseToolArguments(call.argumentsText);
				if (args !== undefined) for (const path of pathsInArguments(args)) files.add(path);
			}
		}
	}
	return {
		...(task !== undefined ? { task } : {}),
		filesChanged: [...files],
		errorsRemaining: [...errors.values()].filter((line) => line !== ''),
		decisions,
	};
}

function score(expected: number, found: number): ProbeScore {
	return { expected, found, score: expected === 0 ? Number.NaN : found / expected };
}

function artifact(kind: Artifact['kind'], value: string): Artifact {
	return { kind, value, messageId: '', messageIndex: 0, source: 'probe' };
}

/**
 * Checks each probe against an output text (the compacted window plus any spill file): the task by its first
 * {@link taskPrefixChars} characters with whitespace collapsed; changed files as whole path tokens; remaining errors
 * by their exact first error line; a decision when at least {@link decisionTermShare} of its key terms appear.
 */
export function scoreProbes(
	answers: ProbeAnswers,
	outputText: string,
): Readonly<Record<ProbeName, ProbeScore>> {
	const isKept = createKeptTest(outputText);
	const squashed = outputText.replace(/\s+/g, ' ');
	const lower = outputText.toLowerCase();
	const task =
		answers.task === undefined
			? score(0, 0)
			: score(
					1,
					squashed.includes(answers.task.replace(/\s+/g, ' ').trim().slice(0, taskPrefixChars)) ? 1 : 0,
				);
	const files = answers.filesChanged.filter((path) => isKept(artifact('filePath', path))).length;
	const errors = answers.errorsRemaining.filter((line) => outputText.includes(line)).length;
	const checked = answers.decisions.map(keyTerms).filter((terms) => terms.length >= minDecisionTerms);
	const decisions = checked.filter(
		(terms) => terms.filter((t) => lower.includes(t)).length >= decisionTermShare * terms.length,
	).length;
	return {
		task,
		filesChanged: score(answers.filesChanged.length, files),
		errorsRemaining: score(answers.errorsRemaining.length, errors),
		decisions: score(checked.length, decisions),
	};
}
