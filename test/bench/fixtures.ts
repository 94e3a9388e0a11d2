import { makeFlags, type Message, type Part, type Role } from '../../src/core/transcript/model';

let counter = 0;

/** A window message for bench tests: the role, its parts, default flags and a positional id. */
export function message(
	role: Role,
	parts: readonly Part[],
	flags: Parameters<typeof makeFlags>[0] = {},
): Message {
	counter++;
	return {
		id: `m${counter}`,
		role,
		parts,
		flags: makeFlags(flags),
		lines: { from: counter, to: counter },
		raw: [],
	};
}

/** A user or assistant text message. */
export function said(role: 'user' | 'assistant', text: string): Message {
	return message(role, [{ kind: 'text', text }]);
}

/** An assistant tool call and the user message carrying its result. */
export function toolRun(
	name: string,
	args: Record<string, unknown>,
	result: string,
	isError = false,
): Message[] {
	counter++;
	const callId = `call-${counter}`;
	return [
		message('assistant', [{ kind: 'toolCall', callId, name, argumentsText: JSON.stringify(args) }]),
		message('user', [{ kind: 'toolResult', callId, text: result, isError, images: [] }]),
	];
}
