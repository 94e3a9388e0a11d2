import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { decodedLength, readImageInfo } from '../../../../src/core/transcript/formats/imageHeader';
import { pngBase64 } from './openaiAnthropicSupport';

function gif(widthPx: number, heightPx: number): Buffer {
	const bytes = Buffer.alloc(40);
	bytes.write('GIF89a', 0, 'latin1');
	bytes.writeUInt16LE(widthPx, 6);
	bytes.writeUInt16LE(heightPx, 8);
	return bytes;
}

function segment(marker: number, payload: Buffer): Buffer {
	const head = Buffer.alloc(4);
	head[0] = 0xff;
	head[1] = marker;
	head.writeUInt16BE(payload.length + 2, 2);
	return Buffer.concat([head, payload]);
}

/** A JPEG header: SOI, `appBytes` of APPn segments (EXIF-like padding), a DHT, fill bytes, then the frame header. */
function jpeg(widthPx: number, heightPx: number, appBytes: number, frameMarker = 0xc0): Buffer {
	const parts = [
		Buffer.from([0xff, 0xd8]),
		segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
	];
	for (let left = appBytes; left > 0; left -= 60000)
		parts.push(segment(0xe1, Buffer.alloc(Math.min(left, 60000), 7)));
	parts.push(segment(0xc4, Buffer.alloc(20, 1)), Buffer.from([0xff, 0xff]));
	const frame = Buffer.alloc(15);
	frame[0] = 8;
	frame.writeUInt16BE(heightPx, 1);
	frame.writeUInt16BE(widthPx, 3);
	parts.push(segment(frameMarker, frame), segment(0xda, Buffer.alloc(10)), Buffer.alloc(100, 0x55));
	return Buffer.concat(parts);
}

function webp(chunk: 'VP8 ' | 'VP8L' | 'VP8X', widthPx: number, heightPx: number): Buffer {
	const bytes = Buffer.alloc(40);
	bytes.write('RIFF', 0, 'latin1');
	bytes.writeUInt32LE(32, 4);
	bytes.write('WEBP', 8, 'latin1');
	bytes.write(chunk, 12, 'latin1');
	bytes.writeUInt32LE(20, 16);
	if (chunk === 'VP8 ') {
		bytes.set([0x9d, 0x01, 0x2a], 23);
		bytes.writeUInt16LE(widthPx, 26);
		bytes.writeUInt16LE(heightPx, 28);
	} else if (chunk === 'VP8L') {
		bytes[20] = 0x2f;
		bytes.writeUInt32LE(((widthPx - 1) | ((heightPx - 1) << 14)) >>> 0, 21);
	} else {
		bytes.writeUIntLE(widthPx - 1, 24, 3);
		bytes.writeUIntLE(heightPx - 1, 27, 3);
	}
	return bytes;
}

describe('readImageInfo', () => {
	it('reads PNG, GIF and every WebP flavour', () => {
		const png = pngBase64(1920, 1080);
		assert.deepEqual(readImageInfo(png), {
			mediaType: 'image/png',
			byteLength: Buffer.from(png, 'base64').length,
			widthPx: 1920,
			heightPx: 1080,
		});
		assert.deepEqual(readImageInfo(gif(320, 200).toString('base64')), {
			mediaType: 'image/gif',
			byteLength: 40,
			widthPx: 320,
			heightPx: 200,
		});
		for (const chunk of ['VP8 ', 'VP8L', 'VP8X'] as const) {
			const info = readImageInfo(webp(chunk, 800, 600).toString('base64'));
			assert.deepEqual(info, { mediaType: 'image/webp', byteLength: 40, widthPx: 800, heightPx: 600 }, chunk);
		}
	});

	it('finds the JPEG frame header past large APP segments, fill bytes and a DHT, for baseline and progressive', () => {
		for (const [appBytes, marker] of [
			[0, 0xc0],
			[300_000, 0xc0],
			[70_000, 0xc2],
		] as const) {
			const bytes = jpeg(4032, 3024, appBytes, marker);
			assert.deepEqual(readImageInfo(bytes.toString('base64')), {
				mediaType: 'image/jpeg',
				byteLength: bytes.length,
				widthPx: 4032,
				heightPx: 3024,
			});
		}
	});

	it('gives only the size for unknown or truncated data, and the type without dimensions for a cut JPEG', () => {
		assert.deepEqual(
			readImageInfo(Buffer.from('hello, not an image at all, really not').toString('base64')),
			{
				byteLength: 38,
			},
		);
		assert.deepEqual(readImageInfo(pngBase64(1, 1).slice(0, 12)), { byteLength: 9 });
		const cut = jpeg(10, 10, 100_000).subarray(0, 50_000);
		assert.deepEqual(readImageInfo(cut.toString('base64')), { mediaType: 'image/jpeg', byteLength: 50_000 });
		assert.deepEqual(readImageInfo(''), { byteLength: 0 });
	});

	it('counts decoded bytes from the base64 length for any data', () => {
		fc.assert(
			fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
				const base64 = Buffer.from(bytes).toString('base64');
				assert.equal(decodedLength(base64), bytes.length);
				assert.equal(readImageInfo(base64).byteLength, bytes.length);
			}),
			{ numRuns: 2000 },
		);
	});

	it('reads back the dimensions of generated images and never throws on arbitrary text', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 16383 }),
				fc.integer({ min: 1, max: 16383 }),
				fc.integer({ min: 0, max: 200_000 }),
				(w, h, app) => {
					const cases: [Buffer, string][] = [
						[Buffer.from(pngBase64(w, h), 'base64'), 'image/png'],
						[gif(w, h), 'image/gif'],
						[jpeg(w, h, app), 'image/jpeg'],
						[webp('VP8L', w, h), 'image/webp'],
						[webp('VP8X', w, h), 'image/webp'],
					];
					for (const [bytes, mediaType] of cases) {
						const info = readImageInfo(bytes.toString('base64'));
						assert.deepEqual([info.mediaType, info.widthPx, info.heightPx], [mediaType, w, h]);
					}
				},
			),
			{ numRuns: 200 },
		);
		fc.assert(
			fc.property(fc.string({ maxLength: 200 }), (text) => {
				const info = readImageInfo(text);
				assert.ok(info.byteLength >= 0);
			}),
			{ numRuns: 5000 },
		);
	});
});
