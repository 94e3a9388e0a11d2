import { locateJsonSyntaxError } from '../transcript/jsonlLines';
import { isJsonObject, type JsonObject } from '../transcript/json';
import type { HookAgent } from './agents';
import { launcherFileName } from './hookPaths';

/** The agent events Context Lens hooks: before a compaction (the gate) and after it (the record). */
export const hookedEvents = ['PreCompact', 'PostCompact'] as const;
export type HookedEvent = (typeof hookedEvents)[number];

/** How the installed command starts the launcher: the Node executable and the launcher, both absolute paths. */
export interface HookCommandSpec {
	readonly node: string;
	readonly launcher: string;
}

/** Seconds the agent gives the gate before it runs the compaction anyway (above the gate's own longest wait). */
export const gateHookTimeoutSeconds = 120;
/** Seconds the agent gives the record after a compaction. */
export const recordHookTimeoutSeconds = 60;

/** A settings file that cannot be edited safely; the message names the file, the line and what is wrong. */
export class HookSettingsError extends Error {
	override readonly name = 'HookSettingsError';
}

function quote(path: string): string {
	if (path.includes('"'))
		throw new HookSettingsError(`cannot install a hook command for a path with a quote: ${path}`);
	return `"${path}"`;
}

/** The command line a hook entry runs for an event. */
export function hookCommand(spec: HookCommandSpec, agent: HookAgent, event: HookedEvent): string {
	const verb = event === 'PreCompact' ? 'gate' : 'record';
	return `${quote(spec.node)} ${quote(spec.launcher)} ${verb} --agent ${agent}`;
}

const ourCommand = new RegExp(`${launcherFileName.replace(/\./g, '\\.')}"?\\s+(gate|record)\\b`);

/** True when a hook command is one Context Lens installed (whatever Node and launcher paths it names). */
export function isContextLensCommand(command: unknown): boolean {
	return typeof command === 'string' && ourCommand.test(command);
}

/** The hook handler Context Lens installs for an event. */
export function hookHandler(spec: HookCommandSpec, agent: HookAgent, event: HookedEvent): JsonObject {
	return {
		type: 'command',
		command: hookCommand(spec, agent, event),
		timeout: event === 'PreCompact' ? gateHookTimeoutSeconds : recordHookTimeoutSeconds,
		statusMessage:
			event === 'PreCompact'
				? 'Asking Context Lens before compacting'
				: 'Context Lens records the compaction',
	};
}

/** A parsed settings file: its value and how it was laid out, to write it back the same way. */
export interface SettingsDocument {
	readonly root: JsonObject;
	readonly indent: string;
	readonly finalNewline: boolean;
}

/** Parses a settings file's text (none or blank: an empty object); throws HookSettingsError naming file:line:column. */
export function parseSettings(text: string | undefined, file: string): SettingsDocument {
	if (text === undefined || text.trim() === '') return { root: {}, indent: '  ', finalNewline: true };
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		const located = locateJsonSyntaxError(text, error);
		const { line, column } = lineAndColumn(text, located.offset);
		throw new HookSettingsError(
			`${file}:${line}:${column}: not valid JSON (${located.reason}); nothing was changed. Fix the file, then try again.`,
		);
	}
	if (!isJsonObject(value))
		throw new HookSettingsError(`${file}: the top level is not a JSON object; nothing was changed.`);
	return { root: value, indent: detectIndent(text), finalNewline: text.endsWith('\n') };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
	const before = text.slice(0, offset);
	const line = before.split('\n').length;
	return { line, column: offset - before.lastIndexOf('\n') };
}

function detectIndent(text: string): string {
	const match = /\n([ \t]+)\S/.exec(text);
	return match?.[1] ?? '  ';
}

/** The text to write for a document. */
export function serializeSettings(document: SettingsDocument): string {
	return JSON.stringify(document.root, null, document.indent) + (document.finalNewline ? '\n' : '');
}

/** Result of an edit: the new root and whether anything changed. */
export interface SettingsEdit {
	readonly root: JsonObject;
	readonly changed: boolean;
}

function hooksTable(root: JsonObject, file: string): JsonObject | undefined {
	const hooks = root['hooks'];
	if (hooks === undefined) return undefined;
	if (!isJsonObject(hooks))
		throw new HookSettingsError(`${file}: "hooks" is not a JSON object; nothing was changed.`);
	return hooks;
}

function eventGroups(hooks: JsonObject | undefined, event: HookedEvent, file: string): unknown[] {
	const groups = hooks?.[event];
	if (groups === undefined) return [];
	if (!Array.isArray(groups))
		throw new HookSettingsError(`${file}: "hooks.${event}" is not a JSON array; nothing was changed.`);
	return groups;
}

/** The groups with every Context Lens handler taken out; a group left empty by that is dropped. */
function withoutOurs(groups: readonly unknown[]): unknown[] {
	return groups.flatMap((group) => {
		if (!isJsonObject(group) || !Array.isArray(group['hooks'])) return [group];
		const handlers = group['hooks'] as unknown[];
		const kept = handlers.filter((h) => !(isJsonObject(h) && isContextLensCommand(h['command'])));
		if (kept.length === handlers.length) return [group];
		return kept.length === 0 ? [] : [{ ...group, hooks: kept }];
	});
}

function ourHandlers(groups: readonly unknown[]): unknown[] {
	return groups.flatMap((group) =>
		isJsonObject(group) && Array.isArray(group['hooks'])
			? (group['hooks'] as unknown[]).filter((h) => isJsonObject(h) && isContextLensCommand(h['command']))
			: [],
	);
}

/**
 * Adds the Context Lens hooks (one group per event, no matcher: every trigger; the gate itself lets a manual compaction
 * through unless the person asked otherwise) and removes any older ones of ours, keeping every other setting and hook.
 * Unchanged when exactly our current handlers are there already.
 */
export function installHooks(
	root: JsonObject,
	file: string,
	spec: HookCommandSpec,
	agent: HookAgent,
): SettingsEdit {
	const hooks = hooksTable(root, file);
	const next: JsonObject = { ...(hooks ?? {}) };
	let changed = false;
	for (const event of hookedEvents) {
		const groups = eventGroups(hooks, event, file);
		const wanted = hookHandler(spec, agent, event);
		const present = ourHandlers(groups);
		if (present.length === 1 && JSON.stringify(present[0]) === JSON.stringify(wanted)) continue;
		next[event] = [...withoutOurs(groups), { hooks: [wanted] }];
		changed = true;
	}
	return changed ? { root: { ...root, hooks: next }, changed } : { root, changed };
}

/** Removes every Context Lens hook; an event list or `hooks` table left empty by that is removed too. */
export function uninstallHooks(root: JsonObject, file: string): SettingsEdit {
	const hooks = hooksTable(root, file);
	if (hooks === undefined) return { root, changed: false };
	const next: JsonObject = { ...hooks };
	let changed = false;
	for (const event of hookedEvents) {
		const groups = eventGroups(hooks, event, file);
		if (ourHandlers(groups).length === 0) continue;
		const kept = withoutOurs(groups);
		if (kept.length === 0) delete next[event];
		else next[event] = kept;
		changed = true;
	}
	if (!changed) return { root, changed };
	const rest = { ...root };
	if (Object.keys(next).length === 0) delete rest['hooks'];
	else rest['hooks'] = next;
	return { root: rest, changed };
}

/** The Context Lens hook commands a settings file holds, per event (empty when none). */
export function installedCommands(root: JsonObject, file: string): Partial<Record<HookedEvent, string[]>> {
	const hooks = hooksTable(root, file);
	const found: Partial<Record<HookedEvent, string[]>> = {};
	for (const event of hookedEvents) {
		const commands = ourHandlers(eventGroups(hooks, event, file)).map((h) =>
			String((h as JsonObject)['command']),
		);
		if (commands.length > 0) found[event] = commands;
	}
	return found;
}
