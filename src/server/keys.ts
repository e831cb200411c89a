import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The registry's signing key (ECDSA P-256, PKCS#8 PEM, 0600): read, or made
 * on first start. Instances that serve one registry must be given the same
 * file (--key), or clients see a key change.
 */
export async function loadOrCreateRegistryKey(path: string): Promise<KeyObject> {
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing) return createPrivateKey(existing);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await mkdir(dirname(path), { recursive: true });
  // Written whole beside it, then linked into place: a start killed midway leaves no half a key
  // (which would stop every later start), and of two instances starting at once one key wins.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, path);
    return privateKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another instance made it first: use theirs.
    return createPrivateKey(await readFile(path, 'utf8'));
  } finally {
    await rm(temp, { force: true });
  }
}
