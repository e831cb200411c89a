import type { Verdict } from '../core/policy/decision.ts';
import { describeSigner } from '../core/policy/trust-match.ts';
import type { PackageReport } from '../core/verify/verify-installed.ts';
import { paint } from './io.ts';
import type { CliIo } from './io.ts';

const SYMBOL = { pass: '✓', warn: '⚠', fail: '✗' } as const;
const COLOR = { pass: 'green', warn: 'yellow', fail: 'red' } as const;

/** A verdict as lines of text: headline, then expected/actual and the next step when it is not a plain pass. */
export function verdictLines(io: CliIo, label: string, verdict: Verdict): string[] {
  const lines = [`${paint(io, COLOR[verdict.action], SYMBOL[verdict.action])} ${paint(io, 'bold', label)}  ${verdict.status} — ${verdict.message}`];
  if (verdict.action !== 'pass' || verdict.code === 'UNSIGNED' || verdict.code === 'SIGNED_NO_POLICY') {
    if (verdict.expected !== undefined) lines.push(`    expected: ${verdict.expected}`);
    if (verdict.actual !== undefined) lines.push(`    actual:   ${verdict.actual}`);
    if (verdict.rule) lines.push(paint(io, 'dim', `    rule:     ${verdict.rule.key} (${verdict.rule.source ?? 'default'})`));
    if (verdict.hint && verdict.action !== 'pass') lines.push(`    → ${verdict.hint}`);
  }
  return lines;
}

export function reportToJson(report: PackageReport): Record<string, unknown> {
  const v = report.verdict;
  return {
    name: report.name,
    version: report.version,
    source: report.source,
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
    checks: report.rows,
    installed_dir: report.installedDir,
  };
}

export function summarize(reports: readonly { verdict: Verdict }[]): { total: number; verified: number; passed: number; warnings: number; failed: number; line: string } {
  const count = (f: (v: Verdict) => boolean) => reports.filter((r) => f(r.verdict)).length;
  const total = reports.length;
  const verified = count((v) => v.status === 'verified');
  const passed = count((v) => v.action === 'pass');
  const warnings = count((v) => v.action === 'warn');
  const failed = count((v) => v.action === 'fail');
  const parts = [`${verified} verified`];
  if (passed - verified > 0) parts.push(`${passed - verified} passed unverified`);
  if (warnings > 0) parts.push(`${warnings} with warnings`);
  if (failed > 0) parts.push(`${failed} failed`);
  return { total, verified, passed, warnings, failed, line: `${total} package${total === 1 ? '' : 's'}: ${parts.join(', ')}` };
}
