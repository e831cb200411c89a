import type { SecuritySettings } from '../../config/settings.ts';
import { decide } from '../../policy/decision.ts';
import type { Checks, PolicyContext, Verdict, VerdictAction } from '../../policy/decision.ts';

/** One package whose verdict (or what it counts as, with its findings) a policy edit would change. */
export interface VerdictChange {
  name: string;
  version: string;
  before: Verdict;
  after: Verdict;
  /** What the package counts as, verdict and findings together (a changed signer fails or warns by policy). */
  beforeOutcome: VerdictAction;
  afterOutcome: VerdictAction;
  /** The edit would let a package whose signer changed pass with a warning. */
  acceptsSignerChange: boolean;
}

/** A finding beside a verdict, as far as the preview needs it. */
interface FindingLike {
  code: string;
  action: 'warn' | 'fail';
}

export interface WhatIf {
  changes: VerdictChange[];
  /** Packages whose signature was never checked (verification was skipped): the preview cannot tell. */
  unknown: string[];
  /** Settings that change what the verifier itself checks; saving re-verifies, the preview cannot. */
  needsReverification: string[];
  summary: string;
}

const CRYPTO_SETTINGS = ['verify_transparency_log', 'sigstore_trusted_root', 'gpg_home'] as const;

/**
 * What an unsaved policy would change, decided again from the checks of the
 * last verification: no archive is read or hashed, no signature re-verified.
 */
export function whatIf(
  reports: readonly {
    name: string;
    version: string;
    checks: Checks;
    verdict: Verdict;
    findings?: readonly FindingLike[];
    /** Files with hidden content: hidden_content decides whether that is a finding, and of what weight. */
    hidden?: readonly unknown[];
  }[],
  current: SecuritySettings,
  next: PolicyContext & { policy: SecuritySettings },
): WhatIf {
  const changes: VerdictChange[] = [];
  const unknown: string[] = [];
  for (const report of reports) {
    const skippedBefore = report.verdict.status === 'skipped' && report.checks.integrity.ok;
    if (skippedBefore && next.policy.on_signature_failure !== 'ignore') {
      unknown.push(report.name);
      continue;
    }
    const after = decide(report.checks, next);
    // Continuity findings follow on_signer_change, hidden content hidden_content; the others do not depend on the policy.
    const findings = report.findings ?? [];
    const hiddenMode = next.policy.hidden_content;
    const nextFindings: FindingLike[] = findings
      .filter((f) => f.code !== 'HIDDEN_CONTENT')
      .map((f) =>
        f.code === 'SIGNER_CHANGED'
          ? { ...f, action: next.policy.on_signer_change === 'warn' ? ('warn' as const) : ('fail' as const) }
          : f,
      );
    if ((report.hidden?.length ?? 0) > 0 && hiddenMode !== 'ignore')
      nextFindings.push({ code: 'HIDDEN_CONTENT', action: hiddenMode === 'error' ? 'fail' : 'warn' });
    const beforeOutcome = worst(report.verdict.action, findings);
    const afterOutcome = worst(after.action, nextFindings);
    const acceptsSignerChange =
      findings.some((f) => f.code === 'SIGNER_CHANGED' && f.action === 'fail') &&
      nextFindings.some((f) => f.code === 'SIGNER_CHANGED' && f.action === 'warn');
    if (
      after.status !== report.verdict.status ||
      after.action !== report.verdict.action ||
      beforeOutcome !== afterOutcome
    ) {
      changes.push({
        name: report.name,
        version: report.version,
        before: report.verdict,
        after,
        beforeOutcome,
        afterOutcome,
        acceptsSignerChange,
      });
    }
  }
  const needsReverification = CRYPTO_SETTINGS.filter(
    (key) => JSON.stringify(current[key]) !== JSON.stringify(next.policy[key]),
  );
  return { changes, unknown, needsReverification, summary: summarize(changes, unknown, needsReverification) };
}

function worst(action: VerdictAction, findings: readonly FindingLike[]): VerdictAction {
  if (action === 'fail' || findings.some((f) => f.action === 'fail')) return 'fail';
  return action === 'warn' || findings.length > 0 ? 'warn' : 'pass';
}

function summarize(changes: VerdictChange[], unknown: string[], crypto: string[]): string {
  const parts: string[] = [];
  const group = (f: (c: VerdictChange) => boolean, label: string) => {
    const names = changes.filter(f).map((c) => c.name);
    if (names.length > 0)
      parts.push(`${names.length} package${names.length === 1 ? '' : 's'} would ${label}: ${names.join(', ')}`);
  };
  group((c) => c.afterOutcome === 'fail' && c.beforeOutcome !== 'fail', 'fail');
  group((c) => c.acceptsSignerChange, 'accept a changed signer with a warning');
  group((c) => c.afterOutcome === 'warn' && c.beforeOutcome !== 'warn' && !c.acceptsSignerChange, 'warn');
  group((c) => c.afterOutcome === 'pass' && c.beforeOutcome !== 'pass', 'pass');
  group((c) => c.afterOutcome === c.beforeOutcome, 'change status');
  if (unknown.length > 0) parts.push(`${unknown.length} unknown until signatures are verified on save`);
  if (crypto.length > 0) parts.push(`${crypto.join(', ')} changed: saving re-verifies signatures`);
  return parts.length > 0 ? parts.join('; ') : 'No installed package would change verdict';
}
