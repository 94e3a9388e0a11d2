import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { findExtraSecrets } from './secretRules';
import type { SecretRange } from './secretRules';

/** How many secrets of one kind were replaced. */
export interface RedactionFinding {
	readonly kind: string;
	readonly count: number;
}

/** A text with every secret found replaced by `[redacted: kind]`; `findings` is sorted by kind. */
export interface Redaction {
	readonly text: string;
	readonly findings: readonly RedactionFinding[];
}

/** Several texts redacted together; `texts[i]` is the redacted `input[i]`. */
export interface RedactionOfTexts {
	readonly texts: readonly string[];
	readonly findings: readonly RedactionFinding[];
}

/** The marker that stands where a secret of `kind` was; `kind` is a plain name such as `aws-secret-key`. */
export function redactionMarker(kind: string): string {
	return `[redacted: ${kind}]`;
}

// Typed through lintSource so @secretlint/types need not be a direct dependency.
const secretlintConfig: Parameters<typeof lintSource>[0]['options']['config'] = {
	rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }],
};

// A NUL line between texts: no secret pattern spans it, so one lint call serves every text.
const separator = '\n\u0000\n';

// secretlint names rules after vendors and messages after its own ids; people read the kind of secret instead.
const secretlintKinds: Readonly<Record<string, string>> = {
	AWSAccessKeyID: 'aws-access-key',
	AWSSecretAccessKey: 'aws-secret-key',
	BasicAuth: 'basic-auth',
	IncomingWebhook: 'slack-webhook',
	MongoDBConnection: 'connection-string',
	MySQLConnection: 'connection-string',
	PostgreSQLConnection: 'connection-string',
	PrivateKey: 'private-key',
	PrivateKeyJSON: 'private-key',
	PrivateKeyP12: 'private-key',
	Npmrc_authToken: 'npm-token',
	NPM_ACCESS_TOKEN: 'npm-token',
	PackageJSON_xOauthToken: 'npm-token',
	OPENAI_TOKEN: 'openai-key',
	ANTHROPIC_API_KEY: 'anthropic-key',
	SENDGRID_KEY: 'sendgrid-key',
	SHOPIFY_KEY: 'shopify-token',
	LINEAR_API_TOKEN: 'linear-key',
	GROQ_API_KEY: 'groq-key',
	SLACK_TOKEN: 'slack-token',
	GITHUB_TOKEN: 'github-token',
};

// An AWS account id is an identifier, not a credential: ARNs must reach the summary intact.
const ignoredSecretlintMessages = new Set(['AWSAccountID']);

function kindOfMessage(ruleId: string, messageId: string | undefined): string {
	const known = messageId !== undefined ? secretlintKinds[messageId] : undefined;
	if (known !== undefined) return known;
	const vendor = ruleId.slice(ruleId.lastIndexOf('/') + 1).replace(/^secretlint-rule-/, '');
	return vendor === '' ? 'secret' : `${vendor}-token`;
}

// secretlint marks a whole URL or `NAME=value`; only the credential inside is redacted, so hosts and names stay.
const urlPassword = /:\/\/[^\s:/@]*:([^\s@]+)@/d;
const assignedValue = /^[A-Za-z_][\w.-]*["']?\s*[:=]\s*["']?([^"'\s\\]+)["']?$/d;

function narrowRange(text: string, range: SecretRange): SecretRange {
	const slice = text.slice(range.start, range.end);
	const inner = (urlPassword.exec(slice) ?? assignedValue.exec(slice))?.indices?.[1];
	if (inner === undefined) return range;
	return { start: range.start + inner[0], end: range.start + inner[1], kind: range.kind };
}

async function secretlintRanges(text: string): Promise<SecretRange[]> {
	const result = await lintSource({
		source: { content: text, filePath: '/context-lens/summary-input.txt', contentType: 'text' },
		options: { config: secretlintConfig, noPhysicFilePath: true },
	});
	const ranges: SecretRange[] = [];
	for (const message of result.messages) {
		if (message.type !== 'message' || ignoredSecretlintMessages.has(message.messageId ?? '')) continue;
		const [start, end] = message.range;
		if (end > start)
			ranges.push(narrowRange(text, { start, end, kind: kindOfMessage(message.ruleId, message.messageId) }));
	}
	return ranges;
}

const markerPattern = /\[redacted: [a-z0-9-]+\]/g;

/** Ranges that touch no redaction marker already in the text, so redacting twice changes nothing. */
function outsideMarkers<T extends SecretRange>(text: string, ranges: readonly T[]): T[] {
	const markers = [...text.matchAll(markerPattern)].map((m) => [m.index, m.index + m[0].length] as const);
	if (markers.length === 0) return [...ranges];
	return ranges.filter((range) => {
		let low = 0;
		let high = markers.length;
		// First marker ending after the range starts; it overlaps when it also starts before the range ends.
		while (low < high) {
			const mid = (low + high) >> 1;
			if ((markers[mid]?.[1] ?? 0) <= range.start) low = mid + 1;
			else high = mid;
		}
		const marker = markers[low];
		return marker === undefined || marker[0] >= range.end;
	});
}

/** A found range and its rule's rank: on equal ranges the lower rank names the kind (secretlint, then shapes, then context). */
type RankedRange = SecretRange & { readonly rule: number };

/** Sorted, non-overlapping ranges; where two overlap the longer one names the kind. */
function mergeRanges(ranges: readonly RankedRange[]): SecretRange[] {
	const sorted = [...ranges].sort((a, b) => a.start - b.start || b.end - a.end || a.rule - b.rule);
	const merged: SecretRange[] = [];
	for (const range of sorted) {
		const last = merged[merged.length - 1];
		if (last !== undefined && range.start < last.end) {
			if (range.end > last.end) {
				const kind = range.end - range.start > last.end - last.start ? range.kind : last.kind;
				merged[merged.length - 1] = { start: last.start, end: range.end, kind };
			}
			continue;
		}
		merged.push(range);
	}
	return merged;
}

function countFindings(ranges: readonly SecretRange[]): RedactionFinding[] {
	const counts = new Map<string, number>();
	for (const range of ranges) counts.set(range.kind, (counts.get(range.kind) ?? 0) + 1);
	return [...counts.entries()]
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([kind, count]) => ({ kind, count }));
}

/** `text` with the given sorted, disjoint ranges (offsets relative to `offset`) replaced by their markers. */
function applyRanges(text: string, offset: number, ranges: readonly SecretRange[]): string {
	if (ranges.length === 0) return text;
	const out: string[] = [];
	let at = 0;
	for (const range of ranges) {
		const start = Math.max(0, range.start - offset);
		const end = Math.min(text.length, range.end - offset);
		if (end <= start) continue;
		out.push(text.slice(at, start), redactionMarker(range.kind));
		at = end;
	}
	out.push(text.slice(at));
	return out.join('');
}

/**
 * The text with each JSON escape `\\n`, `\\r` or `\\t` turned into a backslash and the real character: same length
 * and offsets, but a line inside tool arguments starts a line for the rules (`\\nAKIA…` has no word boundary).
 */
function withRealLineBreaks(text: string): string {
	if (!text.includes('\\')) return text;
	return text.replace(/\\(?:\\|n|r|t)/g, (escape) => {
		switch (escape[1]) {
			case 'n':
				return '\\\n';
			case 'r':
				return '\\\r';
			case 't':
				return '\\\t';
			default:
				return escape;
		}
	});
}

/**
 * R7/R12: redacts secrets in several texts with one secretlint call over their joined text (recommended preset plus
 * our own rules), then maps each range back to the texts it covers; a range that crosses texts is redacted in each.
 */
export async function redactTexts(texts: readonly string[]): Promise<RedactionOfTexts> {
	const joined = texts.join(separator);
	const scanned = withRealLineBreaks(joined);
	const found: RankedRange[] = [
		...(await secretlintRanges(scanned)).map((range) => ({ ...range, rule: -1 })),
		...findExtraSecrets(scanned),
	];
	// A range never ends on the backslash of an escape (`…\\n` in JSON), so the redacted text stays valid JSON.
	const ranges = mergeRanges(outsideMarkers(joined, found))
		.map((r) => (joined[r.end - 1] === '\\' ? { ...r, end: r.end - 1 } : r))
		.filter((r) => r.end > r.start);
	if (ranges.length === 0) return { texts: [...texts], findings: [] };
	const out: string[] = [];
	let offset = 0;
	let first = 0;
	for (const text of texts) {
		const end = offset + text.length;
		while (first < ranges.length && (ranges[first]?.end ?? 0) <= offset) first += 1;
		const mine: SecretRange[] = [];
		for (let i = first; i < ranges.length; i += 1) {
			const range = ranges[i];
			if (range === undefined || range.start >= end) break;
			mine.push(range);
		}
		out.push(applyRanges(text, offset, mine));
		offset = end + separator.length;
	}
	return { texts: out, findings: countFindings(ranges) };
}

/** R7/R12: `text` with every secret found replaced by `[redacted: kind]`, and how many of each kind. */
export async function redactSecrets(text: string): Promise<Redaction> {
	const result = await redactTexts([text]);
	return { text: result.texts[0] ?? '', findings: result.findings };
}
