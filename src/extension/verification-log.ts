import type { PackageReport } from '../core/verify/verdict/report.ts';
import { outcome, STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { log } from './log.ts';

/**
 * Logs what changed since the last run, once, at its level: a refresh that
 * finds the same failures again does not repeat them. Stored verdicts shown
 * at start-up count as what was known.
 */
export function logChanges(previous: readonly PackageReport[], reports: readonly PackageReport[]): void {
  const known = new Map(previous.map((r) => [r.name, stateOf(r)]));
  for (const report of reports) {
    const state = stateOf(report);
    if (known.get(report.name) === state) continue;
    const line = [
      `${report.name}@${report.version}: ${STATUS_LABEL[report.verdict.status]} (${report.verdict.code}) — ${report.verdict.message}`,
      ...report.findings.map((f) => f.message),
    ].join(' ');
    const level = outcome(report);
    if (level === 'fail') log().error(line);
    else if (level === 'warn') log().warn(line);
    else if (known.has(report.name)) log().info(line);
  }
}

function stateOf(report: PackageReport): string {
  return [
    report.version,
    report.verdict.status,
    report.verdict.code,
    ...report.findings.map((f) => `${f.code}:${f.actual}`),
  ].join('|');
}
