import { messageOf } from '../../core/errors.ts';
import { revokeApiToken, whoAmI } from '../../core/registry/accounts.ts';
import { forgetRegistryToken } from '../../core/registry/credentials.ts';
import { keptTokenFor, registryTokenFor } from '../../core/registry/token-binding.ts';
import { ACCOUNT_OPTIONS, accountRegistry } from '../account.ts';
import { parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const LOGOUT_HELP = `Usage: aam-trust logout [--registry NAME]

Revokes the token kept for an HTTP registry (so it stops working on the
registry too) and removes it from ~/.aam/credentials.yaml.`;

export async function logoutCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values } = parse('logout', argv, ACCOUNT_OPTIONS);
  if (values.help) {
    io.stdout(`${LOGOUT_HELP}\n`);
    return EXIT.ok;
  }
  const registry = await accountRegistry(io, values);
  // Only a token that belongs to this URL is revoked there, and only such a kept one is dropped.
  const token = await registryTokenFor(registry, io.homeDir, io.env);
  const kept = await keptTokenFor(registry, io.homeDir, io.env);
  let revoked = '';
  if (token)
    try {
      const me = await whoAmI(registry, token);
      await revokeApiToken(registry, token, me.token.id);
      revoked = ` (token "${me.token.name}" of ${me.username} revoked)`;
    } catch (error) {
      io.stderr(`The registry did not revoke the token: ${messageOf(error)}\n`);
    }
  const forgotten = kept ? await forgetRegistryToken(registry.name, io.homeDir, io.env) : false;
  if (!token && !forgotten) {
    io.stdout(`Not logged in to ${registry.name}.\n`);
    return EXIT.ok;
  }
  io.stdout(`✓ Logged out of ${registry.name}${revoked}\n`);
  if (token && !forgotten) io.stderr('The token came from the environment ($AAM_REGISTRY_TOKEN…): unset it there.\n');
  return EXIT.ok;
}
