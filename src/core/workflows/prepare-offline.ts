import type { LoadedConfig } from '../config/load.ts';
import { readTrustRecord, recordPathOf } from '../record/trust-record.ts';
import { readLockFile } from '../lockfile/lockfile.ts';
import type { LockedPackage, WorkspacePaths } from '../lockfile/lockfile.ts';
import type { EvidenceCache } from '../verify/evidence/evidence-cache.ts';
import { gatherEvidence } from '../verify/evidence/sources.ts';
import { syncHttpMirrors } from '../verify/registry-facts.ts';
import { parseDocument, readSignedDocumentFile } from '../signature/delegation-file.ts';

/**
 * Copies each installed package's archive, signatures and the registry's
 * delegations into the offline evidence cache, when the registry copy still
 * matches the lock file.
 */
export async function prepareOffline(options: {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  cache: EvidenceCache;
  homeDir?: string;
}): Promise<{ cached: string[]; missing: string[] }> {
  const lock = await readLockFile(options.workspace.lockFile);
  // HTTP registries are asked now, while they are reachable: their answers land in the mirror read below.
  const unreachable = await syncHttpMirrors(
    Object.keys(lock.packages),
    lock.packages,
    options.config.registries,
    options.cache.dir,
    options.homeDir,
  );
  const record = await readTrustRecord(recordPathOf(options.workspace.aamDir));
  const cached: string[] = [];
  const missing: string[] = [];
  const kept = await options.cache.delegationIds();
  for (const [name, entry] of Object.entries(lock.packages)) {
    // Only bytes with the digests the lock file and trust record name are ever handed over.
    const evidence = gatherEvidence(name, entry, { ...options, offline: false, unreachable }, record.packages[name]);
    if (!evidence.archive) {
      missing.push(`${name}@${entry.version}: ${evidence.archiveOrigin}`);
      continue;
    }
    await options.cache.put(evidence.archive);
    for (const signature of evidence.signatures) await options.cache.put(signature.bytes);
    // Delegations and their revocations too: offline, the cache's delegations/ is all there is.
    for (const file of delegationsFor(entry, kept, evidence.delegationFiles)) await options.cache.putDelegation(file);
    cached.push(`${name}@${entry.version}`);
  }
  return { cached, missing };
}

/**
 * Of a registry's delegation files, those verification can need offline: the delegations the
 * package's signatures were trusted through at install (their ids in the lock entry), and the
 * revocations of those and of delegations kept before. The cache's folder serves every project on
 * the machine, and verification trusts none of its delegations when it holds more than clients
 * read: what a registry serves beside them (any covering delegation, signed by anyone) must not
 * fill it (delegation-review F2).
 */
function delegationsFor(
  entry: LockedPackage,
  kept: ReadonlySet<string>,
  files: readonly { name: string; bytes: Buffer }[],
) {
  const used = new Set([entry.signature, ...(entry.cosignatures ?? [])].flatMap((s) => s?.delegations ?? []));
  return files.filter((file) => {
    const id = `sha256:${file.name.replace(/\.json$/, '')}`;
    if (used.has(id)) return true;
    const signed = readSignedDocumentFile(file.name, file.bytes);
    const parsed = 'problem' in signed ? undefined : parseDocument(signed.document);
    return (
      parsed?.kind === 'revocation' && (used.has(parsed.document.delegation) || kept.has(parsed.document.delegation))
    );
  });
}
