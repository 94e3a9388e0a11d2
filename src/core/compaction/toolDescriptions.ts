import {
	classifyTool,
	commandInArguments,
	parseToolArguments,
	pathsInArguments,
} from '../facts/extractArtifacts';
import type { ToolCallPart } from '../transcript/model';
import { formatCount, lineCount, oneLine } from './textCuts';

function stringArg(
	args: Readonly<Record<string, unknown>> | undefined,
	keys: readonly string[],
): string | undefined {
	if (args === undefined) return undefined;
	for (const key of keys) {
		const value = args[key];
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		if (typeof value === 'number') return String(value);
		if (Array.isArray(value) && typeof value[0] === 'string') {
			return value.length > 1 ? `${value[0]} (+${value.length - 1} more)` : value[0];
		}
	}
	return undefined;
}

/** H6: the input that identifies a call (command, path, query, URL, pattern), one line, or '' when none stands out. */
export function keyInputOf(name: string, argumentsText: string): string {
	const args = parseToolArguments(argumentsText);
	if (args === undefined) return oneLine(argumentsText, 80);
	switch (classifyTool(name)) {
		case 'shell':
			return oneLine(commandInArguments(args) ?? '', 80);
		case 'read':
		case 'edit':
		case 'write':
			return pathsInArguments(args)[0] ?? '';
		case 'search':
		case 'list':
			return oneLine(stringArg(args, ['pattern', 'query', 'glob', 'path']) ?? '', 80);
		case 'web':
			return oneLine(stringArg(args, ['url', 'urls', 'query']) ?? '', 120);
		case 'task':
			return oneLine(stringArg(args, ['description', 'goal', 'prompt']) ?? '', 60);
		case 'todo':
			return '';
		case 'other':
			return oneLine(stringArg(args, ['key', 'name', 'filename', 'id', 'query', 'path']) ?? '', 60);
	}
}

// Where agents say they put the full output of a large result: "saved to 'x.txt'", Claude Code's tool-results files.
const spillReferencePattern = /(?:[Ss]aved to ['"]?([^'"\s\]]+)|(\S*\/tool-results\/[^\s'")\]]+))/;

/** H4: the file an agent says holds a result's full data, so a pruned placeholder can keep pointing at it. */
export function findSpillReference(text: string): string | undefined {
	const match = spillReferencePattern.exec(
		text.length > 4096 ? text.slice(0, 2048) + text.slice(-2048) : text,
	);
	return match?.[1] ?? match?.[2];
}

function exitCodeOf(text: string): string | undefined {
	return /(?:"exit_code"\s*:\s*|exit code:?\s*|exited with (?:code )?)(-?\d+)/i.exec(text)?.[1];
}

/**
 * R3: an informative one-line description of a tool call and its (large) result, replacing the result in old
 * turns, e.g. `[Bash] ran \`npm test\` -> exit 0, 47 lines output`. The call may be missing (orphaned result).
 */
export function describeToolResult(call: ToolCallPart | undefined, resultText: string): string {
	const name = call?.name ?? 'tool';
	const args = call !== undefined ? parseToolArguments(call.argumentsText) : undefined;
	const chars = `${formatCount(resultText.length)} chars`;
	const lines = lineCount(resultText);
	let line: string;
	switch (classifyTool(name)) {
		case 'shell': {
			const command = args !== undefined ? (commandInArguments(args) ?? '?') : '?';
			line = `[${name}] ran \`${oneLine(command, 80)}\` -> exit ${exitCodeOf(resultText) ?? '?'}, ${lines} lines output`;
			break;
		}
		case 'read': {
			const path = args !== undefined ? (pathsInArguments(args)[0] ?? '?') : '?';
			const offset = stringArg(args, ['offset', 'start_line', 'line']);
			line = `[${name}] read ${path}${offset !== undefined ? ` from line ${offset}` : ''} (${chars}, ${lines} lines)`;
			break;
		}
		case 'write': {
			const path = args !== undefined ? (pathsInArguments(args)[0] ?? '?') : '?';
			line = `[${name}] wrote ${path} (${chars} result)`;
			break;
		}
		case 'edit': {
			const path = args !== undefined ? (pathsInArguments(args)[0] ?? '?') : '?';
			line = `[${name}] edited ${path} (${chars} result)`;
			break;
		}
		case 'search': {
			const pattern = oneLine(stringArg(args, ['pattern', 'query']) ?? '?', 60);
			const where = stringArg(args, ['path', 'glob', 'include']) ?? '.';
			line = `[${name}] searched for '${pattern}' in ${where} -> ${lines} lines`;
			break;
		}
		case 'list':
			line = `[${name}] listed ${oneLine(stringArg(args, ['pattern', 'path', 'glob']) ?? '?', 60)} -> ${lines} entries`;
			break;
		case 'web':
			line = `[${name}] ${oneLine(stringArg(args, ['url', 'urls', 'query']) ?? '?', 120)} (${chars})`;
			break;
		case 'task':
			line = `[${name}] '${oneLine(stringArg(args, ['description', 'goal', 'prompt']) ?? '?', 60)}' (${chars} result)`;
			break;
		case 'todo':
			line = `[${name}] updated the task list`;
			break;
		case 'other': {
			const shown =
				args !== undefined
					? Object.entries(args)
							.slice(0, 2)
							.map(([k, v]) => ` ${k}=${oneLine(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''), 40)}`)
							.join('')
					: '';
			line = `[${name}]${shown} (${chars} result)`;
		}
	}
	const reference = findSpillReference(resultText);
	return reference !== undefined ? `${line}; full output in '${reference}'` : line;
}
