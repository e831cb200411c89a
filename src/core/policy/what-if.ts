import type { SecuritySettings } from '../config/settings.ts';
import { decide } from './decision.ts';
import type { Checks, PolicyContext, Verdict } from './decision.ts';

/** One package whose verdict a policy edit would change. */
export interface VerdictChange {
  name: string;
  version: string;
  before: Verdict;
  after: Verdict;
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
  reports: readonly { name: string; version: string; checks: Checks; verdict: Verdict }[],
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
    if (after.status !== report.verdict.status || after.action !== report.verdict.action) changes.push({ name: report.name, version: report.version, before: report.verdict, after });
  }
  const needsReverification = CRYPTO_SETTINGS.filter((key) => JSON.stringify(current[key]) !== JSON.stringify(next.policy[key]));
  return { changes, unknown, needsReverification, summary: summarize(changes, unknown, needsReverification) };
}

function summarize(changes: VerdictChange[], unknown: string[], crypto: string[]): string {
  const parts: string[] = [];
  const group = (f: (c: VerdictChange) => boolean, label: string) => {
    const names = changes.filter(f).map((c) => c.name);
    if (names.length > 0) parts.push(`${names.length} package${names.length === 1 ? '' : 's'} would ${label}: ${names.join(', ')}`);
  };
  group((c) => c.after.action === 'fail' && c.before.action !== 'fail', 'fail');
  group((c) => c.after.action === 'warn' && c.before.action !== 'warn', 'warn');
  group((c) => c.after.action === 'pass' && c.before.action !== 'pass', 'pass');
  group((c) => c.after.action === c.before.action, 'change status');
  if (unknown.length > 0) parts.push(`${unknown.length} unknown until signatures are verified on save`);
  if (crypto.length > 0) parts.push(`${crypto.join(', ')} changed: saving re-verifies signatures`);
  return parts.length > 0 ? parts.join('; ') : 'No installed package would change verdict';
}
