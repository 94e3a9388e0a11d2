import { fakeChars } from './redactionSamples';

/** Where a secret sits, for the per-format figures. */
export type SecretFormat =
	| 'prose'
	| 'shell'
	| 'env'
	| 'json'
	| 'yaml'
	| 'header'
	| 'url'
	| 'pem'
	| 'jwt'
	| 'connection-string'
	| 'token';

/** One planted secret in the phrasing an agent transcript carries it; every value in `secrets` must disappear. */
export interface SecretCase {
	readonly name: string;
	readonly format: SecretFormat;
	/** The kind the marker must name, `[redacted: kind]`. */
	readonly kind: string;
	readonly text: string;
	/** The values that must not survive; the first is the one named by `kind`. */
	readonly secrets: readonly string[];
	/** One of the fourteen cases the issue found sent verbatim. */
	readonly isHard?: boolean;
}

/** A text that talks about credentials or holds random-looking data but no secret: redaction must leave it as is. */
export interface HarmlessCase {
	readonly name: string;
	readonly text: string;
}

const lower = 'abcdefghijklmnopqrstuvwxyz';
const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digits = '0123456789';
const alnum = lower + upper + digits;
const hex = '0123456789abcdef';
const b64 = alnum + '+/';

// Values are assembled at run time from a seeded generator: nothing checked in is a real or complete credential.
let seed = 500;
const gen = (alphabet: string, length: number): string => fakeChars(alphabet, length, (seed += 7));
/** A password people choose: letters, digits and a symbol. */
const password = (stem: string): string => `${stem}${gen(digits, 3)}${gen(upper, 1)}${gen(lower, 3)}!`;

const awsKeyId = 'AK' + 'IA' + gen(upper + digits, 16);
const awsSecret = `${gen(alnum, 12)}/${gen(alnum, 14)}+${gen(alnum, 12)}`;
const awsKeyId2 = 'AS' + 'IA' + gen(upper + digits, 16);
const awsSecret2 = gen(alnum, 20) + gen(b64, 20);
const githubHex = gen(hex, 40);
const azureKey = `${gen(b64, 86)}==`;
const sbKey = `${gen(b64, 43)}=`;
const jwtHeader = Buffer.from('{"alg":"RS256","typ":"JWT","kid":"k1"}').toString('base64url');
const jwtPayload = Buffer.from('{"sub":"svc-deploy","aud":"api","exp":1924992000}').toString('base64url');
const jwt = `${jwtHeader}.${jwtPayload}.${gen(alnum + '_-', 86)}`;
const pemBody = (): string => `${gen(b64, 64)}\n${gen(b64, 64)}\n${gen(b64, 40)}==`;
const pem = (label: string): string => `-----BEGIN ${label}-----\n${pemBody()}\n-----END ${label}-----`;
const slackWebhookPath = `T${gen(upper + digits, 10)}/B${gen(upper + digits, 10)}/${gen(alnum, 24)}`;

/** Seventy-odd secrets in the shapes and phrasings agents meet: shell, env, JSON, YAML, headers, URLs, prose, PEM, JWT. */
export const secretCorpus: readonly SecretCase[] = (() => {
	const cases: SecretCase[] = [];
	const add = (
		format: SecretFormat,
		kind: string,
		name: string,
		secrets: readonly string[],
		text: string,
		isHard = false,
	): void => {
		cases.push({ name, format, kind, text, secrets, ...(isHard ? { isHard } : {}) });
	};

	// The fourteen hard cases: the phrasings that went out verbatim before.
	const curlPass = password('Cu');
	add(
		'shell',
		'basic-auth',
		'curl -u user:pass',
		[curlPass],
		`curl -u deploy:${curlPass} https://ci.internal.example/api/builds`,
		true,
	);
	const mysqlPass = password('My');
	add(
		'shell',
		'password',
		'mysql -pPASS',
		[mysqlPass],
		`mysql -h db.internal -uroot -p${mysqlPass} billing < schema.sql`,
		true,
	);
	const sshPass = password('Ss');
	add(
		'shell',
		'password',
		'sshpass -p',
		[sshPass],
		`sshpass -p ${sshPass} ssh -o StrictHostKeyChecking=no ops@10.0.3.7 'uptime'`,
		true,
	);
	const dockerPass = gen(alnum, 24);
	add(
		'shell',
		'password',
		'password piped to docker login',
		[dockerPass],
		`echo ${dockerPass} | docker login registry.example.io -u ci-bot --password-stdin`,
		true,
	);
	add(
		'connection-string',
		'azure-storage-key',
		'Azure storage AccountKey=',
		[azureKey],
		`DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${azureKey};EndpointSuffix=core.windows.net`,
		true,
	);
	const redisPass = password('Re');
	add(
		'url',
		'connection-string',
		'redis://:pass@host',
		[redisPass],
		`REDIS_URL is redis://:${redisPass}@cache.internal.example:6379/2`,
		true,
	);
	add(
		'header',
		'token',
		'Authorization: token <40 hex>',
		[githubHex],
		`curl -H "Authorization: token ${githubHex}" https://api.github.com/user/repos`,
		true,
	);
	add(
		'prose',
		'aws-secret-key',
		'AWS secret key in prose next to its key id',
		[awsSecret, awsKeyId],
		`Use the deploy key ${awsKeyId} with secret ${awsSecret} for the staging bucket.`,
		true,
	);
	add(
		'connection-string',
		'azure-shared-access-key',
		'Service Bus SharedAccessKey=',
		[sbKey],
		`Endpoint=sb://acme-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${sbKey}`,
		true,
	);
	const dockerP = password('Dk');
	add(
		'shell',
		'password',
		'docker login -p',
		[dockerP],
		`docker login -u admin -p ${dockerP} registry.example.io`,
		true,
	);
	const pgPass = password('Pg');
	add(
		'shell',
		'password',
		'PGPASSWORD= before psql',
		[pgPass],
		`PGPASSWORD=${pgPass} psql -h db.internal -U app -c 'select 1'`,
		true,
	);
	const curlUser = password('Us');
	add(
		'shell',
		'basic-auth',
		"curl --user 'user:pass'",
		[curlUser],
		`curl --user 'admin:${curlUser}' -X POST https://jenkins.example/job/deploy/build`,
		true,
	);
	const sqlPass = password('Sq');
	add(
		'connection-string',
		'connection-string',
		'SQL Server Password= in a connection string',
		[sqlPass],
		`Server=tcp:acme.database.windows.net,1433;Initial Catalog=app;User ID=sqladmin;Password=${sqlPass};Encrypt=True;`,
		true,
	);
	const prosePass = password('Ps');
	add(
		'prose',
		'password',
		'the password is … in prose',
		[prosePass],
		`The staging admin password is ${prosePass} — please rotate it after the demo.`,
		true,
	);

	// Shell.
	const mysqldumpPass = password('Md');
	add(
		'shell',
		'password',
		"mysqldump -p'PASS'",
		[mysqldumpPass],
		`mysqldump -u backup -p'${mysqldumpPass}' --all-databases > all.sql`,
	);
	const sshQuoted = password('Sq');
	add(
		'shell',
		'password',
		"sshpass -p 'PASS' scp",
		[sshQuoted],
		`sshpass -p '${sshQuoted}' scp build.tgz deploy@web-1:/srv/`,
	);
	const printfPass = gen(alnum, 20);
	add(
		'shell',
		'password',
		'printf PASS | helm registry login --password-stdin',
		[printfPass],
		`printf '%s' '${printfPass}' | helm registry login ghcr.io --username bot --password-stdin`,
	);
	const redisCli = password('Rc');
	add('shell', 'password', 'redis-cli -a PASS', [redisCli], `redis-cli -h cache -p 6379 -a ${redisCli} ping`);
	const kubectlPass = password('Ku');
	add(
		'shell',
		'password',
		'kubectl --from-literal=password=',
		[kubectlPass],
		`kubectl create secret generic db-creds --from-literal=username=app --from-literal=password=${kubectlPass}`,
	);
	const opensslPass = password('Os');
	add(
		'shell',
		'password',
		'openssl -passout pass:',
		[opensslPass],
		`openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:${opensslPass}`,
	);
	const azSecret = `${gen(alnum, 8)}~${gen(alnum + '_.-', 30)}`;
	add(
		'shell',
		'password',
		'az login --service-principal -p',
		[azSecret],
		`az login --service-principal -u 1b2c3d4e-aaaa-bbbb-cccc-1234567890ab -p ${azSecret} --tenant acme.onmicrosoft.com`,
	);
	const wgetPass = password('Wg');
	add(
		'shell',
		'password',
		'wget --password=',
		[wgetPass],
		`wget --user=ftpuser --password=${wgetPass} ftp://files.example.com/dump.tar.gz`,
	);
	const cliToken = gen(alnum, 32);
	add('shell', 'token', '--token VALUE flag', [cliToken], `vercel deploy --prod --token ${cliToken} --yes`);
	const awsCfg = gen(alnum, 20) + gen(b64, 20);
	add(
		'shell',
		'aws-secret-key',
		'aws configure set aws_secret_access_key',
		[awsCfg],
		`aws configure set aws_secret_access_key ${awsCfg} --profile staging`,
	);
	const headerKey = gen(hex, 32);
	add(
		'header',
		'api-key',
		'curl -H X-API-Key',
		[headerKey],
		`curl -s -H "X-API-Key: ${headerKey}" https://api.example.com/v2/reports`,
	);
	const queryKey = gen(alnum, 32);
	add(
		'url',
		'api-key',
		'api_key in a query string',
		[queryKey],
		`curl "https://api.weather.example/v1/forecast?city=Oslo&api_key=${queryKey}&units=metric"`,
	);
	const gitToken = gen(alnum, 40);
	add(
		'url',
		'basic-auth',
		'token in a git remote URL',
		[gitToken],
		`git clone https://oauth2:${gitToken}@gitlab.example.com/acme/app.git`,
	);

	// Headers.
	const bearer = gen(alnum + '._-', 48);
	add('header', 'bearer-token', 'Authorization: Bearer opaque', [bearer], `Authorization: Bearer ${bearer}`);
	const basicCreds = Buffer.from(`svc-report:${password('Bh')}`).toString('base64');
	add(
		'header',
		'basic-auth',
		'Authorization: Basic base64',
		[basicCreds],
		`> GET /metrics HTTP/1.1\n> Authorization: Basic ${basicCreds}\n> Accept: */*`,
	);
	const proxyCreds = Buffer.from(`proxyuser:${password('Px')}`).toString('base64');
	add(
		'header',
		'basic-auth',
		'Proxy-Authorization: Basic',
		[proxyCreds],
		`Proxy-Authorization: Basic ${proxyCreds}`,
	);
	const authTok = gen(alnum, 36);
	add('header', 'token', 'X-Auth-Token header', [authTok], `X-Auth-Token: ${authTok}`);
	const azureOpenAi = gen(hex, 32);
	add(
		'header',
		'api-key',
		'api-key header (Azure OpenAI)',
		[azureOpenAi],
		`-H "api-key: ${azureOpenAi}" -H "Content-Type: application/json"`,
	);
	const vaultTok = `hvs.${gen(alnum, 24)}`;
	add('header', 'vault-token', 'X-Vault-Token header', [vaultTok], `X-Vault-Token: ${vaultTok}`);

	// URLs.
	const pgUrl = password('Pu');
	add(
		'url',
		'connection-string',
		'postgres://user:pass@host',
		[pgUrl],
		`psql "postgresql://app_user:${pgUrl}@db.internal.example:5432/app?sslmode=require"`,
	);
	const amqp = password('Aq');
	add(
		'url',
		'connection-string',
		'amqp://user:pass@host',
		[amqp],
		`BROKER_URL = "amqp://worker:${amqp}@rabbit.internal:5672/vhost"`,
	);
	const pipPass = password('Pi');
	add(
		'url',
		'basic-auth',
		'https://user:pass@ index URL',
		[pipPass],
		`pip install --extra-index-url https://reader:${pipPass}@pypi.acme.example/simple acme-sdk`,
	);
	const sas = encodeURIComponent(Buffer.from(gen(alnum, 32)).toString('base64'));
	add(
		'url',
		'azure-sas-token',
		'Azure SAS URL sig=',
		[sas],
		`https://acmeprod.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig=${sas}`,
	);
	add(
		'url',
		'slack-webhook',
		'Slack incoming webhook URL',
		[slackWebhookPath.split('/')[2] ?? ''],
		`curl -X POST -d '{"text":"deployed"}' https://hooks.slack.com/services/${slackWebhookPath}`,
	);
	const discord = gen(alnum + '_-', 68);
	add(
		'url',
		'webhook-token',
		'Discord webhook URL',
		[discord],
		`WEBHOOK=https://discord.com/api/webhooks/${gen(digits, 18)}/${discord}`,
	);
	const mongo = password('Mg');
	add(
		'url',
		'connection-string',
		'mongodb:// with password',
		[mongo],
		`mongosh "mongodb://admin:${mongo}@mongo-0.internal:27017/admin?authSource=admin"`,
	);

	// Connection strings.
	const adoPass = password('Ad');
	add(
		'connection-string',
		'connection-string',
		'Pwd= in an ODBC string',
		[adoPass],
		`Driver={ODBC Driver 18 for SQL Server};Server=db1;Database=hr;Uid=report;Pwd=${adoPass};`,
	);
	const jdbc = password('Jd');
	add(
		'connection-string',
		'password',
		'JDBC URL with password=',
		[jdbc],
		`spring.datasource.url=jdbc:mysql://db:3306/app?user=app&password=${jdbc}&useSSL=true`,
	);
	const eventHub = `${gen(b64, 43)}=`;
	add(
		'connection-string',
		'azure-shared-access-key',
		'Event Hubs connection string in JSON',
		[eventHub],
		JSON.stringify({
			EventHub: `Endpoint=sb://acme-events.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=${eventHub};EntityPath=orders`,
		}),
	);

	// Env files.
	const envDb = password('Ev');
	add(
		'env',
		'password',
		'.env DB_PASSWORD=',
		[envDb],
		`# .env\nDB_HOST=localhost\nDB_PASSWORD=${envDb}\nDB_PORT=5432`,
	);
	const envSecret = gen(alnum, 40);
	add('env', 'secret', '.env SESSION_SECRET= quoted', [envSecret], `SESSION_SECRET="${envSecret}"`);
	const envKey = gen(hex, 32);
	add(
		'env',
		'api-key',
		'.env MAILGUN_API_KEY=',
		[envKey],
		`MAILGUN_DOMAIN=mg.example.com\nMAILGUN_API_KEY=${envKey}`,
	);
	const envAws = gen(alnum, 20) + gen(b64, 20);
	add(
		'env',
		'aws-secret-key',
		'export AWS_SECRET_ACCESS_KEY=',
		[envAws],
		`export AWS_ACCESS_KEY_ID=${awsKeyId2}\nexport AWS_SECRET_ACCESS_KEY=${envAws}`,
	);
	const envToken = gen(alnum, 36);
	add('env', 'token', '.env SENTRY_AUTH_TOKEN=', [envToken], `SENTRY_AUTH_TOKEN=${envToken}`);
	const npmrc = gen(alnum, 36);
	add(
		'env',
		'token',
		'.npmrc _authToken for a private registry',
		[npmrc],
		`//npm.pkg.example.com/:_authToken=${npmrc}\nalways-auth=true`,
	);
	const netrc = password('Nr');
	add(
		'env',
		'password',
		'.netrc machine login password',
		[netrc],
		`machine api.heroku.example\n  login dana@example.com\n  password ${netrc}`,
	);

	// JSON.
	const jsonPass = password('Js');
	add(
		'json',
		'password',
		'JSON "password"',
		[jsonPass],
		`{"user":"app","password":"${jsonPass}","host":"db"}`,
	);
	const clientSecret = gen(alnum + '~._-', 34);
	add(
		'json',
		'secret',
		'JSON client_secret',
		[clientSecret],
		JSON.stringify(
			{ client_id: 'web-app', client_secret: clientSecret, redirect_uri: 'http://localhost:3000/cb' },
			null,
			2,
		),
	);
	const jsonApi = gen(alnum, 32);
	add(
		'json',
		'api-key',
		'JSON apiKey',
		[jsonApi],
		`{ "service": "geo", "apiKey": "${jsonApi}", "timeoutMs": 3000 }`,
	);
	const serviceAccountKey = pem('PRIVATE KEY');
	add(
		'json',
		'private-key',
		'GCP service account JSON private_key',
		[serviceAccountKey.split('\n')[1] ?? ''],
		JSON.stringify({
			type: 'service_account',
			project_id: 'acme-prod',
			private_key_id: gen(hex, 40),
			private_key: `${serviceAccountKey}\n`,
			client_email: 'deploy@acme-prod.iam.gserviceaccount.com',
		}),
	);
	const accessToken = gen(alnum + '._-', 60);
	add(
		'json',
		'token',
		'OAuth token response access_token',
		[accessToken],
		`{"access_token":"${accessToken}","token_type":"Bearer","expires_in":3599}`,
	);
	const escaped = password('Es');
	add(
		'json',
		'password',
		'password inside JSON-encoded tool arguments',
		[escaped],
		JSON.stringify({ command: `mysql -u app -p${escaped} -e "show tables"` }),
	);

	// YAML.
	const composePass = password('Dc');
	add(
		'yaml',
		'password',
		'docker-compose POSTGRES_PASSWORD:',
		[composePass],
		`services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${composePass}\n`,
	);
	const webhook = gen(alnum, 32);
	add('yaml', 'secret', 'YAML webhook secret:', [webhook], `github:\n  webhook:\n    secret: "${webhook}"\n`);
	const yamlKey = gen(alnum, 39);
	add('yaml', 'api-key', 'YAML api_key:', [yamlKey], `openweather:\n  api_key: ${yamlKey}\n  units: metric`);
	const k8sData = Buffer.from(password('K8')).toString('base64');
	add(
		'yaml',
		'password',
		'Kubernetes Secret data password (base64)',
		[k8sData],
		`apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${k8sData}\n`,
	);
	const yamlToken = gen(alnum, 40);
	add('yaml', 'token', 'YAML auth token:', [yamlToken], `registry:\n  auth:\n    token: ${yamlToken}`);

	// Prose.
	add(
		'prose',
		'aws-secret-key',
		'secret access key in a chat message',
		[awsSecret2],
		`Here are the creds: access key ${awsKeyId2}, secret access key ${awsSecret2}. Region eu-west-1.`,
	);
	const proseKey = gen(alnum, 32);
	add('prose', 'api-key', 'my api key is …', [proseKey], `my api key is ${proseKey} if you need to test it`);
	const proseToken = gen(alnum, 40);
	add('prose', 'token', "here's the token: …", [proseToken], `OK, here's the token: ${proseToken}`);
	const loginPass = password('Lg');
	add(
		'prose',
		'password',
		'log in with password …',
		[loginPass],
		`Log in as admin with password ${loginPass} and open Settings.`,
	);
	const proseSecret = gen(alnum, 28);
	add('prose', 'secret', 'the webhook secret is …', [proseSecret], `The webhook secret is "${proseSecret}".`);
	const passphrase = password('Pp');
	add(
		'prose',
		'password',
		'set the passphrase to …',
		[passphrase],
		`Set the passphrase to ${passphrase} when ssh-keygen asks.`,
	);
	const proseAkia = gen(alnum, 22) + gen(b64, 18);
	add(
		'prose',
		'aws-secret-key',
		'key id then secret on the next line',
		[proseAkia],
		`AWS creds for CI:\n${awsKeyId}\n${proseAkia}`,
	);

	// PEM.
	const rsa = pem('RSA PRIVATE KEY');
	add('pem', 'private-key', 'RSA private key block', [rsa.split('\n')[1] ?? ''], `$ cat deploy.pem\n${rsa}`);
	const openssh = pem('OPENSSH PRIVATE KEY');
	add('pem', 'private-key', 'OpenSSH private key block', [openssh.split('\n')[2] ?? ''], openssh);
	const encrypted = pem('ENCRYPTED PRIVATE KEY');
	add(
		'pem',
		'private-key',
		'encrypted PKCS#8 block',
		[encrypted.split('\n')[1] ?? ''],
		`key.p8:\n${encrypted}`,
	);
	const pgp = pem('PGP PRIVATE KEY BLOCK');
	add('pem', 'private-key', 'PGP private key block', [pgp.split('\n')[1] ?? ''], pgp);
	const ec = pem('EC PRIVATE KEY');
	add(
		'pem',
		'private-key',
		'EC key with JSON-escaped newlines',
		[ec.split('\n')[1] ?? ''],
		JSON.stringify({ key: ec }),
	);

	// JWT.
	add('jwt', 'jwt', 'bare JWT in a log line', [jwt], `2024-05-01T10:00:00Z DEBUG issued ${jwt}`);
	add('jwt', 'jwt', 'JWT as a bearer token', [jwt], `Authorization: Bearer ${jwt}`);

	// Tokens recognised by shape alone.
	const shapes: [string, string, string][] = [
		['github-token', 'GitHub classic token', `ghp_${gen(alnum, 36)}`],
		[
			'github-token',
			'GitHub fine-grained token',
			`github_pat_11${gen(upper + digits, 20)}_${gen(alnum, 59)}`,
		],
		['gitlab-token', 'GitLab personal token', `glpat-${gen(alnum + '_-', 20)}`],
		['slack-token', 'Slack bot token', `xoxb-${gen(digits, 12)}-${gen(digits, 13)}-${gen(alnum, 24)}`],
		[
			'slack-token',
			'Slack user token',
			`xoxp-${gen(digits, 12)}-${gen(digits, 12)}-${gen(digits, 13)}-${gen(hex, 32)}`,
		],
		['openai-key', 'OpenAI project key', `sk-proj-${gen(alnum + '_-', 64)}`],
		['anthropic-key', 'Anthropic API key', `sk-ant-api03-${gen(alnum + '_-', 93)}AA`],
		['google-api-key', 'Google API key', `AIza${gen(alnum + '_-', 35)}`],
		['stripe-key', 'Stripe secret key', `sk_live_${gen(alnum, 24)}`],
		['npm-token', 'npm token', `npm_${gen(alnum, 36)}`],
		['huggingface-token', 'Hugging Face token', `hf_${gen(lower + upper, 34)}`],
		['digitalocean-token', 'DigitalOcean token', `dop_v1_${gen(hex, 64)}`],
		['pypi-token', 'PyPI upload token', `pypi-AgEIcHlwaS5vcmc${gen(alnum + '_-', 60)}`],
		['age-secret-key', 'age secret key', `AGE-SECRET-KEY-1${gen(upper + digits, 58)}`],
		['telegram-bot-token', 'Telegram bot token', `${gen(digits, 10)}:AA${gen(alnum + '_-', 33)}`],
		['databricks-token', 'Databricks token', `dapi${gen(hex, 32)}`],
	];
	for (const [kind, name, value] of shapes) {
		add('token', kind, name, [value], `Saved it for later: ${value}`);
	}
	return cases;
})();

/**
 * A second set of the same kinds in phrasings the rules were not tuned on, written after the rules: the "fresh run"
 * the issue asks for. Its first-run figures are reported by bench/redactionRates.ts beside the tuned corpus.
 */
export const heldOutCorpus: readonly SecretCase[] = (() => {
	const cases: SecretCase[] = [];
	const add = (format: SecretFormat, kind: string, name: string, secret: string, text: string): void => {
		cases.push({ name, format, kind, text, secrets: [secret] });
	};
	const p = (stem: string): string => password(stem);
	let v = p('Ha');
	add(
		'shell',
		'basic-auth',
		'curl --user=user:pass',
		v,
		`curl -sS --user=builder:${v} https://nexus.example/service/rest/v1/status`,
	);
	v = p('Hb');
	add('shell', 'password', 'mariadb -pPASS', v, `mariadb -u admin -p${v} -e 'SHOW DATABASES'`);
	v = p('Hc');
	add(
		'shell',
		'password',
		'sshpass -p with rsync',
		v,
		`rsync -e "sshpass -p ${v} ssh" -av dist/ web@host:/var/www`,
	);
	v = gen(alnum, 30);
	add(
		'shell',
		'password',
		'echo token | podman login --password-stdin',
		v,
		`echo "${v}" | podman login quay.io --username robot --password-stdin`,
	);
	v = `${gen(b64, 86)}==`;
	add(
		'connection-string',
		'azure-storage-key',
		'AccountKey in an appsettings JSON',
		v,
		`"StorageConnection": "DefaultEndpointsProtocol=https;AccountName=logs;AccountKey=${v};EndpointSuffix=core.windows.net"`,
	);
	v = p('Hd');
	add(
		'url',
		'connection-string',
		'rediss://:pass@host',
		v,
		`cache_url: rediss://:${v}@redis-prod.example.net:6380/0`,
	);
	v = gen(hex, 40);
	add(
		'header',
		'token',
		'Authorization: token header in a Python dict',
		v,
		`headers = {"Authorization": "token ${v}"}`,
	);
	const id = 'AK' + 'IA' + gen(upper + digits, 16);
	v = gen(alnum, 20) + gen(b64, 20);
	add(
		'prose',
		'aws-secret-key',
		'key id and secret in a sentence',
		v,
		`Deploy creds: key ${id}, secret ${v} (rotate Friday).`,
	);
	v = `${gen(b64, 43)}=`;
	add(
		'connection-string',
		'azure-shared-access-key',
		'SharedAccessKey in an env line',
		v,
		`SERVICEBUS=Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=${v}`,
	);
	v = p('He');
	add(
		'shell',
		'password',
		'docker login --password',
		v,
		`docker login --username ci --password ${v} harbor.example`,
	);
	v = p('Hf');
	add('shell', 'password', 'MYSQL_PWD= before mysql', v, `MYSQL_PWD=${v} mysql -u app -h db app_prod`);
	v = p('Hg');
	add(
		'connection-string',
		'connection-string',
		'Password= in a .NET connection string',
		v,
		`"DefaultConnection": "Server=sql01;Database=Shop;User Id=shop;Password=${v};TrustServerCertificate=true"`,
	);
	v = p('Hh');
	add('prose', 'password', 'the root password is', v, `FYI the root password is ${v} on the staging box.`);
	v = gen(alnum, 40);
	add('prose', 'token', 'the access token is', v, `The access token is ${v}, valid for 24 hours.`);
	v = gen(alnum, 36);
	add('env', 'api-key', 'OPENWEATHER_API_KEY=', v, `OPENWEATHER_API_KEY=${v}`);
	v = gen(alnum, 44);
	add(
		'env',
		'secret',
		'JWT_SECRET= in .env.local',
		v,
		`NEXT_PUBLIC_URL=http://localhost:3000\nJWT_SECRET=${v}`,
	);
	v = p('Hi');
	add('json', 'password', 'JSON "db_password"', v, `{"db_host": "10.0.0.5", "db_password": "${v}"}`);
	v = gen(alnum, 32);
	add('yaml', 'token', 'YAML access_token:', v, `oauth:\n  access_token: ${v}\n  refresh_in: 3600`);
	v = gen(alnum, 28);
	add('yaml', 'secret', 'YAML clientSecret:', v, `auth:\n  clientId: web\n  clientSecret: ${v}`);
	v = gen(alnum, 40);
	add(
		'header',
		'bearer-token',
		'bearer token in a fetch call',
		v,
		`fetch(url, { headers: { Authorization: 'Bearer ${v}' } })`,
	);
	v = Buffer.from(`deploy:${p('Hj')}`).toString('base64');
	add(
		'header',
		'basic-auth',
		'Basic header in a requests call',
		v,
		`requests.get(url, headers={"Authorization": "Basic ${v}"})`,
	);
	v = p('Hk');
	add(
		'url',
		'basic-auth',
		'https user:pass in a git remote',
		v,
		`git remote set-url origin https://dana:${v}@git.example.com/acme/api.git`,
	);
	v = p('Hl');
	add(
		'url',
		'connection-string',
		'mysql:// URL in a DATABASE_URL',
		v,
		`DATABASE_URL="mysql://app:${v}@127.0.0.1:3306/app"`,
	);
	v = gen(alnum, 32);
	add(
		'url',
		'api-key',
		'apikey= query parameter',
		v,
		`GET https://maps.example.com/geocode?q=Oslo&apikey=${v}`,
	);
	const pemText = `-----BEGIN DSA PRIVATE KEY-----\n${gen(b64, 64)}\n${gen(b64, 30)}=\n-----END DSA PRIVATE KEY-----`;
	add('pem', 'private-key', 'DSA private key block', pemText.split('\n')[1] ?? '', pemText);
	const jwtText = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('{"sub":"42","role":"admin"}').toString('base64url')}.${gen(alnum + '_-', 43)}`;
	add('jwt', 'jwt', 'JWT in a cookie header', jwtText, `Cookie: theme=dark; session=${jwtText}`);
	v = `ghp_${gen(alnum, 36)}`;
	add('token', 'github-token', 'GitHub token in prose', v, `I generated ${v} for the bot account.`);
	v = `xoxb-${gen(digits, 11)}-${gen(digits, 12)}-${gen(alnum, 24)}`;
	add('token', 'slack-token', 'Slack token in YAML', v, `slack:\n  bot_token: ${v}`);
	v = `glpat-${gen(alnum, 20)}`;
	add(
		'header',
		'gitlab-token',
		'PRIVATE-TOKEN header',
		v,
		`curl --header "PRIVATE-TOKEN: ${v}" https://gitlab.example.com/api/v4/projects`,
	);
	v = p('Hm');
	add(
		'shell',
		'password',
		'htpasswd-like --password= flag',
		v,
		`./manage.py createsuperuser --username admin --password=${v}`,
	);
	return cases;
})();

const hash40 = gen(hex, 40);
const sha256 = gen(hex, 64);
const imageData = Buffer.from(gen(alnum, 900)).toString('base64');
const uuid = `${gen(hex, 8)}-${gen(hex, 4)}-4${gen(hex, 3)}-a${gen(hex, 3)}-${gen(hex, 12)}`;

/** Texts with hashes, ids, encoded data, paths, numbers and credential words that must come through unchanged. */
export const harmlessCorpus: readonly HarmlessCase[] = [
	{ name: 'full commit id', text: `Fixed in commit ${hash40} on main.` },
	{ name: 'commit id after the word token', text: `The token refresh fix landed in ${hash40}.` },
	{ name: 'short commit ids', text: 'git show 9fceb02 && git revert a1b2c3d4e5f' },
	{ name: 'sha256 checksum', text: `${sha256}  dist/context-lens-0.1.0.vsix` },
	{ name: 'docker digest', text: `image: ghcr.io/acme/api@sha256:${sha256}` },
	{
		name: 'npm integrity hash',
		text: `"integrity": "sha512-${Buffer.from(gen(alnum, 64)).toString('base64')}"`,
	},
	{ name: 'UUID session id', text: `session: ${uuid}\nrequest_id: ${uuid}` },
	{ name: 'token id that is a UUID', text: `"tokenId": "${uuid}"` },
	{ name: 'base64 PNG data URI', text: `<img src="data:image/png;base64,${imageData}" alt="chart">` },
	{
		name: 'base64 image block in a message',
		text: JSON.stringify({
			type: 'image',
			source: { type: 'base64', media_type: 'image/png', data: imageData },
		}),
	},
	{ name: 'commit URL', text: `https://github.com/acme/app/commit/${hash40}` },
	{ name: 'ssh key path', text: 'ssh -i ~/.ssh/id_ed25519 -p 2222 deploy@web-1.example.com' },
	{
		name: 'secret-named source paths',
		text: 'Edited src/core/secrets/tokenStore.ts and test/passwordPolicy.test.ts',
	},
	{ name: 'Windows path', text: String.raw`C:\Users\dana\AppData\Roaming\Code\User\settings.json` },
	{ name: 'credentials file path', text: 'Credentials are read from ~/.aws/credentials (profile staging).' },
	{
		name: 'version numbers',
		text: 'node v20.19.0, typescript 5.6.3, @secretlint/core@12.0.0, Python 3.12.4',
	},
	{ name: 'token counts', text: 'inputTokens: 12345, outputTokens: 678, max_tokens: 4096' },
	{ name: 'env numbers for token settings', text: 'TOKEN_LIMIT=4096\nKEY_LENGTH=32\nPASSWORD_MIN_LENGTH=12' },
	{ name: 'the token count', text: 'The token count went from 120k to 80k after the compaction.' },
	{ name: 'password reset flow', text: 'Next: implement the password reset flow and email templates.' },
	{
		name: 'secret manager prose',
		text: 'Rotate the secret weekly through the secret manager; never commit secrets.',
	},
	{ name: 'password policy', text: 'The password must be at least 12 characters and contain a digit.' },
	{ name: 'api key advice', text: 'Store the API key in the OS keychain, not in settings.json.' },
	{
		name: 'bearer prose',
		text: 'Bearer tokens expire after one hour; the Authorization header is missing on retries.',
	},
	{
		name: 'stdin advice',
		text: 'Use --password-stdin instead of -p so the password stays out of the shell history.',
	},
	{ name: 'secret sauce', text: 'The secret sauce is the cache: the token budget is 2000 tokens.' },
	{ name: 'mkdir -p', text: 'mkdir -p src/components && docker run -p 8080:80 nginx:1.27' },
	{ name: 'git log -p', text: 'git log -p -3 -- src/auth/password.ts' },
	{ name: 'mysql prompting for the password', text: 'mysql -u root -p billing' },
	{ name: 'curl with variables', text: 'curl -u "$CI_USER:$CI_PASS" https://ci.internal.example/api' },
	{
		name: 'docker login from a variable',
		text: 'echo "$REGISTRY_PASSWORD" | docker login ghcr.io -u bot --password-stdin',
	},
	{ name: 'sshpass from a variable', text: 'sshpass -p "$SSH_PASS" ssh ops@web-1' },
	{ name: 'PGPASSWORD from a variable', text: 'PGPASSWORD=$PGPASS psql -h db -U app' },
	{ name: 'masked password', text: 'password: ********' },
	{ name: 'placeholder token', text: 'token: <your token here>\napi_key: YOUR_API_KEY' },
	{ name: 'GitHub Actions secret expression', text: 'with:\n  token: ${{ secrets.NPM_TOKEN }}' },
	{ name: 'bearer from a variable', text: 'Authorization: Bearer ${TOKEN}' },
	{
		name: 'bearer from a command',
		text: 'curl -H "Authorization: Bearer $(gcloud auth print-access-token)" https://x.example',
	},
	{ name: 'git ssh remote', text: 'git remote add origin git@github.com:acme/app.git' },
	{ name: 'user without password in a URL', text: 'https://dana@bitbucket.example/scm/app.git' },
	{ name: 'local database URL without userinfo', text: 'postgres://localhost:5432/app_test' },
	{ name: 'email address', text: 'Mail alice@example.com about the key rotation.' },
	{
		name: 'URL with a port and query',
		text: 'https://example.com:8443/search?page=2&sort=desc&token_type=refresh',
	},
	{
		name: 'code naming tokens',
		text: 'const tokenRefreshIntervalMs = 5_000;\nconst token = tokenize(text);',
	},
	{ name: 'code naming an API key header', text: "const apiKeyHeader = 'X-Api-Key';" },
	{ name: 'password length check', text: "if (password.length < 12) throw new Error('too short');" },
	{ name: 'secret lookup code', text: 'secret = client.get_secret_value(SecretId=name)' },
	{
		name: 'tokenizer config',
		text: '{"tokenizer": "o200k_base", "token_type": "Bearer", "expires_in": 3600}',
	},
	{ name: 'password from the environment', text: 'password = process.env.DB_PASSWORD' },
	{ name: 'AWS ARN with account id', text: 'arn:aws:iam::123456789012:role/deploy-staging' },
	{ name: 'CSS colours', text: 'color: #ff00aa; background: #0a0b0c;' },
	{
		name: 'long identifiers',
		text: 'ContextLensReviewPanelSerializer extends WebviewPanelSerializerBase2024',
	},
	{
		name: 'typed credential fields',
		text: 'interface Login { password: string; token?: string }\npassword: str = Field(min_length=12)',
	},
	{ name: 'code comment headed PASS', text: '// FIRST PASS: build the index\n// SECOND PASS: match results' },
	{
		name: 'markdown heading about tokens',
		text: '**3. Token Extraction:** read usage from SKILL.md; a 6,000-token budget',
	},
	{ name: 'a user id after Bearer', text: 'conversation_id=test-conv-2, user_id=Bearer dev-codemie-user' },
	{
		name: 'CLI help listing key options',
		text: '--api-key <key>          # Override API key\n    44→--base-url <url>         # Override base URL\ncodemie profile logout   # Clear SSO credentials\n   109→codemie profile refresh',
	},
	{ name: 'Jest snapshot hash', text: `exports[\`renders 1\`] = \`<div class="c-${gen(hex, 8)}">\`;` },
];
