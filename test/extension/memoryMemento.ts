import type { Memento } from 'vscode';

/** An in-memory Memento for tests of code that persists through workspaceState; values round-trip through JSON. */
export class MemoryMemento implements Memento {
	private readonly values = new Map<string, string>();

	keys(): readonly string[] {
		return [...this.values.keys()];
	}

	get<T>(key: string, defaultValue?: T): T | undefined {
		const stored = this.values.get(key);
		return stored === undefined ? defaultValue : (JSON.parse(stored) as T);
	}

	update(key: string, value: unknown): Promise<void> {
		if (value === undefined) this.values.delete(key);
		else this.values.set(key, JSON.stringify(value));
		return Promise.resolve();
	}
}
