import type { LoadedConfig } from '../config/load.ts';
import { readTrustRecord, recordPathOf } from '../record/trust-record.ts';
import { readLockFile } from '../lockfile/lockfile.ts';
import type { LockedPackage, WorkspacePaths } from '../lockfile/lockfile.ts';
import type { EvidenceCache } from '../verify/evidence/evidence-cache.ts';
import { gatherEvidence } from '../verify/evidence/sources.ts';
import { syncHttpMirrors } from '../verify/mirror-sync.ts';
import { parseDocument, readSignedDocumentFile } from '../signature/delegation-file.ts';
import { MAX_DELEGATION_DEPTH } from '../policy/delegation.ts';
import { MAX_DELEGATION_FILES } from '../registry/local-signatures.ts';

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
    options.config.globalRegistries,
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
    // Offline the cache's delegations/ is all there is: a delegation kept while the revocations of a
    // configured registry could not be read would be trusted there even if revoked (diff12-review R1).
    if (evidence.revocationsUnknown && delegationsOf(entry).size > 0) {
      missing.push(`${name}@${entry.version}: it is trusted through a delegation, and ${evidence.revocationsUnknown}`);
      continue;
    }
    await options.cache.put(evidence.archive);
    for (const signature of evidence.signatures) await options.cache.put(signature.bytes);
    // Delegations and their revocations too: offline, the cache's delegations/ is all there is.
    const files = delegationsFor(entry, kept, evidence.delegationFiles).filter((f) => !kept.has(idOf(f)));
    // Past the files clients read, the cache trusts none of its delegations: never the run that tips it over.
    if (kept.size + files.length > MAX_DELEGATION_FILES) {
      missing.push(
        `${name}@${entry.version}: its ${files.length} delegation file(s) were not cached: ${options.cache.dir}/delegations would hold more than ${MAX_DELEGATION_FILES}, past which no delegation there is trusted. Remove the files of projects no longer verified offline, and run prepare-offline again.`,
      );
      continue;
    }
    for (const file of files) {
      await options.cache.putDelegation(file);
      kept.add(idOf(file));
    }
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
  const used = delegationsOf(entry);
  return files.filter((file) => {
    if (used.has(idOf(file))) return true;
    const signed = readSignedDocumentFile(file.name, file.bytes);
    const parsed = 'problem' in signed ? undefined : parseDocument(signed.document);
    return (
      parsed?.kind === 'revocation' && (used.has(parsed.document.delegation) || kept.has(parsed.document.delegation))
    );
  });
}

/** The delegations the lock entry's signatures were trusted through at install. */
function delegationsOf(entry: LockedPackage): Set<string> {
  // A signature is trusted through one chain of at most MAX_DELEGATION_DEPTH + 1 delegations: an entry that names
  // more was not written by an install, and a pull request's lock file must not fill the machine's cache.
  return new Set(
    [entry.signature, ...(entry.cosignatures ?? [])].flatMap((s) =>
      (s?.delegations?.length ?? 0) <= MAX_DELEGATION_DEPTH + 1 ? (s?.delegations ?? []) : [],
    ),
  );
}

/** A delegation file's id: `sha256:` and the name it is stored under, which is its digest. */
const idOf = (file: { name: string }) => `sha256:${file.name.replace(/\.json$/, '')}`;
