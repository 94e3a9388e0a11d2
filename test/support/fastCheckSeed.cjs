// Seeds every fast-check property of a mocha run.
// - FC_SEED=<integer> replays one run (fast-check prints the seed of a failing property).
// - Under CI the seed comes from the commit under test, so a run of `bash .ci/run` on a commit before it is
//   submitted meets exactly the inputs CI will; each new commit still explores new inputs.
// - Otherwise fast-check picks a fresh seed each run.
const { execFileSync } = require('node:child_process');
const fc = require('fast-check');

function commitSeed() {
	try {
		const head = execFileSync('git', ['rev-parse', 'HEAD'], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		});
		return Number.parseInt(head.slice(0, 8), 16) | 0;
	} catch {
		return undefined;
	}
}

const given = process.env.FC_SEED;
const seed =
	given !== undefined && given !== ''
		? Number.parseInt(given, 10)
		: process.env.CI === 'true'
			? commitSeed()
			: undefined;
if (seed !== undefined && Number.isFinite(seed)) {
	fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
	process.stderr.write(`fast-check seed ${seed}${given ? ' (FC_SEED)' : ' (from the commit under test)'}\n`);
}
