import { writeFileSync } from 'node:fs';

/** What to generate: the PRNG seed, the approximate size in bytes, and optionally the session id. */
export interface GenerateClaudeSessionOptions {
	readonly seed: number;
	readonly targetBytes: number;
	readonly sessionId?: string;
}

/** A seeded PRNG (mulberry32): the same seed always gives the same sequence of floats in [0, 1). */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const cwd = '/home/dev/acme-billing';
const version = '2.0.76';
const gitBranch = 'fix/invoice-rounding';
const model = 'claude-sonnet-4-5-20250929';
const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Tokens of system prompt and tool schemas every request starts with. */
const baseContextTokens = 14_200;

const sourceFiles = [
	'src/invoice/totals.ts',
	'src/invoice/rounding.ts',
	'src/invoice/lineItems.ts',
	'src/invoice/discounts.ts',
	'src/tax/vat.ts',
	'src/tax/rates.ts',
	'src/api/routes.ts',
	'src/api/invoiceController.ts',
	'src/export/csv.ts',
	'src/db/invoiceRepository.ts',
	'src/money/money.ts',
	'src/money/currency.ts',
	'test/invoice/totals.test.ts',
	'test/invoice/rounding.test.ts',
	'test/tax/vat.test.ts',
	'test/export/csv.test.ts',
];

const codeLines = [
	"import { Money, multiply, add, subtract } from '../money/money';",
	"import type { LineItem, Invoice, InvoiceTotals } from './types';",
	"import { vatRateFor } from '../tax/rates';",
	"import { roundHalfEven } from './rounding';",
	'',
	'/** Sums the line items of an invoice in minor units, before discounts and tax. */',
	'export function subtotal(items: readonly LineItem[]): Money {',
	'\treturn items.reduce((sum, item) => add(sum, multiply(item.unitPrice, item.quantity)), Money.zero(items[0]?.currency));',
	'}',
	'export function applyDiscount(amount: Money, discount: Discount | undefined): Money {',
	'\tif (discount === undefined) return amount;',
	"\tif (discount.kind === 'percent') return roundHalfEven(multiply(amount, 1 - discount.value / 100));",
	'\treturn subtract(amount, discount.amount);',
	'export function computeTotals(invoice: Invoice): InvoiceTotals {',
	'\tconst net = applyDiscount(subtotal(invoice.items), invoice.discount);',
	'\tconst vat = roundHalfEven(multiply(net, vatRateFor(invoice.customer.country, invoice.issuedOn)));',
	'\treturn { net, vat, gross: add(net, vat), currency: invoice.currency };',
	'export class InvoiceRepository {',
	'\tconstructor(private readonly db: Database) {}',
	'\tasync findById(id: InvoiceId): Promise<Invoice | undefined> {',
	"\t\tconst row = await this.db.one('select * from invoices where id = $1', [id]);",
	'\t\treturn row === null ? undefined : toInvoice(row);',
	'\t}',
	'\tasync listForCustomer(customerId: CustomerId, page: PageRequest): Promise<Page<Invoice>> {',
	"\t\tconst rows = await this.db.many('select * from invoices where customer_id = $1 order by issued_on desc limit $2 offset $3', [customerId, page.size, page.offset]);",
	'\t\treturn { items: rows.map(toInvoice), total: rows.length, page };',
	"router.get('/invoices/:id', async (req, res) => {",
	'\tconst invoice = await repository.findById(req.params.id as InvoiceId);',
	"\tif (invoice === undefined) return res.status(404).json({ error: 'invoice not found' });",
	'\tres.json(serializeInvoice(invoice, computeTotals(invoice)));',
	'});',
	'export function roundHalfEven(value: Money): Money {',
	'\tconst floor = Math.floor(value.minor);',
	'\tconst diff = value.minor - floor;',
	'\tif (diff > 0.5) return { ...value, minor: floor + 1 };',
	'\tif (diff < 0.5) return { ...value, minor: floor };',
	'\treturn { ...value, minor: floor % 2 === 0 ? floor : floor + 1 };',
	"describe('computeTotals', () => {",
	"\tit('applies a percent discount before VAT', () => {",
	"\t\tconst invoice = makeInvoice({ items: [item(1999, 3)], discount: { kind: 'percent', value: 15 } });",
	"\t\texpect(computeTotals(invoice)).toEqual({ net: eur(5097), vat: eur(968), gross: eur(6065), currency: 'EUR' });",
	'\t});',
	"\tit('rounds half to even on the VAT amount', () => {",
	'\t\texpect(roundHalfEven(eur(1002.5)).minor).toBe(1002);',
	'export const vatRates: Record<CountryCode, readonly RatePeriod[]> = {',
	"\tDE: [{ from: '2020-07-01', to: '2020-12-31', rate: 0.16 }, { from: '2021-01-01', rate: 0.19 }],",
	"\tFR: [{ from: '2014-01-01', rate: 0.2 }],",
	"\tNL: [{ from: '2019-01-01', rate: 0.21 }],",
	'};',
	'export function toCsvRow(invoice: Invoice, totals: InvoiceTotals): string {',
	"\treturn [invoice.number, invoice.issuedOn, formatMoney(totals.net), formatMoney(totals.vat), formatMoney(totals.gross)].map(escapeCsv).join(',');",
	'function escapeCsv(field: string): string {',
	'\treturn /[",\\n]/.test(field) ? `"${field.replace(/"/g, \'""\')}"` : field;',
	'\t// Amounts are kept in minor units (cents) so sums never drift.',
	"\tif (items.length === 0) throw new InvoiceError('an invoice needs at least one line item');",
	'\tfor (const item of items) assertSameCurrency(item.unitPrice, currency);',
	'export interface Discount {',
	"\treadonly kind: 'percent' | 'fixed';",
	'\treadonly value: number;',
	'\treadonly amount: Money;',
];

const testFailure = [
	' FAIL  test/invoice/totals.test.ts > computeTotals > applies a percent discount before VAT',
	'AssertionError: expected { net: 5097, vat: 969, gross: 6066 } to deeply equal { net: 5097, vat: 968, gross: 6065 }',
	'',
	'- Expected',
	'+ Received',
	'',
	'  Object {',
	'    "net": 5097,',
	'-   "vat": 968,',
	'-   "gross": 6065,',
	'+   "vat": 969,',
	'+   "gross": 6066,',
	'  }',
	'',
	' ❯ test/invoice/totals.test.ts:41:36',
	"     39|     const invoice = makeInvoice({ items: [item(1999, 3)], discount: { kind: 'percent', value: 15 } });",
	'     40|     const totals = computeTotals(invoice);',
	"     41|     expect(totals).toEqual({ net: eur(5097), vat: eur(968), gross: eur(6065), currency: 'EUR' });",
	'       |                    ^',
];

const logLines = [
	'[api] GET /invoices/inv_8f2c1a 200 12ms',
	'[api] POST /invoices 201 48ms',
	'[db] query select * from invoices where customer_id = $1 order by issued_on desc limit $2 offset $3 (4.2ms)',
	'[worker] export job 1842 started: 312 invoices',
	'[worker] export job 1842 wrote 312 rows to exports/2026-03/invoices.csv',
	'[tax] rate lookup DE 2026-03-01 -> 0.19',
	'[api] GET /health 200 1ms',
	'[db] pool: 4 active, 6 idle, 0 waiting',
	'warn: [money] rounding 1002.5 cents half-even -> 1002',
	'[api] GET /invoices?customer=cus_41 200 31ms',
];

const prompts = [
	'Invoice totals are off by a cent when a percent discount and VAT both apply (customer ticket BILL-412). Find the cause, fix it and add a regression test.',
	'Add a CSV export endpoint GET /invoices/export?from=&to= that streams rows with number, date, net, VAT and gross. Reuse computeTotals.',
	'The German VAT rate table is wrong for the second half of 2020. Check src/tax/rates.ts against the tests and fix it.',
	'Refactor InvoiceRepository.listForCustomer so the total count is correct (it returns the page size today) and cover it with a test.',
	'Run the whole test suite and the type checker, fix whatever fails, and tell me what you changed.',
];

const closings = [
	'Fixed. The discounted net is now rounded half-even before VAT is applied, so VAT and gross match the ledger. I added a regression test for BILL-412; the suite and `tsc --noEmit` pass.',
	'The export endpoint is in place: GET /invoices/export streams one CSV row per invoice using computeTotals, with fields escaped. Tests cover escaping and the date filter.',
	'The DE table now has the 16% period from 2020-07-01 to 2020-12-31 and 19% from 2021. The VAT tests for both periods pass.',
	'listForCustomer now runs a separate count query, so `total` is the number of matching invoices rather than the page size. A test covers a customer with 57 invoices.',
	'Everything passes now. I fixed two failing tests (a stale fixture and the rounding order) and one type error in the CSV export.',
];

/** What the assistant is doing in a turn; thinking and remarks are picked to match it. */
type Phase = 'plan' | 'explore' | 'reproduce' | 'fix' | 'verify' | 'more' | 'close';

const thoughts: Record<Phase, readonly string[]> = {
	plan: [
		'The ticket says totals are off by one cent. The likely suspects are the discount rounding and the VAT rounding: if the discount is rounded half-even and then VAT is computed on the rounded net, we could get a different cent than rounding once at the end. I will plan the steps first.',
		'This needs a route, a streaming CSV writer and tests. Before writing anything I want a short plan so nothing is missed.',
	],
	explore: [
		'Let me read totals.ts and rounding.ts first to see the order in which discount, rounding and VAT are applied.',
		'I need to see how routes are registered before adding the endpoint, and whether there is already a streaming helper in the API layer.',
	],
	reproduce: [
		'Before changing code I want to see the failure from the test suite itself, so the fix can be checked against it.',
	],
	fix: [
		'The failing expectation is vat 968 but we produce 969. 5097 * 0.19 = 968.43, which rounds to 968, so the input to the VAT step must be different: probably the unrounded discounted net (5096.55) is used. The discount result should be rounded before VAT.',
		'The edit failed because the whitespace in old_string did not match the file. I will copy the exact lines from the Read output.',
	],
	verify: [
		'Tests pass now. I should also check the type checker, since the signature of applyDiscount changed, and make sure no other caller relied on the old behaviour.',
	],
	more: [
		'The grep shows three callers of computeTotals. Only the controller and the CSV export need the totals, so changing the return type is safe.',
		'The API log shows the rounding warning for 1002.5 cents, which is the half-even path working as intended.',
	],
	close: ['Everything is green. Time to summarise what changed and why for the user.'],
};

const remarks: Record<Phase, readonly string[]> = {
	plan: ["I'll track this with a short todo list."],
	explore: [
		"I'll start by looking at how totals are computed and rounded.",
		'Let me read the relevant files.',
	],
	reproduce: ['Let me run the tests to see the current failure.'],
	fix: [
		'The discount is applied to the unrounded amount, so VAT is computed on a fractional net. Let me fix that.',
		'Let me retry the edit with the exact text from the file.',
	],
	verify: ['Now let me run the tests again.', 'The type checker is clean as well.'],
	more: [
		'Let me check where else this function is used.',
		'Let me update the todo list.',
		'Let me look at the log.',
	],
	close: [],
};

type Rng = () => number;

/** State of one generation: PRNG, clock, chain and a running context size. */
class SessionWriter {
	readonly chunks: string[] = [];
	bytes = 0;
	records = 0;
	private parent: string | null = null;
	private clock: number;
	contextTokens = baseContextTokens;
	private readonly files = new Map<string, string[]>();
	readonly sessionId: string;
	/** Longest file or log body in lines: small sessions get short bodies so they still hold several turns. */
	readonly maxBodyLines: number;

	constructor(
		readonly rng: Rng,
		sessionId: string | undefined,
		targetBytes: number,
	) {
		this.maxBodyLines = Math.max(6, Math.min(260, Math.round(targetBytes / 3000)));
		this.clock = Date.UTC(2026, 2, 2, 9, 14, 0) + Math.floor(rng() * 3_600_000);
		this.sessionId = sessionId ?? this.uuid();
	}

	int(below: number): number {
		return Math.floor(this.rng() * below);
	}

	pick<T>(items: readonly T[]): T {
		return items[this.int(items.length)]!;
	}

	chance(p: number): boolean {
		return this.rng() < p;
	}

	token(prefix: string, length: number): string {
		let out = prefix;
		for (let i = 0; i < length; i++) out += base62[this.int(62)];
		return out;
	}

	/** 32 random bits as 8 hex digits (one PRNG draw holds only 32 bits). */
	hex8(): string {
		return Math.floor(this.rng() * 0x100000000)
			.toString(16)
			.padStart(8, '0');
	}

	uuid(): string {
		const a = this.hex8();
		const b = this.hex8();
		const c = this.hex8();
		const d = this.hex8();
		const variant = (8 + this.int(4)).toString(16);
		return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
	}

	tick(minMs: number, maxMs: number): string {
		this.clock += minMs + this.int(maxMs - minMs);
		return new Date(this.clock).toISOString();
	}

	emit(record: Record<string, unknown>): void {
		const line = JSON.stringify(record);
		this.chunks.push(line);
		// Characters stand in for bytes: nearly all text is ASCII and the target is approximate anyway.
		this.bytes += line.length + 1;
		this.records++;
	}

	/** Writes a conversation record chained to `parent` (or the previous one); returns its uuid. */
	chained(
		type: 'user' | 'assistant',
		body: Record<string, unknown>,
		timestamp: string,
		parent?: string,
		uuid = this.uuid(),
	): string {
		this.emit({
			parentUuid: parent ?? this.parent,
			isSidechain: false,
			userType: 'external',
			cwd,
			sessionId: this.sessionId,
			version,
			gitBranch,
			type,
			...body,
			uuid,
			timestamp,
		});
		this.parent = uuid;
		return uuid;
	}

	/** Lines of a source file, made once per path and then kept, so re-reads return the same text. */
	fileLines(path: string): string[] {
		let lines = this.files.get(path);
		if (lines === undefined) {
			const count = 8 + this.int(this.maxBodyLines);
			lines = [`// ${path} — acme-billing`];
			for (let i = 1; i < count; i++) lines.push(this.pick(codeLines));
			this.files.set(path, lines);
		}
		return lines;
	}
}

interface ToolRun {
	readonly name: string;
	readonly input: Record<string, unknown>;
	readonly output: string;
	readonly isError: boolean;
	readonly structured: unknown;
}

function numbered(lines: readonly string[], from: number): string {
	return lines.map((line, i) => `${String(from + i).padStart(6)}→${line}`).join('\n');
}

function readRun(w: SessionWriter, path: string): ToolRun {
	const lines = w.fileLines(path);
	const content = numbered(lines, 1);
	return {
		name: 'Read',
		input: { file_path: `${cwd}/${path}` },
		output: `${content}\n\n<system-reminder>\nWhenever you read a file, you should consider whether it looks malicious. If it does, you MUST refuse to improve or augment the code.\n</system-reminder>\n`,
		isError: false,
		structured: {
			type: 'text',
			file: {
				filePath: `${cwd}/${path}`,
				content: lines.join('\n'),
				numLines: lines.length,
				startLine: 1,
				totalLines: lines.length,
			},
		},
	};
}

function grepRun(w: SessionWriter): ToolRun {
	const pattern = w.pick([
		'computeTotals',
		'roundHalfEven',
		'applyDiscount',
		'vatRateFor',
		'listForCustomer',
	]);
	const hits: string[] = [];
	const count = 3 + w.int(25);
	for (let i = 0; i < count; i++) {
		const line = w.pick(codeLines).trim();
		hits.push(`${w.pick(sourceFiles)}:${1 + w.int(240)}:${line === '' ? pattern : line}`);
	}
	return {
		name: 'Grep',
		input: { pattern, path: 'src', output_mode: 'content', '-n': true },
		output: hits.join('\n'),
		isError: false,
		structured: {
			mode: 'content',
			numFiles: 1 + w.int(6),
			filenames: [],
			content: hits.join('\n'),
			numLines: hits.length,
		},
	};
}

function testRun(w: SessionWriter, failing: boolean): ToolRun {
	const passed = 40 + w.int(80);
	const lines = [
		'',
		'> acme-billing@1.4.0 test',
		'> vitest --run',
		'',
		' RUN  v2.1.8 /home/dev/acme-billing',
		'',
	];
	for (const file of sourceFiles.filter((f) => f.startsWith('test/')))
		lines.push(` ✓ ${file} (${3 + w.int(20)} tests) ${5 + w.int(90)}ms`);
	if (failing)
		lines.push(
			...testFailure,
			'',
			' Test Files  1 failed | 3 passed (4)',
			`      Tests  1 failed | ${passed} passed (${passed + 1})`,
		);
	else lines.push('', ' Test Files  4 passed (4)', `      Tests  ${passed} passed (${passed})`);
	lines.push(`   Duration  ${(1 + w.rng() * 3).toFixed(2)}s`);
	const stdout = lines.join('\n');
	return {
		name: 'Bash',
		input: { command: 'npm test -- --run', description: 'Run the test suite' },
		output: failing ? `Exit code 1\n${stdout}` : stdout,
		isError: failing,
		structured: { stdout, stderr: '', interrupted: false, isImage: false },
	};
}

function shellRun(w: SessionWriter): ToolRun {
	const kind = w.int(3);
	let command: string;
	let description: string;
	let stdout: string;
	if (kind === 0) {
		command = 'npx tsc --noEmit -p tsconfig.json';
		description = 'Type check the project';
		stdout = '';
	} else if (kind === 1) {
		command = 'git status --short && git diff --stat';
		description = 'Show changed files';
		stdout = ` M src/invoice/totals.ts\n M test/invoice/totals.test.ts\n src/invoice/totals.ts       | ${2 + w.int(9)} ++--\n test/invoice/totals.test.ts | ${4 + w.int(20)} ++++\n 2 files changed`;
	} else {
		command = 'tail -n 400 logs/api.log';
		description = 'Read the recent API log';
		const lines: string[] = [];
		const count = 10 + w.int(w.maxBodyLines * 1.5);
		for (let i = 0; i < count; i++)
			lines.push(
				`2026-03-02T0${w.int(10)}:${String(w.int(60)).padStart(2, '0')}:${String(w.int(60)).padStart(2, '0')}Z ${w.pick(logLines)}`,
			);
		stdout = lines.join('\n');
	}
	return {
		name: 'Bash',
		input: { command, description },
		// Claude Code tells the model about empty output instead of sending nothing.
		output: stdout === '' ? 'Tool ran without output or errors' : stdout,
		isError: false,
		structured: { stdout, stderr: '', interrupted: false, isImage: false },
	};
}

function editRun(w: SessionWriter, path: string, fails: boolean): ToolRun {
	const lines = w.fileLines(path);
	const at = w.int(Math.max(1, lines.length - 4));
	const oldString = lines.slice(at, at + 2).join('\n');
	const newString = `${oldString}\n\t// Round the discounted net before VAT so the cents match the ledger (BILL-412).`;
	if (fails) {
		return {
			name: 'Edit',
			input: { file_path: `${cwd}/${path}`, old_string: `${oldString} `, new_string: newString },
			output: `<tool_use_error>String to replace not found in file.\nString: ${oldString} </tool_use_error>`,
			isError: true,
			structured: 'Error: String to replace not found in file.',
		};
	}
	const originalFile = lines.join('\n');
	lines.splice(
		at + 2,
		0,
		'\t// Round the discounted net before VAT so the cents match the ledger (BILL-412).',
	);
	const snippet = numbered(lines.slice(Math.max(0, at - 3), at + 6), Math.max(1, at - 2));
	return {
		name: 'Edit',
		input: { file_path: `${cwd}/${path}`, old_string: oldString, new_string: newString },
		output: `The file ${cwd}/${path} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${snippet}`,
		isError: false,
		structured: {
			filePath: `${cwd}/${path}`,
			oldString,
			newString,
			originalFile,
			structuredPatch: [],
			userModified: false,
			replaceAll: false,
		},
	};
}

function writeRun(w: SessionWriter): ToolRun {
	const path = `test/regression/bill-${400 + w.int(99)}.test.ts`;
	const body: string[] = [
		"import { describe, it, expect } from 'vitest';",
		"import { computeTotals } from '../../src/invoice/totals';",
	];
	for (let i = 0; i < 10 + w.int(30); i++) body.push(w.pick(codeLines));
	return {
		name: 'Write',
		input: { file_path: `${cwd}/${path}`, content: body.join('\n') },
		output: `File created successfully at: ${cwd}/${path}`,
		isError: false,
		structured: { type: 'create', filePath: `${cwd}/${path}`, content: body.join('\n'), structuredPatch: [] },
	};
}

function todoRun(w: SessionWriter, step: number): ToolRun {
	const items = [
		'Reproduce the failure with a test',
		'Find where the rounding happens',
		'Fix the rounding order',
		'Run tests and type check',
	];
	const todos = items.map((content, i) => ({
		content,
		status: i < step ? 'completed' : i === step ? 'in_progress' : 'pending',
		activeForm: `${content.split(' ')[0]}ing`,
	}));
	return {
		name: 'TodoWrite',
		input: { todos },
		output:
			'Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress. Please proceed with the current tasks if applicable',
		isError: false,
		structured: { oldTodos: [], newTodos: todos },
	};
}

/** One API response written as split records (thinking, text, each tool_use), then its tool results. */
function assistantTurn(w: SessionWriter, phase: Phase, runs: readonly ToolRun[], closingText?: string): void {
	const messageId = w.token('msg_01', 22);
	const requestId = w.token('req_011C', 20);
	const blocks: Record<string, unknown>[] = [];
	if (w.chance(0.7)) {
		// The signature is opaque base64 in real files; only its presence and size matter here.
		blocks.push({
			type: 'thinking',
			thinking: w.pick(thoughts[phase]),
			signature: w.token('Eq', 180 + w.int(200)),
		});
	}
	if (closingText !== undefined) blocks.push({ type: 'text', text: closingText });
	else if (remarks[phase].length > 0 && w.chance(0.6))
		blocks.push({ type: 'text', text: w.pick(remarks[phase]) });
	const callIds = runs.map(() => w.token('toolu_01', 22));
	runs.forEach((run, i) =>
		blocks.push({ type: 'tool_use', id: callIds[i], name: run.name, input: run.input }),
	);
	const addedTokens = Math.round(blocks.reduce((sum, b) => sum + JSON.stringify(b).length, 0) / 3.6);
	const cacheRead = w.contextTokens;
	const outputTokens = 20 + addedTokens;
	const toolUseUuids: string[] = [];
	blocks.forEach((block, i) => {
		const isLast = i === blocks.length - 1;
		const uuid = w.chained(
			'assistant',
			{
				message: {
					model,
					id: messageId,
					type: 'message',
					role: 'assistant',
					content: [block],
					stop_reason: isLast ? (runs.length > 0 ? 'tool_use' : 'end_turn') : null,
					stop_sequence: null,
					usage: {
						input_tokens: 3 + w.int(8),
						cache_creation_input_tokens: 200 + w.int(1800),
						cache_read_input_tokens: cacheRead,
						cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
						// Intermediate records of a split response carry a placeholder output count.
						output_tokens: isLast ? outputTokens : 1 + w.int(8),
						service_tier: 'standard',
					},
				},
				requestId,
			},
			w.tick(400, 4000),
		);
		if (block['type'] === 'tool_use') toolUseUuids.push(uuid);
	});
	w.contextTokens += addedTokens;
	runs.forEach((run, i) => {
		// Claude Code 2.x hangs each parallel result off its own tool_use record; the next turn follows the last one.
		w.chained(
			'user',
			{
				message: {
					role: 'user',
					content: [
						{
							tool_use_id: callIds[i],
							type: 'tool_result',
							content: run.output,
							...(run.isError ? { is_error: true } : {}),
						},
					],
				},
				toolUseResult: run.structured,
			},
			w.tick(30, 6000),
			toolUseUuids[i],
		);
		w.contextTokens += Math.round(run.output.length / 3.6);
	});
}

/** One task: plan, explore, a failing test run, a fix (sometimes after a failed edit), a passing run, then more work. */
function workOnTask(w: SessionWriter, targetBytes: number): void {
	const target = () => w.pick(sourceFiles.slice(0, 12));
	const reads = () => Array.from({ length: 1 + w.int(3) }, () => readRun(w, w.pick(sourceFiles)));
	assistantTurn(w, 'plan', [todoRun(w, 0)]);
	assistantTurn(w, 'explore', reads());
	assistantTurn(w, 'reproduce', [testRun(w, true)]);
	assistantTurn(w, 'more', [todoRun(w, 1)]);
	if (w.chance(0.4)) assistantTurn(w, 'fix', [editRun(w, target(), true)]);
	assistantTurn(w, 'fix', [editRun(w, target(), false)]);
	assistantTurn(w, 'verify', [testRun(w, false)]);
	const extra = 2 + w.int(10);
	for (let step = 0; step < extra && w.bytes < targetBytes; step++) {
		const roll = w.int(10);
		if (roll < 3) assistantTurn(w, 'explore', reads());
		else if (roll < 5) assistantTurn(w, 'more', [grepRun(w)]);
		else if (roll < 7) assistantTurn(w, 'more', [shellRun(w)]);
		else if (roll < 8) assistantTurn(w, 'fix', [editRun(w, target(), w.chance(0.2))]);
		else if (roll < 9) assistantTurn(w, 'fix', [writeRun(w)]);
		else assistantTurn(w, 'more', [todoRun(w, 3)]);
	}
	assistantTurn(w, 'verify', [testRun(w, false), shellRun(w)]);
}

function userPrompt(w: SessionWriter, text: string): void {
	const uuid = w.uuid();
	const timestamp = w.tick(20_000, 180_000);
	w.emit({
		type: 'file-history-snapshot',
		messageId: uuid,
		snapshot: { messageId: uuid, trackedFileBackups: {}, timestamp },
		isSnapshotUpdate: false,
	});
	w.chained(
		'user',
		{
			message: { role: 'user', content: text },
			thinkingMetadata: { level: 'high', disabled: false, triggers: [] },
			todos: [],
		},
		timestamp,
		undefined,
		uuid,
	);
	w.contextTokens += Math.round(text.length / 3.6);
}

/**
 * A deterministic, realistic Claude Code session (v2.0.x shapes) for a made-up TypeScript billing project:
 * prompts, split assistant responses with thinking and tool calls, tool results, a failing then passing test run,
 * failed edits, bookkeeping records. Stops at the end of the turn that reaches `targetBytes`.
 */
export function generateClaudeSession(options: GenerateClaudeSessionOptions): string {
	const rng = mulberry32(options.seed);
	const w = new SessionWriter(rng, options.sessionId, options.targetBytes);
	let task = 0;
	while (w.bytes < options.targetBytes || task === 0) {
		const index = task % prompts.length;
		userPrompt(w, prompts[index]!);
		task++;
		workOnTask(w, options.targetBytes);
		assistantTurn(w, 'close', [], closings[index]!);
	}
	return `${w.chunks.join('\n')}\n`;
}

/** Parses a byte count such as `65536`, `64k`, `10MB`. */
export function parseByteCount(text: string): number | undefined {
	const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(text.trim());
	if (match === null) return undefined;
	const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
		match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'
	];
	return Math.round(Number(match[1]) * scale);
}

function runCli(argv: readonly string[]): number {
	const value = (flag: string) => {
		const at = argv.indexOf(flag);
		return at === -1 ? undefined : argv[at + 1];
	};
	const seed = Number(value('--seed') ?? '1');
	const bytes = parseByteCount(value('--bytes') ?? '');
	const out = value('--out');
	if (!Number.isInteger(seed) || bytes === undefined || out === undefined) {
		process.stderr.write(
			'usage: npx tsx bench/generateClaudeSession.ts --seed N --bytes B[k|MB] --out FILE\n',
		);
		return 2;
	}
	const started = performance.now();
	const text = generateClaudeSession({ seed, targetBytes: bytes });
	writeFileSync(out, text);
	const seconds = (performance.now() - started) / 1000;
	process.stdout.write(
		`${out}: ${text.split('\n').length - 1} records, ${Buffer.byteLength(text)} bytes in ${seconds.toFixed(2)}s\n`,
	);
	return 0;
}

if (/generateClaudeSession\.[cm]?[jt]s$/.test(process.argv[1] ?? ''))
	process.exitCode = runCli(process.argv.slice(2));
