/** What the header of an encoded image tells: sniffed media type, decoded size in bytes, pixel dimensions when readable. */
export interface ImageInfo {
	readonly mediaType?: string;
	readonly byteLength: number;
	readonly widthPx?: number;
	readonly heightPx?: number;
}

/** Longest run of bytes decoded at once; headers sit in the first few hundred bytes, JPEG segments are jumped over. */
const windowBytes = 4096;
/** JPEG segments walked before giving up on finding the frame header. */
const maxJpegSegments = 512;

/**
 * Reads the media type and pixel size of a base64-encoded PNG, JPEG, GIF or WebP image from its header.
 * Decodes only small windows of the base64 text (never the whole image); `byteLength` comes from the base64 length.
 */
export function readImageInfo(base64: string): ImageInfo {
	const bytes = new Base64Window(base64);
	const byteLength = decodedLength(base64);
	// Short images (a GIF header is 10 bytes) are read as far as they go; each reader checks what it needs.
	const header = bytes.readUpTo(0, 32);
	if (header.length < 10) return { byteLength };
	if (startsWith(header, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
		return withSize({ mediaType: 'image/png', byteLength }, readPngSize(header));
	}
	if (startsWith(header, [0xff, 0xd8, 0xff])) {
		return withSize({ mediaType: 'image/jpeg', byteLength }, readJpegSize(bytes));
	}
	if (startsWith(header, [0x47, 0x49, 0x46, 0x38])) {
		return withSize({ mediaType: 'image/gif', byteLength }, readGifSize(header));
	}
	if (startsWith(header, [0x52, 0x49, 0x46, 0x46]) && ascii(header, 8, 4) === 'WEBP') {
		return withSize({ mediaType: 'image/webp', byteLength }, readWebpSize(header));
	}
	return { byteLength };
}

/** Decoded size of base64 text in bytes, ignoring padding; O(1). */
export function decodedLength(base64: string): number {
	let end = base64.length;
	while (end > 0 && base64.charCodeAt(end - 1) === 0x3d) end--;
	return Math.floor((end * 3) / 4);
}

interface PixelSize {
	readonly widthPx: number;
	readonly heightPx: number;
}

function withSize(info: ImageInfo, size: PixelSize | undefined): ImageInfo {
	return size === undefined ? info : { ...info, widthPx: size.widthPx, heightPx: size.heightPx };
}

/** Random access to the bytes behind base64 text, decoding only the 4-character groups that cover a request. */
class Base64Window {
	private cacheStart = 0;
	private cache: Buffer = Buffer.alloc(0);

	constructor(private readonly base64: string) {}

	/** `count` bytes from `offset`, or undefined when the data ends first. */
	/** Up to `count` bytes from `offset`: fewer when the image ends sooner. */
	readUpTo(offset: number, count: number): Buffer {
		for (let n = count; n > 0; n--) {
			const bytes = this.read(offset, n);
			if (bytes !== undefined) return bytes;
		}
		return Buffer.alloc(0);
	}

	read(offset: number, count: number): Buffer | undefined {
		if (offset >= this.cacheStart && offset + count <= this.cacheStart + this.cache.length) {
			return this.cache.subarray(offset - this.cacheStart, offset - this.cacheStart + count);
		}
		const group = Math.floor(offset / 3);
		const start = group * 3;
		const span = Math.max(count + (offset - start), windowBytes);
		const chars = Math.ceil(span / 3) * 4;
		const decoded = Buffer.from(this.base64.slice(group * 4, group * 4 + chars), 'base64');
		this.cacheStart = start;
		this.cache = decoded;
		if (offset - start + count > decoded.length) return undefined;
		return decoded.subarray(offset - start, offset - start + count);
	}
}

function startsWith(bytes: Buffer, prefix: readonly number[]): boolean {
	return prefix.every((b, i) => bytes[i] === b);
}

function ascii(bytes: Buffer, offset: number, length: number): string {
	return bytes.toString('latin1', offset, offset + length);
}

function positive(widthPx: number, heightPx: number): PixelSize | undefined {
	return widthPx > 0 && heightPx > 0 ? { widthPx, heightPx } : undefined;
}

function readPngSize(header: Buffer): PixelSize | undefined {
	if (header.length < 24 || ascii(header, 12, 4) !== 'IHDR') return undefined;
	return positive(header.readUInt32BE(16), header.readUInt32BE(20));
}

function readGifSize(header: Buffer): PixelSize | undefined {
	return positive(header.readUInt16LE(6), header.readUInt16LE(8));
}

function readWebpSize(header: Buffer): PixelSize | undefined {
	if (header.length < 30) return undefined;
	const chunk = ascii(header, 12, 4);
	if (chunk === 'VP8 ') {
		if (header[23] !== 0x9d || header[24] !== 0x01 || header[25] !== 0x2a) return undefined;
		return positive(header.readUInt16LE(26) & 0x3fff, header.readUInt16LE(28) & 0x3fff);
	}
	if (chunk === 'VP8L') {
		if (header[20] !== 0x2f) return undefined;
		const bits = header.readUInt32LE(21);
		return positive((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
	}
	if (chunk === 'VP8X') {
		return positive(header.readUIntLE(24, 3) + 1, header.readUIntLE(27, 3) + 1);
	}
	return undefined;
}

/** Start-of-frame markers carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isStartOfFrame(marker: number): boolean {
	return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpegSize(bytes: Base64Window): PixelSize | undefined {
	let offset = 2;
	for (let segment = 0; segment < maxJpegSegments; segment++) {
		const head = bytes.read(offset, 2);
		if (head === undefined || head[0] !== 0xff) return undefined;
		const marker = head[1] ?? 0;
		if (marker === 0xff) {
			// Fill bytes may pad before a marker.
			offset += 1;
			continue;
		}
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
			offset += 2;
			continue;
		}
		if (marker === 0xd9 || marker === 0xda) return undefined;
		const body = bytes.read(offset + 2, 7);
		if (body === undefined) return undefined;
		if (isStartOfFrame(marker)) return positive(body.readUInt16BE(5), body.readUInt16BE(3));
		const length = body.readUInt16BE(0);
		if (length < 2) return undefined;
		offset += 2 + length;
	}
	return undefined;
}
