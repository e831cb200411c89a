import { installedDirOf } from '../../lockfile/paths.ts';
import type { WorkspacePaths } from '../../lockfile/paths.ts';
import { decide } from '../../policy/decision.ts';
import type { AttestationFact, Checks, PolicyContext, Verdict } from '../../policy/decision.ts';
import type { JobResult } from '../checks/job.ts';
import { contextOf } from '../store/policy-snapshot.ts';
import type { VerificationStore } from '../store/result-store.ts';
import type { EntrySummary } from '../store/workspace-record.ts';
import { continuityFindings, hiddenFindings, registryFindings, signatureFindings } from './findings.ts';
import type { HiddenFile } from '../../content/scan.ts';
import type { Finding } from './findings.ts';
import { rowsFor } from './rows.ts';
import {
  collisionFindings,
  copyKey,
  PlaceIndex,
  placeOwners,
  shadowsOf,
  unownedSectionFindings,
} from './collisions.ts';
import type { Signer } from '../../policy/trust-match.ts';
import type { CheckRow } from './rows.ts';
import type { DeployedCopy } from '../../deploy/check.ts';
import { deployedFailure } from '../checks/deployed-failure.ts';
import { ownerFailure, ownerKey } from './shadow-owner.ts';
import type { OwnerResult } from './shadow-owner.ts';

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
  /** Hidden content in the archive's files, whatever the policy makes of it (a what-if under another policy needs it). */
  hidden: HiddenFile[];
}

/** What a package's deployed places share with other installed packages: whose copies it holds, and the findings. */
export interface SharedPlaces {
  /** Its copies that hold a rival's artifact (a name clash, not an edit, if the rival passes policy), by place, with the rival. */
  shadows: ReadonlyMap<string, OwnerResult>;
  findings: Finding[];
  /** What the above depend on, for reusing a decided report. */
  key: string;
}

const NOTHING_SHARED: SharedPlaces = { shadows: new Map(), findings: [], key: '' };

export function sharedPlaces(
  result: JobResult,
  index: PlaceIndex,
  owners: ReadonlyMap<string, OwnerResult>,
  workspace: WorkspacePaths,
): SharedPlaces {
  const findings = [
    ...collisionFindings(result, index, owners, workspace.root),
    ...unownedSectionFindings(result, index, workspace.root),
  ];
  if (findings.length === 0) return NOTHING_SHARED;
  const shadows = shadowsOf(result, owners);
  const held = [...shadows].map(([place, owner]) => [place, ownerKey(owner)]);
  return { shadows, findings, key: JSON.stringify([held, findings.map((f) => f.message)]) };
}

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
  shared: SharedPlaces = NOTHING_SHARED,
  extras?: ReportExtras,
): PackageReport {
  const deployed = withOwners(result.deployed, shared.shadows, context);
  // Only edits fail: a path another installed package's same-named artifact holds is that package's to answer for,
  // when that package passes policy itself; agents loading a failing package's text there fails this one too.
  const withExtras = extras?.attestation ? { ...result.checks, attestation: extras.attestation } : result.checks;
  const checks =
    withExtras.integrity.ok === false && withExtras.integrity.code === 'DEPLOYED_MODIFIED' && shared.shadows.size > 0
      ? { ...withExtras, integrity: deployedFailure(name, deployed) ?? { ok: true as const } }
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
      ...signatureFindings(verdict, context.policy.on_signature_failure),
      ...registryFindings(result.registryChanges, summary.source, `${name}@${summary.version}`),
      ...(extras?.findings ?? []),
      ...shared.findings,
      ...hiddenFindings(result.hidden, context.policy.hidden_content, `${name}@${summary.version}`),
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
    hidden: result.hidden,
  };
}

/** The copies a rival holds: shadowed when the rival passes policy, else still failing, with why. */
function withOwners(
  copies: readonly DeployedCopy[],
  shadows: ReadonlyMap<string, OwnerResult>,
  context: PolicyContext,
): DeployedCopy[] {
  return copies.map((copy): DeployedCopy => {
    const owner = shadows.get(copyKey(copy));
    if (!owner) return copy;
    const held = `it holds ${owner.name}'s artifact of the same name (the one installed last)`;
    const failure = ownerFailure(owner, context);
    if (failure === undefined) return { ...copy, state: 'shadowed', detail: held };
    return { ...copy, detail: `${held}, and ${owner.name} does not pass policy (${failure})` };
  });
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
  const stored = Object.values(results).map((r) => r.result);
  // Results stored one package at a time are not every package's claims: no section is called nobody's then.
  const locked = Object.keys(store.lockState(workspace.lockFile)?.digests ?? {});
  const complete = locked.length > 0 && locked.every((name) => name in results);
  const index = new PlaceIndex(
    stored.map((r) => [r.name, r.claims]),
    complete,
  );
  const owners = placeOwners(index, stored);
  const reports = Object.keys(results)
    .sort()
    .map((name) =>
      reportOf(
        name,
        results[name]!.summary,
        results[name]!.result,
        context,
        workspace,
        sharedPlaces(results[name]!.result, index, owners, workspace),
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
