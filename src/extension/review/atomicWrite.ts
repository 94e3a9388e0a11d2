import { access, link, rename, rm } from 'node:fs/promises';
import { writeTempBeside } from '../../core/io/atomicReplace';

/** Outcome of an atomic write: the path written, or a message naming the file and what to do. */
export type WriteOutcome =
	{ readonly ok: true; readonly path: string } | { readonly ok: false; readonly message: string };

function codeOf(error: unknown): unknown {
	return (error as { code?: unknown }).code;
}

function reasonOf(error: unknown): string {
	const code = codeOf(error);
	if (code === 'EACCES' || code === 'EPERM') return 'permission denied; check the folder permissions';
	if (code === 'ENOSPC') return 'the disk is full; free some space';
	if (code === 'EEXIST') return 'a file with that name already exists; apply again to pick a new name';
	return error instanceof Error ? error.message : String(error);
}

async function exists(path: string): Promise<boolean> {
	try {
		await access(path);
		return true;
	} catch {
		return false;
	}
}

/**
 * Writes `text` to `path` so that a reader sees either no file or the whole file: a temporary file in the same
 * folder (same file system), fsync, then a hard link to the final name (which fails instead of replacing an existing
 * file) or, where links are unsupported, a rename after checking the name is free. Never replaces an existing file.
 * The file gets `mode` (narrowed by the umask): pass the source transcript's bits so a private session's copy stays
 * private. The temporary file is removed on every path.
 */
export async function writeFileAtomic(path: string, text: string, mode = 0o666): Promise<WriteOutcome> {
	if (await exists(path))
		return { ok: false, message: `Cannot write ${path}: ${reasonOf({ code: 'EEXIST' })}.` };
	let temp: string | undefined;
	try {
		temp = await writeTempBeside(path, text, mode);
		try {
			await link(temp, path);
		} catch (error) {
			const code = codeOf(error);
			if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
			if (await exists(path)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
			await rename(temp, path);
		}
		return { ok: true, path };
	} catch (error) {
		return { ok: false, message: `Cannot write ${path}: ${reasonOf(error)}.` };
	} finally {
		if (temp !== undefined) await rm(temp, { force: true });
	}
}
