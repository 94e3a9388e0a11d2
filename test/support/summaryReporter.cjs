// Mocha's spec reporter plus one closing line in the 'N passed, N failed' form CI reads.
'use strict';
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
	constructor(runner, options) {
		super(runner, options);
		runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
			const { passes, failures, pending } = runner.stats;
			process.stdout.write(`mocha: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
		});
	}
}

module.exports = SummaryReporter;
