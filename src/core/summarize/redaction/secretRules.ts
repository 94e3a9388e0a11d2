/** One range of text to redact: UTF-16 offsets `[start, end)` and the kind of secret found there. */
export interface SecretRange {
	readonly start: number;
	readonly end: number;
	readonly kind: string;
}

/** A pattern for a secret the recommended secretlint preset misses; patterns with a `group` use the `d` flag. */
export interface SecretRule {
	readonly kind: string;
	readonly pattern: RegExp;
	/** Index of the capture group holding the secret; 0 redacts the whole match. */
	readonly group: number;
	/** Rejects matches that are not secrets (placeholders, variable references, plain words); `name` is group `nameGroup`. */
	readonly accept?: (value: string, name: string) => boolean;
	/** Capture group holding the variable name, passed to `accept`. */
	readonly nameGroup?: number;
	/** The match must start a word or a camelCase part (`dbPassword`, not `bypass`); checked outside the regex to keep it linear. */
	readonly isWordStart?: boolean;
}

// Values that name a secret instead of holding one: keeping them tells the summary where credentials come from.
const placeholder =
	/^(?:\[REDACTED[^\]]*\]?|<[^>]*>?|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_]+%|(?:process\.env|os\.environ|env)\b.*|\*+|x+|\.\.\.|null|none|nil|undefined|true|false|changeme|your[-_a-z]*|example|redacted)$/i;

function isPlaceholder(value: string): boolean {
	return placeholder.test(value.replace(/^["'`]|["'`]$/g, ''));
}

// `token = tokenize(text)` is code, not a credential: a generic secret name needs a value that looks generated.
function looksGenerated(value: string): boolean {
	return (
		value.length >= 8 &&
		/[A-Za-z]/.test(value) &&
		/\d/.test(value) &&
		!/[()]/.test(value) &&
		!isPlaceholder(value)
	);
}

// Only the last word of a name: prefixes (`db_`, `client.`) are matched by position (isWordStart), because a
// repeated-prefix group in the pattern backtracks quadratically on long dotted or snake_case runs.
const secretName = String.raw`(?:secret(?:[_-]?key)?|token|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|client[_-]?secret|private[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|credentials?)`;
const passwordName = String.raw`(?:password|passwd|passphrase|pass|pwd)`;
const envSecretName = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS|PWD|CREDENTIAL|AUTH|DSN|PRIVATE/;
// Quotes may be JSON-escaped (`\"`) when the assignment sits inside tool-call arguments.
const assignment = String.raw`(?:\\?["'])?\s*(?::|=|:=|=>)\s*(?:\\?["'\x60])?`;
const value = String.raw`((?:[^\s"'\x60,;)}\]\\]|\\(?!["']))+)`;

/**
 * R7/R12: what `@secretlint/secretlint-rule-preset-recommend` does not cover (or covers only in some shapes): OpenAI
 * and Anthropic keys, bearer tokens, JWTs, private key blocks, connection strings with passwords, `password=` and
 * `secret:` assignments, `.env` lines, plus common cloud tokens whose test values secretlint skips.
 */
export const extraSecretRules: readonly SecretRule[] = Object.freeze([
	{ kind: 'anthropic-key', pattern: /\bsk-ant-(?:api|admin|oat|sid)\d{2}-[A-Za-z0-9_-]{20,}/g, group: 0 },
	{
		kind: 'openai-key',
		pattern: /\bsk-(?!ant-)(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{32,})/g,
		group: 0,
	},
	{
		// The body may not contain '-----', so each BEGIN scans only up to the next armour line: linear overall.
		kind: 'private-key',
		pattern:
			/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----)[\s\S]){0,16000}-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\]*)/g,
		group: 0,
	},
	{ kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, group: 0 },
	{
		kind: 'bearer-token',
		pattern: /\b(?:Bearer|Token|Basic)\s+([A-Za-z0-9._~+/=-]{16,})/dg,
		group: 1,
		accept: (v) => !isPlaceholder(v),
	},
	{
		kind: 'connection-string',
		pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@'"<>[\]]+:([^\s@'"<>/[\]]+)@[^\s'"<>]+/dgi,
		group: 1,
		accept: (v) => !isPlaceholder(v),
	},
	{ kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/g, group: 0 },
	{
		kind: 'github-token',
		pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g,
		group: 0,
	},
	{ kind: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g, group: 0 },
	{ kind: 'stripe-key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g, group: 0 },
	{
		// Also after a JSON-escaped newline: .env files often arrive inside Write tool arguments.
		kind: 'env',
		pattern:
			/(?:^|(?<=\\n))[ \t]*(?:export[ \t]+)?([A-Z][A-Z0-9_]*)[ \t]*=[ \t]*["']?((?:[^\s"'#\\]|\\(?!["']))+)/dgm,
		group: 2,
		nameGroup: 1,
		accept: (v, name) => envSecretName.test(name) && v.length >= 3 && !isPlaceholder(v),
	},
	{
		kind: 'password',
		pattern: new RegExp(String.raw`${passwordName}${assignment}${value}`, 'dgi'),
		group: 1,
		isWordStart: true,
		accept: (v) => v.length >= 3 && !isPlaceholder(v),
	},
	{
		kind: 'secret-assignment',
		pattern: new RegExp(String.raw`${secretName}${assignment}${value}`, 'dgi'),
		group: 1,
		isWordStart: true,
		accept: looksGenerated,
	},
]);

function isAlphanumeric(code: number): boolean {
	return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** True when `at` starts a word, or an uppercase letter there follows a lowercase letter or digit (camelCase). */
function isWordStart(text: string, at: number): boolean {
	if (at === 0) return true;
	const before = text.charCodeAt(at - 1);
	if (!isAlphanumeric(before)) return true;
	const here = text.charCodeAt(at);
	return here >= 65 && here <= 90 && !(before >= 65 && before <= 90);
}

/** Every range the extra rules find in `text`, in rule order (not sorted, may overlap). */
export function findExtraSecrets(
	text: string,
	rules: readonly SecretRule[] = extraSecretRules,
): SecretRange[] {
	const ranges: SecretRange[] = [];
	for (const rule of rules) {
		rule.pattern.lastIndex = 0;
		for (const match of text.matchAll(rule.pattern)) {
			const secret = match[rule.group];
			if (secret === undefined || secret === '') continue;
			if (rule.isWordStart === true && !isWordStart(text, match.index)) continue;
			const name = rule.nameGroup !== undefined ? (match[rule.nameGroup] ?? '') : '';
			if (rule.accept !== undefined && !rule.accept(secret, name)) continue;
			const span = rule.group === 0 ? undefined : match.indices?.[rule.group];
			const start = span === undefined ? match.index : span[0];
			ranges.push({ start, end: start + secret.length, kind: rule.kind });
		}
	}
	return ranges;
}
