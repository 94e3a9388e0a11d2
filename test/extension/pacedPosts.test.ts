import { strict as assert } from 'node:assert';
import type { HostPost } from '../../src/protocol/messages';
import { PacedPosts } from '../../src/extension/views/pacedPosts';

const show = (viewId: number): HostPost => ({
	type: 'transcript/showEncoded',
	transcriptId: 't',
	viewId,
	viewJson: new Uint8Array([viewId]),
});
const part = (viewId: number, n: number): HostPost => ({
	type: 'transcript/rowTextsEncoded',
	transcriptId: 't',
	viewId,
	textsJson: new Uint8Array([n]),
});
const label = (m: HostPost): string =>
	m.type === 'transcript/showEncoded'
		? `show ${m.viewId}`
		: m.type === 'transcript/rowTextsEncoded'
			? `part ${m.viewId}.${m.textsJson[0]}`
			: m.type;

/** A pacer whose turns the test releases one at a time, and the log of what it sent and of each turn. */
function harness(): { paced: PacedPosts; log: string[]; turn: () => Promise<void> } {
	const log: string[] = [];
	const turns: (() => void)[] = [];
	const paced = new PacedPosts(
		(m) => log.push(label(m)),
		() => new Promise<void>((resolveTurn) => turns.push(resolveTurn)),
	);
	const turn = async (): Promise<void> => {
		log.push('turn');
		turns.shift()?.();
		await new Promise((resolveTick) => setImmediate(resolveTick));
	};
	return { paced, log, turn };
}

describe('PacedPosts (how a page is sent a view: skeleton at once, row-text parts one per turn)', () => {
	it('sends the skeleton at once and each part on a turn of its own, in order, then resolves postAll', async () => {
		const { paced, log, turn } = harness();
		let done = false;
		const all = paced.postAll([show(1), part(1, 0), part(1, 1), part(1, 2)]).then(() => (done = true));
		assert.deepEqual(log, ['show 1']);
		await turn();
		await turn();
		assert.equal(done, false);
		await turn();
		await all;
		assert.deepEqual(log, ['show 1', 'turn', 'part 1.0', 'turn', 'part 1.1', 'turn', 'part 1.2']);
	});

	it('drops the waiting parts of a view when a newer view or an empty state is posted', async () => {
		const { paced, log, turn } = harness();
		const first = paced.postAll([show(1), part(1, 0), part(1, 1), part(1, 2)]);
		await turn();
		const second = paced.postAll([show(2), part(2, 0)]);
		await turn();
		await Promise.all([first, second]);
		paced.post({ type: 'transcript/empty', message: 'none' });
		assert.deepEqual(log, ['show 1', 'turn', 'part 1.0', 'show 2', 'turn', 'part 2.0', 'transcript/empty']);
	});

	it('sends other messages at once, even while parts wait', async () => {
		const { paced, log, turn } = harness();
		const all = paced.postAll([show(1), part(1, 0)]);
		paced.post({ type: 'host/busy', busy: true, label: 'Re-planning…' });
		await turn();
		await all;
		assert.deepEqual(log, ['show 1', 'host/busy', 'turn', 'part 1.0']);
	});
});
