/** One range of text to redact: UTF-16 offsets `[start, end)` and the kind of secret found there. */
export interface SecretRange {
	readonly start: number;
	readonly end: number;
	readonly kind: string;
}

/** What a rule's `accept` and `kindOf` see of one match. */
export interface SecretMatch {
	/** The candidate secret (the rule's group). */
	readonly value: string;
	/** The whole name the value is assigned to (`DB_PASSWORD`, `client_secret`), or '' when the rule has none. */
	readonly name: string;
	/** The text of the line before the match, at most `lineContextChars` characters. */
	readonly lineBefore: string;
	/** The text after the match up to the end of its line, at most `lineContextChars` characters. */
	readonly lineAfter: string;
}

/** A pattern for a secret the recommended secretlint preset misses; patterns with groups use the `d` flag. */
export interface SecretRule {
	readonly kind: string;
	readonly pattern: RegExp;
	/** Capture groups that may hold the secret, first defined one wins; [0] redacts the whole match. */
	readonly groups: readonly number[];
	/** Rejects matches that are not secrets (placeholders, variable references, plain words, paths). */
	readonly accept?: (match: SecretMatch) => boolean;
	/** The kind to report when it depends on the name or the value (`DB_PASSWORD` is a password, `API_KEY` an api-key). */
	readonly kindOf?: (match: SecretMatch) => string;
	/** Capture group holding the last word of the name; the whole name is read backwards from it. */
	readonly nameGroup?: number;
	/** The match must start a word or a camelCase part (`dbPassword`, not `bypass`); checked outside the regex to keep it linear. */
	readonly isWordStart?: boolean;
}

const lineContextChars = 300;

// Values that name a secret instead of holding one: keeping them tells the summary where credentials come from.
const placeholder =
	/^(?:\[redacted[^\]]*\]?|<[^>]*>?|\$\{\{.*|\{\{.*|\$\(.*|`.*|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_]+%|%s|(?:process\.env|os\.environ|os\.getenv|env|secrets|vars|ENV)\b.*|\*+|x{3,}|X{3,}|\.\.\.|…|null|none|nil|undefined|true|false|yes|no|on|off|changeme|your[-_a-z]*|YOUR[-_A-Z]*|example|redacted|secret|password|token|string|str|number|int|bool|boolean|bytes|any|unknown|object|optional\b.*|secretstr|required|empty|hidden|masked|dummy|test|placeholder)$/i;

/** True for a value that names or hides a secret (`$TOKEN`, `<your key>`, `********`, `process.env.X`, a type name). */
function isPlaceholder(value: string): boolean {
	return placeholder.test(value.replace(/^["'`]+|["'`]+$/g, ''));
}

const pathLike =
	/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\|\\\\)|\.(?:pem|key|crt|cer|p12|pfx|json|ya?ml|toml|txt|env|ini|cfg|conf|ts|js|py|sh|gpg|asc|pub)$/i;
const numberLike = /^[-+]?[\d.,_:]+[kKmMgG]?$/;
const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hexOnly = /^[0-9a-f]+$/i;

/** Shannon entropy of `value` in bits per character. */
function entropyBits(value: string): number {
	const counts = new Map<string, number>();
	for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
	let bits = 0;
	for (const count of counts.values()) {
		const p = count / value.length;
		bits -= p * Math.log2(p);
	}
	return bits;
}

/** `client.get_secret(name)`, `self.token`, `config.apiKey`: code that reads a secret, not one. */
function isCodeReference(value: string): boolean {
	return /[()]/.test(value) || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value);
}

/** Anything explicitly assigned to a password name, except placeholders and paths: people choose short and plain ones. */
function isPasswordValue(value: string): boolean {
	return value.length >= 3 && !isPlaceholder(value) && !pathLike.test(value);
}

// `token = tokenize(text)` is code, not a credential: a generic secret name needs a value that looks generated.
function looksGenerated(value: string): boolean {
	return (
		value.length >= 8 &&
		/[A-Za-z]/.test(value) &&
		/\d/.test(value) &&
		!/[()]/.test(value) &&
		!isPlaceholder(value) &&
		!pathLike.test(value) &&
		!numberLike.test(value) &&
		!uuidLike.test(value) &&
		!/^v?\d+(?:\.\d+)+/.test(value)
	);
}

/** A word in prose is a secret only when it looks made up: letters with digits, not a plain word, path or number. */
function looksLikeProseSecret(value: string): boolean {
	if (value.length < 6 || isPlaceholder(value) || pathLike.test(value) || numberLike.test(value))
		return false;
	if (uuidLike.test(value) || /^v?\d+(?:\.\d+)+/.test(value)) return false;
	// Brackets, ellipses and a closing colon belong to cut text or headings (`Ex...[1120 chars]`, `Extraction:`).
	if (/[()[\]…\\]|\.\.|:$/.test(value)) return false;
	// A bare hex run after a word is a commit or a hash far more often than a credential.
	if (hexOnly.test(value)) return false;
	return /\d/.test(value) && /[A-Za-z]/.test(value);
}

/** A value after an explicit secret flag or key (`--token`, `api_key:`): generated-looking, or hex of key length. */
function isKeyValue(value: string): boolean {
	return looksGenerated(value) || (hexOnly.test(value) && value.length >= 24);
}

// The kind a name says: `DB_PASSWORD` holds a password, `MAILGUN_API_KEY` an api-key, `client_secret` a secret.
function kindOfName(name: string, fallback: string): string {
	const n = name.toLowerCase().replace(/[^a-z0-9]+/g, '_');
	if (/aws_?secret|secret_?access_?key/.test(n)) return 'aws-secret-key';
	if (/pass|pwd/.test(n)) return 'password';
	if (/private_?key/.test(n)) return 'private-key';
	if (/api_?key|apikey/.test(n)) return 'api-key';
	if (/secret/.test(n)) return 'secret';
	if (/token|auth|pat$/.test(n)) return 'token';
	if (/dsn|connection/.test(n)) return 'connection-string';
	if (/key$/.test(n)) return 'secret-key';
	if (/cred/.test(n)) return 'credential';
	return fallback;
}

const awsKeyId = /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/;
const awsSecretShape = /^[A-Za-z0-9/+]{40}$/;

function isAwsSecretShape(value: string): boolean {
	return awsSecretShape.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value);
}

// Names of secrets by their last word; prefixes (`db_`, `client.`) are matched by position (isWordStart), because a
// repeated-prefix group in the pattern backtracks quadratically on long dotted or snake_case runs.
const secretName = String.raw`(secret(?:[_-]?(?:access[_-]?)?key)?|token|api[_-]?key|apikey|api[_-]?token|(?:access|private|signing|master|encryption|account|client|app|deploy|service|license)[_-]?key|credentials?|dsn|_authToken|auth[_-]?token)`;
const passwordName = String.raw`(password|passwd|passphrase|pass|pwd)`;
// Quotes may be JSON-escaped (`\"`) when the assignment sits inside tool-call arguments.
const assignment = String.raw`(?:\\?["'])?\s*(?::=|=>|:|=)\s*(?:\\?["'\x60])?`;
// A value ends at whitespace, a quote, a separator, or `&` that starts the next query parameter.
const value = String.raw`((?:[^\s"'\x60,;)}\]\\&<>]|&(?![A-Za-z_][\w.-]*=)|\\(?![\s"'\\nrt]))+)`;
const quotedValue = String.raw`(?:'([^'\n]{3,200})'|"([^"\n\\]{3,200})"|\\"([^"\n\\]{3,200})\\"|([^\s'"\\|;&<>-][^\s'"\\|;&<>]*))`;
const envSecretWord =
	/(?:^|_)(?:[A-Z0-9]*(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|APIKEY|PWD)|PASS|KEY|AUTH|DSN|CREDENTIALS?|PAT|SAS|SIGNATURE)$/;

/** True when a Basic credential decodes to `user:password`. */
function decodesToPair(value: string): boolean {
	return Buffer.from(value, 'base64').toString('latin1').includes(':');
}

function onLineWith(match: SecretMatch, pattern: RegExp): boolean {
	return pattern.test(match.lineBefore);
}

/** Values in a line that starts a shell command: the command names must be on the same line, before the flag. */
const loginCommand =
	/\b(?:sshpass|(?:docker|podman|nerdctl|buildah|skopeo|oras|helm(?:\s+registry)?|az|cf|oc|crane)\s+login)\b/;
const mysqlCommand = /\b(?:mysql|mysqldump|mysqladmin|mysqlsh|mariadb|mariadb-dump)\b/;
const basicAuthCommand = /\b(?:curl|wget|http|https|xh|httpie|ab|git)\b/;

/**
 * R7/R12: what `@secretlint/secretlint-rule-preset-recommend` does not cover (or covers only in some shapes): tokens by
 * their prefix, PEM blocks and JWTs; credentials by their context (shell flags, headers, URL userinfo, connection
 * strings, `name = value` in env files, JSON, YAML and prose); earlier rules win ties with later ones.
 */
export const extraSecretRules: readonly SecretRule[] = Object.freeze([
	// By shape.
	{
		// The body may not contain '-----', so each BEGIN scans only up to the next armour line: linear overall.
		kind: 'private-key',
		pattern:
			/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----)[\s\S]){0,16000}-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\]*)/g,
		groups: [0],
	},
	{ kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, groups: [0] },
	{ kind: 'anthropic-key', pattern: /\bsk-ant-(?:api|admin|oat|sid)\d{2}-[A-Za-z0-9_-]{20,}/g, groups: [0] },
	{
		kind: 'openai-key',
		pattern: /\bsk-(?!ant-)(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{32,})/g,
		groups: [0],
	},
	{ kind: 'aws-access-key', pattern: new RegExp(awsKeyId.source, 'g'), groups: [0] },
	{
		kind: 'github-token',
		pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g,
		groups: [0],
	},
	{
		kind: 'gitlab-token',
		pattern: /\b(?:glpat|gldt|glrt|glptt|glft|glsoat)-[A-Za-z0-9_-]{20,}/g,
		groups: [0],
	},
	{
		kind: 'slack-token',
		pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{20,}/g,
		groups: [0],
	},
	{
		kind: 'slack-webhook',
		pattern: /\bhooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/-]{20,})/dg,
		groups: [1],
	},
	{
		kind: 'webhook-token',
		pattern: /\bdiscord(?:app)?\.com\/api\/webhooks\/\d+\/([A-Za-z0-9_-]{40,})/dg,
		groups: [1],
	},
	{ kind: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g, groups: [0] },
	{
		kind: 'stripe-key',
		pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|\bwhsec_[A-Za-z0-9]{24,}/g,
		groups: [0],
	},
	{ kind: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, groups: [0] },
	{ kind: 'huggingface-token', pattern: /\bhf_[A-Za-z]{30,}\b/g, groups: [0] },
	{ kind: 'sendgrid-key', pattern: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{30,}/g, groups: [0] },
	{ kind: 'shopify-token', pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g, groups: [0] },
	{ kind: 'linear-key', pattern: /\blin_(?:api|oauth)_[A-Za-z0-9]{40}\b/g, groups: [0] },
	{ kind: 'digitalocean-token', pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/g, groups: [0] },
	{ kind: 'pypi-token', pattern: /\bpypi-AgE[A-Za-z0-9_-]{50,}/g, groups: [0] },
	{ kind: 'age-secret-key', pattern: /\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b/g, groups: [0] },
	{ kind: 'telegram-bot-token', pattern: /\b\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/g, groups: [0] },
	{ kind: 'databricks-token', pattern: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g, groups: [0] },
	{ kind: 'vault-token', pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/g, groups: [0] },
	{ kind: 'groq-key', pattern: /\bgsk_[A-Za-z0-9]{48,}\b/g, groups: [0] },
	{ kind: 'twilio-key', pattern: /\bSK[0-9a-fA-F]{32}\b/g, groups: [0] },
	{ kind: 'mailgun-key', pattern: /\bkey-[0-9a-f]{32}\b/g, groups: [0] },

	// By context: connection strings and URLs.
	{ kind: 'azure-storage-key', pattern: /\bAccountKey=([A-Za-z0-9+/=]{20,})/dgi, groups: [1] },
	{
		kind: 'azure-shared-access-key',
		pattern: /\bSharedAccess(?:Key|Signature)=([A-Za-z0-9+/=%&:.-]{20,}?)(?=;|"|'|\s|$)/dgi,
		groups: [1],
	},
	{
		kind: 'azure-sas-token',
		pattern: /[?&]sig=([A-Za-z0-9%+/=_-]{16,})/dg,
		groups: [1],
	},
	{
		kind: 'connection-string',
		pattern: /(?:Password|Pwd)(?<=(?:^|;\s?|["'{])(?:Password|Pwd))\s*=\s*([^;"'\s\\]+)/dgi,
		groups: [1],
		accept: (m) => isPasswordValue(m.value),
	},
	{
		// `scheme://user:password@host` and `redis://:password@host`; http(s) credentials are basic auth.
		kind: 'connection-string',
		// `://` first and the scheme checked behind it: a literal start keeps the scan fast on long texts.
		pattern: /:\/\/[^\s:/@'"<>[\]]{0,200}:([^\s@'"<>/[\]]{1,300})@[^\s'"<>@]/dg,
		groups: [1],
		accept: (m) => !isPlaceholder(m.value) && /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s]*$/i.test(m.lineBefore),
		kindOf: (m) =>
			/(?:https?|ftps?|git\+https?|svn\+https?):\/\/[^\s]*$/i.test(m.lineBefore)
				? 'basic-auth'
				: 'connection-string',
	},
	{
		// `https://<token>@host`: a generated userinfo with no password is the token itself.
		kind: 'token',
		pattern: /\bhttps?:\/\/([A-Za-z0-9_-]{20,})@[^\s'"<>@]/dg,
		groups: [1],
		accept: (m) => looksGenerated(m.value),
	},

	// By context: HTTP headers.
	{
		kind: 'token',
		pattern:
			/\b(?:Proxy-)?Authorization(?:\\?["'])?\s*:\s*(?:\\?["'])?(?:(Bearer|Basic|token|Token|Digest|Bot|ApiKey|Api-Key|SSWS|Splunk|GenieKey|Key)\s+)?([A-Za-z0-9._~+/=:-]{8,})/dgi,
		groups: [2],
		accept: (m) =>
			!/^(?:Bearer|Basic|token|Digest|Negotiate|NTLM)$/i.test(m.value) &&
			(isKeyValue(m.value) || m.value.length >= 16),
		kindOf: (m) => {
			const scheme = /(\w+)\s+$/.exec(m.lineBefore)?.[1]?.toLowerCase();
			return scheme === 'bearer' ? 'bearer-token' : scheme === 'basic' ? 'basic-auth' : 'token';
		},
	},
	{
		kind: 'bearer-token',
		pattern: /\bBearer\s+([A-Za-z0-9._~+/=-]{16,})/dgi,
		groups: [1],
		accept: (m) => isKeyValue(m.value),
	},
	{
		kind: 'basic-auth',
		pattern: /\bBasic\s+([A-Za-z0-9+/]{12,}={0,2})(?![A-Za-z0-9+/=])/dg,
		groups: [1],
		accept: (m) => decodesToPair(m.value),
	},

	// By context: shell commands.
	{
		kind: 'basic-auth',
		pattern: /(?<!\S)(?:-u|--user|--proxy-user)(?:\s+|=)(?:'|"|\\")?[^\s:'"$\\]{1,100}:([^\s'"\\]{1,200})/dg,
		groups: [1],
		accept: (m) => !isPlaceholder(m.value) && onLineWith(m, basicAuthCommand) && !numberLike.test(m.value),
	},
	{
		// `mysql -pPASS`: the password is glued to the flag (`-p PASS` would be a prompt and a database name).
		kind: 'password',
		pattern:
			/(?<!\S)-p(?:'([^'\n]{1,200})'|"([^"\n\\]{1,200})"|\\"([^"\n\\]{1,200})\\"|([^\s'"\\-][^\s'"\\]*))/dg,
		groups: [1, 2, 3, 4],
		accept: (m) => onLineWith(m, mysqlCommand) && !isPlaceholder(m.value),
	},
	{
		kind: 'password',
		pattern: new RegExp(String.raw`(?<!\S)-p\s+${quotedValue}`, 'dg'),
		groups: [1, 2, 3, 4],
		accept: (m) => onLineWith(m, loginCommand) && !isPlaceholder(m.value) && !numberLike.test(m.value),
	},
	{
		kind: 'password',
		pattern: new RegExp(String.raw`(?<!\S)-a\s+${quotedValue}`, 'dg'),
		groups: [1, 2, 3, 4],
		accept: (m) => onLineWith(m, /\bredis-cli\b/) && !isPlaceholder(m.value),
	},
	{
		// `echo PASS | docker login --password-stdin`: the piped word is the password.
		kind: 'password',
		pattern:
			/\b(?:echo|printf)\s+(?:(?:-[ne]+|'%s(?:\\n)?'|"%s(?:\\n)?")\s+)*(?:'([^'\n]{3,200})'|"([^"\n\\]{3,200})"|\\"([^"\n\\]{3,200})\\"|([^\s'"\\|;&$][^\s'"\\|;&]*))\s*\|/dg,
		groups: [1, 2, 3, 4],
		accept: (m) =>
			/--password-stdin|\blogin\b[^|]*--password-stdin|\bchpasswd\b/.test(m.lineAfter) &&
			!isPlaceholder(m.value),
	},
	{
		// `--password X`, `--token=X`, `--client-secret X`: an explicit secret flag.
		kind: 'password',
		pattern: new RegExp(
			String.raw`(?<!\S)--[a-z0-9-]{0,40}?(password|passwd|pass|token|secret|api-?key|access-key|auth-key|private-key)(?:=|\s+)${quotedValue}`,
			'dgi',
		),
		groups: [2, 3, 4, 5],
		nameGroup: 1,
		accept: (m) => (/pass/i.test(m.name) ? isPasswordValue(m.value) : isKeyValue(m.value)),
		kindOf: (m) => kindOfName(m.name, 'password'),
	},

	// By context: `name = value` in env files, JSON, YAML, INI, code and query strings.
	{
		// Also after a JSON-escaped newline and inline before a command (`PGPASSWORD=x psql`).
		kind: 'secret',
		pattern:
			/(?<![^\s;&|("'\x60])(?:export[ \t]+)?([A-Z][A-Z0-9_]*)[ \t]*=[ \t]*(?:["']|\\")?((?:[^\s"'#\\]|\\(?![\s"'nrt\\]))+)/dg,
		groups: [2],
		nameGroup: 1,
		accept: (m) =>
			envSecretWord.test(m.name) &&
			(/PASS|PWD/.test(m.name) ? isPasswordValue(m.value) : isKeyValue(m.value) || m.value.length >= 20) &&
			!isPlaceholder(m.value) &&
			!numberLike.test(m.value),
		kindOf: (m) => kindOfName(m.name, 'secret'),
	},
	{
		kind: 'password',
		pattern: new RegExp(String.raw`${passwordName}${assignment}${value}`, 'dgi'),
		groups: [2],
		nameGroup: 1,
		isWordStart: true,
		// A bare `pass:` is also a heading (`// FIRST PASS: Build`): it needs a value that does not read as a word.
		accept: (m) =>
			isPasswordValue(m.value) &&
			!isCodeReference(m.value) &&
			(!/^pass$/i.test(m.name.replace(/^.*[_.-]/, '')) || /[\d!@#$%^&*+=~]/.test(m.value)),
		kindOf: (m) => kindOfName(m.name, 'password'),
	},
	{
		kind: 'secret',
		pattern: new RegExp(String.raw`${secretName}${assignment}${value}`, 'dgi'),
		groups: [2],
		nameGroup: 1,
		isWordStart: true,
		accept: (m) =>
			!isCodeReference(m.value) &&
			(isKeyValue(m.value) ||
				(m.value.length >= 20 && entropyBits(m.value) >= 3.5 && !pathLike.test(m.value))),
		kindOf: (m) => kindOfName(m.name, 'secret'),
	},
	{
		// `name value` with no separator: `.netrc` (`password PASS`) and `aws configure set aws_secret_access_key X`.
		kind: 'password',
		pattern:
			/\b(password|passwd|passphrase|aws_secret_access_key|aws_session_token)[ \t]+([^\s"'`,;]{6,200})/dgi,
		groups: [2],
		nameGroup: 1,
		accept: (m) => looksLikeProseSecret(m.value.replace(/[.,]$/, '')),
		kindOf: (m) => kindOfName(m.name, 'password'),
	},

	// By context: prose (`the password is X`, `my api key is X`, `with secret X`), on one line.
	{
		kind: 'secret',
		pattern:
			/\b(password|passphrase|passwd|secret(?:[ _-]access)?(?:[ _-]key)?|(?:api|access|deploy|auth|bearer|access)[ _-]?(?:key|token)|token|apikey|credentials?)(?:[ \t]+(?:is|was|are|=|:|to|as|of|here|for[ \t]+(?:the[ \t]+)?[\w.-]{1,40}|now|will[ \t]+be|should[ \t]+be)){0,4}[ \t]*[:=]?[ \t]+["'\x60“]?([^\s"'\x60”,;)\\]{6,200})/dgi,
		groups: [2],
		nameGroup: 1,
		accept: (m) => looksLikeProseSecret(stripSentenceEnd(m.value)),
		kindOf: (m) => {
			if (isAwsSecretShape(stripSentenceEnd(m.value)) && /secret/i.test(m.name)) return 'aws-secret-key';
			return kindOfName(m.name, 'secret');
		},
	},
]);

function stripSentenceEnd(value: string): string {
	return value.replace(/[.]$/, '');
}

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

/** The whole name ending at `end` whose last word starts at `start` (`client.` + `secret`), read backwards, bounded. */
function wholeName(text: string, start: number, end: number): string {
	let from = start;
	while (from > 0 && start - from < 64 && /[A-Za-z0-9_.-]/.test(text[from - 1] ?? '')) from--;
	return text.slice(from, end);
}

function lineBefore(text: string, at: number): string {
	const from = Math.max(0, at - lineContextChars);
	const chunk = text.slice(from, at);
	// A JSON-escaped newline (`\\n` in tool arguments) ends a line too.
	const escaped = chunk.lastIndexOf('\\n');
	const cut = Math.max(chunk.lastIndexOf('\n') + 1, escaped >= 0 ? escaped + 2 : 0);
	return chunk.slice(cut);
}

function lineAfter(text: string, at: number): string {
	const chunk = text.slice(at, at + lineContextChars);
	const newline = chunk.indexOf('\n');
	const escaped = chunk.indexOf('\\n');
	const ends = [newline, escaped].filter((i) => i >= 0);
	return ends.length > 0 ? chunk.slice(0, Math.min(...ends)) : chunk;
}

/** The secret access key next to an AWS key id (`AKIA… with secret …`, or the next line): 40 base64 characters. */
function findAwsSecretsNearKeyIds(text: string): SecretRange[] {
	const ranges: SecretRange[] = [];
	const ids = new RegExp(awsKeyId.source, 'g');
	const candidate = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
	let scannedTo = 0;
	for (const id of text.matchAll(ids)) {
		const from = Math.max(scannedTo, id.index - 200);
		const to = Math.min(text.length, id.index + id[0].length + 200);
		candidate.lastIndex = from;
		for (let m = candidate.exec(text); m !== null && m.index < to; m = candidate.exec(text)) {
			if (isAwsSecretShape(m[0])) ranges.push({ start: m.index, end: m.index + 40, kind: 'aws-secret-key' });
		}
		scannedTo = to;
	}
	return ranges;
}

// A token in secret-ish context: after a secret word, with no separator rule matching it (`token ABC…`, `key → ABC…`).
const entropyCandidate = /(?<![A-Za-z0-9+/=_~.-])[A-Za-z0-9+/_~-]{20,512}={0,2}(?![A-Za-z0-9+/=_~.-])/g;
const secretWordBefore =
	/([\w-]*(?:key|secret|token|passw(?:or)?d|pwd|credential|auth|bearer|apikey)[\w-]*)\W{0,12}(?:\w+\W{1,3}){0,3}$/i;

/** Long random-looking runs (entropy, three character classes) in the few words after a secret word. */
function findHighEntropyInContext(text: string): SecretRange[] {
	const ranges: SecretRange[] = [];
	for (const m of text.matchAll(entropyCandidate)) {
		const token = m[0];
		// Generated tokens mix upper case, lower case and digits; identifiers (`ephemeral_1h_input_tokens`) do not.
		if (!/\d/.test(token) || !/[a-z]/.test(token) || !/[A-Z]/.test(token) || uuidLike.test(token)) continue;
		if (pathLike.test(token) || isPlaceholder(token)) continue;
		if (
			token.includes('/') &&
			/^[\w.-]+(?:\/[\w.-]+)+$/.test(token) &&
			!/[+=]/.test(token) &&
			entropyBits(token) < 4.2
		)
			continue;
		if (entropyBits(token) < 4) continue;
		// A marker names a kind (`[redacted: api-key]`); it is no secret word for the text after it.
		// The context is the same line only: a heading or sentence above says nothing about the next line's ids.
		const window = text.slice(Math.max(0, m.index - 60), m.index);
		const before = window.slice(window.lastIndexOf('\n') + 1).replace(/\[redacted: [a-z0-9-]+\]/g, ' ');
		if (
			/(?:data:[\w/+.-]+;base64,|sha\d+[-:]|#|\b(?:call|toolu|msg|chatcmpl|req|resp|run|thread|asst)[_-])$/i.test(
				before,
			)
		)
			continue;
		const word = secretWordBefore.exec(before)?.[1];
		if (word === undefined) continue;
		ranges.push({ start: m.index, end: m.index + token.length, kind: kindOfName(word, 'secret') });
	}
	return ranges;
}

/** Every range the extra rules find in `text`, in rule order (not sorted, may overlap); `rule` is the rule index. */
export function findExtraSecrets(
	text: string,
	rules: readonly SecretRule[] = extraSecretRules,
): (SecretRange & { readonly rule: number })[] {
	const ranges: (SecretRange & { rule: number })[] = [];
	rules.forEach((rule, index) => {
		rule.pattern.lastIndex = 0;
		for (const match of text.matchAll(rule.pattern)) {
			const group = rule.groups.find((g) => match[g] !== undefined && match[g] !== '');
			if (group === undefined) continue;
			const secret = match[group] ?? '';
			if (rule.isWordStart === true && !isWordStart(text, match.index)) continue;
			const span = group === 0 ? undefined : match.indices?.[group];
			const start = span === undefined ? match.index : span[0];
			const nameSpan = rule.nameGroup !== undefined ? match.indices?.[rule.nameGroup] : undefined;
			const found: SecretMatch = {
				value: secret,
				name: nameSpan !== undefined ? wholeName(text, nameSpan[0], nameSpan[1]) : '',
				lineBefore: lineBefore(text, start),
				lineAfter: lineAfter(text, start + secret.length),
			};
			if (rule.accept !== undefined && !rule.accept(found)) continue;
			let end = start + secret.length;
			// A sentence's full stop is not part of the secret, unless the value is base64 padding-like.
			if (rule.nameGroup !== undefined && secret.endsWith('.') && !/[=]\.$/.test(secret)) end -= 1;
			ranges.push({ start, end, kind: rule.kindOf?.(found) ?? rule.kind, rule: index });
		}
	});
	const after = rules.length;
	for (const range of findAwsSecretsNearKeyIds(text)) ranges.push({ ...range, rule: after });
	for (const range of findHighEntropyInContext(text)) ranges.push({ ...range, rule: after + 1 });
	return ranges;
}
