import { strict as assert } from 'node:assert';
import { getPriority } from 'node:os';
import { currentThreadPriority, lowerThreadPriority } from '../../src/worker/threadPriority';

describe('analysis worker thread priority', () => {
	for (const os of ['darwin', 'win32'])
		it(`is left alone on ${os}, where it is the whole process's, and says so`, () => {
			const before = getPriority();
			const priority = lowerThreadPriority(os);
			assert.equal(priority.isLowered, false);
			assert.match(priority.why ?? '', new RegExp(`on ${os} the priority is the whole process's`));
			assert.equal(getPriority(), before, 'nothing was changed');
		});

	it("reports any other thread's priority as not lowered, with its nice value", () => {
		assert.deepEqual(currentThreadPriority(), {
			nice: getPriority(),
			isLowered: false,
			why: 'this thread is not the analysis worker',
		});
	});
});
