import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HookSettingsError, installHooks, uninstallHooks } from '../../../src/core/hooks/hookSettings';
import { backupPath, editSettingsFile } from '../../../src/core/hooks/settingsFile';

const spec = { node: '/usr/bin/node', launcher: '/h/.context-lens/context-lens-hook.cjs' };

describe('hook settings file: atomic edits with a backup', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'context-lens-settings-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('creates a missing file (and its folder) without a backup', async () => {
		const file = join(dir, '.claude', 'settings.json');
		const outcome = await editSettingsFile(file, (root) => installHooks(root, file, spec, 'claude-code'));
		assert.deepEqual(outcome, { file, changed: true });
		assert.match(readFileSync(file, 'utf8'), /"PreCompact"/);
		assert.deepEqual(readdirSync(join(dir, '.claude')), ['settings.json'], 'no temporary file is left');
	});

	it('keeps the previous content as the backup, and the file mode', async () => {
		const file = join(dir, 'settings.json');
		const before = '{\n\t"model": "opus"\n}\n';
		writeFileSync(file, before, { mode: 0o600 });
		const outcome = await editSettingsFile(file, (root) => installHooks(root, file, spec, 'codex'));
		assert.equal(outcome.backup, backupPath(file));
		assert.equal(readFileSync(backupPath(file), 'utf8'), before);
		assert.equal(statSync(file).mode & 0o777, 0o600);
		const after = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
		assert.equal(after['model'], 'opus');
		await editSettingsFile(file, (root) => uninstallHooks(root, file));
		assert.equal(readFileSync(file, 'utf8'), before, 'uninstalling gives back the same text');
	});

	it('writes nothing (no backup either) when the edit changes nothing', async () => {
		const file = join(dir, 'settings.json');
		writeFileSync(file, '{}\n');
		const outcome = await editSettingsFile(file, (root) => uninstallHooks(root, file));
		assert.deepEqual(outcome, { file, changed: false });
		assert.deepEqual(readdirSync(dir), ['settings.json']);
	});

	it('never overwrites a file it cannot parse, and says where the error is', async () => {
		const file = join(dir, 'settings.json');
		const broken = '{\n  "hooks": {\n    "PreCompact": []\n  },\n}\n';
		writeFileSync(file, broken);
		await assert.rejects(
			editSettingsFile(file, (root) => installHooks(root, file, spec, 'claude-code')),
			(e: unknown) => e instanceof HookSettingsError && e.message.startsWith(`${file}:5:1: not valid JSON`),
		);
		assert.equal(readFileSync(file, 'utf8'), broken);
		assert.deepEqual(readdirSync(dir), ['settings.json']);
	});

	it('replaces nothing when another program changed the file while it was being edited', async () => {
		const file = join(dir, 'settings.json');
		writeFileSync(file, '{}\n');
		await assert.rejects(
			editSettingsFile(file, (root) => {
				writeFileSync(file, '{"theme": "changed meanwhile"}\n');
				return installHooks(root, file, spec, 'claude-code');
			}),
			/changed while it was being edited; nothing was changed/,
		);
		assert.equal(readFileSync(file, 'utf8'), '{"theme": "changed meanwhile"}\n');
		assert.deepEqual(readdirSync(dir), ['settings.json']);
	});
});
