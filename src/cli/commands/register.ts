import { AamError } from '../../core/errors.ts';
import { registerAccount } from '../../core/registry/accounts.ts';
import { ACCOUNT_OPTIONS, accountRegistry, askPassword } from '../account.ts';
import { parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const REGISTER_HELP = `Usage: aam-trust register --username NAME --email ADDRESS [--registry NAME]

Creates an account on an HTTP registry (the default registry unless
--registry names another). The password is asked for without echo (or read
from $AAM_REGISTRY_PASSWORD); the registry keeps only an Argon2id hash of it,
and shows the email address to no one but you. Then log in: aam-trust login.`;

export async function registerCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('register', argv, {
    ...ACCOUNT_OPTIONS,
    username: { type: 'string' },
    email: { type: 'string' },
  });
  if (values.help) {
    io.stdout(`${REGISTER_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0 || !values.username || !values.email)
    throw new AamError('USAGE', 'register needs --username NAME and --email ADDRESS.', { hint: REGISTER_HELP });
  const registry = await accountRegistry(io, values);
  const password = await askPassword(io, `New password for ${values.username} on ${registry.name} (${registry.url}): `);
  await registerAccount(registry, { username: values.username, email: values.email, password });
  io.stdout(
    `✓ Registered ${values.username} on ${registry.name} (${registry.url})\n  Log in: aam-trust login --registry ${registry.name} --username ${values.username}\n`,
  );
  return EXIT.ok;
}
