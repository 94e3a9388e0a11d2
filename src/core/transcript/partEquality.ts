import type { Part } from './model';

/** True when two parts show the model the same thing: kind, texts, ids, names, arguments, error state, images; `raw` is ignored. */
export function sameModelView(a: Part, b: Part): boolean {
	switch (a.kind) {
		case 'text':
			return b.kind === 'text' && a.text === b.text;
		case 'thinking':
			return b.kind === 'thinking' && a.text === b.text && a.isRedacted === b.isRedacted;
		case 'toolCall':
			return (
				b.kind === 'toolCall' &&
				a.callId === b.callId &&
				a.name === b.name &&
				a.argumentsText === b.argumentsText
			);
		case 'toolResult':
			return (
				b.kind === 'toolResult' &&
				a.callId === b.callId &&
				a.text === b.text &&
				a.isError === b.isError &&
				a.images.length === b.images.length &&
				a.images.every((image, i) => {
					const other = b.images[i];
					return other !== undefined && sameModelView(image, other);
				})
			);
		case 'image':
			return (
				b.kind === 'image' &&
				a.mediaType === b.mediaType &&
				a.byteLength === b.byteLength &&
				a.widthPx === b.widthPx &&
				a.heightPx === b.heightPx
			);
		case 'opaque':
			return b.kind === 'opaque' && a.label === b.label && a.text === b.text;
	}
}
