import * as vscode from 'vscode';

/** How a question before a compaction ended. */
export type GatePromptResult = 'review' | 'compact' | 'timeout' | 'dismissed';

/** A question on screen (for the host tests, which answer it as a person would). */
export interface ShownGatePrompt {
	readonly id: number;
	readonly message: string;
}

/**
 * The notification shown before an agent compacts: "Review in Context Lens" or "Let it compact", answered by the
 * person, or by nobody within the answer time. A click after the time is up only says it came too late.
 */
export class GatePrompts {
	private next = 1;
	private readonly pending = new Map<
		number,
		{ message: string; settle: (result: GatePromptResult) => void }
	>();

	/** The labels of the two actions. */
	static readonly reviewLabel = vscode.l10n.t('Review in Context Lens');
	static readonly compactLabel = vscode.l10n.t('Let it compact');

	ask(message: string, timeoutMs: number, lateNote: string): Promise<GatePromptResult> {
		const id = this.next++;
		return new Promise((resolve) => {
			let settled = false;
			const settle = (result: GatePromptResult): void => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				this.pending.delete(id);
				resolve(result);
			};
			const timer = setTimeout(() => settle('timeout'), timeoutMs);
			this.pending.set(id, { message, settle });
			void vscode.window
				.showWarningMessage(message, GatePrompts.reviewLabel, GatePrompts.compactLabel)
				.then((choice) => {
					if (settled) {
						if (choice !== undefined) void vscode.window.showInformationMessage(lateNote);
						return;
					}
					settle(
						choice === GatePrompts.reviewLabel
							? 'review'
							: choice === GatePrompts.compactLabel
								? 'compact'
								: 'dismissed',
					);
				});
		});
	}

	/** The questions waiting for an answer. */
	shown(): ShownGatePrompt[] {
		return [...this.pending.entries()].map(([id, { message }]) => ({ id, message }));
	}

	/** Answers a waiting question as a click would (host tests); false when it is not waiting any more. */
	answer(id: number, choice: 'review' | 'compact'): boolean {
		const entry = this.pending.get(id);
		entry?.settle(choice);
		return entry !== undefined;
	}
}
