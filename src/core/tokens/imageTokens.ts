import type { ModelFamily } from './modelRegistry';

/** An image as the transcript gives it: pixel dimensions when they could be read, and the decoded size. */
export interface ImageSize {
	readonly widthPx?: number;
	readonly heightPx?: number;
	readonly byteLength: number;
}

/** OpenAI's `detail` setting; `auto` is billed as `high` for the images agents send (screenshots, files). */
export type ImageDetail = 'low' | 'high' | 'auto';

/** G6: tokens for an image whose dimensions are unknown, or for a provider without a published formula. */
export const unknownImageTokens = 1000;

/**
 * Input tokens one image costs under its provider's published rule (tokens, >= 1). Providers bill pixels,
 * not bytes, so without both dimensions (or for family `other`) this is G6's flat ~1K.
 */
export function imageTokens(image: ImageSize, family: ModelFamily, detail: ImageDetail = 'auto'): number {
	const { widthPx, heightPx } = image;
	if (!isDimension(widthPx) || !isDimension(heightPx)) return unknownImageTokens;
	switch (family) {
		case 'openai':
			return openaiImageTokens(widthPx, heightPx, detail);
		case 'anthropic':
			return anthropicImageTokens(widthPx, heightPx);
		case 'google':
			return geminiImageTokens(widthPx, heightPx);
		case 'other':
			return unknownImageTokens;
	}
}

// OpenAI "Images and vision" guide, section on calculating costs (GPT-4o, GPT-4.1, o-series tile billing):
// low detail is a flat 85; high detail fits the image in 2048x2048, shrinks it so the short side is at most
// 768, then bills 170 per 512px tile plus 85. Patch-billed minis (gpt-4.1-mini/nano, o4-mini) differ; we use
// the tile rule for the whole family.
function openaiImageTokens(widthPx: number, heightPx: number, detail: ImageDetail): number {
	if (detail === 'low') return 85;
	let width = widthPx;
	let height = heightPx;
	const fitScale = Math.min(1, 2048 / Math.max(width, height));
	width *= fitScale;
	height *= fitScale;
	const shortScale = Math.min(1, 768 / Math.min(width, height));
	width = Math.max(1, Math.floor(width * shortScale));
	height = Math.max(1, Math.floor(height * shortScale));
	return 170 * Math.ceil(width / 512) * Math.ceil(height / 512) + 85;
}

// Claude "Vision" guide, "Evaluate image size" and "Calculate image costs": an image whose long edge exceeds
// 1568 px or that would cost more than about 1,600 tokens is first scaled down (aspect kept), then it costs
// width * height / 750 tokens. The guide's table of largest unresized sizes (1092x1092 up to 784x1568, which
// is 1,639 tokens) puts the area cap at 784 * 1568 px; its "1.15 megapixels" is a latency recommendation.
const anthropicMaxEdgePx = 1568;
const anthropicMaxPixels = 784 * 1568;

function anthropicImageTokens(widthPx: number, heightPx: number): number {
	const edgeScale = Math.min(1, anthropicMaxEdgePx / Math.max(widthPx, heightPx));
	let width = widthPx * edgeScale;
	let height = heightPx * edgeScale;
	const areaScale = Math.min(1, Math.sqrt(anthropicMaxPixels / (width * height)));
	width = Math.max(1, Math.floor(width * areaScale));
	height = Math.max(1, Math.floor(height * areaScale));
	return Math.ceil((width * height) / 750);
}

// Gemini API "Understand and count tokens" (images, Gemini 2.0 and later): both sides <= 384 px cost 258;
// larger images are cropped and scaled into 768x768 tiles of 258 each.
function geminiImageTokens(widthPx: number, heightPx: number): number {
	if (widthPx <= 384 && heightPx <= 384) return 258;
	return 258 * Math.ceil(widthPx / 768) * Math.ceil(heightPx / 768);
}

function isDimension(value: number | undefined): value is number {
	return value !== undefined && Number.isFinite(value) && value > 0;
}
