import * as vscode from 'vscode';

/** An expected failure a command reports to the person (not a bug): shown as a warning, logged at info. */
export class UserFacingError extends Error {}

/**
 * The one catch of a surface (STYLE.md): runs a command body, logs any failure to the channel and shows one message
 * saying what to do next; expected failures (UserFacingError) are warnings, anything else an error.
 */
export function guardCommand<A extends unknown[], R>(
	log: vscode.LogOutputChannel,
	name: string,
	body: (...args: A) => Promise<R>,
): (...args: A) => Promise<R | undefined> {
	return async (...args: A) => {
		try {
			return await body(...args);
		} catch (error) {
			if (error instanceof UserFacingError) {
				log.info(`${name}: ${error.message}`);
				void vscode.window.showWarningMessage(error.message);
				return undefined;
			}
			log.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
			void vscode.window.showErrorMessage(
				vscode.l10n.t(
					'Context Lens: {0} failed ({1}). Open the "Context Lens" output for details and report it if it repeats.',
					name,
					error instanceof Error ? error.message : String(error),
				),
			);
			return undefined;
		}
	};
}
