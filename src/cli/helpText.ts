import { version } from '../../package.json';
import { compactionStrategies } from '../core/compaction/strategies';

/** The package version, taken from package.json when the CLI is bundled (esbuild keeps only this field). */
export const cliVersion: string = version;

const helpColumns = 100;

/** One entry per strategy, name then description wrapped under itself within `helpColumns`. */
export function strategyLines(indent = '  '): string {
	const width = Math.max(...compactionStrategies.map((s) => s.name.length));
	const hanging = ' '.repeat(indent.length + width + 2);
	return compactionStrategies
		.map((s) => wrap(`${indent}${s.name.padEnd(width)}  `, s.description, hanging))
		.join('\n');
}

function wrap(first: string, text: string, hanging: string): string {
	const lines: string[] = [];
	let line = first;
	let isLineEmpty = true;
	for (const word of text.split(/\s+/)) {
		if (!isLineEmpty && line.length + 1 + word.length > helpColumns) {
			lines.push(line);
			line = hanging;
			isLineEmpty = true;
		}
		line += isLineEmpty ? word : ` ${word}`;
		isLineEmpty = false;
	}
	lines.push(line);
	return lines.join('\n');
}

const summarizerHelp = `Summarizers: offline (default, no network); openai reads CONTEXT_LENS_OPENAI_BASE_URL and
CONTEXT_LENS_OPENAI_API_KEY; anthropic reads ANTHROPIC_API_KEY and CONTEXT_LENS_ANTHROPIC_BASE_URL.
A summary request gives up after --timeout seconds (default 300), or after --connect-timeout seconds
(default 30) when the server does not answer at all; a pipe that sends nothing for --read-timeout
seconds (default 30) is given up.`;

const inspectHelp = `Usage: context-lens inspect <file> [options]

How full the context window is and where the tokens go, and every compaction the agent made (with the
facts its summary lost). The file is only read.

Options:
  --format F    the transcript format (see context-lens formats); detected when omitted
  --model M     count for this model instead of the one the transcript names
  --window N    the context window in tokens, instead of the model's
  --json        one JSON object instead of the readable report
  --keep N      keep message N (numbered as here) verbatim whatever is planned; repeatable, or 3,7
  --keep-matching "text"   keep every message whose text contains it (any case); repeatable
  --read-timeout S   give up on a pipe that sends nothing for S seconds (default 30)`;

const compactHelp = `Usage: context-lens compact <file> [options]

Writes a compacted copy in the same format; the input is never modified.

Options:
  --strategy S     how to compact (below)
  --focus "text"   what the summary should keep in most detail
  --keep N         keep message N (as inspect numbers it) verbatim, never summarised or pruned;
                   repeatable, or 3,7
  --keep-matching "text"   keep every message whose text contains it (any case); repeatable
  --summarizer Z   offline, openai or anthropic
  --model M        the summariser's model (openai, anthropic); with offline, the model to count for
  --window N       the context window in tokens, instead of the model's
  --format F       the transcript format; detected when omitted
  --out FILE       where to write (default: <name>.compacted.<ext> beside the input)
  --dry-run        plan and report, write nothing
  --force          replace an existing output or spill file
  --json           one JSON object instead of the readable report
  --timeout S      give up on a summary request after S seconds (default 300)
  --connect-timeout S   give up on a summariser that does not answer at all after S seconds (default 30)
  --read-timeout S      give up on a pipe that sends nothing for S seconds (default 30)

Strategies (default summarize):
${strategyLines()}

${summarizerHelp}`;

const compareHelp = `Usage: context-lens compare <file> [options]

Every strategy planned on the same transcript and options, one row each: tokens after, share of the
window, messages after, facts kept and lost (the most important lost ones listed), time taken. The
summarising strategies use the offline summariser (no network). Nothing is written.

Options:
  --focus "text"   what the summaries should keep in most detail
  --model M        count for this model instead of the one the transcript names
  --window N       the context window in tokens, instead of the model's
  --format F       the transcript format; detected when omitted
  --json           the rows as one JSON list
  --read-timeout S   give up on a pipe that sends nothing for S seconds (default 30)`;

const formatsHelp = `Usage: context-lens formats [--json]

The transcript formats Context Lens reads and writes.`;

const hooksHelp = `Usage: context-lens hooks install|uninstall|status <claude-code|codex> [options]

Adds (or removes) hooks that run before and after the agent compacts its context. Before an automatic
compaction the open VS Code window asks whether to review it in Context Lens or let it compact; with no
answer in time, or no window open, the compaction runs. Every other setting and hook in the file is kept,
and the previous file is kept beside it (.context-lens-backup).

Options:
  --settings FILE   the agent's settings file (default: ~/.claude/settings.json, or Codex's ~/.codex/hooks.json)
  --project DIR     the project's file instead (DIR/.claude/settings.json, DIR/.codex/hooks.json)

The agent runs 'context-lens hooks gate --agent A' and 'hooks record --agent A' itself (see docs/hooks.md).`;

/** The help text of each command, shown for `context-lens <command> --help` (a Map: names come from the command line). */
export const commandHelp: ReadonlyMap<string, string> = new Map([
	['inspect', inspectHelp],
	['compact', compactHelp],
	['compare', compareHelp],
	['formats', formatsHelp],
	['hooks', hooksHelp],
]);

/** The top-level usage text: commands, strategies, summarisers and exit codes. */
export const usage = `Usage: context-lens <command> [options]

Commands:
  inspect <file>   how full the context window is and where the tokens go
                   [--format F] [--model M] [--window N] [--json] [--read-timeout S]
                   [--keep N] [--keep-matching "text"]
  compact <file>   write a compacted copy in the same format; the input is never modified
                   [--strategy S] [--focus "text"] [--summarizer offline|openai|anthropic]
                   [--model M] [--window N] [--out FILE] [--dry-run] [--force] [--json]
                   [--timeout S] [--connect-timeout S] [--read-timeout S]
                   [--keep N] [--keep-matching "text"]
  compare <file>   every strategy side by side: tokens after, facts lost, time; writes nothing
                   [--focus "text"] [--model M] [--window N] [--format F] [--json]
                   [--read-timeout S]
  formats          the transcript formats Context Lens reads and writes
  hooks install|uninstall|status <claude-code|codex>
                   a review in VS Code before the agent compacts on its own
                   [--settings FILE] [--project DIR]

  context-lens <command> --help   the options of one command (also: context-lens help <command>)
  context-lens --version          the version of Context Lens

Strategies (compact --strategy S, default summarize):
${strategyLines()}

${summarizerHelp}

Exit codes: 0 done (or nothing to compact), 2 usage error, 3 unreadable or unrecognised input
(or no messages in it), 4 the compaction or the write failed (nothing was written), 130 stopped with
Ctrl-C (nothing was written).`;

/** True when a command's arguments ask for its help (before any `--`, which ends the options). */
export function asksForHelp(args: readonly string[]): boolean {
	const end = args.indexOf('--');
	return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
