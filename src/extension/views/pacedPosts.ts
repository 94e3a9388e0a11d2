import type { HostPost } from '../../protocol/messages';

/**
 * The order in which a page's messages are handed to VS Code: a view's row-text parts one per turn of the event loop
 * (VS Code deflates every message to the workbench on the extension host's thread, so each part is a short task of
 * its own and other extensions run in between), everything else at once. A new view or `transcript/empty` drops the
 * parts of the old view still waiting.
 */
export class PacedPosts {
	private waiting: HostPost[] = [];
	private draining: Promise<void> | undefined;

	/** `send` hands one message to VS Code; `nextTurn` resolves on a later turn of the loop (setImmediate by default). */
	constructor(
		private readonly send: (message: HostPost) => void,
		private readonly nextTurn: () => Promise<void> = () =>
			new Promise((resolveTurn) => setImmediate(resolveTurn)),
	) {}

	/** Sends `message` now, or queues it when it is a row-text part. */
	post(message: HostPost): void {
		if (message.type === 'transcript/rowTextsEncoded') {
			this.waiting.push(message);
			this.draining ??= this.drain();
			return;
		}
		if (message.type === 'transcript/showEncoded' || message.type === 'transcript/empty') this.waiting = [];
		this.send(message);
	}

	/** Posts `messages` in order; resolves once every row-text part waiting was sent (or dropped by a newer view). */
	async postAll(messages: readonly HostPost[]): Promise<void> {
		for (const message of messages) this.post(message);
		await this.draining;
	}

	private async drain(): Promise<void> {
		try {
			while (this.waiting.length > 0) {
				await this.nextTurn();
				const next = this.waiting.shift();
				if (next !== undefined) this.send(next);
			}
		} finally {
			this.draining = undefined;
		}
	}
}
