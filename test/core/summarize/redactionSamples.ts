/** A fake secret in the shape a real tool prints it: `text` is the context line, `secret` what must never leak. */
export interface SecretSample {
	readonly name: string;
	/** The kind in `[redacted: kind]` that must replace it. */
	readonly kind: string;
	readonly text: string;
	readonly secret: string;
}

const lower = 'abcdefghijklmnopqrstuvwxyz';
const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digits = '0123456789';
const alnum = lower + upper + digits;

/** Deterministic pseudo-random characters, so the fakes look generated without being real or checked in whole. */
export function fakeChars(alphabet: string, length: number, seed: number): string {
	let state = seed >>> 0 || 1;
	let out = '';
	for (let i = 0; i < length; i += 1) {
		state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
		out += alphabet[(state >>> 8) % alphabet.length];
	}
	return out;
}

const jwtHeader = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
const jwtPayload = Buffer.from('{"sub":"user-4411","name":"Dana","iat":1716239022}').toString('base64url');
const pem = (label: string, seed: number): string =>
	`-----BEGIN ${label}-----\n${fakeChars(alnum + '+/', 64, seed)}\n${fakeChars(alnum + '+/', 64, seed + 1)}\n${fakeChars(alnum, 20, seed + 2)}==\n-----END ${label}-----`;

const openAiKey = `sk-proj-${fakeChars(alnum + '_-', 48, 11)}`;
const legacyOpenAiKey = `sk-${fakeChars(alnum, 48, 12)}`;
const anthropicKey = `sk-ant-api03-${fakeChars(alnum + '_-', 93, 13)}AA`;
const bearer = fakeChars(alnum, 40, 14);
const jwt = `${jwtHeader}.${jwtPayload}.${fakeChars(alnum + '_-', 43, 15)}`;
const rsaKey = pem('RSA PRIVATE KEY', 16);
const ecKey = pem('EC PRIVATE KEY', 19);
const openSshKey = pem('OPENSSH PRIVATE KEY', 22);
const pgPassword = `Pg${fakeChars(alnum, 14, 25)}`;
const mongoPassword = `Mo${fakeChars(alnum, 14, 26)}`;
const redisPassword = `Rd${fakeChars(alnum, 14, 27)}`;
const plainPassword = `hunter${fakeChars(digits, 4, 28)}!x`;
const yamlSecret = `${fakeChars(lower, 6, 29)}${fakeChars(digits, 6, 30)}${fakeChars(upper, 6, 31)}`;
const envToken = fakeChars(alnum, 32, 32);
const awsKeyId = `AKIA${fakeChars(upper + digits, 16, 33)}`;
const githubToken = `ghp_${fakeChars(alnum, 36, 34)}`;
const githubPat = `github_pat_11${fakeChars(upper + digits, 20, 35)}_${fakeChars(alnum, 59, 36)}`;
const googleKey = `AIza${fakeChars(alnum + '_-', 35, 37)}`;
const stripeKey = `sk_live_${fakeChars(alnum, 24, 38)}`;
const slackToken = `xoxb-${fakeChars(digits, 12, 39)}-${fakeChars(digits, 13, 40)}-${fakeChars(alnum, 24, 41)}`;
const npmToken = `npm_${fakeChars(alnum, 36, 42)}`;
const sendgridKey = `SG.${fakeChars(alnum, 22, 43)}.${fakeChars(alnum, 43, 44)}`;
const shopifyToken = `shpat_${fakeChars('0123456789abcdef', 32, 45)}`;
const linearKey = `lin_api_${fakeChars(alnum, 40, 46)}`;
const basicAuthPassword = `Ba${fakeChars(alnum, 12, 47)}`;
const jsonApiKey = `${fakeChars(lower, 8, 48)}${fakeChars(digits, 8, 49)}`;
const gitlabToken = `glpat-${fakeChars(alnum, 20, 51)}`;
const huggingFaceToken = `hf_${fakeChars(lower + upper, 34, 52)}`;
const basicHeader = Buffer.from(`ci-bot:${fakeChars(alnum, 16, 53)}`).toString('base64');
const clientSecret = `${fakeChars(alnum, 20, 50)}9z`;

/** Thirty secrets of at least 20 kinds, each in a line the way agents see them (commands, configs, logs, env files). */
export const secretSamples: readonly SecretSample[] = [
	{
		name: 'OpenAI project key in a curl command',
		kind: 'openai-key',
		secret: openAiKey,
		text: `export OPENAI_KEY_FOR_TESTS=1; echo ${openAiKey} | pbcopy`,
	},
	{
		name: 'legacy OpenAI key in Python',
		kind: 'openai-key',
		secret: legacyOpenAiKey,
		text: `client = OpenAI(api_key_value="${legacyOpenAiKey}")`,
	},
	{
		name: 'Anthropic key in a shell history',
		kind: 'anthropic-key',
		secret: anthropicKey,
		text: `claude --key ${anthropicKey} -p hi`,
	},
	{
		name: 'bearer token in an HTTP header',
		kind: 'bearer-token',
		secret: bearer,
		text: `curl -H "Authorization: Bearer ${bearer}" https://api.internal.example/v2/users`,
	},
	{ name: 'JWT in a cookie', kind: 'jwt', secret: jwt, text: `Set-Cookie: session=${jwt}; Path=/; HttpOnly` },
	{
		name: 'RSA private key block',
		kind: 'private-key',
		secret: rsaKey,
		text: `cat ~/.ssh/deploy_rsa\n${rsaKey}\n`,
	},
	{ name: 'EC private key block', kind: 'private-key', secret: ecKey, text: `key.pem:\n${ecKey}` },
	{
		name: 'OpenSSH private key block',
		kind: 'private-key',
		secret: openSshKey,
		text: `${openSshKey}\n(end of file)`,
	},
	{
		name: 'Postgres URL with password',
		kind: 'connection-string',
		secret: pgPassword,
		text: `DATABASE_URL_PRIMARY: postgres://billing:${pgPassword}@db.internal.example:5432/billing`,
	},
	{
		name: 'MongoDB SRV URL with password',
		kind: 'connection-string',
		secret: mongoPassword,
		text: `mongo "mongodb+srv://app:${mongoPassword}@cluster0.abcde.mongodb.net/prod"`,
	},
	{
		name: 'Redis URL with password',
		kind: 'connection-string',
		secret: redisPassword,
		text: `cache: redis://default:${redisPassword}@redis.internal.example:6379/0`,
	},
	{
		name: 'password= assignment',
		kind: 'password',
		secret: plainPassword,
		text: `mysql --user=root password=${plainPassword} --host=localhost`,
	},
	{
		name: 'secret: in YAML',
		kind: 'secret',
		secret: yamlSecret,
		text: `webhook:\n  secret: ${yamlSecret}\n  url: https://hooks.example/x`,
	},
	{
		name: '.env token line',
		kind: 'token',
		secret: envToken,
		text: `# .env\nSERVICE_AUTH_TOKEN=${envToken}\nPORT=8080`,
	},
	{
		name: 'AWS access key id',
		kind: 'aws-access-key',
		secret: awsKeyId,
		text: `aws configure set aws_access_key_id_value ${awsKeyId}`,
	},
	{
		name: 'GitHub personal token',
		kind: 'github-token',
		secret: githubToken,
		text: `git remote set-url origin https://${githubToken}@github.com/acme/app.git`,
	},
	{
		name: 'GitHub fine-grained token',
		kind: 'github-token',
		secret: githubPat,
		text: `GH_FINE=${githubPat}`,
	},
	{
		name: 'Google API key',
		kind: 'google-api-key',
		secret: googleKey,
		text: `maps.js?key=${googleKey}&callback=init`,
	},
	{ name: 'Stripe live key', kind: 'stripe-key', secret: stripeKey, text: `stripe.setKey('${stripeKey}')` },
	{ name: 'Slack bot token', kind: 'slack-token', secret: slackToken, text: `SLACK_BOT=${slackToken}` },
	{
		name: 'npm token',
		kind: 'npm-token',
		secret: npmToken,
		text: `//registry.npmjs.org/:_authToken=${npmToken}`,
	},
	{
		name: 'SendGrid key',
		kind: 'sendgrid-key',
		secret: sendgridKey,
		text: `sg = SendGridAPIClient("${sendgridKey}")`,
	},
	{
		name: 'Shopify access token',
		kind: 'shopify-token',
		secret: shopifyToken,
		text: `X-Shopify-Access-Token: ${shopifyToken}`,
	},
	{
		name: 'Linear API key',
		kind: 'linear-key',
		secret: linearKey,
		text: `linear.configure(${JSON.stringify(linearKey)})`,
	},
	{
		name: 'basic auth in a URL',
		kind: 'basic-auth',
		secret: basicAuthPassword,
		text: `pip install --index-url https://deploy:${basicAuthPassword}@pypi.internal.example/simple pkg`,
	},
	{
		name: 'apiKey in JSON',
		kind: 'api-key',
		secret: jsonApiKey,
		text: `{"service": "maps", "apiKey": "${jsonApiKey}", "retries": 3}`,
	},
	{
		name: 'GitLab token',
		kind: 'gitlab-token',
		secret: gitlabToken,
		text: `glab auth login --hostname gitlab.example.com --token ${gitlabToken}`,
	},
	{
		name: 'Hugging Face token',
		kind: 'huggingface-token',
		secret: huggingFaceToken,
		text: `huggingface-cli login --token ${huggingFaceToken}`,
	},
	{
		name: 'basic auth header',
		kind: 'basic-auth',
		secret: basicHeader,
		text: `Authorization: Basic ${basicHeader}`,
	},
	{
		name: 'client_secret in a config',
		kind: 'secret',
		secret: clientSecret,
		text: `oauth.client_secret = '${clientSecret}'`,
	},
];

/** Lines that look like credentials to a careless rule but are not, and must survive redaction unchanged. */
export const harmlessLines: readonly string[] = [
	'max_tokens: 1000',
	'const token = tokenize(text);',
	'password = process.env.DB_PASSWORD',
	'DB_PASSWORD=${DB_PASSWORD}',
	'Set the API key with CONTEXT_LENS_OPENAI_API_KEY before running.',
	'The summary budget is 2000 tokens; secret handling is described in SECURITY.md.',
	'git commit -m "fix: rotate keys"',
	'https://github.com/acme/app/pull/42',
	'export PATH=/usr/local/bin:$PATH',
	'inputTokens: 12345, outputTokens: 678',
];
