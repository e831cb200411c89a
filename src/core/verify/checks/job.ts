import type { LockedPackage } from '../../lockfile/lockfile.ts';
import type { Checks } from '../../policy/decision.ts';
import type { StoredSignature } from '../../registry/local-registry.ts';
import { checkPackage } from './check-package.ts';
import { claimsOfInstalled } from '../evidence/claims.ts';
import { gatherEvidence } from '../evidence/evidence.ts';
import type { CapturedSignature, EvidenceSource, RegistryChange } from '../evidence/evidence.ts';
import type { DeploySource } from './check-deployed.ts';
import type { DeployedCopy } from '../../deploy/check.ts';
import type { DeployRoots } from '../../deploy/platforms.ts';
import { childPath } from '../../lockfile/paths.ts';
import { continuityChanges } from '../../record/continuity.ts';
import type { ContinuityChange } from '../../record/continuity.ts';
import type { RecordedPackage } from '../../record/trust-record.ts';
import { scanSettled, unchanged } from '../../scan/scan-installed.ts';
import type { InstalledScan } from '../../scan/scan-installed.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import { nowNs, settled, stampOf } from '../../scan/stamps.ts';
import { nameGroupOf, nameGroupPath } from '../../scan/name-groups.ts';
import type { FileStamp } from '../../scan/stamps.ts';
import type { HiddenFile } from '../../content/scan.ts';

/** The verification of one installed package, as plain data: it may run in a worker. */
export interface VerifyJob {
  name: string;
  entry: LockedPackage;
  installedDir: string;
  source: EvidenceSource;
  /** on_signature_failure: ignore — no signature is even looked at. */
  skipSignature: boolean;
  /** The last scan of the installed folder: unchanged, settled files are not re-read. */
  previousScan: InstalledScan | undefined;
  /** The signatures captured at install (lock file or trust record); none: whatever the registry has. */
  captured: CapturedSignature[];
  /** Where the copies agents load are deployed; undefined: not checked. */
  deploy?: DeploySource | undefined;
  /** The trust record says its registry required signatures when it was installed. */
  sourceRequiredSignatures?: boolean;
  /** What the trust record says about the package (signer continuity); undefined: first use. */
  recorded?: RecordedPackage | undefined;
}

/** What verifying one package established, before policy, and what it was established from. */
export interface JobResult {
  name: string;
  checks: Checks;
  archiveOrigin: string;
  signatureFile: Omit<StoredSignature, 'bytes'> | undefined;
  /**
   * Every evidence path consulted, stamped before it was read (null: it did not exist), and the
   * names found beside each deployed copy that are its name on macOS and Windows (nameGroupKey).
   */
  evidence: Record<string, FileStamp | null>;
  /** When the evidence was stamped (ns since the epoch). */
  at: string;
  /** The installed folder as checked; absent when integrity failed before it was looked at. */
  scan: InstalledScan | undefined;
  /** What the source registry now serves that differs from what was installed. */
  registryChanges: RegistryChange[];
  /** The deployed copies found (.cursor/, .claude/, .github/, CLAUDE.md, AGENTS.md, ~/.codex/), each compared with the archive. */
  deployed: DeployedCopy[];
  /** What changed since the trust record: a signature removed, another signer, a lower version. */
  continuity: ContinuityChange[];
  /** SHA-256 of the signature file checked (`sha256:…`). */
  signatureDigest: string | undefined;
  /** The places its installed aam.yaml says its artifacts deploy to (see PlaceIndex). */
  claims: string[];
  /** Hidden content in the archive's files; the policy (hidden_content) decides what it counts for. */
  hidden: HiddenFile[];
}

export async function runJob(job: VerifyJob, verifier: SignatureVerifier): Promise<JobResult> {
  const at = String(nowNs());
  const evidence: Record<string, FileStamp | null> = {};
  const found = gatherEvidence(job.name, job.entry, job.installedDir, job.source, evidence, job.captured);
  const { checks, signatureFile, scan, deployed, signatureDigest, hidden, installedManifest } = await checkPackage(
    found,
    verifier,
    {
      skipSignature: job.skipSignature,
      previousScan: job.previousScan,
      deploy: job.deploy,
      stamps: evidence,
      sourceRequiredSignatures: job.sourceRequiredSignatures ?? false,
      run: job.source.run,
    },
  );
  // The record's word that nobody verified these bytes before they were installed (--no-verify).
  const marker = job.recorded?.installed_without_verification;
  return {
    name: job.name,
    checks:
      marker && job.recorded?.checksum === job.entry.checksum
        ? { ...checks, installedWithoutVerification: { at: marker } }
        : checks,
    archiveOrigin: found.archiveOrigin,
    signatureFile: signatureFile && { type: signatureFile.type, file: signatureFile.file, path: signatureFile.path },
    evidence,
    at,
    scan,
    registryChanges: found.registryChanges,
    deployed,
    // Only a signature that was looked at can have changed: not with on_signature_failure: ignore, nor
    // when the archive or the installed copy failed first (the signature is then never checked).
    continuity:
      job.skipSignature || !(checks.integrity.ok || checks.integrity.code === 'DEPLOYED_MODIFIED')
        ? []
        : continuityChanges(job.recorded, job.entry.version, checks),
    signatureDigest,
    claims: job.deploy ? claimsOf(job.installedDir, job.deploy.roots, installedManifest, evidence) : [],
    hidden,
  };
}

/**
 * Whether a result still describes the files: every evidence path and the
 * installed folder carry the stamps they had, and had settled when stamped.
 * Anything in doubt is re-verified.
 */
export function stillHolds(result: JobResult, installedDir: string): boolean {
  if (!allSettled(result)) return false;
  for (const key in result.evidence) {
    const group = nameGroupPath(key);
    if ((group === undefined ? stampOf(key) : nameGroupOf(group)) !== result.evidence[key]) return false;
  }
  return result.scan === undefined || unchanged(installedDir, result.scan);
}

/** Whether every stamp of a result had settled when it was taken: a fact about the result, so found once. */
const settledResults = new WeakMap<JobResult, boolean>();

function allSettled(result: JobResult): boolean {
  let known = settledResults.get(result);
  if (known === undefined) {
    known =
      Object.entries(result.evidence).every(
        ([key, stamp]) => nameGroupPath(key) !== undefined || settled(stamp, result.at),
      ) &&
      (result.scan === undefined || scanSettled(result.scan));
    settledResults.set(result, known);
  }
  return known;
}

/**
 * The places the installed aam.yaml claims. Read from disk (not the archive's text, vouched for by the
 * installed-files scan), the file is evidence like any other: an edit to it must void the stored result,
 * whose claims a later run reuses (an early failure leaves no scan to notice it).
 */
function claimsOf(
  installedDir: string,
  roots: DeployRoots,
  knownText: string | undefined,
  evidence: Record<string, FileStamp | null>,
): string[] {
  if (knownText === undefined) {
    const manifest = childPath(installedDir, 'aam.yaml');
    evidence[manifest] = stampOf(manifest);
  }
  return claimsOfInstalled(installedDir, roots, knownText);
}
