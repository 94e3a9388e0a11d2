import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { extractArtifacts } from '../../../src/core/facts/extractArtifacts';
import { reportLostFacts } from '../../../src/core/facts/reportLostFacts';
import { handoffSectionTitles } from '../../../src/core/summarize/offline/handoffSections';
import { clip } from '../../../src/core/summarize/offline/renderHandoff';
import {
	createOfflineSummarizer,
	summarizeOffline,
} from '../../../src/core/summarize/offline/offlineSummarizer';
import type { SummaryRequest } from '../../../src/core/compaction/summarizer';
import type { Message } from '../../../src/core/transcript/model';
import { assistant, call, countTokens, generateSession, message, result, user } from './offlineFixtures';

function summarize(messages: readonly Message[], extra: Partial<SummaryRequest> = {}): string {
	const outcome = summarizeOffline({ messages, budgetTokens: 4000, countTokens, ...extra });
	if (!outcome.ok) throw new Error(outcome.message);
	return outcome.text;
}

/** The body of one `## Title` section, or undefined when the section is absent. */
function section(text: string, title: string): string | undefined {
	const start = text.indexOf(`## ${title}\n`);
	if (start < 0) return undefined;
	const body = text.slice(start + title.length + 4);
	const end = body.indexOf('\n## ');
	return end < 0 ? body : body.slice(0, end);
}

function billingSession(): Message[] {
	return [
		user(
			'Add CSV streaming to the billing export. You must keep the public API unchanged and never edit dist/. I prefer small commits.\n\nBackground: exports time out for big accounts.',
		),
		assistant('Let me look at the exporter.', call('r1', 'Read', { file_path: 'src/billing/export.ts' })),
		result('r1', Array.from({ length: 120 }, (_, i) => `${i + 1}→line ${i}`).join('\n')),
		assistant('', call('b1', 'Bash', { command: 'npm test' })),
		result(
			'b1',
			'Exit code 1\n  12 passing\n  2 failing\n  Error: expected 3 to equal 4\n    at Context.<anonymous>',
			true,
		),
		assistant(
			"I'll use the streaming writer because the buffered one holds 300 MB. Switching to `streamRows` instead of `writeAll`.",
			call('e1', 'Edit', {
				file_path: 'src/billing/export.ts',
				old_string: 'writeAll(rows);',
				new_string: 'streamRows(rows);',
			}),
		),
		result('e1', 'The file src/billing/export.ts has been updated.'),
		assistant('', call('b2', 'Bash', { command: 'npm test' })),
		result('b2', '  14 passing (42ms)'),
		assistant('The export now streams; all tests pass.'),
		user('Does it still support the --gzip flag?'),
		assistant('Yes, --gzip still works since the writer wraps the stream. Memory stays under 50 MB.'),
		user('Now also add a progress bar to the export command. Why is lint slow?'),
		assistant(
			'',
			call('t1', 'TodoWrite', {
				todos: [
					{ content: 'Stream CSV rows', status: 'completed' },
					{ content: 'Add progress bar to export command', status: 'in_progress' },
					{ content: 'Document the --progress flag', status: 'pending' },
				],
			}),
		),
		result('t1', 'Todos updated'),
		assistant(
			'',
			call('w1', 'Write', {
				file_path: 'src/billing/progress.ts',
				content: 'export const bar = new Bar();\n',
			}),
		),
		result('w1', 'File created successfully at: src/billing/progress.ts'),
		assistant('', call('l1', 'Bash', { command: 'npm run lint' })),
		result('l1', "Exit code 2\nsrc/billing/progress.ts(1,25): error TS2304: Cannot find name 'Bar'.", true),
		assistant('Let me fix the missing import next.'),
	];
}

describe('offline summariser', () => {
	it('is the Summarizer with id offline and answers through the port', async () => {
		const summarizer = createOfflineSummarizer();
		assert.equal(summarizer.id, 'offline');
		const outcome = await summarizer.summarize(
			{ messages: billingSession(), budgetTokens: 3000, countTokens },
			new AbortController().signal,
		);
		assert.ok(outcome.ok);
		assert.ok(outcome.text.startsWith('## Active Task\n'));
	});

	describe('R8 sections, filled from the messages', () => {
		const text = summarize(billingSession());

		it('writes the sections in template order and omits empty ones', () => {
			const titles = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1] ?? '');
			const order = titles.map((t) =>
				handoffSectionTitles.indexOf(t as (typeof handoffSectionTitles)[number]),
			);
			assert.ok(order.every((i) => i >= 0));
			assert.deepEqual(
				order,
				[...order].sort((a, b) => a - b),
			);
			for (const title of titles) assert.notEqual(section(text, title)?.trim(), '', title);
		});

		it('Active Task: the latest unfulfilled request, verbatim', () => {
			assert.equal(
				section(text, 'Active Task')?.trim(),
				'User asked: "Now also add a progress bar to the export command. Why is lint slow?"',
			);
		});

		it('Goal: the first request, condensed to its first paragraph', () => {
			assert.equal(
				section(text, 'Goal')?.trim(),
				'Add CSV streaming to the billing export. You must keep the public API unchanged and never edit dist/. I prefer small commits.',
			);
		});

		it('Constraints & Preferences: the user sentences with must/never/prefer', () => {
			const body = section(text, 'Constraints & Preferences') ?? '';
			assert.match(body, /- You must keep the public API unchanged and never edit dist\/\./);
			assert.match(body, /- I prefer small commits\./);
			assert.doesNotMatch(body, /Background/);
		});

		it('Completed Actions: numbered ACTION target — outcome (tool)', () => {
			const body = section(text, 'Completed Actions') ?? '';
			const lines = body.trim().split('\n');
			assert.deepEqual(lines, [
				'1. READ src/billing/export.ts — 120 lines (Read)',
				'2. RAN `npm test` — error: Exit code 1 · Error: expected 3 to equal 4 · 12 passing / 2 failing (Bash)',
				'3. EDIT src/billing/export.ts — `writeAll(rows);` → `streamRows(rows);` (+1/−1 lines) (Edit)',
				'4. RAN `npm test` — 14 passing (42ms) (Bash)',
				'5. TODO 3 items — 1 done, 1 in progress, 1 pending; marked done: Stream CSV rows (TodoWrite)',
				'6. WRITE src/billing/progress.ts — wrote 1 lines (Write)',
				"7. RAN `npm run lint` — error: Exit code 2 · src/billing/progress.ts(1,25): error TS2304: Cannot find name 'Bar'. (Bash)",
			]);
		});

		it('Active State: files changed, last test run, last command, todo counts', () => {
			const body = section(text, 'Active State') ?? '';
			assert.match(body, /- Files changed: src\/billing\/export\.ts, src\/billing\/progress\.ts/);
			assert.match(body, /- Last test run: `npm test` — 14 passing/);
			assert.match(body, /- Last command: `npm run lint` — error: Exit code 2/);
			assert.match(body, /- Todo list: 1 done, 1 in progress, 1 pending/);
		});

		it('In Progress and Remaining Work: from the latest todo list', () => {
			assert.equal(section(text, 'In Progress')?.trim(), '- Add progress bar to export command');
			assert.equal(section(text, 'Remaining Work')?.trim(), '- Document the --progress flag');
		});

		it('Blocked: errors not followed by a success of the same command', () => {
			const body = section(text, 'Blocked')?.trim() ?? '';
			assert.equal(
				body,
				"- `npm run lint` (Bash): src/billing/progress.ts(1,25): error TS2304: Cannot find name 'Bar'.",
			);
			assert.doesNotMatch(body, /npm test/);
		});

		it('Key Decisions: assistant sentences stating a choice', () => {
			const body = section(text, 'Key Decisions') ?? '';
			assert.match(body, /- I'll use the streaming writer because the buffered one holds 300 MB\./);
			assert.match(body, /- Switching to `streamRows` instead of `writeAll`\./);
		});

		it('Resolved Questions and Pending User Asks: answered versus unanswered questions', () => {
			assert.equal(
				section(text, 'Resolved Questions')?.trim(),
				'- Q: Does it still support the --gzip flag? — A: Yes, --gzip still works since the writer wraps the stream. Memory stays under 50 MB.',
			);
			assert.equal(section(text, 'Pending User Asks')?.trim(), '- Why is lint slow?');
		});

		it('Relevant Files: each file with what was done to it', () => {
			const body = section(text, 'Relevant Files') ?? '';
			assert.match(body, /- src\/billing\/export\.ts — read, edited/);
			assert.match(body, /- src\/billing\/progress\.ts — written/);
		});

		it('Critical Context: the remaining artifacts verbatim, so nothing extracted is lost', () => {
			const report = reportLostFacts(extractArtifacts(billingSession()), text);
			assert.equal(report.retention, 1, JSON.stringify(report.lost));
			// The runner's own summary line carries the run's figures, failed or not, next to the run.
			const actions = section(text, 'Completed Actions') ?? '';
			assert.match(actions, /RAN `npm test` — 14 passing \(42ms\)/);
			assert.match(actions, /RAN `npm test` — error: .* · 12 passing \/ 2 failing/);
			assert.doesNotMatch(section(text, 'Critical Context') ?? '', /Figures/);
		});
	});

	it('keeps Active Task even when nothing else is known', () => {
		assert.equal(summarize([]), '## Active Task\nNone.');
		assert.equal(summarize([], { activeTask: 'Ship it' }), '## Active Task\nUser asked: "Ship it"');
	});

	it('uses request.activeTask over its own guess and notes short follow-up replies', () => {
		const messages = [user('Refactor the parser.'), assistant('Which part?'), user('ok')];
		assert.match(summarize(messages), /User asked: "Refactor the parser\."\nThen replied: "ok"/);
		assert.match(
			summarize(messages, { activeTask: 'Refactor the lexer first' }),
			/User asked: "Refactor the lexer first"/,
		);
	});

	it('says so when the latest request looks done, and still quotes it', () => {
		const text = summarize([user('Rename foo to bar.'), assistant('Done: renamed foo to bar in 3 files.')]);
		assert.match(section(text, 'Active Task') ?? '', /^None outstanding\. .*"Rename foo to bar\."/);
	});

	it('carries preserved values verbatim (H5)', () => {
		const text = summarize(billingSession(), {
			preservedValues: { report_id: 'rpt-2291', 'result.total': '{"eur": 12.5}' },
		});
		const body = section(text, 'Critical Context') ?? '';
		assert.match(body, /- report_id: rpt-2291/);
		assert.match(body, /- result\.total: \{"eur": 12\.5\}/);
	});

	it('collapses older completed actions into a count with maxCompletedActions', () => {
		const outcome = summarizeOffline(
			{ messages: billingSession(), budgetTokens: 4000, countTokens },
			{ maxCompletedActions: 2 },
		);
		assert.ok(outcome.ok);
		const body = section(outcome.text, 'Completed Actions')?.trim().split('\n') ?? [];
		assert.deepEqual(body[0], '- (5 actions 1–5 condensed: READ ×1, RAN ×2, EDIT ×1, TODO ×1)');
		// The condensed actions still name what they ran, verbatim, with what the last run printed; files are in
		// Relevant Files.
		assert.equal(body[1], '  - `npm test` ×2 — 14 passing, 42ms');
		assert.match(body[2] ?? '', /^6\. WRITE/);
		assert.match(body[3] ?? '', /^7\. RAN `npm run lint`/);
		assert.equal(body.length, 4);
	});

	it('is deterministic: the same request gives the same text', () => {
		const request = {
			messages: generateSession(3, 12),
			budgetTokens: 1500,
			countTokens,
			focus: 'billing export',
		};
		const first = summarizeOffline(request);
		const second = summarizeOffline({ ...request, messages: [...request.messages] });
		assert.deepEqual(first, second);
	});

	it('reports cancellation and impossible budgets as results, never throws', async () => {
		const controller = new AbortController();
		controller.abort();
		const cancelled = await createOfflineSummarizer().summarize(
			{ messages: billingSession(), budgetTokens: 1000, countTokens },
			controller.signal,
		);
		assert.equal(cancelled.ok, false);
		if (!cancelled.ok) assert.equal(cancelled.reason, 'cancelled');
		for (const budgetTokens of [0, -5, Number.NaN, 3]) {
			const outcome = summarizeOffline({ messages: billingSession(), budgetTokens, countTokens });
			assert.equal(outcome.ok, false, String(budgetTokens));
			if (!outcome.ok) assert.equal(outcome.reason, 'failed');
		}
	});

	describe('budget', () => {
		const arbitraryMessage = fc.oneof(
			fc.string({ maxLength: 300 }).map((t) => user(t)),
			fc.string({ maxLength: 300 }).map((t) => assistant(t)),
			fc
				.tuple(
					fc.constantFrom('Bash', 'Read', 'Edit', 'Grep', 'Other'),
					fc.string({ maxLength: 80 }),
					fc.string({ maxLength: 2000 }),
					fc.boolean(),
				)
				.map(([name, arg, out, isError]) => {
					const id = `x${Math.abs(hashOf(arg + out))}`;
					return [
						assistant(
							'',
							call(id, name, { command: arg, file_path: `src/${arg.replace(/\W/g, '') || 'a'}.ts` }),
						),
						result(id, out, isError),
					];
				}),
		);

		it('never exceeds the budget, whatever the budget and the messages (property)', function () {
			this.timeout(120_000);
			fc.assert(
				fc.property(
					fc.array(arbitraryMessage, { maxLength: 25 }).map((list) => list.flat()),
					fc.integer({ min: 1, max: 2500 }),
					fc.option(fc.constantFrom('billing', 'src lint', 'Error'), { nil: undefined }),
					(messages, budgetTokens, focus) => {
						const outcome = summarizeOffline({
							messages,
							budgetTokens,
							countTokens,
							...(focus !== undefined ? { focus } : {}),
						});
						if (!outcome.ok) {
							assert.ok(budgetTokens < 12, `failed at ${budgetTokens}: ${outcome.message}`);
							return;
						}
						assert.ok(countTokens(outcome.text) <= budgetTokens, `over budget ${budgetTokens}`);
						assert.ok(outcome.text.startsWith('## Active Task'));
					},
				),
				{ numRuns: 150 },
			);
		});

		it('never exceeds tight budgets on long sessions, condensing older actions first', () => {
			const messages = generateSession(11, 30);
			for (const budgetTokens of [40, 120, 400, 1200, 3000]) {
				const text = summarize(messages, { budgetTokens });
				assert.ok(countTokens(text) <= budgetTokens, `${budgetTokens}`);
				assert.ok(text.startsWith('## Active Task'));
			}
			const tight = summarize(messages, { budgetTokens: 1200 });
			assert.match(section(tight, 'Completed Actions') ?? '', /actions 1–\d+ condensed/);
			// What did not fit is said where it was left out, never as a placeholder bullet.
			assert.match(tight, /\d+ (?:commands|more [a-z ]+) not listed/);
			assert.doesNotMatch(tight, /^\s*- (?:…\s*)?\(\+\d+ more/m);
		});

		it('clips a huge request to fit, keeping its start', () => {
			const request = `Please do this: ${'word '.repeat(3000)}`;
			const text = summarize([user(request)], { budgetTokens: 200 });
			assert.ok(countTokens(text) <= 200);
			assert.match(text, /^## Active Task\nUser asked: "Please do this: word word .* \[…\]/);
		});
	});

	describe('focus (R10)', () => {
		function twoTopicSession(): Message[] {
			const messages: Message[] = [user('Fix the billing exporter and the auth tokens.')];
			for (let i = 0; i < 40; i++) {
				for (const topic of ['billing', 'auth']) {
					const id = `${topic}${i}`;
					messages.push(
						assistant(
							`The ${topic} step ${i} decided to use the ${topic}Stream${i} helper instead of the old one.`,
							call(id, 'Bash', { command: `npm run check:${topic} -- --case ${i}` }),
						),
						result(id, `Error: ${topic} case ${i} failed at src/${topic}/case${i}.ts`, true),
					);
				}
			}
			return messages;
		}

		function focusShare(text: string, term: string): number {
			const lines = text.split('\n');
			const focused = lines.filter((l) => l.toLowerCase().includes(term)).join('\n');
			return countTokens(focused) / countTokens(text);
		}

		it('gives the focus items 60–70% of a tight budget and lists them first', () => {
			const budgetTokens = 1500;
			const text = summarize(twoTopicSession(), { budgetTokens, focus: 'billing' });
			assert.ok(countTokens(text) <= budgetTokens);
			const share = focusShare(text, 'billing');
			assert.ok(share >= 0.55 && share <= 0.75, `focus share ${share.toFixed(2)}`);
			const actions = (section(text, 'Completed Actions') ?? '').split('\n').filter((l) => /^\d+\./.test(l));
			assert.match(actions[0] ?? '', /billing/);
			const unfocused = summarize(twoTopicSession(), { budgetTokens });
			assert.ok(focusShare(unfocused, 'billing') < share - 0.1, 'focus must shift the budget');
		});

		it('keeps focus items in full while condensing the rest, when the focus fits its share', () => {
			const messages = twoTopicSession();
			const full = countTokens(summarize(messages, { budgetTokens: 100_000 }));
			const budgetTokens = Math.floor(full * 0.85);
			const text = summarize(messages, { budgetTokens, focus: 'billing exporter' });
			assert.ok(countTokens(text) <= budgetTokens);
			const artifacts = extractArtifacts(messages);
			const focused = reportLostFacts(
				artifacts.filter((a) => a.value.includes('billing')),
				text,
			);
			assert.equal(focused.retention, 1, JSON.stringify(focused.lost.slice(0, 3)));
			// The rest keeps its facts (listed) but loses its prose first.
			const decisions = section(text, 'Key Decisions') ?? '';
			const count = (term: string): number => decisions.split('\n').filter((l) => l.includes(term)).length;
			assert.ok(count('authStream') < count('billingStream'), 'the rest is condensed harder');
		});
	});

	describe('long action lists: commands, paths and figures kept whole', () => {
		/** A middle of `n` distinct shell commands, each with a long output, and a few reads, errors and figures. */
		function commandSession(n: number): { messages: Message[]; commands: string[] } {
			const messages: Message[] = [user('Profile the build of every package and report the slow ones.')];
			const commands: string[] = [];
			for (let i = 0; i < n; i++) {
				const command = `npm run build --workspace packages/pkg-${i} -- --out-dir dist/pkg-${i} --sourcemap --minify`;
				commands.push(command);
				const output = [
					...Array.from({ length: 60 }, (_, k) => `  compiled src/pkg-${i}/module${k}.ts`),
					`Done in ${(1 + i / 10).toFixed(2)}s`,
				].join('\n');
				messages.push(assistant('', call(`b${i}`, 'Bash', { command })), result(`b${i}`, output));
				if (i % 10 === 0) {
					messages.push(
						assistant('', call(`r${i}`, 'Read', { file_path: `packages/pkg-${i}/package.json` })),
						result(`r${i}`, '{\n  "name": "pkg"\n}'),
					);
				}
			}
			return { messages, commands };
		}

		it('keeps every one of 30 commands verbatim when the actions are condensed to fit', () => {
			const { messages, commands } = commandSession(30);
			const full = summarize(messages, { budgetTokens: 100_000 });
			const budgetTokens = 1500;
			assert.ok(countTokens(full) > budgetTokens, 'the full handoff must not fit, or nothing is condensed');
			const text = summarize(messages, { budgetTokens });
			assert.ok(countTokens(text) <= budgetTokens);
			assert.match(section(text, 'Completed Actions') ?? '', /actions 1–\d+ condensed/);
			for (const command of commands) assert.ok(text.includes(`\`${command}\``), command);
			// No command is written clipped: every code span that starts like one is a whole command.
			for (const span of text.matchAll(/`(npm run build[^`]*)`/g))
				assert.ok(commands.includes(span[1] ?? ''), `clipped: ${span[1]}`);
			// A condensed command keeps the figures its output printed next to it.
			assert.match(text, /^ {2}- `npm run build --workspace packages\/pkg-0 [^`]*` — 1\.00s$/m);
			const report = reportLostFacts(extractArtifacts(messages), text);
			assert.equal(report.byKind.command.kept, 30);
			assert.equal(report.retention, 1, JSON.stringify(report.lost.slice(0, 3)));
		});

		it('keeps a timing line next to the command that printed it', () => {
			const { messages } = commandSession(3);
			const text = summarize(messages);
			const actions = section(text, 'Completed Actions') ?? '';
			assert.match(
				actions,
				/^1\. RAN `npm run build --workspace packages\/pkg-0 [^`]*` — 61 lines of output, Done in 1\.00s \(Bash\)$/m,
			);
			assert.match(actions, /^\d+\. RAN `[^`]*pkg-2 [^`]*` — 61 lines of output, Done in 1\.20s \(Bash\)$/m);
			assert.equal(reportLostFacts(extractArtifacts(messages), text).retention, 1);
		});

		it('never clips a command mid-way in Blocked or Active State', () => {
			const command = `node scripts/migrate.js --from 2024-01-01 --to 2024-12-31 --tenant acme-${'x'.repeat(90)} --dry-run`;
			const messages = [
				user('Run the migration dry run.'),
				assistant('', call('m1', 'Bash', { command })),
				result('m1', 'Exit code 3\nError: tenant not found', true),
			];
			const text = summarize(messages, { budgetTokens: 2000 });
			assert.ok((section(text, 'Blocked') ?? '').includes(`\`${command}\` (Bash): Error: tenant not found`));
			assert.ok((section(text, 'Completed Actions') ?? '').includes(`\`${command}\``));
			// Active State names a long command by its action instead of repeating (or clipping) it.
			const state = section(text, 'Active State') ?? '';
			assert.match(state, /- Last command: action #1 — error: Exit code 3/);
			assert.doesNotMatch(state, /`[^`]*…`|node scripts\/migrate/);
		});

		it('clips prose at a word boundary, never inside a `code span`', () => {
			const text =
				'Ran `npm run build --workspace packages/pkg-1 --minify` and then looked at the results closely';
			assert.equal(clip(text, 30), 'Ran `npm run build --workspace packages/pkg-1 --minify`…');
			assert.equal(clip('see `a` and the rest of it', 12), 'see `a` and…');
			const long = `x \`${'y'.repeat(100)}\` z`;
			assert.equal(clip(long, 20), 'x…');
			assert.equal(clip('short', 10), 'short');
		});

		it('thins paths before commands and errors when the budget is tight', () => {
			const messages: Message[] = [user('Find why the nightly job fails.')];
			for (let i = 0; i < 20; i++) {
				const command = `./scripts/nightly.sh --shard ${i}`;
				messages.push(
					assistant('', call(`n${i}`, 'Bash', { command })),
					result(
						`n${i}`,
						`Exit code 1\nwrote /var/lib/nightly/output/shard-${i}/report-${i}.json\nError: shard ${i} timed out`,
						true,
					),
				);
			}
			const artifacts = extractArtifacts(messages);
			const text = summarize(messages, { budgetTokens: 700 });
			assert.ok(countTokens(text) <= 700);
			const report = reportLostFacts(artifacts, text);
			const share = (kind: 'filePath' | 'command'): number =>
				report.byKind[kind].kept / report.byKind[kind].total;
			assert.ok(share('filePath') < 1, 'the budget is tight enough to lose something');
			assert.ok(share('command') >= share('filePath'), JSON.stringify(report.byKind));
			// The twenty error lines that differ only in the shard number are one pattern, kept with its count and
			// its first and last action, however tight the budget; so is the bare exit code.
			assert.match(
				text,
				/^ {2}- Error: shard 0 timed out \(×20, first in action #1, last in #20; last: Error: shard 19 timed out\)$/m,
			);
			assert.match(text, /^ {2}- Exit code 1 \(×20, first in action #1, last in #20\)$/m);
		});

		it('carries condensed commands and merged ranges into the next summary (R9)', () => {
			const { messages, commands } = commandSession(30);
			const first = summarize(messages, { budgetTokens: 1500 });
			assert.match(first, /^- \(\d+ actions 1–\d+ condensed/m);
			const later: Message[] = [
				user('Now look at the slowest one.'),
				assistant('', call('z1', 'Read', { file_path: 'packages/pkg-29/package.json' })),
				result('z1', '{}'),
			];
			const second = summarize(later, { previousSummary: first, budgetTokens: 4000 });
			for (const command of commands) assert.ok(second.includes(`\`${command}\``), command);
			const actions = section(second, 'Completed Actions') ?? '';
			// The tally stays a tally, and numbering goes on after the last carried action.
			assert.match(actions, /^- \(\d+ actions 1–\d+ condensed/m);
			assert.match(actions, /^34\. READ packages\/pkg-29\/package\.json/m);
			// Condensed again under a tight budget, the carried tally is counted into the new one, not as one item.
			const tight = summarize(later, { previousSummary: first, budgetTokens: 700 });
			assert.ok(countTokens(tight) <= 700);
			// What the tally does not list is said on its line, never as a placeholder bullet.
			const tally =
				/^- \((\d+) actions 1–(\d+) condensed: RAN ×(\d+), READ ×(\d+)(?:; (\d+) commands not listed)?\)$/m.exec(
					tight,
				);
			assert.ok(tally !== null, section(tight, 'Completed Actions'));
			assert.equal(Number(tally[1]), Number(tally[2]));
			assert.equal(Number(tally[1]), Number(tally[3]) + Number(tally[4]));
			assert.doesNotMatch(tight, /^\s*- (?:…\s*)?\(\+\d+ more/m);
			const listed =
				(section(tight, 'Completed Actions') ?? '').match(/^ {2}- `npm run build/gm)?.length ?? 0;
			const detailed =
				(section(tight, 'Completed Actions') ?? '').match(/^\d+\. RAN `npm run build/gm)?.length ?? 0;
			assert.equal(listed + detailed + Number(tally[5] ?? 0), 30);
			assert.match(
				tight,
				/^ {2}- `npm run build --workspace packages\/pkg-\d+ [^`]*` — 61 lines, \d\.\d0s$/m,
			);
		});

		it('writes repeated identical actions once, as a range', () => {
			const messages: Message[] = [user('Check the config.')];
			for (let i = 0; i < 3; i++)
				messages.push(
					assistant('', call(`c${i}`, 'Read', { file_path: 'config/app.yaml' })),
					result(`c${i}`, 'a: 1\nb: 2'),
				);
			const first = summarize(messages);
			const actions = (section(first, 'Completed Actions') ?? '').trim();
			assert.equal(actions, '1–3. READ config/app.yaml — 2 lines (Read)');
			// A later summary keeps the range and numbers on after it.
			const next = summarize(
				[assistant('', call('c9', 'Read', { file_path: 'config/db.yaml' })), result('c9', 'x: 1')],
				{ previousSummary: first },
			);
			assert.deepEqual((section(next, 'Completed Actions') ?? '').trim().split('\n'), [
				'1–3. READ config/app.yaml — 2 lines (Read)',
				'4. READ config/db.yaml — 1 lines (Read)',
			]);
		});

		it('condenses a long prose summary from another summariser before the new facts', () => {
			const prose = [
				'## Background',
				...Array.from(
					{ length: 40 },
					(_, i) =>
						`Step ${i}: the team discussed the rollout plan at length and agreed to revisit the staging checklist later.`,
				),
			].join('\n');
			const part: Message[] = [
				user('Now check the deploy script.'),
				assistant(
					'The script lives in deploy/run.sh and takes 45 seconds; the `deployTarget` setting picks the host.',
					call('d1', 'Read', { file_path: 'deploy/run.sh' }),
				),
				result('d1', '#!/bin/sh\necho deploy'),
			];
			const text = summarize(part, { previousSummary: prose, budgetTokens: 600 });
			assert.ok(countTokens(text) <= 600);
			const fresh = reportLostFacts(extractArtifacts(part), text);
			assert.equal(fresh.retention, 1, JSON.stringify(fresh.lost));
			assert.match(text, /Background: Step 0: the team discussed/);
		});
	});

	describe('iterative update (R9, G4)', () => {
		const part1 = billingSession();
		const part2: Message[] = [
			assistant(
				'',
				call('e9', 'Edit', {
					file_path: 'src/billing/progress.ts',
					old_string: 'new Bar()',
					new_string: 'new ProgressBar()',
				}),
			),
			result('e9', 'The file src/billing/progress.ts has been updated.'),
			assistant('', call('l9', 'Bash', { command: 'npm run lint' })),
			result('l9', 'All files pass linting.'),
			assistant(
				'',
				call('t9', 'TodoWrite', {
					todos: [
						{ content: 'Add progress bar to export command', status: 'completed' },
						{ content: 'Document the --progress flag', status: 'in_progress' },
					],
				}),
			),
			result('t9', 'Todos updated'),
			user('Great. Next, document the flag in docs/cli.md please.'),
			assistant('Let me open the docs.', call('r9', 'Read', { file_path: 'docs/cli.md' })),
			result('r9', '# CLI\n'),
		];
		const first = summarize(part1);
		const second = summarize(part2, { previousSummary: first });

		it('keeps every fact of the previous summary (its facts must survive)', () => {
			const previousFacts = extractArtifacts([message('assistant', [{ kind: 'text', text: first }])]);
			const report = reportLostFacts(previousFacts, second);
			assert.equal(report.retention, 1, JSON.stringify(report.lost));
			assert.ok(previousFacts.length >= 10);
			const fresh = reportLostFacts(extractArtifacts(part2), second);
			assert.equal(fresh.retention, 1, JSON.stringify(fresh.lost));
		});

		it('refreshes the Active Task, keeps the Goal and continues the action numbering', () => {
			assert.equal(
				section(second, 'Active Task')?.trim(),
				'User asked: "Great. Next, document the flag in docs/cli.md please."',
			);
			assert.equal(section(second, 'Goal'), section(first, 'Goal'));
			const actions = section(second, 'Completed Actions') ?? '';
			assert.match(actions, /^1\. READ src\/billing\/export\.ts/m);
			assert.match(
				actions,
				/^\d+\. EDIT src\/billing\/progress\.ts — `new Bar\(\)` → `new ProgressBar\(\)`/m,
			);
			const numbers = [...actions.matchAll(/^(\d+)\./gm)].map((m) => Number(m[1]));
			assert.deepEqual(
				numbers,
				numbers.map((_, i) => i + 1),
			);
		});

		it('moves finished In Progress and Blocked items to Completed Actions', () => {
			const actions = section(second, 'Completed Actions') ?? '';
			assert.match(actions, /^\d+\. DONE Add progress bar to export command$/m);
			assert.match(
				actions,
				/^\d+\. RESOLVED `npm run lint` \(Bash\): src\/billing\/progress\.ts\(1,25\): error TS2304/m,
			);
			assert.doesNotMatch(section(second, 'Blocked') ?? '', /npm run lint/);
			assert.equal(section(second, 'In Progress')?.trim(), '- Document the --progress flag');
		});

		it('folds a summary found in the messages when no previousSummary is given', () => {
			const folded = summarize([
				message('user', [{ kind: 'text', text: first }], { isSummary: true }),
				...part2,
			]);
			assert.equal(folded, second);
		});

		it('keeps the content of a prose summary written by another summariser', () => {
			const prose =
				'Earlier: the user set up the repo at /srv/app and chose PostgreSQL 16 because of `jsonb` support.';
			const text = summarize(part2, { previousSummary: prose });
			assert.match(
				section(text, 'Critical Context') ?? '',
				/Earlier summary: Earlier: the user set up the repo at \/srv\/app/,
			);
		});
	});
});

function hashOf(text: string): number {
	let h = 0;
	for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
	return h;
}
