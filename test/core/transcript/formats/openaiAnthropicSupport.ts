import fc from 'fast-check';
import type {
	AccumulatedTranscript,
	DetectionSample,
	TranscriptFormat,
} from '../../../../src/core/transcript/format';
import type { Message, Transcript } from '../../../../src/core/transcript/model';
import { JsonlTranscriptReader, makeDetectionSample } from '../../../../src/core/transcript/readTranscript';

/** Wraps what a reader produced as a Transcript of the format. */
export function asTranscript(format: TranscriptFormat, body: AccumulatedTranscript): Transcript {
	return {
		format: format.id,
		detection: { format: format.id, reason: 'test' },
		messages: body.messages,
		passthrough: body.passthrough,
		meta: body.meta,
		diagnostics: body.diagnostics,
		lineCount: 1,
	};
}

/** Reads a JSON document the way parseTranscript does for document formats. */
export function readDocumentText(format: TranscriptFormat, text: string, path = 'test.json'): Transcript {
	if (format.readDocument === undefined) throw new Error(`${format.id} reads no documents`);
	return asTranscript(format, format.readDocument(JSON.parse(text) as unknown, { path, text }));
}

/** Reads JSONL text through the real incremental reader. */
export function readJsonlText(format: TranscriptFormat, text: string, path = 'test.jsonl'): Transcript {
	const reader = new JsonlTranscriptReader(format, path, { format: format.id, reason: 'test' });
	reader.push(Buffer.from(text));
	const result = reader.finish();
	if (!result.ok) throw new Error(result.failure.message);
	return result.transcript;
}

/** Reads text as one JSON document when it is one, else as JSONL (what the lead's parseTranscript change does). */
export function readAny(format: TranscriptFormat, text: string): Transcript {
	try {
		JSON.parse(text);
	} catch {
		return readJsonlText(format, text);
	}
	return readDocumentText(format, text);
}

/** A detection sample for text, with the document parsed when the whole text is one JSON value. */
export function sampleOf(path: string, text: string): DetectionSample {
	let document: unknown;
	try {
		document = JSON.parse(text) as unknown;
	} catch {
		document = undefined;
	}
	return makeDetectionSample(path, text, document);
}

/** What the model sees of a transcript: roles and parts without raw values, ids or bookkeeping. */
export function visible(messages: readonly Message[]): unknown[] {
	return messages.map((m) => ({
		role: m.role,
		parts: m.parts.map((p) => {
			switch (p.kind) {
				case 'text':
					return { kind: p.kind, text: p.text };
				case 'thinking':
					return { kind: p.kind, text: p.text, isRedacted: p.isRedacted };
				case 'toolCall':
					return { kind: p.kind, callId: p.callId, name: p.name, argumentsText: p.argumentsText };
				case 'toolResult':
					return {
						kind: p.kind,
						callId: p.callId,
						text: p.text,
						isError: p.isError,
						images: p.images.map((i) => [i.mediaType, i.byteLength, i.widthPx, i.heightPx]),
					};
				case 'image':
					return { kind: p.kind, image: [p.mediaType, p.byteLength, p.widthPx, p.heightPx] };
				case 'opaque':
					return { kind: p.kind, label: p.label, text: p.text };
			}
		}),
	}));
}

/** Base64 of a minimal PNG header (signature + IHDR) of the given size, padded with `extra` zero bytes. */
export function pngBase64(widthPx: number, heightPx: number, extra = 16): string {
	const bytes = Buffer.alloc(33 + extra);
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
	bytes.writeUInt32BE(13, 8);
	bytes.write('IHDR', 12, 'latin1');
	bytes.writeUInt32BE(widthPx, 16);
	bytes.writeUInt32BE(heightPx, 20);
	return bytes.toString('base64');
}

/** Every path to a node of a JSON value, root first. */
export function jsonPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
	const paths = [at];
	if (Array.isArray(value)) value.forEach((v, i) => paths.push(...jsonPaths(v, [...at, i])));
	else if (typeof value === 'object' && value !== null) {
		for (const [k, v] of Object.entries(value)) paths.push(...jsonPaths(v, [...at, k]));
	}
	return paths;
}

/** A copy of a JSON value with the node at `path` replaced. */
export function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
	const [head, ...rest] = path;
	if (head === undefined) return replacement;
	if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(
			Object.entries(value).map(([k, v]) => [k, k === head ? replaceAt(v, rest, replacement) : v]),
		);
	}
	return value;
}

/** A generated document with one node replaced by a random JSON value. */
export function mutated(documents: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
	return fc.tuple(documents, fc.nat(), fc.jsonValue({ maxDepth: 3 })).map(([document, pick, replacement]) => {
		const paths = jsonPaths(document);
		return replaceAt(document, paths[pick % paths.length] ?? [], replacement);
	});
}

/** Strings the generators use for texts: ASCII, any code point, and line breaks. */
export const textArb = fc.oneof(
	fc.string({ maxLength: 30 }),
	fc.string({ unit: 'grapheme', maxLength: 20 }),
	fc.constantFrom('line one\nline two', '', '{"json": true}', '  spaced  '),
);
