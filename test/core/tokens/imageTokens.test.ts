import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { imageTokens, unknownImageTokens } from '../../../src/core/tokens/imageTokens';

const size = (widthPx: number, heightPx: number) => ({ widthPx, heightPx, byteLength: widthPx * heightPx });
const dimension = fc.integer({ min: 1, max: 12_000 });

describe('imageTokens', () => {
	it('follows the worked examples of OpenAI\'s "Images and vision" guide', () => {
		assert.equal(imageTokens(size(1024, 1024), 'openai', 'high'), 765);
		assert.equal(imageTokens(size(2048, 4096), 'openai', 'high'), 1105);
		assert.equal(imageTokens(size(4096, 8192), 'openai', 'low'), 85);
		assert.equal(imageTokens(size(1024, 1024), 'openai'), 765, 'auto is billed as high');
		assert.equal(imageTokens(size(512, 512), 'openai', 'high'), 255, 'small images are not scaled up');
	});

	it('follows the worked examples of Claude\'s "Vision" guide', () => {
		assert.equal(imageTokens(size(200, 200), 'anthropic'), 54);
		assert.equal(imageTokens(size(1000, 1000), 'anthropic'), 1334);
		// The guide's largest sizes that are not resized, one per aspect ratio.
		for (const [width, height] of [
			[1092, 1092],
			[951, 1268],
			[896, 1344],
			[819, 1456],
			[784, 1568],
		] as const)
			assert.equal(imageTokens(size(width, height), 'anthropic'), Math.ceil((width * height) / 750));
		assert.equal(imageTokens(size(1092, 1092), 'anthropic'), 1590);
		assert.ok(imageTokens(size(4000, 3000), 'anthropic') <= 1639, 'large images are scaled down first');
		assert.equal(
			imageTokens(size(3136, 200), 'anthropic'),
			Math.ceil((1568 * 100) / 750),
			'long edge to 1568',
		);
	});

	it('follows the Gemini token counting guide', () => {
		assert.equal(imageTokens(size(384, 384), 'google'), 258);
		assert.equal(imageTokens(size(100, 40), 'google'), 258);
		assert.equal(imageTokens(size(600, 400), 'google'), 258);
		assert.equal(imageTokens(size(1000, 1000), 'google'), 4 * 258);
		assert.equal(imageTokens(size(1920, 1080), 'google'), 3 * 2 * 258);
	});

	it("uses G6's flat ~1K when dimensions are unknown or the provider has no formula", () => {
		for (const family of ['openai', 'anthropic', 'google', 'other'] as const) {
			assert.equal(imageTokens({ byteLength: 50_000 }, family), unknownImageTokens);
			assert.equal(imageTokens({ widthPx: 800, byteLength: 50_000 }, family), unknownImageTokens);
			assert.equal(imageTokens({ widthPx: 0, heightPx: 600, byteLength: 1 }, family), unknownImageTokens);
		}
		assert.equal(imageTokens(size(800, 600), 'other'), 1000);
		assert.equal(unknownImageTokens, 1000);
	});

	it("stays within each provider's bounds for every size", () => {
		fc.assert(
			fc.property(dimension, dimension, (width, height) => {
				const openai = imageTokens(size(width, height), 'openai', 'high');
				assert.ok(openai >= 85 + 170 && openai <= 85 + 170 * 4 * 2, `openai ${width}x${height}: ${openai}`);
				const claude = imageTokens(size(width, height), 'anthropic');
				// At most 784 x 1568 pixels after scaling, billed per started 750: ceil(1,229,312 / 750) = 1640.
				assert.ok(
					claude >= 1 && claude <= Math.ceil((784 * 1568) / 750),
					`anthropic ${width}x${height}: ${claude}`,
				);
				const gemini = imageTokens(size(width, height), 'google');
				assert.equal(gemini % 258, 0);
				assert.ok(gemini >= 258);
			}),
		);
	});

	// Claude scales an oversized image down and the result is whole pixels, so two images of the same shape
	// can land one pixel apart on each side after scaling: at most 1568 / 750 tokens per side, 5 in all.
	it('never costs less for a larger image of the same shape (Gemini exactly, Claude up to rounding)', () => {
		fc.assert(
			fc.property(dimension, dimension, fc.integer({ min: 1, max: 4 }), (width, height, factor) => {
				const larger = size(width * factor, height * factor);
				const smaller = size(width, height);
				assert.ok(imageTokens(larger, 'google') >= imageTokens(smaller, 'google'));
				const claudeLarger = imageTokens(larger, 'anthropic');
				const claudeSmaller = imageTokens(smaller, 'anthropic');
				assert.ok(claudeLarger >= claudeSmaller - 5, `${claudeLarger} < ${claudeSmaller} - 5`);
			}),
			{ numRuns: 2000 },
		);
		assert.ok(imageTokens(size(400, 300), 'anthropic') < imageTokens(size(800, 600), 'anthropic'));
	});
});
