import { isJsonObject as isRecord, type JsonObject as JsonRecord } from '../json';
import type { ImagePart, OpaquePart } from '../model';
import { readImageInfo } from './imageHeader';

export { isRecord, type JsonRecord };

/** The value when it is a string, else undefined. */
export function stringOf(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}

/** True for values a writer may keep as an emptied field: null, '' or []. */
export function isEmptyValue(value: unknown): boolean {
	return value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Base64 strings longer than this many characters are replaced by their size when a block is shown as JSON text. */
const inlineDataChars = 256;

/**
 * JSON text of a block we do not interpret, with long embedded data (base64 documents, audio) replaced by
 * a size note: the model reads such data as a file, not as characters, so counting its text would mislead.
 */
export function opaqueJsonText(block: unknown): string {
	const text = JSON.stringify(block, (key, value: unknown) =>
		(key === 'data' || key === 'file_data') && typeof value === 'string' && value.length > inlineDataChars
			? `<${value.length} base64 characters>`
			: value,
	);
	return text ?? String(block);
}

/** An opaque part for a block, labelled by its `type` when it has one. */
export function opaquePart(block: unknown, fallbackLabel: string): OpaquePart {
	const label = isRecord(block) && typeof block['type'] === 'string' ? block['type'] : fallbackLabel;
	return { kind: 'opaque', label, text: opaqueJsonText(block), raw: block };
}

const extensionTypes: Readonly<Record<string, string>> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
};

/** Media type guessed from a URL's file extension; `image/*` when it says nothing. */
export function mediaTypeFromUrl(url: string): string {
	const path = url.split(/[?#]/, 1)[0] ?? '';
	const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
	return extensionTypes[extension] ?? 'image/*';
}

/** An image part from base64 data: size and dimensions read from the header, the declared type preferred. */
export function imageFromBase64(base64: string, declaredType: string | undefined, raw: unknown): ImagePart {
	const info = readImageInfo(base64);
	return {
		kind: 'image',
		mediaType: declaredType ?? info.mediaType ?? 'image/*',
		byteLength: info.byteLength,
		...(info.widthPx !== undefined ? { widthPx: info.widthPx } : {}),
		...(info.heightPx !== undefined ? { heightPx: info.heightPx } : {}),
		raw,
	};
}

/** An image part from a URL: `data:` URLs are read like base64 data, remote URLs have no known size. */
export function imageFromUrl(url: string, raw: unknown): ImagePart {
	const data = parseDataUrl(url);
	if (data !== undefined) return imageFromBase64(data.base64, data.mediaType, raw);
	return { kind: 'image', mediaType: mediaTypeFromUrl(url), byteLength: 0, raw };
}

/** The media type and base64 payload of a `data:<type>;base64,<data>` URL, else undefined. */
export function parseDataUrl(url: string): { mediaType: string | undefined; base64: string } | undefined {
	if (!url.startsWith('data:')) return undefined;
	const comma = url.indexOf(',');
	if (comma === -1) return undefined;
	const header = url.slice(5, comma);
	if (!header.endsWith(';base64')) return undefined;
	const mediaType = header.slice(0, -';base64'.length);
	return { mediaType: mediaType === '' ? undefined : mediaType, base64: url.slice(comma + 1) };
}

/** ISO time of a millisecond epoch (Cline `ts`) or an ISO string as given; undefined for anything else. */
export function timestampOf(value: unknown): string | undefined {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 8.64e15) {
		return new Date(value).toISOString();
	}
	return undefined;
}

/** Hands out message ids: the source id when it is new, else the positional `m<index>` (ids stay unique). */
export class MessageIds {
	private readonly used = new Set<string>();

	/** A unique id for the message at `index` whose source id is `sourceId`. */
	next(sourceId: unknown, index: number): string {
		let id = typeof sourceId === 'string' && sourceId !== '' ? sourceId : `m${index}`;
		if (this.used.has(id)) id = `m${index}`;
		while (this.used.has(id)) id = `${id}'`;
		this.used.add(id);
		return id;
	}

	/** Marks an id as taken (ids the reader assigns itself, such as `system`). */
	reserve(id: string): void {
		this.used.add(id);
	}
}

/** Base64 payload and media type of an image part's source, whichever API shape it came from. */
export function imageDataOf(
	raw: unknown,
): { mediaType: string; base64: string } | { url: string } | undefined {
	if (!isRecord(raw)) return undefined;
	const source = raw['source'];
	if (isRecord(source)) {
		const data = stringOf(source['data']);
		if (source['type'] === 'base64' && data !== undefined) {
			return { mediaType: stringOf(source['media_type']) ?? 'image/png', base64: data };
		}
		const url = stringOf(source['url']);
		if (url !== undefined) return { url };
		return undefined;
	}
	const imageUrl = raw['image_url'];
	const url = isRecord(imageUrl) ? stringOf(imageUrl['url']) : stringOf(imageUrl);
	if (url === undefined) return undefined;
	const data = parseDataUrl(url);
	return data === undefined ? { url } : { mediaType: data.mediaType ?? 'image/png', base64: data.base64 };
}

/**
 * The source object with the fields a writer models replaced, in the source's key order; other keys stay as
 * they were. A computed value of undefined, or a managed source key with no computed value, drops the field
 * unless the source held it empty (`content: null`, `refusal: null`), which is kept. New fields go last.
 */
export function mergeWithSource(
	computed: ReadonlyMap<string, unknown>,
	source: JsonRecord | undefined,
	isManaged: (key: string, value: unknown) => boolean,
): JsonRecord {
	const entries: [string, unknown][] = [];
	const pending = new Map(computed);
	if (source !== undefined) {
		for (const [key, value] of Object.entries(source)) {
			if (pending.has(key)) {
				const next = pending.get(key);
				pending.delete(key);
				if (next !== undefined) entries.push([key, next]);
				else if (isEmptyValue(value)) entries.push([key, value]);
			} else if (!isManaged(key, value) || isEmptyValue(value)) {
				entries.push([key, value]);
			}
		}
	}
	for (const [key, value] of pending) if (value !== undefined) entries.push([key, value]);
	return Object.fromEntries(entries) as JsonRecord;
}
