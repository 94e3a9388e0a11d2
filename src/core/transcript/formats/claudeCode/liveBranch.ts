/** A record in the parentUuid chain: how it links to its parent and which message entry it belongs to. */
export interface ChainNode {
	/** `parentUuid`: a uuid, null for a root, undefined when the record has no such key (its parent is the record before). */
	readonly parent: string | null | undefined;
	/** `logicalParentUuid` of a compact boundary: where the history before the boundary continues. */
	readonly logicalParent: string | undefined;
	/** Index of the chain node before this one in file order, -1 for the first. */
	readonly previous: number;
	/** Index of the message entry this record belongs to, -1 for bookkeeping records. */
	entry: number;
}

/**
 * The chain from the newest leaf back to its root, kept up to date as records are appended.
 * Resume sends only this branch (FORMATS.md section 8), so records off it are abandoned retries or edits.
 * Extending the branch costs the new records only: a walk from a new leaf stops where it meets the old branch.
 */
export class LiveBranch {
	private readonly path: number[] = [];
	/** 1 at the index of every node on the path. */
	private marks = new Uint8Array(1024);
	private leaf = -1;
	/** Parent uuids on the branch that named no record when walked; if one turns up, the branch is walked afresh. */
	private readonly danglingUuids = new Set<string>();
	/** The last walk met a cycle, so the cached branch depends on where it started: walk afresh next time. */
	private hadCycle = false;
	/** Set by `parentOf` when the link it followed named no record. */
	private lastDangling: string | undefined;

	constructor(
		private readonly nodes: readonly ChainNode[],
		private readonly uuidIndex: ReadonlyMap<string, number>,
	) {}

	/** True when the node is on the live branch. */
	isLive(node: number): boolean {
		return this.marks[node] === 1;
	}

	/** True when the last `parentOf` call followed a link to a uuid no record has (yet). */
	get followedDanglingLink(): boolean {
		return this.lastDangling !== undefined;
	}

	/** Index of a node's parent node (the record before it when its parent is not in the file); -1 for a root. */
	parentOf(index: number): number {
		this.lastDangling = undefined;
		const node = this.nodes[index];
		if (node === undefined) return -1;
		// A compact boundary starts a new root; its logical parent leads on into the history it replaced.
		const target = node.parent === null ? (node.logicalParent ?? null) : node.parent;
		if (target === undefined) return node.previous;
		if (target === null) return -1;
		const parent = this.uuidIndex.get(target);
		if (parent !== undefined) return parent;
		// Real files link to records that were never written (bln-agent-a7c3dfb line 6); the live session still
		// had what came before, so the chain goes on with the record before this one.
		this.lastDangling = target;
		return node.previous;
	}

	/** Re-roots the branch at `leaf` (a node index, -1 for none). */
	update(leaf: number): void {
		let stale = this.hadCycle;
		for (const uuid of this.danglingUuids) if (this.uuidIndex.has(uuid)) stale = true;
		if (leaf === this.leaf && !stale) return;
		if (stale) this.reset();
		this.leaf = leaf;
		if (this.marks.length < this.nodes.length) {
			const grown = new Uint8Array(Math.max(this.nodes.length, this.marks.length * 2));
			grown.set(this.marks);
			this.marks = grown;
		}
		const fresh: number[] = [];
		const seen = new Set<number>();
		const dangling: string[] = [];
		let at = leaf;
		let join = -1;
		let cycle = false;
		while (at >= 0) {
			if (this.marks[at] === 1) {
				join = at;
				break;
			}
			if (seen.has(at)) {
				cycle = true;
				break;
			}
			seen.add(at);
			fresh.push(at);
			at = this.parentOf(at);
			if (this.lastDangling !== undefined) dangling.push(this.lastDangling);
		}
		if (join >= 0) {
			while (this.path.length > 0 && this.path[this.path.length - 1] !== join)
				this.marks[this.path.pop()!] = 0;
		} else this.reset();
		for (const uuid of dangling) this.danglingUuids.add(uuid);
		for (let i = fresh.length - 1; i >= 0; i--) {
			this.path.push(fresh[i]!);
			this.marks[fresh[i]!] = 1;
		}
		this.hadCycle = cycle;
	}

	private reset(): void {
		for (const node of this.path) this.marks[node] = 0;
		this.path.length = 0;
		this.danglingUuids.clear();
		this.hadCycle = false;
	}
}
