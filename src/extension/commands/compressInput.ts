/** What the person typed after `/compress`: the focus (R10) and an optional strategy named with `--strategy`. */
export interface CompressInput {
	/** Topic to keep in detail; undefined when none was typed. */
	readonly focus?: string;
	/** Strategy named inline (`--strategy prune` or `-s prune`), not yet validated. */
	readonly strategy?: string;
}

const commandPrefix = /^\s*\/?compress\b/i;
const strategyFlag = /(?:^|\s)(?:--strategy|-s)(?:=|\s+)(\S+)/i;

/**
 * Reads the `/compress <focus>` syntax as typed in the palette or in chat: the leading `/compress` (or `compress`)
 * is optional, surrounding quotes are removed, and an empty focus means none.
 */
export function parseCompressInput(typed: string): CompressInput {
	let rest = typed.replace(commandPrefix, '');
	let strategy: string | undefined;
	const flag = strategyFlag.exec(rest);
	if (flag !== null) {
		strategy = flag[1];
		rest = rest.slice(0, flag.index) + rest.slice(flag.index + flag[0].length);
	}
	let focus = rest.trim();
	if (focus.length >= 2 && /^(["']).*\1$/s.test(focus)) focus = focus.slice(1, -1).trim();
	return {
		...(focus !== '' ? { focus } : {}),
		...(strategy !== undefined ? { strategy } : {}),
	};
}
