import { STATUS_LABEL } from '../core/verify/verdict/vocabulary.ts';
import { notCompliant, reportPasses, signersText, uncheckedText } from '../core/workflows/report/model.ts';
import type { ComplianceReport } from '../core/workflows/report/model.ts';

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** The job summary of a verification: the verdict, totals by status, and what is not compliant, as Markdown. */
export function summaryMarkdown(report: ComplianceReport, options: { project: string; restricted: boolean }): string {
  const { totals } = report;
  const ok = reportPasses(report);
  const lines = [
    `## ${ok ? '✅' : '❌'} AAM Trust: ${totals.compliant} of ${totals.total} package${totals.total === 1 ? '' : 's'} compliant`,
    '',
    `Project \`${options.project}\` · policy: ${report.policy}${options.restricted ? ' · restricted (project settings that weaken the global policy are ignored)' : ''}`,
    ...report.unchecked.map((u) => `\n> ⚠️ **Not checked:** ${cell(uncheckedText(u))} Next: ${cell(u.next)}`),
    '',
    '| Status | Packages | Not compliant |',
    '| --- | ---: | ---: |',
    ...totals.byStatus.map((s) => `| ${s.label} | ${s.count} | ${s.notCompliant} |`),
  ];
  const failing = notCompliant(report);
  if (failing.length > 0) {
    lines.push(
      '',
      `### Not compliant (${failing.length})`,
      '',
      '| Package | Status | Signer | Why |',
      '| --- | --- | --- | --- |',
    );
    for (const row of failing.slice(0, 200))
      lines.push(
        `| \`${row.name}@${row.version}\` | ${STATUS_LABEL[row.status]} | ${cell(signersText(row) ?? '—')} | ${cell([...row.findings, row.message].join(' · '))} |`,
      );
    if (failing.length > 200) lines.push('', `… and ${failing.length - 200} more (see the SARIF results).`);
  }
  return `${lines.join('\n')}\n`;
}
