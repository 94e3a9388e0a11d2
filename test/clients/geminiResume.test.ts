// The real Gemini CLI loads what `compact` writes (`gemini --session-file <absolute path> -p continue`): installed by
// test/clients/setup.sh into a version-keyed cache, run offline in a loopback-only network namespace against the
// fake Gemini endpoint of ../shared/tools/real-clients, which records every request. The recorded request is
// checked, never the exit code.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { corpusFiles, hasCorpus } from '../support/corpus';
import {
	assertNothingRemovedSent,
	describeResumes,
	lastUserRequest,
	readWithCore,
	runRealClient,
	stringLeaves,
	summaryFirstLine,
	type CompactedCase,
	type RecordedRequest,
	type ResumeCase,
} from './resumeHarness';
import { clientBinary } from './toolchain';

interface GeminiContent {
	readonly role?: string;
	readonly parts?: readonly Record<string, unknown>[];
}

/** The model request the resumed session made: the generate call with the most history. */
function modelRequest(requests: readonly RecordedRequest[]): readonly GeminiContent[] {
	const calls = requests
		.filter((r) => r.method === 'POST' && /:(stream)?[gG]enerateContent/.test(r.url))
		.map((r) => (r.body as { contents?: GeminiContent[] } | null)?.contents ?? []);
	const longest = calls.reduce<readonly GeminiContent[]>((a, b) => (b.length > a.length ? b : a), []);
	assert.ok(longest.length > 0, 'Gemini CLI sent a model request');
	return longest;
}

/** Ids of the function calls and of the function responses in the request's history. */
function callIds(contents: readonly GeminiContent[]): { calls: string[]; responses: string[] } {
	const calls: string[] = [];
	const responses: string[] = [];
	for (const content of contents) {
		for (const part of content.parts ?? []) {
			const call = part['functionCall'] as { id?: string; name?: string } | undefined;
			const response = part['functionResponse'] as { id?: string; name?: string } | undefined;
			if (call !== undefined) calls.push(call.id ?? `name:${call.name}`);
			if (response !== undefined) responses.push(response.id ?? `name:${response.name}`);
		}
	}
	return { calls: calls.sort(), responses: responses.sort() };
}

function isSessionDocument(file: string): boolean {
	const document = JSON.parse(readFileSync(file, 'utf8')) as { messages?: unknown } | null;
	return typeof document === 'object' && document !== null && Array.isArray(document.messages);
}

/** The same session as Gemini CLI's JSONL log: the metadata line, then one line per message. */
function asJsonl(documentPath: string, out: string): string {
	const { messages, ...header } = JSON.parse(readFileSync(documentPath, 'utf8')) as {
		messages: unknown[];
	} & Record<string, unknown>;
	const lines = [{ ...header, kind: 'main' }, ...messages].map((r) => JSON.stringify(r));
	writeFileSync(out, `${lines.join('\n')}\n`);
	return out;
}

async function resumeAndCheck({ source, out, result, dir }: CompactedCase): Promise<void> {
	assert.equal(result.resumeHint, `gemini --session-file ${out}`, 'compact says how to resume');
	const written = readFileSync(out, 'utf8');
	if (out.endsWith('.jsonl')) assert.ok(written.split('\n').length > 2, 'a JSONL input is written as JSONL');
	else assert.doesNotThrow(() => JSON.parse(written), 'a JSON input is written as one JSON document');
	const original = await readWithCore(source);
	const compacted = await readWithCore(out);
	const requests = runRealClient(
		'run-gemini.sh',
		join(dir, 'run'),
		join(dir, 'wd'),
		['-m', 'gemini-2.5-flash', '--session-file', out, '-p', 'continue'],
		{ GEMINI_BIN: clientBinary('gemini-cli') },
	);
	const contents = modelRequest(requests);
	const text = stringLeaves(contents).join('\n');
	assert.ok(text.includes(summaryFirstLine(result.summary)), 'the summary reaches the model');
	assert.ok(text.includes(lastUserRequest(original)), 'the last request reaches the model word for word');
	const ids = callIds(contents);
	assert.deepEqual(ids.calls, ids.responses, 'every function call is sent with its response');
	assert.ok(ids.calls.length > 0, 'the kept tail carries tool calls');
	assertNothingRemovedSent(original, compacted, text);
}

const cases: ResumeCase[] = (hasCorpus() ? corpusFiles('other/gemini-cli') : []).flatMap((file) => {
	const claim = 'sends the summary, the last request and paired calls, nothing removed';
	if (file.endsWith('.jsonl'))
		return [{ title: `${basename(file)}: ${claim}`, source: () => file, outName: 'session-compacted.jsonl' }];
	const asDocument = {
		title: `${basename(file)} as JSON: ${claim}`,
		source: () => file,
		outName: 'session-compacted.json',
	};
	// A JSON session document is also tried as the JSONL log Gemini CLI writes today.
	if (!isSessionDocument(file)) return [asDocument];
	return [
		asDocument,
		{
			title: `${basename(file)} as a JSONL log: ${claim}`,
			source: (dir: string) => asJsonl(file, join(dir, 'session.jsonl')),
			outName: 'session-compacted.jsonl',
		},
	];
});

describeResumes(
	'the real Gemini CLI loads a compacted session with --session-file',
	'gemini-cli',
	['run-gemini.sh', 'fake-gemini.js'],
	cases,
	2,
	resumeAndCheck,
);
