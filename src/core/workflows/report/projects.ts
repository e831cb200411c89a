import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describeMatch, matchLevel } from '../../config/levels.ts';
import { assertUsablePolicy, loadConfig } from '../../config/load.ts';
import { AamError, messageOf } from '../../errors.ts';
import { workspacePaths } from '../../lockfile/lockfile.ts';
import { outcome } from '../../verify/verdict/vocabulary.ts';
import { signerOfReport } from '../../verify/verdict/report.ts';
import type { PackageReport } from '../../verify/verdict/report.ts';
import { verificationServices } from '../../verify/services.ts';
import type { VerificationStore } from '../../verify/store/result-store.ts';
import { verifyWorkspace } from '../../verify/workspace.ts';
import { methodOf, signerLabel } from './model.ts';
import { signersOfVerdict } from './signers.ts';
import { totalsOf } from './totals.ts';
import type { ComplianceReport, ComplianceRow, UncheckedScope } from './model.ts';

/** A verified package as a report row: `where` is its project, `lines` its lock file's entry lines. */
export function rowOfPackage(report: PackageReport, where: string, lines?: ReadonlyMap<string, number>): ComplianceRow {
  const { verdict, checks } = report;
  const attestation = checks.attestation;
  return {
    where,
    name: report.name,
    version: report.version,
    source: report.source,
    status: verdict.status,
    compliant: outcome(report) !== 'fail',
    outcome: outcome(report),
    method: methodOf(checks, verdict),
    signer: signerLabel(signerOfReport(report)),
    ...signersOfVerdict(verdict, signerOfReport(report)),
    attested: attestation ? attestation.state === 'valid' : undefined,
    publishedBy: attestation?.state === 'valid' ? attestation.publisher : undefined,
    code: verdict.code,
    message: verdict.message,
    findings: report.findings.map((f) => f.code),
    lockLine: lines?.get(report.name),
  };
}

/**
 * The line (1-based) of each package's entry in a lock file's text, read by
 * lines: lock files are written by aam and aam-trust in block style, and a
 * report of thousands of packages should not parse the file as YAML again.
 */
export function lockEntryLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let inPackages = false;
  for (const [index, line] of text.split('\n').entries()) {
    if (/^\S/.test(line)) inPackages = /^packages:\s*$/.test(line);
    else if (inPackages) {
      const key = /^ {2}(?:'((?:[^']|'')+)'|"([^"]+)"|([^\s'"#][^:#]*?)):\s*$/.exec(line);
      if (key) lines.set(key[1]?.replace(/''/g, "'") ?? key[2] ?? key[3]!, index + 1);
    }
  }
  return lines;
}

export interface ProjectsReportOptions {
  /** Project folders (each with its .aam/), absolute. */
  projects: readonly string[];
  /** Where the report runs: project names are said relative to it. */
  cwd: string;
  homeDir: string;
  env: Record<string, string | undefined>;
  restricted?: boolean;
  offline?: boolean;
  store?: VerificationStore;
  onProject?: (project: string, index: number, total: number) => void;
}

/**
 * The signing-compliance report over projects: each verified under its own
 * merged policy (as `aam-trust verify` would, earlier results reused), every
 * installed package a row.
 */
export async function reportProjects(options: ProjectsReportOptions): Promise<ComplianceReport> {
  const rows: ComplianceRow[] = [];
  const unchecked: UncheckedScope[] = [];
  const policies = new Map<string, string>();
  for (const [index, project] of options.projects.entries()) {
    const where = relative(options.cwd, project) || '.';
    options.onProject?.(where, index, options.projects.length);
    try {
      const config = await loadConfig({
        homeDir: options.homeDir,
        projectDir: project,
        env: options.env,
        restricted: options.restricted ?? false,
      });
      assertUsablePolicy(config);
      policies.set(where, describeMatch(matchLevel(config.merged)));
      const workspace = workspacePaths(project);
      const reports = await verifyWorkspace({
        workspace,
        config,
        ...verificationServices(config, options.homeDir, options.env),
        offline: options.offline ?? false,
        store: options.store,
        homeDir: options.homeDir,
      });
      const lockText = await readFile(workspace.lockFile, 'utf8').catch(() => '');
      const lines = lockEntryLines(lockText);
      rows.push(...reports.map((r) => rowOfPackage(r, where, lines)));
    } catch (error) {
      // A project that could not be verified is never compliant: it is listed, and the report fails.
      unchecked.push(uncheckedProject(where, error));
    }
  }
  return {
    generatedAt: new Date().toISOString(),
    scope: { kind: 'projects', projects: options.projects.map((p) => relative(options.cwd, p) || '.') },
    policy: policyText(policies),
    unchecked,
    totals: totalsOf(rows, unchecked.length),
    rows,
  };
}

/** A project that could not be verified, with why and what to do (the error's hint, when it has one). */
export function uncheckedProject(where: string, error: unknown): UncheckedScope {
  const message = messageOf(error);
  return {
    where,
    what: 'project',
    status: 'not checked',
    reason: /[.!?]$/.test(message) ? message : `${message}.`,
    next:
      error instanceof AamError && error.hint
        ? error.hint
        : error instanceof AamError && error.code === 'LOCKFILE_INVALID'
          ? `Restore ${where === '.' ? '' : `${where}/`}.aam/aam-lock.yaml (from version control, or install again), then run aam-trust verify --project ${where}.`
          : `Fix it, then check the project alone: aam-trust verify --project ${where}.`,
  };
}

/** One level for all projects, or each project's. */
export function policyText(policies: ReadonlyMap<string, string>): string {
  const distinct = new Set(policies.values());
  if (distinct.size <= 1) return [...distinct][0] ?? 'no policy read';
  return [...policies].map(([where, level]) => `${where}: ${level}`).join('; ');
}
