/**
 * The ASCII tokens of a BPE vocabulary in an open-addressing table keyed by a polynomial hash of their bytes.
 * Because the hash of any substring of a piece comes from the piece's prefix hashes in constant time, a merge
 * step looks up the rank of two adjacent parts without cutting a string, hashing it or touching the library's
 * 200k-entry Map (whose lookups are cache misses several times over). Counts are exactly those of byte pair
 * merging with the same ranks; the tests compare them with js-tiktoken.
 */
export class AsciiVocabulary {
	/** Per slot: [hash, rank, pool offset, length]; rank -1 marks an empty slot. */
	private readonly slots: Int32Array;
	private readonly mask: number;
	private readonly pool: Uint8Array;
	private prefix = new Int32Array(64);
	private starts = new Int32Array(64);
	private pairRanks = new Int32Array(64);

	private constructor(ranks: ReadonlyMap<string, number>) {
		// One pass sizes the table and the byte pool, a second fills them; forEach makes no entry arrays.
		let tokens = 0;
		let poolBytes = 0;
		ranks.forEach((_rank, token) => {
			if (token.length > 0 && isAscii(token)) {
				tokens++;
				poolBytes += token.length;
			}
		});
		let capacity = 1024;
		while (capacity < tokens * 2) capacity *= 2;
		this.mask = capacity - 1;
		const slots = new Int32Array(capacity * slotInts);
		for (let slot = 0; slot < capacity; slot++) slots[slot * slotInts + 1] = -1;
		const pool = new Uint8Array(poolBytes);
		let offset = 0;
		ranks.forEach((rank, token) => {
			if (token.length === 0 || !isAscii(token)) return;
			let hash = 0;
			for (let i = 0; i < token.length; i++) {
				const code = token.charCodeAt(i);
				pool[offset + i] = code;
				hash = (Math.imul(hash, hashBase) + code) | 0;
			}
			let slot = slotOf(hash, token.length, this.mask);
			while ((slots[slot * slotInts + 1] ?? -1) >= 0) slot = (slot + 1) & this.mask;
			const at = slot * slotInts;
			slots[at] = hash;
			slots[at + 1] = rank;
			slots[at + 2] = offset;
			slots[at + 3] = token.length;
			offset += token.length;
		});
		this.slots = slots;
		this.pool = pool;
	}

	/** The table of every ASCII token of `ranks` (token text to rank). */
	static fromRanks(ranks: ReadonlyMap<string, number>): AsciiVocabulary {
		return new AsciiVocabulary(ranks);
	}

	/** Number of tokens byte pair merging makes of `piece`, which must be ASCII and one pre-tokenised piece. */
	count(piece: string): number {
		const length = piece.length;
		if (length <= 1) return length;
		this.ensureCapacity(length + 1);
		const prefix = this.prefix;
		let hash = 0;
		prefix[0] = 0;
		for (let i = 0; i < length; i++) {
			hash = (Math.imul(hash, hashBase) + piece.charCodeAt(i)) | 0;
			prefix[i + 1] = hash;
		}
		if (this.rankOf(piece, 0, length) >= 0) return 1;
		const starts = this.starts;
		const pairRanks = this.pairRanks;
		// Parts are [starts[i], starts[i + 1]); pairRanks[i] is the rank of parts i and i + 1 joined, or -1.
		let parts = length;
		for (let i = 0; i <= length; i++) starts[i] = i;
		for (let i = 0; i + 1 < length; i++) pairRanks[i] = this.rankOf(piece, i, i + 2);
		for (;;) {
			let lowest = -1;
			let at = -1;
			for (let i = 0; i + 1 < parts; i++) {
				const rank = pairRanks[i] ?? -1;
				if (rank >= 0 && (lowest < 0 || rank < lowest)) {
					lowest = rank;
					at = i;
				}
			}
			if (at < 0) return parts;
			// Parts at and at + 1 become one: drop the start of at + 1 and the pair rank that began there.
			starts.copyWithin(at + 1, at + 2, parts + 1);
			pairRanks.copyWithin(at + 1, at + 2, parts - 1);
			parts--;
			pairRanks[at] = at + 1 < parts ? this.rankOf(piece, starts[at] ?? 0, starts[at + 2] ?? 0) : -1;
			if (at > 0) pairRanks[at - 1] = this.rankOf(piece, starts[at - 1] ?? 0, starts[at + 1] ?? 0);
		}
	}

	/** Whether ASCII `text[start, end)` is one token. */
	isToken(text: string, start: number, end: number): boolean {
		const length = end - start;
		if (length <= 1) return length === 1;
		let hash = 0;
		for (let i = start; i < end; i++) hash = (Math.imul(hash, hashBase) + text.charCodeAt(i)) | 0;
		return this.find(text, start, length, hash) >= 0;
	}

	/** Rank of `piece[start, end)` when it is a token, else -1; needs the prefix hashes of `piece`. */
	private rankOf(piece: string, start: number, end: number): number {
		const length = end - start;
		const prefix = this.prefix;
		return this.find(
			piece,
			start,
			length,
			((prefix[end] ?? 0) - Math.imul(prefix[start] ?? 0, powerOf(length))) | 0,
		);
	}

	/** Rank of the token `text[start, start + length)` whose hash is `hash`, or -1 when it is not one. */
	private find(text: string, start: number, length: number, hash: number): number {
		const slots = this.slots;
		const pool = this.pool;
		for (let slot = slotOf(hash, length, this.mask); ; slot = (slot + 1) & this.mask) {
			const at = slot * slotInts;
			const rank = slots[at + 1] ?? -1;
			if (rank < 0) return -1;
			if (slots[at] !== hash || slots[at + 3] !== length) continue;
			const offset = slots[at + 2] ?? 0;
			let same = true;
			for (let i = 0; i < length && same; i++) same = pool[offset + i] === text.charCodeAt(start + i);
			if (same) return rank;
		}
	}

	private ensureCapacity(size: number): void {
		if (size <= this.prefix.length) return;
		let capacity = this.prefix.length;
		while (capacity < size) capacity *= 2;
		this.prefix = new Int32Array(capacity);
		this.starts = new Int32Array(capacity);
		this.pairRanks = new Int32Array(capacity);
	}
}

const slotInts = 4;
const hashBase = 0x01000193;

/** hashBase^n mod 2^32, for n up to the longest piece seen so far. */
const powers: number[] = [1];

function powerOf(length: number): number {
	while (powers.length <= length) powers.push(Math.imul(powers[powers.length - 1] ?? 1, hashBase));
	return powers[length] ?? 1;
}

function slotOf(hash: number, length: number, mask: number): number {
	let mixed = Math.imul(hash ^ Math.imul(length, 0x9e3779b9), 0x85ebca6b);
	mixed ^= mixed >>> 15;
	mixed = Math.imul(mixed, 0xc2b2ae35);
	return (mixed ^ (mixed >>> 13)) & mask;
}

function isAscii(text: string): boolean {
	for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
	return true;
}
