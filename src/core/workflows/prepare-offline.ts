import type { LoadedConfig } from '../config/load.ts';
import { readTrustRecord, recordPathOf } from '../record/trust-record.ts';
import { readLockFile } from '../lockfile/lockfile.ts';
import type { WorkspacePaths } from '../lockfile/lockfile.ts';
import type { EvidenceCache } from '../verify/evidence/evidence-cache.ts';
import { gatherEvidence } from '../verify/evidence/sources.ts';
import { syncHttpMirrors } from '../verify/registry-facts.ts';
import { parseDocument, readSignedDocumentFile } from '../signature/delegation-file.ts';
import { matchesNamePattern } from '../policy/name-pattern.ts';

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
    for (const file of delegationsFor(name, evidence.delegationFiles)) await options.cache.putDelegation(file);
    cached.push(`${name}@${entry.version}`);
  }
  return { cached, missing };
}

/**
 * Of a registry's delegation files, those the package can need: signed delegations named by their
 * document's digest whose pattern covers it, and the revocations of those. The cache's folder serves
 * every project on the machine, and verification trusts none of its delegations when it holds more
 * than clients read: one registry's other files (or junk) must not fill it.
 */
function delegationsFor(name: string, files: readonly { name: string; bytes: Buffer }[]) {
  const read = files.flatMap((file) => {
    const signed = readSignedDocumentFile(file.name, file.bytes);
    const parsed = 'problem' in signed ? undefined : parseDocument(signed.document);
    return parsed ? [{ file, parsed, id: `sha256:${file.name.replace(/\.json$/, '')}` }] : [];
  });
  const covering = new Set(
    read
      .filter((d) => d.parsed.kind === 'delegation' && matchesNamePattern(d.parsed.document.pattern, name))
      .map((d) => d.id),
  );
  return read
    .filter(
      ({ parsed, id }) =>
        covering.has(id) || (parsed.kind === 'revocation' && covering.has(parsed.document.delegation)),
    )
    .map(({ file }) => file);
}
