import { parseArgs } from 'node:util';
import { processEnvironment } from '../core/hooks/agents';
import { askMeasure } from '../core/hooks/gateChannel';
import { contextLensHome } from '../core/hooks/hookPaths';
import { hookVerbs, runHookVerb } from './hookRunner';

// dist/hook.js: the small program the extension ships for the agents' hooks (the launcher runs `node hook.js hooks
// gate|record|settle …`). It carries no tokenizer, so the extension package stays small: our measure of a
// transcript comes from a running window (docs/hooks.md).

/** Longest wait for a window's measure of a transcript, in ms. */
const measureTimeoutMs = 10_000;

async function main(args: readonly string[]): Promise<number> {
	const [group, verb = '', ...rest] = args;
	const io = {
		out: (text: string) => void process.stdout.write(`${text}\n`),
		err: (text: string) => void process.stderr.write(`${text}\n`),
	};
	if (group !== 'hooks' || !hookVerbs.has(verb)) {
		io.err(
			`context-lens hook: runs 'hooks ${[...hookVerbs].join('|')}' for the agents; got '${args.join(' ')}'.`,
		);
		return verb === 'gate' || verb === 'record' ? 0 : 2;
	}
	let values;
	try {
		values = parseArgs({
			args: rest,
			options: {
				agent: { type: 'string' },
				'max-wait': { type: 'string' },
				session: { type: 'string' },
				transcript: { type: 'string' },
				trigger: { type: 'string' },
				since: { type: 'string' },
			},
			strict: false,
		}).values;
	} catch {
		values = {};
	}
	const home = contextLensHome(processEnvironment());
	return runHookVerb(verb, values as Parameters<typeof runHookVerb>[1], io, {
		home,
		measure: (path) => askMeasure(home, path, undefined, Date.now() + measureTimeoutMs),
	});
}

if (require.main === module) {
	void main(process.argv.slice(2)).then((code) => {
		process.exitCode = code;
	});
}
