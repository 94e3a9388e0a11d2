import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
	HookSettingsError,
	parseSettings,
	serializeSettings,
	type SettingsDocument,
	type SettingsEdit,
} from './hookSettings';
import type { JsonObject } from '../transcript/json';
import { replaceFileAtomic } from '../io/atomicReplace';

/** The backup beside a settings file: its content before Context Lens last changed it. */
export function backupPath(file: string): string {
	return `${file}.context-lens-backup`;
}

/** What an edit of a settings file did. */
export interface SettingsFileOutcome {
	readonly file: string;
	readonly changed: boolean;
	/** The backup of the previous content, when there was a previous file and it changed. */
	readonly backup?: string;
}

function codeOf(error: unknown): unknown {
	return (error as { code?: unknown } | undefined)?.code;
}

async function readIfPresent(file: string): Promise<string | undefined> {
	try {
		return await readFile(file, 'utf8');
	} catch (error) {
		if (codeOf(error) === 'ENOENT') return undefined;
		throw new HookSettingsError(`${file}: cannot be read (${describe(error)}); nothing was changed.`);
	}
}

function describe(error: unknown): string {
	const code = codeOf(error);
	if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
	if (code === 'ENOSPC') return 'the disk is full';
	return error instanceof Error ? error.message : String(error);
}

/** Reads and parses a settings file (a missing file reads as an empty object). */
export async function readSettingsFile(file: string): Promise<SettingsDocument> {
	return parseSettings(await readIfPresent(file), file);
}

/**
 * Applies `edit` to a settings file: reads and parses it (a parse error leaves it untouched), and when the edit
 * changes something, copies the old file to the backup and replaces it atomically (a temporary file in the same
 * folder with the old file's mode, fsync, rename). The file is read again just before the rename: when another
 * program changed it meanwhile, nothing is replaced and the error says to run again.
 */
export async function editSettingsFile(
	file: string,
	edit: (root: JsonObject) => SettingsEdit,
): Promise<SettingsFileOutcome> {
	const before = await readIfPresent(file);
	const document = parseSettings(before, file);
	const result = edit(document.root);
	if (!result.changed) return { file, changed: false };
	const text = serializeSettings({ ...document, root: result.root });
	const mode = before === undefined ? 0o644 : (await stat(file)).mode & 0o777;
	await mkdir(dirname(file), { recursive: true });
	try {
		await replaceFileAtomic(file, text, mode, async () => {
			if ((await readIfPresent(file)) !== before)
				throw new HookSettingsError(
					`${file} changed while it was being edited; nothing was changed. Run again.`,
				);
			if (before !== undefined) await copyFile(file, backupPath(file));
		});
	} catch (error) {
		if (error instanceof HookSettingsError) throw error;
		throw new HookSettingsError(`${file}: cannot be written (${describe(error)}); nothing was changed.`);
	}
	return { file, changed: true, ...(before !== undefined ? { backup: backupPath(file) } : {}) };
}
