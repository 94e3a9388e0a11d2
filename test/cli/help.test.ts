import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runCli } from '../../src/cli/main';
import { compactionStrategies } from '../../src/core/compaction/strategies';
import { captureIo } from '../support/captureIo';

const repoRoot = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

async function run(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
	const io = captureIo();
	const code = await runCli(args, io);
	return { code, out: io.stdout.join('\n'), err: io.stderrLines.join('\n') };
}

/** Help text with wrapped lines joined, so a description can be matched whole. */
function unwrapped(text: string): string {
	return text.replace(/\n {20,}/g, ' ');
}

function assertListsStrategies(text: string): void {
	for (const s of compactionStrategies) {
		const escaped = s.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		assert.match(unwrapped(text), new RegExp(`^ {2}${s.name} +${escaped}$`, 'm'), s.name);
	}
}

describe('context-lens CLI: version and help', () => {
	it('prints the package version for --version, -v and version', async () => {
		for (const flag of ['--version', '-v', 'version']) {
			const { code, out, err } = await run([flag]);
			assert.equal(code, 0, flag);
			assert.equal(out, manifest.version);
			assert.equal(err, '');
		}
	});

	it('--help lists every strategy with its description; no command at all is a usage error', async () => {
		const help = await run(['--help']);
		assert.equal(help.code, 0);
		assert.match(help.out, /^Usage: context-lens <command>/);
		assert.match(help.out, /--version/);
		assertListsStrategies(help.out);
		assert.ok(
			help.out.split('\n').every((line) => line.length <= 100),
			'help lines fit 100 columns',
		);
		const none = await run([]);
		assert.equal(none.code, 2);
		assert.equal(none.out, help.out);
	});

	it('compact --help lists the options and every strategy without needing a file', async () => {
		const help = await run(['compact', '--help']);
		assert.equal(help.code, 0);
		assert.match(help.out, /^Usage: context-lens compact <file>/);
		for (const option of ['--strategy', '--focus', '--summarizer', '--out', '--dry-run', '--force', '--json'])
			assert.match(help.out, new RegExp(`^ {2}${option}\\b`, 'm'), option);
		assertListsStrategies(help.out);
		assert.equal((await run(['compact', 'missing.jsonl', '-h'])).out, help.out, '-h after a file');
		assert.equal((await run(['help', 'compact'])).out, help.out, 'help <command>');
	});

	it('inspect and formats have their own help; a --help after -- is a file name, not a request', async () => {
		const inspect = await run(['inspect', '--help']);
		assert.equal(inspect.code, 0);
		assert.match(inspect.out, /^Usage: context-lens inspect <file>/);
		assert.match(inspect.out, /--window N/);
		const formats = await run(['formats', '--help']);
		assert.equal(formats.code, 0);
		assert.match(formats.out, /^Usage: context-lens formats/);
		const afterDashes = await run(['inspect', '--', '--help']);
		assert.equal(afterDashes.code, 3, 'read as a file that does not exist');
		assert.match(afterDashes.err, /--help: no such file/);
		for (const name of ['constructor', '__proto__', 'toString']) {
			const odd = await run([name, '--help']);
			assert.equal(odd.code, 2, name);
			assert.match(odd.err, /unknown command/);
		}
		assert.equal((await run(['help', 'constructor'])).out, (await run(['--help'])).out);
	});

	it('the bundled CLI carries the version from package.json and nothing else of it', async function () {
		this.timeout(60_000);
		const outfile = join(mkdtempSync(join(tmpdir(), 'context-lens-cli-bundle-')), 'cli.js');
		await build({
			entryPoints: [join(repoRoot, 'src', 'cli', 'main.ts')],
			outfile,
			bundle: true,
			platform: 'node',
			format: 'cjs',
			target: 'node20',
			mainFields: ['module', 'main'],
			logLevel: 'silent',
		});
		assert.equal(
			execFileSync(process.execPath, [outfile, '--version'], { encoding: 'utf8' }).trim(),
			manifest.version,
		);
		const bundle = readFileSync(outfile, 'utf8');
		assert.ok(!bundle.includes('contextLens.compress'), 'the contributes section is not bundled');
		assert.ok(!bundle.includes('devDependencies'), 'nor the dependency lists');
	});
});
