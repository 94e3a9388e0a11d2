import { strict as assert } from 'node:assert';
import {
	hookCommand,
	HookSettingsError,
	installedCommands,
	installHooks,
	isContextLensCommand,
	parseSettings,
	serializeSettings,
	uninstallHooks,
	type HookCommandSpec,
} from '../../../src/core/hooks/hookSettings';
import type { JsonObject } from '../../../src/core/transcript/json';

const file = '/home/someone/.claude/settings.json';
const spec: HookCommandSpec = {
	node: '/usr/bin/node',
	launcher: '/home/someone/.context-lens/context-lens-hook.cjs',
};

/** A settings file with other settings and another tool's PreCompact hook, as people have them. */
function existing(): JsonObject {
	return {
		model: 'opus',
		permissions: { allow: ['Bash(npm test)'] },
		hooks: {
			PreCompact: [{ matcher: 'auto', hooks: [{ type: 'command', command: 'backup.sh', timeout: 10 }] }],
			PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'guard.sh' }] }],
		},
	};
}

describe('hook settings: installing and removing the Context Lens hooks', () => {
	it('adds one PreCompact and one PostCompact handler and keeps every other setting and hook', () => {
		const { root, changed } = installHooks(existing(), file, spec, 'claude-code');
		assert.ok(changed);
		const hooks = root['hooks'] as Record<string, { matcher?: string; hooks: JsonObject[] }[]>;
		assert.deepEqual(root['permissions'], { allow: ['Bash(npm test)'] });
		assert.equal(root['model'], 'opus');
		assert.deepEqual(hooks['PreToolUse'], [
			{ matcher: 'Bash', hooks: [{ type: 'command', command: 'guard.sh' }] },
		]);
		assert.equal(hooks['PreCompact']?.length, 2, 'the other PreCompact hook stays, ours is added after it');
		assert.equal(hooks['PreCompact']?.[0]?.hooks[0]?.['command'], 'backup.sh');
		const ours = hooks['PreCompact']?.[1];
		assert.equal(
			ours?.matcher,
			undefined,
			'no matcher: every trigger reaches the gate, which lets manual ones by',
		);
		assert.deepEqual(ours?.hooks[0], {
			type: 'command',
			command: '"/usr/bin/node" "/home/someone/.context-lens/context-lens-hook.cjs" gate --agent claude-code',
			timeout: 120,
			statusMessage: 'Asking Context Lens before compacting',
		});
		assert.match(
			String(hooks['PostCompact']?.[0]?.hooks[0]?.['command']),
			/context-lens-hook\.cjs" record --agent claude-code$/,
		);
	});

	it('is idempotent: installing twice changes nothing the second time', () => {
		const once = installHooks(existing(), file, spec, 'claude-code').root;
		const twice = installHooks(once, file, spec, 'claude-code');
		assert.equal(twice.changed, false);
		assert.equal(twice.root, once);
	});

	it('replaces an older Context Lens hook (another Node or launcher path) instead of adding a second', () => {
		const old = installHooks(
			existing(),
			file,
			{ node: '/opt/node18/bin/node', launcher: '/old/context-lens-hook.cjs' },
			'codex',
		).root;
		const { root, changed } = installHooks(old, file, spec, 'codex');
		assert.ok(changed);
		const found = installedCommands(root, file);
		assert.deepEqual(found.PreCompact, [hookCommand(spec, 'codex', 'PreCompact')]);
		assert.deepEqual(found.PostCompact, [hookCommand(spec, 'codex', 'PostCompact')]);
	});

	it('uninstalling restores the settings exactly as they were before the install', () => {
		const installed = installHooks(existing(), file, spec, 'claude-code').root;
		const { root, changed } = uninstallHooks(installed, file);
		assert.ok(changed);
		assert.deepEqual(root, existing());
		assert.equal(uninstallHooks(root, file).changed, false, 'a second uninstall changes nothing');
	});

	it('uninstalling from a file that only held our hooks removes the hooks table it leaves empty', () => {
		const installed = installHooks({ theme: 'dark' }, file, spec, 'claude-code').root;
		assert.deepEqual(uninstallHooks(installed, file).root, { theme: 'dark' });
	});

	it('keeps another handler that shares a group with ours', () => {
		const shared: JsonObject = {
			hooks: {
				PreCompact: [
					{
						hooks: [
							{ type: 'command', command: hookCommand(spec, 'claude-code', 'PreCompact') },
							{ type: 'command', command: 'notify-send compacting' },
						],
					},
				],
			},
		};
		const { root } = uninstallHooks(shared, file);
		assert.deepEqual(root, {
			hooks: { PreCompact: [{ hooks: [{ type: 'command', command: 'notify-send compacting' }] }] },
		});
	});

	it('recognises only its own commands', () => {
		assert.ok(isContextLensCommand('"/x/node" "/y/context-lens-hook.cjs" gate --agent codex'));
		assert.ok(isContextLensCommand('node /y/context-lens-hook.cjs record --agent claude-code'));
		assert.ok(!isContextLensCommand('node context-lens-hook.cjs.bak gate'));
		assert.ok(!isContextLensCommand('context-lens inspect x.jsonl'));
		assert.ok(!isContextLensCommand(42));
	});

	it('refuses, naming the file and the key, when hooks or an event list has the wrong shape', () => {
		assert.throws(
			() => installHooks({ hooks: [] }, file, spec, 'claude-code'),
			(e: unknown) =>
				e instanceof HookSettingsError &&
				e.message === `${file}: "hooks" is not a JSON object; nothing was changed.`,
		);
		assert.throws(
			() => uninstallHooks({ hooks: { PostCompact: {} } }, file),
			(e: unknown) =>
				e instanceof HookSettingsError && e.message.includes('"hooks.PostCompact" is not a JSON array'),
		);
	});

	it('refuses a path with a double quote rather than write a broken command', () => {
		assert.throws(
			() =>
				installHooks({}, file, { node: '/usr/bin/node', launcher: '/a"b/context-lens-hook.cjs' }, 'codex'),
			HookSettingsError,
		);
	});
});

describe('hook settings: reading and writing the file text', () => {
	it('names the file, line and column of a JSON syntax error', () => {
		const text = '{\n  "model": "opus",\n  "hooks": {\n    "PreCompact": [,]\n  }\n}\n';
		assert.throws(
			() => parseSettings(text, file),
			(e: unknown) =>
				e instanceof HookSettingsError &&
				e.message.startsWith(`${file}:4:20: not valid JSON (`) &&
				e.message.endsWith('nothing was changed. Fix the file, then try again.'),
		);
	});

	it('rejects comments (the agents read strict JSON) and a top level that is not an object', () => {
		assert.throws(() => parseSettings('// mine\n{}', file), /:1:1: not valid JSON/);
		assert.throws(() => parseSettings('[1, 2]', file), /the top level is not a JSON object/);
	});

	it('reads a missing or blank file as an empty object', () => {
		assert.deepEqual(parseSettings(undefined, file).root, {});
		assert.deepEqual(parseSettings(' \n', file).root, {});
	});

	it('writes back with the indentation and final newline the file had', () => {
		const tabbed = parseSettings('{\n\t"a": {\n\t\t"b": 1\n\t}\n}', file);
		assert.equal(serializeSettings(tabbed), '{\n\t"a": {\n\t\t"b": 1\n\t}\n}');
		const spaced = parseSettings('{\n    "a": 1\n}\n', file);
		assert.equal(serializeSettings(spaced), '{\n    "a": 1\n}\n');
	});
});
