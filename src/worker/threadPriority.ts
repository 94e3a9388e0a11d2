import { constants, getPriority, platform, setPriority } from 'node:os';

/** How the analysis worker's thread is scheduled against the extension host's. */
export interface ThreadPriority {
	/** The thread's nice value (-20 to 19; 0 normal, 10 below normal); undefined where it cannot be read. */
	readonly nice?: number;
	/** True when the worker lowered its own thread's priority. */
	readonly isLowered: boolean;
	/** Why it was not lowered, when it was not. */
	readonly why?: string;
}

/**
 * Lowers the calling thread's scheduling priority to below normal, on Linux only, where a nice value belongs to one
 * thread: the analysis worker then gets a core only when the extension host's thread, the workbench and the other
 * extensions do not want it, so a long read and count waits for them instead of them for it (on two busy cores the
 * host's thread otherwise waits tens of milliseconds for a core). Elsewhere `setPriority` would lower the whole
 * extension host process, so it is left alone.
 */
export function lowerThreadPriority(os: string = platform()): ThreadPriority {
	if (os !== 'linux') return { isLowered: false, why: `on ${os} the priority is the whole process's` };
	try {
		setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
		return { nice: getPriority(), isLowered: true };
	} catch (error) {
		return { isLowered: false, why: error instanceof Error ? error.message : String(error) };
	}
}

/** The calling thread's priority as it is now, not lowered by us (any thread but the analysis worker). */
export function currentThreadPriority(): ThreadPriority {
	const why = 'this thread is not the analysis worker';
	try {
		return { nice: getPriority(), isLowered: false, why };
	} catch {
		return { isLowered: false, why };
	}
}
