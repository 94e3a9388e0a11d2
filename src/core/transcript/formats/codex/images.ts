import type { ImagePart } from '../../model';

/** Base64 characters decoded first when looking for image dimensions (a multiple of 4). */
const headBase64Chars = 64 * 1024;

/** Pixel size of an image read from its leading bytes. */
export interface ImageSize {
	readonly widthPx: number;
	readonly heightPx: number;
}

/** An ImagePart for a Codex `image_url`: data URLs are measured (bytes, pixels); other URLs and null give byteLength 0. */
export function imagePartFromUrl(imageUrl: unknown, raw: unknown): ImagePart {
	if (typeof imageUrl !== 'string' || !imageUrl.startsWith('data:')) {
		return { kind: 'image', mediaType: mediaTypeFromPath(imageUrl), byteLength: 0, raw };
	}
	const comma = imageUrl.indexOf(',');
	const header = comma === -1 ? imageUrl.slice(5) : imageUrl.slice(5, comma);
	const data = comma === -1 ? '' : imageUrl.slice(comma + 1);
	const fields = header.split(';');
	const mediaType = fields[0] !== undefined && fields[0] !== '' ? fields[0].toLowerCase() : 'text/plain';
	const isBase64 = fields.slice(1).some((f) => f.toLowerCase() === 'base64');
	if (!isBase64) {
		const bytes = Buffer.from(decodePercent(data), 'utf8');
		return withSize({ kind: 'image', mediaType, byteLength: bytes.length, raw }, readImageSize(bytes));
	}
	const byteLength = base64ByteLength(data);
	let size = readImageSize(decodeBase64(data.slice(0, headBase64Chars)));
	// A JPEG keeps its size in a frame header that EXIF data can push past the first bytes.
	if (size === undefined && data.length > headBase64Chars && isJpeg(data))
		size = readImageSize(decodeBase64(data));
	return withSize({ kind: 'image', mediaType, byteLength, raw }, size);
}

function withSize(part: ImagePart, size: ImageSize | undefined): ImagePart {
	return size === undefined ? part : { ...part, widthPx: size.widthPx, heightPx: size.heightPx };
}

function decodePercent(data: string): string {
	try {
		return decodeURIComponent(data);
	} catch {
		return data;
	}
}

function decodeBase64(data: string): Uint8Array {
	return Buffer.from(data, 'base64');
}

function isJpeg(base64: string): boolean {
	return base64.startsWith('/9j/');
}

/** Decoded size of base64 text in bytes, without decoding it. */
export function base64ByteLength(data: string): number {
	let length = data.length;
	while (length > 0 && /\s/.test(data.charAt(length - 1))) length--;
	let padding = 0;
	while (padding < 2 && length - padding > 0 && data.charAt(length - padding - 1) === '=') padding++;
	return Math.max(0, Math.floor(((length - padding) * 3) / 4));
}

function mediaTypeFromPath(url: unknown): string {
	if (typeof url !== 'string') return 'image/unknown';
	const match = /\.(png|jpe?g|gif|webp)(?:[?#].*)?$/i.exec(url);
	if (match?.[1] === undefined) return 'image/unknown';
	const ext = match[1].toLowerCase();
	return ext === 'jpg' || ext === 'jpeg' ? 'image/jpeg' : `image/${ext}`;
}

/** Width and height from the header of a PNG, GIF, JPEG or WebP; undefined when the bytes do not say. */
export function readImageSize(bytes: Uint8Array): ImageSize | undefined {
	if (
		bytes.length >= 24 &&
		bytes[0] === 0x89 &&
		ascii(bytes, 1, 3) === 'PNG' &&
		ascii(bytes, 12, 4) === 'IHDR'
	) {
		return sized(readU32be(bytes, 16), readU32be(bytes, 20));
	}
	if (bytes.length >= 10 && ascii(bytes, 0, 4) === 'GIF8') {
		return sized(readU16le(bytes, 6), readU16le(bytes, 8));
	}
	if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return readJpegSize(bytes);
	if (bytes.length >= 30 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP')
		return readWebpSize(bytes);
	return undefined;
}

function readJpegSize(bytes: Uint8Array): ImageSize | undefined {
	let at = 2;
	while (at + 3 < bytes.length) {
		if (bytes[at] !== 0xff) return undefined;
		const marker = bytes[at + 1] ?? 0;
		if (marker === 0xff) {
			at++;
			continue;
		}
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
			at += 2;
			continue;
		}
		const isFrameHeader =
			marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
		if (isFrameHeader) {
			if (at + 8 >= bytes.length) return undefined;
			return sized(readU16be(bytes, at + 7), readU16be(bytes, at + 5));
		}
		const segmentLength = readU16be(bytes, at + 2);
		if (segmentLength < 2) return undefined;
		at += 2 + segmentLength;
	}
	return undefined;
}

function readWebpSize(bytes: Uint8Array): ImageSize | undefined {
	const chunk = ascii(bytes, 12, 4);
	const b = (i: number): number => bytes[i] ?? 0;
	if (chunk === 'VP8 ') return sized(readU16le(bytes, 26) & 0x3fff, readU16le(bytes, 28) & 0x3fff);
	if (chunk === 'VP8L') {
		return sized(
			1 + (((b(22) & 0x3f) << 8) | b(21)),
			1 + (((b(24) & 0x0f) << 10) | (b(23) << 2) | ((b(22) & 0xc0) >> 6)),
		);
	}
	if (chunk === 'VP8X')
		return sized(1 + (b(24) | (b(25) << 8) | (b(26) << 16)), 1 + (b(27) | (b(28) << 8) | (b(29) << 16)));
	return undefined;
}

function sized(widthPx: number, heightPx: number): ImageSize | undefined {
	return widthPx > 0 && heightPx > 0 ? { widthPx, heightPx } : undefined;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
	let text = '';
	for (let i = at; i < at + length && i < bytes.length; i++) text += String.fromCharCode(bytes[i] ?? 0);
	return text;
}

function readU16be(bytes: Uint8Array, at: number): number {
	return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function readU16le(bytes: Uint8Array, at: number): number {
	return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
}

function readU32be(bytes: Uint8Array, at: number): number {
	return (
		(((bytes[at] ?? 0) << 24) >>> 0) +
		(((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0))
	);
}
