import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { aamHome } from '../../core/aam-home.ts';
import { AamError } from '../../core/errors.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, oneLine } from '../io.ts';
import type { CliIo } from '../io.ts';

export const KEYS_HELP = `Usage: aam-trust keys import FILE... [--json]
       aam-trust keys fetch EMAIL|FINGERPRINT [--keyserver URL] [--json]

import adds OpenPGP public keys to the AAM keyring (~/.aam/keys).
fetch finds a key by email (Web Key Directory of its domain, then the
keyserver) or by full fingerprint (the keyserver: security.keyserver or
--keyserver, hkps://… or hkp://… for HKP, https://… for VKS as at
keys.openpgp.org), shows its fingerprint, user IDs and where it came from, and
adds it to the AAM keyring. A key whose fingerprint is not the one asked for,
or that has no user ID with the email asked for (one the key signed and has
not revoked), is refused.

A key already in the keyring is merged with the copy, never replaced: it only
gains user IDs, subkeys and signatures. Both say what changed, and say so when
the copy lacks a revocation the keyring has (it is kept).

Neither trusts a key: trust comes from security.trusted_keys.`;

export async function keysCommand(io: CliIo, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'import' && sub !== 'fetch') {
    io.stdout(`${KEYS_HELP}\n`);
    if (sub === '--help' || sub === '-h') return EXIT.ok;
    if (sub !== undefined) io.stderr(`Error: "keys ${sub}" is not a keys command: keys import or keys fetch.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parse(`keys ${sub}`, rest, { ...COMMON, keyserver: { type: 'string' } });
  if (values.help) {
    io.stdout(`${KEYS_HELP}\n`);
    return EXIT.ok;
  }
  return sub === 'fetch' ? fetchKey(io, positionals, values) : importKeys(io, positionals, values);
}

async function importKeys(
  io: CliIo,
  files: string[],
  values: { json?: boolean | undefined; keyserver?: string | undefined },
) {
  if (files.length === 0) throw new AamError('USAGE', 'keys import needs a key file.');
  if (values.keyserver) throw new AamError('USAGE', '--keyserver is for keys fetch.');
  const { importPublicKey } = await import('../../core/openpgp/keyring.ts');
  const { describeKeyChange } = await import('../../core/openpgp/key-change.ts');
  const imported = [];
  for (const file of files)
    imported.push(
      ...(await importPublicKey(await readFile(resolve(io.cwd, file), 'utf8'), aamHome(io.homeDir).keysDir)),
    );
  if (values.json) io.stdout(`${JSON.stringify(imported, null, 2)}\n`);
  else
    for (const key of imported) {
      const { summary, warning } = describeKeyChange(key.change);
      io.stdout(
        `✓ ${key.change.status === 'new' ? 'Imported' : 'Checked'} ${key.fingerprint}${key.userIds[0] ? ` ${key.userIds[0]}` : ''}\n` +
          `  ${summary}.\n` +
          (warning ? `  ! ${warning}\n` : '') +
          '  To trust it, add it to security.trusted_keys.\n',
      );
    }
  return EXIT.ok;
}

async function fetchKey(
  io: CliIo,
  queries: string[],
  values: { json?: boolean | undefined; keyserver?: string | undefined; project?: string | undefined },
): Promise<number> {
  if (queries.length !== 1) throw new AamError('USAGE', 'keys fetch takes one email address or fingerprint.');
  const { discoverKey, discoveryOptions, parseKeyQuery } = await import('../../core/openpgp/discovery.ts');
  const query = parseKeyQuery(queries[0]!);
  const ctx = await commandContext(io, values);
  const keyserver = values.keyserver ?? ctx.config.security.keyserver;
  if (keyserver !== undefined && !/^(hkps?|https?):\/\/\S+$/.test(keyserver))
    throw new AamError(
      'USAGE',
      `The keyserver must be an hkps://, hkp://, https:// or http:// URL, not "${keyserver}".`,
    );
  const { found } = await discoverKey(query, discoveryOptions(keyserver, io.env));
  const { importPublicKey } = await import('../../core/openpgp/keyring.ts');
  const { describeKeyChange } = await import('../../core/openpgp/key-change.ts');
  const [imported] = await importPublicKey(found.armored, aamHome(io.homeDir).keysDir);
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ fingerprint: found.fingerprint, userIds: found.userIds, source: found.source, method: found.method, path: imported?.path, change: imported?.change, others: found.others }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  const { summary, warning } = imported ? describeKeyChange(imported.change) : { summary: 'Added', warning: undefined };
  io.stdout(
    `✓ Found ${found.fingerprint} through ${{ wkd: 'Web Key Directory', hkp: 'the HKP keyserver', vks: 'the VKS keyserver' }[found.method]}\n` +
      `  ${found.source}\n` +
      found.userIds.map((uid) => `  uid ${oneLine(uid)}\n`).join('') +
      `  ${summary} (${imported?.path}); it is not trusted.\n` +
      (warning ? `  ! ${warning}\n` : '') +
      othersText(found.others) +
      `  Check the fingerprint with its owner; to trust it, add it to security.trusted_keys.\n`,
  );
  return EXIT.ok;
}

/** The other keys an answer held for the same query, which were not imported. */
function othersText(others: { fingerprint: string; userIds: string[] }[]): string {
  if (others.length === 0) return '';
  return (
    `  ! The same answer held ${others.length} other key${others.length === 1 ? '' : 's'} for it, not imported:\n` +
    others.map((o) => `    ${o.fingerprint}${o.userIds[0] ? ` ${oneLine(o.userIds[0])}` : ''}\n`).join('') +
    `    If one of them is the key its owner gave you, fetch that one by fingerprint (aam-trust keys fetch FINGERPRINT).\n`
  );
}
