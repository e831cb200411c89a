import { sarifLog } from '../sarif-log.ts';
import { packageLabel } from '../../lockfile/vouched.ts';
import { FINDING_LABEL, STATUS_LABEL } from '../../verify/verdict/vocabulary.ts';
import type { VerdictStatus } from '../../policy/decision.ts';
import { notCompliant, uncheckedText } from './model.ts';
import type { ComplianceReport, ComplianceRow } from './model.ts';

/** What fails a package: its verdict's status, or (when its verdict passes) the finding beside it. */
function ruleOf(row: ComplianceRow): { id: string; text: string } {
  const passing: readonly VerdictStatus[] = ['verified', 'signed-no-policy', 'unsigned', 'skipped'];
  if (passing.includes(row.status) && row.findings.length > 0) {
    const code = row.findings[0] as keyof typeof FINDING_LABEL;
    return { id: code, text: `A package fails: ${FINDING_LABEL[code] ?? code}` };
  }
  return { id: row.code, text: `A package is ${STATUS_LABEL[row.status]}` };
}

/**
 * The packages that are not compliant as SARIF 2.1.0, for code scanning: one
 * result per package, on its entry's line in the lock file. `lockFileOf`
 * names that file relative to the repository root (SARIF's %SRCROOT%). A
 * project that could not be checked is a result too (rule NOT_CHECKED, on
 * its lock file's first line): code scanning must not read it as clean.
 */
export function reportSarif(
  report: ComplianceReport,
  lockFileOf: (row: Pick<ComplianceRow, 'where'>) => string,
): Record<string, unknown> {
  const rules = new Map<string, string>();
  const results = notCompliant(report).map((row) => {
    const rule = ruleOf(row);
    rules.set(rule.id, rule.text);
    return {
      ruleId: rule.id,
      level: 'error',
      message: {
        text: `${packageLabel(row)}: ${STATUS_LABEL[row.status]}${row.findings.length > 0 ? ` (${row.findings.join(', ')})` : ''} — ${row.message}`,
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: lockFileOf(row), uriBaseId: '%SRCROOT%' },
            region: { startLine: row.lockLine ?? 1, startColumn: row.lockLine ? 3 : 1 },
          },
        },
      ],
      // Code scanning takes a result with a dismissed one's rule and fingerprint as that alert: another version or
      // signer of the package is another alert, never hidden by an old dismissal.
      partialFingerprints: {
        package: `${row.where}:${row.name}`,
        signedAs: `${row.version}:${(row.signers ?? (row.signer ? [row.signer] : [])).join(',')}`,
      },
    };
  });
  for (const scope of report.unchecked) {
    rules.set('NOT_CHECKED', 'A project could not be checked');
    results.push({
      ruleId: 'NOT_CHECKED',
      level: 'error',
      message: { text: `${uncheckedText(scope)} Next: ${scope.next}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: lockFileOf(scope), uriBaseId: '%SRCROOT%' },
            region: { startLine: 1, startColumn: 1 },
          },
        },
      ],
      partialFingerprints: { package: `${scope.where}:(not checked)`, signedAs: '' },
    });
  }
  return sarifLog(
    [...rules].map(([id, text]) => ({ id, text, level: 'error' as const })),
    results,
  );
}
