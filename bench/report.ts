import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { format, resolveConfig } from 'prettier';

/** The machine a run was measured on: logical CPUs, memory in GiB, CPU model, Node version and the date (UTC). */
export interface MachineInfo {
	readonly cpus: number;
	readonly memoryGiB: number;
	readonly cpuModel: string;
	readonly node: string;
	readonly date: string;
	/** One-minute load average when the run started: above the CPU count, other jobs were competing for the machine. */
	readonly loadAverage: number;
}

/** The CPU model named by the first `model name` line of a /proc/cpuinfo text, or `unknown`. */
export function cpuModelOf(cpuinfo: string): string {
	const match = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
	return match?.[1]?.trim() ?? 'unknown';
}

/** Facts about this machine, read now (nproc, total memory, /proc/cpuinfo, process.version). */
export function readMachineInfo(): MachineInfo {
	const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
	return {
		cpus: availableParallelism(),
		memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
		cpuModel: cpuModelOf(cpuinfo),
		node: process.version,
		date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
		loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
	};
}

/** One markdown line describing the machine and how busy it was, with the load average at the end of the run. */
export function describeMachine(machine: MachineInfo, endLoadAverage?: number): string {
	const load =
		endLoadAverage === undefined
			? `load average ${machine.loadAverage} at the start`
			: `load average ${machine.loadAverage} at the start and ${endLoadAverage} at the end`;
	const shared =
		Math.max(machine.loadAverage, endLoadAverage ?? 0) > machine.cpus
			? ', so other jobs shared the CPUs'
			: '';
	return `Measured ${machine.date} on ${machine.cpus} logical CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}; ${load}${shared}.`;
}

/**
 * `document` with the text between `<!-- name:start -->` and `<!-- name:end -->` replaced by `body`; the marked
 * section is appended when absent. Other sections are left byte for byte.
 */
export function replaceSection(document: string, name: string, body: string): string {
	const start = `<!-- ${name}:start -->`;
	const end = `<!-- ${name}:end -->`;
	const block = `${start}\n${body.trim()}\n${end}`;
	const from = document.indexOf(start);
	const to = from >= 0 ? document.indexOf(end, from) : -1;
	if (from < 0 || to < 0) return `${document.trimEnd()}${document.trim() === '' ? '' : '\n\n'}${block}\n`;
	return `${document.slice(0, from)}${block}${document.slice(to + end.length)}`;
}

/** Rewrites one marked section of a markdown file (creating the file if needed), formatted as `prettier --check` expects. */
export async function writeSection(path: string, name: string, body: string): Promise<void> {
	const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
	const config = (await resolveConfig(path)) ?? {};
	writeFileSync(path, await format(replaceSection(current, name, body), { ...config, filepath: path }));
}
