import { randomUUID } from 'node:crypto';

/** One Claude Code record line, chained to `parent`. */
function record(
	sessionId: string,
	parent: string | null,
	type: 'user' | 'assistant',
	message: unknown,
	at: number,
): { line: string; uuid: string } {
	const uuid = randomUUID();
	const line = JSON.stringify({
		parentUuid: parent,
		isSidechain: false,
		userType: 'external',
		cwd: '/home/dev/acme-billing',
		sessionId,
		version: '2.0.76',
		gitBranch: 'main',
		type,
		message,
		uuid,
		timestamp: new Date(Date.UTC(2026, 0, 2, 10, 0, at)).toISOString(),
	});
	return { line, uuid };
}

/** A line-per-turn builder of a Claude Code session that tests can grow while it is watched. */
export class ClaudeSessionWriter {
	readonly sessionId = randomUUID();
	private parent: string | null = null;
	private clock = 0;

	/** The JSONL lines of one turn: a prompt, a Read tool call, its (long) result and an answer. */
	turn(n: number, resultLines = 60): string {
		const lines: string[] = [];
		const add = (type: 'user' | 'assistant', message: unknown): void => {
			const r = record(this.sessionId, this.parent, type, message, this.clock++);
			this.parent = r.uuid;
			lines.push(r.line);
		};
		const callId = `toolu_${n.toString().padStart(4, '0')}`;
		add('user', {
			role: 'user',
			content: `Step ${n}: read src/billing/export/module_${n}.py and tell me what writes invoice_${n}.`,
		});
		add('assistant', {
			id: `msg_${n}a`,
			role: 'assistant',
			model: 'claude-sonnet-4-5-20250929',
			content: [
				{
					type: 'tool_use',
					id: callId,
					name: 'Read',
					input: { file_path: `/home/dev/acme-billing/src/billing/export/module_${n}.py` },
				},
			],
		});
		const body = Array.from(
			{ length: resultLines },
			(_, i) =>
				`${i + 1}\tdef write_invoice_${n}_${i}(rows): return export_rows(rows, fmt="csv", batch=${i})`,
		).join('\n');
		add('user', { role: 'user', content: [{ type: 'tool_result', tool_use_id: callId, content: body }] });
		add('assistant', {
			id: `msg_${n}b`,
			role: 'assistant',
			model: 'claude-sonnet-4-5-20250929',
			content: [
				{
					type: 'text',
					text: `module_${n}.py writes invoice_${n} through export_rows with the csv format; switching it to parquet means changing write_invoice_${n}_0.`,
				},
			],
		});
		return `${lines.join('\n')}\n`;
	}

	/** The text of `turns` turns. */
	session(turns: number, resultLines = 60): string {
		let text = '';
		for (let n = 1; n <= turns; n++) text += this.turn(n, resultLines);
		return text;
	}
}
