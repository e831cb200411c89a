import { resolve } from 'node:path';
import { AamError, messageOf } from '../../core/errors.ts';
import { LocalRegistry } from '../../core/registry/local-registry.ts';
import { parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const REGISTRY_HELP = `Usage:
  aam-trust registry init DIR [--name NAME] [--require-signatures]
      Creates an empty local registry in the AAM layout.

  aam-trust registry serve --data DIR [--database URL] [--blobs DIR|s3://BUCKET[/PREFIX]]
                           [--host 127.0.0.1] [--port 8765] [--name NAME]
                           [--require-signatures | --no-require-signatures] [--trusted-root FILE]
                           [--require-approval | --no-require-approval] [--approver ID ...]
                           [--key FILE] [--no-registration] [--rate-limit KIND=N ...]
                           [--tls-cert FILE --tls-key FILE] [--trust-proxy ADDRESSES]
                           [--min-body-rate BYTES_PER_S] [--upload-budget MB]
                           [--max-connections N] [--max-connections-per-address N|off]
      Serves an HTTP registry (AAM's registry API): metadata in PostgreSQL — embedded
      (PGlite, in DIR) unless --database postgres://… names a server — and archives in
      a content-addressed blob store (DIR/blobs by default, or S3-compatible storage
      configured by the AWS SDK's environment: AWS_ENDPOINT_URL, AWS_REGION, keys).
      Several instances may serve one --database and --blobs. Uploaded signatures are
      verified before a version is accepted (--trusted-root: the Sigstore instance's
      trusted_root.json; the public-good one by default).
      With --require-approval a new version is pending — not installable, not "latest" —
      until one of the approvers (--approver: an identity pattern as in trusted_identities,
      or a full OpenPGP fingerprint; repeat it) signs an approval ("aam-trust approve").
      These settings are saved in the database. The registry signs attestations and its
      audit log's head with an ECDSA P-256 key (--key; DIR/registry-key.pem by default,
      created on first start); instances serving one registry must share it.
      Anyone may register an account (POST /api/v1/users/register) unless
      --no-registration (--registration opens it again; saved in the database).
      Rate limits (spec §9.3), per account (any of its tokens) or else per client address,
      shared by every instance of one database: search 100, download 1000, publish 10 and
      auth (login, register) 20 requests a minute, and write (tags, yank, owners,
      approvals, delegations) 60; --rate-limit KIND=N|off changes one.
      --tls-cert/--tls-key (PEM) serve HTTPS only (TLS 1.2+), every answer with HSTS.
      Behind a reverse proxy that terminates TLS, --trust-proxy names its addresses or
      CIDR ranges (comma-separated): their X-Forwarded-For is the client's address (for
      rate limits) and X-Forwarded-Proto: https earns HSTS; no one else's is believed.
      Slow clients are shed: headers within 10 s, 15 s idle, a whole request within 120 s;
      a body is cut off with a 408 when it stalls (under 16 KB in 5 s) or, after 5 s, when
      it has come slower than --min-body-rate on average (65536 bytes a second by default).
      Uploads read at once are held to --upload-budget MB in all (256 by default): past it
      an upload is answered 503 with Retry-After before its body is read.
      Connections held at once: --max-connections in all (10000 by default) and
      --max-connections-per-address from one client address (256; off by default behind
      --trust-proxy, where every connection is the proxy's); past either a new connection
      is closed as it opens.
      The request log is structured: one JSON object a line on stderr (--quiet: none).
      The API describes itself at /api/v1/openapi.json.

  aam-trust registry token create --data DIR [--database URL] --user NAME
                                  [--scope read|publish|yank|admin|operator ...] [--name LABEL]
      Creates an API token for NAME (the user is created if needed) and prints it once;
      only its SHA-256 is stored. Scopes default to publish and yank. admin manages the
      owners of NAME's own packages; operator acts for the registry (any package,
      reserved names, others' scopes, removing delegations) and only this command gives it. (Users of a
      registry that takes registrations make their own: aam-trust login, aam-trust token.)`;

export async function registryCommand(io: CliIo, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'serve') return serve(io, rest);
  if (sub === 'token') return token(io, rest);
  const { values, positionals } = parse('registry', rest, {
    name: { type: 'string' },
    'require-signatures': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (sub !== 'init' || values.help) {
    io.stdout(`${REGISTRY_HELP}\n`);
    return sub === 'init' || sub === '--help' || sub === '-h' ? EXIT.ok : EXIT.usage;
  }
  if (positionals.length !== 1) throw new AamError('USAGE', 'registry init needs a folder.');
  const root = resolve(io.cwd, positionals[0]!);
  const registry = await LocalRegistry.create(root, {
    name: values.name,
    requireSignatures: values['require-signatures'] ?? false,
  });
  io.stdout(
    `✓ Created registry "${registry.name}" at ${root}\n  Add it to your config:\n  registries:\n    - name: ${registry.name}\n      url: file://${root}\n      type: local\n`,
  );
  return EXIT.ok;
}

async function serve(io: CliIo, argv: string[]): Promise<number> {
  const { values } = parse('registry serve', argv, {
    data: { type: 'string' },
    database: { type: 'string' },
    blobs: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    name: { type: 'string' },
    'require-signatures': { type: 'boolean' },
    'no-require-signatures': { type: 'boolean' },
    'trusted-root': { type: 'string' },
    'require-approval': { type: 'boolean' },
    'no-require-approval': { type: 'boolean' },
    approver: { type: 'string', multiple: true },
    key: { type: 'string' },
    registration: { type: 'boolean' },
    'no-registration': { type: 'boolean' },
    'rate-limit': { type: 'string', multiple: true },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'trust-proxy': { type: 'string' },
    'min-body-rate': { type: 'string' },
    'upload-budget': { type: 'string' },
    'max-connections': { type: 'string' },
    'max-connections-per-address': { type: 'string' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${REGISTRY_HELP}\n`);
    return EXIT.ok;
  }
  const dataDir = requireData(io, values.data);
  const port = values.port === undefined ? 8765 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new AamError('USAGE', `--port must be a port number, not "${values.port}".`);
  const database = values.database ?? io.env.AAM_REGISTRY_DATABASE;
  const { startRegistryServer } = await import('../../server/serve.ts');
  const { trustProxyOf } = await import('../../server/transport.ts');
  const { CHECK_RESPONSES_ENV } = await import('../../server/response-checks.ts');
  const running = await startRegistryServer({
    dataDir,
    databaseUrl: database,
    blobs: values.blobs?.startsWith('s3://') ? values.blobs : values.blobs && resolve(io.cwd, values.blobs),
    host: values.host ?? '127.0.0.1',
    port,
    name: values.name,
    requireSignatures: values['require-signatures'] ? true : values['no-require-signatures'] ? false : undefined,
    trustedRoot: values['trusted-root'] && resolve(io.cwd, values['trusted-root']),
    requireApproval: values['require-approval'] ? true : values['no-require-approval'] ? false : undefined,
    approvers: values.approver,
    keyFile: values.key && resolve(io.cwd, values.key),
    registration: values['no-registration'] ? false : values.registration ? true : undefined,
    rateLimits: rateLimitsOf(values['rate-limit'] ?? []),
    tlsCert: values['tls-cert'] && resolve(io.cwd, values['tls-cert']),
    tlsKey: values['tls-key'] && resolve(io.cwd, values['tls-key']),
    trustProxy: values['trust-proxy'] === undefined ? undefined : trustProxyOf(values['trust-proxy']),
    timeouts:
      values['min-body-rate'] === undefined
        ? undefined
        : { minBodyRate: count('--min-body-rate', values['min-body-rate']) },
    uploadBudgetBytes:
      values['upload-budget'] === undefined
        ? undefined
        : count('--upload-budget', values['upload-budget']) * 1024 * 1024,
    connections: {
      total:
        values['max-connections'] === undefined ? undefined : count('--max-connections', values['max-connections']),
      perAddress:
        values['max-connections-per-address'] === undefined
          ? undefined
          : values['max-connections-per-address'] === 'off'
            ? false
            : count('--max-connections-per-address', values['max-connections-per-address']),
    },
    log: values.quiet ? undefined : (line) => io.stderr(`${line}\n`),
    notice: (message) => io.stderr(`${message}\n`),
    // Tests that start `registry serve` hold its answers to their schemas (never set in production).
    checkResponses: io.env[CHECK_RESPONSES_ENV] === '1',
  }).catch((error: unknown) => {
    throw error instanceof AamError
      ? error
      : new AamError('IO', `The registry could not start: ${messageOf(error)}`, {
          hint: database
            ? 'Check --database (postgres://user@host:port/db) and that the server is running.'
            : undefined,
        });
  });
  io.stdout(
    `Registry "${(await running.db.query<{ value: string }>(`SELECT value FROM registry_settings WHERE key = 'name'`)).rows[0]?.value ?? 'registry'}" on ${running.db.engine === 'pglite' ? `embedded PostgreSQL (PGlite) in ${dataDir}` : 'PostgreSQL'}, blobs in ${running.blobs.description}\nListening on ${running.url}\n`,
  );
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  await running.close();
  io.stderr('Registry stopped.\n');
  return EXIT.ok;
}

async function token(io: CliIo, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parse('registry token', rest, {
    data: { type: 'string' },
    database: { type: 'string' },
    user: { type: 'string' },
    scope: { type: 'string', multiple: true },
    name: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (action !== 'create' || values.help) {
    io.stdout(`${REGISTRY_HELP}\n`);
    return action === 'create' ? EXIT.ok : EXIT.usage;
  }
  if (!values.user) throw new AamError('USAGE', 'registry token create needs --user NAME.');
  const dataDir = requireData(io, values.data);
  const database = values.database ?? io.env.AAM_REGISTRY_DATABASE;
  const request = { user: values.user, scopes: values.scope ?? [], name: values.name };
  const [{ openRegistryStorage, servingInstance }, { createToken }] = await Promise.all([
    import('../../server/serve.ts'),
    import('../../server/tokens.ts'),
  ]);
  // An embedded database opens in one process: while `registry serve` has it, that process makes the token.
  const serving = database ? undefined : await servingInstance(dataDir);
  let created: { token: string; user: string; scopes: string[] };
  if (serving) {
    const response = await fetch(`${serving.url}/api/v1/admin/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-aam-admin-key': serving.admin_key },
      body: JSON.stringify(request),
    });
    const body = (await response.json()) as { token: string; user: string; scopes: string[]; message?: string };
    if (!response.ok) throw new AamError('USAGE', body.message ?? `The registry answered HTTP ${response.status}.`);
    created = body;
  } else {
    const db = await openRegistryStorage({ dataDir, databaseUrl: database });
    try {
      created = await createToken(db, request).catch((error: unknown) => {
        throw new AamError('USAGE', messageOf(error));
      });
    } finally {
      await db.close();
    }
  }
  io.stderr(`Token for ${created.user} (scopes: ${created.scopes.join(', ')}). It is shown once; store it now:\n`);
  io.stdout(`${created.token}\n`);
  return EXIT.ok;
}

const RATE_LIMIT_KINDS = ['auth', 'publish', 'search', 'download', 'write'] as const;

/** A whole number above zero, given to `flag`. */
function count(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n <= 0)
    throw new AamError('USAGE', `${flag} takes a whole number above zero, not "${value}".`);
  return n;
}

/** --rate-limit KIND=N|off, repeated: requests a minute per account or client address on each kind of route. */
function rateLimitsOf(specs: string[]): Partial<Record<(typeof RATE_LIMIT_KINDS)[number], number | false>> {
  const limits: Partial<Record<(typeof RATE_LIMIT_KINDS)[number], number | false>> = {};
  for (const spec of specs) {
    const [kind, n] = spec.split('=');
    const max = n === 'off' ? false : Number(n);
    if (
      !(RATE_LIMIT_KINDS as readonly string[]).includes(kind ?? '') ||
      (max !== false && !(Number.isInteger(max) && max >= 1))
    )
      throw new AamError(
        'USAGE',
        `--rate-limit takes KIND=N or KIND=off (KIND: ${RATE_LIMIT_KINDS.join(', ')}; N a whole number), not "${spec}".`,
      );
    if (kind! in limits) throw new AamError('USAGE', `--rate-limit ${kind} was given twice.`);
    limits[kind as (typeof RATE_LIMIT_KINDS)[number]] = max;
  }
  return limits;
}

function requireData(io: CliIo, data: string | undefined): string {
  if (!data) throw new AamError('USAGE', 'The registry needs --data DIR (its embedded database and blobs live there).');
  return resolve(io.cwd, data);
}
