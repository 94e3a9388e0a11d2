import type * as vscode from 'vscode';
import type { PinKey } from '../../core/compaction/pinTargets';
import type { Transcript } from '../../core/transcript/model';
import { pinnedIndexes, togglePinKeys } from '../../worker/sessions';

/** The pins of one session file: which session they belong to and the keys that find the pinned messages. */
export interface SessionPins {
	readonly sessionId: string;
	readonly keys: readonly PinKey[];
}

interface StoredSessionPins extends SessionPins {
	readonly file: string;
	readonly updatedAt: string;
}

/** The workspaceState key of every session's pins. */
export const pinStorageKey = 'contextLens.pins';

/** How many sessions keep their pins; the least recently changed are forgotten first. */
export const maxPinnedSessions = 200;

/** How many pins one session keeps (the oldest go first): far more than a person sets by hand. */
export const maxPinsPerSession = 500;

function isPinKey(value: unknown): value is PinKey {
	if (typeof value !== 'object' || value === null) return false;
	const v = value as Record<string, unknown>;
	return (
		typeof v['id'] === 'string' &&
		typeof v['hash'] === 'string' &&
		Number.isSafeInteger(v['index']) &&
		Number.isSafeInteger(v['chars'])
	);
}

function isStored(value: unknown): value is StoredSessionPins {
	if (typeof value !== 'object' || value === null) return false;
	const v = value as Record<string, unknown>;
	return (
		typeof v['file'] === 'string' &&
		typeof v['sessionId'] === 'string' &&
		typeof v['updatedAt'] === 'string' &&
		Array.isArray(v['keys']) &&
		v['keys'].every(isPinKey)
	);
}

/** The session id pins are keyed by: the transcript's own, or '' when the format records none. */
export function sessionIdOf(transcript: Transcript): string {
	return transcript.meta.sessionId ?? '';
}

/**
 * The person's pins, per session: keyed by file path and session id, kept in the workspace's state so they survive
 * reloads. A pin is a key that finds its message again after re-reads and appends (see `resolvePinKeys`); what
 * the stored state holds is checked on every read, and anything malformed is ignored, never thrown.
 */
export class PinStore {
	private readonly listeners = new Set<(file: string) => void>();

	constructor(private readonly state: vscode.Memento) {}

	private all(): StoredSessionPins[] {
		const stored = this.state.get<unknown>(pinStorageKey);
		return Array.isArray(stored) ? stored.filter(isStored) : [];
	}

	/** The pins stored for `file`, whatever session they were set in (undefined when none). */
	entry(file: string): SessionPins | undefined {
		const found = this.all().find((s) => s.file === file);
		return found !== undefined ? { sessionId: found.sessionId, keys: found.keys } : undefined;
	}

	/** The pin keys of `file` while it holds session `sessionId`. */
	keys(file: string, sessionId: string): readonly PinKey[] {
		const entry = this.entry(file);
		return entry !== undefined && entry.sessionId === sessionId ? entry.keys : [];
	}

	/** The window indexes of `transcript` (read from `file`) its stored pins find now. */
	pinnedIndexes(file: string, transcript: Transcript): ReadonlySet<number> {
		return pinnedIndexes(transcript, this.entry(file));
	}

	/** Replaces the pins of `file` for session `sessionId` (no keys: forgets them) and tells the listeners. */
	async set(file: string, sessionId: string, keys: readonly PinKey[]): Promise<void> {
		const others = this.all().filter((s) => s.file !== file);
		const kept = keys.slice(-maxPinsPerSession);
		const next =
			kept.length > 0
				? [...others, { file, sessionId, keys: kept, updatedAt: new Date().toISOString() }]
				: others;
		next.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
		await this.state.update(pinStorageKey, next.slice(-maxPinnedSessions));
		for (const listener of this.listeners) listener(file);
	}

	/**
	 * Pins or unpins window message `index` of `transcript` (read from `file`); returns the window indexes pinned now.
	 * Keys of the session that no longer find a message are dropped when it is changed. The extension asks the
	 * analysis worker, which holds the transcript (`session.pin`); this is the same step for a transcript at hand.
	 */
	async toggle(file: string, transcript: Transcript, index: number, isPinned: boolean): Promise<number[]> {
		const { sessionId, keys } = togglePinKeys(transcript, this.entry(file), index, isPinned);
		await this.set(file, sessionId, keys);
		return keys.map((k) => k.index);
	}

	/** Calls `listener` with the file whenever its pins change; returns the unsubscribe function. */
	onDidChange(listener: (file: string) => void): { dispose(): void } {
		this.listeners.add(listener);
		return { dispose: () => this.listeners.delete(listener) };
	}
}
