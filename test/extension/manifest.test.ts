import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');

describe('package.json', () => {
	it('names an icon that is a 128x128 PNG inside media/, which the package ships', () => {
		const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { icon?: string };
		assert.equal(manifest.icon, 'media/icon.png');
		const png = readFileSync(join(repoRoot, manifest.icon));
		assert.deepEqual(
			[...png.subarray(0, 8)],
			[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
			'PNG signature',
		);
		assert.equal(png.toString('latin1', 12, 16), 'IHDR');
		assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
		assert.match(readFileSync(join(repoRoot, '.vscodeignore'), 'utf8'), /^!media\/\*\*$/m);
	});
});
