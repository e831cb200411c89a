import type { LoadedConfig } from '../config/load.ts';
import { sha256 } from '../archive/hash.ts';
import { readLockFile } from '../lockfile/lockfile.ts';
import type { WorkspacePaths } from '../lockfile/lockfile.ts';
import type { EvidenceCache } from './evidence-cache.ts';
import { gatherEvidence } from './verify-installed.ts';

/**
 * Copies each installed package's archive and signatures into the offline
 * evidence cache, when the registry copy still matches the lock file.
 */
export async function prepareOffline(options: { workspace: WorkspacePaths; config: LoadedConfig; cache: EvidenceCache }): Promise<{ cached: string[]; missing: string[] }> {
  const lock = await readLockFile(options.workspace.lockFile);
  const cached: string[] = [];
  const missing: string[] = [];
  for (const [name, entry] of Object.entries(lock.packages)) {
    const evidence = gatherEvidence(name, entry, { ...options, offline: false });
    if (!evidence.archive || sha256(evidence.archive) !== entry.checksum) {
      missing.push(`${name}@${entry.version}: ${evidence.archive ? 'the registry archive no longer matches the lock file' : evidence.archiveOrigin}`);
      continue;
    }
    await options.cache.put(evidence.archive);
    for (const signature of evidence.signatures) await options.cache.put(signature.bytes);
    cached.push(`${name}@${entry.version}`);
  }
  return { cached, missing };
}
