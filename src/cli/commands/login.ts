import { AamError } from '../../core/errors.ts';
import { signIn } from '../../core/registry/accounts.ts';
import { saveRegistryToken } from '../../core/registry/credentials.ts';
import { ACCOUNT_OPTIONS, accountRegistry, askPassword, expiryOf, tokenLabel } from '../account.ts';
import { parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const LOGIN_HELP = `Usage: aam-trust login --username NAME [--registry NAME] [--scope SCOPE ...] [--expires DAYS]

Logs in to an HTTP registry with your password (asked for without echo, or
$AAM_REGISTRY_PASSWORD), trades the hour-long session for an API token named
"aam-trust on <this host>" — scopes publish and yank unless --scope says
(read, publish, yank, admin), expiring after --expires days if given — and
keeps it in ~/.aam/credentials.yaml (0600) with the registry's URL: it is
sent to that URL only. The password is not kept. A registry that the
project's .aam/config.yaml moves (a name ~/.aam/config.yaml gives another
URL) is refused, and so is plain http to another host.
See it with "aam-trust whoami" and "aam-trust token list"; end it with
"aam-trust logout".`;

export async function loginCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('login', argv, {
    ...ACCOUNT_OPTIONS,
    username: { type: 'string' },
    scope: { type: 'string', multiple: true },
    expires: { type: 'string' },
  });
  if (values.help) {
    io.stdout(`${LOGIN_HELP}\n`);
    return EXIT.ok;
  }
  const username = values.username ?? io.env.AAM_REGISTRY_USERNAME;
  if (positionals.length > 0 || !username)
    throw new AamError('USAGE', 'login needs --username NAME.', { hint: LOGIN_HELP });
  const expiresAt = expiryOf(values.expires);
  const registry = await accountRegistry(io, values);
  const password = await askPassword(io, `Password for ${username} on ${registry.name} (${registry.url}): `);
  const made = await signIn(registry, { username, password, tokenName: tokenLabel(), scopes: values.scope, expiresAt });
  const path = await saveRegistryToken(registry.name, registry.url, made.token, io.homeDir, io.env);
  if (values.json)
    io.stdout(
      `${JSON.stringify({ registry: registry.name, url: registry.url, username, token: { id: made.id, name: made.name, scopes: made.scopes, expires_at: made.expires_at } }, null, 2)}\n`,
    );
  else
    io.stdout(
      `✓ Logged in to ${registry.name} as ${username}: token "${made.name}" (${made.scopes.join(', ')}${made.expires_at ? `, expires ${made.expires_at}` : ''}) kept in ${path}\n`,
    );
  return EXIT.ok;
}
