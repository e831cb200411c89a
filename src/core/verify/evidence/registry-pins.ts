import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import { withFileLock } from '../../fs/file-lock.ts';
import { readRegularFile } from '../../fs/safe-read.ts';
import { registryUrlKey } from '../../registry/registry-url.ts';

/**
 * This machine's own pin of each HTTP registry's key, by URL, kept in the
 * evidence cache beside the project's `.aam/trust-record.yaml`. The record is
 * committed with the project, so a pull request can re-pin a registry whole
 * (its key id and key together) and offline nothing else would hold the pin:
 * an attestation by another registry's key would then count as this one's.
 * A key is pinned here when an install took it from the registry (a change
 * accepted with --accept-signer-change replaces it) and when an online verify
 * proved the recorded key is the one the registry serves.
 */
interface Pins {
  [url: string]: { key_id: string; pinned_at: string } | undefined;
}

const FILE = 'registry-keys.json';
const KEY_ID = /^[0-9a-f]{64}$/;

export async function readRegistryPins(cacheDir: string): Promise<Pins> {
  const bytes = await readRegularFile(join(cacheDir, FILE), 'registry').catch(() => undefined);
  if (!bytes) return {};
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const pins: Pins = Object.create(null) as Pins;
    for (const [url, pin] of Object.entries(parsed as Record<string, { key_id?: unknown; pinned_at?: unknown }>))
      if (typeof pin?.key_id === 'string' && KEY_ID.test(pin.key_id))
        pins[url] = { key_id: pin.key_id, pinned_at: String(pin.pinned_at ?? '') };
    return pins;
  } catch {
    return {};
  }
}

/** The key this machine pinned for the registry at `url`, if any. */
export function pinnedHere(pins: Pins, url: string): string | undefined {
  return pins[registryUrlKey(url)]?.key_id;
}

/**
 * Pins `keyId` for the registry at `url`: added when none is pinned, and
 * replaced only when `replace` (an install that took the key from the
 * registry itself). Never fails the command that calls it.
 */
export async function pinRegistryKey(cacheDir: string, url: string, keyId: string, replace: boolean): Promise<void> {
  if (!KEY_ID.test(keyId)) return;
  await mkdir(cacheDir, { recursive: true }).catch(() => undefined);
  await withFileLock(join(cacheDir, '.registry-keys.lock'), async () => {
    const pins = await readRegistryPins(cacheDir);
    const key = registryUrlKey(url);
    if (pins[key]?.key_id === keyId || (pins[key] && !replace)) return;
    pins[key] = { key_id: keyId, pinned_at: new Date().toISOString() };
    await writeFileAtomic(join(cacheDir, FILE), `${JSON.stringify(pins, null, 2)}\n`);
  }).catch(() => undefined);
}
