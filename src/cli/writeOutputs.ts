import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** An open file being written: what a write needs of a `FileHandle`. */
export interface OutputHandle {
	writeFile(text: string, encoding: 'utf8'): Promise<void>;
	sync(): Promise<void>;
	close(): Promise<void>;
}

/** The file-system calls an output write makes; tests pass one that fails on cue (a full disk, a failed rename). */
export interface OutputFs {
	open(path: string, flags: 'wx', mode: number): Promise<OutputHandle>;
	rename(from: string, to: string): Promise<void>;
	rm(path: string): Promise<void>;
	/** Creates the folder and its parents; the first folder it created, or undefined when all existed. */
	mkdir(path: string): Promise<string | undefined>;
	/** Removes an empty folder; fails when it is not empty. */
	rmdir(path: string): Promise<void>;
}

/** The real file system. */
export const nodeOutputFs: OutputFs = {
	open: (path, flags, mode) => open(path, flags, mode),
	rename: (from, to) => rename(from, to),
	rm: (path) => rm(path, { force: true }),
	mkdir: (path) => mkdir(path, { recursive: true }),
	rmdir: (path) => rmdir(path),
};

/** One file to write: where, and its whole text. */
export interface OutputFile {
	readonly path: string;
	readonly text: string;
}

/** What a write of several files came to: all written, or none (with one line saying why and what to do). */
export type OutputOutcome =
	{ readonly ok: true } | { readonly ok: false; readonly message: string; readonly isCancelled: boolean };

/** Options of {@link writeOutputs}. */
export interface WriteOutputsOptions {
	/** Permission bits of the new files; the input's, so a private transcript's copy stays private. */
	readonly mode: number;
	readonly signal: AbortSignal;
	readonly fs?: OutputFs;
	/** Called once every file is written in full, just before they get their names: a message stops the write. */
	readonly beforeCommit?: () => Promise<string | undefined>;
}

/**
 * Writes files so that each is whole or absent, and all of them or none: every text goes to a temporary file beside
 * its target (created with `mode`, flushed), then the temporaries are renamed in order. Any failure, a stop from
 * `beforeCommit` or a cancellation removes every temporary, every target already renamed in this call and every
 * folder it created, so a rerun finds the folder as it was.
 */
export async function writeOutputs(
	files: readonly OutputFile[],
	options: WriteOutputsOptions,
): Promise<OutputOutcome> {
	const fs = options.fs ?? nodeOutputFs;
	const temporaries: { readonly file: OutputFile; readonly path: string }[] = [];
	const renamed: string[] = [];
	const createdFolders: { readonly top: string; readonly deepest: string }[] = [];
	let current = files[0]?.path ?? '';
	const undo = async (): Promise<void> => {
		for (const path of [...temporaries.map((t) => t.path), ...renamed])
			await fs.rm(path).catch(() => undefined);
		for (const created of createdFolders.reverse())
			await removeCreatedFolders(fs, created.top, created.deepest);
	};
	try {
		for (const file of files) {
			current = file.path;
			const folder = dirname(file.path);
			const created = await fs.mkdir(folder);
			if (created !== undefined) createdFolders.push({ top: created, deepest: folder });
			const path = join(
				dirname(file.path),
				`.${basename(file.path)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`,
			);
			const handle = await fs.open(path, 'wx', options.mode);
			temporaries.push({ file, path });
			try {
				await handle.writeFile(file.text, 'utf8');
				await handle.sync();
			} finally {
				await handle.close();
			}
		}
		if (options.signal.aborted) {
			await undo();
			return { ok: false, message: 'cancelled; nothing was written.', isCancelled: true };
		}
		const stop = await options.beforeCommit?.();
		if (stop !== undefined) {
			await undo();
			return { ok: false, message: stop, isCancelled: false };
		}
		while (temporaries.length > 0) {
			const next = temporaries[0];
			if (next === undefined) break;
			current = next.file.path;
			await fs.rename(next.path, next.file.path);
			temporaries.shift();
			renamed.push(next.file.path);
		}
		return { ok: true };
	} catch (error) {
		await undo();
		return { ok: false, message: describeWriteFailure(current, error), isCancelled: false };
	}
}

/** Removes the folders one `mkdir` created, deepest first, up to `top`; a folder that is not empty stays. */
async function removeCreatedFolders(fs: OutputFs, top: string, deepest: string): Promise<void> {
	for (let folder = deepest; ; folder = dirname(folder)) {
		await fs.rmdir(folder).catch(() => undefined);
		if (folder === top || dirname(folder) === folder) return;
	}
}

/** One line for a failed write: `could not write <path>: <cause and what to do>; nothing was written.` */
export function describeWriteFailure(path: string, error: unknown): string {
	return `could not write ${path}: ${writeFailureCause(error)}; nothing was written.`;
}

function writeFailureCause(error: unknown): string {
	const code = (error as { code?: unknown }).code;
	switch (code) {
		case 'EACCES':
		case 'EPERM':
			return 'permission denied; choose a folder you can write to with --out';
		case 'EROFS':
			return 'the file system is read-only; choose another folder with --out';
		case 'ENOSPC':
			return 'the disk is full; free some space or choose another disk with --out';
		case 'EDQUOT':
			return 'the disk quota is used up; free some space or choose another disk with --out';
		case 'EISDIR':
			return 'it is a directory; give --out the path of a file';
		case 'ENOTDIR':
			return 'a part of the path is a file, not a folder; choose another path with --out';
		case 'ENOENT':
			return 'its folder does not exist; choose another path with --out';
		case 'EEXIST':
			return 'a file of that name appeared meanwhile; run again';
		case 'ENAMETOOLONG':
			return 'the name is too long; choose a shorter path with --out';
		case 'EIO':
			return 'the disk reported an input/output error; check the disk and run again';
		default: {
			const reason = error instanceof Error ? error.message : String(error);
			return `${reason}; check the path and run again`;
		}
	}
}

/** Why a target path cannot be written before anything is tried, or undefined when it can (absent or a regular file). */
export async function checkOutputTarget(path: string): Promise<string | undefined> {
	try {
		const info = await stat(path);
		if (info.isDirectory()) return describeWriteFailure(path, { code: 'EISDIR' });
		if (!info.isFile()) {
			return `could not write ${path}: it is not a regular file (a device, a pipe or a socket); give --out the path of a file; nothing was written.`;
		}
		return undefined;
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		if (code === 'ENOENT') return undefined;
		return describeWriteFailure(path, error);
	}
}
