/** One server-sent event: its `event:` name ('message' when absent) and its `data:` lines joined by newlines. */
export interface SseEvent {
	readonly event: string;
	readonly data: string;
}

/** An incremental server-sent-events parser: feed text chunks as they arrive, get the events they complete. */
export class SseParser {
	private buffer = '';
	private eventName = '';
	private dataLines: string[] = [];
	private hasData = false;

	/** Parses `chunk` (any split, even inside a line or a CRLF pair) and returns the events it completed. */
	push(chunk: string): SseEvent[] {
		this.buffer += chunk;
		const events: SseEvent[] = [];
		let start = 0;
		for (;;) {
			const lf = this.buffer.indexOf('\n', start);
			const cr = this.buffer.indexOf('\r', start);
			let end: number;
			let next: number;
			if (cr >= 0 && (lf < 0 || cr < lf)) {
				// A CR at the very end may be the first half of CRLF: wait for the next chunk.
				if (cr === this.buffer.length - 1) break;
				end = cr;
				next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
			} else if (lf >= 0) {
				end = lf;
				next = lf + 1;
			} else break;
			const event = this.line(this.buffer.slice(start, end));
			if (event !== undefined) events.push(event);
			start = next;
		}
		this.buffer = this.buffer.slice(start);
		return events;
	}

	/** Ends the stream: an event left without its blank line is dispatched (servers that close without one). */
	end(): SseEvent[] {
		const events = this.buffer === '' ? [] : this.push('\n');
		const last = this.line('');
		return last === undefined ? events : [...events, last];
	}

	private line(line: string): SseEvent | undefined {
		if (line === '') {
			if (!this.hasData) {
				this.eventName = '';
				return undefined;
			}
			const event = {
				event: this.eventName === '' ? 'message' : this.eventName,
				data: this.dataLines.join('\n'),
			};
			this.eventName = '';
			this.dataLines = [];
			this.hasData = false;
			return event;
		}
		if (line.startsWith(':')) return undefined;
		const colon = line.indexOf(':');
		const field = colon < 0 ? line : line.slice(0, colon);
		let value = colon < 0 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		if (field === 'data') {
			this.dataLines.push(value);
			this.hasData = true;
		} else if (field === 'event') this.eventName = value;
		return undefined;
	}
}

/** The events of a streamed response body, in order; stops early when `signal` aborts (the reader is cancelled). */
export async function* readSseEvents(
	body: ReadableStream<Uint8Array>,
	signal: AbortSignal,
): AsyncGenerator<SseEvent, void, undefined> {
	const reader = body.getReader();
	const decoder = new TextDecoder();
	const parser = new SseParser();
	const onAbort = (): void => {
		reader.cancel().catch(() => undefined);
	};
	signal.addEventListener('abort', onAbort, { once: true });
	try {
		for (;;) {
			if (signal.aborted) return;
			const { done, value } = await reader.read();
			if (done) break;
			yield* parser.push(decoder.decode(value, { stream: true }));
		}
		yield* parser.push(decoder.decode());
		yield* parser.end();
	} finally {
		signal.removeEventListener('abort', onAbort);
		// The body is finished or cancelled here; a lock that cannot be released has nothing left to read anyway.
		try {
			reader.releaseLock();
		} catch {
			// ignored: see above
		}
	}
}
