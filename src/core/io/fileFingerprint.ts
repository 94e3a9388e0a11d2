import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** What identifies a file's content at one moment: size in bytes, modification time in ms and a SHA-256 of the bytes. */
export interface FileFingerprint {
	readonly size: number;
	readonly mtimeMs: number;
	readonly sha256: string;
}

/** Fingerprints a file by streaming it once (constant memory, so 100 MB transcripts are fine). */
export async function fingerprintFile(path: string): Promise<FileFingerprint> {
	const info = await stat(path);
	const hash = createHash('sha256');
	await new Promise<void>((resolveHash, rejectHash) => {
		const stream = createReadStream(path);
		stream.on('data', (chunk) => hash.update(chunk));
		stream.on('error', rejectHash);
		stream.on('end', () => resolveHash());
	});
	return { size: info.size, mtimeMs: info.mtimeMs, sha256: hash.digest('hex') };
}

/** Why a file no longer matches its fingerprint, in words for the person; undefined when it matches. */
export function describeFingerprintChange(was: FileFingerprint, now: FileFingerprint): string | undefined {
	if (now.size !== was.size) return `its size changed from ${was.size} to ${now.size} bytes`;
	if (now.sha256 !== was.sha256) return 'its content changed';
	// Same bytes, new time: a touch or a rewrite of identical content is harmless to the plan.
	return undefined;
}

/** Cheap check before hashing: true when size and modification time are exactly as recorded. */
export async function hasSameStat(path: string, was: FileFingerprint): Promise<boolean> {
	const info = await stat(path);
	return info.size === was.size && info.mtimeMs === was.mtimeMs;
}
