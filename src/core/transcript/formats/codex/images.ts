import type { ImagePart } from '../../model';
import { readImageInfo } from '../imageHeader';

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
	const info = readImageInfo(isBase64 ? data : Buffer.from(decodePercent(data), 'utf8').toString('base64'));
	const part: ImagePart = { kind: 'image', mediaType, byteLength: info.byteLength, raw };
	return info.widthPx !== undefined && info.heightPx !== undefined
		? { ...part, widthPx: info.widthPx, heightPx: info.heightPx }
		: part;
}

function decodePercent(data: string): string {
	try {
		return decodeURIComponent(data);
	} catch {
		return data;
	}
}

function mediaTypeFromPath(url: unknown): string {
	if (typeof url !== 'string') return 'image/unknown';
	const match = /\.(png|jpe?g|gif|webp)(?:[?#].*)?$/i.exec(url);
	if (match?.[1] === undefined) return 'image/unknown';
	const ext = match[1].toLowerCase();
	return ext === 'jpg' || ext === 'jpeg' ? 'image/jpeg' : `image/${ext}`;
}
