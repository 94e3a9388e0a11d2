import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to a new hidden temporary file beside `path` (same folder, so the same file system) with `mode`
 * (narrowed by the umask) and flushes it to disk; returns the temporary file's path. The caller links or renames it
 * into place and removes it on every path.
 */
export async function writeTempBeside(path: string, text: string, mode: number): Promise<string> {
	const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
	const handle = await open(temp, 'wx', mode);
	try {
		await handle.writeFile(text, 'utf8');
		await handle.sync();
	} finally {
		await handle.close();
	}
	return temp;
}

/**
 * Replaces (or creates) `path` so that a reader sees the old file or the whole new one, never a part: a flushed
 * temporary file beside it, then `beforeCommit` (which may throw to stop, e.g. when the file changed meanwhile), then
 * a rename over it. The temporary file is removed on every path.
 */
export async function replaceFileAtomic(
	path: string,
	text: string,
	mode: number,
	beforeCommit?: () => Promise<void>,
): Promise<void> {
	let temp: string | undefined;
	try {
		temp = await writeTempBeside(path, text, mode);
		await beforeCommit?.();
		await rename(temp, path);
	} finally {
		if (temp !== undefined) await rm(temp, { force: true });
	}
}
