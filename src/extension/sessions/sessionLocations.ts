import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** An agent tool whose stored sessions the Sessions view lists. */
export type SessionTool = 'claudeCode' | 'codex' | 'copilotChat' | 'gemini';

/** Every tool, in the order the Sessions view shows them. */
export const sessionTools: readonly SessionTool[] = ['claudeCode', 'codex', 'copilotChat', 'gemini'];

/** Display name of each tool. */
export const sessionToolLabels: Readonly<Record<SessionTool, string>> = {
	claudeCode: 'Claude Code',
	codex: 'Codex',
	copilotChat: 'Copilot Chat',
	gemini: 'Gemini CLI',
};

/** One stored session file: where it is, which project it belongs to, its size in bytes and last write in ms. */
export interface SessionEntry {
	readonly tool: SessionTool;
	readonly project: string;
	readonly path: string;
	readonly size: number;
	readonly mtimeMs: number;
}

/** Folders scanned per tool; a missing folder simply yields no sessions. */
export type SessionRoots = Readonly<Record<SessionTool, string>>;

/** How many sessions per tool a scan returns, newest first, so a years-old archive stays cheap to list. */
export const maxSessionsPerTool = 100;

/** The tools' default locations for a home folder, `CODEX_HOME` and VS Code's workspaceStorage folder. */
export function defaultSessionRoots(
	home: string,
	codexHome: string | undefined,
	workspaceStorage: string,
): SessionRoots {
	return {
		claudeCode: join(home, '.claude', 'projects'),
		codex: join(codexHome !== undefined && codexHome !== '' ? codexHome : join(home, '.codex'), 'sessions'),
		copilotChat: workspaceStorage,
		gemini: join(home, '.gemini', 'tmp'),
	};
}

/** Expands a leading `~` in a configured root. */
export function expandHome(path: string, home: string): string {
	return path === '~' || path.startsWith('~/') ? join(home, path.slice(1)) : path;
}

async function listDir(path: string): Promise<{ name: string; isDir: boolean }[]> {
	try {
		const entries = await readdir(path, { withFileTypes: true });
		return entries.map((e) => ({ name: e.name, isDir: e.isDirectory() }));
	} catch {
		return [];
	}
}

interface Candidate {
	readonly path: string;
	readonly project: () => Promise<string>;
}

function isTranscriptName(name: string): boolean {
	return (name.endsWith('.jsonl') || name.endsWith('.json')) && !name.startsWith('.');
}

async function claudeCandidates(root: string): Promise<Candidate[]> {
	const out: Candidate[] = [];
	for (const dir of await listDir(root)) {
		if (!dir.isDir) continue;
		// Claude Code names the folder after the cwd with every non-alphanumeric character replaced by '-'.
		const project = dir.name.replace(/^-+/, '');
		for (const file of await listDir(join(root, dir.name))) {
			if (!file.isDir && file.name.endsWith('.jsonl'))
				out.push({ path: join(root, dir.name, file.name), project: async () => project });
		}
	}
	return out;
}

async function firstLine(path: string, bytes = 16_384): Promise<string> {
	const handle = await open(path, 'r');
	try {
		const buffer = Buffer.alloc(bytes);
		const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
		const text = buffer.subarray(0, bytesRead).toString('utf8');
		const end = text.indexOf('\n');
		return end >= 0 ? text.slice(0, end) : text;
	} finally {
		await handle.close();
	}
}

async function codexProject(path: string): Promise<string> {
	try {
		const record = JSON.parse(await firstLine(path)) as { payload?: { cwd?: unknown } };
		const cwd = record.payload?.cwd;
		return typeof cwd === 'string' && cwd !== '' ? basename(cwd) : '(unknown project)';
	} catch {
		return '(unknown project)';
	}
}

async function walkFiles(root: string, depth: number, out: string[]): Promise<void> {
	for (const entry of await listDir(root)) {
		const path = join(root, entry.name);
		if (entry.isDir && depth > 0) await walkFiles(path, depth - 1, out);
		else if (!entry.isDir && isTranscriptName(entry.name)) out.push(path);
	}
}

async function codexCandidates(root: string): Promise<Candidate[]> {
	const files: string[] = [];
	// sessions/YYYY/MM/DD/rollout-*.jsonl
	await walkFiles(root, 3, files);
	return files
		.filter((f) => basename(f).startsWith('rollout-'))
		.map((path) => ({ path, project: () => codexProject(path) }));
}

async function copilotProject(storageDir: string): Promise<string> {
	try {
		const workspace = JSON.parse(await readFile(join(storageDir, 'workspace.json'), 'utf8')) as {
			folder?: unknown;
			workspace?: unknown;
		};
		const uri = typeof workspace.folder === 'string' ? workspace.folder : workspace.workspace;
		if (typeof uri === 'string') return decodeURIComponent(basename(uri));
	} catch {
		// no workspace.json: an empty window's storage
	}
	return basename(storageDir);
}

async function copilotCandidates(root: string): Promise<Candidate[]> {
	const out: Candidate[] = [];
	for (const dir of await listDir(root)) {
		if (!dir.isDir) continue;
		const storageDir = join(root, dir.name);
		const project = copilotProject(storageDir);
		for (const file of await listDir(join(storageDir, 'chatSessions'))) {
			if (!file.isDir && isTranscriptName(file.name))
				out.push({ path: join(storageDir, 'chatSessions', file.name), project: () => project });
		}
	}
	return out;
}

async function geminiCandidates(root: string): Promise<Candidate[]> {
	const out: Candidate[] = [];
	for (const dir of await listDir(root)) {
		if (!dir.isDir) continue;
		let project = dir.name.length > 12 ? dir.name.slice(0, 12) : dir.name;
		try {
			project = basename((await readFile(join(root, dir.name, '.project_root'), 'utf8')).trim()) || project;
		} catch {
			// older Gemini CLI versions key the folder by a hash of the project path only
		}
		const files: string[] = [];
		await walkFiles(join(root, dir.name, 'chats'), 0, files);
		for (const path of files) out.push({ path, project: async () => project });
	}
	return out;
}

const candidatesOf: Readonly<Record<SessionTool, (root: string) => Promise<Candidate[]>>> = {
	claudeCode: claudeCandidates,
	codex: codexCandidates,
	copilotChat: copilotCandidates,
	gemini: geminiCandidates,
};

/** The newest sessions of one tool under `root` (at most `limit`), newest first; unreadable entries are skipped. */
export async function scanSessions(
	tool: SessionTool,
	root: string,
	limit = maxSessionsPerTool,
): Promise<SessionEntry[]> {
	const candidates = await candidatesOf[tool](root);
	const stated: { candidate: Candidate; size: number; mtimeMs: number }[] = [];
	await Promise.all(
		candidates.map(async (candidate) => {
			try {
				const info = await stat(candidate.path);
				if (info.size > 0) stated.push({ candidate, size: info.size, mtimeMs: info.mtimeMs });
			} catch {
				// deleted between listing and stat: not a session any more
			}
		}),
	);
	const newest = stated.sort((a, b) => b.mtimeMs - a.mtimeMs).slice(0, limit);
	return Promise.all(
		newest.map(async (s) => ({
			tool,
			project: await s.candidate.project(),
			path: s.candidate.path,
			size: s.size,
			mtimeMs: s.mtimeMs,
		})),
	);
}
