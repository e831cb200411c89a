import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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
  try {
    await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch {
    // Another instance made it first: use theirs.
    return createPrivateKey(await readFile(path, 'utf8'));
  }
}
