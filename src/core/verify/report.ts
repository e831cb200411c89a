import { join } from 'node:path';
import type { WorkspacePaths } from '../lockfile/paths.ts';
import { toFsName } from '../package/names.ts';
import { decide } from '../policy/decision.ts';
import type { Checks, PolicyContext, Verdict } from '../policy/decision.ts';
import type { JobResult } from './job.ts';
import { contextOf } from './result-store.ts';
import type { EntrySummary, VerificationStore } from './result-store.ts';
import { registryFindings } from './findings.ts';
import type { Finding } from './findings.ts';
import { rowsFor } from './rows.ts';
import type { CheckRow } from './rows.ts';

/** The verification result of one installed package. */
export interface PackageReport {
  name: string;
  version: string;
  source: string;
  verdict: Verdict;
  /** What was found beside the verdict (a registry that changed a published version…); each warns or fails on its own. */
  findings: Finding[];
  /** What verification established before policy: a policy edit re-decides from these. */
  checks: Checks;
  rows: CheckRow[];
  installedDir: string;
  lockFile: string;
  signatureFile: string | undefined;
  /** When the checks behind this report ran (ISO time); older than now when an earlier result was reused. */
  checkedAt: string;
}

/** A verification result decided under a policy: the verdict and the rows that explain it. */
export function reportOf(name: string, summary: EntrySummary, result: JobResult, context: PolicyContext, workspace: WorkspacePaths): PackageReport {
  const verdict = decide(result.checks, context);
  return {
    name,
    version: summary.version,
    source: summary.source,
    verdict,
    findings: registryFindings(result.registryChanges, summary.source, `${name}@${summary.version}`),
    checks: result.checks,
    rows: rowsFor(result.checks, verdict, { checksum: summary.checksum, fileCount: summary.fileCount, archiveOrigin: result.archiveOrigin }, result.signatureFile),
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
export function storedReports(store: VerificationStore, workspace: WorkspacePaths, session: { restricted: boolean }): { reports: PackageReport[]; checkedAt: string | undefined } | undefined {
  const policy = store.policy(workspace.lockFile);
  // Verdicts decided with a project's settings are not shown in Restricted Mode, where those may not apply.
  if (!policy || policy.snapshot.restricted !== session.restricted) return undefined;
  const context = contextOf(policy.snapshot);
  const results = store.all(workspace.lockFile);
  const reports = Object.keys(results).sort().map((name) => reportOf(name, results[name]!.summary, results[name]!.result, context, workspace));
  return { reports, checkedAt: policy.checkedAt };
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
