import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readKeys } from 'openpgp';
import type { Key } from 'openpgp';
import { markBounds } from './bounds.ts';
import { exportPublicKey } from './gnupg.ts';

/**
 * Public keys from a GnuPG home. Every key id asked in one turn of the event
 * loop (a run's prefetch asks for all the keys its lock file names at once)
 * goes to one `gpg --export`: a key found in the AAM keyring is still asked of
 * GnuPG, whose copy may hold a revocation (combineKeyrings), and one process
 * per key would cost a run one per signer. A key id held by a key GnuPG has
 * already exported (a signing subkey of a prefetched key) is answered from it,
 * and one asked while an export runs waits to see whether it brings the key.
 */
export class GnupgKeyring {
  private readonly gpgHome: string | undefined;
  private readonly answers = new Map<string, Promise<Key[]>>();
  /** The keys exported so far, by each of their (sub)key ids. */
  private readonly exported = new Map<string, Key[]>();
  /** The ids to ask in the next `gpg --export`, which starts when this turn of the event loop ends. */
  private batch: { ids: string[]; keys: Promise<Key[]> } | undefined;
  /** The export under way, if any: what it brings may answer an id asked meanwhile. */
  private running: Promise<void> | undefined;

  constructor(gpgHome: string | undefined) {
    this.gpgHome = gpgHome;
  }

  find(keyId: string): Promise<Key[]> {
    const id = keyId.toLowerCase();
    let found = this.answers.get(id);
    if (!found) this.answers.set(id, (found = this.lookup(id)));
    return found;
  }

  private lookup(id: string): Promise<Key[]> {
    const known = this.exported.get(id);
    if (known) return Promise.resolve(known);
    if (this.running && !this.batch) return this.running.then(() => this.lookup(id));
    return this.ask(id).then((keys) => keys.filter((k) => idsOf(k).includes(id)));
  }

  private ask(id: string): Promise<Key[]> {
    if (!this.batch) {
      const ids: string[] = [];
      const keys = new Promise((resolve) => setImmediate(resolve)).then(() => {
        this.batch = undefined;
        const exporting = exportedKeys(this.gpgHome, ids).then((keys) => (this.remember(keys), keys));
        const running = exporting.then(() => undefined);
        this.running = running;
        void running.then(() => {
          if (this.running === running) this.running = undefined;
        });
        return exporting;
      });
      this.batch = { ids, keys };
    }
    this.batch.ids.push(id);
    return this.batch.keys;
  }

  private remember(keys: Key[]): void {
    for (const key of keys)
      for (const keyId of idsOf(key)) {
        const known = this.exported.get(keyId) ?? [];
        if (!known.some((k) => k.getFingerprint() === key.getFingerprint())) this.exported.set(keyId, [...known, key]);
      }
  }
}

/** At most this many key ids on one gpg command line (Windows allows 32K characters). */
const EXPORT_CHUNK = 256;

/**
 * GnuPG's public keys that hold these ids, read; none when gpg cannot run. A
 * batch that openpgp.js cannot read whole (one odd key in it) is asked again
 * key by key, so that the odd key fails alone, as it would by itself.
 */
async function exportedKeys(gpgHome: string | undefined, ids: string[]): Promise<Key[]> {
  if (!mayHoldKeys(gpgHome)) return [];
  const where = `GnuPG (${gpgHome ?? 'its default home'})`;
  const read = async (armored: string) => (armored ? markBounds(await readKeys({ armoredKeys: armored }), where) : []);
  const keys: Key[] = [];
  for (let i = 0; i < ids.length; i += EXPORT_CHUNK) {
    const chunk = ids.slice(i, i + EXPORT_CHUNK);
    let armored: string;
    try {
      armored = await exportPublicKey(gpgHome, chunk);
    } catch {
      return keys;
    }
    try {
      keys.push(...(await read(armored)));
    } catch {
      for (const id of chunk)
        keys.push(
          ...(await exportPublicKey(gpgHome, id)
            .then(read)
            .catch(() => [])),
        );
    }
  }
  return keys;
}

/**
 * Whether a GnuPG home has a public keyring file (the files the verifier's
 * trust digest stamps): without one gpg has no key to export, and starting it
 * would cost a run that keeps its keys in ~/.aam/keys a process for nothing.
 * GnuPG's default home on Windows is not ~/.gnupg: there it is always asked.
 */
function mayHoldKeys(gpgHome: string | undefined): boolean {
  const home = gpgHome ?? process.env.GNUPGHOME;
  if (!home && process.platform === 'win32') return true;
  return ['pubring.kbx', 'pubring.gpg', join('public-keys.d', 'pubring.db')].some((file) =>
    existsSync(join(home ?? join(homedir(), '.gnupg'), file)),
  );
}

/** A key's (sub)key ids, as lower-case hex. */
export function idsOf(key: Key): string[] {
  return key.getKeyIDs().map((id) => id.toHex().toLowerCase());
}
