import { makeFlags } from '../../../src/core/transcript/model';
import type { Message, Part, Role } from '../../../src/core/transcript/model';
import type { PolicyClock } from '../../../src/core/summarize/providers/failurePolicy';
import type { SummaryRequest } from '../../../src/core/compaction/summarizer';
import { secretSamples } from './redactionSamples';

let nextId = 0;

/** A message for protocol tests. */
export function message(role: Role, ...parts: Part[]): Message {
	nextId += 1;
	return { id: `w${nextId}`, role, parts, flags: makeFlags(), lines: { from: nextId, to: nextId }, raw: [] };
}

/** A small session whose messages, tool arguments and results carry every sample secret. */
export function secretSession(): Message[] {
	const messages: Message[] = [
		message('user', { kind: 'text', text: 'Set up deployment for the billing service.' }),
	];
	secretSamples.forEach((sample, i) => {
		const callId = `c${i}`;
		if (i % 3 === 0) messages.push(message('user', { kind: 'text', text: `Use this: ${sample.text}` }));
		else if (i % 3 === 1) {
			messages.push(
				message('assistant', {
					kind: 'toolCall',
					callId,
					name: 'Bash',
					argumentsText: JSON.stringify({ command: sample.text }),
				}),
				message('user', { kind: 'toolResult', callId, text: 'ok', isError: false, images: [] }),
			);
		} else {
			messages.push(
				message('assistant', {
					kind: 'toolCall',
					callId,
					name: 'Read',
					argumentsText: JSON.stringify({ file_path: '.env' }),
				}),
				message('user', { kind: 'toolResult', callId, text: sample.text, isError: false, images: [] }),
			);
		}
	});
	messages.push(message('user', { kind: 'text', text: 'Now write the deploy script.' }));
	return messages;
}

/** A summary request over `messages` with a 2000-token budget. */
export function request(messages: readonly Message[], extra: Partial<SummaryRequest> = {}): SummaryRequest {
	return { messages, budgetTokens: 2000, countTokens: (t) => Math.ceil(t.length / 4), ...extra };
}

/** A clock whose sleeps return at once and advance its time; records every sleep. */
export interface FakeClock extends PolicyClock {
	readonly sleeps: number[];
	advance(ms: number): void;
}

/** A fresh fake clock at time 0. */
export function fakeClock(): FakeClock {
	let now = 0;
	const sleeps: number[] = [];
	return {
		sleeps,
		now: () => now,
		sleep: (ms, signal) => {
			sleeps.push(ms);
			if (signal.aborted) return Promise.resolve(false);
			now += ms;
			return Promise.resolve(true);
		},
		advance: (ms) => {
			now += ms;
		},
	};
}
