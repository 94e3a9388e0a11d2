import { runTests } from '@vscode/test-electron';

// @vscode/test-electron's runTests prints `Exit code:   0` with console.log when the "VS Code" it spawned exits,
// whatever the outcome (node_modules/@vscode/test-electron/out/runTest.js). Our runners report the result themselves,
// so in a green log the line is noise; a failure still surfaces as runTests' rejection with the code.
const exitCodeLine = /^Exit code:\s/;

/** `runTests` of @vscode/test-electron without its `Exit code:` line; everything else it prints passes through. */
export async function runTestsQuietly(options: Parameters<typeof runTests>[0]): Promise<number> {
	const log = console.log;
	console.log = (...args: unknown[]): void => {
		if (typeof args[0] === 'string' && exitCodeLine.test(args[0])) return;
		log(...args);
	};
	try {
		return await runTests(options);
	} finally {
		console.log = log;
	}
}
