import type { Checks, Verdict, VerdictAction, VerdictStatus } from '../../policy/decision.ts';
import type { Signer } from '../../policy/trust-match.ts';

/**
 * How a package is signed, as the report counts it: by an author (Sigstore,
 * OpenPGP), only by its registry, not at all — or not checked (its archive or
 * installed files failed first, or the policy skips signatures).
 */
export type SigningMethod = 'sigstore' | 'gpg' | 'registry attestation' | 'none' | 'not checked';

/*
 * Types and pure helpers only: the page script (a browser bundle) reads them too.
 */

/**
 * One package (one version, for a registry) as the signing-compliance report
 * lists it. Plain data: it is what the JSON, CSV, table, HTML page and the
 * editor's webview all show.
 */
export interface ComplianceRow {
  /** The project folder (relative to where the report ran) or the registry it was found in. */
  where: string;
  name: string;
  version: string;
  source: string;
  status: VerdictStatus;
  /** Compliant with the policy: nothing about it fails (its verdict, nor a finding beside it). */
  compliant: boolean;
  outcome: VerdictAction;
  method: SigningMethod;
  /** Who signed it (the certificate's identity, or the OpenPGP user id and fingerprint); undefined: nobody. */
  signer: string | undefined;
  /** Every signer of its valid signatures, `signer` first: a co-signed package has several. */
  signers?: string[] | undefined;
  /** The delegations its signers sign through, in words ("bob@… — delegated by alice@… for @acme/* until …"). */
  delegations?: string[] | undefined;
  /** A valid attestation of its registry (undefined: nothing could attest it, such as a file registry). */
  attested: boolean | undefined;
  /** A registry's approval state, where the registry requires approvals. */
  approval?: 'approved' | 'pending' | 'rejected' | undefined;
  yanked?: boolean | undefined;
  /** Who published it, as the registry's audit log (or attestation) says. */
  publishedBy?: string | undefined;
  code: string;
  message: string;
  /** Findings beside the verdict (registry changed, signer changed…), by code. */
  findings: string[];
  /** Its entry's line in the lock file (1-based), for links and SARIF. */
  lockLine?: number | undefined;
}

export interface ComplianceTotals {
  total: number;
  compliant: number;
  notCompliant: number;
  /** Every status seen, kept apart (never one "failed" bucket), most packages first. */
  byStatus: { status: VerdictStatus; label: string; count: number; notCompliant: number }[];
  /** Packages per signer: a co-signed package counts under each of its signers, so these may add up to more than the total. */
  bySigner: { signer: string; count: number }[];
  byMethod: { method: SigningMethod; count: number }[];
  /** Projects (or a registry's audit log) that could not be checked: never compliant, listed in `unchecked`. */
  notChecked: number;
}

/**
 * A project, or a registry's audit log, the report could not check (a
 * broken policy, an unreadable lock file, a log that does not verify). It
 * never counts as compliant: the report fails while one is listed.
 */
export interface UncheckedScope {
  /** The project folder (relative to where the report ran) or the registry. */
  where: string;
  /** A project's packages, a registry's audit log (so who published and attestations), one of its packages, or its listing. */
  what: 'project' | 'registry audit log' | 'registry package' | 'registry listing';
  status: 'not checked';
  /** Why, in a sentence. */
  reason: string;
  /** What to do next. */
  next: string;
}

export interface ComplianceReport {
  generatedAt: string;
  scope: { kind: 'projects'; projects: string[] } | { kind: 'registry'; registry: string; url: string };
  /** The policy the rows were judged by: its level, or custom and the nearest. */
  policy: string;
  /** What could not be checked (a project that could not be verified, a registry's audit log that does not verify). */
  unchecked: UncheckedScope[];
  totals: ComplianceTotals;
  rows: ComplianceRow[];
}

/** What the report's page script reads from the page (`#report-data`): the report and its scope in words. */
export interface ReportPageData {
  report: ComplianceReport;
  scope: string;
}

/** The signer a row is counted under: who signed it, or why nobody is named. */
export function signerGroup(row: Pick<ComplianceRow, 'signer' | 'method'>): string {
  return row.signer ?? (row.method === 'not checked' ? '(not checked)' : '(not signed)');
}

/** Every signer a row is counted under: each of its signers, or why nobody is named. */
export function signerGroups(row: Pick<ComplianceRow, 'signer' | 'signers' | 'method'>): string[] {
  return row.signers && row.signers.length > 0 ? row.signers : [signerGroup(row)];
}

/** A row's signers in one line: "alice@example.com + Release <r@example.com> (FPR)"; undefined: nobody. */
export function signersText(row: Pick<ComplianceRow, 'signer' | 'signers'>): string | undefined {
  return row.signers && row.signers.length > 0 ? row.signers.join(' + ') : row.signer;
}

/** The label a signer is counted under. */
export function signerLabel(signer: Signer | undefined): string | undefined {
  if (!signer) return undefined;
  if (signer.type === 'sigstore') return signer.identity.san;
  return signer.userIds[0] ? `${signer.userIds[0]} (${signer.fingerprint})` : signer.fingerprint;
}

/** How a package counts as signed, from its checks and verdict. */
export function methodOf(checks: Checks, verdict: Verdict): SigningMethod {
  const signature = checks.signature;
  if (signature.state === 'valid') return signature.signer.type;
  if (signature.state === 'invalid') return signature.type;
  if (verdict.code === 'ATTESTED') return 'registry attestation';
  return !checks.integrity.ok || verdict.status === 'skipped' ? 'not checked' : 'none';
}

/** Compliant as a whole: every package compliant, and nothing left unchecked. */
export function reportPasses(report: Pick<ComplianceReport, 'totals' | 'unchecked'>): boolean {
  return report.totals.notCompliant === 0 && report.unchecked.length === 0;
}

/** What could not be checked, in one line (the table, the page, annotations, SARIF say it so). */
export function uncheckedText(scope: UncheckedScope): string {
  if (scope.what === 'registry audit log') return `The audit log of ${scope.where} does not verify: ${scope.reason}`;
  return `${scope.where}: not checked: ${scope.reason}`;
}

/** The rows that are not compliant, failures first by status, then by where and name. */
export function notCompliant(report: Pick<ComplianceReport, 'rows'>): ComplianceRow[] {
  return report.rows
    .filter((r) => !r.compliant)
    .sort((a, b) => a.status.localeCompare(b.status) || a.where.localeCompare(b.where) || a.name.localeCompare(b.name));
}
