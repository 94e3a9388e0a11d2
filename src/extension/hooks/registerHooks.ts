import * as vscode from 'vscode';
import type { ExtensionServices } from '../commands/extensionServices';
import { guardCommand } from '../commands/guard';
import { CompactionGate } from './compactionGate';
import { manageHooksCommand } from './hooksCommand';

/** The compaction gate and the palette command that installs the agents' hooks; the gate starts when hooks exist. */
export function registerHooks(services: ExtensionServices): {
	gate: CompactionGate;
	disposables: vscode.Disposable[];
} {
	const gate = new CompactionGate(services);
	void gate.startIfInstalled();
	const id = 'contextLens.manageHooks';
	return {
		gate,
		disposables: [
			gate,
			vscode.commands.registerCommand(
				id,
				guardCommand(services.log, id, (arg: unknown) => manageHooksCommand(gate, arg)),
			),
		],
	};
}
