// Lint rules, including the layer rules of STYLE.md: core is pure, webview never reaches node or vscode.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscodeInCore = {
	patterns: [
		{ group: ['vscode'], message: 'src/core is pure: no vscode import.' },
		{
			group: ['**/extension/**', '**/webview/**', '**/protocol/**'],
			message: 'src/core imports nothing from extension, webview or protocol.',
		},
	],
};

// The layers of src/core, lowest first: a folder imports only from folders of a lower rank (and from itself).
// transcript <- tokens, io, facts <- compaction <- summarize, audit <- budget, compare <- view, hooks; the text and
// redaction helpers sit at the bottom. audit (the agent's own compactions) reads facts and compaction; compare runs
// every strategy with the offline summariser. Above core: protocol, then extension, cli and webview.
const coreLayers = [
	['text', 0],
	['redaction', 0],
	['transcript', 1],
	['tokens', 2],
	['io', 2],
	['facts', 2],
	['compaction', 3],
	['summarize', 4],
	['audit', 4],
	['budget', 5],
	['compare', 5],
	['view', 6],
	['hooks', 6],
];

function layerRules() {
	return coreLayers.map(([folder, rank]) => ({
		files: [`src/core/${folder}/**/*.ts`],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						...noVscodeInCore.patterns,
						...coreLayers
							.filter(([other, otherRank]) => other !== folder && otherRank >= rank)
							.map(([other]) => ({
								group: [`**/core/${other}/**`, `../${other}/**`, `../../${other}/**`, `../../../${other}/**`],
								message: `src/core/${folder} sits below src/core/${other}: move the shared piece down, or the caller up.`,
							})),
					],
				},
			],
		},
	}));
}

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', '.cache/**', '.test-output/**', 'bench/.work/**'] },
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
		rules: {
			'no-console': 'error',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
			'@typescript-eslint/consistent-type-imports': 'error',
		},
	},
	{
		files: ['src/core/**/*.ts'],
		rules: {
			'no-restricted-imports': ['error', noVscodeInCore],
		},
	},
	{
		// No function over 120 lines in src: a longer one is split into named steps a reader can follow.
		files: ['src/**/*.ts'],
		rules: {
			'max-lines-per-function': ['error', { max: 120, skipBlankLines: false, skipComments: false }],
		},
	},
	...layerRules(),
	{
		files: ['src/extension/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ group: ['**/webview/**'], message: 'The extension never imports the webview bundle.' },
					],
				},
			],
		},
	},
	{
		// The analysis worker runs in a worker thread: no vscode there, and from the extension only types (the review
		// records it builds); the extension, the bench and tests reach it through src/worker/client.ts.
		files: ['src/worker/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['vscode'],
							message: 'src/worker runs in a worker thread, where vscode is not available.',
						},
						{
							group: ['**/extension/**'],
							allowTypeImports: true,
							message: 'src/worker imports only types from the extension.',
						},
						{ group: ['**/webview/**', '**/cli/**'], message: 'src/worker imports core and protocol only.' },
					],
				},
			],
		},
	},
	{
		files: ['webview/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ group: ['vscode'], message: 'The webview talks to the host through src/protocol only.' },
						{
							group: ['node:*', 'fs', 'path', 'os', 'child_process'],
							message: 'The webview runs in a browser.',
						},
						{ group: ['**/extension/**'], message: 'The webview never imports extension code.' },
					],
				},
			],
		},
	},
	{
		// The independent evaluation must not grade the summary with the summary's own checklist: it reads the
		// transcript model and nothing of the product's fact extraction or summarisers.
		files: ['bench/independent/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: [
								'**/core/facts/**',
								'**/core/summarize/**',
								'**/core/compaction/**',
								'**/core/tokens/**',
							],
							message:
								'bench/independent reads the transcript model only; it must not import what it grades.',
						},
						{
							group: ['**/evaluate', '**/probes', '../evaluate', '../probes'],
							message: 'bench/independent must not import the product-backed evaluation.',
						},
					],
				},
			],
		},
	},
	{
		files: ['src/cli/**/*.ts', 'test/**/*.ts', 'test/**/*.cjs', 'bench/**/*.ts', 'esbuild.mjs'],
		rules: { 'no-console': 'off' },
	},
	{
		files: ['**/*.mjs', '**/*.cjs'],
		languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
	},
	{
		files: ['**/*.cjs'],
		languageOptions: {
			sourceType: 'commonjs',
			globals: { require: 'readonly', module: 'writable', process: 'readonly' },
		},
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
);
