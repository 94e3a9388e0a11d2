import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostCacheDir, readHostToolchain, readPinnedVersions } from './hostToolchain';

describe('host toolchain', () => {
	let cacheRoot: string;
	let env: NodeJS.ProcessEnv;

	beforeEach(() => {
		cacheRoot = mkdtempSync(join(tmpdir(), 'context-lens-cache-'));
		env = { CONTEXT_LENS_HOST_CACHE: cacheRoot };
	});
	afterEach(() => rmSync(cacheRoot, { recursive: true, force: true }));

	/** Writes a manifest whose executables are real files in the temporary cache, as setup.sh would. */
	function writeManifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
		const dir = hostCacheDir(env);
		mkdirSync(dir, { recursive: true });
		for (const name of ['node', 'server-main.js', 'chromium']) writeFileSync(join(dir, name), '');
		const manifest = {
			node: join(dir, 'node'),
			nodeVersion: 'v24.21.0',
			codeServerVersion: readPinnedVersions().codeServerVersion,
			vscodeVersion: '1.139.1',
			serverMain: join(dir, 'server-main.js'),
			chromium: join(dir, 'chromium'),
			...overrides,
		};
		writeFileSync(join(dir, 'toolchain.json'), JSON.stringify(manifest));
		return manifest;
	}

	it('reads the same pinned versions that setup.sh sources', () => {
		const fromShell = execFileSync(
			'bash',
			['-c', '. "$0"; echo "$CODE_SERVER_VERSION $NODE_MAJOR"', 'versions.env'],
			{
				cwd: __dirname,
				encoding: 'utf8',
			},
		).trim();
		const { codeServerVersion, nodeMajor } = readPinnedVersions();
		assert.equal(fromShell, `${codeServerVersion} ${nodeMajor}`);
		assert.match(codeServerVersion, /^\d+\.\d+\.\d+$/);
	});

	it('keys the cache folder by versions and lives under CONTEXT_LENS_HOST_CACHE', () => {
		const { codeServerVersion, nodeMajor } = readPinnedVersions();
		const dir = hostCacheDir(env);
		assert.ok(dir.startsWith(cacheRoot + '/'));
		assert.ok(dir.includes(`code-server-${codeServerVersion}-node${nodeMajor}-`));
	});

	it('loads a complete manifest and lets CHROMIUM override the browser', () => {
		const manifest = writeManifest();
		const found = readHostToolchain(env);
		assert.ok(found.ok);
		assert.deepEqual(found.toolchain, manifest);
		const other = join(cacheRoot, 'other-chromium');
		writeFileSync(other, '');
		const overridden = readHostToolchain({ ...env, CHROMIUM: other });
		assert.ok(overridden.ok);
		assert.equal(overridden.toolchain.chromium, other);
	});

	it('says what to run when the manifest is absent, broken, incomplete or stale', () => {
		const expectFailure = (pattern: RegExp): void => {
			const found = readHostToolchain(env);
			assert.equal(found.ok, false);
			if (!found.ok) {
				assert.match(found.reason, pattern);
				assert.match(found.reason, /bash test\/host\/setup\.sh/);
			}
		};
		expectFailure(/no host toolchain at/);
		writeManifest();
		writeFileSync(join(hostCacheDir(env), 'toolchain.json'), '{ not json');
		expectFailure(/not valid JSON/);
		writeManifest({ serverMain: 7 });
		expectFailure(/lacks "serverMain"/);
		writeManifest({ node: join(cacheRoot, 'gone', 'node') });
		expectFailure(/gone\/node is missing/);
	});
});
