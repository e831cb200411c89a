import { whoAmI } from '../../core/registry/accounts.ts';
import { ACCOUNT_OPTIONS, accountRegistry, describeToken, keptToken } from '../account.ts';
import { parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const WHOAMI_HELP = `Usage: aam-trust whoami [--registry NAME] [--json]

Who the token kept for an HTTP registry speaks for, and which token it is.`;

export async function whoamiCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values } = parse('whoami', argv, ACCOUNT_OPTIONS);
  if (values.help) {
    io.stdout(`${WHOAMI_HELP}\n`);
    return EXIT.ok;
  }
  const registry = await accountRegistry(io, values);
  const me = await whoAmI(registry, await keptToken(io, registry));
  if (values.json) io.stdout(`${JSON.stringify({ registry: registry.name, url: registry.url, ...me }, null, 2)}\n`);
  else io.stdout(`${me.username} on ${registry.name} (${registry.url})\n  token ${describeToken(me.token)}\n`);
  return EXIT.ok;
}
