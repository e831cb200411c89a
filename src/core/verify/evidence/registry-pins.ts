import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import { withFileLock } from '../../fs/file-lock.ts';
import { readRegularFile } from '../../fs/safe-read.ts';
import { registryUrlKey } from '../../registry/registry-url.ts';
import { readTrustRecord, recordPathOf } from '../../record/trust-record.ts';
import type { RecordedRegistry } from '../../record/trust-record.ts';

/**
 * This machine's own pin of each HTTP registry's key, by URL, kept in the
 * evidence cache beside the project's `.aam/trust-record.yaml`. The record is
 * committed with the project, so a pull request can re-pin a registry whole
 * (its key id and key together) and offline nothing else would hold the pin:
 * an attestation by another registry's key would then count as this one's.
 * A key is pinned here when an install took it from the registry (a change
 * accepted with --accept-signer-change adds the new key) and when an online
 * verify proved the recorded key is the one the registry serves where none was
 * pinned. Every key taken is kept: a project not yet moved to a rotated key
 * still verifies the attestations it captured under the old one.
 */
interface Pins {
  [url: string]: { key_ids: string[]; pinned_at: string } | undefined;
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
    for (const [url, pin] of Object.entries(parsed as Record<string, { key_ids?: unknown; pinned_at?: unknown }>)) {
      const keys = Array.isArray(pin?.key_ids)
        ? pin.key_ids.filter((k): k is string => typeof k === 'string' && KEY_ID.test(k))
        : [];
      if (keys.length > 0) pins[url] = { key_ids: keys, pinned_at: String(pin?.pinned_at ?? '') };
    }
    return pins;
  } catch {
    return {};
  }
}

/** The keys this machine took for the registry at `url` (none: it never used it). */
export function pinnedHere(pins: Pins, url: string): readonly string[] {
  return pins[registryUrlKey(url)]?.key_ids ?? [];
}

/**
 * Pins `keyId` for the registry at `url`: when none is pinned, or beside the
 * others with `another` (an install that took the key from the registry
 * itself). Never fails the command that calls it.
 */
export async function pinRegistryKey(cacheDir: string, url: string, keyId: string, another: boolean): Promise<void> {
  if (!KEY_ID.test(keyId)) return;
  await mkdir(cacheDir, { recursive: true }).catch(() => undefined);
  await withFileLock(join(cacheDir, '.registry-keys.lock'), async () => {
    const pins = await readRegistryPins(cacheDir);
    const key = registryUrlKey(url);
    const kept = pins[key]?.key_ids ?? [];
    if (kept.includes(keyId) || (kept.length > 0 && !another)) return;
    pins[key] = { key_ids: [...kept, keyId].slice(-16), pinned_at: new Date().toISOString() };
    await writeFileAtomic(join(cacheDir, FILE), `${JSON.stringify(pins, null, 2)}\n`);
  }).catch(() => undefined);
}

/**
 * What the project and this machine pinned for an HTTP registry, as checkRegistryLog takes them:
 * the project's trust-record entry, and the keys the machine pinned for its URL.
 */
export async function registryPins(
  aamDir: string,
  cacheDir: string,
  registry: { name: string; url?: string },
): Promise<{ recorded: RecordedRegistry | undefined; machinePins: readonly string[] }> {
  const recorded = (await readTrustRecord(recordPathOf(aamDir))).registries?.[registry.name];
  const machinePins = registry.url ? pinnedHere(await readRegistryPins(cacheDir), registry.url) : [];
  return { recorded, machinePins };
}
