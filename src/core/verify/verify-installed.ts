import { join } from 'node:path';
import type { LoadedConfig } from '../config/load.ts';
import { messageOf } from '../errors.ts';
import { readLockFile } from '../lockfile/lockfile.ts';
import type { LockedPackage, WorkspacePaths } from '../lockfile/lockfile.ts';
import { toFsName } from '../package/names.ts';
import { decide } from '../policy/decision.ts';
import type { Checks, Verdict } from '../policy/decision.ts';
import { openRegistry } from '../registry/open.ts';
import type { StoredSignature } from '../registry/local-registry.ts';
import { SIGNATURE_SUFFIX } from '../registry/local-registry.ts';
import { checkPackage, rowsFor } from './check-package.ts';
import type { CheckRow, PackageEvidence } from './check-package.ts';
import type { EvidenceCache } from './evidence-cache.ts';
import type { SignatureVerifier } from './signature-verifier.ts';

/** The verification result of one installed package. */
export interface PackageReport {
  name: string;
  version: string;
  source: string;
  verdict: Verdict;
  /** What verification established before policy: a policy edit re-decides from these. */
  checks: Checks;
  rows: CheckRow[];
  installedDir: string;
  lockFile: string;
  signatureFile: string | undefined;
}

export interface VerifyWorkspaceOptions {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  verifier: SignatureVerifier;
  cache: EvidenceCache;
  /** Use only the evidence cache; never read a registry. */
  offline?: boolean;
  only?: readonly string[];
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Verifies every package of a workspace's lock file against the loaded policy. */
export async function verifyWorkspace(options: VerifyWorkspaceOptions): Promise<PackageReport[]> {
  const lock = await readLockFile(options.workspace.lockFile);
  const names = Object.keys(lock.packages).filter((name) => !options.only || options.only.includes(name)).sort();
  const reports: PackageReport[] = [];
  for (const [i, name] of names.entries()) {
    if (options.signal?.aborted) break;
    reports.push(await verifyOne(name, lock.packages[name]!, options));
    options.onProgress?.(i + 1, names.length);
  }
  return reports;
}

export async function verifyOne(name: string, entry: LockedPackage, options: VerifyWorkspaceOptions): Promise<PackageReport> {
  const evidence = await gatherEvidence(name, entry, options);
  const context = options.config.policyContext();
  const { checks, signatureFile } = await checkPackage(evidence, options.verifier, { skipSignature: context.policy.on_signature_failure === 'ignore' });
  const verdict = decide(checks, context);
  return {
    name,
    version: entry.version,
    source: entry.source,
    verdict,
    checks,
    rows: rowsFor(checks, verdict, evidence, signatureFile),
    installedDir: evidence.installedDir,
    lockFile: options.workspace.lockFile,
    signatureFile: signatureFile?.path,
  };
}

/**
 * Finds the archive and signature files an installed package was installed
 * from: its source registry first, else the offline evidence cache.
 */
export async function gatherEvidence(name: string, entry: LockedPackage, options: Pick<VerifyWorkspaceOptions, 'workspace' | 'config' | 'cache' | 'offline'>): Promise<PackageEvidence> {
  const installedDir = join(options.workspace.packagesDir, safeFsName(name));
  const base: Omit<PackageEvidence, 'archive' | 'archiveOrigin' | 'signatures'> = { name, entry, installedDir };
  let registryProblem: string | undefined;
  if (!options.offline) {
    const registryEntry = options.config.registries.find((r) => r.name === entry.source);
    if (!registryEntry) registryProblem = `registry "${entry.source}" is not configured`;
    else {
      try {
        const registry = openRegistry(registryEntry);
        const archive = await registry.readArchive(name, entry.version);
        return { ...base, archive, archiveOrigin: registry.archivePath(name, entry.version), signatures: await registry.readSignatures(name, entry.version) };
      } catch (error) {
        registryProblem = messageOf(error);
      }
    }
  }
  const archive = await options.cache.get(entry.checksum);
  if (!archive) {
    return { ...base, archive: undefined, archiveOrigin: registryProblem ? `${registryProblem}, and it is not in the offline cache` : 'it is not in the offline cache (run Prepare Offline Verification while the registry is reachable)', signatures: [] };
  }
  const signatures: StoredSignature[] = [];
  if (entry.signature) {
    const bytes = await options.cache.get(entry.signature.bundle_digest);
    if (bytes) signatures.push({ type: entry.signature.type, file: `${entry.version}.aam${SIGNATURE_SUFFIX[entry.signature.type]}`, path: options.cache.pathOf(entry.signature.bundle_digest), bytes });
  }
  return { ...base, archive, archiveOrigin: `offline cache ${options.cache.pathOf(entry.checksum)}`, signatures };
}

function safeFsName(name: string): string {
  try {
    return toFsName(name);
  } catch {
    return '\u0000invalid';
  }
}
