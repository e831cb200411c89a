import { homedir } from 'node:os';
import type { RegistryEntry } from '../config/settings.ts';
import type { LockedPackage } from '../lockfile/lockfile.ts';
import type { HttpRegistry } from '../registry/http-registry.ts';
import { syncMirrors } from '../registry/http-mirror.ts';
import { openMirrored } from './registry-facts.ts';

/**
 * Asks each HTTP registry about the packages installed from it and brings
 * their mirrors up to date, and every other HTTP registry configured here
 * (`globalRegistries` too) for its delegations; the registries that could
 * not answer, with why.
 */
export async function syncHttpMirrors(
  names: readonly string[],
  entries: Record<string, LockedPackage | undefined>,
  registries: readonly RegistryEntry[],
  cacheDir: string,
  homeDir: string = homedir(),
  globalRegistries: readonly RegistryEntry[] = [],
): Promise<Map<string, string>> {
  const wanted: Parameters<typeof syncMirrors>[0] = [];
  const opened = new Map<string, HttpRegistry>();
  for (const name of names) {
    const entry = entries[name];
    const configured = entry && registries.find((r) => r.name === entry.source && r.type === 'http');
    if (!entry || !configured) continue;
    let registry = opened.get(configured.name);
    if (!registry) {
      const made = openMirrored(configured, cacheDir, homeDir);
      if (!made) continue;
      opened.set(configured.name, (registry = made));
    }
    wanted.push({ registry, name, version: entry.version });
  }
  // Every other HTTP registry configured here, for its revocations (evidence.ts, otherRegistries): asked once,
  // briefly — a run that takes nothing from it does not wait on it (diff11-review R3) — and one whose address
  // cannot be opened is left out, not the end of the run (X1); what its mirror holds still counts.
  const others = [...registries, ...globalRegistries].flatMap((configured) => {
    if (configured.type !== 'http' || opened.has(configured.name) || names.length === 0) return [];
    let made: HttpRegistry | undefined;
    try {
      made = openMirrored(configured, cacheDir, homeDir, OTHERS_PATIENCE);
    } catch {
      return [];
    }
    if (made) opened.set(configured.name, made);
    return made ? [made] : [];
  });
  return wanted.length + others.length > 0 ? syncMirrors(wanted, cacheDir, others) : new Map();
}

/** How long a registry no package of the run comes from is waited for: one try of 5 s. */
const OTHERS_PATIENCE = { timeoutMs: 5_000, attempts: 1 };
