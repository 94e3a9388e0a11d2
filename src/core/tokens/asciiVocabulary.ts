/**
 * The ASCII tokens of a BPE vocabulary in an open-addressing table keyed by a polynomial hash of their bytes.
 * Because the hash of any substring of a piece comes from the piece's prefix hashes in constant time, a merge
 * step looks up the rank of two adjacent parts without cutting a string, hashing it or touching the library's
 * 200k-entry Map (whose lookups are cache misses several times over). The count of a piece that is not a token
 * is remembered in a second, bounded table keyed by the same hash, so a piece is counted in place, never cut
 * out of its text. Counts are exactly those of byte pair merging with the same ranks; every hash match is
 * checked byte by byte, and the tests compare with js-tiktoken and the library's own merge.
 */
export class AsciiVocabulary {
	/** Per slot: [hash, rank, pool offset | length << 24]; rank -1 marks an empty slot. */
	private readonly slots: Int32Array;
	private readonly mask: number;
	private readonly pool: Uint8Array;
	/** Remembered counts of pieces that are not tokens, per slot [hash, count, pool offset, length]; 0 is empty. */
	private readonly learned = new Int32Array(learnedSlots * slotInts);
	private readonly learnedPool = new Uint8Array(learnedPoolBytes);
	private learnedCount = 0;
	private learnedBytes = 0;
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
		if (poolBytes >= 1 << 24)
			throw new Error(`${poolBytes} bytes of ASCII tokens do not fit the token table`);
		let capacity = 1024;
		while (capacity < tokens * 2) capacity *= 2;
		this.mask = capacity - 1;
		const slots = new Int32Array(capacity * tokenSlotInts);
		for (let slot = 0; slot < capacity; slot++) slots[slot * tokenSlotInts + 1] = -1;
		const pool = new Uint8Array(poolBytes);
		let offset = 0;
		ranks.forEach((rank, token) => {
			if (token.length === 0 || !isAscii(token)) return;
			if (token.length >= 256)
				throw new Error(`an ASCII token of ${token.length} bytes does not fit the token table`);
			let hash = 0;
			for (let i = 0; i < token.length; i++) {
				const code = token.charCodeAt(i);
				pool[offset + i] = code;
				hash = (Math.imul(hash, hashBase) + code) | 0;
			}
			let slot = slotOf(hash, token.length, this.mask);
			while ((slots[slot * tokenSlotInts + 1] ?? -1) >= 0) slot = (slot + 1) & this.mask;
			const at = slot * tokenSlotInts;
			slots[at] = hash;
			slots[at + 1] = rank;
			slots[at + 2] = offset | (token.length << 24);
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
		return this.countRange(piece, 0, piece.length);
	}

	/**
	 * Tokens of the ASCII piece `text[start, end)`, without cutting it out: one when it is a token; else the count
	 * remembered for it, or merged now and remembered. {@link forget} drops what was remembered.
	 */
	countRange(text: string, start: number, end: number): number {
		const length = end - start;
		if (length <= 1) return length;
		let hash = 0;
		for (let i = start; i < end; i++) hash = (Math.imul(hash, hashBase) + text.charCodeAt(i)) | 0;
		if (this.find(text, start, length, hash) >= 0) return 1;
		const learned = this.learned;
		const mask = learnedSlots - 1;
		let slot = slotOf(hash, length, mask);
		for (; ; slot = (slot + 1) & mask) {
			const at = slot * slotInts;
			const count = learned[at + 1] ?? 0;
			if (count === 0) break;
			if (learned[at] === hash && learned[at + 3] === length && this.sameAsLearned(text, start, length, at))
				return count;
		}
		const count = this.merge(text, start, end);
		if (this.learnedCount >= learnedSlots / 2 || this.learnedBytes + length > this.learnedPool.length) {
			this.forget();
			slot = slotOf(hash, length, mask);
		}
		const at = slot * slotInts;
		learned[at] = hash;
		learned[at + 1] = count;
		learned[at + 2] = this.learnedBytes;
		learned[at + 3] = length;
		for (let i = 0; i < length; i++) this.learnedPool[this.learnedBytes + i] = text.charCodeAt(start + i);
		this.learnedBytes += length;
		this.learnedCount++;
		return count;
	}

	/** Drops every remembered count of a piece that is not a token (benchmarks use it to start cold). */
	forget(): void {
		if (this.learnedCount === 0) return;
		this.learned.fill(0);
		this.learnedCount = 0;
		this.learnedBytes = 0;
	}

	/** Byte pair merging of the ASCII piece `text[start, end)`, which is not itself a token: the parts left. */
	private merge(text: string, start: number, end: number): number {
		const length = end - start;
		this.ensureCapacity(length + 1);
		const prefix = this.prefix;
		let hash = 0;
		prefix[0] = 0;
		for (let i = 0; i < length; i++) {
			hash = (Math.imul(hash, hashBase) + text.charCodeAt(start + i)) | 0;
			prefix[i + 1] = hash;
		}
		const starts = this.starts;
		const pairRanks = this.pairRanks;
		// Parts are [starts[i], starts[i + 1]) of the piece; pairRanks[i] is the rank of parts i and i + 1 joined,
		// or -1 when that is not a token.
		let parts = length;
		for (let i = 0; i <= length; i++) starts[i] = i;
		for (let i = 0; i + 1 < length; i++) pairRanks[i] = this.rankOf(text, start, i, i + 2);
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
			pairRanks[at] = at + 1 < parts ? this.rankOf(text, start, starts[at] ?? 0, starts[at + 2] ?? 0) : -1;
			if (at > 0) pairRanks[at - 1] = this.rankOf(text, start, starts[at - 1] ?? 0, starts[at + 1] ?? 0);
		}
	}

	/** Rank of the piece's `[from, to)` (offsets into the piece at `start` of `text`) when a token, else -1. */
	private rankOf(text: string, start: number, from: number, to: number): number {
		const length = to - from;
		const prefix = this.prefix;
		const hash = ((prefix[to] ?? 0) - Math.imul(prefix[from] ?? 0, powerOf(length))) | 0;
		return this.find(text, start + from, length, hash);
	}

	/** Rank of the token `text[start, start + length)` whose hash is `hash`, or -1 when it is not one. */
	private find(text: string, start: number, length: number, hash: number): number {
		const slots = this.slots;
		const pool = this.pool;
		for (let slot = slotOf(hash, length, this.mask); ; slot = (slot + 1) & this.mask) {
			const at = slot * tokenSlotInts;
			const rank = slots[at + 1] ?? -1;
			if (rank < 0) return -1;
			const place = slots[at + 2] ?? 0;
			if (slots[at] !== hash || place >>> 24 !== length) continue;
			const offset = place & 0xffffff;
			let same = true;
			for (let i = 0; i < length && same; i++) same = pool[offset + i] === text.charCodeAt(start + i);
			if (same) return rank;
		}
	}

	private sameAsLearned(text: string, start: number, length: number, at: number): boolean {
		const offset = this.learned[at + 2] ?? 0;
		const pool = this.learnedPool;
		for (let i = 0; i < length; i++) if (pool[offset + i] !== text.charCodeAt(start + i)) return false;
		return true;
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

/** Ints per token slot: the pool offset (under 16 MiB) and the length (under 256) share one. */
const tokenSlotInts = 3;
/** Ints per remembered-count slot: [hash, count, pool offset, length]. */
const slotInts = 4;
/** Slots of the table of remembered counts (at most half are filled before it starts afresh). */
const learnedSlots = 1 << 15;
/** Bytes of remembered pieces kept before the table starts afresh. */
const learnedPoolBytes = 1 << 19;
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
