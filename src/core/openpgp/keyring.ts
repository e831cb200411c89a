import { mkdir, readdir } from 'node:fs/promises';
import { readRegularFile } from '../fs/safe-read.ts';
import { join } from 'node:path';
import { readKeys } from 'openpgp';
import type { Key } from 'openpgp';
import { AamError, messageOf } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { exportPublicKey } from './gnupg.ts';

/** Finds public keys by the (sub)key id a signature names (16 hex digits). */
export interface PublicKeyLookup {
  find(keyId: string): Promise<Key[]>;
}

/** The AAM keyring: armored public keys in `~/.aam/keys/*.asc`, read once and indexed. */
export class DirectoryKeyring implements PublicKeyLookup {
  private index: Promise<Map<string, Key[]>> | undefined;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async find(keyId: string): Promise<Key[]> {
    this.index ??= this.load();
    return (await this.index).get(keyId.toLowerCase()) ?? [];
  }

  private async load(): Promise<Map<string, Key[]>> {
    const index = new Map<string, Key[]>();
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.asc'));
    } catch {
      return index;
    }
    for (const name of names) {
      try {
        const bytes = await readRegularFile(join(this.dir, name), 'key');
        if (!bytes) continue;
        for (const key of await readKeys({ armoredKeys: bytes.toString('utf8') })) {
          for (const id of key.getKeyIDs()) {
            const hex = id.toHex().toLowerCase();
            index.set(hex, [...(index.get(hex) ?? []), key]);
          }
        }
      } catch {
        // An unreadable file (or a link, FIFO or device) is skipped; it cannot vouch for anything.
      }
    }
    return index;
  }
}

/** Public keys handed over as armored text (an upload's `public_key`), indexed by every (sub)key id. */
export class ArmoredKeyring implements PublicKeyLookup {
  private index: Promise<Map<string, Key[]>> | undefined;
  private readonly armored: string;

  constructor(armored: string) {
    this.armored = armored;
  }

  async find(keyId: string): Promise<Key[]> {
    this.index ??= readKeys({ armoredKeys: this.armored }).then(
      (keys) => {
        const index = new Map<string, Key[]>();
        for (const key of keys)
          for (const id of key.getKeyIDs()) {
            const hex = id.toHex().toLowerCase();
            index.set(hex, [...(index.get(hex) ?? []), key]);
          }
        return index;
      },
      () => new Map<string, Key[]>(),
    );
    return (await this.index).get(keyId.toLowerCase()) ?? [];
  }
}

/** Armored keyrings kept by their exact text (most recently used last), with what they hold in all. */
const armoredKeyrings = new Map<string, ArmoredKeyring>();
let armoredChars = 0;
/**
 * At most this many keyrings, this many characters in all, none longer than
 * `largest`. A kept keyring holds far more than its text (parsed packets, and
 * lean-keys.ts's instants: signatures × key packets), so both bounds are
 * small: a publisher's key is 1–8 KB armored; a larger text (many subkeys or
 * signatures, as a hostile uploader would make to fill memory) is read fresh
 * every time. Worst case measured for a 64 KB text: 12 MB kept.
 */
export const ARMORED_KEYRINGS = { entries: 256, chars: 256 * 1024, largest: 8 * 1024 };

/**
 * The keyring of an armored text, the same object for the same text while it
 * is kept: a publisher sends one public key with every upload, and reading it
 * (packets, fingerprints) and checking its self-signatures at a date
 * (lean-keys.ts remembers the answer per key and interval) is most of the
 * cost of checking a signature. The answers are those of a fresh keyring:
 * they depend on the text and the date only, and any other text (a revoked
 * or re-signed key) is another entry.
 */
export function armoredKeyring(armored: string): ArmoredKeyring {
  const kept = armoredKeyrings.get(armored);
  if (kept) {
    armoredKeyrings.delete(armored);
    armoredKeyrings.set(armored, kept);
    return kept;
  }
  const made = new ArmoredKeyring(armored);
  if (armored.length > ARMORED_KEYRINGS.largest) return made;
  armoredKeyrings.set(armored, made);
  armoredChars += armored.length;
  for (const oldest of armoredKeyrings.keys()) {
    if (armoredKeyrings.size <= ARMORED_KEYRINGS.entries && armoredChars <= ARMORED_KEYRINGS.chars) break;
    armoredKeyrings.delete(oldest);
    armoredChars -= oldest.length;
  }
  return made;
}

/** Public keys from a GnuPG home, asked for one key id at a time. */
export class GnupgKeyring implements PublicKeyLookup {
  private readonly gpgHome: string | undefined;
  private readonly cache = new Map<string, Promise<Key[]>>();

  constructor(gpgHome: string | undefined) {
    this.gpgHome = gpgHome;
  }

  find(keyId: string): Promise<Key[]> {
    let found = this.cache.get(keyId);
    if (!found) {
      found = exportPublicKey(this.gpgHome, keyId)
        .then((armored) => (armored ? readKeys({ armoredKeys: armored }) : []))
        .catch(() => []);
      this.cache.set(keyId, found);
    }
    return found;
  }
}

export function combineKeyrings(...lookups: PublicKeyLookup[]): PublicKeyLookup {
  return {
    async find(keyId) {
      for (const lookup of lookups) {
        const keys = await lookup.find(keyId);
        if (keys.length > 0) return keys;
      }
      return [];
    },
  };
}

/** Adds an armored public key to the AAM keyring as `<FINGERPRINT>.asc`. Secret keys are refused. */
export async function importPublicKey(
  armored: string,
  dir: string,
): Promise<{ fingerprint: string; userIds: string[]; path: string }[]> {
  if (/PRIVATE KEY BLOCK/.test(armored)) {
    throw new AamError('USAGE', 'That is a secret key. Import only public keys into the AAM keyring.', {
      hint: 'Export the public part with "gpg --armor --export <id>".',
    });
  }
  let keys: Key[];
  try {
    keys = await readKeys({ armoredKeys: armored });
  } catch (error) {
    throw new AamError('USAGE', `Not an OpenPGP public key: ${messageOf(error)}.`, { cause: error });
  }
  await mkdir(dir, { recursive: true });
  const imported = [];
  for (const key of keys) {
    const fingerprint = key.getFingerprint().toUpperCase();
    const path = join(dir, `${fingerprint}.asc`);
    await writeFileAtomic(path, key.armor());
    imported.push({ fingerprint, userIds: key.getUserIDs(), path });
  }
  return imported;
}
