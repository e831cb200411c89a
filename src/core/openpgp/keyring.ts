import { mkdir, readdir } from 'node:fs/promises';
import { readRegularFile } from '../fs/safe-read.ts';
import { join, resolve } from 'node:path';
import { readKeys } from 'openpgp';
import type { Key } from 'openpgp';
import { AamError, messageOf } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { withFileLock } from '../fs/file-lock.ts';
import type { KeyChange } from './key-change.ts';
import { mergeKeyCopies } from './key-merge.ts';
import { idsOf } from './gnupg-keyring.ts';
import { keyProblem, markBounds, refusalOf, refuse, withinBounds } from './bounds.ts';
import { revokedByDesignee } from './designated-revoker.ts';
import { boundUserIds } from './user-ids.ts';

// GnuPG's keyring (one batched `gpg --export` a run) is kept in its own file, and named here with the others.
export { GnupgKeyring } from './gnupg-keyring.ts';

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
        // A key beyond what any real key holds is refused (markBounds): checked, it would cost minutes.
        const keys = await readKeys({ armoredKeys: bytes.toString('utf8') });
        for (const key of markBounds(keys, join(this.dir, name))) {
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
        for (const key of markBounds(keys, 'the key brought with it'))
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

/**
 * The keyrings as one (the AAM keyring, then GnuPG): every one is asked, and
 * the copies of one key (by primary fingerprint) they hold are merged, so a
 * revocation or a newer self-signature in any copy counts — a stale copy in
 * one never shadows another. Each keyring is asked for the key id and for
 * every (sub)key id of the keys the ones before it found: GnuPG gets them all
 * in one batch (a run's prefetch, and later the signing subkeys, cost one
 * `gpg --export`), and a copy there without the subkey asked is still found.
 * A key only a later keyring has is asked of the earlier ones by its own id.
 * A key revoked by a revoker it designates is not used (designated-revoker.ts).
 * The merged key is made once a run, the same object for every key id of it,
 * so the fast path's memory of its validity (lean-keys.ts) holds.
 */
export function combineKeyrings(...lookups: PublicKeyLookup[]): PublicKeyLookup {
  const answers = new Map<string, Promise<Key[]>>();
  const merged = new Map<string, Promise<Key | undefined>>();
  // A designated revoker's own copies, unmerged: its primary key is all a revocation is checked with.
  const copiesOf = async (fingerprint: string) =>
    (await Promise.all(lookups.map((lookup) => lookup.find(fingerprint.slice(-16)))))
      .flat()
      .filter((key) => key.getFingerprint().toUpperCase() === fingerprint);
  const checked = async (key: Key | undefined) => {
    const revoked = key && !refusalOf(key) ? await revokedByDesignee(key, copiesOf) : undefined;
    if (revoked) refuse(key!, revoked);
    return key;
  };
  const search = async (id: string): Promise<Key[]> => {
    const copies = new Map<string, { first: number; keys: Key[] }>();
    const add = (key: Key, source: number) => {
      const entry = copies.get(key.getFingerprint()) ?? { first: source, keys: [] };
      if (!entry.keys.includes(key)) entry.keys.push(key);
      copies.set(key.getFingerprint(), entry);
    };
    for (const [source, lookup] of lookups.entries()) {
      const ids = new Set([id, ...[...copies.values()].flatMap((c) => c.keys.flatMap(idsOf))]);
      for (const key of (await Promise.all([...ids].map((x) => lookup.find(x)))).flat())
        if (idsOf(key).includes(id) || copies.has(key.getFingerprint())) add(key, source);
    }
    for (const [fingerprint, { first, keys }] of copies)
      for (const lookup of lookups.slice(0, first))
        for (const key of await lookup.find(keys[0]!.getKeyID().toHex()))
          if (key.getFingerprint() === fingerprint) add(key, first);
    const keys = await Promise.all(
      [...copies].map(([fingerprint, { keys }]) => {
        let made = merged.get(fingerprint);
        if (!made) merged.set(fingerprint, (made = mergedCopy(keys).then(checked)));
        return made;
      }),
    );
    return keys.filter((key) => key !== undefined);
  };
  return {
    find(keyId) {
      const id = keyId.toLowerCase();
      let answer = answers.get(id);
      if (!answer) answers.set(id, (answer = search(id)));
      return answer;
    },
  };
}

/**
 * Copies of one key as one: the first, with what each other copy adds. When
 * they cannot be merged, none is used (the signature's key is then unknown),
 * and when one is refused (over the bounds) the key is: a revocation in any
 * copy must count.
 */
async function mergedCopy(copies: Key[]): Promise<Key | undefined> {
  const refused = copies.find((copy) => refusalOf(copy) !== undefined);
  if (refused) return refused;
  let key = copies[0]!;
  if (copies.length === 1) return key;
  const bytes = Buffer.from(key.write());
  try {
    for (const copy of copies.slice(1)) if (!bytes.equals(copy.write())) key = (await mergeKeyCopies(key, copy)).key;
  } catch {
    return undefined;
  }
  return key;
}

export interface ImportedKey {
  fingerprint: string;
  /** The user IDs the stored key vouches for (self-signed, not revoked). */
  userIds: string[];
  path: string;
  change: KeyChange;
}

/**
 * Adds an armored public key to the AAM keyring as `<FINGERPRINT>.asc`.
 * Secret keys are refused. A key already there is merged with the copy
 * (key-merge.ts), never replaced: the stored key only gains material, so a
 * stale copy from a keyserver cannot strip a revocation the user has. A
 * user ID the key never signed is not stored.
 */
export async function importPublicKey(armored: string, dir: string): Promise<ImportedKey[]> {
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
  const { refused } = withinBounds(keys);
  if (refused.length > 0)
    throw new AamError('KEY_REFUSED', `Nothing was imported: ${refused.join('; ')}.`, {
      hint: 'No real key is that large; get the key again from its owner.',
    });
  await mkdir(dir, { recursive: true });
  const imported: ImportedKey[] = [];
  for (const key of keys) {
    const fingerprint = key.getFingerprint().toUpperCase();
    const path = join(dir, `${fingerprint}.asc`);
    // Read, merge and write under a lock (beside the folder, whose stamp it would change): two imports at
    // once must not each write what it read, or one could drop what the other added — a revocation.
    const result = await withFileLock(`${resolve(dir)}.lock`, async () => {
      const { stored, others } = await storedCopy(path, key);
      const merge = await mergeKeyCopies(stored, key);
      // Copies within the bounds each may hold more together: a key the keyring would not read is not written.
      const problem = keyProblem(merge.key);
      if (problem)
        throw new AamError(
          'KEY_REFUSED',
          `Nothing was imported: with the copy in ${path}, key ${fingerprint} ${problem}.`,
          {
            hint: 'No real key is that large: the copy offered adds far more than a key holds. Get the key again from its owner.',
          },
        );
      const status = !stored ? 'new' : merge.added.length > 0 ? 'updated' : 'unchanged';
      // An unchanged file keeps its stamp: verification results cached under it stay good.
      if (status !== 'unchanged') await writeFileAtomic(path, [merge.key, ...others].map((k) => k.armor()).join(''));
      return { key: merge.key, change: { status, added: merge.added, kept: merge.kept } satisfies KeyChange };
    });
    imported.push({ fingerprint, userIds: await boundUserIds(result.key), path, change: result.change });
  }
  return imported;
}

/** The copy of `key` in its file (several are merged into one), and any other keys the file holds, kept as they are. */
async function storedCopy(path: string, key: Key): Promise<{ stored: Key | undefined; others: Key[] }> {
  const bytes = await readRegularFile(path, 'key');
  if (!bytes) return { stored: undefined, others: [] };
  let keys: Key[];
  try {
    keys = await readKeys({ armoredKeys: bytes.toString('utf8') });
  } catch (error) {
    throw new AamError('KEY_REFUSED', `${path} is there but holds no key openpgp.js can read (${messageOf(error)}).`, {
      hint: 'It is left as it is. Look at it, move it away if it is damaged, then import the key again.',
      cause: error,
    });
  }
  const copies = keys.filter((k) => k.getFingerprint() === key.getFingerprint());
  const problem = copies.map(keyProblem).find((p) => p !== undefined);
  if (problem)
    throw new AamError('KEY_REFUSED', `Nothing was imported: the copy in ${path} ${problem}, so it is not read.`, {
      hint: 'Move that file away, then import the key again from its owner.',
    });
  let stored: Key | undefined;
  for (const copy of copies) stored = stored ? (await mergeKeyCopies(stored, copy)).key : copy;
  return { stored, others: keys.filter((k) => !copies.includes(k)) };
}
