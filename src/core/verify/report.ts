import { join } from 'node:path';
import type { WorkspacePaths } from '../lockfile/paths.ts';
import { toFsName } from '../package/names.ts';
import { decide } from '../policy/decision.ts';
import type { AttestationFact, Checks, PolicyContext, Verdict } from '../policy/decision.ts';
import type { JobResult } from './job.ts';
import { contextOf } from './policy-snapshot.ts';
import type { EntrySummary, VerificationStore } from './result-store.ts';
import { continuityFindings, registryFindings } from './findings.ts';
import type { Finding } from './findings.ts';
import { rowsFor } from './rows.ts';
import type { Signer } from '../policy/trust-match.ts';
import type { CheckRow } from './rows.ts';
import type { DeployedCopy } from '../deploy/check.ts';

/** The verification result of one installed package. */
export interface PackageReport {
  name: string;
  version: string;
  source: string;
  /** The archive checksum the lock file records. */
  checksum: string;
  verdict: Verdict;
  /** What was found beside the verdict (a registry that changed a published version…); each warns or fails on its own. */
  findings: Finding[];
  /** What verification established before policy: a policy edit re-decides from these. */
  checks: Checks;
  rows: CheckRow[];
  /** The copies agents load, found and compared with the signed archive. */
  deployed: DeployedCopy[];
  /** SHA-256 of the signature file that was checked. */
  signatureDigest: string | undefined;
  installedDir: string;
  lockFile: string;
  signatureFile: string | undefined;
  /** When the checks behind this report ran (ISO time); older than now when an earlier result was reused. */
  checkedAt: string;
}

/** A shared deployed path (a file, or a section of a shared file). */
const copyKey = (copy: DeployedCopy) => `${copy.path}\u0000${copy.section ?? ''}`;

/**
 * Which package's deployed copy each shared path holds: two packages with an
 * artifact of the same name deploy to the same place (aam overwrites), and the
 * one whose copy is there owns it.
 */
export function deployedOwners(results: readonly JobResult[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const result of results)
    for (const copy of result.deployed) if (copy.state === 'ok') owners.set(copyKey(copy), result.name);
  return owners;
}

/** A result's deployed copies that hold another installed package's artifact (a name clash, not an edit), by path. */
export function shadowsOf(result: JobResult, owners: ReadonlyMap<string, string>): Map<string, string> {
  const shadows = new Map<string, string>();
  for (const copy of result.deployed) {
    const owner = owners.get(copyKey(copy));
    if (copy.state === 'modified' && owner !== undefined && owner !== result.name) shadows.set(copyKey(copy), owner);
  }
  return shadows;
}

/** A verification result decided under a policy: the verdict and the rows that explain it. */
/** What verification knows about a package beside its job's result: its HTTP registry's attestation and log. */
export interface ReportExtras {
  attestation?: AttestationFact | undefined;
  findings: Finding[];
}

export function reportOf(
  name: string,
  summary: EntrySummary,
  result: JobResult,
  context: PolicyContext,
  workspace: WorkspacePaths,
  shadows: ReadonlyMap<string, string> = new Map(),
  extras?: ReportExtras,
): PackageReport {
  const deployed = result.deployed.map((copy): DeployedCopy => {
    const owner = shadows.get(copyKey(copy));
    return owner
      ? { ...copy, state: 'shadowed', detail: `it holds ${owner}'s artifact of the same name (the one installed last)` }
      : copy;
  });
  // Only edits fail: a path another installed package's same-named artifact holds is that package's to answer for.
  const withExtras = extras?.attestation ? { ...result.checks, attestation: extras.attestation } : result.checks;
  const checks =
    withExtras.integrity.ok === false &&
    withExtras.integrity.code === 'DEPLOYED_MODIFIED' &&
    deployed.every((c) => c.state === 'ok' || c.state === 'shadowed')
      ? { ...withExtras, integrity: { ok: true as const } }
      : withExtras;
  const verdict = decide(checks, context);
  return {
    name,
    version: summary.version,
    source: summary.source,
    checksum: summary.checksum,
    verdict,
    findings: [
      ...continuityFindings(result.continuity, name, context.policy.on_signer_change),
      ...registryFindings(result.registryChanges, summary.source, `${name}@${summary.version}`),
      ...(extras?.findings ?? []),
    ],
    checks,
    rows: rowsFor(
      checks,
      verdict,
      { checksum: summary.checksum, fileCount: summary.fileCount, archiveOrigin: result.archiveOrigin },
      result.signatureFile,
      deployed,
      workspace.root,
    ),
    deployed,
    signatureDigest: result.signatureDigest,
    installedDir: installedDirOf(workspace, name),
    lockFile: workspace.lockFile,
    signatureFile: result.signatureFile?.path,
    checkedAt: new Date(Number(result.at) / 1e6).toISOString(),
  };
}

/**
 * The reports of the last verification of a workspace, decided again under
 * the policy it ran with — what the Verification view shows at start-up,
 * before anything is loaded or checked. Undefined when nothing is stored.
 */
export function storedReports(
  store: VerificationStore,
  workspace: WorkspacePaths,
  session: { restricted: boolean },
): { reports: PackageReport[]; checkedAt: string | undefined } | undefined {
  const policy = store.policy(workspace.lockFile);
  // Verdicts decided with a project's settings are not shown in Restricted Mode, where those may not apply.
  if (!policy || policy.snapshot.restricted !== session.restricted) return undefined;
  const context = contextOf(policy.snapshot);
  const results = store.all(workspace.lockFile);
  const owners = deployedOwners(Object.values(results).map((r) => r.result));
  const reports = Object.keys(results)
    .sort()
    .map((name) =>
      reportOf(
        name,
        results[name]!.summary,
        results[name]!.result,
        context,
        workspace,
        shadowsOf(results[name]!.result, owners),
      ),
    );
  return { reports, checkedAt: policy.checkedAt };
}

/**
 * Who signed a package, when a valid signature says so — also when the
 * verdict is about something else (a deployed copy that was edited).
 */
export function signerOfReport(report: Pick<PackageReport, 'verdict' | 'checks'>): Signer | undefined {
  return (
    report.verdict.signer ?? (report.checks.signature.state === 'valid' ? report.checks.signature.signer : undefined)
  );
}

export function installedDirOf(workspace: WorkspacePaths, name: string): string {
  let fsName: string;
  try {
    fsName = toFsName(name);
  } catch {
    // A name that cannot be a folder is never installed: the check finds nothing there.
    fsName = '\u0000invalid';
  }
  return join(workspace.packagesDir, fsName);
}
