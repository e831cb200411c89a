import { AamError } from '../../core/errors.ts';
import {
  createApiToken,
  listApiTokens,
  logIn,
  revokeApiToken,
  TOKEN_SCOPES,
  whoAmI,
} from '../../core/registry/accounts.ts';
import type { HttpRegistry } from '../../core/registry/http-registry.ts';
import { ACCOUNT_OPTIONS, accountRegistry, askPassword, describeToken, expiryOf, keptToken } from '../account.ts';
import { parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const TOKEN_HELP = `Usage: aam-trust token create [--name LABEL] [--scope SCOPE ...] [--expires DAYS] [--username NAME] [--registry NAME]
       aam-trust token list [--registry NAME] [--json]
       aam-trust token revoke ID [--registry NAME]

Your API tokens on an HTTP registry. create asks for your password (or reads
$AAM_REGISTRY_PASSWORD) and prints the new token once — for CI, say; scopes
are ${TOKEN_SCOPES.join(', ')} (publish and yank unless --scope says; admin manages
the owners of your packages and the members of your scopes). list shows
the tokens that still work, never the tokens themselves; revoke ends one.
Both use the token kept by "aam-trust login".`;

export async function tokenCommand(io: CliIo, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parse('token', rest, {
    ...ACCOUNT_OPTIONS,
    name: { type: 'string' },
    scope: { type: 'string', multiple: true },
    expires: { type: 'string' },
    username: { type: 'string' },
  });
  if (values.help || !action || !['create', 'list', 'revoke'].includes(action)) {
    io.stdout(`${TOKEN_HELP}\n`);
    return values.help || action === '--help' || action === '-h' ? EXIT.ok : EXIT.usage;
  }
  const registry = await accountRegistry(io, values);
  if (action === 'create') return create(io, registry, values);
  const token = await keptToken(io, registry);
  if (action === 'list') {
    const tokens = await listApiTokens(registry, token);
    if (values.json) io.stdout(`${JSON.stringify({ registry: registry.name, tokens }, null, 2)}\n`);
    else io.stdout(tokens.length === 0 ? 'No tokens.\n' : `${tokens.map((t) => `${describeToken(t)}\n`).join('')}`);
    return EXIT.ok;
  }
  const [id] = positionals;
  if (!id || positionals.length > 1)
    throw new AamError('USAGE', 'token revoke needs one token ID (see "aam-trust token list").');
  await revokeApiToken(registry, token, id);
  io.stdout(`✓ Revoked token ${id} on ${registry.name}\n`);
  return EXIT.ok;
}

async function create(
  io: CliIo,
  registry: HttpRegistry,
  values: {
    name?: string | undefined;
    scope?: string[] | undefined;
    expires?: string | undefined;
    username?: string | undefined;
    json?: boolean | undefined;
  },
): Promise<number> {
  if (values.scope?.includes('operator'))
    throw new AamError('USAGE', 'The "operator" scope is the registry operator\'s: a user\'s token cannot have it.', {
      hint: "The operator gives it on the registry's host: aam-trust registry token create --data DIR --user NAME --scope operator.",
    });
  const unknown = (values.scope ?? []).filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new AamError('USAGE', `Unknown scope ${unknown.join(', ')}: use ${TOKEN_SCOPES.join(', ')}.`);
  const expiresAt = expiryOf(values.expires);
  // Who: --username, or whoever the kept token speaks for.
  const username =
    values.username ??
    (await keptToken(io, registry)
      .then((t) => whoAmI(registry, t))
      .then((me) => me.username)
      .catch(() => undefined));
  if (!username) throw new AamError('USAGE', 'token create needs --username NAME (or a login to this registry).');
  const password = await askPassword(io, `Password for ${username} on ${registry.name} (${registry.url}): `);
  const session = await logIn(registry, username, password);
  try {
    const made = await createApiToken(registry, session.token, {
      name: values.name ?? 'token',
      scopes: values.scope && values.scope.length > 0 ? values.scope : ['publish', 'yank'],
      expiresAt,
    });
    io.stderr(
      `Token "${made.name}" for ${username} (${made.scopes.join(', ')}; id ${made.id}). It is shown once; store it now:\n`,
    );
    io.stdout(`${made.token}\n`);
  } finally {
    const me = await whoAmI(registry, session.token).catch(() => undefined);
    if (me) await revokeApiToken(registry, session.token, me.token.id).catch(() => undefined);
  }
  return EXIT.ok;
}
