import type { Verdict } from '../core/policy/decision.ts';
import { describeSigner } from '../core/policy/trust-match.ts';
import { packageLabel } from '../core/lockfile/vouched.ts';
import type { Finding } from '../core/verify/verdict/findings.ts';
import type { PackageReport } from '../core/verify/workspace.ts';
import { outcome, STATUS_LABEL, tally } from '../core/verify/verdict/vocabulary.ts';
import type { Tally } from '../core/verify/verdict/vocabulary.ts';
import { oneLine, paint } from './io.ts';
import type { CliIo } from './io.ts';

const SYMBOL = { pass: '✓', warn: '⚠', fail: '✗' } as const;
const COLOR = { pass: 'green', warn: 'yellow', fail: 'red' } as const;

/**
 * A verdict as lines of text: headline, then expected/actual and the next step when it is not a plain pass. Each
 * line is one datum or sentence: the label and every field (which quote lock-file data) are kept to their line.
 */
export function verdictLines(io: CliIo, label: string, verdict: Verdict): string[] {
  const lines = [
    `${paint(io, COLOR[verdict.action], SYMBOL[verdict.action])} ${paint(io, 'bold', oneLine(label))}  ${STATUS_LABEL[verdict.status]} — ${oneLine(verdict.message)}`,
  ];
  if (verdict.action !== 'pass' || verdict.code === 'UNSIGNED' || verdict.code === 'SIGNED_NO_POLICY') {
    if (verdict.expected !== undefined) lines.push(`    expected: ${oneLine(verdict.expected)}`);
    if (verdict.actual !== undefined) lines.push(`    actual:   ${oneLine(verdict.actual)}`);
    if (verdict.rule)
      lines.push(paint(io, 'dim', `    rule:     ${verdict.rule.key} (${oneLine(verdict.rule.source ?? 'default')})`));
    if (verdict.hint && verdict.action !== 'pass') lines.push(`    → ${oneLine(verdict.hint)}`);
  }
  return lines;
}

/** A package's lines: the verdict, then each finding beside it. */
export function reportLines(io: CliIo, report: PackageReport): string[] {
  return [
    ...verdictLines(io, packageLabel(report), report.verdict),
    ...report.findings.flatMap((f) => findingLines(io, f)),
  ];
}

/** A finding beside a verdict: what it says, what was expected and found, and what to do next. */
export function findingLines(io: CliIo, finding: Finding): string[] {
  const lines = [`  ${paint(io, COLOR[finding.action], SYMBOL[finding.action])} ${oneLine(finding.message)}`];
  if (finding.expected !== undefined) lines.push(`    expected: ${oneLine(finding.expected)}`);
  if (finding.actual !== undefined) lines.push(`    actual:   ${oneLine(finding.actual)}`);
  if (finding.hint) lines.push(`    → ${oneLine(finding.hint)}`);
  return lines;
}

export function reportToJson(report: PackageReport): Record<string, unknown> {
  const v = report.verdict;
  return {
    name: report.name,
    version: report.version,
    source: report.source,
    outcome: outcome(report),
    status: v.status,
    action: v.action,
    code: v.code,
    message: v.message,
    expected: v.expected ?? null,
    actual: v.actual ?? null,
    hint: v.hint ?? null,
    signer: v.signer ? { ...v.signer, description: describeSigner(v.signer) } : null,
    trusted_by: v.trustedBy ?? null,
    rule: v.rule ?? null,
    findings: report.findings,
    cached_verification: report.checks.cached ?? null,
    installed_without_verification: report.checks.installedWithoutVerification?.at ?? null,
    checks: report.rows,
    installed_dir: report.installedDir,
  };
}

/** The counts of a run, as every surface says them (they add up to the total). */
export function summarize(reports: readonly PackageReport[]): Tally {
  return tally(reports);
}
