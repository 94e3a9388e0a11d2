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
