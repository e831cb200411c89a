import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { aamHome } from '../../core/aam-home.ts';
import { AamError } from '../../core/errors.ts';
import { COMMON, parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const KEYS_HELP = `Usage: aam-trust keys import FILE... [--json]

Adds OpenPGP public keys to the AAM keyring (~/.aam/keys). Importing a key
does not trust it: trust comes from security.trusted_keys.`;

export async function keysCommand(io: CliIo, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse('keys', rest, COMMON);
  if (sub !== 'import' || values.help) {
    io.stdout(`${KEYS_HELP}\n`);
    return sub === 'import' || sub === '--help' ? EXIT.ok : EXIT.usage;
  }
  if (positionals.length === 0) throw new AamError('USAGE', 'keys import needs a key file.');
  const { importPublicKey } = await import('../../core/openpgp/keyring.ts');
  const imported = [];
  for (const file of positionals)
    imported.push(
      ...(await importPublicKey(await readFile(resolve(io.cwd, file), 'utf8'), aamHome(io.homeDir).keysDir)),
    );
  if (values.json) io.stdout(`${JSON.stringify(imported, null, 2)}\n`);
  else
    for (const key of imported)
      io.stdout(
        `✓ Imported ${key.fingerprint}${key.userIds[0] ? ` ${key.userIds[0]}` : ''}\n  To trust it, add it to security.trusted_keys.\n`,
      );
  return EXIT.ok;
}
