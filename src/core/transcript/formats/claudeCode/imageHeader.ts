/** Width and height of an image in pixels, as its file header states them. */
export interface ImageSize {
	readonly widthPx: number;
	readonly heightPx: number;
}

/** Base64 characters decoded first: enough for the PNG, GIF and WebP headers and most JPEG frame headers. */
const headBase64Chars = 4096;

/** Decoded size in bytes of base64 text, without decoding it. */
export function base64ByteLength(data: string): number {
	return Buffer.byteLength(data, 'base64');
}

/** Reads the pixel size from base64 image data (PNG, JPEG, GIF, WebP); undefined when the header is not readable. */
export function imageSizeFromBase64(data: string): ImageSize | undefined {
	const head = Buffer.from(data.slice(0, headBase64Chars), 'base64');
	const fromHead = imageSizeFromBytes(head);
	if (fromHead !== undefined || !isJpeg(head) || data.length <= headBase64Chars) return fromHead;
	// A JPEG's frame header can sit after large EXIF or ICC segments, so only then decode it all.
	return imageSizeFromBytes(Buffer.from(data, 'base64'));
}

/** Reads the pixel size from the first bytes of an image file; undefined for unknown or truncated headers. */
export function imageSizeFromBytes(bytes: Uint8Array): ImageSize | undefined {
	if (isPng(bytes)) return sized(readUint32BE(bytes, 16), readUint32BE(bytes, 20));
	if (isGif(bytes)) return sized(readUint16LE(bytes, 6), readUint16LE(bytes, 8));
	if (isWebp(bytes)) return webpSize(bytes);
	if (isJpeg(bytes)) return jpegSize(bytes);
	return undefined;
}

function sized(widthPx: number | undefined, heightPx: number | undefined): ImageSize | undefined {
	if (widthPx === undefined || heightPx === undefined || widthPx <= 0 || heightPx <= 0) return undefined;
	return { widthPx, heightPx };
}

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
	if (bytes.length < at + signature.length) return false;
	return signature.every((value, i) => bytes[at + i] === value);
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ihdr = [0x49, 0x48, 0x44, 0x52];
const gif = [0x47, 0x49, 0x46, 0x38];
const riff = [0x52, 0x49, 0x46, 0x46];
const webp = [0x57, 0x45, 0x42, 0x50];

function isPng(bytes: Uint8Array): boolean {
	return startsWith(bytes, pngSignature) && startsWith(bytes, ihdr, 12);
}

function isGif(bytes: Uint8Array): boolean {
	return startsWith(bytes, gif);
}

function isWebp(bytes: Uint8Array): boolean {
	return startsWith(bytes, riff) && startsWith(bytes, webp, 8);
}

function isJpeg(bytes: Uint8Array): boolean {
	return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

function readUint32BE(bytes: Uint8Array, at: number): number | undefined {
	if (bytes.length < at + 4) return undefined;
	return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function readUint16BE(bytes: Uint8Array, at: number): number | undefined {
	if (bytes.length < at + 2) return undefined;
	return (bytes[at]! << 8) | bytes[at + 1]!;
}

function readUint16LE(bytes: Uint8Array, at: number): number | undefined {
	if (bytes.length < at + 2) return undefined;
	return bytes[at]! | (bytes[at + 1]! << 8);
}

function readUint24LE(bytes: Uint8Array, at: number): number | undefined {
	if (bytes.length < at + 3) return undefined;
	return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
}

function webpSize(bytes: Uint8Array): ImageSize | undefined {
	const chunk = String.fromCharCode(...bytes.subarray(12, 16));
	if (chunk === 'VP8 ') {
		if (!startsWith(bytes, [0x9d, 0x01, 0x2a], 23)) return undefined;
		const width = readUint16LE(bytes, 26);
		const height = readUint16LE(bytes, 28);
		return width === undefined || height === undefined ? undefined : sized(width & 0x3fff, height & 0x3fff);
	}
	if (chunk === 'VP8L') {
		if (bytes[20] !== 0x2f || bytes.length < 25) return undefined;
		const b1 = bytes[21]!;
		const b2 = bytes[22]!;
		const b3 = bytes[23]!;
		const b4 = bytes[24]!;
		const width = 1 + (((b2 & 0x3f) << 8) | b1);
		const height = 1 + (((b4 & 0x0f) << 10) | (b3 << 2) | ((b2 & 0xc0) >> 6));
		return sized(width, height);
	}
	if (chunk === 'VP8X') {
		const width = readUint24LE(bytes, 24);
		const height = readUint24LE(bytes, 27);
		return width === undefined || height === undefined ? undefined : sized(width + 1, height + 1);
	}
	return undefined;
}

/** Start-of-frame markers carry the size; C4 (huffman), C8 (reserved) and CC (arithmetic) do not. */
function isStartOfFrame(marker: number): boolean {
	return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegSize(bytes: Uint8Array): ImageSize | undefined {
	let at = 2;
	while (at + 3 < bytes.length) {
		if (bytes[at] !== 0xff) return undefined;
		const marker = bytes[at + 1]!;
		if (marker === 0xff) {
			at++;
			continue;
		}
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
			at += 2;
			continue;
		}
		const length = readUint16BE(bytes, at + 2);
		if (length === undefined || length < 2) return undefined;
		if (isStartOfFrame(marker)) return sized(readUint16BE(bytes, at + 7), readUint16BE(bytes, at + 5));
		at += 2 + length;
	}
	return undefined;
}
