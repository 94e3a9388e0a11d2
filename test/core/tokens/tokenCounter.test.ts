import { strict as assert } from 'node:assert';
import { basename } from 'node:path';
import fc from 'fast-check';
import { countTextTokens } from '../../../src/core/tokens/encoding';
import { imageTokens } from '../../../src/core/tokens/imageTokens';
import { resolveModel } from '../../../src/core/tokens/modelRegistry';
import {
	categoryOfRole,
	messageOverheadTokens,
	TokenCounter,
	tokenCategories,
	type TokenCategory,
} from '../../../src/core/tokens/tokenCounter';
import {
	makeFlags,
	type ImagePart,
	type Message,
	type Part,
	type Role,
	type TextBearingPart,
} from '../../../src/core/transcript/model';
import { describeCorpus } from '../../support/corpus';
import { corpusFolders, modelStrings, readRecords } from './corpusStrings';
import { oracleCount } from './oracle';

const gpt = resolveModel('gpt-4o');
const claude = resolveModel('claude-sonnet-4-5');

function message(role: Role, parts: Part[]): Message {
	return { id: 'm1', role, parts, flags: makeFlags(), lines: { from: 1, to: 1 }, raw: [] };
}

const text = (value: string): Part => ({ kind: 'text', text: value });
const image: ImagePart = {
	kind: 'image',
	mediaType: 'image/png',
	byteLength: 4096,
	widthPx: 1024,
	heightPx: 1024,
};

describe('TokenCounter', () => {
	it('counts a part given in segments as it counts the part whole, framing and images included', () => {
		const counters = ['claude-sonnet-4-5', 'gpt-4o', 'gpt-4'].map((m) => new TokenCounter(resolveModel(m)));
		const segment = fc.oneof(
			fc.string({ maxLength: 30 }),
			fc.string({ maxLength: 30 }).map((rest) => ` ${rest}`),
			fc.constantFrom(
				'[Read] read',
				' /src/a.ts',
				' (1,007 chars, 18 lines)',
				' ',
				'  x',
				'\n',
				' \u{1f600}',
			),
		);
		fc.assert(
			fc.property(
				fc.array(segment, { maxLength: 8 }),
				fc.boolean(),
				fc.constantFrom(...counters),
				(segments, hasImage, counter) => {
					const joined = segments.join('');
					const parts: TextBearingPart[] = [
						{ kind: 'text', text: joined },
						{
							kind: 'toolResult',
							callId: 'c',
							text: joined,
							isError: false,
							images: hasImage ? [image] : [],
						},
					];
					for (const part of parts) {
						assert.equal(counter.countPartOfSegments(part, segments), counter.countPart(part));
						// Segments that do not make up the text are ignored.
						const wrong = { ...part, text: `${joined}x` };
						assert.equal(counter.countPartOfSegments(wrong, segments), counter.countPart(wrong));
					}
				},
			),
			{ numRuns: 300 },
		);
	});

	it('remembers the whole text of a part counted in segments, with the right count', () => {
		for (const model of ['claude-sonnet-4-5', 'gpt-4o']) {
			const counter = new TokenCounter(resolveModel(model));
			const segments = ['[Read] read', ' /src/billing/export.ts', ' (1,007 chars, 18 lines)'];
			const text = segments.join('');
			counter.countPartOfSegments({ kind: 'text', text }, segments);
			const misses = counter.cacheMisses;
			assert.equal(counter.countText(text), new TokenCounter(resolveModel(model)).countText(text));
			assert.equal(counter.cacheMisses, misses, 'the whole text came from the cache');
		}
	});

	it('counts a part with a suffix as it counts the joined part, framing and images included', () => {
		const counters = ['claude-sonnet-4-5', 'gpt-4o', 'gpt-4'].map((m) => new TokenCounter(resolveModel(m)));
		const texts = fc.oneof(
			fc.string({ maxLength: 80 }),
			fc.string({ maxLength: 80, unit: 'grapheme' }),
			fc.constantFrom('[Read] read src/a.ts (1,007 chars, 18 lines)', 'done ', 'x\n', ''),
		);
		const suffixes = fc.oneof(
			fc
				.string({ maxLength: 40 })
				.map((rest) => ` (full output: spill entry #${rest.length} in f.md)${rest}`),
			fc.string({ maxLength: 40 }),
		);
		fc.assert(
			fc.property(
				texts,
				suffixes,
				fc.boolean(),
				fc.constantFrom(...counters),
				(body, suffix, hasImage, counter) => {
					const parts: TextBearingPart[] = [
						{ kind: 'text', text: body },
						{ kind: 'toolResult', callId: 'c', text: body, isError: false, images: hasImage ? [image] : [] },
					];
					for (const part of parts)
						assert.equal(
							counter.countPartWithSuffix(part, suffix),
							counter.countPart({ ...part, text: `${body}${suffix}` }),
						);
				},
			),
			{ numRuns: 300 },
		);
	});

	it('counts text exactly for OpenAI profiles', () => {
		const counter = new TokenCounter(gpt);
		const sample = 'function add(a, b) {\n\treturn a + b; // <|endoftext|>\n}';
		assert.equal(counter.countText(sample), oracleCount(sample, 'o200k_base'));
		assert.equal(
			new TokenCounter(resolveModel('gpt-4')).countText(sample),
			oracleCount(sample, 'cl100k_base'),
		);
	});

	it('scales by the calibration factor, rounded, for calibrated profiles', () => {
		const counter = new TokenCounter(claude);
		const sample = 'The quick brown fox jumps over the lazy dog. '.repeat(40);
		const factor = claude.calibrationFactor;
		assert.ok(factor > 1);
		assert.equal(counter.countText(sample), Math.round(countTextTokens(sample, 'o200k_base') * factor));
		const call: Part = {
			kind: 'toolCall',
			callId: 'c',
			name: 'Read',
			argumentsText: '{"file_path":"/a/b.ts"}',
		};
		const raw =
			countTextTokens('Read', 'o200k_base') + countTextTokens('{"file_path":"/a/b.ts"}', 'o200k_base');
		assert.equal(
			counter.countPart(call, 'assistant'),
			Math.round(raw * factor),
			'a tool call is scaled once',
		);
	});

	it('adds the tool-result overhead of the profile to every tool result, in the tool results category', () => {
		const body = 'total 8\n-rw-r--r-- 1 a b 12 README.md';
		const result: Part = { kind: 'toolResult', callId: 'c1', text: body, isError: false, images: [image] };
		const overhead = claude.toolResultOverheadTokens;
		assert.ok(overhead > 0, 'Claude tool results carry framing the transcript does not store');
		const counter = new TokenCounter(claude);
		const text = Math.round(countTextTokens(body, 'o200k_base') * claude.calibrationFactor);
		const images = imageTokens(image, 'anthropic');
		assert.equal(counter.countPart(result, 'user'), text + overhead + images);
		const counts = counter.countMessage(message('user', [result, result]));
		assert.deepEqual(counts.byPart, [text + overhead + images, text + overhead + images]);
		assert.equal(counts.byCategory.toolResults, 2 * (text + overhead));
		assert.equal(counts.byCategory.images, 2 * images);
		assert.equal(gpt.toolResultOverheadTokens, 0, 'exact profiles add nothing');
		assert.equal(new TokenCounter(gpt).countPart(result, 'tool'), countTextTokens(body, 'o200k_base') + 765);
	});

	it('puts every part kind in its category and adds the framing overhead to the role', () => {
		const counter = new TokenCounter(gpt);
		const result: Part = {
			kind: 'toolResult',
			callId: 'c1',
			text: 'total 8\n-rw-r--r-- 1 a b 12 README.md',
			isError: false,
			images: [image],
		};
		const assistant = message('assistant', [
			{ kind: 'thinking', text: 'Let me list the files.', isRedacted: false },
			{ kind: 'thinking', text: '', isRedacted: true },
			text('Listing the files.'),
			{ kind: 'toolCall', callId: 'c1', name: 'bash', argumentsText: '{"command":"ls -l"}' },
		]);
		const counts = counter.countMessage(assistant);
		const thinking = countTextTokens('Let me list the files.', 'o200k_base');
		const said = countTextTokens('Listing the files.', 'o200k_base');
		const call = countTextTokens('bash', 'o200k_base') + countTextTokens('{"command":"ls -l"}', 'o200k_base');
		assert.deepEqual(counts.byPart, [thinking, 0, said, call]);
		assert.equal(counts.byCategory.thinking, thinking);
		assert.equal(counts.byCategory.assistant, said + messageOverheadTokens);
		assert.equal(counts.byCategory.toolCalls, call);
		assert.equal(counts.total, thinking + said + call + messageOverheadTokens);

		const toolMessage = counter.countMessage(message('tool', [result]));
		const resultText = countTextTokens('total 8\n-rw-r--r-- 1 a b 12 README.md', 'o200k_base');
		assert.equal(toolMessage.byCategory.toolResults, resultText + messageOverheadTokens);
		assert.equal(toolMessage.byCategory.images, 765);
		assert.deepEqual(toolMessage.byPart, [resultText + 765]);

		const userMessage = counter.countMessage(
			message('user', [
				text('What is in this picture?'),
				image,
				{ kind: 'opaque', label: 'document', text: 'PDF' },
			]),
		);
		assert.equal(userMessage.byCategory.images, 765);
		assert.equal(
			userMessage.byCategory.user,
			countTextTokens('What is in this picture?', 'o200k_base') + countTextTokens('PDF', 'o200k_base') + 3,
		);
		for (const role of ['system', 'developer'] as const)
			assert.equal(
				counter.countMessage(message(role, [text('Be brief.')])).byCategory.system,
				countTextTokens('Be brief.', 'o200k_base') + messageOverheadTokens,
			);
	});

	it('maps roles to categories', () => {
		assert.equal(categoryOfRole('system'), 'system');
		assert.equal(categoryOfRole('developer'), 'system');
		assert.equal(categoryOfRole('user'), 'user');
		assert.equal(categoryOfRole('assistant'), 'assistant');
		assert.equal(categoryOfRole('tool'), 'toolResults');
	});

	it('counts images by the profile family formula', () => {
		assert.equal(new TokenCounter(claude).countPart(image, 'user'), imageTokens(image, 'anthropic'));
		assert.equal(new TokenCounter(resolveModel('gemini-2.5-pro')).countPart(image, 'user'), 4 * 258);
		assert.equal(new TokenCounter(resolveModel('mystery')).countPart(image, 'user'), 1000);
	});

	it('keeps total = sum of categories = sum of parts + overhead', () => {
		const part = fc.oneof(
			fc.string().map((value): Part => ({ kind: 'text', text: value })),
			fc.record({ text: fc.string(), isRedacted: fc.boolean() }).map(({ text: value, isRedacted }): Part => ({
				kind: 'thinking',
				text: isRedacted ? '' : value,
				isRedacted,
			})),
			fc
				.record({ name: fc.string(), args: fc.json() })
				.map(({ name, args }): Part => ({ kind: 'toolCall', callId: 'c', name, argumentsText: args })),
			fc.record({ body: fc.string(), withImage: fc.boolean() }).map(({ body, withImage }): Part => ({
				kind: 'toolResult',
				callId: 'c',
				text: body,
				isError: false,
				images: withImage ? [image] : [],
			})),
			fc.constant<Part>(image),
		);
		const role = fc.constantFrom<Role>('system', 'developer', 'user', 'assistant', 'tool');
		const profile = fc.constantFrom(
			gpt,
			claude,
			resolveModel('gpt-3.5-turbo'),
			resolveModel('gemini-2.0-flash'),
		);
		fc.assert(
			fc.property(profile, role, fc.array(part, { maxLength: 8 }), (model, who, parts) => {
				const counts = new TokenCounter(model).countMessage(message(who, parts));
				const categories = tokenCategories.reduce(
					(sum, key: TokenCategory) => sum + counts.byCategory[key],
					0,
				);
				assert.equal(counts.total, categories);
				assert.equal(
					counts.total,
					counts.byPart.reduce((sum, tokens) => sum + tokens, messageOverheadTokens),
				);
				assert.equal(counts.byPart.length, parts.length);
				for (const tokens of counts.byPart) assert.ok(Number.isInteger(tokens) && tokens >= 0);
			}),
		);
	});

	it('serves repeated text from the cache and counts it once', () => {
		const counter = new TokenCounter(gpt);
		const body = 'x = 1\n'.repeat(100);
		const first = counter.countText(body);
		assert.equal(counter.cacheMisses, 1);
		assert.equal(counter.countText(body), first);
		assert.equal(counter.countPart({ kind: 'text', text: body }, 'user'), first);
		assert.equal(counter.cacheHits, 2);
		assert.equal(counter.cacheMisses, 1);
		counter.countText('');
		assert.equal(counter.cacheHits + counter.cacheMisses, 3, 'empty text needs no tokenizer and no cache');
		counter.countText(`${body} `);
		assert.equal(counter.cacheMisses, 2, 'different text is a different entry');
	});

	it('bounds the cache: a text evicted with its generation is counted again', () => {
		const counter = new TokenCounter(gpt, 4);
		const texts = Array.from({ length: 12 }, (_, index) => `text number ${index}`);
		const count = (index: number) => counter.countText(texts[index] ?? '');
		for (const index of [0, 1, 2, 3]) count(index);
		count(0);
		assert.equal(counter.cacheHits, 1, 'in the newer generation');
		for (const index of [4, 5, 6, 7]) count(index);
		count(2);
		assert.equal(counter.cacheHits, 2, 'the older generation still answers, and promotes the entry');
		for (const index of [8, 9, 10, 11]) count(index);
		const misses = counter.cacheMisses;
		assert.equal(count(1), countTextTokens(texts[1] ?? '', 'o200k_base'));
		assert.equal(counter.cacheMisses, misses + 1, 'two generations later an unused text is gone');
		count(2);
		assert.equal(counter.cacheMisses, misses + 1, 'a promoted text survives');
	});

	it('gives the same counts with or without the cache', () => {
		fc.assert(
			fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 30 }), (values) => {
				const cached = new TokenCounter(gpt, 3);
				for (const value of [...values, ...values])
					assert.equal(cached.countText(value), countTextTokens(value, 'o200k_base'));
			}),
		);
	});
});

describe('TokenCounter on the corpus', () => {
	for (const folder of corpusFolders) {
		describeCorpus(folder, (file) => {
			it(`${folder}/${basename(file)}: counts as the tokenizer does, and a second pass is all cache hits`, () => {
				const strings = readRecords(file).flatMap((record) => modelStrings(record));
				const counter = new TokenCounter(gpt);
				const first = strings.map((value) => counter.countText(value));
				assert.deepEqual(
					first,
					strings.map((value) => countTextTokens(value, 'o200k_base')),
				);
				const misses = counter.cacheMisses;
				assert.deepEqual(
					strings.map((value) => counter.countText(value)),
					first,
				);
				assert.equal(counter.cacheMisses, misses);
			});
		});
	}
});
